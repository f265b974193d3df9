"""From a solver selection to a `Pathway`: steps in order on the calendar, each with why it is there, the
totals, the coverage before and after, and why each remaining gap stays open."""

from __future__ import annotations

import datetime as dt

from coach.models import Pathway, PathwayStep, Recognition, SkillRef
from coach.planner.calendar import lay_out, order_items
from coach.planner.candidates import MAX_PORTFOLIO_PROJECTS, PORTFOLIO_SKILLS_PER_PROJECT
from coach.planner.model import OBJECTIVE, Plan
from coach.planner.solver import Selection
from coach.planner.text import _money


def _assemble(plan: Plan, sel: Selection, *, status: str, label: str | None = None) -> Pathway:
    """Turn a selection into an ordered, scheduled, explained Pathway."""
    from coach.texts import render

    cands = plan.candidates
    chosen = [c for c in sel.chosen if c in cands]
    items = [cands[c].item for c in chosen]
    # Among steps free to go first, the one worth most to the learner (closed gaps plus its merit) leads.
    priority = {
        c: sum(
            plan.gaps[k].weight if k in plan.gaps else plan.bonus.get(k, 0.0) for k in cands[c].item.covers
        )
        + cands[c].item.merit
        for c in chosen
    }
    order = order_items(items, plan.soft_before, priority)
    slots = {s.id: s for s in lay_out(items, order)}
    chosen_set = set(chosen)
    # Who depends on whom, for the "why here" sentences.
    required_by: dict[str, list[str]] = {}
    recommended_for: dict[str, list[str]] = {}
    for c in chosen:
        it = cands[c].item
        for p in [*it.requires, *(p for g in it.requires_any for p in g)]:
            if p in chosen_set:
                required_by.setdefault(p, []).append(c)
        for p in plan.soft_before.get(c, ()):
            if p in chosen_set:
                recommended_for.setdefault(p, []).append(c)
    stack_rules = [r for r in plan.catalog.rules if r.type == "stackable_award" and r.objects]
    done = set(plan.held)
    unlocked: set[str] = set(plan.held)
    closed: set[str] = set()
    steps: list[PathwayStep] = []
    for c in sorted(order, key=lambda x: (slots[x].start_week, order.index(x))):
        cand = cands[c]
        it = cand.item
        # Heaviest gap first, then by label: a step's skills read the same on every run (sets have no order).
        by_weight = sorted(
            (k for k in it.covers if k in plan.gaps),
            key=lambda k: (-plan.gaps[k].weight, plan.gaps[k].label, k),
        )
        closes = [k for k in by_weight if k not in closed]
        reinforces = [k for k in by_weight if k in closed]
        closed.update(closes)
        done.add(c)
        unlocks = []
        for r in stack_rules:
            if c in r.objects and r.subject not in unlocked and done.issuperset(r.objects):
                unlocks.append(r.subject)
                unlocked.add(r.subject)
        prereq_ids = [p for p in [*it.requires, *(p for g in it.requires_any for p in g)] if p in chosen_set]
        name_of = lambda x: cands[x].name if x in cands else x  # noqa: E731
        why = render(
            "planner_step.md",
            closes=[plan.gaps[k].label for k in closes],
            reinforces=[plan.gaps[k].label for k in reinforces],
            required_by=[name_of(x) for x in required_by.get(c, [])],
            requires=[name_of(x) for x in prereq_ids],
            recommended_before=[name_of(x) for x in recommended_for.get(c, [])],
            level=it.level or "",
            work_based=cand.work_based,
            note=cand.note,
            cost_known=cand.cost_known,
            hours_known=cand.hours_known,
            prep_assumed=cand.prep_assumed,
            reasons=cand.reasons,
            recognition=cand.recognition,
            unlocks=[
                plan.catalog.credentials[u].name if u in plan.catalog.credentials else u for u in unlocks
            ],
            sources=list(dict.fromkeys(s.name.split(":")[0] for s in cand.sources))[:3],
        )
        slot = slots[c]
        steps.append(
            PathwayStep(
                id=c,
                name=cand.name,
                kind=cand.kind,  # type: ignore[arg-type]
                provider=cand.provider,
                start_week=slot.start_week,
                end_week=slot.end_week,
                cost=round(it.cost, 2),
                currency=plan.profile.constraints.currency or "USD",
                hours=round(it.hours, 1),
                hours_estimated=(cand.work_based and cand.kind == "portfolio_project")
                or cand.prep_assumed
                or _hours_estimated(plan, c),
                skills=[SkillRef(uri=k, label=plan.gaps[k].label) for k in closes],
                prerequisites=prereq_ids,
                unlocks=unlocks,
                why=why,
                url=cand.url,
                sources=cand.sources,
                cost_known=cand.cost_known,
                hours_known=cand.hours_known,
                work_based=cand.work_based,
                recognition=[Recognition(**vars(r)) for r in cand.recognition],
                cost_estimated=cand.cost_estimated,
                audit=cand.audit,
            )
        )
    covered_now = set().union(*(cands[c].item.covers for c in chosen)) if chosen else set()
    total_w = sum(t.weight for t in plan.targets.values()) or 1.0
    before_w = sum(plan.targets[k].weight for k in plan.covered_before)
    after_w = before_w + sum(plan.gaps[k].weight for k in covered_now if k in plan.gaps)
    uncovered = sorted(
        (k for k in plan.gaps if k not in covered_now),
        key=lambda k: (-plan.gaps[k].weight, plan.gaps[k].label),
    )
    weeks = max((s.end_week for s in steps), default=0)
    currency = plan.profile.constraints.currency or "USD"
    pathway = Pathway(
        status=status,  # type: ignore[arg-type]
        target=plan.target_label,
        objective=OBJECTIVE,
        steps=steps,
        total_cost=round(sum(s.cost for s in steps), 2),
        currency=currency,
        total_hours=round(sum(s.hours for s in steps), 1),
        weeks=weeks,
        completion_date=(plan.today + dt.timedelta(weeks=weeks)).isoformat() if steps else None,
        covered=[SkillRef(uri=k, label=plan.gaps[k].label) for k in sorted(covered_now) if k in plan.gaps],
        uncovered=[SkillRef(uri=k, label=plan.gaps[k].label) for k in uncovered],
        coverage_before=round(before_w / total_w, 4),
        coverage_after=round(after_w / total_w, 4),
        label=label,
        gap=sel.gap if sel.status == "feasible" else None,
        assumptions=list(plan.assumptions),
        hours_per_week=plan.hours_per_week,
    )
    pathway.explanation = _explain_whole(plan, pathway, covered_now)
    return pathway


