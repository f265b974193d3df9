"""Invariants a crash must never break, checked over the whole store."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coach.store.tables import (
    AuditEntry,
    PathwayRow,
    PathwayVersion,
    Review,
)


def consistency_problems(*, session: Session) -> list[str]:
    """Invariants a crash must never break: every pathway has versions 1..current, each review a pathway."""
    problems: list[str] = []
    counts = dict(
        session.execute(
            select(PathwayVersion.pathway_id, func.count()).group_by(PathwayVersion.pathway_id)
        ).all()
    )
    maxes = dict(
        session.execute(
            select(PathwayVersion.pathway_id, func.max(PathwayVersion.version)).group_by(
                PathwayVersion.pathway_id
            )
        ).all()
    )
    for p in session.scalars(select(PathwayRow)):
        if counts.get(p.id, 0) != p.current_version or maxes.get(p.id) != p.current_version:
            problems.append(
                f"pathway {p.id}: current version {p.current_version}, {counts.get(p.id, 0)} versions stored"
            )
        created = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity == "pathway",
                AuditEntry.entity_id == str(p.id),
                AuditEntry.action == "create",
            )
        )
        if created != 1:
            problems.append(f"pathway {p.id}: {created} creation entries in the audit log")
    orphans = session.scalar(
        select(func.count())
        .select_from(PathwayVersion)
        .where(~PathwayVersion.pathway_id.in_(select(PathwayRow.id)))
    )
    if orphans:
        problems.append(f"{orphans} versions without a pathway")
    pending = session.scalar(
        select(func.count())
        .select_from(PathwayRow)
        .where(
            PathwayRow.status == "pending",
            ~PathwayRow.id.in_(select(Review.pathway_id).where(Review.status == "pending")),
        )
    )
    if pending:
        problems.append(f"{pending} pending pathways without a pending review")
    return problems
