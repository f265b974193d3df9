"""Learner profiles: one current profile per learner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from coach.models import Profile
from coach.store.audit_repo import audit
from coach.store.tables import (
    ProfileRow,
    User,
    utcnow,
)


def get_profile(*, session: Session, user_id: int) -> Profile | None:
    """The stored profile, or None."""
    row = session.get(ProfileRow, user_id)
    return Profile.model_validate(row.data) if row else None


def put_profile(*, session: Session, user: User, profile: Profile) -> Profile:
    """Create or replace a user's profile (the audit notes the change, never the content)."""
    row = session.get(ProfileRow, user.id)
    data = profile.model_dump(mode="json")
    if row is None:
        session.add(ProfileRow(user_id=user.id, data=data, updated_at=utcnow()))
    else:
        row.data = data
        row.updated_at = utcnow()
    audit(session=session, actor=user, action="profile_update", entity="profile", entity_id=user.id)
    return profile
