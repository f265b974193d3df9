"""What a coach values, on small synthetic catalogues: real costs (every exam, free-exam and holder-discount
rules, subscriptions at the learner's pace, free audit), the learner's standing on a ladder, employer
recognition, eligibility, field fit, and the plan's own account of what it left out and why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from coach.embeddings import DIM
from coach.errors import CatalogError
from coach.knowledge import Catalog
from coach.knowledge.pricing import PlatformPrice, PriceFact, Pricing, load_pricing
from coach.knowledge.recognition import RecognitionSignal, load_recognition, recognition_score
from coach.models import (
    Constraints,
    Credential,
    Experience,
    HeldCredential,
    Occupation,
    Profile,
    Rule,
    Skill,
    Source,
)
from coach.planner import plan_pathway
from coach.planner.costs import price_of
from coach.planner.fit import field_fit, prepare_field_fit
from coach.planner.standing import learner_standing, recommended_years

TODAY = dt.date(2026, 1, 5)


def cred(cid: str, cost: float | None, skills: list[int], **kw: object) -> Credential:
    return Credential(
        id=cid,
        name=kw.pop("name", cid.upper()),  # type: ignore[arg-type]
        provider=kw.pop("provider", "Acme"),  # type: ignore[arg-type]
        type=kw.pop("type", "certification"),  # type: ignore[arg-type]
        level=kw.pop("level", "entry"),  # type: ignore[arg-type]
        cost=cost,
        hours_min=kw.pop("hours", 40),  # type: ignore[arg-type]
        hours_max=None,
        skills=[f"esco:s{i}" for i in skills],
        sources=kw.pop("sources", [Source(name="test catalogue", url=f"https://example.org/{cid}")]),  # type: ignore[arg-type]
        url=f"https://example.org/{cid}",
        **kw,  # type: ignore[arg-type]
    )


def catalogue(creds: list[Credential], rules: list[Rule] = (), **kw: object) -> Catalog:  # type: ignore[assignment]
    occ = Occupation(
        id="esco:role",
        source="esco",
        title="Support analyst",
        essential_skills=["esco:s0", "esco:s1", "esco:s2"],
    )
    return Catalog(
        occupations={occ.id: occ},
        skills={f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(4)},
        credentials={c.id: c for c in creds},
        rules=list(rules),
        **kw,  # type: ignore[arg-type]
    )


def learner(*held: str, **constraints: object) -> Profile:
    return Profile(
        credentials=[HeldCredential(name=h.upper(), id=h, status="earned") for h in held],
        constraints=Constraints(**constraints),
    )


def plan(cat: Catalog, prof: Profile, **kw: object):
    return plan_pathway(prof, role="Support analyst", catalog=cat, linker=None, today=TODAY, **kw)  # type: ignore[arg-type]


def signal(kind: str = "dod_8140", official: bool = True) -> RecognitionSignal:
    return RecognitionSignal(
        kind, f"label of {kind}", "detail", f"https://example.org/{kind}", official=official
    )


# ---- costs ------------------------------------------------------------------------------------------------------


def test_a_credential_of_two_exams_is_priced_in_full() -> None:
    two = cred("aplus", 259, [0], cost_note="per exam")
    rule = Rule(id="x1", type="experience_required", subject="aplus", condition="Candidates must pass both Core 1 "
                "and Core 2 exams")  # fmt: skip
    price = price_of(two, catalogue([two], [rule]), hours=40, hours_per_week=10, held=set(), budget_usd=None)
    assert price.amount == 518 and "2 exams" in price.note
    # Without a rule that says how many, "per exam" stays one price (nothing is invented).
    alone = price_of(two, catalogue([two]), hours=40, hours_per_week=10, held=set(), budget_usd=None)
    assert alone.amount == 259


def test_free_exam_and_holder_discount_rules_are_applied() -> None:
    free = cred("cc", 199, [0])
    free_rule = Rule(id="r1", type="discount_or_voucher", subject="cc", condition="The exam is free for the "
                     "first million candidates")  # fmt: skip
    cat = catalogue([free], [free_rule])
    got = price_of(free, cat, hours=20, hours_per_week=10, held=set(), budget_usd=None)
    assert got.amount == 0 and "r1" in got.note
    base, nxt = cred("base", 100, [0]), cred("next", 300, [1])
    holder = Rule(id="r2", type="discount_or_voucher", subject="next", objects=["base"],
                  condition="Holding any Acme certification gives a 50% discount voucher")  # fmt: skip
    cat = catalogue([base, nxt], [holder])
    assert price_of(nxt, cat, hours=20, hours_per_week=10, held={"base"}, budget_usd=None).amount == 150
    assert price_of(nxt, cat, hours=20, hours_per_week=10, held=set(), budget_usd=None).amount == 300


def test_a_subscription_is_priced_by_the_months_at_the_learners_pace_and_flagged() -> None:
    course = cred("cert", None, [0, 1, 2], type="professional_certificate", hours=60,
                  sources=[Source(name="coursera:catalogue", url="https://example.org/c")])  # fmt: skip
    fact = PriceFact(url="https://example.org/price", monthly_price=49, audit_free=True)
    cat = catalogue([course], pricing=Pricing(platforms=[PlatformPrice("coursera", fact)]))
    slow = price_of(course, cat, hours=60, hours_per_week=5, held=set(), budget_usd=None)
    fast = price_of(course, cat, hours=60, hours_per_week=20, held=set(), budget_usd=None)
    assert slow.estimate and slow.amount == 49 * 3 and "a month" in slow.note  # 12 weeks ≈ 3 months
    assert fast.amount == 49  # 3 weeks: one month
    # A budget the certificate can never fit: planned as a free audit, and said so.
    audit = price_of(course, cat, hours=60, hours_per_week=5, held=set(), budget_usd=50)
    assert audit.audit and audit.amount == 0 and "free audit" in audit.note
    p = plan(cat, learner(budget=50, hours_per_week=5))
    step = next(s for s in p.steps if s.id == "cert")
    assert step.audit and step.cost == 0 and "free audit" in step.why


def test_a_free_exam_makes_a_zero_budget_feasible() -> None:
    cc = cred("cc", 199, [0, 1])
    rule = Rule(id="r1", type="discount_or_voucher", subject="cc", condition="Free exam under the pledge")
    p = plan(catalogue([cc, cred("paid", 100, [0, 1])], [rule]), learner(budget=0, hours_per_week=10))
    assert p.status == "optimal" and [s.id for s in p.steps if not s.work_based] == ["cc"]
    assert p.total_cost == 0


def test_price_and_recognition_files_are_checked(tmp_path: Path) -> None:
    ids = {"a": object()}
    (tmp_path / "recognition").mkdir()
    (tmp_path / "pricing").mkdir()
    rec = tmp_path / "recognition" / "recognition.json"
    rec.write_text(json.dumps({"signals": {"dod_8140": "DoD"}, "credentials": {"a": [{"signal": "dod_8140",
                   "url": "https://example.org", "official": False}]}}))  # fmt: skip
    got = load_recognition(tmp_path, ids)
    assert got["a"][0].label == "DoD" and recognition_score(got["a"]) == 0.5
    for bad in ({"a": [{"signal": "dod_8140"}]}, {"zz": [{"signal": "dod_8140", "url": "u"}]},
                {"a": [{"signal": "made_up", "url": "u"}]}):  # fmt: skip
        rec.write_text(json.dumps({"signals": {"dod_8140": "DoD"}, "credentials": bad}))
        with pytest.raises(CatalogError):
            load_recognition(tmp_path, ids)
    price = tmp_path / "pricing" / "pricing.json"
    price.write_text(json.dumps({"credentials": {"a": {"exams": 2, "price_per_exam": 100, "url": "u"}}}))
    assert load_pricing(tmp_path, ids).credentials["a"].total == 200
    price.write_text(json.dumps({"credentials": {"a": {"price": 90, "currency": "EUR", "url": "u"}}}))
    assert load_pricing(tmp_path, ids).credentials == {}  # only US-dollar facts, like every catalogue price
    price.write_text(json.dumps({"credentials": {"a": {"price": -1, "url": "u"}}}))
    with pytest.raises(CatalogError):
        load_pricing(tmp_path, ids)


# ---- standing, ladders, recognition, eligibility -----------------------------------------------------------------


def test_recommended_experience_is_read_in_years() -> None:
    assert recommended_years("12 months of hands-on experience recommended") == 1.0
    assert recommended_years("around two years of IT administration") == 2.0
    assert recommended_years("3-4 years in networking") == 3.0
    assert recommended_years("Some experience helps") is None


def test_the_next_rung_of_a_held_ladder_is_planned_and_lower_rungs_are_left_out() -> None:
    # "upper" teaches what "lower" does one level up; the rule puts lower before upper.
    lower, upper = cred("lower", 100, [0, 1]), cred("upper", 300, [0, 1], level="intermediate")
    other = cred("other", 50, [2, 3])
    ladder = Rule(id="l1", type="recommended_before", subject="upper", objects=["lower"])
    cat = catalogue([lower, upper, other], [ladder])
    standing = learner_standing(cat, learner("lower"), {"lower"}, TODAY)
    assert standing.next_rung == {"upper": "lower"}
    p = plan(cat, learner("lower", budget=1000, hours_per_week=10))
    step = next(s for s in p.steps if s.id == "upper")  # adds no new skill, but is the next step up
    assert "next step up from LOWER" in step.why
    # Holding the upper rung, the lower one is not offered, and the plan says why.
    # Holding the upper rung, the lower one is not offered although it touches a gap, and the plan says why; a
    # lower-level credential of the same provider about other skills is not "below" it.
    cat2 = catalogue([cred("lower", 100, [0, 1, 2]), upper, other], [ladder])
    p2 = plan(cat2, learner("upper", budget=1000, hours_per_week=10), step_overhead=0.0)
    assert "lower" not in {s.id for s in p2.steps} and "other" in {s.id for s in p2.steps}
    assert "LOWER: it sits below UPPER, which you hold" in p2.explanation
    assert "OTHER: it sits below" not in p2.explanation


def test_recognised_credentials_win_over_equal_unrecognised_ones_and_show_their_source() -> None:
    plain, known = cred("plain", 100, [0, 1]), cred("known", 100, [0, 1])
    cat = catalogue([plain, known], recognition={"known": [signal("iso_17024")]})
    p = plan(cat, learner(budget=100, hours_per_week=10))
    assert [s.id for s in p.steps if not s.work_based] == ["known"]
    step = p.steps[0]
    assert step.recognition and step.recognition[0].url == "https://example.org/iso_17024"
    assert (
        "Employer recognition: label of iso_17024" in step.why and "https://example.org/iso_17024" in step.why
    )
    # Recognition in another field earns nothing: a recognised credential whose skills the role does not list
    # is not planned for it.
    far = cred("far", 0, [3])
    cat2 = catalogue([plain, far], recognition={"far": [signal(), signal("iso_17024")]})
    assert "far" not in {s.id for s in plan(cat2, learner(hours_per_week=10)).steps}


def test_an_advanced_exam_for_a_beginner_is_held_against_it_unless_laddered() -> None:
    basic, expert = cred("basic", 200, [0, 1]), cred("expert", 200, [0, 1, 2], level="expert")
    novice = learner(budget=200, hours_per_week=10)
    assert [s.id for s in plan(catalogue([basic, expert]), novice).steps if not s.work_based] == ["basic"]
    steps = {s.id: s for s in plan(catalogue([expert]), learner(hours_per_week=10)).steps}
    assert "well above what you hold" in steps["expert"].why  # still planned when nothing else teaches it


def test_room_left_is_reported_only_when_the_limits_do_not_bind() -> None:
    cat = catalogue([cred("a", 100, [0, 1, 2])])
    roomy = plan(cat, learner(budget=1000, hours_per_week=10, weeks=40))
    assert "Room left" in roomy.explanation and "USD 900" in roomy.explanation
    assert "The limits are not what stops the plan" in roomy.explanation
    tight = plan(
        catalogue([cred("a", 100, [0]), cred("b", 100, [1, 2])]), learner(budget=100, hours_per_week=10),
        step_overhead=0.0,
    )  # fmt: skip
    assert "budget" in tight.binding and "Room left" not in tight.explanation


def test_a_recognised_credential_that_does_not_fit_is_named_with_the_reason() -> None:
    cheap, known = cred("cheap", 100, [0, 1, 2]), cred("known", 900, [0, 1, 2])
    cat = catalogue([cheap, known], recognition={"known": [signal()]})
    p = plan(cat, learner(budget=300, hours_per_week=10))
    assert [s.id for s in p.steps if not s.work_based] == ["cheap"]
    assert "KNOWN: it costs USD 900, more than the USD 200 left in your budget" in p.explanation


# ---- field fit --------------------------------------------------------------------------------------------------


class KeywordEmbedder:
    """A deterministic stand-in for the sentence encoder: one dimension per keyword."""

    fingerprint = "keyword-test-embedder"
    words = ("support", "helpdesk", "graphql", "cooking", "ticket")

    def embed(self, texts: list[str], progress: object = None) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, w in enumerate(self.words):
                out[i, j] = t.lower().count(w)
            out[i, DIM - 1] = 0.01  # never all-zero
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def test_field_fit_marks_courses_about_the_role_and_tangents(tmp_path: Path) -> None:
    names = {
        "desk": "Helpdesk support basics: ticket triage and user support",
        "desk2": "Support ticket handling for the helpdesk",
        "api": "Exploring GraphQL schemas",
        "cook": "Cooking for beginners",
    }
    creds = [cred(k, 10, [0], name=v, type="course") for k, v in names.items()]
    cat = catalogue(creds)
    occ = Occupation(id="esco:role", source="esco", title="Helpdesk support technician",
                     description="Answers support tickets at the helpdesk.")  # fmt: skip
    # Prepared ahead (as `coach kb build` does): embedded once, cached on disk.
    assert prepare_field_fit(cat, KeywordEmbedder(), tmp_path) == 4  # type: ignore[arg-type]
    assert list(tmp_path.glob("credential-fit-*.npy"))
    fit = field_fit(cat, occ, KeywordEmbedder(), tmp_path)  # type: ignore[arg-type]
    assert fit["desk"] > 0.9 and fit["desk2"] > 0.9
    assert fit["api"] == -1.0 and fit["cook"] == -1.0


def test_the_most_recognised_alternative_carries_more_recognition_and_says_so() -> None:
    # "known" closes one skill less; one third-party sign of recognition does not make up for it in the
    # recommended plan, but the most recognised alternative offers it.
    cheap, known = cred("cheap", 100, [0, 1, 2]), cred("known", 400, [0, 1], name="Known cert")
    fillers = [cred("f1", 20, [0, 1], hours=10), cred("f2", 30, [1, 2], hours=10)]
    cat = catalogue([cheap, known, *fillers], recognition={"known": [signal(official=False)]})
    p = plan(cat, learner(budget=1000, hours_per_week=10), alternatives=3)
    assert [s.id for s in p.steps if not s.work_based] == ["cheap"]
    alt = next(a for a in p.alternatives if a.label == "most recognised")
    assert "known" in {s.id for s in alt.steps}
    assert "1 more sourced sign that employers recognise its credentials" in (alt.trade_off or "")
    # Nothing recognised in the catalogue: no such alternative.
    bare = plan(catalogue([cheap, known]), learner(budget=1000, hours_per_week=10), alternatives=3)
    assert all(a.label != "most recognised" for a in bare.alternatives)


def test_a_recognised_credential_needing_experience_says_when_the_learner_would_qualify() -> None:
    senior, basic = cred("senior", 300, [0, 1, 2], name="Senior cert"), cred("basic", 100, [0, 1])
    rule = Rule(id="x", type="experience_required", subject="senior", experience_years=2)
    cat = catalogue([senior, basic], [rule], recognition={"senior": [signal()]})
    p = plan(cat, learner(budget=1000, hours_per_week=10, weeks=20))
    assert "senior" not in {s.id for s in p.steps}
    assert (
        "Senior cert: it needs about 2.0 more years of relevant work experience first, so you would qualify "
        "around 2028 at the earliest" in p.explanation
    )


def test_an_apprenticeship_step_says_where_to_find_one_for_the_learners_country() -> None:
    from coach.knowledge.guidance import AppliesTo, GuidanceEntry, GuidanceStatement

    def entry(eid: str, country: str, url: str) -> GuidanceEntry:
        st = GuidanceStatement(text="Find an apprenticeship with the official finder.", source_url=url,
                               source_title="Find an apprenticeship", publisher="Agency", as_of="2026-12-02",
                               as_of_basis="read")  # fmt: skip
        return GuidanceEntry(id=eid, topic="apprenticeships", title="How do I find an apprenticeship?",
                             question_forms=["where are apprenticeships?", "how to apply?"],
                             answer="Use the official finder. It lists openings.", statements=[st],
                             applies_to=AppliesTo(countries=[country]))  # fmt: skip

    senior = cred("senior", 300, [0, 1, 2])
    rule = Rule(id="x", type="experience_required", subject="senior", experience_years=2)
    cat = catalogue([senior], [rule])
    cat.guidance = [entry("apprenticeship-us", "US", "https://us.example.gov/find"),
                    entry("apprenticeship-uk", "GB", "https://uk.example.gov/find")]  # fmt: skip
    for currency, url in (("USD", "https://us.example.gov/find"), ("GBP", "https://uk.example.gov/find")):
        prof = learner(hours_per_week=10)
        prof.constraints.currency = currency
        work = next(s for s in plan(cat, prof).steps if s.kind == "apprenticeship")
        assert [s.url for s in work.sources] == [url] and f"Where to look: {url}" in work.why


def test_being_in_the_field_is_worth_one_bonus_not_one_per_course(tmp_path: Path) -> None:
    # Three courses squarely about the role, each closing the same one skill: the plan takes one of them.
    # Were the field fit credited per course, each would pay for its step and all three would be planned.
    names = {
        "desk": "Helpdesk support basics: ticket triage and user support",
        "desk2": "Support ticket handling for the helpdesk",
        "desk3": "Helpdesk support: tickets and users",
    }
    creds = [cred(k, 10, [0], name=v, type="course") for k, v in names.items()]
    cat = catalogue(creds)
    cat.occupations["esco:role"].description = "Answers support tickets at the helpdesk."
    p = plan_pathway(
        learner(budget=1000, hours_per_week=10), role="Support analyst", catalog=cat, linker=None,
        today=TODAY, embedder=KeywordEmbedder(), cache_dir=tmp_path,  # type: ignore[arg-type]
    )  # fmt: skip
    chosen = [s.id for s in p.steps if not s.work_based]
    assert len(chosen) == 1 and chosen[0] in names
    # The bonus is the objective's, never a skill: it is not listed as covered or still open.
    assert all("field" not in s.uri for s in [*p.covered, *p.uncovered])


def test_a_narrower_skill_covers_the_broader_one_the_role_names() -> None:
    # The role asks for "query languages"; the course teaches SQL, which ESCO files under it.
    ql, sql_uri = "http://data.europa.eu/esco/skill/ql", "http://data.europa.eu/esco/skill/sql"
    other = "http://data.europa.eu/esco/skill/report"
    skills = {
        ql: Skill(uri=ql, label="query languages"),
        sql_uri: Skill(uri=sql_uri, label="SQL", broader=[ql, "http://data.europa.eu/esco/isced-f/0613"]),
        other: Skill(uri=other, label="write reports"),
    }
    occ = Occupation(id="esco:role", source="esco", title="Support analyst", essential_skills=[ql, other])
    sql = Credential(id="sql", name="SQL basics", provider="Acme", type="certification", cost=50,
                     hours_min=20, skills=[sql_uri, other])  # fmt: skip
    cat = Catalog(occupations={occ.id: occ}, skills=skills, credentials={"sql": sql})
    p = plan(cat, learner(budget=100, hours_per_week=5))
    assert [s.id for s in p.steps if not s.work_based] == ["sql"]
    assert sorted(s.label for s in p.covered) == ["query languages", "write reports"]
    # And a learner who lists SQL already knows a query language: only the reports are left to learn (the
    # exam is still planned for them, and would show the query language they know).
    knows = Profile(skills=["SQL"], constraints=Constraints(budget=100, hours_per_week=5))
    p = plan(cat, knows)
    assert [s.label for s in p.covered] == ["write reports"] and not p.uncovered
    assert "certify what you already do: query languages" in p.steps[0].why


def test_experience_rules_read_the_field_and_the_learners_degree() -> None:
    # PMP-like: five years of project work, three with a bachelor's degree; other work does not count.
    senior = cred("senior", 300, [0, 1, 2], name="Senior cert")
    rule = Rule(id="x", type="experience_required", subject="senior", experience_years=5,
                experience_years_with_degree=3, experience_fields=["project"])  # fmt: skip
    cat = catalogue([senior, cred("basic", 100, [0, 1])], [rule], recognition={"senior": [signal()]})

    def person(title: str, evidence: str, degree: bool, start: str = "2020-06") -> Profile:
        return Profile(
            credentials=[HeldCredential(name="BSc Business", status="earned")] if degree else [],
            experience=[
                Experience(kind="job", title=title, organization="X", start=start, evidence=[evidence])
            ],
            constraints=Constraints(budget=1000, hours_per_week=10, weeks=30),
        )

    shift = person("Restaurant shift manager", "Ran the evening shift", degree=False)  # 5.6 years of work
    assert "senior" not in {s.id for s in plan(cat, shift).steps}  # none of it on projects
    assert "senior" in {s.id for s in plan(cat, person("Coordinator", "Led projects", degree=False)).steps}
    # Four years of projects: enough with a degree (three asked), not without one (five).
    assert "senior" in {s.id for s in plan(cat, person("Coordinator", "Led projects", True, "2022-01")).steps}
    short = plan(cat, person("Coordinator", "Led projects", degree=False, start="2022-01"))
    assert "senior" not in {s.id for s in short.steps}
    assert "Senior cert: it needs about 0.9 more years" in short.explanation


def test_holding_a_degree_is_read_from_how_people_write_it() -> None:
    from coach.planner.learner import holds_degree

    def has(name: str, status: str = "earned") -> bool:
        return holds_degree(Profile(credentials=[HeldCredential(name=name, status=status)]))  # type: ignore[arg-type]

    assert has("BSc Computer Science") and has("Bachelor of Arts, History") and has("MBA") and has("PhD")
    assert not has("Associate degree in nursing") and not has("High school diploma")
    assert not has("BSc Computer Science", status="in_progress")


def test_a_certification_of_what_the_learner_already_does_is_planned_a_course_of_it_is_not() -> None:
    # The learner says they do s0-s2 every day; no credential of theirs shows it. An exam that tests exactly
    # that is proof an employer reads; a course of the same skills teaches nothing new.
    skills = {f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(5)}
    occ = Occupation(id="esco:role", source="esco", title="Support analyst",
                     essential_skills=[f"esco:s{i}" for i in range(5)])  # fmt: skip
    proof = cred("proof", 100, [0, 1, 2])
    course = cred("course", 20, [0, 1, 2], type="course")
    new = cred("new", 100, [3, 4])
    cat = Catalog(
        occupations={occ.id: occ}, skills=skills, credentials={c.id: c for c in (proof, course, new)}
    )
    does = Profile(
        skills=["skill 0", "skill 1", "skill 2"], constraints=Constraints(budget=300, hours_per_week=10)
    )
    steps = {s.id: s for s in plan(cat, does).steps if not s.work_based}
    assert set(steps) == {"proof", "new"}
    assert "certify what you already do" in steps["proof"].why
    assert "certify" not in steps["new"].why
    # Closing a gap still comes first: with room for one step, the new skills win.
    assert [s.id for s in plan(cat, does.model_copy(update={"constraints": Constraints(budget=100,
            hours_per_week=10)})).steps if not s.work_based] == ["new"]  # fmt: skip
    # A credential the learner holds already shows those skills: nothing left to prove.
    shown = does.model_copy(
        update={"credentials": [HeldCredential(name="Course", id="course", status="earned")]}
    )
    assert "proof" not in {s.id for s in plan(cat, shown).steps}


def test_the_tools_a_learner_names_count_as_the_skills_roles_list_for_them() -> None:
    from coach.models import TechnologySkill
    from coach.planner.learner import tool_skills

    def tech(name: str, uri: str) -> TechnologySkill:
        return TechnologySkill(name=name, hot=True, esco_uris=[f"esco:{uri}"])

    names = [("Amazon Web Services AWS software", "cloud"), ("Amazon Web Services AWS CloudFormation", "iac"),
             ("Amazon Elastic Compute Cloud EC2", "cloud"), ("Amazon Redshift", "dw"), ("Linux", "os"),
             ("Microsoft Windows", "os"), ("Microsoft Excel", "sheets"), ("Microsoft Word", "docs"),
             ("R", "stats"), ("Oracle Java", "java"), ("Sun Java", "java2")]  # fmt: skip
    occ = Occupation(id="15-0000.00", source="onet", title="Admin", technology=[tech(n, u) for n, u in names])
    skills = {f"esco:{u}": Skill(uri=f"esco:{u}", label=u) for _, u in names}
    cat = Catalog(occupations={occ.id: occ}, skills=skills)

    def found(phrase: str) -> set[str]:
        return {u.removeprefix("esco:") for u in tool_skills(cat, phrase)}

    assert found("AWS console (EC2, S3)") == {"cloud"}  # the plainest AWS name, and EC2 by its acronym
    assert found("Linux command line") == {"os"}
    assert found("windows 10 and excel") == {"os", "sheets"}  # the vendor's name left out, any case
    assert found("Amazon Redshift") == {"dw"}
    assert found("R") == set()  # too short to find inside text
    assert found("Java") == set()  # a word of a longer name is not the name (Oracle is no vendor of 3 names)
    assert found("customer service") == set()
    # In a plan: the learner's tools cover what the role asks for them.
    occ.essential_skills = []
    prof = Profile(skills=["Linux command line"], constraints=Constraints(hours_per_week=5))
    p = plan_pathway(prof, role="Admin", catalog=cat, linker=None, today=TODAY)
    assert "os" not in {s.uri.removeprefix("esco:") for s in p.uncovered}
    for said in (["gardening"], ["basic Linux (self-taught)"], ["learning linux"]):  # none says they know it
        other = prof.model_copy(update={"skills": said})
        p = plan_pathway(other, role="Admin", catalog=cat, linker=None, today=TODAY)
        assert "os" in {s.uri.removeprefix("esco:") for s in p.uncovered}, said


def test_a_role_split_into_near_tied_facets_is_planned_towards_the_learners_side() -> None:
    from coach.models import OccupationLink

    web = Occupation(
        id="esco:web", source="esco", title="web developer", essential_skills=["esco:s0", "esco:s1"]
    )
    ui = Occupation(
        id="esco:ui", source="esco", title="interface designer", essential_skills=["esco:s2", "esco:s3"]
    )
    far = Occupation(id="esco:far", source="esco", title="far facet", essential_skills=["esco:s2", "esco:s3"])
    role = Occupation(
        id="15-0000.00",
        source="onet",
        title="Web designers",
        links=[
            OccupationLink(target="esco:web", confidence=0.83, method="test"),
            OccupationLink(target="esco:ui", confidence=0.75, method="test"),
            OccupationLink(target="esco:far", confidence=0.5, method="test"),
        ],
    )
    js, figma = cred("js-course", 100, [0, 1]), cred("ux-course", 100, [2, 3])
    cat = Catalog(
        occupations={o.id: o for o in (web, ui, far, role)},
        skills={f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(4)},
        credentials={c.id: c for c in (js, figma)},
        rules=[],
    )
    designer = Profile(skills=["skill 2"], constraints=Constraints(budget=100))
    coder = Profile(skills=["skill 0"], constraints=Constraints(budget=100))
    newcomer = Profile(constraints=Constraints(budget=100))

    def first(prof: Profile) -> tuple[str, list[str]]:
        got = plan_pathway(prof, role="Web designers", catalog=cat, linker=None, today=TODAY)
        return got.steps[0].id, got.assumptions

    step, notes = first(designer)
    assert step == "ux-course" and any("interface designer side" in n for n in notes)
    assert first(coder)[0] == "js-course"
    assert first(newcomer)[0] == "js-course"  # nothing to go by: the best link
    # A facet well below the best link is a weaker match, not a facet.
    role.links[1].confidence = 0.6
    cat = Catalog(occupations={o.id: o for o in (web, ui, far, role)}, skills=cat.skills,
                  credentials=cat.credentials, rules=[])  # fmt: skip
    again = plan_pathway(designer, role="Web designers", catalog=cat, linker=None, today=TODAY)
    assert again.steps[0].id == "js-course"


def test_an_unpriced_exam_is_budgeted_at_its_providers_lowest_stated_exam_price() -> None:
    priced = cred("priced", 300, [0])
    unpriced = cred("unpriced", None, [0, 1, 2])  # closes more, price not stated anywhere
    cat = catalogue([priced, unpriced])
    tight = plan(cat, learner(budget=150))
    assert "unpriced" not in [s.id for s in tight.steps]  # not free: at least USD 300
    roomy = plan(cat, learner(budget=400))
    step = next(s for s in roomy.steps if s.id == "unpriced")
    assert not step.cost_known and "lowest exam price Acme states" in step.why
    # A provider with no priced exam gives nothing to go by: the step stays unpriced, planned with a warning.
    alone = catalogue([cred("unpriced", None, [0, 1, 2], provider="Nobody")])
    assert [s.id for s in plan(alone, learner(budget=150)).steps] == ["unpriced"]


def test_experience_a_credentials_own_prerequisites_recommend_counts_like_a_rule() -> None:
    wants_years = cred("seasoned", 100, [0, 1, 2], prerequisites="High school diploma; recommended: 2 years of "
                       "experience in the field")  # fmt: skip
    plain = cred("plain", 100, [0, 1, 2])
    cat = catalogue([wants_years, plain])
    got = plan(cat, learner(budget=100))
    assert [s.id for s in got.steps] == ["plain"]
    left = plan(catalogue([wants_years]), learner(budget=100))
    assert "recommends about 2 years of experience" in left.steps[0].why


def test_an_apprenticeship_step_names_the_registered_apprenticeship_for_the_role() -> None:
    senior = cred("senior", 300, [0, 1, 2])
    rule = Rule(id="x", type="experience_required", subject="senior", experience_years=2)
    onet = Occupation(id="15-1232.00", source="onet", title="Support analyst", essential_skills=[])
    esco = Occupation(id="esco:role", source="esco", title="Support agent", essential_skills=["esco:s0", "esco:s1",
                      "esco:s2"], links=[])  # fmt: skip
    from coach.models import OccupationLink

    esco.links = [OccupationLink(target="15-1232.00", confidence=0.9, method="test")]
    cat = Catalog(
        occupations={onet.id: onet, esco.id: esco},
        skills={f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(4)},
        credentials={senior.id: senior},
        rules=[rule],
    )
    register = Source(name="US DOL RAPIDS", url="https://register.example/occupations.csv", as_of="2019-09-20",
                      source_kind="register")  # fmt: skip
    cat.apprenticeships = {
        "us-rapids-1131hy": Credential(
            id="us-rapids-1131hy",
            name="Computer Support Specialist",
            provider="Registered Apprenticeship (US)",
            type="apprenticeship",
            exam_code="1131HY",
            onet_soc="15-1232.00",
            term_hours=2312,
            description="US DOL register, code 1131HY: hybrid, term 2,008-2,312 hours.",
            is_microcredential=False,
            sources=[register],
        ),
    }
    prof = learner(hours_per_week=10)
    got = plan_pathway(prof, role="Support agent", catalog=cat, linker=None, today=TODAY)
    work = next(s for s in got.steps if s.kind == "apprenticeship")
    assert "Computer Support Specialist (code 1131HY, hybrid, term 2,008-2,312 hours)" in work.why
    assert work.sources[0].url == "https://register.example/occupations.csv"
    # The register is the US one: a learner budgeting in pounds is not sent to it.
    prof.constraints.currency = "GBP"
    got = plan_pathway(prof, role="Support agent", catalog=cat, linker=None, today=TODAY)
    work = next(s for s in got.steps if s.kind == "apprenticeship")
    assert "registered apprenticeship" not in work.why


def test_the_register_holds_apprenticeships_with_codes_terms_and_sources() -> None:
    from coach.knowledge import get_catalog

    cat = get_catalog()
    entries = list(cat.apprenticeships.values())
    with_code = [a for a in entries if a.onet_soc and a.onet_soc in cat.occupations]
    assert len(with_code) >= 100 and sum(1 for a in entries if a.term_hours) >= 100
    assert all(a.sources and a.sources[0].source_kind == "register" and a.sources[0].as_of for a in entries)
    support = cat.apprenticeships_for("15-1232.00")
    assert support and all(a.onet_soc == "15-1232.00" for a in support)
    assert support[0].name != support[0].name.upper()  # the register's capitals, written as a title


def test_a_recognised_credential_teaching_the_roles_own_skills_is_in_its_field(tmp_path: Path) -> None:
    # The encoder reads a short text and puts "wide" only near the helpdesk field; its skill links say more.
    skills = {f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(7)}
    occ = Occupation(id="esco:role", source="esco", title="Helpdesk support technician",
                     description="Answers support tickets at the helpdesk.",
                     essential_skills=[f"esco:s{i}" for i in range(5)])  # fmt: skip

    def build(wide_skills: list[int], recognised: bool) -> Catalog:
        creds = [
            cred(
                "desk", 10, [0], name="Helpdesk support basics: ticket triage and user support", type="course"
            ),
            cred("desk2", 10, [1], name="Support ticket handling for the helpdesk", type="course"),
            cred("wide", 100, wide_skills, name="Helpdesk practitioner: support graphql"),
        ]
        return Catalog(
            occupations={occ.id: occ},
            skills=skills,
            credentials={c.id: c for c in creds},
            recognition={"wide": [signal()]} if recognised else {},
        )

    def reasons(cat: Catalog) -> dict[str, str]:
        p = plan_pathway(
            learner(budget=1000, hours_per_week=10), role="Helpdesk support technician", catalog=cat,
            linker=None, today=TODAY, embedder=KeywordEmbedder(), cache_dir=tmp_path,  # type: ignore[arg-type]
        )  # fmt: skip
        return {s.id: s.why for s in p.steps}

    own = build([0, 1, 2, 3, 4], recognised=True)
    fit = field_fit(own, occ, KeywordEmbedder(), tmp_path)  # type: ignore[arg-type]
    assert 0.25 <= fit["wide"] < 0.75  # near the field, not in it, by the encoder alone
    in_field = "nearly every skill it teaches is one the target role needs"
    assert in_field in reasons(own)["wide"]
    # Not for an unrecognised one, nor when part of what it teaches is another field's.
    assert in_field not in reasons(build([0, 1, 2, 3, 4], recognised=False)).get("wide", "")
    assert in_field not in reasons(build([0, 1, 2, 5, 6], recognised=True)).get("wide", "")


def test_cheaper_and_faster_alternatives_are_not_padded_with_steps_not_worth_taking() -> None:
    # "lone" is free but closes one skill the plan's main choice also closes: never worth a step of its own.
    # The cheapest plan counts coverage, not value, and used to take it along with the cheaper credential.
    big, mid, lone = cred("big", 100, [0, 1, 2]), cred("mid", 50, [1, 2]), cred("lone", 0, [0])
    p = plan(catalogue([big, mid, lone]), learner(budget=500, hours_per_week=10), alternatives=2)
    assert [s.id for s in p.steps] == ["big"]
    cheapest = next(a for a in p.alternatives if a.label == "cheapest")
    assert [s.id for s in cheapest.steps] == ["mid"]
    assert all("lone" not in {s.id for s in a.steps} for a in p.alternatives)


def test_a_credential_named_for_the_roles_field_is_in_it() -> None:
    """Google's IT Support certificate lists networking topics as its skills; read alone they put it far below a
    Salesforce exam for an IT-support role. Its name says the field the role's titles name ("IT Support
    Specialist", "Help Desk Technician"), and a coach plans it first."""
    from coach.context import process_context
    from coach.models import Profile
    from coach.planner.fit import field_fit, names_a_field, role_fields

    ctx = process_context()
    occ = ctx.catalog.find_occupation("Computer User Support Specialists")
    assert occ is not None
    fields = role_fields(occ)
    assert {"it support", "help desk", "desktop support"} <= fields
    assert "customer service" not in fields  # one title's field is too loose to go by
    assert names_a_field("Google IT Support Professional Certificate", fields)
    assert not names_a_field("Salesforce Certified Platform Administrator", fields)
    assert field_fit(ctx.catalog, occ, ctx.embedder, ctx.settings.home / "cache")["google-it-support"] == 1.0
    learner = Profile.model_validate(
        {"target": {"role": occ.id}, "constraints": {"budget": 600, "hours_per_week": 6, "weeks": 40}}
    )
    plan = ctx.plan_pathway(learner, role=occ.id, today=TODAY)
    credentials = [s.id for s in plan.steps if not s.work_based]
    assert credentials[:1] == ["google-it-support"]


