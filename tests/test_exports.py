"""Exports (coach.presenter.exports): JSON Resume and Open Badges 3.0 valid against the official schemas kept in the repo,
VC-JWT signatures that verify (and fail when tampered with), Markdown and DOCX for people, and the CLI formats."""

from __future__ import annotations

import copy
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from coach.errors import BadInput
from coach.models import Pathway, PathwayStep, Profile, SkillRef
from coach.presenter import draft_all
from coach.presenter.exports import (
    OB_CONTEXT,
    VC_CONTEXT,
    b64url_json,
    badge_bundle,
    did_key,
    generate_key,
    public_key_from_did,
    sign_open_badge,
    to_docx,
    to_json_resume,
    to_markdown,
    to_open_badges,
    validate_json_resume,
    validate_open_badge,
    verify_open_badge_jwt,
)

DATA = Path(__file__).parent / "data"
PROFILES = sorted((DATA / "profiles").glob("*.json")) + sorted((DATA / "presenter_profiles").glob("*.json"))
SCHEMAS = Path(__file__).parent.parent / "knowledge_base" / "schemas"
TODAY = date(2026, 11, 24)
ESCO = "http://data.europa.eu/esco/skill/"


def load(path: Path) -> Profile:
    return Profile.model_validate(json.loads(path.read_text(encoding="utf-8")))


def plan() -> Pathway:
    return Pathway(
        status="optimal",
        target="15-1212.00",
        steps=[
            PathwayStep(
                id="comptia-security-plus",
                name="CompTIA Security+",
                kind="certification",
                provider="CompTIA",
                start_week=1,
                end_week=12,
                skills=[SkillRef(uri=ESCO + "s-netsec", label="network security")],
            )
        ],
    )


@pytest.fixture
def ana() -> Profile:
    return load(DATA / "profiles" / "ana_retail_to_security.json")


def test_schema_copies_are_the_official_documents() -> None:
    resume = json.loads((SCHEMAS / "jsonresume_schema_v1.3.1.json").read_text())
    badge = json.loads((SCHEMAS / "ob_v3p0_achievementcredential_schema.json").read_text())
    assert resume["title"] == "Resume Schema" and "certificates" in resume["properties"]
    assert badge["title"] == "JSON Schema for the AchievementCredential class."
    assert "ceasn:Competency" in json.dumps(badge["$defs"]["Alignment"])
    assert (SCHEMAS / "SOURCE.md").read_text().count("http") >= 2


# ---- JSON Resume -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_json_resume_is_valid_for_every_sample(path: Path, presenter_catalog) -> None:
    profile = load(path)
    drafts = draft_all(profile, plan(), today=TODAY, catalog=presenter_catalog)
    document = to_json_resume(profile, drafts)
    assert validate_json_resume(document, SCHEMAS) == []
    earned = {c.name for c in profile.credentials if c.status == "earned"}
    assert {c["name"] for c in document.get("certificates", [])} == earned  # never a pending one
    pending = document.get("meta", {}).get("pathwayCoach", {}).get("inProgressAndPlanned", [])
    assert all(p["status"] in ("in_progress", "planned") for p in pending)


def test_json_resume_sections_come_from_the_profile(ana: Profile, presenter_catalog) -> None:
    drafts = draft_all(ana, plan(), today=TODAY, catalog=presenter_catalog)
    doc = to_json_resume(ana, drafts)
    assert doc["basics"]["name"] == "Ana Diaz" and doc["basics"]["summary"] == drafts.linkedin.about
    assert doc["work"][0]["name"] == "Corner Books" and doc["work"][0]["startDate"] == "2021-03"
    assert "Resolved 40 customer issues a week" in doc["work"][0]["highlights"]
    assert doc["projects"][0]["name"] == "Home lab"
    assert [s["name"] for s in doc["skills"]] == ana.skills
    assert doc["certificates"] == [
        {
            "name": "CompTIA A+",
            "date": "2026-05",
            "issuer": "CompTIA",
            "url": "https://www.comptia.org/certifications/a",
        }
    ]
    names = [p["name"] for p in doc["meta"]["pathwayCoach"]["inProgressAndPlanned"]]
    assert names == ["Google Cybersecurity Professional Certificate", "CompTIA Security+"]


def test_json_resume_validator_rejects_a_broken_document(ana: Profile) -> None:
    doc = to_json_resume(ana)
    broken = copy.deepcopy(doc)
    broken["certificates"][0]["date"] = "May 2026"  # not ISO 8601
    broken["work"] = {"name": "not a list"}
    problems = validate_json_resume(broken, SCHEMAS)
    assert any("certificates/0/date" in p for p in problems)
    assert any(p.startswith("work") for p in problems)


