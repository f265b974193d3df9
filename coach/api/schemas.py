"""Request and response bodies of the API (pydantic). Nothing private (hashes, badge files) is in a response."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field

from coach.models import MAX_MESSAGE_CHARS, Model, Pathway, PostingAnalysis, Profile
from coach.store.workflow import PathwayDiff, StepEdit

Role = Literal["learner", "coach", "admin"]
PathwayState = Literal["draft", "pending", "changes_requested", "approved", "rejected"]
ReviewState = Literal["pending", "approved", "changes_requested", "rejected"]
# A database row id: positive and within a 32-bit integer column (PostgreSQL refuses larger ones with an error).
MAX_ROW_ID = 2**31 - 1
Username = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")


def _with_offset(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes although every stamp is written in UTC: say so, so every answer carries
    # its offset ("...+00:00") whatever the database.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


Stamp = Annotated[datetime, AfterValidator(_with_offset)]
"""A timestamp that always carries its UTC offset."""


class ORM(Model):
    """Base for responses built from database rows."""

    model_config = ConfigDict(from_attributes=True)


# ---- auth and users --------------------------------------------------------------------------------------------


class RegisterIn(Model):
    """A new learner account."""

    username: str = Username
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(default="", max_length=200)


class LoginIn(Model):
    """Credentials for a token (JSON form of POST /auth/token)."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class UserPublic(ORM):
    """A user as others may see them."""

    id: int
    username: str
    role: Role
    display_name: str
    active: bool
    created_at: Stamp


class TokenOut(Model):
    """A bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
    user: UserPublic


class UserCreate(RegisterIn):
    """An account created by an admin, with any role."""

    role: Role = "learner"


class UserUpdate(Model):
    """Change a user's role or deactivate them."""

    role: Role | None = None
    active: bool | None = None


class AssignmentIn(Model):
    """Assign a learner to a coach."""

    coach_id: int = Field(ge=1, le=MAX_ROW_ID)
    learner_id: int = Field(ge=1, le=MAX_ROW_ID)


class AssignmentOut(ORM):
    """A coach-learner assignment."""

    id: int
    coach_id: int
    learner_id: int
    created_at: Stamp


# ---- postings and planning -------------------------------------------------------------------------------------


class PostingIn(Model):
    """A job posting to analyse (its length is capped by settings.max_posting_chars)."""

    text: str = Field(min_length=1, description="The posting text. Never logged.")
    use_profile: bool = Field(default=True, description="Match against the caller's stored profile.")


class PlanIn(Model):
    """What to plan for: a role or a posting, within limits (defaults come from the profile)."""

    role: str | None = Field(default=None, max_length=300, description="Occupation id or title.")
    posting: PostingAnalysis | None = Field(default=None, description="An analysed posting to plan for.")
    profile: Profile | None = Field(
        default=None, description="Plan for this profile instead of the stored one."
    )
    budget: float | None = Field(default=None, ge=0, le=1_000_000)
    hours_per_week: float | None = Field(default=None, ge=0.5, le=100)
    weeks: int | None = Field(default=None, gt=0, le=520)
    alternatives: int = Field(default=0, ge=0, le=3)


class PathwayCreate(Model):
    """Save a pathway (usually one returned by POST /pathways/plan)."""

    pathway: Pathway
    title: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class VersionCreate(Model):
    """A new version: either edits applied to the current version, or a whole replacement pathway."""

    edits: list[StepEdit] = Field(default_factory=list, max_length=50)
    pathway: Pathway | None = Field(default=None, description="Replace the steps wholesale instead of edits.")
    note: str = Field(default="", max_length=2000)
    expected_version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ROW_ID,
        description="Refuse (409) if the pathway moved past this version meanwhile.",
    )
    allow_issues: bool = Field(default=False, description="Keep the version even if validation finds issues.")


class VersionOut(Model):
    """An immutable pathway version."""

    version: int
    author: str | None
    created_at: Stamp
    note: str
    issues: list[str]
    diff: PathwayDiff | None
    pathway: Pathway


class PathwaySummary(Model):
    """A saved pathway in lists."""

    id: int
    owner_id: int
    owner: str
    title: str
    status: PathwayState
    current_version: int
    total_cost: float
    total_hours: float
    weeks: int
    steps: int
    created_at: Stamp
    updated_at: Stamp


