"""GET /health."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter
from sqlalchemy import make_url

from coach.api.deps import DbDep, app_version
from coach.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness and database revision")
def health(db: DbDep) -> Health:
    """Answers ok when the database is reachable and migrated."""
    backend = make_url(str(db.engine.url)).get_backend_name()
    try:
        with db.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision() or ""
        healthy = bool(revision)
    except Exception:  # the database is down: say so instead of failing
        revision, healthy = "", False
    return Health(
        status="ok" if healthy else "degraded", database=backend, revision=revision, version=app_version()
    )