def _hours_estimated(plan: Plan, cid: str) -> bool:
    cred = plan.catalog.credentials.get(cid)
    return bool(cred and cred.hours_estimated)


def _uncovered_reasons(plan: Plan, covered_now: set[str]) -> list[tuple[str, str]]:
    """(label, why) for each uncovered gap, most important first."""
    available = {k for c in plan.candidates.values() for k in c.item.covers}
    # Gaps some unchosen candidate would close with a gain above its overhead: only these are held back by limits.
    worthwhile = {
        k
        for c in plan.candidates.values()
        if not c.blocked_by
        and sum(plan.gaps[x].weight for x in c.item.covers - covered_now if x in plan.gaps)
        > c.item.net_overhead
        for k in c.item.covers - covered_now
    }
    unblocked = {k for c in plan.candidates.values() if not c.blocked_by for k in c.item.covers}
    limits_by_name = (
        f"the budget of {_money(plan.limits['budget'])}" if plan.limits.get("budget") is not None else "",
        f"{plan.limits['weeks']} weeks" if plan.limits.get("weeks") is not None else "",
        f"at most {plan.limits['max_items']} items" if plan.limits.get("max_items") else "",
    )
    out = []
    for k in sorted(plan.gaps, key=lambda k: (-plan.gaps[k].weight, plan.gaps[k].label)):
        if k in covered_now:
            continue
        if k not in plan.coverable:
            why = "no credential in the catalogue covers it"
            if k not in available and not k.startswith(("credential:", "experience:")):
                why += f" (only the {MAX_PORTFOLIO_PROJECTS * PORTFOLIO_SKILLS_PER_PROJECT} most important such skills get a portfolio project)"
        elif k not in available:
            why = "the credentials that cover it cannot be planned (a prerequisite is unavailable)"
        elif k not in unblocked:
            blocked = sorted(
                {b for c in plan.candidates.values() if k in c.item.covers for b in c.blocked_by}
            )
            why = "excluded by " + ", ".join(_BLOCK_TEXT.get(b, b) for b in blocked)
        elif k not in worthwhile:
            why = "what teaches it closes too little of the target to be worth a step of its own"
        else:
            named = [x for b, x in zip(("budget", "time", "max_items"), limits_by_name, strict=True) if x]
            if plan.binding:
                named = [x for b, x in zip(("budget", "time", "max_items"), limits_by_name, strict=True)
                         if x and b in plan.binding] or named  # fmt: skip
            why = "did not fit within " + (" and ".join(named) if named else "the limits")
        out.append((plan.gaps[k].label, why))
    return out


_BLOCK_TEXT = {
    "providers": "your provider preference",
    "exam_only": "the exam-only preference",
    "budget": "the budget",
    "time": "the deadline (experience that takes longer than the weeks available)",
    "unknown_cost": "the budget (no published price, so it cannot be promised to fit)",
    "unknown_hours": "the deadline (no published hours, so it cannot be promised to fit)",
    "max_items": "the maximum number of items",
}


