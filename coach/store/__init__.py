"""Persistence: SQLAlchemy tables, Alembic-migrated engines, data-access functions and the review workflow.

- `tables`: the SQLAlchemy tables; `db`: engines, migrations, sessions and transactions
- one repository module per aggregate, keyword-only functions over a Session (access rules live in them, so
  every face shares them): `user_repo` (users, guests, sign-in, coach assignments, who may see whom),
  `profile_repo`, `pathway_repo` (pathways, versions, reviews, comments), `progress_repo` (progress, outcomes,
  cohort), `conversation_repo`, `audit_repo`, `rate_limit_repo`; `consistency` checks the store's invariants
- `workflow`: pure functions of the review workflow (edits, layout, diffs)
"""

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
from coach.store.rate_limit_repo import RateLimited

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
