"""The knowledge base: counts, fields, lookups, credential parsing and merging, rules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from coach.errors import CoachError
from coach.knowledge import Catalog, _cache_key, cache, load_catalog, merge_credentials
from coach.knowledge.sources.coursera import coursera_hours
from coach.knowledge.sources.curated import parse_hours_text
from coach.knowledge.sources.edx import edx_hours, edx_price
from coach.knowledge.sources.roadmap import parse_roadmap_cost
from coach.knowledge.sources.rules import parse_experience_years
from coach.models import Credential, Source


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_counts(catalog: Catalog) -> None:
    stats = catalog.stats()
    assert stats["onet_occupations"] == 1016
    assert stats["esco_occupations"] == 3007
    assert stats["skills"] == 13896
    assert stats["credentials"] >= 1500
    assert stats["rules"] >= 40


def test_esco_skill_fields(catalog: Catalog) -> None:
    skill = catalog.skills["http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"]
    assert skill.label == "manage musical staff"
    assert "direct musical staff" in skill.alt_labels and skill.label not in skill.alt_labels
    assert skill.skill_type == "skill/competence" and skill.reuse_level == "sector-specific"
    assert skill.broader and skill.description
    used = [s for s in catalog.skills.values() if s.essential_for or s.optional_for]
    assert len(used) > 10_000
    assert sum(s.essential_for for s in catalog.skills.values()) == sum(
        len(o.essential_skills) for o in catalog.esco_occupations()
    )


def test_onet_occupation_fields(catalog: Catalog) -> None:
    occ = catalog.occupations["15-1212.00"]
    assert occ.source == "onet" and occ.title == "Information Security Analysts"
    assert occ.job_zone == 4 and occ.education
    assert len(occ.skills) == 35
    assert all(1 <= r.importance <= 5 and r.level is not None for r in occ.skills)
    assert any(t.hot for t in occ.technology) and any(t.in_demand for t in occ.technology)
    assert occ.tasks and "Cybersecurity Analyst" in occ.alt_titles


def test_esco_occupation_fields(catalog: Catalog) -> None:
    occ = catalog.find_occupation("data scientist")
    assert occ is not None and occ.source == "esco" and occ.code.startswith("2511")
    assert occ.essential_skills and all(u in catalog.skills for u in occ.essential_skills)


def test_find_occupation(catalog: Catalog) -> None:
    assert catalog.find_occupation("15-1212").id == "15-1212.00"
    assert catalog.find_occupation("software developers").id == "15-1252.00"
    assert catalog.find_occupation("Cyber Security Analyst").id == "15-1212.00"
    assert catalog.find_occupation("no such job at all") is None


def test_every_credential_has_dated_source_and_no_degree_is_micro(catalog: Catalog) -> None:
    for cred in catalog.credentials.values():
        assert cred.sources and all(s.as_of for s in cred.sources), cred.id
        if cred.type in ("degree", "program"):
            assert not cred.is_microcredential, cred.id
    assert sum(c.type == "degree" for c in catalog.credentials.values()) >= 50


def test_curated_credentials_load_faithfully(catalog: Catalog) -> None:
    curated = [c for c in catalog.credentials.values() if c.sources[0].name == "curated-credentials"]
    assert len(curated) == 79  # 86 rows, less the 7 CompTIA stackable titles no acceptable page names
    sec = catalog.credentials["comptia-security-plus"]
    assert (sec.cost, sec.currency, sec.level, sec.exam_code) == (404.0, "USD", "entry", "SY0-701")
    assert sec.url == "https://www.comptia.org/certifications/security"
    assert catalog.credentials["comptia-a-plus"].cost_note  # the A+ price is per exam
    assert catalog.credentials["comptia-data-plus"].cost is None  # sources conflicted: left empty


def test_find_credential(catalog: Catalog) -> None:
    assert catalog.find_credential("Security+").id == "comptia-security-plus"
    assert catalog.find_credential("SY0-701").id == "comptia-security-plus"
    assert catalog.find_credential("CISSP").id == "isc2-cissp"
    assert catalog.find_credential("google cybersecurity").id == "google-cybersecurity"
    assert catalog.find_credential("AZ-900").id == "ms-az-900"
    assert catalog.find_credential("Security+ certification").id == "comptia-security-plus"
    assert catalog.find_credential("CompTIA A+ (220-1201)").id == "comptia-a-plus"
    assert catalog.find_credential("Google Data Analytics Certificate").id == "google-data-analytics"
    assert catalog.find_credential("underwater basket weaving 9000") is None
    assert catalog.find_credential("certification") is None


def test_cross_source_duplicates_are_merged(catalog: Catalog) -> None:
    google = catalog.credentials["google-cybersecurity"]
    assert {s.name for s in google.sources} >= {"curated-credentials", "coursera-courses-2023"}
    assert "coursera-google-cybersecurity" not in catalog.credentials
    assert google.hours_estimated and google.skill_tags  # filled from the Coursera row
    sec = catalog.credentials["comptia-security-plus"]
    assert any(s.name == "security-cert-roadmap" for s in sec.sources)
    assert not any(c.id.startswith("roadmap-") and c.url == sec.url for c in catalog.credentials.values())


def _cred(cid: str, name: str, provider: str, source: str, **kw: object) -> Credential:
    return Credential(
        id=cid, name=name, provider=provider, type="course", sources=[Source(name=source, as_of="2023")], **kw
    )


def test_merge_keeps_curated_facts_and_all_sources() -> None:
    curated = [_cred("acme-x", "Acme X Professional Certificate", "Acme (Coursera)", "curated", cost=100.0)]
    scraped = [
        _cred("coursera-acme-x", "Acme X", "Acme", "coursera", cost=5.0, hours_min=10.0, hours_max=20.0),
        _cred("coursera-acme-y", "Acme Y", "Acme", "coursera"),
        _cred("coursera-acme-x", "Acme X", "Other Org", "coursera"),  # same name, other provider: kept
    ]
    merged = merge_credentials([curated, scraped])
    assert set(merged) == {"acme-x", "coursera-acme-y", "coursera-acme-x"}
    assert merged["coursera-acme-x"].provider == "Other Org"
    x = merged["acme-x"]
    assert x.cost == 100.0 and x.hours_min == 10.0
    assert [s.name for s in x.sources] == ["curated", "coursera"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CompTIA Security+\\n    $404 exam", (404.0, "USD", None)),
        ("GIAC X\\n    $979 exam\\n    SANS course recommended", (979.0, "USD", "SANS course recommended")),
        ("Cert\\n    $1,499 lab", (None, None, "$1,499 lab")),
        ("Cert\\n    $800 two exams", (None, None, "$800 two exams")),
        ("Cert\\n    $500-749 exam\\n    Course required", (None, None, "$500-749 exam; Course required")),
        ("Cert\\n    ~$600 exam", (None, None, "~$600 exam")),
        ("Cert\\n    $2,700 course + exam", (None, None, "$2,700 course + exam")),
        ("Cert\\n    $550", (None, None, "$550")),
        ("Cert only", (None, None, None)),
    ],
)
def test_roadmap_cost_parsing(text: str, expected: tuple) -> None:
    assert parse_roadmap_cost(text) == expected


def test_hours_estimate_rules() -> None:
    assert coursera_hours(" 1 - 4 Weeks") == (5.0, 40.0)
    lo, hi = coursera_hours("3 - 6 Months")
    assert lo == pytest.approx(3 * 52 / 12 * 5, abs=0.1) and hi == pytest.approx(6 * 52 / 12 * 10, abs=0.1)
    assert coursera_hours("Less Than 2 Hours") == (None, 2.0)
    assert coursera_hours("2 to 4 years depending on credits") == (None, None)
    assert edx_hours("2–3 hours per week", "7 Weeks") == (14.0, 21.0)
    assert edx_price("FREE-Add a Verified Certificate for $49 USD")[:2] == (49.0, "USD")
    assert parse_hours_text("3-6 months (Coursera listing)") == (None, None)
    assert parse_hours_text("under 6 months at under 10 hours/week") == (None, None)
    assert parse_hours_text("about 30-40 hours of study") == (30.0, 40.0)


def test_estimated_hours_carry_their_rule(catalog: Catalog) -> None:
    estimated = [c for c in catalog.credentials.values() if c.hours_estimated]
    assert len(estimated) > 1000
    assert all(c.hours_rule for c in estimated)
    edx = next(c for c in catalog.credentials.values() if c.id.startswith("edx-") and c.hours is not None)
    assert "effort" in edx.hours_rule


def test_rules(catalog: Catalog) -> None:
    rules = {r.id: r for r in catalog.rules}
    assert rules["r054"].any_of and rules["r054"].objects == ["ms-az-104", "ms-az-204"]
    assert (
        "r024" not in rules
    )  # CompTIA stackables rested only on rejected pages (curated/rejected_sources.csv)
    assert "r021" not in rules  # its only source was a 2018 blog: withdrawn (curated/corrections.csv)
    assert rules["r026"].experience_years == 5.0  # "Minimum five years"
    assert rules["r035"].experience_years == 5.0  # "60 months" (a secondary diploma)
    assert rules["r035"].experience_years_with_degree == 3.0 and rules["r035"].experience_fields == [
        "project"
    ]
    assert rules["r027"].experience_years is None  # "within up to six years" is a deadline
    assert all(r.source_url and r.as_of for r in catalog.rules)
    assert any(r.id == "r054" for r in catalog.rules_for("ms-az-104"))


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("five years of work", 5.0),
        ("5 years of IS audit", 5.0),
        ("18 months experience", 1.5),
        ("no time", None),
    ],
)
def test_experience_years(text: str, years: float | None) -> None:
    assert parse_experience_years(text) == years


def test_cache_key_follows_source_changes(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    f = tmp_path / "sources" / "a.csv"
    f.write_text("x\n")
    first = _cache_key(tmp_path, [])
    assert _cache_key(tmp_path, []) == first
    f.write_text("xy\n")
    os.utime(f, ns=(1, 1))
    assert _cache_key(tmp_path, []) != first


# coach/: the cache key hashes every module of coach/knowledge/ (recursively), models.py and embeddings.py.
CODE_ROOT = Path(cache.__file__).resolve().parent.parent
SHAPING = [
    *sorted(p.relative_to(CODE_ROOT).as_posix() for p in (CODE_ROOT / "knowledge").rglob("*.py")),
    "models.py",
    "embeddings.py",
]


def _copy_code(to: Path) -> None:
    shutil.copytree(CODE_ROOT / "knowledge", to / "knowledge", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("models.py", "embeddings.py"):
        shutil.copy(CODE_ROOT / name, to / name)


def test_the_shaping_files_are_the_package_models_and_embedder() -> None:
    assert {"knowledge/__init__.py", "knowledge/build.py", "knowledge/sources/esco.py"} <= set(SHAPING)
    assert len(SHAPING) > 15


# A new module in the package (say a new source reader) counts from the moment it exists.
@pytest.mark.parametrize("changed", [*SHAPING, "knowledge/sources/new_source.py"])
def test_cache_key_follows_every_file_that_shapes_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str
) -> None:
    """A record model, reader or assembly module changed (even at its very end): a pickled catalogue is stale."""
    code = tmp_path / "code"
    _copy_code(code)
    monkeypatch.setattr(cache, "_CODE_ROOT", code)
    first = _cache_key(tmp_path, [])
    assert _cache_key(tmp_path, []) == first
    with open(code / changed, "a", encoding="utf-8") as fh:
        fh.write("\n# a change at the very end\n")
    assert _cache_key(tmp_path, []) != first


def test_cache_key_ignores_files_that_do_not_shape_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other modules of the product and non-code files next to the package leave the cached catalogue valid."""
    code = tmp_path / "code"
    _copy_code(code)
    monkeypatch.setattr(cache, "_CODE_ROOT", code)
    first = _cache_key(tmp_path, [])
    (code / "planner.py").write_text("# another part of the product\n", encoding="utf-8")
    (code / "knowledge" / "notes.txt").write_text("not code\n", encoding="utf-8")
    assert _cache_key(tmp_path, []) == first


