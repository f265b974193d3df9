"""The planner's core, free of catalogue knowledge: the selection MIP (HiGHS), its brute-force reference and
the exact presolves.

`coach.planner.candidates` turns a profile, a target and the catalogue into a plan whose `Problem`
(`coach.planner.model._problem`) holds abstract items (credentials and work-based steps) that cover weighted
target keys; this module chooses items with a lexicographic objective under budget, time and count limits and
prerequisites. `coach.planner.calendar` lays the chosen items on a calendar.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Numerical tolerance when a stage's optimum is locked before the next stage: loose enough for floating
# weights, far tighter than any real difference (weights have 4 decimals, costs are whole cents).
LOCK_TOL = 1e-6
# Explicit solver parameters (documented in the README).
MIP_REL_GAP = 1e-6
MIP_ABS_GAP = 1e-6
THREADS = 1
# The planner's objective; the last stage drops items that change nothing (e.g. an unneeded work step).
# "value" is the covered weight plus each chosen item's merit minus its overhead (equal to "coverage" when both
# are 0).
DEFAULT_STAGES = (("must", "max"), ("value", "max"), ("cost", "min"), ("hours", "min"), ("items", "min"))


@dataclass
class Item:
    """A component the learner could take: a credential or a work-based step."""

    id: str
    cost: float = 0.0
    hours: float = 0.0
    weeks: int = 1
    covers: frozenset[str] = frozenset()
    requires: tuple[str, ...] = ()  # every one must be chosen (held ones are removed beforehand)
    requires_any: tuple[tuple[str, ...], ...] = ()  # per group, at least one must be chosen
    must: bool = False  # a posting names it: chosen whenever possible (first objective)
    study: bool = True  # False for work experience: it takes calendar time, not study weeks
    level: str | None = None
    overhead: float = 0.0  # weight it must close to be worth a step of its own (the "value" objective)
    merit: float = 0.0  # what it is worth beyond the keys it covers (may be negative), in the same units
    recognition: float = 0.0  # sourced employer-recognition score (the "recognition" objective)

    @property
    def net_overhead(self) -> float:
        """What choosing it costs the "value" objective before counting the keys it covers."""
        return self.overhead - self.merit


@dataclass
class Problem:
    """Items, weighted targets and limits. `weeks_limit` bounds the sum of the items' study weeks."""

    items: list[Item]
    weights: dict[str, float]
    budget: float | None = None
    weeks_limit: int | None = None
    max_items: int | None = None


@dataclass
class Selection:
    """The solver's answer: chosen item ids, the value of each stage, status and gap."""

    status: str  # optimal | feasible | error
    chosen: list[str]
    values: dict[str, float] = field(default_factory=dict)
    gap: float | None = None
    seconds: float = 0.0


def objective_values(problem: Problem, chosen: Iterable[str]) -> dict[str, float]:
    """The value of every objective for a set of chosen ids (coverage counts each target once)."""
    by_id = {i.id: i for i in problem.items}
    items = [by_id[c] for c in chosen]
    covered = set().union(*(i.covers for i in items)) if items else set()
    coverage = float(sum(problem.weights.get(k, 0.0) for k in covered))
    return {
        "must": float(sum(1 for i in items if i.must)),
        "value": coverage - float(sum(i.net_overhead for i in items)),
        "recognition": float(sum(i.recognition for i in items)),
        "coverage": coverage,
        "cost": float(sum(i.cost for i in items)),
        "hours": float(sum(i.hours for i in items)),
        "weeks": float(sum(i.weeks for i in items if i.study)),
        "items": float(len(items)),
    }


def violations(problem: Problem, chosen: Iterable[str]) -> list[str]:
    """Every constraint a set of chosen ids breaks (empty when feasible)."""
    ids = list(chosen)
    chosen_set = set(ids)
    by_id = {i.id: i for i in problem.items}
    out = [f"unknown item {c}" for c in ids if c not in by_id]
    if out:
        return out
    vals = objective_values(problem, ids)
    if problem.budget is not None and vals["cost"] > problem.budget + LOCK_TOL:
        out.append(f"cost {vals['cost']:g} exceeds budget {problem.budget:g}")
    if problem.weeks_limit is not None and vals["weeks"] > problem.weeks_limit + LOCK_TOL:
        out.append(f"{vals['weeks']:g} study weeks exceed {problem.weeks_limit}")
    if problem.max_items is not None and len(ids) > problem.max_items:
        out.append(f"{len(ids)} items exceed the maximum of {problem.max_items}")
    for c in ids:
        item = by_id[c]
        for p in item.requires:
            if p not in chosen_set:
                out.append(f"{c} requires {p}")
        for group in item.requires_any:
            if not chosen_set.intersection(group):
                out.append(f"{c} requires one of {', '.join(group)}")
    return out


