"""Drafts (coach.presenter) and the claim checker (coach.claims): grounded, status-honest, varied, and safe with a
chat model that tries to add facts."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.claims import allowed_facts, find_unsupported_claims
from coach.errors import BadInput, NotFound
from coach.models import Pathway, PathwayStep, PostingAnalysis, Profile, Requirement, SkillRef
from coach.presenter import Drafts, draft_all

DATA = Path(__file__).parent / "data"
SAMPLE_PROFILES = sorted((DATA / "profiles").glob("*.json"))
OWN_PROFILES = sorted((DATA / "presenter_profiles").glob("*.json"))
TODAY = date(2026, 11, 24)
ESCO = "http://data.europa.eu/esco/skill/"


def load_profile(path: Path) -> Profile:
    return Profile.model_validate(json.loads(path.read_text(encoding="utf-8")))


def security_pathway() -> Pathway:
    """A plan: Security+ ending in week 12 (→ February 2027 from TODAY) and a portfolio project in week 18."""
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
                cost=404,
                hours=90,
                skills=[SkillRef(uri=ESCO + "s-netsec", label="network security")],
                url="https://www.comptia.org/certifications/security",
            ),
            PathwayStep(
                id="work:portfolio_project:incident-report",
                name="Incident response write-up",
                kind="portfolio_project",
                start_week=13,
                end_week=18,
                skills=[SkillRef(uri=ESCO + "s-netsec", label="network security")],
            ),
        ],
    )


def pathway_for(profile: Profile, catalog) -> Pathway:
    """A per-learner plan, as a planner would make: two catalogue credentials the learner does not hold, paced by
    their hours per week, then a portfolio project on their target."""
    import hashlib
    import math

    held = {c.name.lower() for c in profile.credentials}
    options = sorted(
        (c for c in catalog.credentials.values() if c.name.lower() not in held),
        key=lambda c: hashlib.sha256(f"{profile.name}|{c.id}".encode()).hexdigest(),
    )[:2]
    pace = profile.constraints.hours_per_week or 5
    steps, week = [], 1
    for cred in options:
        end = week + math.ceil(60 / pace)
        skills = [SkillRef(uri=u, label=catalog.skill_label(u)) for u in cred.skills[:1]]
        steps.append(
            PathwayStep(
                id=cred.id,
                name=cred.name,
                kind="certification",
                provider=cred.provider,
                start_week=week,
                end_week=end,
                skills=skills,
                url=cred.url,
            )
        )
        week = end + 1
    topic = profile.target.role or profile.current_role or "my field"
    steps.append(
        PathwayStep(
            id="work:portfolio_project:case-study",
            name=f"Case study for {topic}",
            kind="portfolio_project",
            start_week=week,
            end_week=week + 4,
            skills=steps[0].skills if steps else [],
        )
    )
    return Pathway(status="optimal", target=profile.target.role or "", steps=steps)


@pytest.fixture
def ana() -> Profile:
    return load_profile(DATA / "profiles" / "ana_retail_to_security.json")


def test_sample_profiles_are_present() -> None:
    assert len(SAMPLE_PROFILES) >= 10, (
        "the ten sample profiles in tests/data/profiles are the drafts' test inputs"
    )


# ---- grounding: nothing the inputs do not hold --------------------------------------------------------------


def _input_text(profile: Profile, pathway: Pathway | None) -> str:
    parts = [profile.model_dump_json()]
    if pathway is not None:
        parts.append(pathway.model_dump_json())
    return " ".join(parts)


@pytest.mark.parametrize("path", SAMPLE_PROFILES + OWN_PROFILES, ids=lambda p: p.stem)
def test_offline_drafts_name_nothing_absent_from_inputs(path: Path, presenter_catalog) -> None:
    profile = load_profile(path)
    pathway = security_pathway()
    drafts = draft_all(profile, pathway, today=TODAY, catalog=presenter_catalog)
    texts = [text for _, text in drafts.texts()]
    assert texts and all(t.strip() for t in texts)
    blob = "\n".join(texts)
    inputs = _input_text(profile, pathway)
    # The claim checker finds nothing...
    allowed = allowed_facts(profile, pathway, None, presenter_catalog, today=TODAY)
    for label, text in drafts.texts():
        assert find_unsupported_claims(text, allowed) == [], (label, text)
    # ...and independent checks agree. Numbers: every digit run is in the inputs or a computed expected year.
    computed_years = {"2026", "2027"}
    # …and the years in the current role, worked out from that job's start month ("about 6 years in the role")
    for e in profile.experience:
        if e.end is None and e.start and e.title.casefold() == (profile.current_role or "").casefold():
            months = TODAY.year * 12 + TODAY.month - int(e.start[:4]) * 12 - int(e.start[5:7])
            computed_years |= {str(round(months / 12)), str(months // 12)}
    input_numbers = set(re.findall(r"\d+", inputs))
    for number in re.findall(r"\d+", blob):
        assert number in input_numbers or number in computed_years, (number, blob)
    # Credentials from the catalogue that the learner does not have or plan never appear.
    for cred in presenter_catalog.credentials.values():
        if cred.name.lower() not in inputs.lower():
            assert cred.name.lower() not in blob.lower()
    assert "CISSP" not in blob or "CISSP" in inputs
    # Skills from the catalogue's skill space that are not in the inputs never appear.
    for skill in ("lead a team", "analyse big data", "manage ICT risks"):
        if skill not in inputs:
            assert skill not in blob
    # Employers of the other sample learners never leak into this learner's drafts.
    for other in SAMPLE_PROFILES:
        if other == path:
            continue
        for exp in load_profile(other).experience:
            org = exp.organization
            if org and org.lower() not in inputs.lower():
                assert org not in blob, (org, path.stem)


def test_claim_checker_flags_each_kind_of_addition(ana: Profile, presenter_catalog) -> None:
    allowed = allowed_facts(ana, security_pathway(), None, presenter_catalog, today=TODAY)
    ok = "I resolved 40 customer issues a week at Corner Books and earned CompTIA A+ in May 2026."
    assert find_unsupported_claims(ok, allowed) == []
    cases = {
        "I hold the CISSP.": "CISSP",
        "I hold Certified Information Systems Security Professional (CISSP).": "certified information systems",
        "I worked at Deloitte for a while.": "Deloitte",
        "I cut incident response time by 35%.": "35%",
        "I managed a budget of $25,000.": "$25,000",
        "I trained seventeen new hires.": "seventeen",
        "I earned it in 2019.": "2019",
        "Expected June 2031.": "June 2031",
        "I also lead a team.": "lead a team",
        "I passed Network+ too.": "Network+",
    }
    for text, expected in cases.items():
        problems = find_unsupported_claims(text, allowed)
        assert any(expected.lower() in p.lower() for p in problems), (text, problems)


def test_claim_checker_accepts_computed_expected_dates(ana: Profile) -> None:
    allowed = allowed_facts(ana, security_pathway(), None, None, today=TODAY)
    assert find_unsupported_claims("CompTIA Security+, expected February 2027.", allowed) == []
    assert find_unsupported_claims("CompTIA Security+, expected January 2027.", allowed) != []


# ---- status: earned, in progress and planned are never blurred ------------------------------------------------


def test_statuses_and_expected_dates_are_explicit(ana: Profile, presenter_catalog) -> None:
    drafts = draft_all(ana, security_pathway(), today=TODAY, catalog=presenter_catalog)
    by_name = {c.name: c for c in drafts.credentials}
    assert by_name["CompTIA A+"].status == "earned"
    assert by_name["CompTIA A+"].date_label == "earned May 2026"
    assert by_name["Google Cybersecurity Professional Certificate"].status == "in_progress"
    assert by_name["Google Cybersecurity Professional Certificate"].date_label == "expected December 2026"
    # 2026-11-24 + 12 weeks = 2027-02-16.
    assert by_name["CompTIA Security+"].status == "planned"
    assert by_name["CompTIA Security+"].date_label == "expected February 2027"
    assert by_name["Incident response write-up"].kind == "portfolio_project"
    bullets = {b.item: b for b in drafts.resume_bullets}
    assert "expected February 2027" in bullets["CompTIA Security+"].text
    assert "planned" in bullets["CompTIA Security+"].text.lower()
    assert "December 2026" in bullets["Google Cybersecurity Professional Certificate"].text
    assert "earned" not in bullets["Google Cybersecurity Professional Certificate"].text.lower()
    linkedin = {e.name: e for e in drafts.linkedin.certifications}
    assert linkedin["CompTIA A+"].issue_date == "May 2026"
    assert linkedin["CompTIA A+"].issuing_organization == "CompTIA"
    assert linkedin["CompTIA A+"].credential_url == "https://www.comptia.org/certifications/a"
    assert linkedin["CompTIA Security+"].issue_date is None and "expected February 2027" in (
        linkedin["CompTIA Security+"].note or ""
    )
    assert "Incident response write-up" not in linkedin  # a project is not a certification
    # Every text that names a pending credential says it is pending.
    for _, text in drafts.texts():
        if "CompTIA Security+" in text:
            assert "expected February 2027" in text or "planned" in text.lower(), text


def test_earned_credential_bullet_cites_profile_evidence(ana: Profile, presenter_catalog) -> None:
    drafts = draft_all(ana, None, today=TODAY, catalog=presenter_catalog)
    bullet = next(b for b in drafts.resume_bullets if b.item == "CompTIA A+")
    evidence = [e for exp in ana.experience for e in exp.evidence]
    assert bullet.evidence in evidence
    assert bullet.evidence.split()[1] in bullet.text  # the learner's own words are in the bullet
    assert bullet.evidence_from


def test_star_points_use_profile_experience_and_never_invent_results(presenter_catalog) -> None:
    profile = load_profile(DATA / "profiles" / "ana_retail_to_security.json")
    drafts = draft_all(profile, None, today=TODAY, catalog=presenter_catalog)
    assert drafts.talking_points
    for point in drafts.talking_points:
        assert point.situation and point.task and point.action and point.result
        if not point.result_stated:
            assert (
                "not record" in point.result
                or "none are recorded" in point.result
                or "not recorded" in point.result
            )
    stated = [p for p in drafts.talking_points if p.result_stated]
    assert any("40 customer issues" in p.result for p in stated)


def test_cover_letter_leads_with_met_requirements(ana: Profile, presenter_catalog) -> None:
    posting = PostingAnalysis(
        title="Junior Security Analyst",
        requirements=[
            Requirement(
                text="SIEM tuning experience", start=0, end=22, kind="skill", required=True, match="missing"
            ),
            Requirement(
                text="customer service",
                start=30,
                end=46,
                kind="soft_skill",
                required=True,
                match="met",
                evidence=["Resolved 40 customer issues a week"],
            ),
            Requirement(text="CompTIA A+", start=50, end=60, kind="certification", required=False),
        ],
    )
    drafts = draft_all(ana, security_pathway(), posting, today=TODAY, catalog=presenter_catalog)
    letter = drafts.cover_letter or ""
    assert drafts.cover_letter_for == "Junior Security Analyst"
    first_met = letter.find("customer service")
    assert 0 <= first_met < letter.find("CompTIA A+") or "CompTIA A+" not in letter
    assert "40 customer issues" in letter
    assert "SIEM" not in letter[: letter.find("40 customer issues")]  # a gap never leads
    allowed = allowed_facts(ana, security_pathway(), posting, presenter_catalog, today=TODAY)
    assert find_unsupported_claims(letter, allowed) == []


def test_headline_fits_linkedin_limit(presenter_catalog) -> None:
    for path in SAMPLE_PROFILES:
        drafts = draft_all(load_profile(path), security_pathway(), today=TODAY, catalog=presenter_catalog)
        assert 0 < len(drafts.linkedin.headline) <= 220


def test_drafts_are_deterministic(ana: Profile, presenter_catalog) -> None:
    first = draft_all(ana, security_pathway(), today=TODAY, catalog=presenter_catalog)
    second = draft_all(ana, security_pathway(), today=TODAY, catalog=presenter_catalog)
    assert first.model_dump() == second.model_dump()


# ---- variety: ten learners do not get the same sentences ------------------------------------------------------


def _sentences(drafts: Drafts) -> list[str]:
    out = []
    for _, text in drafts.texts():
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    return out


def test_ten_profiles_get_clearly_different_drafts(presenter_catalog) -> None:
    per_learner = []
    for path in SAMPLE_PROFILES[:10]:
        profile = load_profile(path)
        drafts = draft_all(
            profile, pathway_for(profile, presenter_catalog), today=TODAY, catalog=presenter_catalog
        )
        per_learner.append(set(_sentences(drafts)))
    seen: dict[str, int] = {}
    for sentences in per_learner:
        for s in sentences:
            seen[s] = seen.get(s, 0) + 1
    total = sum(len(s) for s in per_learner)
    shared = sum(1 for sentences in per_learner for s in sentences if seen[s] > 1)
    assert total > 100
    assert shared / total < 0.05, [s for s, n in seen.items() if n > 1]


def test_phrasing_varies_between_learners_for_the_same_slot(presenter_catalog) -> None:
    """Same pathway, different learners: the planned Security+ bullet uses more than one phrasing."""
    openings = set()
    for path in SAMPLE_PROFILES[:10]:
        drafts = draft_all(load_profile(path), security_pathway(), today=TODAY, catalog=presenter_catalog)
        bullet = next((b for b in drafts.resume_bullets if b.item == "CompTIA Security+"), None)
        if bullet is not None and bullet.status == "planned":
            openings.add(bullet.text.split("CompTIA Security+")[0])
    assert len(openings) >= 2, openings


# ---- a chat model rewrites; the claim checker keeps it honest ---------------------------------------------------


def test_model_that_adds_a_credential_is_rejected(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    offline = draft_all(ana, security_pathway(), today=TODAY, catalog=presenter_catalog)
    model = scripted_chat_model(lambda text: text + " I also hold the CISSP.")
    drafts = draft_all(ana, security_pathway(), model=model, today=TODAY, catalog=presenter_catalog)
    assert drafts.texts() == offline.texts()  # every rewrite fell back to the offline text
    assert drafts.rewritten == []
    assert len(drafts.notices) == len(model.history) > 5
    assert all("CISSP" in n and "rejected" in n for n in drafts.notices)
    assert "CISSP" not in " ".join(t for _, t in drafts.texts())


@pytest.mark.parametrize(
    ("addition", "flag"),
    [
        (" Previously I worked at Deloitte.", "Deloitte"),
        (" This cut response times by 35%.", "35%"),
        (" I also bring Python (computer programming).", "python"),
        (" I managed a $25,000 budget.", "$25,000"),
    ],
)
def test_model_that_adds_an_employer_number_or_skill_is_rejected(
    ana: Profile, presenter_catalog, scripted_chat_model, addition: str, flag: str
) -> None:
    model = scripted_chat_model(lambda text: text + addition)
    drafts = draft_all(ana, None, model=model, today=TODAY, catalog=presenter_catalog)
    blob = " ".join(t for _, t in drafts.texts())
    assert addition.strip() not in blob
    assert drafts.notices and all(flag.lower() in n.lower() for n in drafts.notices)


def test_model_that_promotes_a_pending_credential_to_earned_is_rejected(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    def promote(text: str) -> str:
        return (
            text.replace("expected", "earned")
            .replace("Working towards", "Earned")
            .replace("In progress", "Earned")
            .replace("Planned", "Earned")
            .replace("planned", "earned")
        )

    model = scripted_chat_model(promote)
    drafts = draft_all(ana, security_pathway(), model=model, today=TODAY, catalog=presenter_catalog)
    for bullet in drafts.resume_bullets:
        if bullet.status != "earned":
            assert "expected" in bullet.text or "planned" in bullet.text.lower(), bullet.text
    assert any("dropped the status" in n for n in drafts.notices)


def test_faithful_rewrites_are_kept_and_the_model_sees_rules_and_facts(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    model = scripted_chat_model(lambda text: "  " + text.replace(", and", "; and") + "  ")
    drafts = draft_all(ana, security_pathway(), model=model, today=TODAY, catalog=presenter_catalog)
    assert drafts.notices == []
    assert len(drafts.rewritten) == len(model.history) > 5
    assert drafts.model == "ScriptedChatModel"
    system, human = model.history[0][0].content, model.history[0][1].content
    assert "Use ONLY the facts" in system and "in progress" in system
    assert "Ana Diaz" in human and "CompTIA A+" in human and "Text to rewrite:" in human


def test_model_failure_falls_back_to_offline_text(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    def boom(text: str) -> str:
        raise ConnectionError("no route to model")

    offline = draft_all(ana, None, today=TODAY, catalog=presenter_catalog)
    drafts = draft_all(ana, None, model=scripted_chat_model(boom), today=TODAY, catalog=presenter_catalog)
    assert drafts.texts() == offline.texts()
    assert drafts.notices and all("ConnectionError" in n for n in drafts.notices)


# ---- bad input -----------------------------------------------------------------------------------------------


def test_empty_profile_is_refused(presenter_catalog) -> None:
    with pytest.raises(BadInput, match="profile is empty"):
        draft_all(Profile(), None, today=TODAY, catalog=presenter_catalog)


def test_plan_with_unknown_credential_is_refused(ana: Profile, presenter_catalog) -> None:
    plan = security_pathway()
    plan.steps.append(
        PathwayStep(
            id="no-such-credential", name="Made-up Cert", kind="certification", start_week=1, end_week=2
        )
    )
    with pytest.raises(NotFound, match="no-such-credential"):
        draft_all(ana, plan, today=TODAY, catalog=presenter_catalog)


def _run_cli(monkeypatch, catalog, *args: str) -> int:
    import coach.knowledge
    from coach.cli import main

    monkeypatch.setattr(coach.knowledge, "get_catalog", lambda: catalog)
    _use_catalog(monkeypatch, catalog)
    monkeypatch.setattr(sys, "argv", ["coach", *args])
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    return int(exc.value.code or 0)


def test_cli_reports_bad_input_in_one_line(tmp_path: Path, monkeypatch, capsys, presenter_catalog) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    plan = tmp_path / "plan.json"
    bad_plan = security_pathway()
    bad_plan.steps[0].id = "no-such-credential"
    plan.write_text(bad_plan.model_dump_json())
    ana = str(DATA / "profiles" / "ana_retail_to_security.json")
    cases = [
        (["draft", "--profile", str(empty)], "profile is empty"),
        (["draft", "--profile", ana, "--plan", str(plan)], "no-such-credential"),
        (["draft", "--profile", str(tmp_path / "missing.json")], "not found"),
        (["draft", "--profile", ana, "--format", "pdf"], "unknown --format"),
        (["draft", "--profile", ana, "--format", "docx"], "needs --out"),
    ]
    for args, message in cases:
        code = _run_cli(monkeypatch, presenter_catalog, *args)
        err = capsys.readouterr().err.strip()
        assert code == 1, (args, err)
        assert message in err and "Traceback" not in err and len(err.splitlines()) == 1, err


def test_cli_drafts_markdown(tmp_path: Path, monkeypatch, capsys, presenter_catalog) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(security_pathway().model_dump_json())
    ana = str(DATA / "profiles" / "ana_retail_to_security.json")
    code = _run_cli(
        monkeypatch,
        presenter_catalog,
        "draft",
        "--profile",
        ana,
        "--plan",
        str(plan),
        "--today",
        "2026-11-24",
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# Drafts for Ana Diaz")
    assert "CompTIA Security+ (CompTIA): Planned, expected February 2027" in out
    assert "## Interview talking points (STAR)" in out


def test_model_cannot_claim_a_planned_credential_is_held(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    """Security+ is in the plan (so its name is in the inputs), but saying it is held is still rejected."""
    model = scripted_chat_model(lambda text: text + " I also hold CompTIA Security+.")
    drafts = draft_all(ana, security_pathway(), model=model, today=TODAY, catalog=presenter_catalog)
    for label, text in drafts.texts():
        assert "I also hold CompTIA Security+" not in text, label
    assert any("brought in 'CompTIA Security+'" in n for n in drafts.notices)


def test_percentages_and_amounts_need_a_matching_percentage_or_amount(ana: Profile) -> None:
    pathway = security_pathway()
    pathway.steps[0].hours = 35  # 35 is in the inputs as hours, not as a percentage or a price
    allowed = allowed_facts(ana, pathway, None, None, today=TODAY)
    assert find_unsupported_claims("It took 35 hours.", allowed) == []
    assert any("35%" in p for p in find_unsupported_claims("It cut costs by 35%.", allowed))
    assert any("$35" in p for p in find_unsupported_claims("It cost $35.", allowed))
    assert find_unsupported_claims("The exam costs $404.", allowed) == []  # the step's cost


def test_held_claim_inside_a_pending_sentence_is_rejected(
    ana: Profile, presenter_catalog, scripted_chat_model
) -> None:
    """'... (expected December 2026) I also hold X' shares a sentence with a pending word; it is still caught."""
    name = "Google Cybersecurity Professional Certificate"
    model = scripted_chat_model(lambda text: text.rstrip(".") + f" and I have earned the {name}.")
    drafts = draft_all(ana, None, model=model, today=TODAY, catalog=presenter_catalog)
    assert all(f"I have earned the {name}" not in text for _, text in drafts.texts())
    assert any(name in n and "without saying it is in progress" in n for n in drafts.notices)


def test_a_pending_credential_past_its_expected_date_gets_a_notice(ana: Profile, presenter_catalog) -> None:
    drafts = draft_all(ana, None, today=date(2027, 3, 1), catalog=presenter_catalog)
    assert any(
        "Google Cybersecurity Professional Certificate was expected December 2026" in n
        for n in drafts.notices
    )


def test_cli_tailors_the_cover_letter_to_a_posting_analysis(
    tmp_path: Path, monkeypatch, capsys, presenter_catalog
) -> None:
    posting = PostingAnalysis(
        title="Junior Security Analyst",
        requirements=[
            Requirement(
                text="customer service",
                start=0,
                end=16,
                kind="soft_skill",
                match="met",
                evidence=["Resolved 40 customer issues a week"],
            )
        ],
    )
    posting_file = tmp_path / "posting.json"
    posting_file.write_text(posting.model_dump_json())
    ana = str(DATA / "profiles" / "ana_retail_to_security.json")
    code = _run_cli(
        monkeypatch,
        presenter_catalog,
        "draft",
        "--profile",
        ana,
        "--posting",
        str(posting_file),
        "--format",
        "json",
    )
    drafts = Drafts.model_validate_json(capsys.readouterr().out)
    assert code == 0
    assert drafts.cover_letter_for == "Junior Security Analyst"
    assert "customer service" in (drafts.cover_letter or "") and "40 customer issues" in (
        drafts.cover_letter or ""
    )


# ---- property: for any profile and plan, the offline drafts invent nothing ----------------------------------


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)
_NAME = st.builds(lambda a, b: f"{a.capitalize()} {b.capitalize()}", _WORD, _WORD)
_ORG = st.builds(
    lambda a, b, c: f"{a.capitalize()} {b.capitalize()} {c}",
    _WORD,
    _WORD,
    st.sampled_from(["Ltd", "Inc", "Group"]),
)
_VERB = st.sampled_from(["Resolved", "Built", "Configured", "Trained", "Audited", "Led", "Wrote", "Reduced"])
_EVIDENCE = st.builds(
    lambda v, n, a, b: f"{v} {n} {a} {b}", _VERB, st.integers(min_value=1, max_value=999), _WORD, _WORD
)
_MONTH = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2015, 2027), st.integers(1, 12))
_HELD = st.builds(
    lambda name, status, when: {"name": name, "status": status, "date": when},
    st.sampled_from(["CompTIA A+", "Google Data Analytics Professional Certificate", "Forklift licence"]),
    st.sampled_from(["earned", "in_progress", "planned"]),
    st.one_of(st.none(), _MONTH),
)
_EXPERIENCE = st.builds(
    lambda kind, title, org, start, ev: {
        "kind": kind,
        "title": title.capitalize(),
        "organization": org,
        "start": start,
        "evidence": ev,
    },
    st.sampled_from(["job", "internship", "apprenticeship", "project", "volunteer"]),
    _WORD,
    st.one_of(st.none(), _ORG),
    st.one_of(st.none(), _MONTH),
    st.lists(_EVIDENCE, min_size=0, max_size=3),
)
_PROFILE = st.builds(
    lambda name, role, skills, creds, exps: Profile.model_validate(
        {
            "name": name,
            "current_role": role,
            "skills": skills,
            "credentials": creds,
            "experience": exps,
            "target": {"role": "15-1212.00"},
        }
    ),
    _NAME,
    st.one_of(st.none(), _WORD),
    st.lists(_WORD, max_size=4),
    st.lists(_HELD, max_size=3, unique_by=lambda c: c["name"]),
    st.lists(_EXPERIENCE, max_size=3),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=_PROFILE, end_week=st.integers(1, 150), project=_WORD)
def test_property_offline_drafts_invent_nothing(
    profile: Profile, end_week: int, project: str, presenter_catalog
) -> None:
    pathway = Pathway(
        status="feasible",
        steps=[
            PathwayStep(
                id="comptia-security-plus",
                name="CompTIA Security+",
                kind="certification",
                start_week=1,
                end_week=end_week,
            ),
            PathwayStep(
                id=f"work:portfolio_project:{project}",
                name=f"{project.capitalize()} project",
                kind="portfolio_project",
                start_week=end_week,
                end_week=end_week + 3,
            ),
        ],
    )
    drafts = draft_all(profile, pathway, today=TODAY, catalog=presenter_catalog)
    allowed = allowed_facts(
        profile, pathway, None, presenter_catalog, today=TODAY, include_catalog_skills=False
    )
    inputs = _input_text(profile, pathway)
    numbers = set(re.findall(r"\d+", inputs)) | {str(y) for y in range(2026, 2031)}
    for label, text in drafts.texts():
        assert find_unsupported_claims(text, allowed) == [], (label, text)
        assert set(re.findall(r"\d+", text)) <= numbers, (label, text)
        assert "CISSP" not in text and "Deloitte" not in text
    for bullet in drafts.resume_bullets:
        if bullet.status != "earned":
            assert (
                "expected" in bullet.text
                or "planned" in bullet.text.lower()
                or "progress" in bullet.text.lower()
            )


def test_claim_checker_reads_language_names_whole() -> None:
    from coach.claims import AllowedFacts

    allowed = AllowedFacts()
    allowed.add_text("Wrote services in C++ and C# for CompTIA Security+ labs")
    for ok in ("I wrote C++ and C# services.", "I hold Security+."):
        assert find_unsupported_claims(ok, allowed) == [], ok
    assert find_unsupported_claims("I hold Network+.", allowed) != []
    assert find_unsupported_claims("I wrote F# services.", allowed) != []


def test_pitch_takes_about_thirty_seconds(presenter_catalog) -> None:
    """Spoken at about 150 words a minute, 30 seconds is roughly 50-100 words."""
    for path in SAMPLE_PROFILES:
        drafts = draft_all(load_profile(path), security_pathway(), today=TODAY, catalog=presenter_catalog)
        assert 30 <= len(drafts.pitch.split()) <= 100, (path.stem, drafts.pitch)


def test_verb_skill_labels_are_written_as_gerunds_and_stay_grounded(ana: Profile, presenter_catalog) -> None:
    """ESCO labels are verb phrases; drafts write 'implementing a firewall', which is then an allowed form."""
    from coach.models import Skill

    uri = ESCO + "s-firewall"
    presenter_catalog.skills[uri] = Skill(
        uri=uri, label="implement a firewall", alt_labels=["implementing a firewall"]
    )
    pathway = security_pathway()
    pathway.steps[0].skills = [SkillRef(uri=uri, label="implement a firewall")]
    drafts = draft_all(ana, pathway, today=TODAY, catalog=presenter_catalog)
    bullet = next(b for b in drafts.resume_bullets if b.item == "CompTIA Security+")
    assert "implementing a firewall" in bullet.text or "implement a firewall" not in bullet.text
    allowed = allowed_facts(ana, pathway, None, presenter_catalog, today=TODAY, include_catalog_skills=False)
    for label, text in drafts.texts():
        assert find_unsupported_claims(text, allowed) == [], (label, text)


def test_posting_evidence_labels_become_first_person_sentences(ana: Profile) -> None:
    """Posting analyses label evidence ('skill: X', 'credential: X (earned)', 'Title at Org: line')."""
    from coach.presenter import evidence_sentence

    assert evidence_sentence("credential: CompTIA A+ (earned)", ana) == "I hold CompTIA A+"
    assert (
        evidence_sentence("credential: Google Cybersecurity Professional Certificate (in progress)", ana)
        is None
    )
    assert evidence_sentence("skill: customer service", ana) == "customer service is among my core skills"
    assert (
        evidence_sentence("Sales associate at Corner Books: Resolved 40 customer issues a week", ana)
        == "I resolved 40 customer issues a week (Sales associate at Corner Books)"
    )
    assert (
        evidence_sentence("Resolved 40 customer issues a week", ana) == "I resolved 40 customer issues a week"
    )


def test_evidence_is_still_chosen_when_every_line_was_used_often() -> None:
    """Reuse lowers a line's score below zero; the best line must still be found (it once crashed)."""
    from coach.presenter import PresentedCredential
    from coach.presenter.evidence import _best_evidence, _Evidence

    pool = [_Evidence(text="Built a home lab firewall", where="Home lab", kind="project", experience=0)]
    item = PresentedCredential(name="Network+", status="planned", skills=["firewalls"])
    used = {0: 3}
    assert _best_evidence(item, pool, used) == pool[0]
    assert used == {0: 4}


