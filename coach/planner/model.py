"""The planner's working model of one request: the candidate steps, the `Plan` built from profile, target and
catalogue, the stated objective, and `_problem`, the solver `Problem` of a plan with some limits relaxed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coach.knowledge.recognition import RecognitionSignal
from coach.models import Profile, Source
from coach.planner.solver import DEFAULT_STAGES, Item, Problem
from coach.planner.standing import Standing
from coach.planner.targets import TargetKey

CONSTRAINTS = ("budget", "time", "max_items", "providers", "exam_only")
MAIN_STAGES = DEFAULT_STAGES  # OBJECTIVE below, as the solver's stages
OBJECTIVE = (
    "Lexicographic: (0) include the certifications the posting names and those you plan, where possible; "
    "(1) maximise the covered relevance of the target's skills plus each step's merit (sourced employer "
    "recognition, the next rung of a ladder you are on, an experience requirement you meet, a course squarely "
    "in the field; less for a level far above what you hold or experience the provider recommends and you lack) "
    "minus a per-step overhead (a step must close more than about one core skill's worth, more if most of what "
    "it teaches is off-target); (2) then minimise total cost; (3) then minimise total study hours."
)


@dataclass
class Candidate:
    """A component with what the planner needs to know beyond the solver's Item."""

    item: Item
    name: str
    kind: str
    provider: str | None = None
    cost_known: bool = True
    hours_known: bool = True
    work_based: bool = False
    url: str | None = None
    sources: list[Source] = field(default_factory=list)
    blocked_by: set[str] = field(default_factory=set)  # constraints that exclude it (relaxable)
    note: str = ""
    prep_assumed: bool = False  # hours are the planner's exam-preparation assumption
    recognition: list[RecognitionSignal] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # a coach's reasons for (or against) it, in words
    cost_estimated: bool = False  # the cost is derived by a stated rule (e.g. a subscription's months)
    audit: bool = False  # planned as a free audit: the learning without the certificate


@dataclass
class Plan:
    """Everything built for one request: what the assembler and the diagnosis need."""

    profile: Profile
    catalog: Any
    target_label: str
    targets: dict[str, TargetKey]
    gaps: dict[str, TargetKey]
    covered_before: set[str]
    held: set[str]
    candidates: dict[str, Candidate]
    coverable: set[str]  # gap keys some catalogue microcredential covers, whatever the filters
    soft_before: dict[str, set[str]]
    limits: dict[str, Any]
    hours_per_week: float
    assumptions: list[str]
    today: dt.date
    time_limit_s: float
    unplannable: dict[str, str] = field(default_factory=dict)  # credential id → why it cannot be planned
    binding: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)  # credential id → why it is not a candidate
    standing: Standing = field(default_factory=Standing)
    # Keys the objective values that are not gaps (never shown as skills): the field bonus, see candidates.
    bonus: dict[str, float] = field(default_factory=dict)


def _problem(
    plan: Plan, relaxed: Iterable[str] = (), weights_keys: set[str] | None = None, overhead: bool = True
) -> Problem:
    """The solver's problem with some constraints relaxed (and optionally only some target keys weighted, or
    without the per-step overhead)."""
    relaxed = set(relaxed)
    items = [
        Item(**{**c.item.__dict__, **({} if overhead else {"overhead": 0.0})})
        for c in plan.candidates.values()
        if not (c.blocked_by - relaxed)
    ]
    present = {i.id for i in items}
    kept = list(items)  # prerequisites blocked by a filter take their dependents with them
    changed = True
    while changed:
        changed = False
        for it in list(kept):
            if any(p not in present for p in it.requires) or any(
                not any(p in present for p in g) for g in it.requires_any
            ):
                kept.remove(it)
                present.discard(it.id)
                changed = True
    for it in kept:
        it.requires_any = tuple(tuple(p for p in g if p in present) for g in it.requires_any)
    weights = {k: t.weight for k, t in plan.gaps.items() if weights_keys is None or k in weights_keys}
    if weights_keys is None:
        weights |= plan.bonus
    lim = plan.limits
    return Problem(
        items=kept,
        weights=weights,
        budget=None if "budget" in relaxed else lim.get("budget"),
        weeks_limit=None if "time" in relaxed else lim.get("weeks"),
        max_items=None if "max_items" in relaxed else lim.get("max_items"),
    )
