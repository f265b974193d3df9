"""Which limits bind: for an infeasible request, the constraint to blame and the nearest change that works
(with the plan under that change); for a feasible one, the limits that stop one more worthwhile step."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from coach.models import Pathway
from coach.planner.assemble import _BLOCK_TEXT, _assemble
from coach.planner.calendar import lay_out, order_items, weeks_for
from coach.planner.model import CONSTRAINTS, MAIN_STAGES, Plan, _problem
from coach.planner.solver import Selection, solve
from coach.planner.text import _money


def _useful(plan: Plan, sel: Selection) -> float:
    """Covered weight of gaps a credential (or required work step) could close, with the field bonus:
    portfolio projects alone do not make a plan useful."""
    cov: set[str] = set()
    for c in sel.chosen:
        cand = plan.candidates.get(c)
        if cand and cand.kind != "portfolio_project":
            cov |= cand.item.covers
    # A credential's own merit (the next rung of a ladder, employer recognition) makes it useful too.
    merit = sum(
        max(0.0, plan.candidates[c].item.merit)
        for c in sel.chosen
        if c in plan.candidates and not plan.candidates[c].work_based
    )
    # A credential squarely in the target's field is useful even where the skill links miss the gaps' wording.
    in_field = sum(w for k, w in plan.bonus.items() if k in cov)
    return sum(plan.gaps[k].weight for k in cov & plan.coverable) + in_field + merit


def _active(plan: Plan) -> list[str]:
    lim = plan.limits
    out = []
    if lim.get("budget") is not None:
        out.append("budget")
    if lim.get("weeks") is not None:
        out.append("time")
    if lim.get("max_items") is not None:
        out.append("max_items")
    if lim.get("providers"):
        out.append("providers")
    if lim.get("exam_only"):
        out.append("exam_only")
    return out


def _diagnose(plan: Plan) -> tuple[list[str], str, str | None, Pathway | None]:
    """(binding constraints, reason, nearest feasible change, the plan under that change)."""
    useful_keys = plan.coverable
    active = _active(plan)
    budget_left = plan.time_limit_s

    def attempt(relaxed: Sequence[str], stages: Sequence[tuple[str, str]]) -> Selection:
        prob = _problem(plan, relaxed, weights_keys=useful_keys)
        # Portfolio projects never count as useful here (see _useful).
        prob.items = [i for i in prob.items if not i.id.startswith("work:portfolio_project:")]
        return solve(prob, stages, bounds=(("coverage", ">=", 1e-3),), time_limit_s=max(budget_left / 4, 0.2))

    binding: list[str] = []
    for name in active:
        trial = attempt([name], (("coverage", "max"),))
        if trial.status in ("optimal", "feasible") and trial.values.get("coverage", 0) > 0:
            binding.append(name)
    relaxed = binding[:1] or active
    stage_for = {"budget": "cost", "time": "weeks", "max_items": "items"}
    first = relaxed[0] if relaxed else None
    objective = stage_for.get(first or "", "cost")
    stages = [(objective, "min"), ("coverage", "max"), ("cost", "min"), ("hours", "min"), ("items", "min")]
    sel = attempt(relaxed, stages) if relaxed else None
    if (sel is None or sel.status not in ("optimal", "feasible")) and active:
        unknown = attempt([*active, "unknown_cost", "unknown_hours"], stages)
        if unknown.status in ("optimal", "feasible"):
            chosen = [plan.candidates[c] for c in unknown.chosen]
            binding = [
                *(["budget"] if any(not c.cost_known for c in chosen) else []),
                *(["time"] if any(not c.hours_known for c in chosen) else []),
            ] or list(active)
            names = ", ".join(c.name for c in chosen if not c.work_based)
            gaps_of = "price" if "budget" in binding else "hours"
            reason = (
                f"No pathway fits: the only credentials that close a gap have no published {gaps_of}, so they cannot "
                "be promised to fit your limits."
            )
            change = f"Without the {' and '.join(_BLOCK_TEXT[b] for b in binding)} limit, {names} would be possible; check their {gaps_of} first."
            relaxed_plan = Plan(**{**plan.__dict__, "limits": {**plan.limits, "budget": None, "weeks": None}})
            alt = _assemble(relaxed_plan, unknown, status=unknown.status, label="nearest feasible")
            alt.trade_off = change
            return binding, reason, change, alt
    if sel is None or sel.status not in ("optimal", "feasible"):
        what = "no credential that covers the target's skills can be planned"
        if plan.unplannable and not plan.coverable:
            what += " (only degrees or programmes cover them)"
        return binding, f"No pathway fits: {what}.", None, None
    shown = [plan.candidates[c].name for c in sel.chosen if not plan.candidates[c].work_based][:3]
    example = ", ".join(shown) or "a work-based step"
    lim = plan.limits
    if binding and first == "budget":
        cost = sel.values["cost"]
        change = f"A budget of {_money(cost)} would allow {example}."
        reason = (
            f"No pathway fits: within the budget of {_money(lim['budget'])} no credential closes any of the gaps "
            "(every covering credential costs more, or has no published price)."
        )
    elif binding and first == "time":
        chosen_items = [plan.candidates[c].item for c in sel.chosen]
        need_total = max(s.end_week for s in lay_out(chosen_items, order_items(chosen_items, {})))
        more = need_total - int(lim["weeks"])
        hpw_alt = _hours_per_week_needed(plan, sel, int(lim["weeks"]))
        change = f"{need_total} weeks at {plan.hours_per_week:g} h a week ({more} more) would allow {example}"
        change += f", or {hpw_alt:g} h a week within {lim['weeks']} weeks." if hpw_alt else "."
        reason = (
            f"No pathway fits: nothing that closes a gap fits in {lim['weeks']} weeks at {plan.hours_per_week:g} h a "
            "week (or the hours are unpublished, or experience takes longer)."
        )
    elif binding:
        change = f"Dropping the {_BLOCK_TEXT.get(first or '', first)} would allow {example}."
        reason = f"No pathway fits: {_BLOCK_TEXT.get(first or '', first)} leaves nothing that closes a gap."
    else:
        change = (
            f"Relaxing {', '.join(_BLOCK_TEXT.get(a, a) for a in active)} together would allow {example}."
        )
        reason = "No pathway fits all your limits at once: no one of them alone is the obstacle, so only loosening them together leaves a useful plan."
        binding = list(active)
    relaxed_plan = Plan(**{**plan.__dict__, "limits": _relaxed_limits(plan, sel, relaxed)})
    best = sel if "time" in relaxed else _full_selection(relaxed_plan, sel)
    alt = _assemble(relaxed_plan, best, status=best.status, label="nearest feasible")
    alt.trade_off = change
    return binding, reason, change, alt


def _relaxed_limits(plan: Plan, sel: Selection, relaxed: Sequence[str]) -> dict[str, Any]:
    lim = dict(plan.limits)
    for name in relaxed:
        if name == "budget":
            lim["budget"] = sel.values["cost"]
        elif name == "time":
            lim["weeks"] = None
        elif name in ("providers", "exam_only", "max_items"):
            lim[name] = None
    return lim


def _full_selection(plan: Plan, seed: Selection) -> Selection:
    """Re-plan under relaxed limits with the main objective (so the nearest plan is itself optimal)."""
    prob = _problem(plan, relaxed=[k for k in CONSTRAINTS if plan.limits.get(_LIMIT_KEY[k]) in (None, [])])
    sel = solve(prob, MAIN_STAGES, time_limit_s=max(plan.time_limit_s / 4, 0.2))
    # With the per-step overhead the relaxed optimum may add nothing: then the seed (which closes a gap) stands.
    return sel if sel.status in ("optimal", "feasible") and _useful(plan, sel) > 0 else seed


_LIMIT_KEY = {"budget": "budget", "time": "weeks", "max_items": "max_items", "providers": "providers",
              "exam_only": "exam_only"}  # fmt: skip


def _hours_per_week_needed(plan: Plan, sel: Selection, weeks: int) -> float | None:
    """Smallest whole hours a week (≤ 100) at which the selection's study steps fit in `weeks`."""
    items = [plan.candidates[c].item for c in sel.chosen if plan.candidates[c].item.study]
    if any(not plan.candidates[c].item.study and plan.candidates[c].item.weeks >= weeks for c in sel.chosen):
        return None
    total = sum(i.hours for i in items)
    start = max(1, math.ceil(total / max(weeks, 1)))
    for hpw in range(start, 101):
        if sum(weeks_for(i.hours, hpw) for i in items) <= weeks:
            return float(hpw)
    return None


