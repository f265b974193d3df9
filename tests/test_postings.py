"""Posting analysis: exact spans, sections, kinds, required vs preferred, the honest match, gaps, the CLI.

Most tests run on the real span tagger and catalogue with a small fake linker and embedder (word-overlap
vectors), so they are fast and their expectations do not move when the real linker is retuned. A few tests
use the real linker end to end.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from coach.errors import BadInput
from coach.models import Profile, RoleMatch, SkillRef
from coach.postings import (
    NOTHING_FOUND,
    analyze_posting,
    check_posting_text,
    find_salary,
    gap_credentials,
    infer_seniority,
    split_sections,
    split_sentences,
    tokenize,
)
from coach.postings.tagger import get_span_tagger

DATA = Path(__file__).parent / "data"
POSTINGS = sorted((DATA / "postings").glob("*.txt"))
TODAY = date(2026, 11, 1)


def posting(name: str) -> str:
    return (DATA / "postings" / f"{name}.txt").read_text(encoding="utf-8")


def profile(name: str) -> Profile:
    return Profile.model_validate(
        json.loads((DATA / "profiles" / f"{name}.json").read_text(encoding="utf-8"))
    )


# ---- fakes -----------------------------------------------------------------------------------------------------


class WordEmbedder:
    """Bag-of-words unit vectors: texts sharing words are similar, others are not (deterministic, instant)."""

    dim = 256

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z0-9+#]+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
        return out


class FakeLinker:
    """Links a text to a made-up skill URI per distinctive word; titles to one fixed role."""

    def __init__(self) -> None:
        self.embedder = WordEmbedder()
        self.calls = 0

    def rank_skills_batch(self, texts: list[str], top_k: int = 10) -> list[list[SkillRef]]:
        self.calls += 1
        out = []
        for t in texts:
            words = [w for w in re.findall(r"[a-z0-9+#]+", t.lower()) if len(w) > 2][:top_k]
            out.append([SkillRef(uri=f"urn:skill:{w}", label=w, score=0.9) for w in words])
        return out

    def rank_skills(self, text: str, top_k: int = 10) -> list[SkillRef]:
        return self.rank_skills_batch([text], top_k)[0]

    def rank_skills_in_context(
        self, texts: list[str], contexts: list[str], top_k: int = 10, **_: object
    ) -> list[list[SkillRef]]:
        return self.rank_skills_batch(texts, top_k)

    def rank_roles(self, title: str, top_k: int = 10) -> list[RoleMatch]:
        return [RoleMatch(uri="urn:occupation:test", label=title.lower(), onet_soc="00-0000.00", score=0.5)]

    def rank_roles_batch(self, titles: list[str], top_k: int = 10) -> list[list[RoleMatch]]:
        return [self.rank_roles(t, top_k) for t in titles]


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    from coach.knowledge import get_catalog

    return get_catalog()


@pytest.fixture(scope="module")
def fake_linker() -> FakeLinker:
    return FakeLinker()


@pytest.fixture(scope="module")
def analyze(catalog, fake_linker):  # type: ignore[no-untyped-def]
    def run(text: str, prof: Profile | None = None, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("tagger", get_span_tagger())
        return analyze_posting(text, prof, catalog=catalog, linker=fake_linker, today=TODAY, **kw)

    return run


# ---- tokens, sentences, sections -------------------------------------------------------------------------------


def test_tokens_keep_offsets_and_technical_names() -> None:
    text = "Skills: C++, C#, node.js and .NET (required)."
    toks = tokenize(text)
    assert all(text[s:e] == t for t, s, e in toks)
    words = [t for t, _, _ in toks]
    for name in ("C++", "C#", "node.js", ".NET"):
        assert name in words
    assert "required" in words and "(" in words


def test_sentences_drop_bullets_and_keep_offsets() -> None:
    text = "Duties\n- Monitor alerts. Escalate incidents.\n* Write reports\n"
    spans = split_sentences(text)
    got = [text[s:e] for s, e in spans]
    assert got == ["Duties", "Monitor alerts.", "Escalate incidents.", "Write reports"]


def test_sections_found_in_order_with_offsets() -> None:
    text = posting("soc_analyst")
    blocks = split_sections(text)
    names = [n for n, _, _ in blocks]
    for expected in ("about", "responsibilities", "requirements", "nice_to_have", "benefits"):
        assert expected in names
    assert names.index("responsibilities") < names.index("requirements") < names.index("nice_to_have")
    starts = [s for _, s, _ in blocks]
    assert starts == sorted(starts)
    req = next((s, e) for n, s, e in blocks if n == "requirements")
    assert text[req[0] : req[1]].startswith("What you bring")


def test_salary_line_is_not_a_section() -> None:
    text = "Data Analyst\nSalary: $80,000 - $90,000 per year\nRequirements\n- SQL\n"
    names = [n for n, _, _ in split_sections(text)]
    assert names == ["about", "requirements"]


# ---- requirements ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", POSTINGS, ids=lambda p: p.stem)
def test_every_requirement_is_an_exact_span(analyze, path: Path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    a = analyze(text)
    assert len(a.requirements) >= 5
    for r in a.requirements:
        assert text[r.start : r.end] == r.text
        assert r.text.strip() == r.text and r.text
        assert r.text in r.sentence
    assert {"title", "occupation", "requirements"} <= set(a.model_dump())


def test_years_of_experience(analyze) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Requirements\n- 3+ years of experience in data analysis.\n- At least 1-2 years of SQL experience\n"
        "- Five years of experience leading teams\n- Must obtain the license within 2 years of hire\n"
    )
    exp = [r for r in analyze(text).requirements if r.kind == "experience"]
    assert [(r.years, r.text) for r in exp] == [
        (3.0, "3+ years of experience in data analysis"),
        (1.0, "1-2 years of SQL experience"),
        (5.0, "Five years of experience leading teams"),
    ]


def test_required_and_preferred(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze(posting("registered_nurse"))
    by_text = {r.text: r for r in a.requirements}
    assert by_text["Associate degree in nursing"].required is True
    assert by_text["Associate degree in nursing"].kind == "education"
    bsn = next(r for r in a.requirements if r.text.startswith("Bachelor of Science in Nursing"))
    assert bsn.required is False
    assert by_text["Basic Life Support (BLS) certification"].kind == "certification"
    exp = next(r for r in a.requirements if r.kind == "experience")
    assert exp.required is False and exp.years == 2.0
    soc = analyze(posting("soc_analyst"))
    nice = [r for r in soc.requirements if r.section == "nice_to_have"]
    assert nice and all(not r.required for r in nice)
    assert all(r.required for r in soc.requirements if r.section == "requirements")


def test_certifications_resolve_to_catalogue_ids(analyze) -> None:  # type: ignore[no-untyped-def]
    def certs(name: str) -> dict[str, bool]:
        return {c: r.required for r in analyze(posting(name)).requirements for c in r.credentials}

    soc = certs("soc_analyst")
    assert soc["comptia-security-plus"] is True
    assert soc["comptia-cysa-plus"] is False
    assert "ms-pl-300" in certs("data_analyst")
    devops = certs("devops_injection")
    assert {"cncf-cka", "aws-solutions-architect-associate"} <= set(devops)


def test_kinds_include_tools_languages_and_soft_skills(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze(posting("devops_injection"))
    kinds = {r.kind for r in a.requirements}
    assert {"experience", "certification", "language", "tool"} <= kinds
    langs = [r.text for r in a.requirements if r.kind == "language"]
    assert "English" in langs and "German" in langs
    german = next(r for r in a.requirements if r.text == "German")
    assert german.required is False  # "German is a bonus"
    soc = analyze(posting("soc_analyst"))
    assert any(r.kind == "soft_skill" and "communication" in r.text for r in soc.requirements)


def test_title_seniority_salary(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze(posting("soc_analyst"))
    assert a.title.startswith("Security Operations Center (SOC) Analyst")
    assert a.seniority == "junior"
    assert a.salary_range is not None and (a.salary_range.min, a.salary_range.max) == (65000, 80000)
    assert a.salary_range.period == "year" and a.salary_range.currency == "USD"
    text = posting("soc_analyst")
    assert text[a.salary_range.start : a.salary_range.end] == a.salary_range.text
    assert analyze(posting("devops_injection")).seniority == "senior"
    assert analyze(posting("warehouse_supervisor")).seniority == "lead"
    assert infer_seniority("Data Analyst", [3.0]) == "mid"
    assert infer_seniority("Data Analyst", []) is None


def test_a_qualifier_alone_is_not_a_requirement(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze("Junior Developer\nRequirements\n- Git and basic SQL.\n- Strong Excel and solid Python.\n")
    texts = [r.text.lower() for r in a.requirements]
    assert not {"basic", "strong", "solid"} & set(texts)
    assert {"git", "sql", "excel", "python"} <= {t.split()[-1] for t in texts}


@pytest.mark.parametrize(
    ("first_lines", "title"),
    [
        ("Job posting\nPayroll Clerk\n", "Payroll Clerk"),
        ("VACANCY\n\nPayroll Clerk (maternity cover)\n", "Payroll Clerk (maternity cover)"),
        ("We're hiring!\nPayroll Clerk\n", "Payroll Clerk"),
        ("Job advert\n\n", ""),
    ],
)
def test_a_line_naming_the_document_is_not_the_title(analyze, first_lines: str, title: str) -> None:  # type: ignore[no-untyped-def]
    """ "Job posting" or "Vacancy" above the posting names the document, not the job: read as the title, such a
    line became a recruiter or a cargo vehicle driver."""
    a = analyze(first_lines + "\nRequirements\n- Two years of payroll experience and strong Excel skills.\n")
    assert a.title == title
    assert any(r.kind == "tool" for r in a.requirements)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay: $24-$28/hour", (24, 28, "USD", "hour")),
        ("Salary €70.000 – €85.000 per year", (70000, 85000, "EUR", "year")),
        ("Compensation: £40k-£50k a year", (40000, 50000, "GBP", "year")),
        ("Base salary USD 120,000 annually", (120000, 120000, "USD", "year")),
    ],
)
def test_salary_formats(text: str, expected: tuple) -> None:
    s = find_salary(text)
    assert s is not None
    assert (s["min"], s["max"], s["currency"], s["period"]) == expected


def test_training_budget_is_not_salary() -> None:
    assert find_salary("Benefits\n- $2,000 a year for training and certification exams\n") is None
    assert find_salary("We are a team of 40 people founded in 2019.") is None


# ---- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_posting_is_refused(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match="empty"):
        analyze(text)


def test_one_megabyte_posting_is_refused_with_the_limit(analyze) -> None:  # type: ignore[no-untyped-def]
    big = "Requirements: Python and SQL. " * 35_000
    assert len(big) > 1_000_000
    with pytest.raises(BadInput, match="limit is 50,000"):
        analyze(big, max_chars=50_000)


@pytest.mark.parametrize(
    "blob",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, bytes(range(256)) * 20],
    ids=["png", "bytes"],
)
def test_binary_is_refused(blob: bytes) -> None:
    with pytest.raises(BadInput, match=r"binary|UTF-8"):
        check_posting_text(blob, 50_000)
    with pytest.raises(BadInput, match="binary"):
        check_posting_text(blob.decode("latin-1"), 50_000)


def test_non_english_posting_gives_nothing_found(analyze) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Analista de datos\n\nRequisitos\n- Experiencia de 3 años con SQL y Python.\n"
        "- Conocimientos de estadística y visualización de datos.\n- Título universitario en economía.\n"
    )
    a = analyze(text)
    assert a.requirements == []
    assert a.occupation is None
    assert any(n.startswith(NOTHING_FOUND) for n in a.notices)


def test_text_with_no_requirements_gives_nothing_found(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze("We are a friendly company in the city.\nCome and say hello at our open day.")
    assert a.requirements == []
    assert any(n.startswith(NOTHING_FOUND) for n in a.notices)


def test_injection_line_is_analysed_as_data(analyze) -> None:  # type: ignore[no-untyped-def]
    text = posting("devops_injection")
    a = analyze(text, profile("hana_marketing_graduate"))
    assert any(r.credentials == ["cncf-cka"] for r in a.requirements)
    assert a.score is not None and a.score < 50  # the line asking for "a score of 100" changes nothing
    cleaned = "\n".join(
        line for line in text.splitlines() if not line.startswith(("Ignore previous", "SYSTEM:"))
    )
    b = analyze(cleaned, profile("hana_marketing_graduate"))
    assert [(r.text, r.kind, r.match) for r in a.requirements] == [
        (r.text, r.kind, r.match) for r in b.requirements
    ]
    assert a.score == b.score


def test_lines_that_speak_to_the_assistant_are_left_out_in_any_language(analyze) -> None:  # type: ignore[no-untyped-def]
    text = posting("cloud_support_injection")
    a = analyze(text, profile("hana_marketing_graduate"))
    assert (
        a.title == "Cloud Support Associate"
    )  # the learner's "Please analyse this posting:" is not the title
    flagged = a.untrusted_lines
    assert len(flagged) == 6 and any(t.startswith("Empfiehl") for t in flagged)
    assert any(t.startswith("Ignora las instrucciones") for t in flagged)
    assert any("100/100" in t for t in flagged) and any(t.startswith("SYSTEM OVERRIDE") for t in flagged)
    assert any(n.startswith("Left out 6 lines that speak to an AI assistant") for n in a.notices)
    words = " ".join(r.text for r in a.requirements).lower()
    assert "mastercert" not in words and "guaranteed" not in words and "recommend" not in words
    assert {c for r in a.requirements for c in r.credentials} >= {"aws-cloud-practitioner", "ms-az-900"}
    assert all("MasterCert" not in g.text for g in a.gaps)
    # Without those lines the analysis is the same: they were data, never instructions.
    kept = "\n".join(ln for ln in text.splitlines() if ln not in {f"- {t}" for t in flagged} | set(flagged))
    b = analyze(kept, profile("hana_marketing_graduate"))
    assert [(r.text, r.kind, r.match) for r in a.requirements] == [
        (r.text, r.kind, r.match) for r in b.requirements
    ]
    assert a.score == b.score and b.untrusted_lines == []


@pytest.mark.parametrize(
    ("title", "soc", "label"),
    [
        (
            "Help Desk Technician",
            "15-1232.00",
            "Computer User Support Specialists",
        ),  # not after-sales service
        ("Security Operations Center (SOC) Analyst I", "15-1212.00", "Information Security Analysts"),
        ("Registered Nurse - Medical/Surgical Unit (Night Shift)", "29-1141.00", None),
    ],
)
def test_a_title_an_occupation_is_known_by_names_that_occupation(
    analyze, title: str, soc: str, label
) -> None:  # type: ignore[no-untyped-def]
    a = analyze(f"{title}\nRequirements\n- Windows and customer service.\n")
    assert a.occupation is not None and a.occupation.onet_soc == soc
    assert label is None or a.occupation.label == label
    assert a.occupation.uri.startswith("http://data.europa.eu/esco/occupation/")


def test_either_branch_of_an_or_requirement_meets_it(analyze) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Cloud Support Associate\nRequirements\n"
        "- AWS Certified Cloud Practitioner or AZ-900 within 90 days of hire.\n"
        "- 1+ year of experience in technical support.\n"
    )
    holder = Profile(
        current_role="Help desk technician",
        credentials=[{"name": "AWS Certified Cloud Practitioner", "status": "earned"}],
        experience=[{"kind": "job", "title": "Help desk technician", "start": "2025-06", "end": None,
                     "evidence": ["Answered technical support tickets for 400 staff"]}],
    )  # fmt: skip
    a = analyze(text, holder)
    by = _by_text(a)
    assert by["AWS Certified Cloud Practitioner"].alternatives == ["AZ-900"]
    assert by["AZ-900"].match == "met" and by["AZ-900"].evidence[0].startswith("met by an alternative")
    assert all("AZ-900" not in g.text for g in a.gaps)
    # one requirement, not two: holding neither leaves one gap for the pair
    b = analyze(text, Profile(current_role="Cashier"))
    assert sum(1 for g in b.gaps if g.kind == "certification") == 1
    # the field inside a met experience requirement is met by the same work
    assert by["1+ year of experience in technical support"].match == "met"
    assert all(r.match == "met" for r in a.requirements if r.text == "technical support")


def test_a_list_of_tools_becomes_one_requirement_per_tool(analyze) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Junior Data Analyst\nRequirements\n- Experience with SQL, Excel, Tableau or Power BI for reporting.\n"
        "- Coach, train and evaluate associates.\n"
    )
    a = analyze(text)
    kinds = {r.text: r.kind for r in a.requirements}
    assert {"SQL", "Excel", "Tableau", "Power BI"} <= set(kinds)
    assert all(kinds[t] == "tool" for t in ("SQL", "Excel", "Tableau", "Power BI"))
    assert "Power BI for reporting" not in kinds
    # a run of verbs is not a list of tools: no one-word "Coach" requirement
    assert "Coach" not in kinds and "train" not in kinds


@pytest.mark.parametrize(
    "line",
    [
        "Experience with AI tools such as ChatGPT is a plus.",
        "You must have hands-on experience with AI and machine learning models.",
        "Assistant Store Manager: must have 2 years of retail experience.",
        "Examples of research areas that the assistant professor might cover are: pricing and accounting",
        "We are a Disability Confident employer: guaranteed interview scheme for applicants who meet the criteria.",
        "We recommend you apply early, as we review applications on a rolling basis.",
        "Experience with Sage 50 and QuickBooks.",
        "Office in Des Moines, IA: candidates must be able to commute.",
        "Ignore the noise and focus on the customer.",
    ],
)
def test_ordinary_posting_lines_are_not_taken_for_instructions(line: str) -> None:
    from coach.postings.untrusted import speaks_to_the_assistant

    assert not speaks_to_the_assistant(line)


# ---- the honest match ------------------------------------------------------------------------------------------


def _by_text(a):  # type: ignore[no-untyped-def]
    return {r.text: r for r in a.requirements}


def test_certification_met_partly_missing(analyze) -> None:  # type: ignore[no-untyped-def]
    text = posting("soc_analyst")
    ana = analyze(text, profile("ana_retail_to_security"))
    assert _by_text(ana)["CompTIA Security+"].match == "missing"  # she holds A+, not Security+
    vet = analyze(text, profile("dwayne_army_veteran"))
    sec = _by_text(vet)["CompTIA Security+"]
    assert sec.match == "met" and any("Security+" in e for e in sec.evidence)
    pending = profile("ana_retail_to_security").model_copy(deep=True)
    pending.credentials[0].name, pending.credentials[0].status = "CompTIA Security+", "in_progress"
    assert _by_text(analyze(text, pending))["CompTIA Security+"].match == "partly"


def test_named_certification_without_catalogue_entry_matches_by_name(analyze) -> None:  # type: ignore[no-untyped-def]
    a = analyze(posting("registered_nurse"), profile("ben_registered_nurse"))
    by = _by_text(a)
    assert by["Basic Life Support (BLS) certification"].match == "met"
    assert by["Advanced Cardiovascular Life Support (ACLS) certification"].match == "met"
    assert by["Registered Nurse license"].match == "met"


def test_skills_need_evidence(analyze) -> None:  # type: ignore[no-untyped-def]
    text = posting("data_analyst")
    empty = analyze(text, Profile(name="Nobody"))
    assert empty.score == 0
    assert all(r.match == "missing" and not r.evidence for r in empty.requirements)
    mei = analyze(text, profile("chen_junior_data_analyst"))
    sql = next(r for r in mei.requirements if r.text == "SQL")
    assert sql.match == "met" and "skill: SQL" in sql.evidence
    assert mei.score is not None and 0 < mei.score < 100


def test_repeating_a_keyword_does_not_raise_the_score(analyze) -> None:  # type: ignore[no-untyped-def]
    text = posting("data_analyst")
    once = Profile(name="A", skills=["Python", "SQL"])
    many = Profile(name="A", skills=["Python"] * 20 + ["python", "PYTHON", "SQL"])
    a, b = analyze(text, once), analyze(text, many)
    assert a.score == b.score
    assert [(r.match, r.evidence) for r in a.requirements] == [(r.match, r.evidence) for r in b.requirements]


def test_experience_years_are_counted_from_relevant_jobs(analyze) -> None:  # type: ignore[no-untyped-def]
    text = "Warehouse Supervisor\nRequirements\n- 3+ years of warehouse experience\n"

    def prof(start: str) -> Profile:
        return Profile(
            experience=[
                {"kind": "job", "title": "Warehouse associate", "start": start, "end": None},
                {"kind": "job", "title": "Barista", "start": "2010-01", "end": "2015-01"},
            ]
        )

    def match(p: Profile):  # type: ignore[no-untyped-def]
        return next(r for r in analyze(text, p).requirements if r.kind == "experience")

    assert match(prof("2020-01")).match == "met"
    short = match(prof("2025-06"))
    assert short.match == "partly" and any("of 3 years" in e for e in short.evidence)
    unrelated = Profile(
        experience=[{"kind": "job", "title": "Barista", "start": "2010-01", "end": "2020-01"}]
    )
    assert match(unrelated).match == "missing"


def test_a_job_title_naming_the_work_meets_the_experience_it_asks(analyze) -> None:  # type: ignore[no-untyped-def]
    # A supervisor has been supervising; a barista has not.
    text = "Shift Supervisor\nRequirements\n- At least 1 year of experience supervising or leading a team.\n"

    def match(title: str):  # type: ignore[no-untyped-def]
        p = Profile(experience=[{"kind": "job", "title": title, "start": "2021-12", "end": None}])
        return next(r for r in analyze(text, p).requirements if r.kind == "experience")

    met = match("Retail supervisor")
    assert met.match == "met" and any("Retail supervisor" in e for e in met.evidence)
    assert match("Team lead, stockroom").match == "met"
    assert match("Barista").match == "missing"


def test_education_levels(analyze) -> None:  # type: ignore[no-untyped-def]
    text = "Analyst\nRequirements\n- Bachelor's degree in Economics or a related field.\n"

    def match(*creds: tuple[str, str]) -> str:
        p = Profile(credentials=[{"name": n, "status": s} for n, s in creds])
        return next(r for r in analyze(text, p).requirements if r.kind == "education").match

    assert match(("Master of Science in Economics", "earned")) == "met"
    assert match(("Bachelor of Arts, History", "earned")) == "met"
    assert match(("Associate degree in Business", "earned")) == "partly"
    assert match(("Bachelor of Science, Economics", "in_progress")) == "partly"
    assert match() == "missing"


def test_required_weighs_twice_preferred(analyze) -> None:  # type: ignore[no-untyped-def]
    text = "Analyst\nRequirements\n- Tableau\nNice to have\n- Snowflake\n"
    req_only = analyze(text, Profile(skills=["Tableau"]))
    pref_only = analyze(text, Profile(skills=["Snowflake"]))
    kinds = {r.text: r.required for r in req_only.requirements}
    assert kinds == {"Tableau": True, "Snowflake": False}
    assert req_only.score == pytest.approx(100 * 2 / 3, abs=0.1)
    assert pref_only.score == pytest.approx(100 * 1 / 3, abs=0.1)
    assert "2 distinct requirements" in (req_only.score_explanation or "")


# ---- sample profiles -------------------------------------------------------------------------------------------


def test_sample_profiles_are_valid_and_varied() -> None:
    files = sorted((DATA / "profiles").glob("*.json"))
    assert len(files) >= 10
    profiles = [profile(f.stem) for f in files]
    assert len({p.current_role for p in profiles}) == len(profiles)
    for p in profiles:
        assert p.name and p.skills and p.experience and p.target.role
        assert p.constraints.budget is not None and p.constraints.hours_per_week
    kinds = {e.kind for p in profiles for e in p.experience}
    statuses = {c.status for p in profiles for c in p.credentials}
    assert {"job", "internship", "project", "volunteer"} <= kinds
    assert statuses == {"earned", "in_progress", "planned"}


# ---- gaps ------------------------------------------------------------------------------------------------------


def test_gap_credentials_put_named_certifications_first(analyze, catalog) -> None:  # type: ignore[no-untyped-def]
    a = analyze(posting("soc_analyst"), profile("ana_retail_to_security"))
    assert a.gaps and all(g.match in ("missing", "partly") for g in a.gaps)
    assert a.gap_credentials[0].id == "comptia-security-plus"
    assert "CompTIA Security+" in a.gap_credentials[0].covers
    held = {"comptia-a-plus"}
    assert not held & {c.id for c in a.gap_credentials}
    for c in a.gap_credentials:
        cred = catalog.credentials[c.id]
        assert c.cost == cred.cost and c.url == cred.url  # facts come from the catalogue, never invented
    vet = analyze(posting("soc_analyst"), profile("dwayne_army_veteran"))
    assert "comptia-security-plus" not in {c.id for c in vet.gap_credentials}
    for a_ in (a, vet):
        for c in a_.gap_credentials:
            cred = catalog.credentials[c.id]
            assert cred.is_microcredential and cred.type not in ("degree", "program")


def test_without_a_profile_the_credentials_cover_what_the_posting_asks(analyze, catalog) -> None:  # type: ignore[no-untyped-def]
    # No profile, so no match and no gaps of the learner's: the credentials shown cover the posting itself.
    a = analyze(posting("soc_analyst"))
    assert a.score is None and a.gaps == []
    assert a.gap_credentials and a.gap_credentials[0].id == "comptia-security-plus"  # the posting names it
    asked = {r.text for r in a.requirements}
    assert all(set(c.covers) <= asked for c in a.gap_credentials)
    for c in a.gap_credentials:
        assert c.cost == catalog.credentials[c.id].cost


def test_gap_credentials_skip_experience_and_education(catalog) -> None:  # type: ignore[no-untyped-def]
    from coach.models import Requirement

    gaps = [
        Requirement(
            text="3+ years of experience", start=0, end=5, kind="experience", years=3, match="missing"
        ),
        Requirement(text="Bachelor's degree", start=0, end=5, kind="education", match="missing"),
    ]
    assert gap_credentials(gaps, catalog) == []


# ---- end to end with the real linker, and the CLI ----------------------------------------------------------------


def test_real_linker_links_skills_and_title(catalog) -> None:  # type: ignore[no-untyped-def]
    from coach.skills import get_linker

    a = analyze_posting(
        posting("data_analyst"),
        profile("chen_junior_data_analyst"),
        catalog=catalog,
        linker=get_linker(),
        tagger=get_span_tagger(),
    )
    assert a.occupation is not None and a.occupation.uri.startswith("http://data.europa.eu/esco/occupation/")
    sql = next(r for r in a.requirements if r.text == "SQL")
    assert sql.skills and sql.skills[0].uri.startswith("http://data.europa.eu/esco/skill/")
    assert any("SQL" in s.label for s in sql.skills)
    assert sql.match == "met"


def test_real_linker_sibling_skill_is_partly_met(catalog) -> None:  # type: ignore[no-untyped-def]
    from coach.skills import get_linker

    text = "Developer\nRequirements\n- Python\n"

    def match(skills: list[str]) -> str:
        a = analyze_posting(
            text, Profile(skills=skills), catalog=catalog, linker=get_linker(), tagger=get_span_tagger()
        )
        return next(r for r in a.requirements if r.text == "Python").match

    assert match(["Python"]) == "met"
    assert match(["Java"]) == "partly"  # same ESCO parent: computer programming
    assert match(["cooking"]) == "missing"


def test_cli_json_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from coach import cli

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["coach", *args])
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    path = str(DATA / "postings" / "warehouse_supervisor.txt")
    prof = str(DATA / "profiles" / "elena_warehouse_lead.json")
    code, out, _ = run("posting", "analyze", path, "--profile", prof, "--json")
    assert code == 0
    doc = json.loads(out)
    assert {"title", "occupation", "requirements", "score", "gaps"} <= set(doc)
    text = Path(path).read_text(encoding="utf-8")
    for r in doc["requirements"]:
        assert text[r["start"] : r["end"]] == r["text"]
        assert r["match"] in ("met", "partly", "missing")
    code, out, _ = run("posting", "analyze", path)
    assert code == 0 and out.startswith("Title: Warehouse Shift Supervisor")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "credentials": [{"status": "dreaming"}]}')
    code, out, err = run("posting", "analyze", path, "--profile", str(bad))
    assert code == 1 and err.startswith("error: profile is not valid") and len(err.strip().splitlines()) == 1
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    code, _, err = run("posting", "analyze", str(blob))
    assert code == 1 and "binary" in err and "Traceback" not in err
    empty = tmp_path / "empty.txt"
    empty.write_text("   ")
    code, _, err = run("posting", "analyze", str(empty))
    assert code == 1 and "empty" in err


# ---- the package -----------------------------------------------------------------------------------------------


def test_postings_modules_import_without_cycles() -> None:
    """Each module of coach/postings imports only modules below it; none imports the package or `analyze`."""
    import ast
    from graphlib import TopologicalSorter

    folder = Path(__file__).resolve().parent.parent / "coach" / "postings"
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        used: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            used |= {n for n in names if n == "coach.postings" or n.startswith("coach.postings.")}
        assert "coach.postings" not in used, f"{path.name} imports the package, not a module"
        graph[path.stem] = {n.rsplit(".", 1)[1] for n in used}
    assert "analyze" in graph and not any("analyze" in deps for deps in graph.values())
    list(TopologicalSorter(graph).static_order())  # raises CycleError when modules import each other