# ------------------------------------------------------------------------------------------------------------
# HiGHS
# ------------------------------------------------------------------------------------------------------------

_banner_lock = threading.Lock()
_banner_done = False


def _new_highs() -> Any:
    """A silent HiGHS instance. The first construction prints a banner on fd 1, which would corrupt
    `--json` output, so it is made with stdout pointed at /dev/null."""
    import highspy

    global _banner_done
    with _banner_lock:
        if _banner_done:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("threads", THREADS)
    h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    h.setOptionValue("mip_abs_gap", MIP_ABS_GAP)
    h.setOptionValue("random_seed", 0)
    # Presolve costs more than it saves on the small reduced models the planner builds (measured: 2x faster).
    h.setOptionValue("presolve", "off")
    # The feasibility-jump heuristic costs ~20 ms per run even on a 3-variable model (measured); choosing
    # nothing is always feasible here, so a first solution never needs it.
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    return h


def _coefficients(objective: str, items: Sequence[Item], own: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Objective coefficients over [x per item, y per shared key group]: `own[j]` is the weight only item j
    covers, `shared[i]` the weight of key group i."""
    n, m = len(items), len(shared)
    c = np.zeros(n + m)
    if objective in ("coverage", "value"):
        c[:n] = own
        c[n:] = shared
        if objective == "value":
            c[:n] -= [it.net_overhead for it in items]
    else:
        for j, it in enumerate(items):
            c[j] = {
                "must": 1.0 if it.must else 0.0,
                "cost": it.cost,
                "hours": it.hours,
                "weeks": float(it.weeks) if it.study else 0.0,
                "items": 1.0,
                "recognition": it.recognition,
            }[objective]
    return c


def solve(
    problem: Problem,
    stages: Sequence[tuple[str, str]] = DEFAULT_STAGES,
    *,
    bounds: Sequence[tuple[str, str, float]] = (),
    exclude_sets: Sequence[Iterable[str]] = (),
    time_limit_s: float = 5.0,
) -> Selection:
    """Choose items lexicographically: optimise each (objective, sense) stage in turn, locking each optimum.

    `bounds` adds side constraints (objective, '>=' or '<=', value); `exclude_sets` adds no-good cuts so that
    exactly those sets cannot be chosen again. Binary x per item, continuous y in [0, 1] per group of target keys
    the same items cover.
    """
    import highspy

    started = time.perf_counter()
    deadline = started + max(time_limit_s, 0.05)
    items = problem.items
    if (
        not bounds
        and not exclude_sets
        and (tuple(stages[:1]) == (("value", "max"),) or tuple(stages[:2]) == DEFAULT_STAGES[:2])
    ):
        items = prune_unprofitable(items, problem.weights)
    items = reduce_dominated(items, problem.weights)
    n = len(items)
    index = {it.id: j for j, it in enumerate(items)}
    # Keys covered by the same items are one y variable with their summed weight; a key only one item covers
    # needs none (y = x there at any optimum), its weight goes to that item. Exact, and a smaller model.
    coverers: dict[str, list[int]] = {}
    for j, it in enumerate(items):
        for k in it.covers:
            if k in problem.weights:
                coverers.setdefault(k, []).append(j)
    own = np.zeros(n)
    groups: dict[tuple[int, ...], float] = {}
    for k in sorted(coverers):
        js = tuple(coverers[k])
        if len(js) == 1:
            own[js[0]] += problem.weights[k]
        else:
            groups[js] = groups.get(js, 0.0) + problem.weights[k]
    key_groups = list(groups)
    shared = np.array([groups[g] for g in key_groups], dtype=np.float64)
    m = len(key_groups)
    if n == 0:  # only the empty plan exists: feasible unless a side constraint asks for more
        vals = objective_values(problem, [])
        ok = all(vals[o] >= v - LOCK_TOL if op == ">=" else vals[o] <= v + LOCK_TOL for o, op, v in bounds)
        ok = ok and not any(not set(e) for e in exclude_sets)  # the empty plan itself may be excluded
        return Selection("optimal" if ok else "infeasible", [], vals, 0.0, 0.0)
    inf = highspy.kHighsInf
    h = _new_highs()
    lower = np.zeros(n + m)
    upper = np.ones(n + m)
    h.addVars(n + m, lower, upper)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))

    def add_row(lo: float, hi: float, idx: Sequence[int], val: Sequence[float]) -> None:
        h.addRow(lo, hi, len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=np.float64))

    for i, js in enumerate(key_groups):  # y_g <= sum of x covering the group's keys
        add_row(-inf, 0.0, [n + i, *js], [1.0, *([-1.0] * len(js))])
    for j, it in enumerate(items):
        for p in it.requires:  # x_j <= x_p
            add_row(-inf, 0.0, [j, index[p]], [1.0, -1.0])
        for group in it.requires_any:  # x_j <= sum x_p
            ps = sorted({index[p] for p in group})
            add_row(-inf, 0.0, [j, *ps], [1.0, *([-1.0] * len(ps))])
    if problem.budget is not None:
        add_row(-inf, problem.budget, list(range(n)), [it.cost for it in items])
    if problem.weeks_limit is not None:
        add_row(
            -inf, float(problem.weeks_limit), list(range(n)), [it.weeks if it.study else 0 for it in items]
        )
    if problem.max_items is not None:
        add_row(-inf, float(problem.max_items), list(range(n)), [1.0] * n)
    for objective, op, value in bounds:
        c = _coefficients(objective, items, own, shared)
        nz = np.nonzero(c)[0]
        if op == ">=":
            add_row(value - LOCK_TOL, inf, nz.tolist(), c[nz].tolist())
        else:
            add_row(-inf, value + LOCK_TOL, nz.tolist(), c[nz].tolist())
    for excluded in exclude_sets:
        if any(e not in index for e in excluded):
            continue  # a set with an item outside this problem cannot be chosen anyway
        cut = {index[e] for e in excluded}
        # no-good cut: sum_{j in S} (1 - x_j) + sum_{j not in S} x_j >= 1
        add_row(1.0 - len(cut), inf, list(range(n)), [-1.0 if j in cut else 1.0 for j in range(n)])

    status, gap, values = "optimal", 0.0, {}
    solved_once = False
    x = np.zeros(n)
    zero_items = any(it.cost == 0 and it.hours == 0 for it in items)
    # The incumbent handed to each run. Choosing nothing is always feasible without side constraints: the
    # first run starts from it, so a time limit hit early still ends with a solution (status "feasible" and
    # its gap) rather than none. Later runs start from the previous stage's plan.
    incumbent: list[float] | None = [0.0] * (n + m) if not bounds and not exclude_sets else None
    for objective, sense in stages:
        c = _coefficients(objective, items, own, shared)
        if not c.any() or (objective == "items" and not zero_items):
            # Nothing to optimise, or (items) earlier stages already leave no item that changes nothing:
            # any such item would add cost or hours.
            values[objective] = 0.0
            continue
        remaining = deadline - time.perf_counter()
        h.setOptionValue("time_limit", max(remaining, 0.01))
        h.changeColsCost(n + m, np.arange(n + m, dtype=np.int32), c)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize)
        if incumbent is not None:
            # Set after the objective changed: changing the model discards a solution set before (measured:
            # a later stage then re-proved from nothing, 76 of 100 ms on one real plan).
            start = highspy.HighsSolution()
            start.col_value = incumbent
            start.value_valid = True
            h.setSolution(start)
        h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if ms == highspy.HighsModelStatus.kOptimal:
            pass
        elif has_solution:
            status = "feasible"
            gap = max(gap or 0.0, float(info.mip_gap))
        elif solved_once:
            status = "feasible"  # out of time in a later stage: keep the previous stage's plan
            break
        else:
            if ms == highspy.HighsModelStatus.kInfeasible:
                return Selection("infeasible", [], {}, None, time.perf_counter() - started)
            return Selection("error", [], {}, None, time.perf_counter() - started)
        # Snap the incumbent to whole items (HiGHS accepts 0.999998 as integral) and take each coverage at its
        # best, then lock the value of that plan: a lock at the solver's raw objective (24.99996 for a cost of
        # 25) would make the snapped plan, and every later stage, infeasible.
        x = np.round(np.asarray(h.getSolution().col_value[:n]))
        full = np.concatenate([x, [min(1.0, float(x[list(js)].sum())) for js in key_groups]])
        value = float(c @ full)
        values[objective] = value
        nz = np.nonzero(c)[0]
        if len(nz):  # lock this stage's optimum for the next ones
            if sense == "max":
                add_row(value - LOCK_TOL * max(1.0, abs(value)), inf, nz.tolist(), c[nz].tolist())
            else:
                add_row(-inf, value + LOCK_TOL * max(1.0, abs(value)), nz.tolist(), c[nz].tolist())
        solved_once = True
        incumbent = full.tolist()  # the next stage starts from this plan
        if status == "feasible":
            break  # out of time: keep the best found so far
    chosen = [items[j].id for j in range(n) if x[j] > 0.5]
    return Selection(status, chosen, objective_values(problem, chosen), gap, time.perf_counter() - started)


def prune_unprofitable(items: Sequence[Item], weights: dict[str, float]) -> list[Item]:
    """Drop items whose whole covered weight is no more than their overhead (an exact presolve for a "value"
    stage that follows at most a "must" stage).

    Adding such an item to any plan raises coverage by at most its covered weight, so "value" never rises
    and cost and hours do not fall: the lexicographic optimum's values are unchanged without it. Must-cover
    items and the prerequisites of kept items stay (to a fixpoint)."""
    profit = {it.id: sum(weights.get(k, 0.0) for k in it.covers) - it.net_overhead for it in items}
    keep = {it.id for it in items if it.must or profit[it.id] > LOCK_TOL}
    by_id = {it.id: it for it in items}
    frontier = list(keep)
    while frontier:  # prerequisites of kept items are kept
        it = by_id[frontier.pop()]
        for p in [*it.requires, *(p for g in it.requires_any for p in g)]:
            if p not in keep and p in by_id:
                keep.add(p)
                frontier.append(p)
    return [it for it in items if it.id in keep]


def reduce_dominated(
    items: Sequence[Item], weights: dict[str, float], group: dict[str, Any] | None = None
) -> list[Item]:
    """Drop items another item beats on every objective and constraint (an exact presolve).

    d dominates c when both are free of prerequisites, c is nobody's prerequisite and not must-cover, they share
    the study flag, d covers every weighted key c covers, and d costs, takes, lasts and weighs (net overhead) no
    more and is as recognised; c's merit does not exceed its overhead (else c adds value beside d); exact ties
    keep
    the smaller id. Swapping c for d in any plan keeps it feasible and no worse on any stage, so the optimum's
    objective values are unchanged. With `group`, only items of the same group (e.g. the same filters apply to
    them) dominate each other, so the reduction stays exact when a filter is later relaxed."""
    bit = {k: 1 << n for n, k in enumerate(weights)}

    def mask(it: Item) -> int:
        m = 0
        for k in it.covers:
            m |= bit.get(k, 0)
        return m

    needed = {p for it in items for p in it.requires} | {
        p for it in items for g in it.requires_any for p in g
    }
    masks = {it.id: mask(it) for it in items}
    pools: dict[tuple[Any, bool, str], list[Item]] = {}
    for it in items:
        if not it.requires and not it.requires_any:
            g = group.get(it.id) if group is not None else None
            for k in it.covers:
                if k in bit:
                    pools.setdefault((g, it.study, k), []).append(it)
    for pool in pools.values():
        pool.sort(key=lambda d: (d.cost, d.hours))  # cheapest first: the scan below stops at the first dearer
    out = []
    for c in items:
        cm = masks[c.id]
        # An item whose merit exceeds its overhead adds value even beside one that covers what it covers: keep it.
        if c.requires or c.requires_any or c.must or c.id in needed or not cm or c.net_overhead < 0:
            out.append(c)
            continue
        g = group.get(c.id) if group is not None else None
        pool = min((pools.get((g, c.study, k), []) for k in c.covers if k in bit), key=len)
        dominated = False
        for d in pool:
            if d.cost > c.cost:
                break
            if (
                d is c
                or d.hours > c.hours
                or d.weeks > c.weeks
                or d.net_overhead > c.net_overhead
                or d.recognition < c.recognition
            ):
                continue
            dm = masks[d.id]
            if dm & cm != cm:
                continue
            tie = (
                d.cost == c.cost
                and d.hours == c.hours
                and d.weeks == c.weeks
                and d.net_overhead == c.net_overhead
                and d.recognition == c.recognition
                and dm == cm
            )
            if not tie or d.id < c.id:
                dominated = True
                break
        if not dominated:
            out.append(c)
    return out


def brute_force(
    problem: Problem,
    stages: Sequence[tuple[str, str]] = DEFAULT_STAGES,
) -> tuple[list[str], dict[str, float]]:
    """The reference answer by enumerating every subset (only for small problems, ≤ ~14 items)."""
    if len(problem.items) > 16:
        raise ValueError("brute force is only for small problems")
    best: list[str] = []
    best_key: tuple[float, ...] | None = None
    ids = [i.id for i in problem.items]
    for r in range(len(ids) + 1):
        for combo in itertools.combinations(ids, r):
            if violations(problem, combo):
                continue
            vals = objective_values(problem, combo)
            key = tuple(vals[o] if s == "max" else -vals[o] for o, s in stages)
            if best_key is None or _lex_better(key, best_key):
                best, best_key = list(combo), key
    return best, objective_values(problem, best)


def _lex_better(a: Sequence[float], b: Sequence[float], tol: float = 1e-7) -> bool:
    for x, y in zip(a, b, strict=True):
        if x > y + tol:
            return True
        if x < y - tol:
            return False
    return False