def _labels(catalog: Catalog, cred_id: str) -> set[str]:
    return {catalog.skill_label(u) for u in catalog.credentials[cred_id].skills}


@pytest.mark.parametrize(
    ("cred_id", "expected"),
    [
        ("comptia-security-plus", "cyber security"),
        ("isc2-cc", "cyber security"),
        ("google-cybersecurity", "cyber security"),
        ("aws-cloud-practitioner", "cloud technologies"),
        ("ms-az-900", "cloud technologies"),
        ("google-data-analytics", "perform data analysis"),
    ],
)
def test_named_credentials_have_their_skills(catalog: Catalog, cred_id: str, expected: str) -> None:
    assert expected in _labels(catalog, cred_id)


def test_skill_links_are_esco_uris_and_widespread(catalog: Catalog) -> None:
    creds = list(catalog.credentials.values())
    assert all(u in catalog.skills for c in creds for u in c.skills)
    # Two in three: a credential whose title no ESCO skill matches closely (checked against the skill's
    # description) carries none rather than a wrong one; every curated credential and most Coursera ones do.
    assert sum(bool(c.skills) for c in creds) / len(creds) > 0.65
    curated = [c for c in creds if c.sources[0].name == "curated-credentials"]
    assert all(c.skills for c in curated)
    # Security certifications from the roadmap get security skills; a cloud course from Coursera cloud skills.
    assert "perform ICT security testing" in _labels(catalog, "roadmap-gwapt")
    assert "cloud technologies" in _labels(catalog, "coursera-aws-cloud-technical-essentials")


