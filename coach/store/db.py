"""Engines, sessions and migrations. SQLite gets WAL, foreign keys and IMMEDIATE write transactions so several
API workers can share one file; PostgreSQL is used as is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from coach.errors import CoachError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_WRITE = "coach_write"
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class DatabaseError(CoachError):
    """The database cannot be reached or migrated."""

    status = 503


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so writes can BEGIN IMMEDIATE (no lock-upgrade deadlocks).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for `url` (SQLite folders are created; SQLite gets WAL and foreign keys)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(engine)
    return engine


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`, migrated to the latest schema on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            migrate(engine)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def write_engine(engine: Engine) -> Engine:
    """The same engine whose transactions take the write lock up front (SQLite BEGIN IMMEDIATE)."""
    return engine.execution_options(**{_WRITE: True})


def migrate(engine: Engine) -> str:
    """Upgrade the schema to head (idempotent; concurrent callers are serialised). Returns the revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with write_engine(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several workers start at once: one migrates, the others wait and find it done.
                conn.execute(text("SELECT pg_advisory_xact_lock(74280001)"))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            return MigrationContext.configure(conn).get_current_revision() or ""
    except CoachError:
        raise
    except Exception as exc:
        safe = make_url(str(engine.url)).render_as_string(hide_password=True)
        raise DatabaseError(f"cannot open or migrate the database {safe}: {exc}") from exc


def session_factory(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(read, write) session makers; write sessions lock SQLite at BEGIN so concurrent writers queue."""
    read = sessionmaker(bind=engine, expire_on_commit=False)
    write = sessionmaker(bind=write_engine(engine), expire_on_commit=False)
    return read, write


@contextmanager
def transaction(maker: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with maker() as session, session.begin():
        yield session


def checkpoint_url(url: str) -> str:
    """A plain driver URL for LangGraph checkpointers (sqlite path or libpq URL) for the same database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)
