"""Credential → ESCO skill links a learner can trust: the wrong senses found by hand stay gone.

Regression tests for the mapping rules in coach/knowledge/skill_links.py and the editorial tables in
knowledge_base/curated/ (see knowledge_base/README.md, "How skills were linked", and evals/README.md).
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from coach.evaluation import EVALS_DIR, _load
from coach.knowledge import Catalog, load_catalog
from coach.knowledge.skill_links import (
    TAGS_USED,
    TEXT_HOMONYMS,
    _roadmap_uris,
    own_tags,
    read_editorial_skills,
)
from coach.models import Credential, Source
from coach.settings import REPO_ROOT

CURATED = REPO_ROOT / "knowledge_base" / "curated"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def editorial(catalog: Catalog) -> dict[str, list[str]]:
    return read_editorial_skills(CURATED / "credential_skills.csv", catalog.skills)


@pytest.fixture(scope="module")
def tag_table(catalog: Catalog) -> dict[str, list[str]]:
    return read_editorial_skills(CURATED / "coursera_tags.csv", catalog.skills, key="tag")


def _labels(catalog: Catalog, cred: Credential) -> set[str]:
    return {catalog.skill_label(u) for u in cred.skills}


def _roadmap(name: str, columns: str) -> Credential:
    """A roadmap-only certification as the roadmap reader makes it."""
    return Credential(
        id="roadmap-test",
        name=name,
        provider="test",
        type="certification",
        description=f"Security certification (roadmap column: {columns}).",
        sources=[Source(name="security-cert-roadmap", url="https://example.org", as_of="n.d.")],
    )


def _column_labels(catalog: Catalog, name: str, columns: str) -> set[str]:
    return {catalog.skill_label(u) for u in _roadmap_uris(_roadmap(name, columns), catalog.skills)}


# ---- wrong senses ----------------------------------------------------------------------------------------------

# Labels an audit of sampled links found wrong at scale (plant commissioning, passport applications, a finance
# department, a financial audit on UX and security certificates), ESCO senses that are not what the credentials
# mean (a person's own online identity, road accidents) and the homonyms the title matcher reached.
WRONG_SENSES = {
    "project commissioning",
    "process applications",
    "manage account department",
    "arrange audit",
    "manage digital identity",
    "manage major incidents",
    *TEXT_HOMONYMS,
}


def test_wrong_senses_only_where_a_hand_made_table_says_so(
    catalog: Catalog, editorial: dict[str, list[str]], tag_table: dict[str, list[str]]
) -> None:
    by_label = {s.label: s.uri for s in catalog.skills.values()}
    offenders = []
    for cred in catalog.credentials.values():
        if cred.sources[0].name.startswith("vocational-credentials"):
            continue  # linked by hand in its own source (IC3 Digital Literacy does teach managing one's identity)
        stated = set(editorial.get(cred.id, [])) | {u for t in own_tags(cred) for u in tag_table.get(t, [])}
        offenders += [
            (cred.id, label)
            for label in WRONG_SENSES
            if by_label.get(label) in cred.skills and by_label[label] not in stated
        ]
    assert offenders == []
    # The two ESCO senses that were wrong in the hand-made table itself are gone from it too.
    in_tables = {catalog.skill_label(u) for uris in editorial.values() for u in uris}
    assert not in_tables & {"manage digital identity", "manage major incidents", "identify security threats"}


def test_curated_credentials_carry_exactly_their_hand_made_skills(
    catalog: Catalog, editorial: dict[str, list[str]]
) -> None:
    curated = [c for c in catalog.credentials.values() if c.sources[0].name == "curated-credentials"]
    assert len(curated) >= 75  # 86 rows less the CompTIA stackable titles no acceptable page names
    for cred in curated:
        assert set(cred.skills) == set(editorial[cred.id]), cred.id
    # The Google certificates are merged with Coursera records whose tags (Audit, Leadership and Management,
    # Entrepreneurship, Network Architecture ...) would otherwise add skills the certificates do not teach.
    google = [
        c
        for c in curated
        if c.id.startswith("google-") and "coursera-courses-2023" in {s.name for s in c.sources}
    ]
    assert len(google) >= 8
    assert all(c.skill_tags for c in google)
    assert _labels(catalog, catalog.credentials["google-cybersecurity"]) >= {"cyber security", "SQL"}
    assert "audit techniques" not in _labels(catalog, catalog.credentials["google-cybersecurity"])


# ---- the roadmap's chart columns -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "PECB ISO/IEC 27001 Lead Auditor",
        "Mile2 Certified Information Systems Security Auditor",
        "PCI Qualified Security Assessor",
        "GIAC Systems and Network Auditor",
    ],
)
def test_auditors_get_ict_audits_not_security_testing(catalog: Catalog, name: str) -> None:
    labels = _column_labels(catalog, name, "test")
    assert "execute ICT audits" in labels
    assert not labels & {"perform ICT security testing", "penetration testing tool", "arrange audit"}


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("ISACA Certified in Risk and Information Systems Control", "mgmt, grc, test"),
        ("Shared Assessment Certified Third-Party Risk Assessor", "test"),
        ("CREST Certified Threat Intelligence Manager", "redops, pen_testing"),
        ("EC Council Certified Information Security Officer", "mgmt, grc"),
    ],
)
def test_management_and_governance_get_no_practice_column_skills(
    catalog: Catalog, name: str, columns: str
) -> None:
    practice = {
        "perform ICT security testing",
        "penetration testing tool",
        "cyber attack counter-measures",
        "web application security threats",
        "implement a firewall",
        "ICT network security risks",
    }
    assert not _column_labels(catalog, name, columns) & practice


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("OpenGroup TOGAF Certified", "mgmt, mgmt_left, asset"),
        ("ITIL Managing Professional", "mgmt, mgmt_left, asset"),
        ("Cisco DevNet Associate", "software"),
        ("Cisco Certified Internetwork Expert - Enterprise Infrastructure", "network, iam"),
        ("APMG ISO/IEC 20000 Practitioner", "test, mgmt_right"),
        ("The Institute of Internal Auditors Certified Internal Auditor", "test"),
    ],
)
def test_non_security_certifications_get_no_column_skills(catalog: Catalog, name: str, columns: str) -> None:
    assert _column_labels(catalog, name, columns) == set()


def test_column_skills_for_security_certifications(catalog: Catalog) -> None:
    assert _column_labels(catalog, "eLearnSecurity Junior Penetration Tester", "redops, pen_testing") == {
        "cyber security", "perform ICT security testing", "penetration testing tool",
    }  # fmt: skip
    iam = _column_labels(catalog, "Microsoft Certfied: Identity and Access Administrator Associate", "iam")
    assert "maintain ICT identity management" in iam and "manage digital identity" not in iam
    soc = _column_labels(catalog, "SECO Associate SOC Analyst", "blueops, incident_handling")
    assert "identify ICT security risks" in soc and "identify security threats" not in soc
    # A malware analyst in the software column is not about web-application threats; a secure coder is.
    assert "web application security threats" not in _column_labels(
        catalog, "GIAC Reverse Engineering Malware", "blueops, software, test"
    )
    assert "web application security threats" in _column_labels(
        catalog, "CertNexus Cyber Secure Coder", "software"
    )


def test_roadmap_catalogue_follows_the_column_rules(catalog: Catalog) -> None:
    roadmap = [c for c in catalog.credentials.values() if c.id.startswith("roadmap-")]
    auditors = [c for c in roadmap if re.search(r"audit|security assessor", c.name, re.I)]
    assert auditors
    assert all("perform ICT security testing" not in _labels(catalog, c) for c in auditors)
    togaf = _labels(catalog, catalog.credentials["roadmap-togaf"])
    assert "cyber security" not in togaf and "data protection" not in togaf


# ---- Coursera tags ---------------------------------------------------------------------------------------------


def test_tag_table_rows_are_valid(catalog: Catalog) -> None:
    with open(CURATED / "coursera_tags.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["esco_uri"]:
            assert catalog.skills[row["esco_uri"]].label == row["esco_label"], row
        else:
            assert row["note"], f"{row['tag']}: a tag mapped to nothing says why"


@pytest.mark.parametrize(
    "tag",
    [
        "Leadership and Management",
        "Critical Thinking",
        "Audit",
        "Account Management",
        "Mergers & Acquisitions",
        "Continuous Delivery",
        "Network Architecture",
        "Computer Architecture",
        "Contract Management",
        "Product Management",
    ],
)
def test_broad_and_mixed_sense_tags_link_nothing(tag_table: dict[str, list[str]], tag: str) -> None:
    assert tag in tag_table and tag_table[tag] == []


def test_only_a_credentials_own_first_tags_are_linked(catalog: Catalog) -> None:
    # "Digital Marketing" is the 36th tag of a manufacturing specialization: not linked.
    dmdt = catalog.credentials["coursera-digital-manufacturing-and-design-technology"]
    assert "Digital Marketing" in dmdt.skill_tags[TAGS_USED:]
    assert "digital marketing techniques" not in _labels(catalog, dmdt)
    # A school's whole catalogue of 130 tags (accounting on a digital-marketing certificate) is not linked.
    dm = catalog.credentials["coursera-graduate-certificate-in-digital-marketing"]
    assert len(dm.skill_tags) > 100 and own_tags(dm) == []
    assert not _labels(catalog, dm) & {"accounting", "graphic design", "machine learning"}


# ---- titles and summaries --------------------------------------------------------------------------------------


def test_text_links_keep_to_the_credentials_subject(
    catalog: Catalog, editorial: dict[str, list[str]]
) -> None:
    for cred in catalog.credentials.values():
        if cred.id in editorial or re.search(r"teach|tutor|instruct|pedagog|TESOL|TEFL", cred.name, re.I):
            continue
        assert not any(label.startswith("teach ") for label in _labels(catalog, cred)), cred.id
    # A language only for a language course; another sense of a title's words never.
    assert _labels(catalog, catalog.credentials["edx-japanese-business-management"]).isdisjoint(
        {"Japanese", "write Japanese", "understand written Japanese"}
    )
    assert "Icelandic" not in _labels(catalog, catalog.credentials["edx-the-medieval-icelandic-sagas"])
    assert "understand written Japanese" in _labels(
        catalog, catalog.credentials["edx-steps-in-japanese-for-beginners1-part2"]
    )
    assert "graphic design" not in _labels(catalog, catalog.credentials["edx-computer-graphics"])
    assert "product data management" not in _labels(
        catalog, catalog.credentials["edx-product-management-fundamentals"]
    )
    # edX's subject ("Computer Science") is not what a course teaches.
    cs = Counter(u for c in catalog.credentials.values() if c.id.startswith("edx-") for u in c.skills)
    computer_science = next(s.uri for s in catalog.skills.values() if s.label == "computer science")
    assert cs[computer_science] < 20  # was 64, most from "Subject: Computer Science."


# ---- the judged sample -----------------------------------------------------------------------------------------


def test_judged_sample_meets_the_target() -> None:
    suite = _load(EVALS_DIR / "skill_link_eval.py")
    rows = suite.read_sample()
    assert len(rows) >= 200
    assert set(Counter(r["source"] for r in rows)) == {"curated", "roadmap", "coursera", "edx"}
    result = suite.run()
    assert result["metrics"]["wrong_rate"] <= suite.TARGET
    assert result["metrics"]["no_longer_present"] <= len(rows) // 10, "many sampled links changed: re-draw"