def _explain_whole(plan: Plan, pathway: Pathway, covered_now: set[str]) -> str:
    from coach.texts import render

    return render(
        "planner_summary.md",
        target=plan.target_label,
        status=pathway.status,
        n_steps=len(pathway.steps),
        total_cost=_money(pathway.total_cost, pathway.currency),
        unknown_costs=[s.name for s in pathway.steps if not s.cost_known],
        total_hours=f"{pathway.total_hours:,.0f}",
        weeks=pathway.weeks,
        hours_per_week=f"{plan.hours_per_week:g}",
        coverage_before=round(100 * pathway.coverage_before),
        coverage_after=round(100 * pathway.coverage_after),
        uncovered=_uncovered_reasons(plan, covered_now)[:8],
        n_uncovered=len(pathway.uncovered),
        assumptions=plan.assumptions,
        room=_room_left(plan, pathway),
        left_out=_left_out(plan, pathway)[:MAX_LEFT_OUT],
    )


MAX_LEFT_OUT = 4


def _room_left(plan: Plan, pathway: Pathway) -> str:
    """What the plan leaves of the learner's budget and weeks, when it leaves a real share of either: so a
    plan that stops early is not mistaken for one the limits cut short."""
    parts: list[str] = []
    if not pathway.steps:
        return ""
    budget, weeks = plan.limits.get("budget"), plan.limits.get("weeks")
    if budget and "budget" not in plan.binding and pathway.total_cost < 0.9 * budget:
        parts.append(
            f"{_money(budget - pathway.total_cost, pathway.currency)} of your {_money(budget, pathway.currency)} budget"
        )
    if weeks and "time" not in plan.binding and pathway.weeks < 0.9 * weeks:
        parts.append(f"{weeks - pathway.weeks} of your {weeks} weeks")
    return " and ".join(parts)


def _left_out(plan: Plan, pathway: Pathway) -> list[tuple[str, str]]:
    """(name, why) for credentials a learner would expect to see and does not: recognised ones about the target
    and next rungs that were candidates but not chosen, and those left out for sitting below what they hold."""
    chosen = {s.id for s in pathway.steps}
    spare_cost = (
        None if plan.limits.get("budget") is None else float(plan.limits["budget"]) - pathway.total_cost
    )
    spare_weeks = None if plan.limits.get("weeks") is None else int(plan.limits["weeks"]) - pathway.weeks
    out: list[tuple[str, float, str]] = []
    for cid, cand in plan.candidates.items():
        if cid in chosen or cand.work_based or not (cand.recognition or cid in plan.standing.next_rung):
            continue
        it = cand.item
        if not it.covers:
            continue
        work = [plan.candidates[w] for w in it.requires if w.startswith("work:") and w in plan.candidates]
        budget, weeks = plan.limits.get("budget"), plan.limits.get("weeks")
        if cand.blocked_by:
            why = "excluded by " + ", ".join(_BLOCK_TEXT.get(b, b) for b in sorted(cand.blocked_by))
        elif work and weeks is not None and max(w.item.weeks for w in work) > weeks:
            need = max(w.item.weeks for w in work)
            when = plan.today + dt.timedelta(weeks=need)
            why = (
                f"it needs about {need / 52:.1f} more years of relevant work experience first, so you would "
                f"qualify around {when.year} at the earliest"
            )
        elif spare_cost is not None and it.cost > spare_cost + 1e-9:
            why = f"it costs {_money(it.cost, pathway.currency)}, more than the " + (
                f"{_money(spare_cost, pathway.currency)} left in your budget"
                if spare_cost > 0 or not budget
                else f"budget of {_money(float(budget), pathway.currency)}, which the planned steps use"
            )
        elif spare_weeks is not None and it.weeks > spare_weeks:
            why = f"it takes about {it.weeks} weeks at your pace, " + (
                f"more than the {spare_weeks} weeks left"
                if spare_weeks > 0
                else f"and the planned steps already fill your {weeks} weeks"
            )
        elif any(it.covers <= plan.candidates[c].item.covers for c in chosen if c in plan.candidates):
            why = "a planned step already teaches what it covers"
        else:
            why = "the planned steps close more of the role for the same budget and time"
        weight = sum(plan.gaps[k].weight for k in it.covers if k in plan.gaps) + max(it.merit, 0.0)
        out.append((cand.name, weight, why))
    out.sort(key=lambda x: (-x[1], x[0]))
    below = [
        (plan.catalog.credentials[c].name, why)
        for c, why in sorted(plan.left_out.items())
        if c in plan.catalog.credentials
    ]
    return [(n, w) for n, _, w in out] + below
