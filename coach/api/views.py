"""Response building: stored rows → the API's views (pathway summary and detail, versions, progress, comment
threads, reviews). Routes call these; list views load what they show in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from coach.api.schemas import (
    CommentOut,
    PathwayDetail,
    PathwaySummary,
    ReviewOut,
    StepProgress,
    VersionOut,
)
from coach.models import Pathway
from coach.store import pathway_repo, progress_repo
from coach.store.tables import Comment, PathwayRow, PathwayVersion, ProgressEvent, Review, User
from coach.store.workflow import PathwayDiff


def _current_versions(session: Session, rows: Sequence[PathwayRow]) -> dict[int, PathwayVersion]:
    """Each row's current version, in one query."""
    if not rows:
        return {}
    keys = [(r.id, r.current_version) for r in rows]
    found = session.scalars(
        select(PathwayVersion).where(tuple_(PathwayVersion.pathway_id, PathwayVersion.version).in_(keys))
    )
    return {v.pathway_id: v for v in found}


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    """Usernames by id, in one query."""
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {uid: name for uid, name in rows}


def _summary(row: PathwayRow, version: PathwayVersion, owner: str) -> PathwaySummary:
    data = version.data
    return PathwaySummary(
        id=row.id,
        owner_id=row.owner_id,
        owner=owner,
        title=row.title,
        status=row.status,  # type: ignore[arg-type]
        current_version=row.current_version,
        total_cost=float(data.get("total_cost") or 0),
        total_hours=float(data.get("total_hours") or 0),
        weeks=int(data.get("weeks") or 0),
        steps=len(data.get("steps") or []),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def summary(session: Session, row: PathwayRow, version: PathwayVersion | None = None) -> PathwaySummary:
    """The list view of one pathway row."""
    version = version or pathway_repo.get_version(
        session=session, pathway_id=row.id, version=row.current_version
    )
    owner = session.get(User, row.owner_id)
    return _summary(row, version, owner.username if owner else "")


def summaries(session: Session, rows: Sequence[PathwayRow]) -> list[PathwaySummary]:
    """The list view of many pathway rows: two queries whatever their number."""
    versions = _current_versions(session, rows)
    owners = _usernames(session, {r.owner_id for r in rows})
    return [_summary(r, versions[r.id], owners.get(r.owner_id, "")) for r in rows]


def detail(session: Session, row: PathwayRow) -> PathwayDetail:
    """The full view of a pathway: current version, versions list, progress."""
    version = pathway_repo.get_version(session=session, pathway_id=row.id, version=row.current_version)
    versions = [v.version for v in pathway_repo.list_versions(session=session, pathway_id=row.id)]
    progress = [
        progress_out(e) for e in progress_repo.progress_of(session=session, pathway_id=row.id).values()
    ]
    return PathwayDetail(
        **summary(session, row, version).model_dump(),
        pathway=Pathway.model_validate(version.data),
        issues=list(version.issues or []),
        diff=PathwayDiff.model_validate(version.diff) if version.diff else None,
        versions=versions,
        progress=progress,
        note=version.note or "",
        note_author=_usernames(session, {version.author_id}).get(version.author_id)
        if version.author_id
        else None,
    )


def version_out(session: Session, v: PathwayVersion) -> VersionOut:
    """An API view of a stored version."""
    author = session.get(User, v.author_id) if v.author_id else None
    return VersionOut(
        version=v.version,
        author=author.username if author else None,
        created_at=v.created_at,
        note=v.note,
        issues=list(v.issues or []),
        diff=PathwayDiff.model_validate(v.diff) if v.diff else None,
        pathway=Pathway.model_validate(v.data),
    )


def progress_out(e: ProgressEvent) -> StepProgress:
    """An API view of a progress event."""
    return StepProgress.model_validate(
        {
            "step_id": e.step_id,
            "state": e.state,
            "evidence_url": e.evidence_url,
            "badge_name": e.badge_name,
            "at": e.created_at,
        }
    )


def thread(session: Session, comments: list[Comment]) -> list[CommentOut]:
    """Comments nested under their parents, oldest first."""
    authors = {
        u.id: u.username for u in session.query(User).filter(User.id.in_({c.author_id for c in comments}))
    }
    nodes = {
        c.id: CommentOut(
            id=c.id,
            parent_id=c.parent_id,
            review_id=c.review_id,
            author=authors.get(c.author_id) if c.author_id else None,
            version=c.version,
            body=c.body,
            created_at=c.created_at,
        )
        for c in comments
    }
    roots: list[CommentOut] = []
    for c in comments:
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.replies if parent else roots).append(nodes[c.id])
    return roots


def _review(review: Review, row: PathwayRow, version: PathwayVersion, learner: str) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        pathway_id=row.id,
        version=review.version,
        status=review.status,  # type: ignore[arg-type]
        learner_id=row.owner_id,
        learner=learner,
        title=row.title,
        total_cost=float(version.data.get("total_cost") or 0),
        weeks=int(version.data.get("weeks") or 0),
        issues=list(version.issues or []),
        reviewer_id=review.reviewer_id,
        created_at=review.created_at,
        decided_at=review.decided_at,
    )


def review_out(session: Session, review: Review, row: PathwayRow | None = None) -> ReviewOut:
    """An API view of a review with its pathway's headline figures."""
    row = row or session.get(PathwayRow, review.pathway_id)
    if row is None:  # reviews cascade with their pathway: a review without one is a broken database
        raise LookupError(f"review {review.id} has no pathway")
    version = pathway_repo.get_version(session=session, pathway_id=row.id, version=row.current_version)
    learner = session.get(User, row.owner_id)
    return _review(review, row, version, learner.username if learner else "")


def review_list(session: Session, rows: Sequence[tuple[Review, PathwayRow]]) -> list[ReviewOut]:
    """The queue view of many reviews: two queries whatever their number."""
    versions = _current_versions(session, [row for _, row in rows])
    learners = _usernames(session, {row.owner_id for _, row in rows})
    return [_review(r, row, versions[row.id], learners.get(row.owner_id, "")) for r, row in rows]
