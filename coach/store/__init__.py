"""Persistence: SQLAlchemy tables, Alembic-migrated engines, data-access functions and the review workflow."""

from coach.store.db import (
    DatabaseError,
    checkpoint_url,
    dispose_engines,
    get_engine,
    make_engine,
    migrate,
    session_factory,
    transaction,
    write_engine,
)
from coach.store.repo import RateLimited

__all__ = [
    "DatabaseError",
    "RateLimited",
    "checkpoint_url",
    "dispose_engines",
    "get_engine",
    "make_engine",
    "migrate",
    "session_factory",
    "transaction",
    "write_engine",
]
