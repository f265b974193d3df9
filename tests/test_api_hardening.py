"""Bad numbers, bad characters and failures never become 500s or leak request content; responses carry security
headers (issue: hardening)."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coach.api import create_app

PRIVATE = "Managed payroll for 40 staff at Lakeview Inn"  # a resume line: must never reach a log


def _raw(client: TestClient, method: str, path: str, body: str, headers: dict[str, str]) -> Any:
    """Send JSON text as written (json= would refuse NaN and lone surrogates before the server saw them)."""
    return client.request(
        method,
        path,
        content=body.encode("utf-8", "surrogatepass"),
        headers={**headers, "Content-Type": "application/json"},
    )


def _learner(api_users: dict) -> dict[str, str]:
    return api_users["learner1"]["headers"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours_per_week", "1e-9"),
        ("budget", "NaN"),
        ("budget", "Infinity"),
        ("budget", "-Infinity"),
        ("weeks", "100000"),
    ],
)
def test_a_plan_with_a_bad_number_is_a_422_with_a_readable_body(
    api_client: TestClient, api_users: dict, field: str, value: str
) -> None:
    r = _raw(
        api_client,
        "POST",
        "/pathways/plan",
        f'{{"role": "15-1212.00", "{field}": {value}}}',
        _learner(api_users),
    )
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"][-1] == field
    assert "input" not in detail[0]  # the value sent is never echoed


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e309"])
def test_a_profile_with_an_infinite_or_nan_budget_is_refused_and_nothing_is_stored(
    api_client: TestClient, api_users: dict, value: str
) -> None:
    headers = _learner(api_users)
    assert (
        api_client.put(
            "/me/profile", json={"name": "Ana", "constraints": {"budget": 500}}, headers=headers
        ).status_code
        == 200
    )
    r = _raw(
        api_client, "PUT", "/me/profile", f'{{"name": "Ana", "constraints": {{"budget": {value}}}}}', headers
    )
    assert r.status_code == 422, r.text
    assert api_client.get("/me/profile", headers=headers).json()["constraints"]["budget"] == 500


@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff tail", "a\\u0000b"])
@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("PUT", "/me/profile", '{{"name": "{}"}}'),
        ("POST", "/chat", '{{"message": "{}"}}'),
        ("POST", "/postings/analyze", '{{"text": "Data analyst. {}"}}'),
    ],
)
def test_text_with_a_nul_or_a_lone_surrogate_is_refused_before_any_route(
    api_client: TestClient, api_users: dict, bad: str, method: str, path: str, template: str
) -> None:
    r = _raw(api_client, method, path, template.format(bad), _learner(api_users))
    assert r.status_code == 422, r.text
    assert "cannot be stored" in r.json()["detail"][0]["msg"]


def test_a_surrogate_pair_is_ordinary_text(api_client: TestClient, api_users: dict) -> None:
    r = _raw(api_client, "PUT", "/me/profile", '{"name": "Ana \\ud83d\\ude00"}', _learner(api_users))
    assert r.status_code == 200 and r.json()["name"] == "Ana \U0001f600"


def test_an_unexpected_failure_is_a_plain_500_and_the_log_holds_no_request_content(
    api_settings: Any, api_fake_services: Any, api_users: dict, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(ctx: Any, profile: Any, **kwargs: Any) -> Any:
        raise ValueError(f"cannot plan for {profile.model_dump_json()}")  # an error that quotes the request

    services = dataclasses.replace(api_fake_services, plan=broken)
    with TestClient(create_app(api_settings, services), raise_server_exceptions=False) as client:
        body = {"role": "15-1212.00", "profile": {"skills": [PRIVATE]}}
        with caplog.at_level(logging.DEBUG):
            r = client.post("/pathways/plan", json=body, headers=_learner(api_users))
        assert r.status_code == 500
        assert r.json() == {"detail": "internal error; the request was not completed"}
        assert PRIVATE not in caplog.text and "Traceback" not in caplog.text
        assert "ValueError" in caplog.text  # what failed, and where, is still logged
        assert client.get("/health").status_code == 200  # and the service goes on


def test_every_answer_has_security_headers_and_private_ones_are_not_cached(
    api_client: TestClient, api_users: dict
) -> None:
    for r in (api_client.get("/health"), api_client.get("/me/profile", headers=_learner(api_users))):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "server" not in r.headers
    assert api_client.get("/me/profile", headers=_learner(api_users)).headers["cache-control"] == "no-store"
    token = api_client.post("/auth/token", data={"username": "learner1", "password": "learner1-password"})
    assert token.status_code == 200 and token.headers["cache-control"] == "no-store"


def test_the_validation_error_body_is_json_even_for_numbers_json_cannot_hold(
    api_client: TestClient, api_users: dict
) -> None:
    r = _raw(
        api_client,
        "POST",
        "/pathways/plan",
        '{"role": "x", "budget": NaN, "weeks": Infinity}',
        _learner(api_users),
    )
    assert r.status_code == 422
    json.loads(r.text)  # strict JSON (no NaN tokens)