def _binding_limits(plan: Plan, sel: Selection) -> list[str]:
    """Limits that stop the plan from adding one more worthwhile candidate (one that would close open gaps worth
    more than its overhead and is not excluded by a filter): budget when its price no longer fits, time when
    its weeks do not, max_items when the plan is full and such a candidate exists. A cheap check instead of a
    re-solve per limit, so planning stays fast."""
    covered = set().union(*(plan.candidates[c].item.covers for c in sel.chosen)) if sel.chosen else set()
    chosen = set(sel.chosen)
    worthwhile = False
    lim = plan.limits
    spare_cost = None if lim.get("budget") is None else lim["budget"] - sel.values.get("cost", 0.0)
    spare_weeks = None if lim.get("weeks") is None else lim["weeks"] - sel.values.get("weeks", 0.0)
    out: set[str] = set()
    for cid, cand in plan.candidates.items():
        it = cand.item
        if cid in chosen or cand.blocked_by or not (it.covers - covered):
            continue
        if any(p not in chosen for p in it.requires) or any(
            not chosen.intersection(g) for g in it.requires_any
        ):
            continue  # needs more than one step: not "one more" candidate
        if sum(plan.gaps[k].weight for k in it.covers - covered if k in plan.gaps) <= it.net_overhead + 1e-9:
            continue  # not worth a step even if it fitted: no limit is to blame
        worthwhile = True
        if spare_cost is not None and it.cost > spare_cost + 1e-9:
            out.add("budget")
        if spare_weeks is not None and it.study and it.weeks > spare_weeks + 1e-9:
            out.add("time")
    if lim.get("max_items") is not None and len(chosen) >= lim["max_items"] and worthwhile:
        out.add("max_items")
    return [c for c in CONSTRAINTS if c in out]
