"""Data access: keyword-only functions over a Session. Access rules live here so every face shares them:
learners see their own records, coaches the learners assigned to them, admins everything."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coach.auth import hash_password, verify_password
from coach.errors import BadInput, CoachError, Conflict, Forbidden, NotFound
from coach.models import Pathway, Profile
from coach.store.tables import (
    ROLES,
    AuditEntry,
    CoachAssignment,
    Comment,
    Conversation,
    Message,
    Outcome,
    PathwayRow,
    PathwayVersion,
    ProfileRow,
    ProgressEvent,
    RateEvent,
    Review,
    User,
    utcnow,
)

DECISIONS = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}
SUBMITTABLE = ("draft", "changes_requested")
COACH_EDITABLE = ("pending", "changes_requested")
LEARNER_EDITABLE = ("draft", "changes_requested")


class RateLimited(CoachError):
    """Too many requests of one kind in the window; `retry_after` seconds until the next is allowed."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# ---- audit ----------------------------------------------------------------------------------------------------


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


# ---- users and assignments -------------------------------------------------------------------------------------


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
    if role is not None:
        if role not in ROLES:
            raise BadInput(f"role must be one of {', '.join(ROLES)}")
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


# ---- profiles --------------------------------------------------------------------------------------------------


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


# ---- pathways, versions, reviews -------------------------------------------------------------------------------


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
    row = get_pathway(session=session, viewer=viewer, pathway_id=review.pathway_id)
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
        },
    )
    session.flush()
    return version


# ---- comments --------------------------------------------------------------------------------------------------


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


# ---- progress and outcomes -------------------------------------------------------------------------------------


def record_progress(
    *,
    session: Session,
    actor: User,
    pathway_id: int,
    step_id: str,
    state: str,
    evidence_url: str | None = None,
    badge_name: str | None = None,
    badge_data: str | None = None,
) -> ProgressEvent:
    """The owner marks a step started or completed, with optional evidence."""
    row = get_pathway(session=session, viewer=actor, pathway_id=pathway_id)
    if row.owner_id != actor.id:
        raise Forbidden("only the learner can record progress on their pathway")
    current = get_version(session=session, pathway_id=row.id, version=row.current_version)
    if step_id not in {s["id"] for s in current.data.get("steps", [])}:
        raise NotFound(f"no step {step_id!r} in pathway {pathway_id}")
    event = ProgressEvent(
        pathway_id=row.id,
        user_id=actor.id,
        step_id=step_id,
        state=state,
        evidence_url=evidence_url,
        badge_name=badge_name,
        badge_data=badge_data,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action=f"step_{state}",
        entity="pathway",
        entity_id=row.id,
        detail={"step_id": step_id, "evidence": bool(evidence_url or badge_data)},
    )
    return event


def progress_of(*, session: Session, pathway_id: int) -> dict[str, ProgressEvent]:
    """The latest progress event per step."""
    stmt = select(ProgressEvent).where(ProgressEvent.pathway_id == pathway_id).order_by(ProgressEvent.id)
    latest: dict[str, ProgressEvent] = {}
    for event in session.scalars(stmt):
        latest[event.step_id] = event
    return latest


def add_outcome(
    *,
    session: Session,
    actor: User,
    learner_id: int,
    kind: str,
    role: str,
    date: str,
    organization: str = "",
    note: str = "",
) -> Outcome:
    """A coach (or admin) records an interview, offer or placement for one of their learners."""
    if actor.role not in ("coach", "admin"):
        raise Forbidden("only coaches and admins record outcomes")
    learner = require_learner_access(session=session, viewer=actor, learner_id=learner_id)
    if learner.role != "learner":
        raise BadInput(f"user {learner_id} is not a learner")
    outcome = Outcome(
        learner_id=learner_id,
        recorded_by=actor.id,
        kind=kind,
        role=role,
        date=date,
        organization=organization,
        note=note,
        created_at=utcnow(),
    )
    session.add(outcome)
    session.flush()
    audit(
        session=session,
        actor=actor,
        action="outcome",
        entity="user",
        entity_id=learner_id,
        to_state=kind,
        detail={"outcome_id": outcome.id, "role": role, "date": date},
    )
    return outcome


