"""GET /cohort, learners' profiles and outcomes, conversations lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from coach.api.deps import CurrentUser, DbDep, PageDep, StaffUser
from coach.api.schemas import MAX_ROW_ID, CohortEntry, ConversationOut, MessageOut, OutcomeIn, OutcomeOut
from coach.errors import NotFound
from coach.models import Profile
from coach.store import conversation_repo, profile_repo, progress_repo, user_repo

router = APIRouter(tags=["coaching"])
UserId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
HIDDEN: dict[int | str, dict[str, Any]] = {404: {"description": "No such learner, or not yours to see"}}


@router.get("/cohort", response_model=list[CohortEntry], summary="My cohort")
def cohort(user: StaffUser, db: DbDep, pg: PageDep) -> list[CohortEntry]:
    """Each assigned learner: pathways, latest status, progress on the latest pathway, outcomes."""
    with db.read() as session:
        return [
            CohortEntry.model_validate(e)
            for e in progress_repo.cohort(session=session, coach=user, limit=pg.limit, offset=pg.offset)
        ]


@router.get(
    "/learners/{user_id}/profile", response_model=Profile, summary="A learner's profile", responses=HIDDEN
)
def learner_profile(user_id: UserId, user: CurrentUser, db: DbDep) -> Profile:
    """The learner themself, their coach, or an admin."""
    with db.read() as session:
        user_repo.require_learner_access(session=session, viewer=user, learner_id=user_id)
        profile = profile_repo.get_profile(session=session, user_id=user_id)
    if profile is None:
        raise NotFound(f"learner {user_id} has no profile yet")
    return profile


@router.post(
    "/learners/{user_id}/outcomes",
    response_model=OutcomeOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record an outcome",
    responses={**HIDDEN, 403: {"description": "Not a coach"}},
)
def add_outcome(user_id: UserId, body: OutcomeIn, user: StaffUser, db: DbDep) -> OutcomeOut:
    """A coach records an interview, offer or placement (role and date) for one of their learners."""
    with db.write() as session:
        o = progress_repo.add_outcome(
            session=session,
            actor=user,
            learner_id=user_id,
            kind=body.kind,
            role=body.role,
            date=body.date,
            organization=body.organization,
            note=body.note,
        )
        return OutcomeOut.model_validate(o)


@router.get(
    "/learners/{user_id}/outcomes",
    response_model=list[OutcomeOut],
    summary="A learner's outcomes",
    responses=HIDDEN,
)
def outcomes(user_id: UserId, user: CurrentUser, db: DbDep) -> list[OutcomeOut]:
    """Outcomes of a learner the caller may see."""
    with db.read() as session:
        user_repo.require_learner_access(session=session, viewer=user, learner_id=user_id)
        return [
            OutcomeOut.model_validate(o)
            for o in progress_repo.list_outcomes(session=session, learner_ids=[user_id])
        ]


@router.get(
    "/learners/{user_id}/conversations",
    response_model=list[ConversationOut],
    summary="A learner's conversations",
    responses=HIDDEN,
)
def conversations(user_id: UserId, user: CurrentUser, db: DbDep, pg: PageDep) -> list[ConversationOut]:
    """Chat threads of a learner the caller may see, newest first."""
    with db.read() as session:
        rows = conversation_repo.list_conversations(
            session=session, viewer=user, user_id=user_id, limit=pg.limit, offset=pg.offset
        )
        return [ConversationOut.model_validate(c) for c in rows]


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=list[MessageOut],
    summary="Messages of a conversation",
    responses={404: {"description": "Not yours to see"}},
)
def messages(
    conversation_id: Annotated[str, Path(max_length=64)], user: CurrentUser, db: DbDep, pg: PageDep
) -> list[MessageOut]:
    """Messages oldest first."""
    with db.read() as session:
        rows = conversation_repo.list_messages(
            session=session, viewer=user, conversation_id=conversation_id, limit=pg.limit, offset=pg.offset
        )
        return [MessageOut.model_validate(m) for m in rows]