def _use_catalog(monkeypatch: pytest.MonkeyPatch, catalog) -> None:  # type: ignore[no-untyped-def]
    """The CLI's context (coach.context.process_context) over `catalog` instead of the knowledge base."""
    import coach.context
    from coach.settings import get_settings

    monkeypatch.setattr(
        coach.context, "process_context", lambda: coach.context.CoachContext(get_settings(), catalog=catalog)
    )


def test_years_in_the_current_role_are_said_and_the_experience_they_meet_leads_the_letter(
    presenter_catalog,
) -> None:  # type: ignore[no-untyped-def]
    from coach.presenter.exports import to_json_resume

    # What the chat records from "I've been a retail supervisor for five years": a dated job, no evidence lines.
    learner = Profile(
        name="Rosa Lind",
        current_role="Retail supervisor",
        experience=[{"kind": "job", "title": "Retail supervisor", "start": "2021-01", "years_stated": 5}],
    )
    posting = PostingAnalysis(
        title="Warehouse Shift Supervisor",
        requirements=[
            Requirement(
                text="1 year of experience supervising or leading a team", start=0, end=52, kind="experience",
                required=True, years=1, match="met",
                evidence=["job: Retail supervisor (5.0 years)", "5.0 years of relevant work in total"],
            ),
            Requirement(text="Lead weekly safety meetings", start=60, end=87, kind="skill", required=True,
                        match="missing"),
            Requirement(text="weekly safety meetings", start=65, end=87, kind="knowledge", required=True,
                        match="missing"),
        ],
    )  # fmt: skip
    drafts = draft_all(learner, security_pathway(), posting, today=TODAY, catalog=presenter_catalog)
    assert "about 5 years" in drafts.linkedin.about and "about 5 years" in drafts.pitch
    letter = drafts.cover_letter or ""
    assert "I have worked as a retail supervisor for 5 years" in letter
    assert letter.count("weekly safety meetings") <= 1  # overlapping gaps said once, if at all
    no_plan = draft_all(learner, None, posting, today=TODAY, catalog=presenter_catalog).cover_letter or ""
    assert no_plan.count("weekly safety meetings") == 1 and "lead weekly safety meetings" in no_plan
    assert letter.count(". ") >= 2  # a paragraph, not one sentence
    allowed = allowed_facts(learner, security_pathway(), posting, presenter_catalog, today=TODAY)
    for _, text in drafts.texts():
        assert find_unsupported_claims(text, allowed) == []
    work = to_json_resume(learner, drafts)["work"]
    assert [(w["position"], w["startDate"]) for w in work] == [("Retail supervisor", "2021-01")]
    # Without a start or stated years, no years are said.
    undated = Profile(name="Rosa Lind", current_role="Retail supervisor")
    plain = draft_all(undated, security_pathway(), today=TODAY, catalog=presenter_catalog)
    assert "years" not in plain.linkedin.about and "years" not in plain.pitch
