"""Progress on pathway steps, outcomes, and a coach's cohort view."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coach.errors import BadInput, Forbidden, NotFound
from coach.store.audit_repo import audit
from coach.store.pathway_repo import get_pathway, get_version
from coach.store.tables import (
    Outcome,
    PathwayRow,
    PathwayVersion,
    ProgressEvent,
    User,
    utcnow,
)
from coach.store.user_repo import learner_ids_of, require_learner_access


def record_progress(
    *,
    session: Session,
    actor: User,
    pathway_id: int,
    step_id: str,
    state: str,
    evidence_url: str | None = None,
    badge_name: str | None = None,
    badge_data: str | None = None,
) -> ProgressEvent:
    """The owner marks a step started or completed, with optional evidence."""
    row = get_pathway(session=session, viewer=actor, pathway_id=pathway_id)
    if row.owner_id != actor.id:
        raise Forbidden("only the learner can record progress on their pathway")
    current = get_version(session=session, pathway_id=row.id, version=row.current_version)
    if step_id not in {s["id"] for s in current.data.get("steps", [])}:
        raise NotFound(f"no step {step_id!r} in pathway {pathway_id}")
    event = ProgressEvent(
        pathway_id=row.id,
        user_id=actor.id,
        step_id=step_id,
        state=state,
        evidence_url=evidence_url,
        badge_name=badge_name,
        badge_data=badge_data,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action=f"step_{state}",
        entity="pathway",
        entity_id=row.id,
        detail={"step_id": step_id, "evidence": bool(evidence_url or badge_data)},
    )
    return event


def progress_of(*, session: Session, pathway_id: int) -> dict[str, ProgressEvent]:
    """The latest progress event per step."""
    stmt = select(ProgressEvent).where(ProgressEvent.pathway_id == pathway_id).order_by(ProgressEvent.id)
    latest: dict[str, ProgressEvent] = {}
    for event in session.scalars(stmt):
        latest[event.step_id] = event
    return latest


def add_outcome(
    *,
    session: Session,
    actor: User,
    learner_id: int,
    kind: str,
    role: str,
    date: str,
    organization: str = "",
    note: str = "",
) -> Outcome:
    """A coach (or admin) records an interview, offer or placement for one of their learners."""
    if actor.role not in ("coach", "admin"):
        raise Forbidden("only coaches and admins record outcomes")
    learner = require_learner_access(session=session, viewer=actor, learner_id=learner_id)
    if learner.role != "learner":
        raise BadInput(f"user {learner_id} is not a learner")
    outcome = Outcome(
        learner_id=learner_id,
        recorded_by=actor.id,
        kind=kind,
        role=role,
        date=date,
        organization=organization,
        note=note,
        created_at=utcnow(),
    )
    session.add(outcome)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="outcome",
        entity="user",
        entity_id=learner_id,
        to_state=kind,
        detail={"outcome_id": outcome.id, "role": role, "date": date},
    )
    return outcome


def list_outcomes(*, session: Session, learner_ids: list[int]) -> list[Outcome]:
    """Outcomes of these learners, oldest first."""
    if not learner_ids:
        return []
    stmt = select(Outcome).where(Outcome.learner_id.in_(learner_ids)).order_by(Outcome.id)
    return list(session.scalars(stmt))


def cohort(*, session: Session, coach: User, limit: int, offset: int) -> list[dict[str, Any]]:
    """One summary per learner of a coach (admins: every learner): pathways, progress, outcomes."""
    if coach.role == "admin":
        ids = list(session.scalars(select(User.id).where(User.role == "learner").order_by(User.id)))
    elif coach.role == "coach":
        ids = learner_ids_of(session=session, coach_id=coach.id)
    else:
        raise Forbidden("the cohort view is for coaches and admins")
    ids = ids[offset : offset + limit]
    if not ids:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    pathways: dict[int, list[PathwayRow]] = defaultdict(list)
    for p in session.scalars(select(PathwayRow).where(PathwayRow.owner_id.in_(ids)).order_by(PathwayRow.id)):
        pathways[p.owner_id].append(p)
    pids = [p.id for ps in pathways.values() for p in ps]
    steps_total: dict[int, int] = {}
    if pids:
        current = (
            select(PathwayVersion)
            .join(
                PathwayRow,
                (PathwayRow.id == PathwayVersion.pathway_id)
                & (PathwayRow.current_version == PathwayVersion.version),
            )
            .where(PathwayRow.id.in_(pids))
        )
        steps_total = {v.pathway_id: len(v.data.get("steps", [])) for v in session.scalars(current)}
    done: dict[int, set[str]] = defaultdict(set)
    started: dict[int, set[str]] = defaultdict(set)
    if pids:
        latest: dict[tuple[int, str], str] = {}
        for e in session.scalars(
            select(ProgressEvent).where(ProgressEvent.pathway_id.in_(pids)).order_by(ProgressEvent.id)
        ):
            latest[(e.pathway_id, e.step_id)] = e.state
        for (pid, step), state in latest.items():
            (done if state == "completed" else started)[pid].add(step)
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for o in list_outcomes(session=session, learner_ids=ids):
        outcomes[o.learner_id].append(o)
    out = []
    for uid in ids:
        user = users[uid]
        ps = pathways.get(uid, [])
        latest_p = ps[-1] if ps else None
        total = steps_total.get(latest_p.id, 0) if latest_p else 0
        completed = len(done.get(latest_p.id, set())) if latest_p else 0
        out.append(
            {
                "learner_id": uid,
                "username": user.username,
                "display_name": user.display_name,
                "pathways": len(ps),
                "latest_pathway_id": latest_p.id if latest_p else None,
                "latest_status": latest_p.status if latest_p else None,
                "steps_total": total,
                "steps_started": len(started.get(latest_p.id, set())) if latest_p else 0,
                "steps_completed": completed,
                "progress": round(completed / total, 4) if total else 0.0,
                "outcomes": [{"kind": o.kind, "role": o.role, "date": o.date} for o in outcomes.get(uid, [])],
            }
        )
    return out
