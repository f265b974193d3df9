"""Pure functions of the review workflow: apply a coach's edits to a pathway, lay the steps out again, diff two
versions, and a fallback validation (prerequisites, budget) used when the planner's validator is unavailable."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from coach.errors import BadInput
from coach.models import Credential, Model, Pathway, PathwayStep, Profile, Rule, SkillRef

EditOp = Literal["add", "remove", "swap", "move"]


class StepEdit(Model):
    """One edit: add a step, remove one, swap one for another, or move one to a new position."""

    op: EditOp
    step_id: str | None = Field(default=None, max_length=300, description="The step to remove, swap or move.")
    credential_id: str | None = Field(
        default=None, max_length=300, description="Catalogue credential to add or swap in."
    )
    step: PathwayStep | None = Field(default=None, description="An explicit step to add or swap in.")
    position: int | None = Field(default=None, ge=0, le=200, description="0-based index for add and move.")


class StepMove(Model):
    """A step that changed place between two versions."""

    id: str
    before: int
    after: int


class PathwayDiff(Model):
    """What changed from one version to the next."""

    from_version: int
    to_version: int
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    moved: list[StepMove] = Field(default_factory=list)
    cost_change: float = 0.0
    hours_change: float = 0.0
    weeks_change: int = 0


def step_from_credential(cred: Credential, hours_per_week: float | None = None) -> PathwayStep:
    """A pathway step for a catalogue credential (unknown cost or hours stay 0 and are not invented)."""
    hours = cred.hours or 0.0
    weeks = max(1, math.ceil(hours / hours_per_week)) if hours and hours_per_week else 1
    return PathwayStep(
        id=cred.id,
        name=cred.name,
        kind=cred.type if cred.type != "degree" else "program",
        provider=cred.provider,
        start_week=1,
        end_week=weeks,
        cost=cred.cost or 0.0,
        currency=cred.currency or "USD",
        hours=hours,
        hours_estimated=cred.hours_estimated,
        url=cred.url,
        sources=cred.sources,
        why="added by a coach",
    )


def _index(steps: list[PathwayStep], step_id: str | None) -> int:
    for i, step in enumerate(steps):
        if step.id == step_id:
            return i
    raise BadInput(f"no step {step_id!r} in this pathway")


def apply_edits(
    pathway: Pathway,
    edits: Iterable[StepEdit],
    *,
    find_credential: object = None,
    hours_per_week: float | None = None,
) -> Pathway:
    """A new Pathway with `edits` applied in order, steps laid out again and totals recomputed."""
    steps = [s.model_copy(deep=True) for s in pathway.steps]
    for edit in edits:
        new_step: PathwayStep | None = None
        if edit.op in ("add", "swap"):
            if edit.step is not None:
                new_step = edit.step.model_copy(deep=True)
            elif edit.credential_id:
                cred = find_credential(edit.credential_id) if callable(find_credential) else None
                if cred is None:
                    raise BadInput(f"unknown credential {edit.credential_id!r}")
                new_step = step_from_credential(cred, hours_per_week)
            else:
                raise BadInput(f"{edit.op} needs a credential_id or a step")
            if any(s.id == new_step.id for s in steps if not (edit.op == "swap" and s.id == edit.step_id)):
                raise BadInput(f"step {new_step.id!r} is already in the pathway")
        if edit.op == "add":
            assert new_step is not None
            pos = len(steps) if edit.position is None else min(edit.position, len(steps))
            steps.insert(pos, new_step)
        elif edit.op == "remove":
            removed = steps.pop(_index(steps, edit.step_id))
            for s in steps:  # a removed step can no longer be a prerequisite inside the plan
                s.prerequisites = [p for p in s.prerequisites if p != removed.id]
        elif edit.op == "swap":
            assert new_step is not None
            i = _index(steps, edit.step_id)
            old_id = steps[i].id
            steps[i] = new_step
            for s in steps:
                s.prerequisites = [new_step.id if p == old_id else p for p in s.prerequisites]
        elif edit.op == "move":
            if edit.position is None:
                raise BadInput("move needs a position")
            step = steps.pop(_index(steps, edit.step_id))
            steps.insert(min(edit.position, len(steps)), step)
    return recompute(pathway, steps, hours_per_week=hours_per_week)


def recompute(pathway: Pathway, steps: list[PathwayStep], *, hours_per_week: float | None = None) -> Pathway:
    """Lay `steps` out one after another (each keeps its length in weeks) and recompute totals and coverage."""
    base = min((s.start_week for s in pathway.steps), default=1)
    week = base
    laid: list[PathwayStep] = []
    for s in steps:
        length = max(1, s.end_week - s.start_week + 1)
        if s.hours and hours_per_week and s.end_week <= s.start_week:
            length = max(1, math.ceil(s.hours / hours_per_week))
        laid.append(s.model_copy(update={"start_week": week, "end_week": week + length - 1}))
        week += length
    wanted = {r.uri: r for r in [*pathway.covered, *pathway.uncovered]}
    closed = {ref.uri for s in laid for ref in s.skills}
    covered = [r for uri, r in wanted.items() if uri in closed]
    uncovered = [r for uri, r in wanted.items() if uri not in closed]
    total = len(wanted) or 1
    return pathway.model_copy(
        update={
            "steps": laid,
            "total_cost": round(sum(s.cost for s in laid), 2),
            "total_hours": round(sum(s.hours for s in laid), 2),
            "weeks": (laid[-1].end_week - base + 1) if laid else 0,
            "covered": [SkillRef(**r.model_dump()) for r in covered],
            "uncovered": [SkillRef(**r.model_dump()) for r in uncovered],
            "coverage_after": round(len(covered) / total, 4) if wanted else pathway.coverage_after,
            "alternatives": [],
            "label": "edited by coach",
        },
        deep=True,
    )


def diff_pathways(old: Pathway, new: Pathway, *, from_version: int, to_version: int) -> PathwayDiff:
    """Added, removed and moved steps, and the change in cost, hours and weeks."""
    old_ids = [s.id for s in old.steps]
    new_ids = [s.id for s in new.steps]
    added = [i for i in new_ids if i not in old_ids]
    removed = [i for i in old_ids if i not in new_ids]
    common_old = [i for i in old_ids if i in new_ids]
    common_new = [i for i in new_ids if i in old_ids]
    # Steps on the longest common order kept their place; the rest were moved.
    matcher = difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    kept = {common_old[b.a + k] for b in matcher.get_matching_blocks() for k in range(b.size)}
    moved = [
        StepMove(id=i, before=old_ids.index(i), after=new_ids.index(i)) for i in common_new if i not in kept
    ]
    return PathwayDiff(
        from_version=from_version,
        to_version=to_version,
        added=added,
        removed=removed,
        moved=moved,
        cost_change=round(new.total_cost - old.total_cost, 2),
        hours_change=round(new.total_hours - old.total_hours, 2),
        weeks_change=new.weeks - old.weeks,
    )


def _held(profile: Profile | None) -> set[str]:
    if profile is None:
        return set()
    out: set[str] = set()
    for c in profile.credentials:
        if c.status == "earned":
            out.add(c.name.lower())
            if c.id:
                out.add(c.id.lower())
    return out


def basic_validate(pathway: Pathway, profile: Profile | None, rules: Iterable[Rule] = ()) -> list[str]:
    """Problems with a pathway: prerequisites out of order or missing, duplicates, budget exceeded."""
    issues: list[str] = []
    held = _held(profile)
    position: dict[str, int] = {}
    for i, s in enumerate(pathway.steps):
        if s.id in position:
            issues.append(f"step {s.id} appears twice")
        position.setdefault(s.id, i)

    def before(req: str, i: int) -> bool:
        return req.lower() in held or (req in position and position[req] < i)

    for i, s in enumerate(pathway.steps):
        for req in s.prerequisites:
            if not before(req, i):
                issues.append(f"{s.name}: prerequisite {req} must come earlier or be held already")
    for rule in rules:
        if rule.type != "prerequisite_required" or rule.subject not in position or not rule.objects:
            continue
        i = position[rule.subject]
        met = [before(o, i) for o in rule.objects]
        if not (any(met) if rule.any_of else all(met)):
            need = " or ".join(rule.objects) if rule.any_of else ", ".join(rule.objects)
            issues.append(f"{rule.subject} requires {need} first (rule {rule.id})")
    budget = profile.constraints.budget if profile else None
    if budget is not None and pathway.total_cost > budget + 1e-6:
        issues.append(f"total cost {pathway.total_cost:,.0f} exceeds the budget of {budget:,.0f}")
    weeks = profile.constraints.weeks if profile else None
    if weeks is not None and pathway.weeks > weeks:
        issues.append(f"takes {pathway.weeks} weeks, more than the {weeks} available")
    return issues
