"""No one can forge a token or reach the API through a host name it does not serve (issue 12).

The old default signing secret was published in the repository; a token signed with it (raw or hashed, as the
API once derived its key) must never be accepted, the app must not start without a real secret unless local
mode is on explicitly, and an unknown Host header must be refused (DNS rebinding against a loopback API).
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from coach.api import create_app
from coach.settings import InsecureSettings, Settings, secret_weakness

PLACEHOLDER = "dev-only-change-me"


def _forged(user_id: int, key: bytes | str) -> dict[str, str]:
    now = int(time.time())
    token = jwt.encode({"sub": str(user_id), "role": "admin", "iat": now, "exp": now + 600}, key, "HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "key", [PLACEHOLDER, hashlib.sha256(PLACEHOLDER.encode()).digest()], ids=["raw", "sha256"]
)
def test_a_token_signed_with_the_old_placeholder_is_refused(api_client, api_users, key) -> None:  # type: ignore[no-untyped-def]
    admin_id = api_users["admin"]["id"]
    assert api_client.get("/admin/users", headers=api_users["admin"]["headers"]).status_code == 200
    r = api_client.get("/admin/users", headers=_forged(admin_id, key))
    assert r.status_code == 401 and r.json()["detail"] == "invalid token"
    learner = api_users["learner1"]["id"]
    assert api_client.get("/me/profile", headers=_forged(learner, key)).status_code == 401


def test_local_mode_signs_with_a_private_random_key_kept_in_home(
    api_db_url, tmp_path, api_fake_services
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=api_db_url, home=tmp_path / "home", local_mode=True)
    key = settings.token_secret()
    assert secret_weakness(key) is None and key != PLACEHOLDER
    kept = tmp_path / "home" / "secret-key.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # Made once: a second process (a new Settings) signs with the same key, so tokens survive a restart.
    assert Settings(home=tmp_path / "home", local_mode=True).token_secret() == key
    with TestClient(create_app(settings, api_fake_services), base_url="http://localhost") as client:
        forged = _forged(1, hashlib.sha256(PLACEHOLDER.encode()).digest())
        assert client.get("/admin/users", headers=forged).status_code == 401


def test_the_factory_refuses_to_start_without_a_secret_outside_local_mode(api_db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InsecureSettings, match="COACH_SECRET_KEY is not set"):
        create_app(Settings(database_url=api_db_url, home=tmp_path))


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (PLACEHOLDER, "placeholder"),
        ("please-CHANGEME-before-production-deploys", "placeholder"),
        ("s3cr3t-but-short", "characters"),
        ("a" * 64, "predictable"),
        ("abab" * 16, "predictable"),
    ],
)
def test_weak_secrets_are_refused_by_the_settings_themselves(secret: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        Settings(secret_key=secret)


def test_random_secrets_are_accepted() -> None:
    import secrets

    for value in (secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_hex(32)):
        assert Settings(secret_key=value).token_secret() == value


def test_uvicorn_factory_without_a_secret_exits_with_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env |= {"COACH_HOME": str(tmp_path), "COACH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    r = subprocess.run(
        [sys.executable, "-m", "uvicorn", "coach.api:create_app", "--factory", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1].startswith("error: COACH_SECRET_KEY is not set")
    assert "Traceback" not in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "uvicorn", "coach.api:create_app", "--factory", "--port", "0"],
        env={**env, "COACH_SECRET_KEY": PLACEHOLDER},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "error: invalid setting COACH_SECRET_KEY: the secret is a published placeholder" in r.stderr


def test_cli_names_an_unusable_setting_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "COACH_HOME": str(tmp_path), "COACH_SECRET_KEY": PLACEHOLDER}
    r = subprocess.run(
        [sys.executable, "-c", "from coach.cli import main; main()", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.startswith(
        "error: invalid setting COACH_SECRET_KEY: the secret is a published placeholder"
    )
    assert len(r.stderr.strip().splitlines()) == 1 and PLACEHOLDER not in r.stderr


@pytest.mark.parametrize(
    ("host", "status"),
    [("localhost", 200), ("127.0.0.1:8000", 200), ("[::1]:8000", 200), ("evil.example", 400), ("", 400)],
)
def test_only_configured_hosts_are_served(api_settings, api_fake_services, host: str, status: int) -> None:  # type: ignore[no-untyped-def]
    settings = api_settings.model_copy(update={"allowed_hosts": Settings().allowed_hosts})
    with TestClient(create_app(settings, api_fake_services)) as client:
        r = client.get("/health", headers={"Host": host})
        assert r.status_code == status
        if status == 400:  # the same JSON error body as every other refusal, not plain text
            assert r.headers["content-type"].startswith("application/json")
            assert "does not answer for that host name" in r.json()["detail"]
            assert r.headers["x-content-type-options"] == "nosniff"


def test_allowed_hosts_are_configurable(api_settings, api_fake_services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COACH_ALLOWED_HOSTS", '["coach.example.org"]')
    hosts = Settings().allowed_hosts
    assert hosts == ["coach.example.org"]
    with TestClient(
        create_app(api_settings.model_copy(update={"allowed_hosts": hosts}), api_fake_services)
    ) as c:
        assert c.get("/health", headers={"Host": "coach.example.org"}).status_code == 200
        assert c.get("/health", headers={"Host": "localhost"}).status_code == 400
        assert c.get("/health", headers={"Host": "api.coach.example.org"}).status_code == 400


def test_a_bare_ipv6_host_in_settings_matches_its_bracketed_header() -> None:
    assert Settings(allowed_hosts=["::1", " coach.example.org "]).allowed_hosts == [
        "[::1]",
        "coach.example.org",
    ]
