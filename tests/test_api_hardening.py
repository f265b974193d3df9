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


# ---- accounts: throttles and passwords ------------------------------------------------------------------------


def _throttled_app(api_settings: Any, api_fake_services: Any, **limits: int) -> TestClient:
    settings = api_settings.model_copy(update=limits)
    return TestClient(create_app(settings, api_fake_services))


def test_wrong_passwords_for_one_account_are_throttled_even_from_many_attempts(
    api_settings: Any, api_fake_services: Any, api_users: dict
) -> None:
    with _throttled_app(api_settings, api_fake_services, login_attempts_per_account=5) as client:
        codes = [
            client.post("/auth/token", data={"username": "learner1", "password": f"guess-{i}"}).status_code
            for i in range(7)
        ]
        assert codes == [401] * 5 + [429] * 2
        refused = client.post("/auth/token", data={"username": "learner1", "password": "learner1-password"})
        assert (
            refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        )  # the right one too, for now
        assert "try again" in refused.json()["detail"]
        # another account is not locked out by someone guessing at this one
        assert (
            client.post(
                "/auth/token", data={"username": "learner2", "password": "learner2-password"}
            ).status_code
            == 200
        )


def test_one_address_trying_many_accounts_is_throttled(
    api_settings: Any, api_fake_services: Any, api_users: dict
) -> None:
    with _throttled_app(api_settings, api_fake_services, login_attempts_per_address=4) as client:
        codes = [
            client.post(
                "/auth/token", data={"username": f"someone{i}", "password": "wrong-password"}
            ).status_code
            for i in range(6)
        ]
        assert codes == [401] * 4 + [429] * 2


def test_registrations_from_one_address_are_capped(api_settings: Any, api_fake_services: Any) -> None:
    with _throttled_app(api_settings, api_fake_services, registrations_per_address=3) as client:
        codes = [
            client.post(
                "/auth/register", json={"username": f"new{i}", "password": "a-good-passphrase"}
            ).status_code
            for i in range(5)
        ]
        assert codes == [201] * 3 + [429] * 2


@pytest.mark.parametrize(
    "password",
    ["password", "12345678", "        ", "Password123!", "aaaaaaaa", "abababab", "newperson", "sunshine7"],
)
def test_common_and_trivial_passwords_are_refused_with_a_reason(
    api_client: TestClient, password: str
) -> None:
    r = api_client.post("/auth/register", json={"username": "newperson", "password": password})
    assert r.status_code in (400, 422), r.text
    assert "password" in json.dumps(r.json()).lower()


def test_a_good_password_is_accepted(api_client: TestClient) -> None:
    r = api_client.post("/auth/register", json={"username": "newperson", "password": "tram-lantern-47"})
    assert r.status_code == 201


def test_someone_elses_review_looks_exactly_like_one_that_does_not_exist(
    api_client: TestClient, api_users: dict
) -> None:
    from tests.test_api import submitted

    _, rid = submitted(api_client, api_users)
    other = api_client.get(f"/reviews/{rid}", headers=api_users["learner2"]["headers"])
    missing = api_client.get(f"/reviews/{rid + 1000}", headers=api_users["learner2"]["headers"])
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"] == f"no review {rid}" and "pathway" not in other.text


def test_the_last_admin_cannot_be_demoted_or_deactivated(api_client: TestClient, api_users: dict) -> None:
    admin = api_users["admin"]
    for change in ({"role": "coach"}, {"active": False}):
        r = api_client.patch(f"/admin/users/{admin['id']}", json=change, headers=admin["headers"])
        assert r.status_code == 409 and "last active admin" in r.json()["detail"]
    me = api_client.get("/me", headers=admin["headers"]).json()
    assert me["role"] == "admin" and me["active"]


def test_a_role_change_removes_the_old_roles_assignments(api_client: TestClient, api_users: dict) -> None:
    ha = api_users["admin"]["headers"]
    coach1, learner1 = api_users["coach1"]["id"], api_users["learner1"]["id"]

    def pairs() -> set[tuple[int, int]]:
        rows = api_client.get("/admin/assignments", headers=ha).json()
        return {(a["coach_id"], a["learner_id"]) for a in rows}

    assert (coach1, learner1) in pairs()
    assert api_client.patch(f"/admin/users/{coach1}", json={"role": "learner"}, headers=ha).status_code == 200
    assert not any(c == coach1 for c, _ in pairs())  # a former coach keeps no learners
    assert api_client.patch(f"/admin/users/{learner1}", json={"role": "coach"}, headers=ha).status_code == 200
    assert not any(learner == learner1 for _, learner in pairs())  # a new coach has no coach of their own


# ---- bounded records and one timestamp format ---------------------------------------------------------------


def test_a_pathway_of_hundreds_of_steps_is_refused(api_client: TestClient, api_users: dict) -> None:
    from tests.conftest import api_sample_pathway

    base = api_sample_pathway().model_dump(mode="json")
    step = base["steps"][0]
    base["steps"] = [{**step, "id": f"s{i}", "prerequisites": []} for i in range(80)]
    r = api_client.post("/pathways", json={"pathway": base}, headers=_learner(api_users))
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "too_long"