def list_outcomes(*, session: Session, learner_ids: list[int]) -> list[Outcome]:
    """Outcomes of these learners, oldest first."""
    if not learner_ids:
        return []
    stmt = select(Outcome).where(Outcome.learner_id.in_(learner_ids)).order_by(Outcome.id)
    return list(session.scalars(stmt))


def cohort(*, session: Session, coach: User, limit: int, offset: int) -> list[dict[str, Any]]:
    """One summary per learner of a coach (admins: every learner): pathways, progress, outcomes."""
    if coach.role == "admin":
        ids = list(session.scalars(select(User.id).where(User.role == "learner").order_by(User.id)))
    elif coach.role == "coach":
        ids = learner_ids_of(session=session, coach_id=coach.id)
    else:
        raise Forbidden("the cohort view is for coaches and admins")
    ids = ids[offset : offset + limit]
    if not ids:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    pathways: dict[int, list[PathwayRow]] = defaultdict(list)
    for p in session.scalars(select(PathwayRow).where(PathwayRow.owner_id.in_(ids)).order_by(PathwayRow.id)):
        pathways[p.owner_id].append(p)
    pids = [p.id for ps in pathways.values() for p in ps]
    steps_total: dict[int, int] = {}
    if pids:
        current = (
            select(PathwayVersion)
            .join(
                PathwayRow,
                (PathwayRow.id == PathwayVersion.pathway_id)
                & (PathwayRow.current_version == PathwayVersion.version),
            )
            .where(PathwayRow.id.in_(pids))
        )
        steps_total = {v.pathway_id: len(v.data.get("steps", [])) for v in session.scalars(current)}
    done: dict[int, set[str]] = defaultdict(set)
    started: dict[int, set[str]] = defaultdict(set)
    if pids:
        latest: dict[tuple[int, str], str] = {}
        for e in session.scalars(
            select(ProgressEvent).where(ProgressEvent.pathway_id.in_(pids)).order_by(ProgressEvent.id)
        ):
            latest[(e.pathway_id, e.step_id)] = e.state
        for (pid, step), state in latest.items():
            (done if state == "completed" else started)[pid].add(step)
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for o in list_outcomes(session=session, learner_ids=ids):
        outcomes[o.learner_id].append(o)
    out = []
    for uid in ids:
        user = users[uid]
        ps = pathways.get(uid, [])
        latest_p = ps[-1] if ps else None
        total = steps_total.get(latest_p.id, 0) if latest_p else 0
        completed = len(done.get(latest_p.id, set())) if latest_p else 0
        out.append(
            {
                "learner_id": uid,
                "username": user.username,
                "display_name": user.display_name,
                "pathways": len(ps),
                "latest_pathway_id": latest_p.id if latest_p else None,
                "latest_status": latest_p.status if latest_p else None,
                "steps_total": total,
                "steps_started": len(started.get(latest_p.id, set())) if latest_p else 0,
                "steps_completed": completed,
                "progress": round(completed / total, 4) if total else 0.0,
                "outcomes": [{"kind": o.kind, "role": o.role, "date": o.date} for o in outcomes.get(uid, [])],
            }
        )
    return out


# ---- conversations ---------------------------------------------------------------------------------------------


def get_or_create_conversation(
    *, session: Session, user: User, conversation_id: str | None, title: str = ""
) -> Conversation:
    """The user's conversation `conversation_id`, or a new one; NotFound for someone else's."""
    if conversation_id:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.user_id != user.id:
            raise NotFound(f"no conversation {conversation_id}")
        return conv
    now = utcnow()
    conv = Conversation(
        id=uuid.uuid4().hex, user_id=user.id, title=title[:200], created_at=now, updated_at=now
    )
    session.add(conv)
    session.flush()
    return conv