# ---- Open Badges 3.0 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_open_badges_one_per_earned_credential_and_valid(path: Path, presenter_catalog) -> None:
    profile = load(path)
    drafts = draft_all(profile, plan(), today=TODAY, catalog=presenter_catalog)
    badges = to_open_badges(profile, drafts, catalog=presenter_catalog, today=TODAY)
    earned = [c.name for c in profile.credentials if c.status == "earned"]
    assert [b["credentialSubject"]["achievement"]["name"] for b in badges] == earned
    for badge in badges:
        assert validate_open_badge(badge, SCHEMAS) == []
        assert badge["@context"] == [VC_CONTEXT, OB_CONTEXT]
        assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert badge["credentialSubject"]["type"] == ["AchievementSubject"]
        assert "self-asserted" in badge["name"].lower()
        assert "Self-asserted" in badge["description"] and "not issued" in badge["description"]
        assert "Self-asserted" in badge["evidence"][0]["narrative"]


def test_open_badge_aligns_to_esco_skills_and_names_the_provider(ana: Profile, presenter_catalog) -> None:
    drafts = draft_all(ana, plan(), today=TODAY, catalog=presenter_catalog)
    (badge,) = to_open_badges(ana, drafts, catalog=presenter_catalog, today=TODAY)
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["criteria"]["id"] == "https://www.comptia.org/certifications/a"
    assert "220-1201, 220-1202" in achievement["criteria"]["narrative"]
    assert achievement["creator"]["name"] == "CompTIA"
    assert achievement["alignment"] == [
        {
            "type": ["Alignment"],
            "targetName": "troubleshoot ICT systems",
            "targetUrl": ESCO + "s-ict-troubleshoot",
            "targetFramework": "ESCO",
            "targetType": "ceasn:Competency",
            "targetCode": "s-ict-troubleshoot",
        }
    ]
    assert badge["awardedDate"] == "2026-05-01T00:00:00Z"
    assert badge["validFrom"] == "2026-11-24T00:00:00Z"
    assert (
        "Set up a Linux virtual machine" in badge["evidence"][0]["narrative"]
        or "Trained" in badge["evidence"][0]["narrative"]
    )


def test_open_badge_validator_rejects_a_broken_badge(ana: Profile, presenter_catalog) -> None:
    (badge,) = to_open_badges(ana, catalog=presenter_catalog, today=TODAY)
    broken = copy.deepcopy(badge)
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    broken["type"] = ["VerifiableCredential"]
    problems = validate_open_badge(broken, SCHEMAS)
    assert any("criteria" in p for p in problems)
    assert any(p.startswith("@context") for p in problems)
    assert any(p.startswith("type") for p in problems)


def test_no_badges_for_pending_credentials(presenter_catalog) -> None:
    profile = Profile(name="Sam", credentials=[{"name": "CompTIA Security+", "status": "in_progress"}])
    assert to_open_badges(profile, catalog=presenter_catalog, today=TODAY) == []


# ---- signing: VC-JWT with did:key ------------------------------------------------------------------------------


def test_signed_badge_verifies_and_tampering_fails(ana: Profile, presenter_catalog) -> None:
    key = generate_key()
    bundle = badge_bundle(ana, None, catalog=presenter_catalog, key=key, today=TODAY)
    did = did_key(key.public_key())
    assert did.startswith("did:key:z6Mk")  # the multibase prefix every Ed25519 did:key has
    assert bundle["issuer"] == did and bundle["self_asserted"] is True
    (credential,), (token,) = bundle["credentials"], bundle["vc_jwt"]
    assert credential["issuer"]["id"] == did and validate_open_badge(credential, SCHEMAS) == []
    header = b64url_json(token.split(".")[0])
    assert header["alg"] == "EdDSA" and header["kid"].startswith(did + "#")
    assert verify_open_badge_jwt(token) == credential
    # A changed payload, or a signature by another key, does not verify.
    head, _, sig = token.split(".")
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["achievement"]["name"] = "CISSP"
    import base64

    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(BadInput, match="does not verify"):
        verify_open_badge_jwt(f"{head}.{body}.{sig}")
    impostor = generate_key()
    relabelled = {**credential, "issuer": {**credential["issuer"], "id": did_key(impostor.public_key())}}
    token2 = sign_open_badge(relabelled, impostor)
    _, p2, s2 = token2.split(".")
    with pytest.raises(BadInput):
        verify_open_badge_jwt(f"{head}.{p2}.{s2}")  # the original issuer's kid with another key's signature


