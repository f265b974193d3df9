"""`POST /admin/catalog/reload` really reloads: the next request plans from the new catalogue (issue 13)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

import coach.knowledge
import coach.knowledge.load
import coach.planner
from coach.api import create_app
from coach.api.services import Services
from coach.context import CoachContext
from tests.conftest import api_sample_pathway


def test_a_reloaded_catalogue_is_what_the_next_request_plans_from(
    api_settings, api_users, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    editions = iter([SimpleNamespace(edition="before"), SimpleNamespace(edition="after")])
    loads: list[object] = []

    def load(settings):  # type: ignore[no-untyped-def]
        loads.append(settings)
        return next(editions)

    planned_from: list[str] = []

    def plan_pathway(profile, *, catalog, **kwargs):  # type: ignore[no-untyped-def]
        planned_from.append(catalog.edition)
        return api_sample_pathway()

    monkeypatch.setattr(coach.planner, "plan_pathway", plan_pathway)
    learner, admin = api_users["learner1"]["headers"], api_users["admin"]["headers"]
    # The real services and the real reload (not the suite's fakes): route → default_plan → the app's context →
    # planner; the reload route → default_reload → CoachContext.reloaded → the context's catalogue loader.
    context = CoachContext(api_settings, load_catalog=load)
    app = create_app(api_settings, Services(), context)
    with TestClient(app) as client:
        assert client.post("/pathways/plan", json={"role": "x"}, headers=learner).status_code == 200
        assert client.post("/pathways/plan", json={"role": "x"}, headers=learner).status_code == 200
        assert planned_from == ["before", "before"]  # loaded once, then reused
        assert client.post("/admin/catalog/reload", headers=learner).status_code == 403
        assert client.post("/admin/catalog/reload", headers=admin).status_code == 204
        assert app.state.context is not context  # swapped
        assert client.post("/pathways/plan", json={"role": "x"}, headers=learner).status_code == 200
    assert planned_from == ["before", "before", "after"]
    assert loads == [api_settings, api_settings]  # each load from the context's own settings


def test_a_failed_reload_keeps_the_context_in_use(api_settings, api_users) -> None:  # type: ignore[no-untyped-def]
    calls = iter([SimpleNamespace(edition="current")])

    def load(settings):  # type: ignore[no-untyped-def]
        for catalog in calls:
            return catalog
        raise coach.knowledge.CatalogError("credentials.csv line 3: cost must be a number")

    context = CoachContext(api_settings, load_catalog=load)
    assert context.catalog.edition == "current"  # type: ignore[attr-defined]
    app = create_app(api_settings, Services(), context)
    with TestClient(app) as client:
        r = client.post("/admin/catalog/reload", headers=api_users["admin"]["headers"])
        assert r.status_code == 422 and "cost must be a number" in r.json()["detail"]
    assert app.state.context is context


def test_a_failed_reload_keeps_the_catalogue_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    current = SimpleNamespace(edition="current")
    monkeypatch.setattr(coach.knowledge.load, "_catalog", current)
    monkeypatch.setattr(coach.knowledge.load, "registered_catalog_dirs", lambda *a, **k: [])

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise coach.knowledge.CatalogError("credentials.csv line 3: cost must be a number")

    monkeypatch.setattr(coach.knowledge.load, "load_catalog", broken)
    with pytest.raises(coach.knowledge.CatalogError):
        coach.knowledge.reload_catalog()
    assert coach.knowledge.get_catalog() is current


def test_posting_indexes_follow_the_catalogue_object_not_its_id() -> None:
    """A reloaded catalogue may reuse a freed one's id(): derived indexes must still be rebuilt for it."""
    from coach.models import Credential
    from coach.postings.certifications import _cert_index
    from coach.postings.gaps import _uri_index

    def catalogue(cid: str, skill: str) -> SimpleNamespace:
        cred = Credential(id=cid, name=cid.upper(), provider="Acme", type="certification", skills=[skill])
        return SimpleNamespace(credentials={cid: cred})

    first = catalogue("alpha-cert", "esco:a")
    assert _uri_index(first) == {"esco:a": ["alpha-cert"]}
    assert _cert_index(first) is _cert_index(first)  # built once per catalogue
    del first  # CPython tends to give the freed memory (and so the id) to the next object of that size
    second = catalogue("beta-cert", "esco:b")
    assert _uri_index(second) == {"esco:b": ["beta-cert"]}
    assert "alpha" not in str(_cert_index(second)).lower()
