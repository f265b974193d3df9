"""The coach review service (FastAPI). `create_app()` builds the app; one router per resource in routes/.

State lives in the database only (users, pathways, reviews, rate-limit counters), so several uvicorn workers
can serve the same database."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import SecretStr, ValidationError

from coach.api.deps import Database, app_version
from coach.api.guards import ContainErrors, SecurityHeaders, TextGuard, TrustedHosts, validation_error
from coach.api.schemas import ErrorOut
from coach.api.services import Services
from coach.context import CoachContext
from coach.errors import CoachError
from coach.settings import InsecureSettings, Settings, get_settings, settings_problem
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


def create_app(
    settings: Settings | None = None, services: Services | None = None, context: CoachContext | None = None
) -> FastAPI:
    """Build the API for `settings` (default: the environment) and its `context` (default: one built here over
    those settings); migrates the database to head first.

    Refuses to build (InsecureSettings) without a signing secret: COACH_SECRET_KEY, or local mode's own."""
    from coach.api.routes import admin, auth, chat, coaching, health, me, pathways, postings, reviews

    # The process's own settings share the process-wide catalogue with the dialogue engine (one copy).
    # (Compared with the cached instance only: reading the environment again here could fail for no reason.)
    share_process = settings is None or (
        get_settings.cache_info().currsize > 0 and settings is get_settings()
    )
    if settings is None:
        # Called with no arguments, by uvicorn (`uvicorn coach.api:create_app --factory`): an unusable
        # configuration ends the process with one line instead of a traceback in every worker.
        try:
            settings = get_settings()
            settings.token_secret()
        except InsecureSettings as exc:
            raise SystemExit(f"error: {exc.message}") from None
        except ValidationError as exc:
            raise SystemExit(f"error: {settings_problem(exc)}") from None
    # Resolved once, before anything else: every token this app signs or reads uses this key.
    settings = settings.model_copy(update={"secret_key": SecretStr(settings.token_secret())})
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
        # Every operation may answer these, all with the one error body (see ErrorOut).
        responses={
            code: {"model": ErrorOut, "description": what}
            for code, what in (
                (400, "Bad request"),
                (401, "Not signed in, or the token is not valid"),
                (403, "Not allowed for this account"),
                (404, "Not found, or not yours to see"),
                (409, "Conflicts with the current state"),
                (413, "Request too large"),
                (422, "Invalid input: the problems, without the values sent"),
                (429, "Too many requests; see Retry-After"),
                (500, "Internal error; the request was not completed"),
            )
        },
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
    )  # the body size limit is TextGuard's (below), so a 413 is JSON like every other refusal
    app.state.settings = settings
    app.state.services = services or Services()
    app.state.context = context or CoachContext(settings, share_process=share_process)
    app.state.db = Database(engine=engine, read_maker=read_maker, write_maker=write_maker)
    # Innermost first: text checks before any route, an unexpected failure contained without its request content
    # in the logs; security headers go on every answer, 500s and host refusals included (outermost, below).
    app.add_middleware(TextGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(ContainErrors)
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    if settings.cors_origins:  # closed by default: no CORS headers at all unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    # Outermost: a request naming a host this API does not serve (DNS rebinding against a loopback API) gets 400
    # before any route, CORS or authentication code sees it.
    app.add_middleware(TrustedHosts, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)  # …and its refusal carries the same headers as every other answer

    @app.exception_handler(CoachError)
    async def _coach_error(_request: Request, exc: CoachError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    # Unexpected failures are ContainErrors' (coach/api/guards.py): a handler here would answer the same and then
    # let Starlette re-raise, logging the request's content with the traceback.

    for module in (health, auth, me, postings, pathways, reviews, coaching, chat, admin):
        app.include_router(module.router)
    _one_error_body(app)
    return app


def _one_error_body(app: FastAPI) -> None:
    """Document the one error body (ErrorOut) on every error answer of every operation, including those a route
    describes in its own words (a route's `responses` entry replaces the app-wide one, model and all), and the
    links from the answers that give ids to the operations that take them."""
    from fastapi.openapi.utils import get_openapi

    from coach.api.links import add_links

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
            )
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
            for ops in spec.get("paths", {}).values():
                for op in ops.values():
                    for code, answer in op.get("responses", {}).items():
                        if code[:1] in ("4", "5"):  # every refusal and failure has the one body
                            answer["content"] = error
            add_links(spec)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