def test_did_key_round_trip() -> None:
    key = generate_key()
    did = did_key(key.public_key())
    assert public_key_from_did(did).public_bytes_raw() == key.public_key().public_bytes_raw()
    with pytest.raises(BadInput):
        public_key_from_did("did:web:example.com")


def test_signing_refuses_a_badge_issued_by_someone_else(ana: Profile, presenter_catalog) -> None:
    from coach.errors import CoachError

    (badge,) = to_open_badges(ana, catalog=presenter_catalog, today=TODAY)
    with pytest.raises(CoachError, match="did:key"):
        sign_open_badge(badge, generate_key())


# ---- Markdown and DOCX -----------------------------------------------------------------------------------------


def test_markdown_and_docx_carry_every_section(ana: Profile, presenter_catalog, tmp_path: Path) -> None:
    drafts = draft_all(ana, plan(), today=TODAY, catalog=presenter_catalog)
    markdown = to_markdown(drafts)
    for heading in (
        "## Credentials",
        "## Resume bullets",
        "## LinkedIn headline",
        "## LinkedIn About",
        "## LinkedIn: Licenses & certifications",
        "## Cover letter paragraph",
        "## Interview talking points (STAR)",
        "## 30-second pitch",
    ):
        assert heading in markdown
    assert "CompTIA Security+ (CompTIA): Planned, expected February 2027" in markdown
    assert "CompTIA A+ (CompTIA): Earned May 2026" in markdown
    for bullet in drafts.resume_bullets:
        assert f"- {bullet.text}" in markdown

    from docx import Document

    path = to_docx(drafts, tmp_path / "drafts.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert drafts.linkedin.headline in text and drafts.pitch in text
    assert all(b.text in text for b in drafts.resume_bullets)
    assert "Situation: " + drafts.talking_points[0].situation in text


# ---- CLI formats ---------------------------------------------------------------------------------------------


def _cli(monkeypatch, catalog, *args: str) -> int:
    import coach.knowledge
    from coach.cli import main

    monkeypatch.setattr(coach.knowledge, "get_catalog", lambda: catalog)
    _use_catalog(monkeypatch, catalog)
    monkeypatch.setattr(sys, "argv", ["coach", *args])
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    return int(exc.value.code or 0)


def test_cli_exports(tmp_path: Path, monkeypatch, capsys, presenter_catalog) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "home"))
    from coach.settings import get_settings

    get_settings.cache_clear()
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan().model_dump_json())
    ana = str(DATA / "profiles" / "ana_retail_to_security.json")
    base = ["draft", "--profile", ana, "--plan", str(plan_file), "--today", "2026-11-24"]
    try:
        assert _cli(monkeypatch, presenter_catalog, *base, "--format", "json-resume") == 0
        resume = json.loads(capsys.readouterr().out)
        assert validate_json_resume(resume, SCHEMAS) == [] and resume["basics"]["name"] == "Ana Diaz"

        assert _cli(monkeypatch, presenter_catalog, *base, "--format", "open-badges") == 0
        bundle = json.loads(capsys.readouterr().out)
        assert len(bundle["credentials"]) == 1 and len(bundle["vc_jwt"]) == 1
        assert verify_open_badge_jwt(bundle["vc_jwt"][0])["id"] == bundle["credentials"][0]["id"]
        key_files = list((tmp_path / "home" / "keys").glob("*.pem"))
        assert len(key_files) == 1 and oct(key_files[0].stat().st_mode & 0o777) == "0o600"

        assert _cli(monkeypatch, presenter_catalog, *base, "--format", "open-badges", "--no-sign") == 0
        assert "vc_jwt" not in json.loads(capsys.readouterr().out)

        assert _cli(monkeypatch, presenter_catalog, *base, "--format", "json") == 0
        assert json.loads(capsys.readouterr().out)["learner"] == "Ana Diaz"

        out = tmp_path / "drafts.docx"
        assert _cli(monkeypatch, presenter_catalog, *base, "--format", "docx", "--out", str(out)) == 0
        assert out.exists() and out.stat().st_size > 5000
    finally:
        get_settings.cache_clear()


def _use_catalog(monkeypatch: pytest.MonkeyPatch, catalog) -> None:  # type: ignore[no-untyped-def]
    """The CLI's context (coach.context.process_context) over `catalog` instead of the knowledge base."""
    import coach.context
    from coach.settings import get_settings

    monkeypatch.setattr(
        coach.context, "process_context", lambda: coach.context.CoachContext(get_settings(), catalog=catalog)
    )
