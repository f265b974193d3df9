"""Alternative pathways: the cheapest, the fastest and different mixes, each with its trade-off against the
recommended plan."""

from __future__ import annotations

from collections.abc import Sequence

from coach.models import Pathway
from coach.planner.assemble import _assemble
from coach.planner.model import MAIN_STAGES, Plan, _problem
from coach.planner.solver import Problem, Selection, solve
from coach.planner.text import _money


def _alternatives(plan: Plan, main: Selection, main_path: Pathway, k: int) -> list[Pathway]:
    if k <= 0 or not main.chosen:
        return []
    prob = _worth_a_step(_problem(plan))
    found = [set(main.chosen)]
    half = 0.5 * main.values.get("coverage", 0.0)
    specs: list[tuple[str, Sequence[tuple[str, str]], Sequence[tuple[str, str, float]]]] = [
        (
            "cheapest",
            (("cost", "min"), ("coverage", "max"), ("hours", "min"), ("items", "min")),
            (("coverage", ">=", half),),
        ),
        (
            "fastest",
            (("weeks", "min"), ("coverage", "max"), ("cost", "min"), ("items", "min")),
            (("coverage", ">=", half),),
        ),
    ]
    # Most recognised: the most sourced employer-recognition signals, then the usual objective; offered only when
    # the plan could carry more recognition than it does.
    if sum(it.recognition for it in prob.items) > main.values.get("recognition", 0.0) + 1e-9:
        specs.append(
            (
                "most recognised",
                (
                    ("recognition", "max"),
                    ("value", "max"),
                    ("cost", "min"),
                    ("hours", "min"),
                    ("items", "min"),
                ),
                (("coverage", ">=", half),),
            )
        )
    specs += [(f"different mix {n}", MAIN_STAGES, ()) for n in range(1, k + 1)]
    out: list[Pathway] = []
    for label, stages, bounds in specs:
        if len(out) >= k:
            break
        sel = solve(
            prob,
            stages,
            bounds=bounds,
            exclude_sets=found,
            time_limit_s=max(plan.time_limit_s / (k + 1), 0.2),
        )
        if sel.status not in ("optimal", "feasible") or not sel.chosen:
            continue
        found.append(set(sel.chosen))
        alt = _assemble(plan, sel, status=sel.status, label=label)
        alt.trade_off = _trade_off(plan, main_path, alt)
        out.append(alt)
    return out


def _worth_a_step(prob: Problem) -> Problem:
    """The problem without the items not worth a step of their own: what they cover is worth no more than their
    overhead less their merit. The main objective never chooses them (adding one can only lower its value), but
    "cheapest" and "fastest" count coverage alone and would pad a plan with any free course touching a gap (a
    security exam in a designer's cheapest plan). Prerequisites of others and must-cover items stay."""
    needed = {p for it in prob.items for p in it.requires}
    needed |= {p for it in prob.items for group in it.requires_any for p in group}
    prob.items = [
        it
        for it in prob.items
        if it.must
        or it.id in needed
        or sum(prob.weights.get(k, 0.0) for k in it.covers) - it.net_overhead > 1e-9
    ]
    return prob


def _trade_off(plan: Plan, main: Pathway, alt: Pathway) -> str:
    """One sentence: how this alternative differs from the recommended plan."""
    from coach.texts import render

    diff = round(alt.total_cost - main.total_cost, 2)
    return render(
        "planner_tradeoff.md",
        cost_diff=diff,
        cost_abs=_money(abs(diff), main.currency),
        recognition_diff=_signals(alt) - _signals(main),
        weeks_diff=alt.weeks - main.weeks,
        coverage_diff=round(100 * (alt.coverage_after - main.coverage_after)),
    )


def _signals(p: Pathway) -> int:
    """How many sourced employer-recognition signals a pathway's steps carry (each kind once per step)."""
    return sum(len({r.signal for r in s.recognition}) for s in p.steps)
