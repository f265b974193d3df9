"""Re-validation of a (possibly hand-edited) pathway against the catalogue and the learner's limits."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from coach.models import Credential, Pathway, PathwayStep, Profile
from coach.planner.candidates import _KIND_NAMES, NOT_STEPS
from coach.planner.costs import price_of
from coach.planner.learner import _held_credentials, _profile_credentials

if TYPE_CHECKING:
    from coach.knowledge.catalog import Catalog


def validate_pathway(pathway: Pathway, profile: Profile, catalog: Catalog) -> list[str]:
    """Problems with a (possibly hand-edited) pathway: unknown ids, non-microcredentials, prerequisite order,
    budget, time, calendar and totals. Empty when it is sound."""
    problems: list[str] = []
    held, _ = _held_credentials(catalog, profile, [])
    # A credential under way satisfies prerequisites as the planner assumes (steps that need it start after it).
    under_way = held | set(_profile_credentials(catalog, profile, "in_progress"))
    start_of = {}
    end_of = {}
    seen: set[str] = set()
    for s in pathway.steps:
        if s.id in seen:
            problems.append(f"step {s.id} appears twice")
        seen.add(s.id)
        if s.start_week < 1 or s.end_week < s.start_week:
            problems.append(f"step {s.id} has an impossible calendar (weeks {s.start_week}-{s.end_week})")
        start_of[s.id], end_of[s.id] = s.start_week, s.end_week
        if s.id.startswith("work:"):
            if not s.work_based and s.kind not in _KIND_NAMES:
                problems.append(f"step {s.id} is work-based but not labelled as such")
            continue
        cred = catalog.credentials.get(s.id)
        if cred is None:
            problems.append(f"unknown credential id: {s.id}")
            continue
        if not cred.is_microcredential or cred.type in NOT_STEPS:
            problems.append(f"{s.id} is a degree or programme, not a microcredential step")
        if cred.cost is not None and not _price_matches(s, cred, catalog, profile, held):
            problems.append(f"{s.id} costs {cred.cost:g} in the catalogue, not {s.cost:g}")
        if s.id in held:
            problems.append(f"{s.id} is already held by the learner")
    for rule in catalog.rules:
        if rule.type != "prerequisite_required" or rule.subject not in start_of or not rule.objects:
            continue
        start = start_of[rule.subject]
        ok = [o in under_way or (o in end_of and end_of[o] < start) for o in rule.objects]
        if (rule.any_of and not any(ok)) or (not rule.any_of and not all(ok)):
            need = " or ".join(rule.objects) if rule.any_of else " and ".join(rule.objects)
            problems.append(f"{rule.subject} needs {need} held or finished before week {start}")
    for s in pathway.steps:
        for p in s.prerequisites:
            if p in end_of and end_of[p] >= s.start_week:
                problems.append(f"{s.id} starts before its prerequisite {p} ends")
    c = profile.constraints
    total_cost = sum(s.cost for s in pathway.steps)
    if abs(total_cost - pathway.total_cost) > 0.01:
        problems.append(f"total cost {pathway.total_cost:g} does not match the steps ({total_cost:g})")
    if c.budget is not None and total_cost > c.budget + 0.01:
        problems.append(f"total cost {total_cost:g} exceeds the budget of {c.budget:g}")
    last = max((s.end_week for s in pathway.steps), default=0)
    if c.weeks is not None and last > c.weeks:
        problems.append(f"the plan ends in week {last}, after the {c.weeks} weeks available")
    if c.weeks is not None and c.hours_per_week is not None:
        hours = sum(s.hours for s in pathway.steps if not s.work_based or s.kind == "portfolio_project")
        if hours > c.hours_per_week * c.weeks + 0.01:
            problems.append(f"{hours:g} study hours exceed {c.hours_per_week:g} h a week for {c.weeks} weeks")
    study = sorted((s for s in pathway.steps if not s.id.startswith("work:") or s.kind == "portfolio_project"),
                   key=lambda s: s.start_week)  # fmt: skip
    for a, b in itertools.pairwise(study):
        if b.start_week <= a.end_week:
            problems.append(f"{a.id} and {b.id} overlap on the calendar (study steps are sequential)")
    if c.max_items is not None and len(pathway.steps) > c.max_items:
        problems.append(f"{len(pathway.steps)} steps exceed the maximum of {c.max_items}")
    return problems


def _price_matches(
    step: PathwayStep, cred: Credential, catalog: Any, profile: Profile, held: set[str]
) -> bool:
    """True when a step's cost is one the knowledge base supports: the catalogue price, the planner's price for
    this learner (every exam, discounts and free-exam rules, a subscription at their pace) or a free audit.
    An unpublished price is not a problem here: the step carries its own warning."""
    if step.audit and step.cost == 0:
        return True
    hpw = profile.constraints.hours_per_week or 10.0
    price = price_of(cred, catalog, hours=step.hours or 1.0, hours_per_week=hpw, held=held, budget_usd=None)
    allowed = [float(cred.cost or 0.0)] + ([price.amount] if price.amount is not None else [])
    return any(abs(a - step.cost) <= 0.01 for a in allowed)
