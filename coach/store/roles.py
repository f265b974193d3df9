"""The service role on PostgreSQL: the account the API runs as may read and write rows but not change the schema.

The audit log and pathway versions are write-once by triggers; only a table's owner may drop or disable a
trigger. Migrating as the owner and serving as a role granted row rights alone makes that write-once hold against
the application itself, not only against its clients."""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from coach.errors import BadInput

# A plain PostgreSQL identifier: the role is written into GRANT statements, which take no bound parameters.
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Tables the service reads but never writes: the migration version (a service that could move it could skip one).
READ_ONLY_TABLES = ("alembic_version",)


def grant_service_role(engine: Engine, role: str) -> list[str]:
    """As the owner of the current schema, grant `role` SELECT, INSERT, UPDATE and DELETE on its tables and use of
    its sequences, and nothing else (no CREATE, no ownership): it can then neither drop nor disable the write-once
    triggers, nor alter a table. Run after migrating, so every table exists. Returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise BadInput("a service role without schema rights is a PostgreSQL feature; SQLite has no roles")
    if not _ROLE.match(role):
        raise BadInput("the role name must be a plain lower-case PostgreSQL identifier (letters, digits, _)")
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is None:
            raise BadInput(
                f"there is no role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD ...)"
            )
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        quoted_schema = '"' + str(schema).replace('"', '""') + '"'
        statements = [
            f"GRANT USAGE ON SCHEMA {quoted_schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quoted_schema} TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {role}",
            *(
                f"REVOKE INSERT, UPDATE, DELETE ON {quoted_schema}.{table} FROM {role}"
                for table in READ_ONLY_TABLES
            ),
        ]
        for statement in statements:
            conn.execute(text(statement))
    return statements