def test_onet_skills_and_technology_are_linked(catalog: Catalog) -> None:
    occ = catalog.occupations["15-1212.00"]
    by_name = {r.name: {catalog.skill_label(u) for u in r.esco_uris} for r in occ.skills}
    assert "think critically" in by_name["Critical Thinking"]
    assert "computer programming" in by_name["Programming"]
    tech = {t.name: {catalog.skill_label(u) for u in t.esco_uris} for t in occ.technology}
    assert "Python (computer programming)" in tech["Python"]
    assert "use spreadsheets software" in tech["Microsoft Excel"]
    assert not tech["Docker"] & {"dock operations"}  # one-word names need a close match


def test_occupation_links_both_ways(catalog: Catalog) -> None:
    occ = catalog.occupations["15-1212.00"]
    assert occ.links and "security" in occ.links[0].label.lower() and "ICT" in occ.links[0].label
    assert all(
        0 <= link.confidence <= 1 and link.method.startswith("title-and-description-similarity")
        for link in occ.links
    )
    dev = catalog.occupations["15-1252.00"]
    assert dev.links[0].label == "software developer" and "shared-titles" in dev.links[0].method
    esco_dev = catalog.occupations[dev.links[0].target]
    assert any(link.target == "15-1252.00" for link in esco_dev.links)
    linked = sum(bool(o.links) for o in catalog.onet_occupations())
    assert linked > 800


