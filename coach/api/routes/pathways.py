"""Pathways: plan, save, read, submit, versions (coach edits), comments, progress, audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from coach.api import evidence
from coach.api.deps import ContextDep, CurrentUser, DbDep, PageDep, ServicesDep, SettingsDep, rate_limit
from coach.api.schemas import (
    MAX_ROW_ID,
    AuditOut,
    CommentIn,
    CommentOut,
    PathwayCreate,
    PathwayDetail,
    PathwayState,
    PathwaySummary,
    PlanIn,
    ProgressIn,
    ReviewOut,
    StepProgress,
    VersionCreate,
    VersionOut,
)
from coach.api.views import detail, progress_out, review_out, summaries, thread, version_out
from coach.errors import BadInput
from coach.models import Pathway, Profile
from coach.store import audit_repo, pathway_repo, profile_repo, progress_repo
from coach.store.workflow import apply_edits, diff_pathways, recompute

router = APIRouter(prefix="/pathways", tags=["pathways"])
PathwayId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such pathway, or not yours to see"}}


@router.post(
    "/plan",
    response_model=Pathway,
    summary="Plan a pathway (not saved)",
    responses={429: {"description": "Rate limited"}, 503: {"description": "Planner unavailable"}},
)
def plan(
    body: PlanIn, user: CurrentUser, db: DbDep, settings: SettingsDep, services: ServicesDep, ctx: ContextDep
) -> Pathway:
    """Plan for a role or an analysed posting within budget, hours a week and weeks (defaults: the profile)."""
    rate_limit(db, settings, user, "plan")
    profile = body.profile
    if profile is None:
        with db.read() as session:
            profile = profile_repo.get_profile(session=session, user_id=user.id) or Profile()
    role = body.role or (None if body.posting else profile.target.role)
    if not role and body.posting is None:
        raise BadInput("say what to plan for: a role, a posting, or a target role in the profile")
    return services.plan(
        ctx,
        profile,
        role=role,
        posting=body.posting,
        budget=body.budget,
        hours_per_week=body.hours_per_week,
        weeks=body.weeks,
        alternatives=body.alternatives,
    )


@router.post("", response_model=PathwayDetail, status_code=status.HTTP_201_CREATED, summary="Save a pathway")
def create(
    body: PathwayCreate, user: CurrentUser, db: DbDep, services: ServicesDep, ctx: ContextDep
) -> PathwayDetail:
    """Save a pathway as a draft (version 1), validated against the owner's profile."""
    with db.read() as session:
        profile = profile_repo.get_profile(session=session, user_id=user.id)
    issues = services.validate(ctx, body.pathway, profile)
    with db.write() as session:
        row = pathway_repo.create_pathway(
            session=session, owner=user, pathway=body.pathway, title=body.title, issues=issues, note=body.note
        )
        session.flush()
        return detail(session, row)


@router.get("", response_model=list[PathwaySummary], summary="List pathways I may see")
def list_all(
    user: CurrentUser,
    db: DbDep,
    pg: PageDep,
    status_: Annotated[PathwayState | None, Query(alias="status")] = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> list[PathwaySummary]:
    """A learner's own pathways; a coach's and their learners'; an admin's: all. Newest first."""
    with db.read() as session:
        rows = pathway_repo.list_pathways(
            session=session, viewer=user, limit=pg.limit, offset=pg.offset, status=status_, owner_id=owner_id
        )
        return summaries(session, rows)


@router.get("/{pathway_id}", response_model=PathwayDetail, summary="Read a pathway", responses=NOT_FOUND)
def read(pathway_id: PathwayId, user: CurrentUser, db: DbDep) -> PathwayDetail:
    """The current version with its validation issues, diff, versions and progress."""
    with db.read() as session:
        return detail(session, pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id))


@router.post(
    "/{pathway_id}/submit",
    response_model=ReviewOut,
    summary="Submit for coach review",
    responses={**NOT_FOUND, 403: {"description": "Not the owner"}, 409: {"description": "Wrong state"}},
)
def submit(pathway_id: PathwayId, user: CurrentUser, db: DbDep) -> ReviewOut:
    """The owner submits the current version: the pathway becomes pending."""

    with db.write() as session:
        review = pathway_repo.submit_pathway(session=session, actor=user, pathway_id=pathway_id)
        return review_out(session, review)


@router.get(
    "/{pathway_id}/versions", response_model=list[VersionOut], summary="All versions", responses=NOT_FOUND
)
def versions(pathway_id: PathwayId, user: CurrentUser, db: DbDep) -> list[VersionOut]:
    """Every immutable version, oldest first, each with its diff from the one before."""
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        return [
            version_out(session, v) for v in pathway_repo.list_versions(session=session, pathway_id=row.id)
        ]


@router.get(
    "/{pathway_id}/versions/{version}", response_model=VersionOut, summary="One version", responses=NOT_FOUND
)
def one_version(
    pathway_id: PathwayId, version: Annotated[int, Path(ge=1, le=100_000)], user: CurrentUser, db: DbDep
) -> VersionOut:
    """One immutable version."""
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        return version_out(
            session, pathway_repo.get_version(session=session, pathway_id=row.id, version=version)
        )