def add_message(
    *, session: Session, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None
) -> Message:
    """Append a message to a conversation."""
    msg = Message(
        conversation_id=conversation_id, role=role, content=content, meta=meta or {}, created_at=utcnow()
    )
    session.add(msg)
    conv = session.get(Conversation, conversation_id)
    if conv is not None:
        conv.updated_at = utcnow()
    session.flush()
    return msg


def list_conversations(
    *, session: Session, viewer: User, user_id: int, limit: int, offset: int
) -> list[Conversation]:
    """A user's conversations, newest first (the user, their coach or an admin)."""
    require_learner_access(session=session, viewer=viewer, learner_id=user_id)
    stmt = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(Conversation.updated_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def list_messages(
    *, session: Session, viewer: User, conversation_id: str, limit: int, offset: int
) -> list[Message]:
    """Messages of a conversation `viewer` may see, oldest first."""
    conv = session.get(Conversation, conversation_id)
    if conv is None or not can_see_learner(session=session, viewer=viewer, learner_id=conv.user_id):
        raise NotFound(f"no conversation {conversation_id}")
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


# ---- rate limits -----------------------------------------------------------------------------------------------


def take_rate_token(
    *, session: Session, user: User, bucket: str, limit: int, window_s: float = 60.0, now: float | None = None
) -> None:
    """Count one use of `bucket` for `user`; RateLimited when `limit` uses already fell in the window.

    Stored in the database (not a worker's memory) so every API worker enforces the same limit; the user's row
    is locked so concurrent requests of one user are counted one after another."""
    now = time.time() if now is None else now
    session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    since = now - window_s
    session.execute(
        delete(RateEvent).where(
            RateEvent.user_id == user.id, RateEvent.bucket == bucket, RateEvent.at < since
        )
    )
    count, oldest = session.execute(
        select(func.count(RateEvent.id), func.min(RateEvent.at)).where(
            RateEvent.user_id == user.id, RateEvent.bucket == bucket, RateEvent.at >= since
        )
    ).one()
    if count >= limit:
        retry = max(1, int((oldest or now) + window_s - now) + 1)
        raise RateLimited(f"too many {bucket} requests; try again in {retry} s", retry_after=retry)
    session.add(RateEvent(user_id=user.id, bucket=bucket, at=now))


def consistency_problems(*, session: Session) -> list[str]:
    """Invariants a crash must never break: every pathway has versions 1..current, each review a pathway."""
    problems: list[str] = []
    counts = dict(
        session.execute(
            select(PathwayVersion.pathway_id, func.count()).group_by(PathwayVersion.pathway_id)
        ).all()
    )
    maxes = dict(
        session.execute(
            select(PathwayVersion.pathway_id, func.max(PathwayVersion.version)).group_by(
                PathwayVersion.pathway_id
            )
        ).all()
    )
    for p in session.scalars(select(PathwayRow)):
        if counts.get(p.id, 0) != p.current_version or maxes.get(p.id) != p.current_version:
            problems.append(
                f"pathway {p.id}: current version {p.current_version}, {counts.get(p.id, 0)} versions stored"
            )
        created = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity == "pathway",
                AuditEntry.entity_id == str(p.id),
                AuditEntry.action == "create",
            )
        )
        if created != 1:
            problems.append(f"pathway {p.id}: {created} creation entries in the audit log")
    orphans = session.scalar(
        select(func.count())
        .select_from(PathwayVersion)
        .where(~PathwayVersion.pathway_id.in_(select(PathwayRow.id)))
    )
    if orphans:
        problems.append(f"{orphans} versions without a pathway")
    pending = session.scalar(
        select(func.count())
        .select_from(PathwayRow)
        .where(
            PathwayRow.status == "pending",
            ~PathwayRow.id.in_(select(Review.pathway_id).where(Review.status == "pending")),
        )
    )
    if pending:
        problems.append(f"{pending} pending pathways without a pending review")
    return problems
