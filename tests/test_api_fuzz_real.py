"""Property-based fuzz of the API with its real services — the planner over the real catalogue, the posting
analyser, the offline chat engine — on SQLite and PostgreSQL (schemathesis against the OpenAPI schema).

No generated input may give a 5xx, and every answer must match what the schema documents (status code, content
type, body). Requests are signed in as a learner who owns a real planned pathway, sent for review, so generated
calls reach the route bodies. Examples are bounded (random phase only, 5 per operation) to keep the run short."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coach.api import create_app
from coach.api.services import Services
from tests.conftest import random_phase_schema

real_schema = schemathesis.pytest.from_fixture("real_services_schema")
PROFILE = Path(__file__).parent / "data" / "profiles" / "ana_retail_to_security.json"


@pytest.fixture
def real_services_schema(api_settings, api_fast_hashing, api_users):  # type: ignore[no-untyped-def]
    """The schema of an app over the real services whose database holds learner1's real, submitted plan."""
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
    return random_phase_schema(app)


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
