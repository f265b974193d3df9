"""GET /reviews and POST /reviews/{id}/decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from coach.api.deps import CurrentUser, DbDep, PageDep, StaffUser
from coach.api.schemas import MAX_ROW_ID, DecisionIn, DecisionOut, ReviewOut, ReviewState
from coach.api.views import review_list, review_out, thread
from coach.store import pathway_repo
from coach.store.tables import PathwayRow

router = APIRouter(prefix="/reviews", tags=["reviews"])


@router.get("", response_model=list[ReviewOut], summary="The review queue")
def queue(
    user: StaffUser,
    db: DbDep,
    pg: PageDep,
    status: Annotated[ReviewState | None, Query()] = None,
) -> list[ReviewOut]:
    """Reviews of the coach's learners (admins: all), oldest first; `?status=pending` for the queue."""
    with db.read() as session:
        rows = pathway_repo.list_reviews(
            session=session, viewer=user, status=status, limit=pg.limit, offset=pg.offset
        )
        return review_list(session, rows)


@router.get(
    "/{review_id}",
    response_model=ReviewOut,
    summary="One review",
    responses={404: {"description": "No such review, or not yours to see"}},
)
def one(review_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], user: CurrentUser, db: DbDep) -> ReviewOut:
    """A review the caller may see (its learner, their coach, an admin)."""
    with db.read() as session:
        review, row = pathway_repo.get_review(session=session, viewer=user, review_id=review_id)
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
    review_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], body: DecisionIn, user: StaffUser, db: DbDep
) -> DecisionOut:
    """The learner's coach (or an admin) decides; the comment joins the pathway's thread."""

    with db.write() as session:
        review, comment = pathway_repo.decide_review(
            session=session, actor=user, review_id=review_id, decision=body.decision, comment=body.comment
        )
        row = session.get(PathwayRow, review.pathway_id)
        assert row is not None
        return DecisionOut(
            review=review_out(session, review, row),
            pathway_status=row.status,  # type: ignore[arg-type]
            comment=thread(session, [comment])[0] if comment else None,
        )