class StepProgress(Model):
    """The latest progress on one step."""

    step_id: str
    state: Literal["started", "completed"]
    evidence_url: str | None = None
    badge_name: str | None = None
    at: Stamp


class PathwayDetail(PathwaySummary):
    """A saved pathway with its current version, versions list and progress."""

    pathway: Pathway
    issues: list[str]
    diff: PathwayDiff | None
    versions: list[int]
    progress: list[StepProgress]
    note: str = Field(
        default="", description="Why the current version was made (a coach's reason for an edit)."
    )
    note_author: str | None = Field(default=None, description="Who made the current version.")


# ---- reviews and comments --------------------------------------------------------------------------------------


class ReviewOut(Model):
    """A submission waiting for (or given) a decision."""

    id: int
    pathway_id: int
    version: int
    status: ReviewState
    learner_id: int
    learner: str
    title: str
    total_cost: float
    weeks: int
    issues: list[str]
    reviewer_id: int | None
    created_at: Stamp
    decided_at: Stamp | None


class DecisionIn(Model):
    """A coach's decision; a comment is required to request changes or reject."""

    decision: Literal["approve", "request_changes", "reject"]
    comment: str = Field(default="", max_length=5000)


class CommentIn(Model):
    """A comment, optionally replying to another."""

    body: str = Field(min_length=1, max_length=5000)
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)


class CommentOut(Model):
    """A comment with its replies."""

    id: int
    parent_id: int | None
    review_id: int | None
    author: str | None
    version: int
    body: str
    created_at: Stamp
    replies: list[CommentOut] = Field(default_factory=list)


class DecisionOut(Model):
    """The review after a decision, the pathway's new state and the comment made."""

    review: ReviewOut
    pathway_status: PathwayState
    comment: CommentOut | None


class AuditOut(ORM):
    """One audit-log entry."""

    id: int
    at: Stamp
    actor: str
    action: str
    entity: str
    entity_id: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


# ---- progress, outcomes, cohort --------------------------------------------------------------------------------


class BadgeFile(Model):
    """A badge file as evidence (e.g. an Open Badges JSON or image), base64-encoded."""

    name: str = Field(min_length=1, max_length=300)
    content_base64: str = Field(min_length=1, max_length=500_000)


class ProgressIn(Model):
    """Mark a step started or completed, with evidence."""

    step_id: str = Field(min_length=1, max_length=300)
    state: Literal["started", "completed"]
    evidence_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    badge: BadgeFile | None = None


class OutcomeIn(Model):
    """An interview, offer or placement."""

    kind: Literal["interview", "offer", "placement"]
    role: str = Field(min_length=1, max_length=300)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    organization: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=2000)


class OutcomeOut(ORM):
    """A recorded outcome."""

    id: int
    learner_id: int
    recorded_by: int | None
    kind: str
    role: str
    organization: str
    date: str
    note: str
    created_at: Stamp


class CohortOutcome(Model):
    """An outcome in the cohort view."""

    kind: str
    role: str
    date: str


class CohortEntry(Model):
    """One learner in a coach's cohort."""

    learner_id: int
    username: str
    display_name: str
    pathways: int
    latest_pathway_id: int | None
    latest_status: PathwayState | None
    steps_total: int
    steps_started: int
    steps_completed: int
    progress: float
    outcomes: list[CohortOutcome]


# ---- chat and health -------------------------------------------------------------------------------------------


class ChatIn(Model):
    """One user turn."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    conversation_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ConversationOut(ORM):
    """A chat thread."""

    id: str
    title: str
    created_at: Stamp
    updated_at: Stamp


class MessageOut(ORM):
    """A chat message."""

    id: int
    role: str
    content: str
    created_at: Stamp


class ErrorItem(Model):
    """One problem with a request: its kind, where it is, and what is wrong, in words."""

    type: str | None = None
    loc: list[str | int] = Field(default_factory=list)
    msg: str | None = None
    ctx: dict[str, int | float | str | bool] | None = None


class ErrorOut(Model):
    """Every refusal and failure: `detail` is a sentence, or for invalid input a list of the problems (never the
    values sent)."""

    detail: str | list[ErrorItem]


class Health(Model):
    """Liveness and database state."""

    status: Literal["ok", "degraded"]
    database: str
    revision: str
    version: str
