"""Pathways, their versions, reviews and comments: the review workflow's aggregate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coach.errors import BadInput, Conflict, Forbidden, NotFound
from coach.models import Pathway
from coach.store.audit_repo import audit
from coach.store.tables import (
    Comment,
    PathwayRow,
    PathwayVersion,
    Review,
    User,
    utcnow,
)
from coach.store.user_repo import learner_ids_of

DECISIONS = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}
SUBMITTABLE = ("draft", "changes_requested")
COACH_EDITABLE = ("pending", "changes_requested")
LEARNER_EDITABLE = ("draft", "changes_requested")


def _visible(stmt: Any, *, session: Session, viewer: User) -> Any:
    if viewer.role == "admin":
        return stmt
    if viewer.role == "coach":
        ids = [viewer.id, *learner_ids_of(session=session, coach_id=viewer.id)]
        return stmt.where(PathwayRow.owner_id.in_(ids))
    return stmt.where(PathwayRow.owner_id == viewer.id)


def get_pathway(*, session: Session, viewer: User, pathway_id: int, lock: bool = False) -> PathwayRow:
    """A pathway `viewer` may see; NotFound for one that does not exist or is not theirs to see."""
    stmt = _visible(select(PathwayRow).where(PathwayRow.id == pathway_id), session=session, viewer=viewer)
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"no pathway {pathway_id}")
    return row


def list_pathways(
    *,
    session: Session,
    viewer: User,
    limit: int,
    offset: int,
    status: str | None = None,
    owner_id: int | None = None,
) -> list[PathwayRow]:
    """Pathways `viewer` may see, newest first."""
    stmt = _visible(select(PathwayRow), session=session, viewer=viewer)
    if status:
        stmt = stmt.where(PathwayRow.status == status)
    if owner_id is not None:
        stmt = stmt.where(PathwayRow.owner_id == owner_id)
    return list(session.scalars(stmt.order_by(PathwayRow.id.desc()).limit(limit).offset(offset)))


def get_version(*, session: Session, pathway_id: int, version: int) -> PathwayVersion:
    """One version of a pathway; NotFound otherwise."""
    row = session.scalar(
        select(PathwayVersion).where(
            PathwayVersion.pathway_id == pathway_id, PathwayVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"pathway {pathway_id} has no version {version}")
    return row


def list_versions(*, session: Session, pathway_id: int) -> list[PathwayVersion]:
    """All versions of a pathway, oldest first."""
    stmt = (
        select(PathwayVersion).where(PathwayVersion.pathway_id == pathway_id).order_by(PathwayVersion.version)
    )
    return list(session.scalars(stmt))


def create_pathway(
    *,
    session: Session,
    owner: User,
    pathway: Pathway,
    title: str = "",
    issues: list[str] | None = None,
    note: str = "",
) -> PathwayRow:
    """Save a pathway as draft with its first version."""
    now = utcnow()
    row = PathwayRow(
        owner_id=owner.id,
        title=(title or pathway.target or "Pathway")[:200],
        status="draft",
        current_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    session.add(
        PathwayVersion(
            pathway_id=row.id,
            version=1,
            author_id=owner.id,
            data=pathway.model_dump(mode="json"),
            issues=list(issues or []),
            diff=None,
            note=note,
            created_at=now,
        )
    )
    audit(
        session=session,
        actor=owner,
        action="create",
        entity="pathway",
        entity_id=row.id,
        to_state="draft",
        detail={"version": 1, "steps": len(pathway.steps)},
    )
    return row


def _transition(
    session: Session, row: PathwayRow, actor: User, action: str, to_state: str, detail: dict[str, Any]
) -> None:
    from_state = row.status
    row.status = to_state
    row.updated_at = utcnow()
    audit(
        session=session,
        actor=actor,
        action=action,
        entity="pathway",
        entity_id=row.id,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
    )


def submit_pathway(*, session: Session, actor: User, pathway_id: int) -> Review:
    """The owner submits the current version for review: pending."""
    row = get_pathway(session=session, viewer=actor, pathway_id=pathway_id, lock=True)
    if row.owner_id != actor.id:
        raise Forbidden("only the learner who owns a pathway can submit it")
    if row.status not in SUBMITTABLE:
        raise Conflict(f"a {row.status} pathway cannot be submitted (only {' or '.join(SUBMITTABLE)})")
    review = Review(
        pathway_id=row.id,
        version=row.current_version,
        status="pending",
        submitted_by=actor.id,
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    _transition(
        session, row, actor, "submit", "pending", {"version": row.current_version, "review_id": review.id}
    )
    return review


def _require_reviewer(session: Session, actor: User, row: PathwayRow) -> None:
    if actor.role == "admin":
        return
    if actor.role != "coach" or actor.id == row.owner_id:
        raise Forbidden("only the learner's coach or an admin can review this pathway")
    if row.owner_id not in learner_ids_of(session=session, coach_id=actor.id):
        raise NotFound(f"no pathway {row.id}")


def get_review(*, session: Session, viewer: User, review_id: int) -> tuple[Review, PathwayRow]:
    """A review and its pathway, if `viewer` may see them."""
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review {review_id}")
    try:
        row = get_pathway(session=session, viewer=viewer, pathway_id=review.pathway_id)
    except NotFound:  # the same answer as for a review that does not exist: nothing about its pathway
        raise NotFound(f"no review {review_id}") from None
    return review, row


def list_reviews(
    *, session: Session, viewer: User, status: str | None, limit: int, offset: int
) -> list[tuple[Review, PathwayRow]]:
    """Reviews on pathways `viewer` may see (a coach: their learners'), oldest first."""
    stmt = _visible(
        select(Review, PathwayRow).join(PathwayRow, Review.pathway_id == PathwayRow.id),
        session=session,
        viewer=viewer,
    )
    if viewer.role == "coach":
        stmt = stmt.where(PathwayRow.owner_id != viewer.id)
    if status:
        stmt = stmt.where(Review.status == status)
    rows = session.execute(stmt.order_by(Review.id).limit(limit).offset(offset)).all()
    return [(r, p) for r, p in rows]


def decide_review(
    *, session: Session, actor: User, review_id: int, decision: str, comment: str = ""
) -> tuple[Review, Comment | None]:
    """A coach approves, requests changes or rejects a pending review, with an optional comment."""
    if decision not in DECISIONS:
        raise BadInput(f"decision must be one of {', '.join(DECISIONS)}")
    review, row = get_review(session=session, viewer=actor, review_id=review_id)
    _require_reviewer(session, actor, row)
    row = get_pathway(session=session, viewer=actor, pathway_id=row.id, lock=True)
    session.refresh(review)
    if review.status != "pending" or row.status != "pending":
        raise Conflict(f"review {review_id} is {review.status}, not pending")
    if decision != "approve" and not comment.strip():
        raise BadInput("a comment is required to request changes or reject")
    to_state = DECISIONS[decision]
    review.status = to_state
    review.reviewer_id = actor.id
    review.decided_at = utcnow()
    review.version = row.current_version
    note = None
    if comment.strip():
        note = _add_comment(session, actor, row, comment, parent_id=None, review_id=review.id)
    _transition(
        session,
        row,
        actor,
        decision,
        to_state,
        {"version": row.current_version, "review_id": review.id, "comment_id": note.id if note else None},
    )
    return review, note


def add_version(
    *,
    session: Session,
    actor: User,
    pathway_id: int,
    pathway: Pathway,
    issues: list[str],
    diff: dict[str, Any],
    note: str = "",
    expected_version: int | None = None,
) -> PathwayVersion:
    """Store a new immutable version (coach edit, or the owner's revision) and record it."""
    row = get_pathway(session=session, viewer=actor, pathway_id=pathway_id, lock=True)
    if expected_version is not None and row.current_version != expected_version:
        raise Conflict(
            f"pathway {pathway_id} changed meanwhile (now version {row.current_version}); reload it"
        )
    if actor.id == row.owner_id:
        if row.status not in LEARNER_EDITABLE:
            raise Conflict(f"a {row.status} pathway cannot be revised by its owner")
    else:
        _require_reviewer(session, actor, row)
        if row.status not in COACH_EDITABLE:
            raise Conflict(f"a {row.status} pathway cannot be edited by a coach")
    number = row.current_version + 1
    version = PathwayVersion(
        pathway_id=row.id,
        version=number,
        author_id=actor.id,
        data=pathway.model_dump(mode="json"),
        issues=issues,
        diff=diff,
        note=note,
        created_at=utcnow(),
    )
    session.add(version)
    row.current_version = number
    row.updated_at = utcnow()
    audit(
        session=session,
        actor=actor,
        action="edit",
        entity="pathway",
        entity_id=row.id,
        from_state=row.status,
        to_state=row.status,
        detail={
            "from_version": number - 1,
            "to_version": number,
            "added": diff.get("added", []),
            "removed": diff.get("removed", []),
            "moved": [m["id"] for m in diff.get("moved", [])],
            "cost_change": diff.get("cost_change"),
            "issues": len(issues),
            "note": note,  # the editor's reason, kept with the edit
        },
    )
    session.flush()
    return version


def _add_comment(
    session: Session, actor: User, row: PathwayRow, body: str, *, parent_id: int | None, review_id: int | None
) -> Comment:
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.pathway_id != row.id:
            raise NotFound(f"no comment {parent_id} on pathway {row.id}")
    comment = Comment(
        pathway_id=row.id,
        review_id=review_id,
        parent_id=parent_id,
        author_id=actor.id,
        version=row.current_version,
        body=body.strip(),
        created_at=utcnow(),
    )
    session.add(comment)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="comment",
        entity="pathway",
        entity_id=row.id,
        detail={"comment_id": comment.id, "parent_id": parent_id},
    )
    return comment


def add_comment(
    *, session: Session, actor: User, pathway_id: int, body: str, parent_id: int | None = None
) -> Comment:
    """Comment on a pathway the actor may see (replying to `parent_id` makes a thread)."""
    if not body.strip():
        raise BadInput("a comment cannot be empty")
    row = get_pathway(session=session, viewer=actor, pathway_id=pathway_id)
    return _add_comment(session, actor, row, body, parent_id=parent_id, review_id=None)


def list_comments(*, session: Session, pathway_id: int) -> list[Comment]:
    """Comments of a pathway, oldest first."""
    stmt = select(Comment).where(Comment.pathway_id == pathway_id).order_by(Comment.id)
    return list(session.scalars(stmt))
