"""Shared fixtures. Tests are offline: no test may reach the network (real HTTP only to 127.0.0.1)."""

from __future__ import annotations

import os

import pytest

# Tests never talk to a remote model, whatever the developer's shell has configured.
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_OPENAI_API_KEY", "COACH_OPENAI_BASE_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def skip_unless_ci(reason: str) -> None:
    """Skip when a system service is missing on a developer's machine; in `make test` (COACH_TEST_STRICT=1,
    after .ci/system-deps.sh installed it) the same absence fails, so CI never passes by skipping."""
    if os.environ.get("COACH_TEST_STRICT") == "1":
        pytest.fail(f"required by make test: {reason}")
    pytest.skip(reason)


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
        skip_unless_ci(
            "COACH_TEST_POSTGRES_URL is not set (CI sets it after .ci/postgres.sh starts PostgreSQL)"
        )
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

    def plan(ctx, profile, **kwargs):  # type: ignore[no-untyped-def]
        calls.append({"profile": profile, **kwargs})
        return api_sample_pathway()

    def analyze(ctx, text, profile):  # type: ignore[no-untyped-def]
        return PostingAnalysis(
            title=text.split("\n")[0][:80],
            requirements=[Requirement(text=text[:10], start=0, end=min(10, len(text)), kind="skill")],
        )

    services = Services(
        plan=plan,
        analyze=analyze,
        validate=lambda ctx, p, prof: basic_validate(p, prof, rules),
        find_credential=lambda ctx, ident: creds.get(ident),
        chat=lambda **kw: iter(
            [
                {"type": "token", "text": "Hello "},
                {"type": "token", "text": "there"},
                {"type": "done", "result": {"assistant": "Hello there", "grounded": True}},
            ]
        ),
        reload_catalog=lambda ctx: ctx,
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
        allowed_hosts=["testserver", "localhost"],  # testserver: TestClient's default Host header
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
    from coach.store.user_repo import assign_coach, create_user

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


@pytest.fixture(scope="session")
def warm_planner():  # type: ignore[no-untyped-def]
    """Plan once in this process so the linker's label matrices are in the shared cache (.coach/cache).

    On a clean clone the first plan embeds about 130k taxonomy labels (minutes on two cores); a server started
    afterwards reads the cache instead of timing out a request. The embedding cache's own file lock makes
    concurrent workers wait for one computation.
    """
    import json
    from pathlib import Path

    from coach.context import process_context
    from coach.models import Profile

    path = Path(__file__).parent / "data" / "profiles" / "ana_retail_to_security.json"
    profile = Profile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    return process_context().plan_pathway(profile, budget=1500, hours_per_week=8)


# ---- agent (issue 6): fakes for the coaching agent's tool backends, linker and catalogue ------------------------


class AgentFakeLinker:
    """Maps a few role phrases to ESCO-like matches; anything else scores low."""

    def rank_roles(self, title: str, top_k: int = 10) -> list:
        from coach.models import RoleMatch

        t = title.lower()
        if "cloud" in t:
            return [RoleMatch(uri="http://esco/cloud-engineer", label="cloud engineer", score=0.9)]
        if "secur" in t or "cyber" in t:
            return [RoleMatch(uri="http://esco/ict-security", label="ICT security specialist", score=0.8)]
        return [RoleMatch(uri="http://esco/unrelated", label="unrelated", score=0.1)]


class AgentFakeCatalog:
    """Three CompTIA credentials and two O*NET occupations, with the Catalog lookups the agent uses."""

    def __init__(self) -> None:
        from coach.models import Credential, Occupation

        self.credentials = {
            c.id: c
            for c in [
                Credential(id="comptia-a-plus", name="CompTIA A+", provider="CompTIA", type="certification",
                           cost=259, url="https://www.comptia.org/certifications/a"),
                Credential(id="comptia-network-plus", name="CompTIA Network+", provider="CompTIA",
                           type="certification", cost=369, url="https://www.comptia.org/certifications/network"),
                Credential(id="comptia-security-plus", name="CompTIA Security+", provider="CompTIA",
                           type="certification", cost=404, exam_code="SY0-701",
                           url="https://www.comptia.org/certifications/security"),
            ]
        }  # fmt: skip
        self.occupations = {
            o.id: o
            for o in [
                Occupation(id="15-1212.00", source="onet", title="Information Security Analysts"),
                Occupation(id="15-2051.01", source="onet", title="Business Intelligence Analysts"),
            ]
        }
        self.skills: dict = {}
        self.rules: list = []

    def find_credential(self, key: str):
        k = key.strip().lower()
        for c in self.credentials.values():
            if k in (
                c.id,
                c.name.lower(),
                c.name.lower().removeprefix("comptia "),
                (c.exam_code or "").lower(),
            ):
                return c
        return None

    def find_occupation(self, key: str):
        if key in self.occupations:
            return self.occupations[key]
        return next((o for o in self.occupations.values() if o.title.lower() == key.strip().lower()), None)


class AgentFakeBackends:
    """Tool backends that record their calls and return small, fixed results."""

    def __init__(self, db_url: str) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.saved: dict[str, dict] = {}
        self.db_url = db_url  # where saved chat pathways go (the real one store, on a test database)

    def search(self, query: str, **filters):
        self.calls.append(("search", {"query": query, **filters}))
        if filters.get("kind") == "occupation":
            return [{"id": "15-1212.00", "kind": "occupation", "title": "Information Security Analysts",
                     "score": 0.7, "snippet": "Plan and carry out security measures."}]  # fmt: skip
        return [{"id": "comptia-security-plus", "kind": "credential", "title": "CompTIA Security+", "score": 0.9,
                 "snippet": "", "metadata": {"provider": "CompTIA", "cost": 404.0, "currency": "USD",
                 "url": "https://www.comptia.org/certifications/security"}}]  # fmt: skip

    def analyze(self, text: str, profile):
        self.calls.append(("analyze", {"text": text, "profile": profile}))
        return {
            "title": "Junior Security Analyst",
            "occupation": {"uri": "u", "label": "Information Security Analysts", "onet_soc": "15-1212.00", "score": 0.8},
            "requirements": [
                {"text": "CompTIA Security+ certification", "start": 0, "end": 31, "kind": "certification", "skills": []},
                {"text": "2 years of IT support", "start": 40, "end": 61, "kind": "experience", "skills": []},
            ],
            "score": 40.0 if profile else None,
            "gaps": [{"text": "CompTIA Security+ certification"}] if profile else [],
            "gap_credentials": [{"id": "comptia-security-plus", "name": "CompTIA Security+", "provider": "CompTIA",
                                 "cost": 404.0, "hours": 90.0, "covers": ["CompTIA Security+ certification"]}],
        }  # fmt: skip

    def plan(self, profile, **kwargs):
        self.calls.append(("plan", {"profile": profile, **kwargs}))
        budget = kwargs.get("budget")
        if budget is not None and budget < 259:
            return {"status": "infeasible", "reason": "the first useful step costs more than the budget",
                    "steps": [], "total_cost": 0, "total_hours": 0, "weeks": 0,
                    "nearest_feasible": "A budget of USD 259 allows the first step.", "alternatives": []}  # fmt: skip
        steps = [
            {"id": "comptia-a-plus", "name": "CompTIA A+", "kind": "certification", "provider": "CompTIA",
             "start_week": 1, "end_week": 12, "cost": 259.0, "hours": 120.0,
             "skills": [{"uri": "s1", "label": "troubleshoot ICT systems"}]},
            {"id": "comptia-security-plus", "name": "CompTIA Security+", "kind": "certification", "provider": "CompTIA",
             "start_week": 13, "end_week": 22, "cost": 404.0, "hours": 90.0,
             "skills": [{"uri": "s2", "label": "ICT security"}], "prerequisites": ["comptia-a-plus"]},
        ]  # fmt: skip
        alternatives = [
            {"status": "optimal", "label": "cheapest", "steps": steps[:1], "total_cost": 259.0, "total_hours": 120.0, "weeks": 12}
        ] * kwargs.get("alternatives", 0)  # fmt: skip
        return {"status": "optimal", "target": kwargs.get("role") or "posting", "steps": steps, "total_cost": 663.0,
                "total_hours": 210.0, "weeks": 22, "coverage_before": 0.2, "coverage_after": 0.7,
                "uncovered": [{"uri": "s3", "label": "incident response"}], "alternatives": alternatives}  # fmt: skip

    def draft(self, profile, pathway, posting):
        self.calls.append(("draft", {"pathway": pathway}))
        return {"resume_bullets": [{"text": "Planned: CompTIA Security+ (expected 2027)."}],
                "cover_letter": "I am building my security skills step by step."}  # fmt: skip

    def backends(self):
        from coach.tools import Backends, ChatPathwayStore

        catalog = AgentFakeCatalog()

        def resolve(name: str):
            cred = catalog.find_credential(name)
            return {"id": cred.id, "name": cred.name} if cred else None

        return Backends(search=self.search, analyze=self.analyze, plan=self.plan, draft=self.draft,
                        store=ChatPathwayStore(self.db_url), resolve_credential=resolve)  # fmt: skip


@pytest.fixture
def agent_fakes(tmp_path) -> AgentFakeBackends:  # type: ignore[no-untyped-def]
    """Recording fake tool backends for the agent."""
    return AgentFakeBackends(f"sqlite:///{tmp_path / 'chat-pathways.db'}")


@pytest.fixture
def offline_engine():
    """The offline engine over the fake linker and catalogue."""
    from coach.dialogue import OfflineCoachModel

    return OfflineCoachModel(linker=AgentFakeLinker(), catalog=AgentFakeCatalog())


@pytest.fixture
def make_agent(agent_fakes, offline_engine):
    """Build an agent over the fakes: make_agent(checkpointer=None, model=None, db_url='memory')."""
    from coach.agent import build_agent
    from coach.context import CoachContext
    from coach.grounding import Grounder
    from coach.settings import get_settings
    from coach.texts import load_text

    def make(model=None, checkpointer=None, db_url: str = "memory", backends=None):
        return build_agent(
            CoachContext(get_settings()),
            model=model or offline_engine,
            offline=offline_engine,
            backends=backends or agent_fakes.backends(),
            checkpointer=checkpointer,
            db_url=db_url,
            grounder=Grounder(AgentFakeCatalog(), load_text("system_prompt.md")),
        )

    return make


@pytest.fixture
def fuzz_headers(api_users):  # type: ignore[no-untyped-def]
    """learner1's Authorization header (the fuzz tests sign in as the owner of a submitted pathway)."""
    return api_users["learner1"]["headers"]


def random_phase_schema(app):  # type: ignore[no-untyped-def]
    """The app's OpenAPI schema for schemathesis, random fuzzing only: the coverage phase enumerates boundary cases
    of the recursive Pathway schema and takes minutes on two cores; the fuzzing phase exercises every operation
    within the example budget."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
