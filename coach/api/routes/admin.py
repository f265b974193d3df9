"""Admin: users, roles, coach assignments and the catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from coach.api.deps import AdminUser, ContextDep, DbDep, PageDep, ServicesDep
from coach.api.schemas import (
    MAX_ROW_ID,
    AssignmentIn,
    AssignmentOut,
    Role,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from coach.store import user_repo

router = APIRouter(prefix="/admin", tags=["admin"], responses={403: {"description": "Not an admin"}})
Id = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


@router.get("/users", response_model=list[UserPublic], summary="List users")
def users(
    user: AdminUser, db: DbDep, pg: PageDep, role: Annotated[Role | None, Query()] = None
) -> list[UserPublic]:
    """All users, optionally of one role."""
    with db.read() as session:
        return [
            UserPublic.model_validate(u)
            for u in user_repo.list_users(session=session, limit=pg.limit, offset=pg.offset, role=role)
        ]


@router.post(
    "/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED, summary="Create a user"
)
def create_user(body: UserCreate, user: AdminUser, db: DbDep) -> UserPublic:
    """Create a learner, coach or admin."""
    with db.write() as session:
        return UserPublic.model_validate(
            user_repo.create_user(
                session=session,
                username=body.username,
                password=body.password,
                role=body.role,
                display_name=body.display_name,
                actor=user,
            )
        )


@router.patch("/users/{user_id}", response_model=UserPublic, summary="Change role or deactivate")
def update_user(user_id: Id, body: UserUpdate, user: AdminUser, db: DbDep) -> UserPublic:
    """Change a user's role or active flag (users are deactivated, never deleted: the audit keeps them)."""
    with db.write() as session:
        return UserPublic.model_validate(
            user_repo.update_user(
                session=session, actor=user, user_id=user_id, role=body.role, active=body.active
            )
        )


@router.get("/assignments", response_model=list[AssignmentOut], summary="List assignments")
def assignments(user: AdminUser, db: DbDep, pg: PageDep) -> list[AssignmentOut]:
    """All coach-learner assignments."""
    with db.read() as session:
        return [
            AssignmentOut.model_validate(a)
            for a in user_repo.list_assignments(session=session, limit=pg.limit, offset=pg.offset)
        ]


@router.post(
    "/assignments",
    response_model=AssignmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Assign a learner to a coach",
)
def assign(body: AssignmentIn, user: AdminUser, db: DbDep) -> AssignmentOut:
    """A coach then sees the learner's profile, pathways and reviews."""
    with db.write() as session:
        return AssignmentOut.model_validate(
            user_repo.assign_coach(
                session=session, actor=user, coach_id=body.coach_id, learner_id=body.learner_id
            )
        )


@router.delete(
    "/assignments/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove an assignment"
)
def unassign(assignment_id: Id, user: AdminUser, db: DbDep) -> None:
    """The coach no longer sees the learner."""
    with db.write() as session:
        user_repo.unassign_coach(session=session, actor=user, assignment_id=assignment_id)


@router.post("/catalog/reload", status_code=status.HTTP_204_NO_CONTENT, summary="Reload the catalogue")
def reload_catalog(user: AdminUser, services: ServicesDep, ctx: ContextDep, request: Request) -> None:
    """Load the rebuilt knowledge base in this worker; its next request plans from the new catalogue."""
    # Loaded first, swapped after: requests meanwhile keep the old context, and a failed load keeps it.
    request.app.state.context = services.reload_catalog(ctx)
