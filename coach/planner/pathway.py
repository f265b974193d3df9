"""The entry point: `plan_pathway` checks the limits, builds the plan, solves it and explains the answer
(optimal, nothing worth a step, or infeasible with the nearest feasible change), with alternatives."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coach.errors import BadInput, CoachError
from coach.models import Pathway, PostingAnalysis, Profile
from coach.planner.alternatives import _alternatives
from coach.planner.assemble import _assemble
from coach.planner.candidates import STEP_OVERHEAD, _build_plan
from coach.planner.diagnose import _binding_limits, _diagnose, _useful
from coach.planner.learner import PHRASE_CACHE, LinkerOnDemand
from coach.planner.model import MAIN_STAGES, OBJECTIVE, _problem
from coach.planner.solver import Selection, solve

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.knowledge.catalog import Catalog
    from coach.skills.linker import SkillLinker

# Without stated hours a week, plans assume this many (and say so in the assumptions).
DEFAULT_HOURS_PER_WEEK = 10.0
# Without a stated maximum, plans hold at most this many steps: a year of part-time study, not a reading list.
DEFAULT_MAX_ITEMS = 6


def plan_pathway(
    profile: Profile,
    *,
    role: str | None = None,
    posting: PostingAnalysis | None = None,
    budget: float | None = None,
    hours_per_week: float | None = None,
    weeks: int | None = None,
    alternatives: int = 0,
    catalog: Catalog,
    max_items: int | None = None,
    providers: Sequence[str] | None = None,
    exam_only: bool | None = None,
    time_limit_s: float = 5.0,
    linker: SkillLinker | None = None,
    load_linker: Callable[[], SkillLinker] | None = None,
    today: dt.date | None = None,
    step_overhead: float = STEP_OVERHEAD,
    embedder: Embedder | None = None,
    cache_dir: Path | None = None,
    read_posting: Callable[[str, Profile], PostingAnalysis] | None = None,
) -> Pathway:
    """Plan the best pathway from `profile` to a role or posting within the limits (arguments override
    profile.constraints). `step_overhead` is the relevance a step must close to be worth adding (0 plans for pure
    weighted coverage).

    Skill phrases with no exact label go to `linker`; or, with `load_linker` instead, to the linker it loads only
    when a phrase needs one, its answers kept on disk under `cache_dir` (a cold start need not load it); with
    neither, only exact labels count. The field fit reads with `embedder` (default: the linker's encoder, if a
    linker is given; none, no field fit). `cache_dir` holds the planner's derived files (default ./.cache).
    Without a role or posting, the profile's own posting is read with `read_posting` (a face passes
    `analyze_posting` over its context)."""
    c = profile.constraints
    budget = c.budget if budget is None else budget
    hours_per_week = c.hours_per_week if hours_per_week is None else hours_per_week
    weeks = c.weeks if weeks is None else weeks
    max_items = c.max_items if max_items is None else max_items
    providers = list(c.providers if providers is None else providers)
    exam_only = c.exam_only if exam_only is None else exam_only
    if budget is not None and (budget < 0 or not math.isfinite(budget)):
        raise BadInput(f"budget must be zero or more, not {budget:g}")
    if hours_per_week is not None and not (0.5 <= hours_per_week <= 100):
        raise BadInput(f"hours per week must be between 0.5 and 100, not {hours_per_week:g}")
    if weeks is not None and not (1 <= weeks <= 520):
        raise BadInput(f"weeks must be between 1 and 520, not {weeks}")
    if max_items is not None and max_items <= 0:
        raise BadInput(f"max items must be at least 1, not {max_items}")
    if alternatives < 0 or alternatives > 10:
        raise BadInput("alternatives must be between 0 and 10")
    if step_overhead < 0 or not math.isfinite(step_overhead):
        raise BadInput(f"step overhead must be zero or more, not {step_overhead:g}")
    if embedder is None and linker is not None:
        # The field fit reads with the linker's encoder (one model in memory).
        embedder = getattr(linker, "embedder", None)
    phrase_linker: SkillLinker | LinkerOnDemand | None = linker
    if linker is None and load_linker is not None:
        phrase_linker = LinkerOnDemand(
            load_linker, cache_dir / PHRASE_CACHE if cache_dir is not None else None
        )
    if posting is None and not role:
        role = profile.target.role
        if not role and profile.target.posting:
            if read_posting is None:
                raise BadInput("planning towards the profile's posting needs a posting reader (read_posting)")
            posting = read_posting(profile.target.posting, profile)
    if posting is None and not role:
        raise BadInput("no target: give a role (id or title) or a posting")
    assumptions: list[str] = []
    if hours_per_week is None:
        hours_per_week = DEFAULT_HOURS_PER_WEEK
        assumptions.append(f"No hours per week given: planned at {DEFAULT_HOURS_PER_WEEK:g} h a week.")
    if max_items is None:
        max_items = DEFAULT_MAX_ITEMS
        assumptions.append(f"No maximum number of steps given: planned at most {DEFAULT_MAX_ITEMS}.")
    limits = {
        "budget": budget,
        "weeks": weeks,
        "max_items": max_items,
        "providers": providers,
        "exam_only": bool(exam_only),
        "step_overhead": float(step_overhead),
    }
    plan = _build_plan(
        profile,
        catalog,
        role=role,
        posting=posting,
        limits=limits,
        hours_per_week=float(hours_per_week),
        assumptions=assumptions,
        linker=phrase_linker,
        today=today or dt.date.today(),
        time_limit_s=time_limit_s,
        embedder=embedder,
        cache_dir=cache_dir,
    )
    if not plan.targets:
        return Pathway(
            status="infeasible",
            reason=f"No pathway fits: {plan.target_label} has no skills in the knowledge base to plan for.",
            target=plan.target_label,
            objective=OBJECTIVE,
            explanation="The target lists no skills, so there is nothing to plan toward.",
            assumptions=assumptions,
            hours_per_week=plan.hours_per_week,
        )
    if not plan.gaps:
        result = _assemble(plan, Selection("optimal", [], {}), status="optimal")
        result.reason = "Your profile already covers every skill the target asks for: nothing to add."
        return result
    sel = solve(_problem(plan), MAIN_STAGES, time_limit_s=time_limit_s)
    if sel.status not in ("optimal", "feasible"):
        raise CoachError(f"the solver failed ({sel.status}); try again with a longer time limit")
    if plan.coverable and _useful(plan, sel) <= 0 and step_overhead > 0:
        # Nothing worth a step: infeasible only if, without the overhead, nothing useful fits either.
        free = solve(_problem(plan, overhead=False), MAIN_STAGES, time_limit_s=time_limit_s)
        if free.status in ("optimal", "feasible") and _useful(plan, free) > 0:
            plan.binding = _binding_limits(plan, sel)
            result = _assemble(plan, sel, status=sel.status)
            names = ", ".join(
                plan.candidates[c].name for c in free.chosen if not plan.candidates[c].work_based
            )
            result.reason = (
                f"Within your limits no credential closes enough of what {plan.target_label} needs to be worth "
                f"a step of its own (the best that fits: {names or 'work-based steps only'}). Relaxing a limit "
                "or choosing a closer target would give better options."
            )
            result.binding = plan.binding
            return result
    if plan.coverable and _useful(plan, sel) <= 0:
        binding, reason, change, nearest = _diagnose(plan)
        plan.binding = binding
        result = _assemble(plan, Selection("optimal", [], {}), status="infeasible")
        result.reason, result.nearest_feasible, result.binding = reason, change, binding
        result.alternatives = [nearest] if nearest else []
        result.explanation = reason + (f" {change}" if change else "") + "\n\n" + result.explanation
        return result
    plan.binding = _binding_limits(plan, sel)
    result = _assemble(plan, sel, status=sel.status)
    if sel.status == "feasible":
        result.reason = (
            f"Stopped at the {time_limit_s:g} s time limit with a relative gap of {(sel.gap or 0) * 100:.2f}%: "
            "the plan is feasible but may not be optimal."
        )
    result.binding = plan.binding
    if result.binding:
        result.explanation += "\n\nLimits that bind: " + ", ".join(result.binding) + "."
    result.alternatives = _alternatives(plan, sel, result, alternatives)
    return result
