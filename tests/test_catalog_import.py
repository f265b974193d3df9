"""Bring-your-own catalogues: the documented CSV/JSON format, per-row errors with line numbers, good rows kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coach.errors import CatalogError
from coach.knowledge import load_catalog, load_user_catalog, register_catalog_dirs, registered_catalog_dirs

DATA = Path(__file__).parent / "data"
CYBER = "http://data.europa.eu/esco/skill/8088750d-8388-4170-a76f-48354c469c44"  # ESCO "cyber security"


def test_example_catalogue_loads_into_the_catalog() -> None:
    catalog = load_catalog(catalog_dirs=[DATA / "catalog_example"])
    assert catalog.errors == []
    badge = catalog.credentials["acme-cyber-badge"]
    assert (badge.type, badge.level, badge.cost, badge.currency) == ("badge", "entry", 150.0, "USD")
    assert (badge.hours_min, badge.hours_max, badge.hours_estimated) == (30.0, 40.0, False)
    assert (
        badge.sources[0].as_of == "2026-09-01"
        and badge.sources[0].url == "https://example.edu/catalogue/2026"
    )
    assert badge.skills[0] == CYBER  # a URI is kept as given
    assert badge.skill_tags == ["python programming"]
    assert catalog.skill_label(badge.skills[1]) == "Python (computer programming)"  # the phrase was linked
    data = catalog.credentials["acme-data-cert"]
    assert {catalog.skill_label(u) for u in data.skills} >= {"perform data analysis", "statistics", "SQL"}
    rules = {r.id: r for r in catalog.rules}
    assert rules["acme-r2"].any_of and rules["acme-r2"].objects == ["comptia-a-plus", "google-it-support"]
    assert [r.id for r in catalog.rules_for("acme-cyber-badge")] == ["acme-r1", "acme-r2"]
    assert catalog.find_credential("Acme College Data Analysis Certificate").id == "acme-data-cert"
    assert len(catalog.credentials) > 1500  # the built-in catalogue is still there


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_load() -> None:
    creds, rules, errors = load_user_catalog(DATA / "catalog_mixed")
    assert [c.id for c in creds] == ["good-one", "multi-line", "bad-skill"]
    assert "credentials.csv line 3: cost must be a number ≥ 0, got 'abc'" in errors
    assert any(
        e.startswith("credentials.csv line 4: type must be one of") and "'webinar'" in e for e in errors
    )
    # The quoted name spans lines 5-6, so the next row is line 7.
    assert "credentials.csv line 7: hours_min (50) is larger than hours_max (10)" in errors
    assert "credentials.csv line 8: id is required" in errors
    assert "credentials.csv line 10: duplicate id 'good-one' (first at credentials.csv line 2)" in errors
    assert "credentials.csv line 11: url must be an http(s) URL, got 'not a url'" in errors
    assert "credentials.csv line 12: as_of is required" in errors
    assert "credentials.csv line 14: cost must be a number ≥ 0, got '-5'" in errors
    assert "credentials.csv line 15: currency is required when cost is given" in errors
    assert any(e.startswith("rules.csv line 3: type must be one of") for e in errors)
    assert "rules.csv line 5: any_of must be true or false, got 'maybe'" in errors
    assert [r.id for r in rules] == ["mixed-r1", "mixed-r3"]
    assert rules[0].experience_years == 2.0  # parsed from "Two years of work"


def test_catalog_checks_skill_uris_and_credential_ids() -> None:
    catalog = load_catalog(catalog_dirs=[DATA / "catalog_mixed"])
    assert "bad-skill" not in catalog.credentials
    assert any(
        e.startswith("catalog_mixed/credentials.csv line 13: unknown ESCO skill URI") for e in catalog.errors
    )
    assert "catalog_mixed/rules.csv line 4: unknown credential id 'no-such-credential'" in catalog.errors
    assert "good-one" in catalog.credentials and "mixed-r1" in {r.id for r in catalog.rules}


def test_json_catalogue() -> None:
    creds, rules, errors = load_user_catalog(DATA / "catalog_json")
    assert [c.id for c in creds] == ["json-cloud"] and creds[0].currency == "EUR" and creds[0].cost == 0.0
    assert creds[0].skill_tags == ["cloud technologies", "deploy cloud resource"]
    assert rules[0].objects == ["aws-cloud-practitioner"]
    assert errors == [
        "credentials.json item 2: cost must be a number ≥ 0, got 'free'",
        "credentials.json item 3: expected an object, got str",
    ]


def test_nothing_valid_raises_with_every_error(tmp_path: Path) -> None:
    (tmp_path / "credentials.csv").write_text(
        "id,name,provider,type,as_of\nx,X,P,webinar,2026\ny,Y,P,course,someday\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError) as info:
        load_user_catalog(tmp_path)
    assert "credentials.csv line 2: type must be one of" in str(info.value)
    assert "credentials.csv line 3: as_of must be a date" in str(info.value)


def test_malformed_files_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"has none of credentials\.csv"):
        load_user_catalog(tmp_path)
    (tmp_path / "credentials.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"credentials\.json: not valid JSON"):
        load_user_catalog(tmp_path)
    with pytest.raises(CatalogError, match="not found"):
        load_user_catalog(tmp_path / "missing")


def test_user_row_replaces_builtin_with_same_id(tmp_path: Path) -> None:
    (tmp_path / "credentials.csv").write_text(
        "id,name,provider,type,cost,currency,as_of\n"
        "comptia-security-plus,CompTIA Security+,CompTIA,certification,425,USD,2027-01-01\n",
        encoding="utf-8",
    )
    catalog = load_catalog(catalog_dirs=[tmp_path])
    sec = catalog.credentials["comptia-security-plus"]
    assert sec.cost == 425.0 and sec.sources[0].as_of == "2027-01-01"
    assert catalog.find_credential("CompTIA Security+").cost == 425.0


def test_registered_catalogue_folders(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(DATA / "catalog_example", folder)
    assert registered_catalog_dirs(tmp_path) == []
    register_catalog_dirs([folder, tmp_path / "gone"], home=tmp_path)
    assert registered_catalog_dirs(tmp_path) == [folder.resolve()]


def test_get_catalog_survives_a_registered_catalogue_that_broke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach import knowledge
    from coach.knowledge import load
    from coach.settings import get_settings

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "credentials.csv").write_text("id,name,provider,type,as_of\nx,X,P,webinar,2026\n", "utf-8")
    monkeypatch.setenv("COACH_HOME", str(tmp_path))
    get_settings.cache_clear()
    monkeypatch.setattr(load, "_catalog", None)
    monkeypatch.setattr(load, "load_catalog", lambda *_a, **_k: knowledge.Catalog(occupations={}, skills={}))
    try:
        register_catalog_dirs([folder])
        catalog = knowledge.get_catalog()
        assert len(catalog.errors) == 1 and "line 2: type must be one of" in catalog.errors[0]
    finally:
        get_settings.cache_clear()
        load._catalog = None


def test_ctdl_jsonld_catalogue() -> None:
    creds, rules, errors = load_user_catalog(DATA / "catalog_ctdl")
    by_name = {c.name: c for c in creds}
    net = by_name["Network Technician Certificate"]
    assert (
        net.id == "ce-1b3c6f2e-0000-4000-8000-000000000001" and net.provider == "Riverside Technical College"
    )
    assert (net.type, net.cost, net.currency, net.hours_min, net.hours_max) == (
        "professional_certificate",
        1200.0,
        "USD",
        180.0,
        180.0,
    )
    assert (
        net.url == "https://example.org/programs/network-technician" and net.sources[0].as_of == "2026-08-15"
    )
    assert net.skills == ["http://data.europa.eu/esco/skill/2164e860-7f20-48bc-b98c-5d9f8a561550"]
    assert net.skill_tags == ["computer networks"]
    badge = by_name["Network Security Badge"]
    assert (badge.type, badge.hours_min, badge.hours_max, badge.cost) == ("badge", 20.0, 30.0, None)
    assert [(r.type, r.subject, r.objects, r.any_of) for r in rules] == [
        ("prerequisite_required", badge.id, [net.id], False)
    ]
    assert errors == ["credentials.jsonld @graph item 4: as_of is required"]