def test_a_profile_cannot_carry_a_megabyte_of_extra_fields(api_client: TestClient, api_users: dict) -> None:
    headers = _learner(api_users)
    ok = api_client.put("/me/profile", json={"name": "Ana", "pronouns": "she/her"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["pronouns"] == "she/her"  # other tools' fields are kept
    big = {"name": "Ana", "constraints": {"notes": "x" * 100_000}}
    r = api_client.put("/me/profile", json=big, headers=headers)
    assert r.status_code == 422 and "beyond the profile format" in json.dumps(r.json())


def test_every_timestamp_carries_its_offset_on_create_and_on_read(
    api_client: TestClient, api_users: dict
) -> None:
    from tests.test_api import save

    created = save(api_client, _learner(api_users))
    listed = api_client.get("/pathways", headers=_learner(api_users)).json()[0]
    read = api_client.get(f"/pathways/{created['id']}", headers=_learner(api_users)).json()
    for stamp in (created["created_at"], listed["created_at"], read["updated_at"]):
        assert stamp.endswith(("Z", "+00:00")), stamp


# ---- evidence: badge files and links ------------------------------------------------------------------------


def _progress(client: TestClient, api_users: dict, **evidence: Any) -> Any:
    from tests.test_api import save

    pid = save(client, _learner(api_users))["id"]
    body = {"step_id": "fake-a", "state": "completed", **evidence}
    return client.post(f"/pathways/{pid}/progress", json=body, headers=_learner(api_users))


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("badge.png", b"MZ\x90\x00" + b"\x00" * 60, "not a PNG"),  # an executable renamed
        ("badge.svg", b"<svg><script>alert(1)</script></svg>", "plain name"),  # SVG can carry script
        ("../../../../etc/passwd.json", b"{}", "plain name"),
        ("badge.json", b"[1, 2]", "JSON object"),
    ],
    ids=["renamed-executable", "svg", "path-in-name", "json-not-object"],
)
def test_a_badge_file_must_be_what_its_name_says_small_and_named_plainly(
    api_client: TestClient, api_users: dict, name: str, content: bytes, says: str
) -> None:
    r = _progress(api_client, api_users, badge={"name": name, "content_base64": _b64(content)})
    assert r.status_code == 422 and says in r.json()["detail"]


def test_a_badge_file_over_the_size_limit_is_refused(
    api_client: TestClient, api_users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.api import evidence

    monkeypatch.setattr(evidence, "MAX_BADGE_BYTES", 1_000)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000
    r = _progress(api_client, api_users, badge={"name": "big.png", "content_base64": _b64(png)})
    assert r.status_code == 422 and "larger than" in r.json()["detail"]


def test_a_real_badge_is_accepted(api_client: TestClient, api_users: dict) -> None:
    badge = json.dumps({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"}).encode()
    r = _progress(api_client, api_users, badge={"name": "security-plus.json", "content_base64": _b64(badge)})
    assert r.status_code == 201 and r.json()["badge_name"] == "security-plus.json"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/admin", "http://169.254.169.254/latest/meta-data", "http://localhost/x",
     "http://10.0.0.5/", "http://[::1]/", "http://printer.local/"],
)  # fmt: skip
def test_an_evidence_link_to_this_machine_or_a_private_network_is_refused(
    api_client: TestClient, api_users: dict, url: str
) -> None:
    r = _progress(api_client, api_users, evidence_url=url)
    assert r.status_code == 422 and "public web page" in r.json()["detail"]


def test_the_badge_quota_per_learner_holds(
    api_client: TestClient, api_users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.api import evidence

    monkeypatch.setattr(evidence, "MAX_BADGE_BYTES_PER_LEARNER", 1_000)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 600
    assert (
        _progress(api_client, api_users, badge={"name": "one.png", "content_base64": _b64(png)}).status_code
        == 201
    )
    second = _progress(api_client, api_users, badge={"name": "two.png", "content_base64": _b64(png)})
    assert second.status_code == 422 and "in all" in second.json()["detail"]


def test_the_cdn_docs_pages_are_off_unless_asked_for(api_settings: Any, api_fake_services: Any) -> None:
    with TestClient(create_app(api_settings, api_fake_services)) as client:
        assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200
    on = api_settings.model_copy(update={"api_docs": True})
    with TestClient(create_app(on, api_fake_services)) as client:
        assert client.get("/docs").status_code == 200


def test_every_operation_documents_the_one_error_body_and_answers_with_it(
    api_client: TestClient, api_users: dict
) -> None:
    from coach.api.schemas import ErrorOut

    spec = api_client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code in ("401", "404", "422", "429", "500"):
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
    h = _learner(api_users)
    answers = [
        api_client.get("/pathways/999999", headers=h),
        _raw(api_client, "POST", "/pathways/plan", '{"budget": NaN}', h),
        _raw(api_client, "PUT", "/me/profile", '{"name": "\\u0000"}', h),
        api_client.get("/me"),
    ]
    for r in answers:
        assert r.status_code >= 400
        ErrorOut.model_validate(r.json())


def test_a_profile_field_with_a_number_no_reader_can_hold_is_refused(
    api_client: TestClient, api_users: dict
) -> None:
    r = api_client.put(
        "/me/profile", json={"name": "Ana", "lucky": [1, {"n": 10**30}]}, headers=_learner(api_users)
    )
    assert r.status_code == 422 and "2^53" in json.dumps(r.json())


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/admin/assignments", {"coach_id": 2**31, "learner_id": 1}),
        ("/admin/assignments", {"coach_id": 1, "learner_id": 66223913623}),
    ],
)
def test_an_id_too_large_for_the_database_is_a_422_not_a_database_error(
    api_client: TestClient, api_users: dict, path: str, body: dict
) -> None:
    # Found by the stateful fuzz on PostgreSQL: an id past 32 bits reached the INSERT and failed there (500).
    r = api_client.post(path, json=body, headers=api_users["admin"]["headers"])
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] in {"coach_id", "learner_id"}


def test_a_comment_replying_to_an_id_too_large_for_the_database_is_a_422(
    api_client: TestClient, api_users: dict
) -> None:
    r = api_client.post(
        "/pathways/1/comments", json={"body": "hello", "parent_id": 2**31}, headers=_learner(api_users)
    )
    assert r.status_code == 422, r.text