@pytest.mark.parametrize(
    ("soc", "title_alone", "expected"),
    [
        # Titles alone picked the first of each pair; what the two descriptions say the work is picks the second.
        ("15-1299.08", "computer hardware engineer", "ICT system architect"),
        ("15-1232.00", "ICT system administrator", "ICT help desk agent"),
    ],
)
def test_occupation_links_read_the_descriptions(
    catalog: Catalog, soc: str, title_alone: str, expected: str
) -> None:
    labels = [link.label for link in catalog.occupations[soc].links]
    assert labels[0] == expected and title_alone in labels[1:]


def test_editorial_skills_are_the_whole_answer_and_broad_tags_link_nothing(catalog: Catalog) -> None:
    # The Google UX certificate is merged with a Coursera record whose tags include "Audit" and "Leadership and
    # Management": its skills are the hand-picked ones, the tags stay for search.
    ux = catalog.credentials["google-ux-design"]
    assert "Audit" in ux.skill_tags and "Leadership and Management" in ux.skill_tags
    assert _labels(catalog, "google-ux-design") == {
        "use methodologies for user-centered design", "create website wireframe",
        "create prototype of user experience solutions", "software interaction design", "measure software usability",
        "design user interface", "human-computer interaction", "assess users' interaction with ICT applications",
    }  # fmt: skip
    # Coursera tags go through the editorial tag table: a broad category links nothing, and the wrong senses
    # the automatic links gave (plant commissioning, passport applications, ...) are gone from the catalogue.
    wrong = {"project commissioning", "process applications", "manage account department", "arrange audit"}
    counts = {w: 0 for w in wrong | {"leadership principles"}}
    for cred in catalog.credentials.values():
        for label in _labels(catalog, cred.id) & counts.keys():
            counts[label] += 1
    assert all(counts[w] == 0 for w in wrong), counts
    assert counts["leadership principles"] < 100  # was 362, from "Leadership and Management" on every course
    sql = _labels(
        catalog, "coursera-sql-for-data-science"
    )  # tags: Critical Thinking, Problem Solving, SQL, ...
    assert "SQL" in sql and "think critically" not in sql and "solve problems" not in sql


