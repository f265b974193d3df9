"""GET /reviews and POST /reviews/{id}/decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from coach.api.deps import CurrentUser, DbDep, PageDep, StaffUser
from coach.api.schemas import DecisionIn, DecisionOut, ReviewOut, ReviewState
from coach.store import repo
from coach.store.tables import PathwayRow, Review, User

router = APIRouter(prefix="/reviews", tags=["reviews"])


def review_out(session: Session, review: Review, row: PathwayRow | None = None) -> ReviewOut:
    """An API view of a review with its pathway's headline figures."""
    row = row or session.get(PathwayRow, review.pathway_id)
    assert row is not None
    version = repo.get_version(session=session, pathway_id=row.id, version=row.current_version)
    learner = session.get(User, row.owner_id)
    return ReviewOut(
        id=review.id,
        pathway_id=row.id,
        version=review.version,
        status=review.status,  # type: ignore[arg-type]
        learner_id=row.owner_id,
        learner=learner.username if learner else "",
        title=row.title,
        total_cost=float(version.data.get("total_cost") or 0),
        weeks=int(version.data.get("weeks") or 0),
        issues=list(version.issues or []),
        reviewer_id=review.reviewer_id,
        created_at=review.created_at,
        decided_at=review.decided_at,
    )


@router.get("", response_model=list[ReviewOut], summary="The review queue")
def queue(
    user: StaffUser,
    db: DbDep,
    pg: PageDep,
    status: Annotated[ReviewState | None, Query()] = None,
) -> list[ReviewOut]:
    """Reviews of the coach's learners (admins: all), oldest first; `?status=pending` for the queue."""
    with db.read() as session:
        rows = repo.list_reviews(
            session=session, viewer=user, status=status, limit=pg.limit, offset=pg.offset
        )
        return [review_out(session, r, p) for r, p in rows]


@router.get(
    "/{review_id}",
    response_model=ReviewOut,
    summary="One review",
    responses={404: {"description": "No such review, or not yours to see"}},
)
def one(review_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: CurrentUser, db: DbDep) -> ReviewOut:
    """A review the caller may see (its learner, their coach, an admin)."""
    with db.read() as session:
        review, row = repo.get_review(session=session, viewer=user, review_id=review_id)
        return review_out(session, review, row)


@router.post(
    "/{review_id}/decision",
    response_model=DecisionOut,
    summary="Approve, request changes or reject",
    responses={
        403: {"description": "Not a coach"},
        404: {"description": "Not your learner's"},
        409: {"description": "Not pending"},
    },
)
def decide(
    review_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: DecisionIn, user: StaffUser, db: DbDep
) -> DecisionOut:
    """The learner's coach (or an admin) decides; the comment joins the pathway's thread."""
    from coach.api.routes.pathways import thread

    with db.write() as session:
        review, comment = repo.decide_review(
            session=session, actor=user, review_id=review_id, decision=body.decision, comment=body.comment
        )
        row = session.get(PathwayRow, review.pathway_id)
        assert row is not None
        return DecisionOut(
            review=review_out(session, review, row),
            pathway_status=row.status,  # type: ignore[arg-type]
            comment=thread(session, [comment])[0] if comment else None,
        )