@router.post(
    "/{pathway_id}/versions",
    response_model=VersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Edit: a new version (coach edit or learner revision)",
    responses={
        **NOT_FOUND,
        403: {"description": "Not allowed"},
        409: {"description": "Wrong state or stale"},
        422: {"description": "Invalid edit, or the result fails validation"},
    },
)
def new_version(
    pathway_id: PathwayId,
    body: VersionCreate,
    user: CurrentUser,
    db: DbDep,
    services: ServicesDep,
    ctx: ContextDep,
) -> VersionOut:
    """Apply edits (add, remove, swap, move steps) or a replacement; re-validate; store with its diff."""
    if body.pathway is None and not body.edits:
        raise BadInput("send edits or a pathway")
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        current = Pathway.model_validate(
            pathway_repo.get_version(session=session, pathway_id=row.id, version=row.current_version).data
        )
        profile = profile_repo.get_profile(session=session, user_id=row.owner_id)
        based_on = row.current_version
    hours_per_week = profile.constraints.hours_per_week if profile else None
    if body.pathway is not None:
        new = recompute(current, body.pathway.steps, hours_per_week=hours_per_week).model_copy(
            update={"label": body.pathway.label or "edited"}
        )
    else:
        new = apply_edits(
            current,
            body.edits,
            find_credential=lambda ident: services.find_credential(ctx, ident),
            hours_per_week=hours_per_week,
        )
    issues = services.validate(ctx, new, profile)
    if issues and not body.allow_issues:
        raise BadInput("the edited pathway fails validation: " + "; ".join(issues))
    new = new.model_copy(
        update={"status": "infeasible" if issues else "feasible", "reason": "; ".join(issues) or None}
    )
    diff = diff_pathways(current, new, from_version=based_on, to_version=based_on + 1)
    expected = body.expected_version or based_on
    with db.write() as session:
        version = pathway_repo.add_version(
            session=session,
            actor=user,
            pathway_id=pathway_id,
            pathway=new,
            issues=issues,
            diff=diff.model_dump(mode="json"),
            note=body.note,
            expected_version=expected,
        )
        return version_out(session, version)


@router.get("/{pathway_id}/audit", response_model=list[AuditOut], summary="Audit trail", responses=NOT_FOUND)
def audit_trail(
    pathway_id: PathwayId,
    user: CurrentUser,
    db: DbDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most 1000.")] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditOut]:
    """Every change of state of this pathway, oldest first (read-only: the log cannot be edited)."""
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        entries = audit_repo.list_audit(
            session=session, entity="pathway", entity_id=row.id, limit=limit, offset=offset
        )
        return [AuditOut.model_validate(e) for e in entries]


@router.get(
    "/{pathway_id}/comments", response_model=list[CommentOut], summary="Comment thread", responses=NOT_FOUND
)
def comments(pathway_id: PathwayId, user: CurrentUser, db: DbDep) -> list[CommentOut]:
    """Comments as threads (replies nested), oldest first."""
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        return thread(session, pathway_repo.list_comments(session=session, pathway_id=row.id))


@router.post(
    "/{pathway_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Comment or reply",
    responses=NOT_FOUND,
)
def comment(pathway_id: PathwayId, body: CommentIn, user: CurrentUser, db: DbDep) -> CommentOut:
    """Add a comment (or a reply with parent_id) to a pathway you may see."""
    with db.write() as session:
        c = pathway_repo.add_comment(
            session=session, actor=user, pathway_id=pathway_id, body=body.body, parent_id=body.parent_id
        )
        return thread(session, [c])[0]


@router.post(
    "/{pathway_id}/progress",
    response_model=StepProgress,
    status_code=status.HTTP_201_CREATED,
    summary="Mark a step started or completed",
    responses={**NOT_FOUND, 403: {"description": "Not yours"}},
)
def progress(pathway_id: PathwayId, body: ProgressIn, user: CurrentUser, db: DbDep) -> StepProgress:
    """The learner records progress with evidence (a credential URL or a base64 badge file)."""
    badge_data = None
    size = 0
    if body.badge is not None:
        size = len(evidence.badge_bytes(body.badge.name, body.badge.content_base64))
        badge_data = body.badge.content_base64
    if body.evidence_url:
        evidence.check_link(body.evidence_url)
    with db.write() as session:
        if size:
            evidence.check_quota(session, user.id, size)
        e = progress_repo.record_progress(
            session=session,
            actor=user,
            pathway_id=pathway_id,
            step_id=body.step_id,
            state=body.state,
            evidence_url=body.evidence_url,
            badge_name=body.badge.name if body.badge else None,
            badge_data=badge_data,
        )
        return StepProgress(
            step_id=e.step_id,
            state=body.state,
            evidence_url=e.evidence_url,
            badge_name=e.badge_name,
            at=e.created_at,
        )


@router.get(
    "/{pathway_id}/progress",
    response_model=list[StepProgress],
    summary="Progress per step",
    responses=NOT_FOUND,
)
def get_progress(pathway_id: PathwayId, user: CurrentUser, db: DbDep) -> list[StepProgress]:
    """The latest state of each step that has progress."""
    with db.read() as session:
        row = pathway_repo.get_pathway(session=session, viewer=user, pathway_id=pathway_id)
        return [
            progress_out(e) for e in progress_repo.progress_of(session=session, pathway_id=row.id).values()
        ]
