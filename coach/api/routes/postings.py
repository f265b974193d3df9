"""POST /postings/analyze."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from coach.api.deps import ContextDep, CurrentUser, DbDep, ServicesDep, SettingsDep, rate_limit
from coach.api.schemas import PostingIn
from coach.errors import BadInput
from coach.models import PostingAnalysis
from coach.store import profile_repo

router = APIRouter(prefix="/postings", tags=["postings"])


@router.post(
    "/analyze",
    response_model=PostingAnalysis,
    summary="Analyse a job posting",
    responses={422: {"description": "Empty or too long"}, 429: {"description": "Rate limited"}},
)
async def analyze(
    body: PostingIn,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    services: ServicesDep,
    ctx: ContextDep,
) -> PostingAnalysis:
    """Requirements with their spans and skills; with the stored profile, the match and gaps."""
    if len(body.text) > settings.max_posting_chars:
        raise BadInput(f"the posting is longer than {settings.max_posting_chars} characters")
    if not body.text.strip():
        raise BadInput("the posting is empty")

    def _run() -> PostingAnalysis:
        rate_limit(db, settings, user, "analyze")
        profile = None
        if body.use_profile:
            with db.read() as session:
                profile = profile_repo.get_profile(session=session, user_id=user.id)
        return services.analyze(ctx, body.text, profile)

    return await run_in_threadpool(_run)
