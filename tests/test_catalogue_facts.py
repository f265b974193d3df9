"""The catalogue's facts: errors an audit found stay fixed, every source says what kind of page it is, weak
pages are not relied on, and the corrections overlay is checked like any input."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import CatalogError
from coach.knowledge import Catalog, load_catalog
from coach.knowledge.corrections import apply_corrections
from coach.knowledge.currency import DEFAULT_RATES, load_rates
from coach.models import Credential, Rule, Source
from coach.planner.costs import price_of

# Sites an audit found to be exam dumps, AI-written or spam: no fact may rest on them.
UNACCEPTABLE = ("grokipedia", "10lode.com", "qeeebo.com", "winenfood.com", "examlabs.com", "exam-labs.com")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_audited_errors_stay_fixed(catalog: Catalog) -> None:
    creds = catalog.credentials
    # CCNP's only price was an approximation from a chart: unknown until the provider states one.
    assert (
        creds["cisco-ccnp-enterprise"].cost is None
        and "two exams" in creds["cisco-ccnp-enterprise"].cost_note.lower()
    )
    assert creds["lf-lfcs"].cost is None  # $300 was the 2014 launch price
    assert creds["offsec-oscp"].exam_code is None  # PEN-200 is a course, not an exam code
    admin = creds["salesforce-administrator"]
    assert admin.exam_code != "ADM-201" and "ADM-201" in admin.aliases  # retired code: still finds it
    capm = creds["pmi-capm"]
    assert "23 contact hours" in (capm.prerequisites or "") and "1,500" not in capm.description
    assert capm.member_cost is not None and capm.member_cost < (capm.cost or 0)
    assert creds["itil-4-foundation"].cost_approximate  # "~$400" is not an exact price
    # A+ is two exams, each priced: the plan pays both.
    aplus = creds["comptia-a-plus"]
    price = price_of(aplus, catalog, hours=120, hours_per_week=10, held=set(), budget_usd=None)
    assert price.amount == pytest.approx(2 * (aplus.cost or 0)) and aplus.cost_approximate
    # ISC2 CC's exam is free under its own pledge (rule r032).
    cc = price_of(creds["isc2-cc"], catalog, hours=20, hours_per_week=10, held=set(), budget_usd=None)
    assert cc.amount == 0


def test_rules_without_a_citable_source_are_withdrawn(catalog: Catalog) -> None:
    ids = {r.id for r in catalog.rules}
    assert not ids & {"r013", "r021", "r022", "r023", "r037"}
    assert all(r.source_url for r in catalog.rules)


def test_every_source_has_a_kind_and_none_is_a_weak_site(catalog: Catalog) -> None:
    for cred in catalog.credentials.values():
        for src in cred.sources:
            assert src.source_kind is not None, (cred.id, src)
            assert not any(bad in (src.url or "") for bad in UNACCEPTABLE), (cred.id, src.url)
    own = [s for s in catalog.credentials["giac-gsec"].sources if s.source_kind == "provider"]
    assert own and all("giac.org" in (s.url or "") for s in own)


def test_curated_credentials_are_found_by_the_names_people_use(catalog: Catalog) -> None:
    for name, cid in [("Sec+", "comptia-security-plus"), ("Certified in Cybersecurity", "isc2-cc"),
                      ("CKA", "cncf-cka"), ("PMP", "pmi-pmp"), ("CCP", "aws-cloud-practitioner"),
                      ("ACE", "gcp-associate-cloud-engineer"), ("ADM-201", "salesforce-administrator")]:  # fmt: skip
        found = catalog.find_credential(name)
        assert found is not None and found.id == cid, name
    # A short name two credentials share names neither: Cisco has a CCST Networking and a CCST Cybersecurity.
    assert catalog.find_credential("CCST") is None
    assert catalog.find_credential("CCST Networking").id == "cisco-ccst-networking"


def _cred() -> Credential:
    return Credential(id="x", name="X", provider="Acme", type="certification", cost=100, currency="USD",
                      sources=[Source(name="t: dump.example", url="https://dump.example/x")])  # fmt: skip


def test_corrections_set_clear_and_drop_with_their_page(tmp_path: Path) -> None:
    (tmp_path / "corrections.csv").write_text(
        "record_kind,record_id,action,field,value,approximate,currency,source_url,source_title,source_kind,as_of,note\n"
        "credential,x,set,cost,85,yes,EUR,https://acme.example/fees,Fees,provider,2026-03-01,\n"
        "credential,x,drop_source,,,,,https://dump.example/x,,third_party,,dump site\n"
        "rule,r1,clear,source_url,,,,,,,,no page states it\n",
        encoding="utf-8",
    )
    creds = {"x": _cred()}
    rules, report = apply_corrections(creds, [Rule(id="r1", type="equivalence", subject="x")], tmp_path)
    x = creds["x"]
    assert (x.cost, x.currency, x.cost_approximate) == (85, "EUR", True)
    assert [s.url for s in x.sources] == ["https://acme.example/fees"]
    assert x.sources[0].as_of == "2026-03-01" and x.sources[0].source_kind == "provider"
    assert rules == [] and report.withdrawn_rules == ["r1"]


@pytest.mark.parametrize(
    "row, message",
    [
        ("credential,x,set,cost,85,,,,,,,", "needs the page"),
        ("credential,x,rewrite,cost,85,,,https://a.example,,,,", "action must be"),
        ("credential,x,set,colour,red,,,https://a.example,,,,", "no correctable field"),
        ("credential,nope,clear,cost,,,,,,,,", "no credential"),
        ("credential,x,add_source,,,,,https://a.example,,blog,,", "source_kind"),
    ],
)
def test_a_bad_correction_is_a_clear_error(tmp_path: Path, row: str, message: str) -> None:
    (tmp_path / "corrections.csv").write_text(
        "record_kind,record_id,action,field,value,approximate,currency,source_url,source_title,source_kind,as_of,note\n"
        + row + "\n",
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(CatalogError, match=message):
        apply_corrections({"x": _cred()}, [], tmp_path)


def test_exchange_rates_are_one_dated_sourced_day() -> None:
    rates = load_rates(DEFAULT_RATES)
    assert rates.as_of.count("-") == 2 and rates.source_url.startswith("https://")
    usd_per_eur = rates.factor("EUR", "USD")
    assert usd_per_eur is not None and 0.5 < usd_per_eur < 2.0
    assert rates.factor("USD", "EUR") == pytest.approx(1 / usd_per_eur)
    assert rates.factor("EUR", "XXX") is None


def test_vocational_and_european_credentials_keep_their_own_currency_and_sector(catalog: Catalog) -> None:
    by = catalog.breakdown()
    assert by["currency"].get("GBP", 0) >= 5 and by["currency"].get("EUR", 0) >= 3
    assert {"trades_construction", "manufacturing", "hr", "marketing"} <= set(by["sector"])
    gbp = [c for c in catalog.credentials.values() if c.currency == "GBP"]
    assert all(c.sources and c.sources[0].source_kind for c in gbp)
    # Hand-linked in their source: no automatic title links are added on top.
    vocational = [
        c for c in catalog.credentials.values() if c.sources[0].name.startswith("vocational-credentials")
    ]
    assert vocational and all(c.skills for c in vocational if c.sector == "trades_construction")


def test_export_carries_labelled_skills_typed_sources_and_reads_back_as_ctdl(
    catalog: Catalog, tmp_path: Path
) -> None:
    import json

    from coach.knowledge.ctdl import ctdl_rows
    from coach.knowledge.export import credential_record, credentials_ctdl

    sec = catalog.credentials["comptia-security-plus"]
    record = credential_record(catalog, sec)
    assert record["skills"][0] == {"uri": sec.skills[0], "label": catalog.skill_label(sec.skills[0])}
    assert {"name", "url", "as_of", "source_kind"} <= set(record["sources"][0])
    assert record["recognition"] and record["recognition"][0]["url"].startswith("https://")
    doc = credentials_ctdl(catalog, [sec, catalog.credentials["comptia-a-plus"]])
    (tmp_path / "out.jsonld").write_text(json.dumps(doc), encoding="utf-8")
    errors: list[str] = []
    rows, _ = ctdl_rows(tmp_path / "out.jsonld", errors)
    assert not errors and {r["name"] for _, r in rows} == {sec.name, "CompTIA A+"}
    assert {r["provider"] for _, r in rows} == {"CompTIA"}


def test_records_of_different_types_are_not_merged_and_a_platforms_facts_stay_together() -> None:
    from coach.knowledge.merge import merge_credentials

    spec = Credential(id="c-intro", name="Intro to Data", provider="Uni", type="specialization", hours_min=65,
                      hours_max=260, hours_estimated=True, hours_rule="bucket")  # fmt: skip
    edx_course = Credential(id="e-intro", name="Intro to Data", provider="Uni", type="course", cost=39,
                            currency="USD", url="https://edx.example/intro", hours_min=6, hours_max=12)  # fmt: skip
    got = merge_credentials([[spec], [edx_course]])
    assert set(got) == {"c-intro", "e-intro"} and got["c-intro"].url is None and got["c-intro"].cost is None
    course = spec.model_copy(update={"type": "course"})
    one = merge_credentials([[course], [edx_course]])["c-intro"]
    # The edX offering's price, page and stated hours come together; the bucket estimate is only a note.
    assert (one.cost, one.url, one.hours_min, one.hours_max) == (39, "https://edx.example/intro", 6, 12)
    assert not one.hours_estimated and "bucket" in (one.hours_rule or "")


def test_the_audited_false_merge_is_two_records(catalog: Catalog) -> None:
    coursera = catalog.credentials["coursera-introduction-to-data-science"]
    assert (
        coursera.type == "specialization" and coursera.cost is None and "edx.org" not in (coursera.url or "")
    )
    assert any(
        c.url and "edx.org/course/intro-to-data-science" in c.url for c in catalog.credentials.values()
    )


def test_a_fresh_audit_s_findings_stay_fixed(catalog: Catalog) -> None:
    # The vocational rows' first page keeps the date it shows (the reader once read the wrong column).
    vocational = [
        c for c in catalog.credentials.values() if c.sources[0].name.startswith("vocational-credentials")
    ]
    assert sum(1 for c in vocational if c.sources[0].as_of not in (None, "n.d.")) >= 30
    assert catalog.credentials["isc2-associate"].type == "designation"  # ISC2's own word: not a certification
    # A roadmap lab price is not an exam price.
    osep = catalog.credentials["roadmap-osep"]  # the roadmap gives "$1,499 lab"
    assert osep.cost is None and osep.cost_note == "$1,499 lab"


def test_roadmap_entries_name_real_issuers_and_chart_notes_are_not_credentials(catalog: Catalog) -> None:
    assert "roadmap-programming-language" not in catalog.credentials  # a chart note
    assert catalog.credentials["roadmap-cipa"].name == "IMI Certified Identity Protection Advisor (CIPA)"
    assert "ccie-security" not in (catalog.credentials["roadmap-ccie-ent"].url or "")
    bare = [c.provider for c in catalog.credentials.values() if c.id.startswith("roadmap-") and " " not in c.provider
            and "." in c.provider and c.provider != "Scrum.org"]  # fmt: skip
    assert len(bare) <= 8, bare  # was 78 records named by a bare domain ("oceg.org", "cwnp.com")
