"""Property-based fuzz of the API with its real services — the planner over the real catalogue, the posting
analyser, the offline chat engine — on SQLite and PostgreSQL (schemathesis against the OpenAPI schema).

No generated input may give a 5xx, and every answer must match what the schema documents (status code, content
type, body). Requests are signed in as a learner who owns a real planned pathway, sent for review, so generated
calls reach the route bodies. Examples are bounded (random phase: 5 per operation; stateful phase: 12 walks of up to 8 calls along the
schema's links, so calls on a pathway, its versions and its review carry real ids) to keep the run short."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coach.api import create_app
from coach.api.links import LINKS
from coach.api.services import Services
from tests.conftest import random_phase_schema

real_schema = schemathesis.pytest.from_fixture("real_services_schema")
PROFILE = Path(__file__).parent / "data" / "profiles" / "ana_retail_to_security.json"


@pytest.fixture
def real_services_app(api_settings, api_fast_hashing, api_users):  # type: ignore[no-untyped-def]
    """An app over the real services whose database holds learner1's real, submitted plan."""
    from fastapi.testclient import TestClient

    from coach.context import process_context

    roomy = api_settings.model_copy(
        update={
            "rate_limit_per_minute": 100_000,
            "login_attempts_per_account": 100_000,
            "login_attempts_per_address": 100_000,
            "registrations_per_address": 100_000,
        }
    )
    # The process's context: the catalogue, linker and encoder are loaded once for the whole test run.
    app = create_app(roomy, Services(), context=process_context())
    with TestClient(app) as client:
        h = api_users["learner1"]["headers"]
        profile = json.loads(PROFILE.read_text(encoding="utf-8"))
        assert client.put("/me/profile", json=profile, headers=h).status_code == 200
        plan = client.post("/pathways/plan", json={"role": "Information Security Analysts"}, headers=h)
        assert plan.status_code == 200, plan.text
        saved = client.post("/pathways", json={"pathway": plan.json()}, headers=h)
        assert saved.status_code == 201, saved.text
        client.post(f"/pathways/{saved.json()['id']}/submit", headers=h)
    return app


@pytest.fixture
def real_services_schema(real_services_app):  # type: ignore[no-untyped-def]
    """The app's schema for the random phase."""
    return random_phase_schema(real_services_app)


@real_schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_real_services_never_fail_and_answer_as_documented(case, fuzz_headers) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers=fuzz_headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _caller(path: str, users: dict) -> dict[str, str]:
    """Whose token a call carries: the admin for /admin, learner1's coach for the review queue and a learner's
    records, learner1 for the rest, so every walk can reach the route body."""
    if path.startswith("/admin"):
        return users["admin"]["headers"]
    if path.startswith(("/reviews", "/learners", "/cohort", "/conversations")):
        return users["coach1"]["headers"]
    return users["learner1"]["headers"]


def test_walks_along_the_links_never_fail_and_answer_as_documented(real_services_app, api_users) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json",
        real_services_app,
        config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
    )
    answers: Counter[tuple[str, str, int]] = Counter()
    failures: list[str] = []

    class Walk(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": _caller(case.path, api_users)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            answers[(case.method.upper(), case.path, response.status_code)] += 1
            # Failures are collected, not raised: a replay to shrink one would meet a database the walks changed.
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)
            except FailureGroup as failure:
                failures.append(f"{case.method.upper()} {case.path} -> {response.status_code}: {failure}")

    walks = int(os.environ.get("COACH_FUZZ_WALKS", "30"))
    started: list[int] = []
    Walk.setup = lambda self: started.append(1)  # type: ignore[method-assign]
    # Hypothesis replays a walk's first choices to explore from it and then notices that the server's state moved
    # on (Flaky); schemathesis's own stateful phase takes that as the end of a suite and starts another, and so
    # does this loop, with a fixed seed per suite, until the walks are done.
    for seed in range(50):
        if len(started) >= walks:
            break
        try:
            hypothesis.seed(seed)(Walk).run(
                settings=settings(
                    max_examples=walks - len(started),
                    stateful_step_count=8,
                    phases=[Phase.generate],
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
        except Flaky:
            continue
    print(
        f"walks {len(started)}, calls {sum(answers.values())}, 5xx {sum(n for (_m, _p, c), n in answers.items() if c >= 500)}, operations {len({(m, p) for m, p, _c in answers})}"
    )
    assert not failures, "\n".join(failures[:5])
    # The links carried real ids: operations that only a link can feed answered 2xx.
    linked = {(m.upper(), p) for targets in LINKS.values() for m, p, _ in targets}
    reached = {(m, p) for (m, p, code), _n in answers.items() if 200 <= code < 300 and (m, p) in linked}
    assert len(started) >= walks and len(reached) >= 3, sorted(answers.items())
