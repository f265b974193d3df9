"""Alembic environment: always run programmatically by coach.store.db.migrate with an open connection."""

from __future__ import annotations

from alembic import context

from coach.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on the connection the caller passed in `config.attributes['connection']`."""
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line use: build an engine from the configured URL
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run `coach serve` or coach.store.migrate()")
run_migrations_online()
