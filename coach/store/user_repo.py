"""Users and coach assignments: accounts, guest learners, sign-in, and who may see which learner.

Access rules live here so every face shares them: learners see their own records, coaches the learners
assigned to them, admins everything."""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coach.auth import hash_password, password_problem, verify_password
from coach.errors import BadInput, Conflict, NotFound
from coach.store.audit_repo import audit
from coach.store.tables import (
    ROLES,
    CoachAssignment,
    User,
    utcnow,
)


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str = "learner",
    display_name: str = "",
    actor: User | None = None,
) -> User:
    """A new user with an argon2 password hash; Conflict when the username is taken."""
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}")
    username = username.strip().lower()
    problem = password_problem(password, username)
    if problem:
        raise BadInput(problem)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict(f"username {username!r} is taken") from exc
    audit(
        session=session,
        actor=actor or user,
        action="register",
        entity="user",
        entity_id=user.id,
        to_state=role,
    )
    return user


# Registration allows only [A-Za-z0-9_.@-] in usernames, so this prefix can never name a real account.
GUEST_PREFIX = "guest:"
# Not an argon2 hash: verification fails for every password, so a guest can never sign in.
NO_PASSWORD = "!guest"


def guest_username(key: str) -> str:
    """The username of the guest learner behind a conversation without an account (`coach chat`, demos)."""
    return GUEST_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def guest_learner(*, session: Session, key: str) -> User:
    """The learner standing for a conversation without an account, made on first use; it cannot sign in.

    Their pathways live in the same tables as everyone's (one pathway store), so a coach can review them."""
    username = guest_username(key)
    user = session.scalar(select(User).where(User.username == username))
    if user is not None:
        return user
    user = User(
        username=username,
        password_hash=NO_PASSWORD,
        role="learner",
        display_name=f"Guest ({key[:150]})",
        active=True,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():  # a concurrent first save for the same conversation may win the race
            session.add(user)
    except IntegrityError:
        return session.scalar(select(User).where(User.username == username))  # type: ignore[return-value]
    audit(session=session, actor=user, action="guest", entity="user", entity_id=user.id, to_state="learner")
    return user


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_password(password, user.password_hash if user else None)
    return user if ok and user is not None and user.active else None


def get_user(*, session: Session, user_id: int) -> User:
    """A user by id; NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def list_users(*, session: Session, limit: int, offset: int, role: str | None = None) -> list[User]:
    """Users by id, optionally of one role."""
    stmt = select(User).order_by(User.id).limit(limit).offset(offset)
    if role:
        stmt = stmt.where(User.role == role)
    return list(session.scalars(stmt))


def update_user(
    *, session: Session, actor: User, user_id: int, role: str | None = None, active: bool | None = None
) -> User:
    """Change a user's role or active flag (admins)."""
    user = get_user(session=session, user_id=user_id)
    before = f"{user.role}{'' if user.active else ':inactive'}"
    if role is not None and role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}")
    stays_admin = (role or user.role) == "admin" and (user.active if active is None else active)
    if user.role == "admin" and user.active and not stays_admin:
        # Locked, so two admins demoting each other at once cannot both pass the count.
        admins = session.scalars(
            select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
        ).all()
        if len(admins) <= 1:
            raise Conflict("this is the last active admin: make another admin first")
    if role is not None and role != user.role:
        # Assignments belong to the old role: a coach made learner keeps no learners, a learner made coach no coach.
        side = CoachAssignment.coach_id if user.role in ("coach", "admin") and role == "learner" else None
        if user.role == "learner" and role in ("coach", "admin"):
            side = CoachAssignment.learner_id
        if side is not None:
            session.execute(delete(CoachAssignment).where(side == user.id))
        user.role = role
    if active is not None:
        user.active = active
    after = f"{user.role}{'' if user.active else ':inactive'}"
    audit(
        session=session,
        actor=actor,
        action="update_user",
        entity="user",
        entity_id=user.id,
        from_state=before,
        to_state=after,
    )
    return user


def assign_coach(*, session: Session, actor: User, coach_id: int, learner_id: int) -> CoachAssignment:
    """Assign a learner to a coach (admins); Conflict if already assigned."""
    coach = get_user(session=session, user_id=coach_id)
    learner = get_user(session=session, user_id=learner_id)
    if coach.role not in ("coach", "admin"):
        raise BadInput(f"user {coach_id} is not a coach")
    if learner.role != "learner":
        raise BadInput(f"user {learner_id} is not a learner")
    exists = session.scalar(
        select(CoachAssignment).where(
            CoachAssignment.coach_id == coach_id, CoachAssignment.learner_id == learner_id
        )
    )
    if exists is not None:
        raise Conflict("that learner is already assigned to that coach")
    row = CoachAssignment(coach_id=coach_id, learner_id=learner_id, created_at=utcnow())
    session.add(row)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="assign",
        entity="assignment",
        entity_id=row.id,
        detail={"coach_id": coach_id, "learner_id": learner_id},
    )
    return row


def unassign_coach(*, session: Session, actor: User, assignment_id: int) -> None:
    """Remove an assignment (admins)."""
    row = session.get(CoachAssignment, assignment_id)
    if row is None:
        raise NotFound(f"no assignment {assignment_id}")
    detail = {"coach_id": row.coach_id, "learner_id": row.learner_id}
    session.delete(row)
    audit(
        session=session,
        actor=actor,
        action="unassign",
        entity="assignment",
        entity_id=assignment_id,
        detail=detail,
    )


def list_assignments(*, session: Session, limit: int, offset: int) -> list[CoachAssignment]:
    """All assignments (admins)."""
    stmt = select(CoachAssignment).order_by(CoachAssignment.id).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def learner_ids_of(*, session: Session, coach_id: int) -> list[int]:
    """The learners assigned to a coach."""
    stmt = select(CoachAssignment.learner_id).where(CoachAssignment.coach_id == coach_id)
    return sorted(session.scalars(stmt))


def can_see_learner(*, session: Session, viewer: User, learner_id: int) -> bool:
    """Whether `viewer` may see this learner's records."""
    if viewer.role == "admin" or viewer.id == learner_id:
        return True
    if viewer.role == "coach":
        return learner_id in learner_ids_of(session=session, coach_id=viewer.id)
    return False


def require_learner_access(*, session: Session, viewer: User, learner_id: int) -> User:
    """The learner, if `viewer` may see them; NotFound otherwise (existence is not revealed)."""
    learner = session.get(User, learner_id)
    if learner is None or not can_see_learner(session=session, viewer=viewer, learner_id=learner_id):
        raise NotFound(f"no learner {learner_id}")
    return learner
