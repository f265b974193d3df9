"""A service role without schema rights (PostgreSQL): the API can write rows but can neither drop nor disable the
write-once triggers, alter a table or move the migration version; the owner keeps those."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from coach.errors import BadInput
from coach.store import (
    get_engine,
    make_engine,
    migrate,
    pathway_repo,
    session_factory,
    transaction,
    user_repo,
)
from coach.store.roles import grant_service_role
from tests.conftest import api_sample_pathway


@pytest.fixture
def service_role(api_db_url):  # type: ignore[no-untyped-def]
    """(owner engine, service URL, role) over a fresh PostgreSQL schema, the role removed afterwards."""
    owner = get_engine(api_db_url)
    role = f"svc_{uuid.uuid4().hex[:10]}"
    with owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'service-pass'"))
    service_url = make_url(api_db_url).set(username=role, password="service-pass")
    try:
        yield owner, service_url.render_as_string(hide_password=False), role
    finally:
        from coach.store import dispose_engines

        dispose_engines()
        with owner.begin() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            for what in ("ALL TABLES IN SCHEMA", "ALL SEQUENCES IN SCHEMA", "SCHEMA"):
                conn.execute(text(f"REVOKE ALL ON {what} {schema} FROM {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


@pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True)
def test_the_service_role_writes_rows_but_cannot_touch_the_write_once_triggers(
    service_role, api_fast_hashing
) -> None:  # type: ignore[no-untyped-def]
    owner, service_url, role = service_role
    statements = grant_service_role(owner, role)
    assert not any(word in " ".join(statements) for word in ("CREATE ON", "ALL PRIVILEGES", "OWNER"))

    service = make_engine(service_url)
    try:
        assert migrate(service) == migrate(owner)  # nothing to do: the service starts on an up-to-date schema
        _read, write = session_factory(service)
        with transaction(write) as s:
            learner = user_repo.create_user(
                session=s, username="learner1", password="pw-learner1", role="learner"
            )
            pathway_repo.create_pathway(session=s, owner=learner, pathway=api_sample_pathway())
        refused = [
            "DROP TRIGGER audit_log_write_once ON audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "ALTER TABLE pathway_versions DISABLE TRIGGER pathway_versions_write_once",
            "DROP TABLE audit_log",
            "DROP FUNCTION audit_log_refuse_change()",
            "UPDATE alembic_version SET version_num = '0001'",
            "CREATE TABLE side_door (id int)",
        ]
        for sql in refused:
            with pytest.raises(DBAPIError) as err, service.begin() as conn:
                conn.execute(text(sql))
            assert "permission denied" in str(err.value) or "must be owner" in str(err.value), sql
        with pytest.raises(DBAPIError) as err, service.begin() as conn:
            conn.execute(text("UPDATE audit_log SET action = 'forged'"))
        assert "append-only" in str(err.value)
        with service.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'create'")).scalar() == 1
    finally:
        service.dispose()
    # The owner still can: the refusals above are the role's, not the schema's.
    with owner.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_write_once"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_write_once"))


@pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True)
def test_the_cli_grants_the_role_and_the_chat_memory_works_under_it(service_role, tmp_path) -> None:  # type: ignore[no-untyped-def]
    owner, service_url, role = service_role
    env = {
        "COACH_DATABASE_URL": str(owner.url.render_as_string(hide_password=False)),
        "COACH_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "db", "grant-service-role", role],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"TO {role}" in done.stdout
    from coach.agent import make_checkpointer

    saver = make_checkpointer(service_url)  # its tables exist: setup needs no DDL as the service role
    assert saver.get_tuple({"configurable": {"thread_id": "nobody", "checkpoint_ns": ""}}) is None
    saver.conn.close()


def test_sqlite_has_no_roles_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(BadInput, match="PostgreSQL"):
        grant_service_role(engine, "svc")
    engine.dispose()


@pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("name", ["svc; DROP TABLE users", "Svc", "", "x" * 64])
def test_a_role_name_that_is_not_a_plain_identifier_is_refused(api_db_url, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput):
        grant_service_role(get_engine(api_db_url), name)
