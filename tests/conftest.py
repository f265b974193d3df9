"""Shared fixtures. Tests are offline: no test may reach the network (real HTTP only to 127.0.0.1)."""

from __future__ import annotations

import os

import pytest

# Tests never talk to a remote model, whatever the developer's shell has configured.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_OPENAI_API_KEY", "COACH_OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _no_remote_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_CHAT_PROVIDER", os.environ.get("COACH_CHAT_PROVIDER", "offline"))


# ---- api / store fixtures (issue 7) ----------------------------------------------------------------------------
# Storage and API tests run on SQLite always and on PostgreSQL when COACH_TEST_POSTGRES_URL is set (CI starts one
# with .ci/postgres.sh). Each PostgreSQL test gets its own schema, dropped afterwards.

API_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=API_BACKENDS)
def api_db_url(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """A fresh, empty database URL: SQLite in tmp_path, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coach-test.db'}"
        from coach.store import dispose_engines

        dispose_engines()
        return
    base = os.environ.get("COACH_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("COACH_TEST_POSTGRES_URL is not set (CI sets it after .ci/postgres.sh starts PostgreSQL)")
    import uuid

    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        from coach.store import dispose_engines

        dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def api_sample_pathway(budget_cost: float = 100.0):  # type: ignore[no-untyped-def]
    """A three-step pathway a -> b -> c (each step requires the one before)."""
    from coach.models import Pathway, PathwayStep, SkillRef

    skills = [SkillRef(uri=f"http://example.org/skill/{i}", label=f"skill {i}") for i in range(4)]
    steps = [
        PathwayStep(
            id="fake-a",
            name="Fake A",
            kind="certification",
            start_week=1,
            end_week=4,
            cost=budget_cost,
            hours=40,
            skills=[skills[0]],
        ),
        PathwayStep(
            id="fake-b",
            name="Fake B",
            kind="certification",
            start_week=5,
            end_week=8,
            cost=2 * budget_cost,
            hours=40,
            skills=[skills[1]],
            prerequisites=["fake-a"],
        ),
        PathwayStep(
            id="fake-c",
            name="Fake C",
            kind="course",
            start_week=9,
            end_week=12,
            cost=3 * budget_cost,
            hours=40,
            skills=[skills[2]],
            prerequisites=["fake-b"],
        ),
    ]
    return Pathway(
        status="optimal",
        target="Fake Analyst",
        steps=steps,
        total_cost=6 * budget_cost,
        total_hours=120,
        weeks=12,
        covered=skills[:3],
        uncovered=skills[3:],
    )


@pytest.fixture
def api_fake_services():  # type: ignore[no-untyped-def]
    """Services with a small fake catalogue (no knowledge base needed); `calls` records planner calls."""
    from coach.api.services import Services
    from coach.models import Credential, PostingAnalysis, Requirement, Rule
    from coach.store.workflow import basic_validate

    creds = {
        "fake-a": Credential(id="fake-a", name="Fake A", provider="Fake", type="certification", cost=100),
        "fake-d": Credential(
            id="fake-d", name="Fake D", provider="Fake", type="course", cost=50, hours_min=20, hours_max=20
        ),
        "fake-e": Credential(id="fake-e", name="Fake E", provider="Fake", type="certification", cost=75),
    }
    rules = [Rule(id="r-e-needs-a", type="prerequisite_required", subject="fake-e", objects=["fake-a"])]
    calls: list[dict] = []

    def plan(profile, **kwargs):  # type: ignore[no-untyped-def]
        calls.append({"profile": profile, **kwargs})
        return api_sample_pathway()

    def analyze(text, profile):  # type: ignore[no-untyped-def]
        return PostingAnalysis(
            title=text.split("\n")[0][:80],
            requirements=[Requirement(text=text[:10], start=0, end=min(10, len(text)), kind="skill")],
        )

    services = Services(
        plan=plan,
        analyze=analyze,
        validate=lambda p, prof: basic_validate(p, prof, rules),
        find_credential=creds.get,
        chat=lambda **kw: iter(
            [
                {"type": "token", "text": "Hello "},
                {"type": "token", "text": "there"},
                {"type": "final", "text": "Hello there", "grounded": True},
            ]
        ),
        reload_catalog=lambda: None,
    )
    services.calls = calls  # type: ignore[attr-defined]
    return services


@pytest.fixture
def api_settings(api_db_url, tmp_path):  # type: ignore[no-untyped-def]
    """Settings for an API under test: its own database and home, a test secret, a small rate limit."""
    from coach.settings import Settings

    return Settings(
        database_url=api_db_url,
        home=tmp_path / "home",
        secret_key="test-secret-key-0123456789abcdef",
        rate_limit_per_minute=5,
        max_body_bytes=200_000,
        max_posting_chars=5_000,
    )


@pytest.fixture
def api_client(api_settings, api_fake_services):  # type: ignore[no-untyped-def]
    """A TestClient over a fresh app with fake core services."""
    from fastapi.testclient import TestClient

    from coach.api import create_app

    with TestClient(create_app(api_settings, api_fake_services)) as client:
        yield client


@pytest.fixture
def api_fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the fixtures create many users (the real cost is tested in test_store)."""
    from argon2 import PasswordHasher

    import coach.auth

    monkeypatch.setattr(coach.auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def api_users(api_client, api_settings, api_fast_hashing):  # type: ignore[no-untyped-def]
    """learner1 (coached by coach1), learner2 (coached by coach2) and an admin, each with an Authorization
    header ready: `api_users['learner1']['headers']`."""
    from coach.store import get_engine, session_factory, transaction
    from coach.store.repo import assign_coach, create_user

    _r, write = session_factory(get_engine(api_settings.db_url))
    people = {
        "learner1": "learner",
        "learner2": "learner",
        "coach1": "coach",
        "coach2": "coach",
        "admin": "admin",
    }
    out: dict[str, dict] = {}
    with transaction(write) as session:
        for name, role in people.items():
            user = create_user(session=session, username=name, password=f"{name}-password", role=role)
            out[name] = {"id": user.id, "role": role}
        admin = session.get(type(user), out["admin"]["id"])
        assign_coach(
            session=session, actor=admin, coach_id=out["coach1"]["id"], learner_id=out["learner1"]["id"]
        )
        assign_coach(
            session=session, actor=admin, coach_id=out["coach2"]["id"], learner_id=out["learner2"]["id"]
        )
    for name in people:
        r = api_client.post("/auth/token", data={"username": name, "password": f"{name}-password"})
        assert r.status_code == 200, r.text
        out[name]["headers"] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out


def api_free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_start_server(db_url: str, home, workers: int = 1, **env: str):  # type: ignore[no-untyped-def]
    """Start `coach serve` on 127.0.0.1 (its own process group); returns (process, base URL) once healthy.

    The database is `db_url`; the home stays the default `.coach/` so the server reuses the shared catalogue
    cache (`home` is kept for callers' files)."""
    import subprocess
    import sys
    import time

    import httpx

    port = api_free_port()
    environ = {
        **os.environ,
        "COACH_DATABASE_URL": db_url,
        "COACH_SECRET_KEY": "server-test-secret-0123456789abcdef",
        **env,
    }
    cmd = [
        sys.executable,
        "-c",
        "from coach.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(
        cmd, env=environ, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"coach serve exited with {proc.returncode}: {out[-2000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    api_stop_server(proc)
    raise RuntimeError("coach serve did not become healthy within 60 s")


def api_stop_server(proc, sig: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """Stop a server started by api_start_server (its whole process group), by `sig` (default SIGTERM)."""
    import contextlib
    import signal

    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig or signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()


# ---- presenter (issue 5): a small catalogue and a scripted chat model --------------------------------------------


def _presenter_catalog():  # type: ignore[no-untyped-def]
    """A hand-made catalogue: a few credentials, ESCO-style skills and one O*NET role (no real data needed)."""
    from coach.knowledge import Catalog
    from coach.models import Credential, Occupation, Skill

    esco = "http://data.europa.eu/esco/skill/"
    skills = {
        esco + "s-netsec": Skill(
            uri=esco + "s-netsec", label="network security", alt_labels=["securing networks"]
        ),
        esco + "s-ict-troubleshoot": Skill(uri=esco + "s-ict-troubleshoot", label="troubleshoot ICT systems"),
        esco + "s-risk": Skill(uri=esco + "s-risk", label="manage ICT risks"),
        esco + "s-python": Skill(
            uri=esco + "s-python", label="Python (computer programming)", alt_labels=["Python"]
        ),
        esco + "s-leadership": Skill(uri=esco + "s-leadership", label="lead a team"),
        esco + "s-data": Skill(uri=esco + "s-data", label="analyse big data"),
    }
    creds = {
        "comptia-a-plus": Credential(
            id="comptia-a-plus",
            name="CompTIA A+",
            provider="CompTIA",
            type="certification",
            url="https://www.comptia.org/certifications/a",
            exam_code="220-1201;220-1202",
            skills=[esco + "s-ict-troubleshoot"],
        ),
        "comptia-security-plus": Credential(
            id="comptia-security-plus",
            name="CompTIA Security+",
            provider="CompTIA",
            type="certification",
            url="https://www.comptia.org/certifications/security",
            exam_code="SY0-701",
            skills=[esco + "s-netsec", esco + "s-risk"],
        ),
        "isc2-cissp": Credential(
            id="isc2-cissp",
            name="Certified Information Systems Security Professional (CISSP)",
            provider="ISC2",
            type="certification",
            skills=[esco + "s-risk"],
        ),
        "google-cybersecurity": Credential(
            id="google-cybersecurity",
            name="Google Cybersecurity Professional Certificate",
            provider="Google",
            type="professional_certificate",
            skills=[esco + "s-netsec", esco + "s-python"],
        ),
        "google-data-analytics": Credential(
            id="google-data-analytics",
            name="Google Data Analytics Professional Certificate",
            provider="Google",
            type="professional_certificate",
            skills=[esco + "s-data"],
        ),
    }
    occupations = {
        "15-1212.00": Occupation(id="15-1212.00", source="onet", title="Information Security Analysts"),
    }
    return Catalog(occupations=occupations, skills=skills, credentials=creds)


@pytest.fixture
def presenter_catalog():  # type: ignore[no-untyped-def]
    """A small catalogue for presenter/export tests."""
    return _presenter_catalog()


@pytest.fixture
def scripted_chat_model():  # type: ignore[no-untyped-def]
    """A factory for a real LangChain BaseChatModel that answers from a script and records what it was sent."""
    from collections.abc import Callable
    from typing import Any

    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatResult
    from pydantic import Field

    class ScriptedChatModel(BaseChatModel):
        """Each call returns `reply(text_to_rewrite)`; every request's messages are kept in `history`."""

        reply: Callable[[str], str]
        history: list[list[BaseMessage]] = Field(default_factory=list)

        @property
        def _llm_type(self) -> str:
            return "scripted"

        def _generate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            self.history.append(list(messages))
            text = str(messages[-1].content).rsplit("Text to rewrite:\n", 1)[-1]
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply(text)))])

    def make(reply: Callable[[str], str]) -> ScriptedChatModel:
        return ScriptedChatModel(reply=reply, history=[])

    return make


@pytest.fixture(scope="session")
def built_index():  # type: ignore[no-untyped-def]
    """The real knowledge-base index in the default home (.coach/), built once and shared by xdist workers.

    A file lock makes concurrent workers wait for one build; the build is incremental, so when the index is
    already current this only checks hashes (a few seconds).
    """
    from filelock import FileLock

    from coach.knowledge import get_catalog
    from coach.retrieval import KnowledgeIndex, build_index
    from coach.settings import Settings

    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.home / "built_index.lock")):
        build_index(get_catalog(), settings, progress=False)
    return KnowledgeIndex(settings)