def test_occupation_skills_weights(catalog: Catalog) -> None:
    esco = catalog.find_occupation("data scientist")
    weights = dict(catalog.occupation_skills(esco.id))
    assert all(weights[u] == 1.0 for u in esco.essential_skills)
    assert all(weights[u] == 0.5 for u in esco.optional_skills if u not in esco.essential_skills)
    onet = catalog.occupation_skills("Information Security Analysts")
    assert onet == sorted(onet, key=lambda kv: (-kv[1], kv[0]))
    assert all(0 < w <= 1 and u in catalog.skills for u, w in onet)
    labels = {catalog.skill_label(u) for u, _ in onet}
    assert "implement a firewall" in labels and "Python (computer programming)" in labels
    with pytest.raises(CoachError):
        catalog.occupation_skills("no such occupation")


def test_edx_language_is_kept_and_foreign_titles_are_not_text_linked(catalog: Catalog) -> None:
    spanish = [c for c in catalog.credentials.values() if c.language == "Español"]
    assert len(spanish) > 100
    assert not any(c.skills for c in spanish)  # no tags, and the English-only model does not read the titles
    english = [c for c in catalog.credentials.values() if c.id.startswith("edx-") and c.language == "English"]
    # Linked by title only where the skill's description agrees (about half: evals/README.md, "Skill links").
    assert sum(bool(c.skills) for c in english) / len(english) > 0.4


def test_evident_source_errors_are_corrected_when_read() -> None:
    from coach.knowledge import get_catalog

    cat = get_catalog()
    gcih = cat.credentials["roadmap-gcih"]
    assert gcih.name == "GIAC Certified Incident Handler" and gcih.url.endswith("/gcih")
    assert not [c.id for c in cat.credentials.values() if (c.url or "").startswith("hhttps")]
    # One Kubernetes security certification, not two: the curated entry gained the roadmap's official URL.
    assert "roadmap-cks" not in cat.credentials
    assert cat.credentials["cncf-cks"].url == "https://www.cncf.io/certification/cks/"
    # Short names shared by two different credentials of one provider merge nothing.
    assert {"cisco-ccst-networking", "cisco-ccst-cybersecurity"} <= set(cat.credentials)


@pytest.mark.parametrize(
    ("name", "cred_id"),
    [
        ("Cloud Practitioner", "aws-cloud-practitioner"),
        ("ISC2 CC", "isc2-cc"),
        ("Certified in Cybersecurity", "isc2-cc"),  # ISC2's, not the prep course that bears the name
        ("ITIL", "itil-4-foundation"),
        ("Certified Kubernetes Administrator", "cncf-cka"),
        ("CCST Networking", "cisco-ccst-networking"),  # not CCST Cybersecurity, which shares the acronym
        ("AWS Solutions Architect Associate", "aws-solutions-architect-associate"),
        ("Salesforce Administrator", "salesforce-administrator"),
        ("Sec+", "comptia-security-plus"),
        ("Azure Administrator", "ms-az-104"),
    ],
)
def test_credentials_are_found_by_the_names_people_use(catalog: Catalog, name: str, cred_id: str) -> None:
    found = catalog.find_credential(name)
    assert found is not None and found.id == cred_id


def test_a_name_two_curated_credentials_share_names_neither_in_running_text(catalog: Catalog) -> None:
    assert not catalog.names.find("I passed the CCST last year")
    assert not catalog.names.find("I want the AWS Solutions Architect")  # Associate or Professional?


def test_hot_technologies_link_to_what_the_tools_do(catalog: Catalog) -> None:
    # The technology table (curated/onet_technology.csv), not the nearest label: Docker is no "application
    # process" (permits), AWS is cloud technology, Salesforce a CRM; the roles' links and a learner's tools agree.
    from coach.planner.learner import tool_skills

    links: dict[str, list[str]] = {}
    for occ in catalog.onet_occupations():
        for tech in occ.technology:
            links.setdefault(tech.name, [catalog.skill_label(u) for u in tech.esco_uris])
    assert "cloud technologies" in links["Amazon Web Services AWS software"]
    assert "manage ICT virtualisation environments" in links["Docker"]
    assert "application process" not in links["Docker"] + links["Kubernetes"]
    assert links["Salesforce software"] == ["use customer relationship management software"]
    assert {catalog.skill_label(u) for u in tool_skills(catalog, "AWS console (EC2, S3)")} >= {
        "cloud technologies",
        "manage cloud data and storage",
    }
