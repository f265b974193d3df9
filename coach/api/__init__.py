"""The coach review service (FastAPI). `create_app()` builds the app; one router per resource in routes/.

State lives in the database only (users, pathways, reviews, rate-limit counters), so several uvicorn workers
can serve the same database."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from coach.api.deps import Database
from coach.api.services import Services
from coach.errors import CoachError
from coach.settings import Settings, get_settings
from coach.store import RateLimited, get_engine, session_factory

log = logging.getLogger("coach.api")

TAGS = [
    {"name": "auth", "description": "Accounts and bearer tokens."},
    {"name": "me", "description": "The signed-in learner's profile."},
    {"name": "postings", "description": "Job-posting analysis."},
    {"name": "pathways", "description": "Plan, save, version and track pathways."},
    {"name": "reviews", "description": "The coach review queue and decisions."},
    {"name": "coaching", "description": "Cohort view and outcomes."},
    {"name": "chat", "description": "The conversational coach (Server-Sent Events)."},
    {"name": "admin", "description": "Users, assignments and the catalogue."},
    {"name": "health", "description": "Liveness."},
]


def app_version() -> str:
    """The installed package version."""
    try:
        return version("pathway-coach")
    except PackageNotFoundError:
        return "0"


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the API for `settings` (default: the environment); migrates the database to head first."""
    from coach.api.routes import admin, auth, chat, coaching, health, me, pathways, postings, reviews

    settings = settings or get_settings()
    engine = get_engine(settings.db_url)
    read_maker, write_maker = session_factory(engine)
    app = FastAPI(
        title="Pathway Coach API",
        version=app_version(),
        description=(
            "Plan stacked microcredential pathways, analyse postings, and let coaches review, edit and approve "
            "pathways with an audit trail. Authenticate with `POST /auth/token` and send "
            "`Authorization: Bearer <token>`."
        ),
        openapi_tags=TAGS,
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    app.state.services = services or Services()
    app.state.db = Database(engine=engine, read_maker=read_maker, write_maker=write_maker)
    if settings.cors_origins:  # closed by default: no CORS headers at all unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(CoachError)
    async def _coach_error(_request: Request, exc: CoachError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Log the type and route only: request bodies (resumes, postings) never go into logs.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "internal error; the request was not completed"}, status_code=500)

    for module in (health, auth, me, postings, pathways, reviews, coaching, chat, admin):
        app.include_router(module.router)
    return app
