"""A real `coach serve` (uvicorn, two workers) on 127.0.0.1 with a random port, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import api_sample_pathway, api_start_server, api_stop_server

DATA = Path(__file__).parent / "data" / "profiles"


def add_user(db_url: str, home, name: str, role: str) -> int:  # type: ignore[no-untyped-def]
    """`coach users add` through the real command line."""
    env = {"COACH_DATABASE_URL": db_url, "COACH_HOME": str(home)}
    import os

    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from coach.cli import main; main()",
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
        ],
        input=f"{name}-password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["id"]


@pytest.fixture
def server(api_db_url, tmp_path, warm_planner):  # type: ignore[no-untyped-def]
    """(base URL, db URL, home) of a running two-worker server with a small shared rate limit; the planner's
    caches are warm, so the first real plan loads them instead of embedding the taxonomy."""
    home = tmp_path / "home"
    proc, base = api_start_server(api_db_url, home, workers=2, COACH_RATE_LIMIT_PER_MINUTE="4")
    try:
        yield base, api_db_url, home
    finally:
        api_stop_server(proc)


def login(client: httpx.Client, name: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": name, "password": f"{name}-password"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_review_flow_over_real_http_with_two_workers(server) -> None:  # type: ignore[no-untyped-def]
    base, db_url, home = server
    admin_id = add_user(db_url, home, "admin", "admin")
    coach_id = add_user(db_url, home, "coach1", "coach")
    assert admin_id != coach_id
    with httpx.Client(base_url=base, timeout=120) as c:  # the first save loads the catalogue
        for name in ("learner1", "learner2"):
            assert (
                c.post("/auth/register", json={"username": name, "password": f"{name}-password"}).status_code
                == 201
            )
        h1, h2, hc, ha = (login(c, n) for n in ("learner1", "learner2", "coach1", "admin"))
        lid = c.get("/me", headers=h1).json()["id"]
        assert (
            c.post(
                "/admin/assignments", json={"coach_id": coach_id, "learner_id": lid}, headers=ha
            ).status_code
            == 201
        )
        saved = c.post(
            "/pathways", json={"pathway": api_sample_pathway().model_dump(mode="json")}, headers=h1
        )
        assert saved.status_code == 201, saved.text
        pid = saved.json()["id"]
        # The real validator ran (the planner's, over the real catalogue): the fixture's ids are not in it.
        assert any("fake-a" in issue for issue in saved.json()["issues"])
        # Many requests spread over both workers: every one sees the same database.
        assert all(c.get(f"/pathways/{pid}", headers=h1).status_code == 200 for _ in range(10))
        assert c.get(f"/pathways/{pid}", headers=h2).status_code == 404
        rid = c.post(f"/pathways/{pid}/submit", headers=h1).json()["id"]
        assert [r["id"] for r in c.get("/reviews", params={"status": "pending"}, headers=hc).json()] == [rid]
        edit = {"edits": [{"op": "remove", "step_id": "fake-c"}], "note": "cheaper", "allow_issues": True}
        assert c.post(f"/pathways/{pid}/versions", json=edit, headers=hc).status_code == 201
        d = c.post(f"/reviews/{rid}/decision", json={"decision": "approve", "comment": "ok"}, headers=hc)
        assert d.status_code == 200 and d.json()["pathway_status"] == "approved"
        actions = [a["action"] for a in c.get(f"/pathways/{pid}/audit", headers=h1).json()]
        assert actions == ["create", "submit", "edit", "comment", "approve"]
        # The rate limit lives in the database, so two workers share it: 4 counted calls, then 429.
        codes = [c.post("/pathways/plan", json={}, headers=h2).status_code for _ in range(5)]
        assert codes == [422] * 4 + [429]
        openapi = c.get("/openapi.json")
        assert openapi.json()["info"]["title"] == "Pathway Coach API"
        assert "server" not in openapi.headers and openapi.headers["x-content-type-options"] == "nosniff"
        # The real planner over the real catalogue, then saved: the planner's own validator finds nothing wrong.
        profile = json.loads((DATA / "ana_retail_to_security.json").read_text(encoding="utf-8"))
        assert c.put("/me/profile", json=profile, headers=h1).status_code == 200
        plan = c.post("/pathways/plan", json={"budget": 1500, "hours_per_week": 8}, headers=h1, timeout=600)
        assert plan.status_code == 200, plan.text
        assert plan.json()["steps"] and plan.json()["total_cost"] <= 1500
        saved = c.post("/pathways", json={"pathway": plan.json(), "title": "real"}, headers=h1)
        assert saved.status_code == 201 and saved.json()["issues"] == []


def test_serve_with_a_bad_database_url_fails_with_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {
        **os.environ,
        "COACH_DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:1/none",
        "COACH_LOCAL_MODE": "true",
        "COACH_HOME": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "-c", "from coach.cli import main; main()", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("error: cannot open or migrate the database") and "Traceback" not in r.stderr
    assert ":x@" not in r.stderr  # the password is not printed


def test_serve_refuses_the_default_secret_beyond_loopback() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "COACH_SECRET_KEY"}
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from coach.cli import main; main()",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and "COACH_SECRET_KEY" in r.stderr
