"""GET/PUT /me/profile and GET /me."""

from __future__ import annotations

from fastapi import APIRouter

from coach.api.deps import CurrentUser, DbDep
from coach.api.schemas import UserPublic
from coach.errors import NotFound
from coach.models import Profile
from coach.store import profile_repo

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserPublic, summary="Who am I")
def me(user: CurrentUser) -> UserPublic:
    """The signed-in user."""
    return UserPublic.model_validate(user)


@router.get(
    "/profile", response_model=Profile, summary="My profile", responses={404: {"description": "None yet"}}
)
def get_profile(user: CurrentUser, db: DbDep) -> Profile:
    """The signed-in user's profile; 404 until one is saved."""
    with db.read() as session:
        profile = profile_repo.get_profile(session=session, user_id=user.id)
    if profile is None:
        raise NotFound("no profile yet: PUT /me/profile first")
    return profile


@router.put("/profile", response_model=Profile, summary="Save my profile")
def put_profile(body: Profile, user: CurrentUser, db: DbDep) -> Profile:
    """Create or replace the signed-in user's profile (the shared profile JSON format)."""
    with db.write() as session:
        return profile_repo.put_profile(session=session, user=user, profile=body)
