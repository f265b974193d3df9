"""Property-based fuzz of the API against its own OpenAPI schema (schemathesis): no input gives a 5xx.

Requests are signed in as a learner who owns pathway 1 (submitted, with a coach), so generated calls reach the
route bodies instead of stopping at 401. Examples are bounded to keep the run well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from coach.api import create_app
from tests.conftest import api_sample_pathway, random_phase_schema

api_schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture
def api_db_url(tmp_path):  # type: ignore[no-untyped-def]
    """SQLite only: the fuzz targets the HTTP layer; test_api, test_store and the server tests cover PostgreSQL."""
    from coach.store import dispose_engines

    yield f"sqlite:///{tmp_path / 'fuzz.db'}"
    dispose_engines()


@pytest.fixture
def fuzz_schema(api_settings, api_fake_services, api_fast_hashing, api_users):  # type: ignore[no-untyped-def]
    """The schema of an app whose database holds a submitted pathway of learner1."""
    from fastapi.testclient import TestClient

    roomy = api_settings.model_copy(update={"rate_limit_per_minute": 100_000})
    app = create_app(roomy, api_fake_services)
    with TestClient(app) as client:
        h = api_users["learner1"]["headers"]
        client.put("/me/profile", json={"target": {"role": "Fake Analyst"}}, headers=h)
        pid = client.post(
            "/pathways", json={"pathway": api_sample_pathway().model_dump(mode="json")}, headers=h
        )
        client.post(f"/pathways/{pid.json()['id']}/submit", headers=h)
    return random_phase_schema(app)


@api_schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_a_server_error(case, fuzz_headers) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=fuzz_headers, checks=[not_a_server_error])
