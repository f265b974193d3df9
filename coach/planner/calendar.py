"""Sequencing and the weekly calendar: the order the chosen items are taken in and the weeks each occupies."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from coach.planner.solver import Item

# order_items takes lower levels first; an unknown level ranks as intermediate.
LEVEL_RANK = {"entry": 0, "intermediate": 1, "advanced": 2, "expert": 3}


@dataclass
class Slot:
    """A step placed on the calendar (weeks are 1-based and inclusive)."""

    id: str
    start_week: int
    end_week: int


def order_items(
    items: Sequence[Item], soft_before: dict[str, set[str]], priority: dict[str, float] | None = None
) -> list[str]:
    """Topological order: hard prerequisites always first, recommendations when they make no cycle, then level
    (entry → expert), then `priority` (higher first), then id. `soft_before[c]` = ids recommended before c."""
    ids = [i.id for i in items]
    present = set(ids)
    by_id = {i.id: i for i in items}
    preds: dict[str, set[str]] = {c: set() for c in ids}
    for it in items:
        preds[it.id] |= {p for p in it.requires if p in present}
        for group in it.requires_any:
            preds[it.id] |= {p for p in group if p in present}
    for c, before in soft_before.items():
        if c not in present:
            continue
        for p in sorted(before):
            if p in present and p != c and not _reaches(preds, p, c):
                preds[c].add(p)  # kept only when it does not close a cycle
    prio = priority or {}

    def key(c: str) -> tuple[int, float, str]:
        return (LEVEL_RANK.get(by_id[c].level or "", 1), -prio.get(c, 0.0), c)

    indeg = {c: len(preds[c]) for c in ids}
    succ: dict[str, list[str]] = {c: [] for c in ids}
    for c, ps in preds.items():
        for p in ps:
            succ[p].append(c)
    heap = [(key(c), c) for c in ids if indeg[c] == 0]
    heapq.heapify(heap)
    out: list[str] = []
    while heap:
        _, c = heapq.heappop(heap)
        out.append(c)
        for s in succ[c]:
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(heap, (key(s), s))
    if len(out) != len(ids):  # a cycle among hard prerequisites: keep the rest in a stable order
        out += sorted(set(ids) - set(out), key=key)
    return out


def _reaches(preds: dict[str, set[str]], start: str, goal: str) -> bool:
    """True when `goal` is (transitively) a predecessor of `start`."""
    seen, stack = set(), [start]
    while stack:
        c = stack.pop()
        if c == goal:
            return True
        if c in seen:
            continue
        seen.add(c)
        stack.extend(preds.get(c, ()))
    return False


def lay_out(items: Sequence[Item], order: Sequence[str]) -> list[Slot]:
    """Sequential study calendar: each study item takes `weeks` after the previous one and after its
    prerequisites; work-based items run alongside study from week 1 (they take calendar time only)."""
    by_id = {i.id: i for i in items}
    end: dict[str, int] = {}
    cursor = 1
    slots: list[Slot] = []
    for c in order:
        it = by_id[c]
        ready = 1 + max(
            [end[p] for p in it.requires if p in end]
            + [min(end[p] for p in g if p in end) for g in it.requires_any if any(p in end for p in g)]
            + [0]
        )
        if it.study:
            start = max(cursor, ready)
            finish = start + max(it.weeks, 1) - 1
            cursor = finish + 1
        else:
            start = ready
            finish = start + max(it.weeks, 1) - 1
        end[c] = finish
        slots.append(Slot(c, start, finish))
    return slots


def weeks_for(hours: float, hours_per_week: float) -> int:
    """Calendar weeks a step of `hours` takes at `hours_per_week` (at least one)."""
    return max(1, math.ceil(round(hours / hours_per_week, 9)))
