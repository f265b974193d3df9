"""The audit trail: every change to a user, profile, pathway or review is recorded with its actor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coach.store.tables import (
    AuditEntry,
    User,
    utcnow,
)


def audit(
    *,
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | str,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's transaction (so it commits or rolls back with the change)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        from_state=from_state,
        to_state=to_state,
        detail=detail or {},
        at=utcnow(),
    )
    session.add(entry)
    return entry


def list_audit(
    *, session: Session, entity: str, entity_id: int | str, limit: int | None = None, offset: int = 0
) -> list[AuditEntry]:
    """The audit entries of one entity, oldest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(stmt))
