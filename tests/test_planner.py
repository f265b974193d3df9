"""The pathway planner on small synthetic catalogues: choice, order, calendar, explanations, infeasibility,
alternatives, postings, CTDL export, validation and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import pytest

from coach.errors import BadInput, NotFound
from coach.knowledge import Catalog
from coach.models import (
    Constraints,
    Credential,
    Experience,
    HeldCredential,
    Occupation,
    PostingAnalysis,
    Profile,
    Requirement,
    Rule,
    Skill,
    SkillRef,
    Source,
)
from coach.planner import pathway_text, pathway_to_ctdl, plan_pathway, validate_pathway

TODAY = dt.date(2026, 1, 5)


def cred(cid: str, cost: float | None, hours: float | None, skills: list[int], **kw: object) -> Credential:
    """A synthetic credential covering skills s<i>."""
    return Credential(
        id=cid,
        name=kw.pop("name", cid.upper()),  # type: ignore[arg-type]
        provider=kw.pop("provider", "Acme"),  # type: ignore[arg-type]
        type=kw.pop("type", "certification"),  # type: ignore[arg-type]
        level=kw.pop("level", "entry"),  # type: ignore[arg-type]
        cost=cost,
        hours_min=hours,
        hours_max=hours,
        skills=[f"esco:s{i}" for i in skills],
        sources=[Source(name="test catalogue", url=f"https://example.org/{cid}")],
        url=f"https://example.org/{cid}",
        **kw,  # type: ignore[arg-type]
    )


def make_catalog(creds: list[Credential], rules: list[Rule], n_skills: int = 10) -> Catalog:
    skills = {f"esco:s{i}": Skill(uri=f"esco:s{i}", label=f"skill {i}") for i in range(n_skills)}
    occ = Occupation(
        id="esco:analyst",
        source="esco",
        title="Security analyst",
        essential_skills=["esco:s0", "esco:s1", "esco:s2", "esco:s3"],
        optional_skills=["esco:s4", "esco:s7"],
    )
    return Catalog(
        occupations={occ.id: occ},
        skills=skills,
        credentials={c.id: c for c in creds},
        rules=rules,
    )


@pytest.fixture
def catalog() -> Catalog:
    creds = [
        cred("a", 100, 40, [0]),
        cred("b", 200, 60, [1, 2], level="intermediate"),
        cred("c", 300, 80, [3], level="advanced"),
        cred("d", None, 20, [4], type="course", provider="Other U"),
        cred("deg", 1000, 2000, [0, 1, 2, 3], type="degree", is_microcredential=False),
        cred("e", 500, 100, [3], level="expert"),
    ]
    rules = [
        Rule(id="r1", type="prerequisite_required", subject="c", objects=["a", "b"], any_of=True),
        Rule(id="r2", type="recommended_before", subject="b", objects=["a"]),
        Rule(id="r3", type="stackable_award", subject="ab-stack", objects=["a", "b"]),
        Rule(id="r4", type="experience_required", subject="e", experience_years=2),
    ]
    return make_catalog(creds, rules)


def profile(**constraints: object) -> Profile:
    return Profile(name="Test", skills=["skill 7"], constraints=Constraints(**constraints))


def plan(catalog: Catalog, prof: Profile, **kw: object):
    kw.setdefault("role", "Security analyst")
    # The fixture's credentials each teach one or two skills: test the mechanics on pure weighted coverage (the
    # per-step overhead has its own tests below).
    kw.setdefault("step_overhead", 0.0)
    return plan_pathway(prof, catalog=catalog, linker=None, today=TODAY, **kw)  # type: ignore[arg-type]


def test_plan_covers_the_most_importance_within_budget_in_prerequisite_order(catalog: Catalog) -> None:
    prof = profile(budget=700, hours_per_week=10, weeks=30)
    p = plan(catalog, prof)
    ids = [s.id for s in p.steps]
    assert p.status == "optimal"
    # a, b, c cover s0-s3 (all essential) for 600; e would replace c but costs more; d has no published price,
    # so it is planned with a warning and the known 600 is what the budget checks.
    assert set(ids) == {"a", "b", "c", "d"}
    assert ids.index("a") < ids.index("b")  # recommended before, and by level
    assert ids.index("c") == 3  # needs a or b first, and is the most advanced
    c = p.steps[3]
    assert c.prerequisites and set(c.prerequisites) <= {"a", "b"}
    assert p.total_cost == 600 and p.total_hours == 200
    assert [(s.start_week, s.end_week) for s in p.steps] == [(1, 4), (5, 6), (7, 12), (13, 20)]
    assert p.weeks == 20 and p.completion_date == (TODAY + dt.timedelta(weeks=20)).isoformat()
    assert "ab-stack" in next(s for s in p.steps if s.id == "b").unlocks
    assert p.uncovered == []
    assert "unpublished price" in p.explanation
    assert p.coverage_before < p.coverage_after
    assert validate_pathway(p, prof, catalog) == []


def test_steps_explain_what_they_close_and_why_they_sit_there(catalog: Catalog) -> None:
    p = plan(catalog, profile(budget=700, hours_per_week=10, weeks=30))
    first, last = p.steps[0], p.steps[-1]
    assert "skill 0" in first.why and "required before C" in first.why
    assert "requires" in last.why and "test catalogue" in last.why
    unpriced = next(s for s in p.steps if s.id == "d")
    assert "No published price" in unpriced.why and "check the price" in unpriced.why
    # Under a budget too small for c, skill 3 stays open and the explanation says why.
    p2 = plan(catalog, profile(budget=300, hours_per_week=10, weeks=30))
    assert "skill 3" in p2.explanation and "budget" in p2.explanation
    assert "Security analyst" in pathway_text(p)


def test_degrees_are_never_steps(catalog: Catalog) -> None:
    p = plan(catalog, profile())
    assert "deg" not in {s.id for s in p.steps}
    assert all(s.kind not in ("degree", "program") for s in p.steps)


def test_unknown_cost_is_kept_with_a_warning_and_the_known_part_fits_the_budget(catalog: Catalog) -> None:
    free = plan(catalog, profile(hours_per_week=10))
    d = next(s for s in free.steps if s.id == "d")
    assert d.cost_known is False and "No published price" in d.why
    budgeted = plan(catalog, profile(budget=300, hours_per_week=10))
    d = next(s for s in budgeted.steps if s.id == "d")
    assert d.cost_known is False and d.cost == 0 and "budget covers the other steps" in d.why
    assert budgeted.total_cost <= 300
    # A priced equal wins over an unpriced one.
    twin = cred("d2", 0, 20, [4], type="course", provider="Other U")
    cat = make_catalog([*catalog.credentials.values(), twin], catalog.rules)
    ids = {s.id for s in plan(cat, profile(budget=300, hours_per_week=10)).steps}
    assert "d2" in ids and "d" not in ids


def test_budget_zero_is_infeasible_with_reason_and_nearest_budget(catalog: Catalog) -> None:
    cat = make_catalog([c for c in catalog.credentials.values() if c.id != "d"], catalog.rules)
    p = plan(cat, profile(budget=0, hours_per_week=10, weeks=30))
    assert p.status == "infeasible" and p.steps == []
    assert "budget" in p.binding
    assert "budget" in (p.reason or "").lower()
    assert p.nearest_feasible and "100" in p.nearest_feasible  # the cheapest covering credential
    nearest = p.alternatives[0]
    assert nearest.label == "nearest feasible" and nearest.steps and nearest.total_cost <= 100


def test_short_deadline_for_a_long_credential_is_infeasible_with_the_weeks_needed() -> None:
    cat = make_catalog([cred("long", 300, 240, [0, 1])], [])  # six months at 10 h a week
    p = plan(cat, profile(hours_per_week=10, weeks=4))
    assert p.status == "infeasible" and p.binding == ["time"]
    assert "24 weeks at 10 h a week (20 more)" in (p.nearest_feasible or "")
    assert "60 h a week within 4 weeks" in (p.nearest_feasible or "")
    # Beyond 100 h a week no weekly figure is offered, only more weeks.
    p2 = plan(cat, profile(hours_per_week=10, weeks=2))
    assert "h a week within" not in (p2.nearest_feasible or "") and "22 more" in (p2.nearest_feasible or "")


def test_held_credentials_are_skipped_and_satisfy_prerequisites(catalog: Catalog) -> None:
    prof = profile(budget=1000, hours_per_week=10)
    prof.credentials = [HeldCredential(name="A", status="earned")]
    p = plan(catalog, prof)
    ids = [s.id for s in p.steps]
    assert "a" not in ids and "c" in ids
    c = next(s for s in p.steps if s.id == "c")
    assert "a" not in c.prerequisites  # satisfied by what is held
    assert p.coverage_before > 0


def test_full_equivalence_counts_as_held() -> None:
    cat = make_catalog(
        [cred("new", 100, 10, [0]), cred("old", 100, 10, [0]), cred("next", 50, 10, [1])],
        [
            Rule(id="e1", type="equivalence", subject="new", objects=["old"], condition="successor"),
            Rule(id="p1", type="prerequisite_required", subject="next", objects=["new"]),
        ],
    )
    prof = profile()
    prof.credentials = [HeldCredential(name="OLD")]
    p = plan(cat, prof)
    assert [s.id for s in p.steps if not s.work_based] == ["next"]


def test_experience_requirement_becomes_a_labelled_work_step(catalog: Catalog) -> None:
    prof = profile(hours_per_week=10)
    cat = make_catalog([cred("e", 500, 100, [3])], catalog.rules)
    p = plan(cat, prof)
    kinds = {s.id: s for s in p.steps}
    work = next(s for s in p.steps if s.work_based)
    assert work.kind in ("internship", "apprenticeship") and work.id.startswith("work:")
    assert "work experience" in work.name.lower() and "not a credential" in work.why
    assert kinds["e"].start_week > work.end_week  # the credential is awarded after the experience
    # With a job already held for 3 years, no work step is needed.
    prof.experience = [Experience(kind="job", title="Admin", start="2022-01", end="2025-06")]
    p2 = plan(cat, prof)
    assert [s.id for s in p2.steps if s.kind != "portfolio_project"] == ["e"]


def test_experience_longer_than_the_deadline_excludes_the_credential(catalog: Catalog) -> None:
    cat = make_catalog([cred("e", 500, 100, [3])], catalog.rules)
    p = plan(cat, profile(hours_per_week=10, weeks=40))
    assert p.status == "infeasible" and "time" in p.binding


def test_skills_no_credential_covers_get_a_portfolio_project(catalog: Catalog) -> None:
    cat = make_catalog([c for c in catalog.credentials.values() if c.id != "d"], catalog.rules)
    p = plan(cat, profile(hours_per_week=10))
    project = next(s for s in p.steps if s.kind == "portfolio_project")
    assert project.work_based and project.cost == 0 and project.hours_estimated
    assert [k.uri for k in project.skills] == ["esco:s4"]
    assert "per skill" in project.why


def test_provider_and_exam_only_filters(catalog: Catalog) -> None:
    only_other = plan(catalog, profile(hours_per_week=10), providers=["other u"])
    assert {s.id for s in only_other.steps if not s.work_based} == {"d"}
    exams = plan(catalog, profile(hours_per_week=10), exam_only=True)
    assert all(s.kind == "certification" for s in exams.steps if not s.work_based)
    assert "d" not in {s.id for s in exams.steps}


def test_max_items_limits_the_plan(catalog: Catalog) -> None:
    p = plan(catalog, profile(hours_per_week=10, budget=2000), max_items=1)
    assert len(p.steps) == 1 and p.steps[0].id == "b"  # two essential skills at once
    assert "max_items" in p.binding


def test_alternatives_are_different_and_say_their_trade_off(catalog: Catalog) -> None:
    p = plan(catalog, profile(budget=700, hours_per_week=10, weeks=30), alternatives=3)
    sets = [frozenset(s.id for s in p.steps)] + [frozenset(s.id for s in a.steps) for a in p.alternatives]
    assert len(p.alternatives) >= 2 and len(set(sets)) == len(sets)
    assert {a.label for a in p.alternatives} >= {"cheapest", "fastest"}
    for a in p.alternatives:
        assert a.trade_off and a.trade_off.endswith(".") and a.alternatives == []
        assert validate_pathway(a, profile(budget=700, hours_per_week=10, weeks=30), catalog) == []
    cheapest = next(a for a in p.alternatives if a.label == "cheapest")
    assert cheapest.total_cost < p.total_cost and "cheaper" in (cheapest.trade_off or "")


def test_nothing_to_do_when_the_profile_covers_the_role(catalog: Catalog) -> None:
    prof = profile()
    prof.skills = [f"skill {i}" for i in range(8)]
    p = plan(catalog, prof)
    assert p.status == "optimal" and p.steps == [] and "already covers" in (p.reason or "")


def test_posting_target_weights_requirements_and_must_cover_certifications(catalog: Catalog) -> None:
    def req(text: str, kind: str, required: bool = True, **kw: object) -> Requirement:
        return Requirement(text=text, start=0, end=len(text), kind=kind, required=required, **kw)  # type: ignore[arg-type]

    posting = PostingAnalysis(
        title="SOC analyst",
        requirements=[
            req("skill 1", "skill", skills=[SkillRef(uri="esco:s1", label="skill 1", score=0.9)]),
            req("skill 4", "skill", required=False, skills=[SkillRef(uri="esco:s4", label="skill 4")]),
            req("E certification", "certification", credentials=["e"]),
            req("3 years in security", "experience", years=3),
        ],
    )
    p = plan(catalog, profile(hours_per_week=10), role=None, posting=posting)
    ids = {s.id for s in p.steps}
    assert p.target == "SOC analyst"
    assert "e" in ids  # named by the posting: must-cover although c covers the same skill for less
    assert "b" in ids and "c" not in ids
    assert any(s.work_based and "relevant work" in s.name for s in p.steps)


def test_bad_input_is_a_clear_error(catalog: Catalog) -> None:
    with pytest.raises(BadInput, match="budget"):
        plan(catalog, profile(), budget=-5)
    with pytest.raises(NotFound, match="unknown role"):
        plan(catalog, profile(), role="Astronaut chef")
    with pytest.raises(BadInput, match="weeks"):
        plan(catalog, profile(), weeks=0)


def test_ctdl_export_follows_the_pathway_vocabulary(catalog: Catalog) -> None:
    p = plan(catalog, profile(budget=700, hours_per_week=10))
    doc = pathway_to_ctdl(p)
    graph = {n["@id"]: n for n in doc["@graph"]}
    root = next(n for n in doc["@graph"] if n["@type"] == "ceterms:Pathway")
    dest = graph[root["ceterms:hasDestinationComponent"][0]]
    assert set(root["ceterms:hasPart"]) <= set(graph)
    cond = dest["ceterms:hasCondition"][0]
    assert cond["@type"] == "ceterms:ComponentCondition" and cond["ceterms:requiredNumber"] == len(p.steps)
    c = next(n for n in doc["@graph"] if n["@id"].endswith(":c"))
    assert c["@type"] == "ceterms:CredentialComponent"
    assert all(ref in graph for ref in c["ceterms:prerequisite"])  # required order
    a = next(n for n in doc["@graph"] if n["@id"].endswith(":a"))
    assert a["ceterms:precedes"]  # the suggested sequence
    json.dumps(doc)


def test_work_steps_export_as_work_experience_components(catalog: Catalog) -> None:
    cat = make_catalog([cred("e", 500, 100, [3])], catalog.rules)
    doc = pathway_to_ctdl(plan(cat, profile(hours_per_week=10)))
    types = {n["@type"] for n in doc["@graph"]}
    assert "ceterms:WorkExperienceComponent" in types


def test_validate_pathway_catches_edits(catalog: Catalog) -> None:
    prof = profile(budget=700, hours_per_week=10, weeks=30)
    p = plan(catalog, prof)
    reordered = p.model_copy(deep=True)
    c = next(s for s in reordered.steps if s.id == "c")
    c.start_week, c.end_week, c.prerequisites = 1, 1, []
    for s in reordered.steps:
        if s.id != "c":
            s.start_week, s.end_week = s.start_week + 25, s.end_week + 25
    problems = validate_pathway(reordered, prof, catalog)
    assert any("needs a or b" in x for x in problems)
    assert any("after the 30 weeks" in x for x in problems)
    bad = p.model_copy(deep=True)
    bad.steps[0].id = "made-up"
    next(s for s in bad.steps if s.id == "b").cost = 1.0
    problems = validate_pathway(bad, prof, catalog)
    assert any("unknown credential id: made-up" in x for x in problems)
    assert any("costs 200" in x for x in problems)
    over = p.model_copy(deep=True)
    assert validate_pathway(over, profile(budget=100), catalog)[0].startswith("total cost")


# ---- CLI -----------------------------------------------------------------------------------------------------


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    from coach import cli

    monkeypatch.setattr(sys, "argv", ["coach", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_catalog(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> Catalog:
    import coach.knowledge

    monkeypatch.setattr(coach.knowledge, "get_catalog", lambda: catalog)
    import coach.planner.candidates

    # Patched where _build_plan looks it up.
    monkeypatch.setattr(coach.planner.candidates, "_learner_skills", lambda *args: set())
    return catalog


def test_cli_plan_json(tmp_path, monkeypatch, capsys, cli_catalog) -> None:
    path = tmp_path / "p.json"
    path.write_text(profile(budget=700, hours_per_week=10).model_dump_json())
    code, out, err = run_cli(
        monkeypatch, capsys, "plan", "--profile", str(path), "--role", "Security analyst", "--json",
        "--alternatives", "1", "--today", "2026-01-05", "--step-overhead", "0",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "optimal" and data["total_cost"] == 600
    for key in ("reason", "steps", "total_hours", "weeks", "uncovered", "alternatives"):
        assert key in data
    step = data["steps"][0]
    for key in ("id", "name", "kind", "start_week", "end_week", "cost", "hours", "skills", "prerequisites"):
        assert key in step
    assert len(data["alternatives"]) == 1


def test_cli_plan_bad_inputs_give_one_line(tmp_path, monkeypatch, capsys, cli_catalog) -> None:
    good = tmp_path / "p.json"
    good.write_text(profile().model_dump_json())
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    vague = tmp_path / "vague.json"
    vague.write_text(json.dumps({**json.loads(good.read_text()), "constraints": {"budget": "a lot"}}))
    cases = [
        (["--profile", str(broken), "--role", "Security analyst"], "not valid JSON"),
        (["--profile", str(good), "--role", "Astronaut chef"], "unknown role"),
        (["--profile", str(good), "--role", "Security analyst", "--budget", "-5"], "budget"),
        (
            ["--profile", str(good), "--role", "Security analyst", "--hours-per-week", "1e-9"],
            "hours per week",
        ),
        (
            ["--profile", str(good), "--role", "Security analyst", "--weeks", "100000"],
            "weeks must be between",
        ),
        (["--profile", str(good), "--role", "Security analyst", "--posting", "x"], "not both"),
        (["--profile", str(good)], "no target"),  # no flag, and the profile names none
        (["--profile", str(vague)], "budget"),  # the profile's own error, not a missing flag
    ]
    for args, message in cases:
        code, out, err = run_cli(monkeypatch, capsys, "plan", *args)
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and out == ""


def test_cli_plan_text_and_ctdl(tmp_path, monkeypatch, capsys, cli_catalog) -> None:
    path = tmp_path / "p.json"
    path.write_text(profile(hours_per_week=10, weeks=1).model_dump_json())
    code, out, _ = run_cli(monkeypatch, capsys, "plan", "--profile", str(path), "--role", "Security analyst")
    assert code == 0 and "infeasible" in out and "Nearest feasible change" in out
    code, out, _ = run_cli(
        monkeypatch, capsys, "plan", "--profile", str(path), "--role", "Security analyst", "--budget", "700",
        "--ctdl",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["@graph"][0]["@type"] == "ceterms:Pathway"


def test_time_limit_gives_a_feasible_plan_with_its_gap() -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "bench_planner.py"
    spec = importlib.util.spec_from_file_location("bench_planner_for_test", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cat = bench.synthetic_catalog(3000, seed=3)
    prof = Profile(constraints=Constraints(budget=1500, hours_per_week=8, weeks=40))
    p = plan_pathway(
        prof, role="syn:role", catalog=cat, linker=None, time_limit_s=0.01, today=TODAY, max_items=50,
        step_overhead=0.0,
    )  # fmt: skip
    assert p.status == "feasible" and p.gap is not None and p.gap > 0
    assert "time limit" in (p.reason or "") and p.steps
    assert validate_pathway(p, prof, cat) == []


class FakeLinker:
    """A stand-in for the taxonomy linker: fixed top hits with scores."""

    def __init__(self, hits: dict[str, tuple[str, float]]) -> None:
        self.hits = hits
        self.asked: list[str] = []

    def rank_skills_batch(self, texts: list[str], top_k: int = 10) -> list[list[SkillRef]]:
        self.asked += texts
        return [
            [SkillRef(uri=self.hits[t][0], label=t, score=self.hits[t][1])] if t in self.hits else []
            for t in texts
        ]


def test_profile_phrases_count_through_the_linker_only_when_confident(catalog: Catalog) -> None:
    linker = FakeLinker({"sql wizardry": ("esco:s0", 0.9), "vague thing": ("esco:s3", 0.65)})
    prof = profile(hours_per_week=10, budget=2000)
    prof.skills = ["skill 1", "sql wizardry", "vague thing"]
    p = plan_pathway(prof, role="Security analyst", catalog=catalog, linker=linker, today=TODAY)
    assert linker.asked == ["sql wizardry", "vague thing"]  # exact labels never reach the linker
    open_or_planned = {k.uri for k in p.uncovered} | {k.uri for s in p.steps for k in s.skills}
    assert "esco:s0" not in open_or_planned and "esco:s1" not in open_or_planned  # already held
    assert "esco:s3" in open_or_planned  # a loose match does not count


def test_a_broken_linker_falls_back_to_exact_labels_and_says_so(catalog: Catalog) -> None:
    class Broken:
        def rank_skills_batch(self, texts: list[str], top_k: int = 10) -> list[list[SkillRef]]:
            raise RuntimeError("index missing")

    prof = profile(hours_per_week=10)
    prof.skills = ["skill 1", "something else"]
    p = plan_pathway(prof, role="Security analyst", catalog=catalog, linker=Broken(), today=TODAY)
    assert any("exact label" in a for a in p.assumptions)
    assert "esco:s1" not in {k.uri for k in p.uncovered}


def test_solver_output_never_reaches_stdout() -> None:
    import subprocess

    code = (
        "import json\n"
        "from coach.planner.solver import Item, Problem, solve\n"
        "s = solve(Problem([Item(id='a', cost=1, hours=1, covers=frozenset({'k'}))], {'k': 1.0}))\n"
        "print(json.dumps(s.chosen))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == '["a"]'


def test_cli_plan_accepts_a_posting_analysis_json(tmp_path, monkeypatch, capsys, cli_catalog) -> None:
    prof = tmp_path / "p.json"
    prof.write_text(profile(hours_per_week=10).model_dump_json())
    analysis = PostingAnalysis(
        title="Junior analyst",
        requirements=[
            Requirement(
                text="skill 1",
                start=0,
                end=7,
                kind="skill",
                skills=[SkillRef(uri="esco:s1", label="skill 1")],
            )
        ],
    )
    post = tmp_path / "posting.json"
    post.write_text(analysis.model_dump_json())
    code, out, err = run_cli(
        monkeypatch, capsys, "plan", "--profile", str(prof), "--posting", str(post), "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["target"] == "Junior analyst" and [s["id"] for s in data["steps"]] == ["b"]


# ---- plan quality: relevance, per-step overhead, default size, credentials under way or planned ----------------


def test_a_step_must_close_more_than_its_overhead(catalog: Catalog) -> None:
    # d teaches only the optional s4 (relevance 0.3): worth a step for pure coverage, not for a coach.
    prof = profile(hours_per_week=10)
    assert "d" in {s.id for s in plan(catalog, prof).steps}
    coached = plan(catalog, prof, step_overhead=1.0)
    assert "d" not in {s.id for s in coached.steps}
    # b closes two essential skills (2.0 > 1.0): still proposed; a alone closes exactly one (a tie, not a gain).
    assert "b" in {s.id for s in coached.steps}
    assert coached.status == "optimal" and "overhead" in coached.objective


def test_nothing_worth_a_step_is_not_reported_as_infeasible() -> None:
    cat = make_catalog([cred("opt", 50, 10, [4])], [])
    p = plan(cat, profile(hours_per_week=10, budget=100), step_overhead=1.0)
    assert p.status == "optimal" and [s for s in p.steps if not s.work_based] == []
    assert "worth" in (p.reason or "") and "OPT" in (p.reason or "")


def test_a_diffuse_credential_must_prove_more_than_a_focused_one() -> None:
    # Both close s0 and s4 (1.3); "wide" also teaches five skills the role does not list.
    creds = [cred("focused", 100, 10, [0, 4]), cred("wide", 90, 10, [0, 4, 5, 6, 8, 9])]
    p = plan(make_catalog(creds, []), profile(hours_per_week=10), step_overhead=1.0)
    assert [s.id for s in p.steps if not s.work_based] == ["focused"]  # despite costing more


def test_role_relevance_weighs_what_is_distinctive() -> None:
    from coach.models import OccupationLink, OnetSkillRating, TechnologySkill
    from coach.planner import role_relevance

    skills = {
        f"esco:{n}": Skill(uri=f"esco:{n}", label=n, reuse_level=r)
        for n, r in [
            ("core", "sector-specific"),
            ("opt", "sector-specific"),
            ("sql", "sector-specific"),
            ("sql2", "sector-specific"),
            ("html", "sector-specific"),
            ("think", "transversal"),
            ("read", "cross-sector"),
        ]
    }
    esco = Occupation(id="esco:occ", source="esco", title="E", essential_skills=["esco:core"],
                      optional_skills=["esco:opt"])  # fmt: skip
    onet = Occupation(
        id="11-1111.00",
        source="onet",
        title="O",
        skills=[
            OnetSkillRating(
                element_id="2.A.2.a",
                name="Critical Thinking",
                importance=4.0,
                level=4.0,
                esco_uris=["esco:think"],
            ),
            OnetSkillRating(
                element_id="2.A.1.a", name="Reading", importance=4.0, level=4.0, esco_uris=["esco:read"]
            ),
        ],
        technology=[
            TechnologySkill(name="SQL", hot=True, in_demand=True, esco_uris=["esco:sql", "esco:sql2"]),
            TechnologySkill(name="HTML", hot=True, esco_uris=["esco:html"]),
        ],
        links=[OccupationLink(target="esco:occ", confidence=0.8, method="test")],
    )
    cat = Catalog(occupations={esco.id: esco, onet.id: onet}, skills=skills)
    rel = role_relevance(cat, "11-1111.00")
    assert rel["esco:core"] == 1.0 and max(rel.values()) == 1.0
    assert rel["esco:core"] > rel["esco:sql"] > rel["esco:html"]  # In-Demand technology > Hot only
    assert rel["esco:sql"] == rel["esco:sql2"] and rel["esco:sql"] < 0.6 / 0.8  # one technology, shared
    assert rel["esco:opt"] < 0.5 * rel["esco:core"]  # essential ≫ optional
    assert rel["esco:think"] < rel["esco:read"] < rel["esco:sql"]  # transversal and basic skills count less
    assert role_relevance(cat, "esco:occ") == {"esco:core": 1.0, "esco:opt": 0.3}


def test_at_most_six_steps_unless_asked() -> None:
    creds = [cred(f"x{i}", 10, 5, [i]) for i in range(8)]
    occ_skills = [f"esco:s{i}" for i in range(8)]
    cat = make_catalog(creds, [])
    cat.occupations["esco:analyst"].essential_skills = occ_skills
    cat.occupations["esco:analyst"].optional_skills = []
    p = plan(cat, profile(hours_per_week=10))
    assert len(p.steps) == 6 and "max_items" in p.binding
    assert any("at most 6" in a for a in p.assumptions)
    # Every gap, and x7: an exam of the s7 the learner says they have (see EVIDENCE_SHARE).
    assert len(plan(cat, profile(hours_per_week=10), max_items=8).steps) == 8


def test_in_progress_credentials_are_not_replanned_and_count_as_covered(catalog: Catalog) -> None:
    prof = profile(budget=700, hours_per_week=10, weeks=30)
    before = plan(catalog, prof)
    prof.credentials = [HeldCredential(name="B", id="b", status="in_progress")]
    p = plan(catalog, prof)
    assert "b" not in {s.id for s in p.steps}
    assert p.coverage_before > before.coverage_before  # s1, s2 count as covered
    assert any("In progress" in a and "B" in a for a in p.assumptions)
    c = next(s for s in p.steps if s.id == "c")
    assert c.prerequisites == []  # b under way satisfies c's "a or b"
    assert validate_pathway(p, prof, catalog) == []


def test_planned_credentials_are_preferred(catalog: Catalog) -> None:
    # c and e both close s3; c is cheaper and e is two levels above anything held, but the learner plans e.
    cat = make_catalog(list(catalog.credentials.values()), [r for r in catalog.rules if r.id != "r4"])
    prof = profile(hours_per_week=10)
    assert "e" not in {s.id for s in plan(cat, prof).steps}
    prof.credentials = [HeldCredential(name="E", id="e", status="planned")]
    p = plan(cat, prof, step_overhead=1.0)
    e = next(s for s in p.steps if s.id == "e")
    assert "already plan" in e.why


def test_the_credential_the_learner_qualifies_for_is_preferred(catalog: Catalog) -> None:
    # e needs two years of experience. Without them, the cheaper c closes s3; with them, e (which they qualify
    # for) is the better choice, and the step says why.
    novice = profile(hours_per_week=10)
    assert "e" not in {s.id for s in plan(catalog, novice).steps}
    seasoned = profile(hours_per_week=10)
    seasoned.experience = [Experience(kind="job", title="Analyst", start="2020-01", end="2025-06")]
    p = plan(catalog, seasoned)
    e = next(s for s in p.steps if s.id == "e")
    assert "c" not in {s.id for s in p.steps}
    assert "you meet its experience requirement" in e.why


def test_experience_counts_only_in_the_field_a_rule_names() -> None:
    from coach.planner import experience_fields

    assert experience_fields("Minimum five years cumulative paid full-time security work experience") == {
        "security"
    }
    assert experience_fields("Five years cumulative paid IT work experience") == {"IT"}
    assert experience_fields("At least one year of full-time work experience") == set()
    rule = Rule(id="x", type="experience_required", subject="e", experience_years=2,
                condition="Two years of security work experience")  # fmt: skip
    cat = make_catalog([cred("e", 500, 100, [0, 1])], [rule])
    prof = profile(hours_per_week=10)
    prof.experience = [Experience(kind="job", title="Sales associate", start="2019-01", end="2025-06",
                                  evidence=["Sold books"])]  # fmt: skip
    retail = plan(cat, prof)
    work = next(s for s in retail.steps if s.work_based)
    assert "security" in work.why and "0.0" in work.why
    prof.experience[0].evidence.append("Ran the store's security cameras and alarm")
    assert not any(s.work_based and s.kind != "portfolio_project" for s in plan(cat, prof).steps)


def test_linker_answers_are_cached_on_disk(tmp_path, catalog: Catalog) -> None:
    from coach.planner.learner import _learner_skills

    linker = FakeLinker({"seven-ish": ("esco:s7", 0.9), "vague": ("esco:s1", 0.5)})
    cache = tmp_path / "links.json"
    first = _learner_skills(catalog, ["skill 0", "seven-ish", "vague"], linker, [], cache)
    assert first == {"esco:s0", "esco:s7"} and linker.asked == ["seven-ish", "vague"]
    again = _learner_skills(catalog, ["skill 0", "seven-ish", "vague"], linker, [], cache)
    assert again == first and linker.asked == ["seven-ish", "vague"]  # answered from disk, misses too
    cache.write_text("{broken")
    assert _learner_skills(catalog, ["seven-ish"], linker, [], cache) == {"esco:s7"}  # damaged: asks again


def test_the_shared_phrase_cache_never_keeps_resume_text_and_stays_bounded(
    tmp_path, catalog: Catalog
) -> None:
    from coach.planner import learner as learner_module
    from coach.planner.learner import _learner_skills

    private = "managed payroll for 40 staff at lakeview inn"
    linker = FakeLinker({"seven-ish": ("esco:s7", 0.9), private: ("esco:s1", 0.9)})
    cache = tmp_path / "links.json"
    found = _learner_skills(catalog, ["seven-ish", private], linker, [], cache)
    assert found == {"esco:s7", "esco:s1"}  # both used for this plan
    stored = cache.read_text(encoding="utf-8")
    assert "seven ish" in stored and "payroll" not in stored  # only a skill-like phrase is kept for later
    many = [f"skill phrase {chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(80)]
    notes: list[str] = []
    linker.hits.update({p: ("esco:s1", 0.9) for p in many})
    _learner_skills(catalog, many, linker, notes, cache)
    assert any("Only the first" in n for n in notes)  # linking is bounded per plan
    assert len(linker.asked) <= 2 + learner_module.MAX_LINKED_PHRASES


def test_a_plan_reads_the_same_whatever_the_hash_seed() -> None:
    """Skills of equal weight are listed in one fixed order: the same plan on every run, on every machine."""
    import subprocess

    code = (
        "import json\n"
        "from tests.test_planner import TODAY, cred, make_catalog, profile\n"
        "from coach.planner import plan_pathway\n"
        "cat = make_catalog([cred('wide', 100, 40, [0, 1, 2, 3, 4, 7])], [])\n"
        "p = plan_pathway(profile(budget=500, hours_per_week=10, weeks=30), role='Security analyst',\n"
        "                 catalog=cat, linker=None, today=TODAY)\n"
        "print(json.dumps([[s.label for s in st.skills] for st in p.steps]), p.steps[0].why)\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1, outputs
    assert "skill 0" in outputs.pop()


def test_portfolio_projects_are_named_after_a_task_of_the_role_and_list_what_they_show() -> None:
    from coach.models import OccupationLink
    from coach.planner.projects import MAX_TITLE_CHARS, project_title

    labels = {"esco:s0": "write incident reports", "esco:s1": "configure network firewalls"}
    tasks = [
        "Plan office moves and order furniture for new staff.",
        "Write incident reports for management after security events, including timelines, causes, affected "
        "systems and the follow-up actions agreed with each team.",
    ]
    onet = Occupation(id="15-1212.00", source="onet", title="Information Security Analysts", tasks=tasks)
    esco = Occupation(
        id="esco:analyst", source="esco", title="Security analyst", essential_skills=list(labels),
        links=[OccupationLink(target="15-1212.00", confidence=0.9, method="isco-crosswalk+title")],
    )  # fmt: skip
    cat = Catalog(
        occupations={onet.id: onet, esco.id: esco},
        skills={u: Skill(uri=u, label=x) for u, x in labels.items()},
        credentials={},
        rules=[],
    )
    p = plan(cat, profile(hours_per_week=10))
    project = next(s for s in p.steps if s.kind == "portfolio_project")
    # Named after the linked O*NET task that is about those skills, cut to a readable title; the taxonomy
    # labels are what it shows, not its name.
    assert project.name == "Portfolio project: " + project_title(tasks[1])
    assert project.name.startswith("Portfolio project: Write incident reports for management")
    assert len(project.name) <= len("Portfolio project: ") + MAX_TITLE_CHARS
    assert "configure network firewalls" not in project.name
    assert "configure network firewalls" in project.why and "write incident reports" in project.why
    assert "task of the role (O*NET)" in project.why
    # Without task statements, a plain name, still no label list.
    bare = Catalog(occupations={esco.id: esco.model_copy(update={"links": []})}, skills=cat.skills,
                   credentials={}, rules=[])  # fmt: skip
    named = next(s for s in plan(bare, profile(hours_per_week=10)).steps if s.kind == "portfolio_project")
    assert "write incident reports" not in named.name and "write incident reports" in named.why