def test_a_retired_exam_is_never_planned_or_suggested() -> None:
    """AWS retired the SysOps Administrator exam (SOA-C02) for CloudOps Engineer: a learner can hold it, nobody
    can sit it, so no plan or gap suggestion names it."""
    from coach.context import process_context
    from coach.knowledge.catalog import is_retired
    from coach.models import Profile, Requirement, SkillRef
    from coach.postings.gaps import gap_credentials

    ctx = process_context()
    retired = [c for c in ctx.catalog.credentials.values() if is_retired(c)]
    assert {"aws-sysops-administrator-associate", "comptia-itf-plus"} <= {c.id for c in retired}
    learner = Profile.model_validate(
        {
            "target": {"role": "Computer User Support Specialists"},
            "constraints": {"budget": 150, "hours_per_week": 4},
        }
    )
    plan = ctx.plan_pathway(learner, role="Computer User Support Specialists", today=TODAY)
    assert plan.steps and not {s.id for s in plan.steps} & {c.id for c in retired}
    sysops = ctx.catalog.credentials["aws-sysops-administrator-associate"]
    gaps = [
        Requirement(text=ctx.catalog.skill_label(u), kind="skill", start=0, end=1, required=True, match="missing",
                    skills=[SkillRef(uri=u, label=ctx.catalog.skill_label(u), score=1.0)])
        for u in sysops.skills[:3]
    ]  # fmt: skip
    assert "aws-sysops-administrator-associate" not in {g.id for g in gap_credentials(gaps, ctx.catalog)}


def test_a_capstone_is_not_planned_without_its_series() -> None:
    """A capstone is the closing project of a course series: a free plan once took "Google Data Analytics
    Capstone" alone, without the courses it caps."""
    from coach.context import process_context
    from coach.models import Profile

    ctx = process_context()
    learner = Profile.model_validate(
        {
            "current_role": "cashier",
            "target": {"role": "15-2051.00"},
            "constraints": {"budget": 0, "hours_per_week": 6, "weeks": 38},
        }
    )
    plan = ctx.plan_pathway(learner, role="15-2051.00", today=dt.date(2026, 12, 7), alternatives=1)
    names = [s.name for p in [plan, *(plan.alternatives or [])] for s in p.steps]
    assert names and not [n for n in names if "capstone" in n.lower()]
