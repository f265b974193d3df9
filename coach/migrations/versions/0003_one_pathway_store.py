"""One pathway store: chat pathways move from agent_saved_pathways into pathways (with versions and reviews).

Each saved row becomes a pathway with its first version, owned by the account it names or, for a conversation
without an account, by a guest learner made for it (who cannot sign in; see coach.store.user_repo.guest_learner).
Pending rows get their pending review, so a coach sees them in the queue. Then the old table is dropped.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies of the values coach.store.user_repo uses today: a migration must not change when the code does.
GUEST_PREFIX = "guest:"
NO_PASSWORD = "!guest"
STATES = ("draft", "pending", "changes_requested", "approved", "rejected")

TS = sa.DateTime(timezone=True)
meta = sa.MetaData()
legacy = sa.Table(
    "agent_saved_pathways",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("learner_id", sa.String(200)),
    sa.Column("version", sa.Integer),
    sa.Column("status", sa.String(24)),
    sa.Column("data", sa.JSON),
    sa.Column("note", sa.Text),
    sa.Column("created_at", TS),
)
users = sa.Table(
    "users",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("username", sa.String(64)),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("role", sa.String(16)),
    sa.Column("display_name", sa.String(200)),
    sa.Column("active", sa.Boolean),
    sa.Column("created_at", TS),
)
pathways = sa.Table(
    "pathways",
    meta,
    sa.Column("id", sa.Integer),
    sa.Column("owner_id", sa.Integer),
    sa.Column("title", sa.String(200)),
    sa.Column("status", sa.String(24)),
    sa.Column("current_version", sa.Integer),
    sa.Column("created_at", TS),
    sa.Column("updated_at", TS),
)
versions = sa.Table(
    "pathway_versions",
    meta,
    sa.Column("pathway_id", sa.Integer),
    sa.Column("version", sa.Integer),
    sa.Column("author_id", sa.Integer),
    sa.Column("data", sa.JSON),
    sa.Column("issues", sa.JSON),
    sa.Column("diff", sa.JSON),
    sa.Column("note", sa.Text),
    sa.Column("created_at", TS),
)
reviews = sa.Table(
    "reviews",
    meta,
    sa.Column("pathway_id", sa.Integer),
    sa.Column("version", sa.Integer),
    sa.Column("status", sa.String(24)),
    sa.Column("submitted_by", sa.Integer),
    sa.Column("created_at", TS),
)
audit = sa.Table(
    "audit_log",
    meta,
    sa.Column("at", TS),
    sa.Column("actor_id", sa.Integer),
    sa.Column("actor", sa.String(64)),
    sa.Column("action", sa.String(48)),
    sa.Column("entity", sa.String(32)),
    sa.Column("entity_id", sa.String(64)),
    sa.Column("from_state", sa.String(24)),
    sa.Column("to_state", sa.String(24)),
    sa.Column("detail", sa.JSON),
)


def _owner(conn: sa.Connection, learner_id: str, now: datetime) -> tuple[int, str]:
    """(user id, username) of the account `learner_id` names, else of its guest learner (made here)."""
    if learner_id.isdigit():
        found = conn.execute(
            sa.select(users.c.id, users.c.username).where(users.c.id == int(learner_id))
        ).first()
        if found is not None:
            return int(found[0]), str(found[1])
    username = GUEST_PREFIX + hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:32]
    found = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
    if found is not None:
        return int(found[0]), username
    new_id = conn.execute(
        users.insert()
        .values(
            username=username,
            password_hash=NO_PASSWORD,
            role="learner",
            display_name=f"Guest ({learner_id[:150]})",
            active=True,
            created_at=now,
        )
        .returning(users.c.id)
    ).scalar_one()
    return int(new_id), username


def _title(data: Any) -> str:
    target = data.get("target") if isinstance(data, dict) else None
    if isinstance(target, dict):
        target = target.get("label") or target.get("role")
    return (str(target) if target else "Pathway")[:200]


def upgrade() -> None:
    """Copy every chat pathway into the one store, then drop agent_saved_pathways."""
    conn = op.get_bind()
    if not sa.inspect(conn).has_table("agent_saved_pathways"):
        return
    now = datetime.now(UTC)
    for row in conn.execute(sa.select(legacy).order_by(legacy.c.id)).mappings().all():
        owner_id, username = _owner(conn, str(row["learner_id"] or ""), now)
        status = row["status"] if row["status"] in STATES else "draft"
        at = row["created_at"] or now
        pathway_id = conn.execute(
            pathways.insert()
            .values(
                owner_id=owner_id,
                title=_title(row["data"]),
                status=status,
                current_version=1,
                created_at=at,
                updated_at=at,
            )
            .returning(pathways.c.id)
        ).scalar_one()
        conn.execute(
            versions.insert().values(
                pathway_id=pathway_id,
                version=1,
                author_id=owner_id,
                data=row["data"] or {},
                issues=[],
                diff=None,
                note=row["note"] or "",
                created_at=at,
            )
        )
        if status == "pending":
            conn.execute(
                reviews.insert().values(
                    pathway_id=pathway_id, version=1, status="pending", submitted_by=owner_id, created_at=at
                )
            )
        conn.execute(
            audit.insert().values(
                at=now,
                actor_id=None,
                actor="system",
                action="migrate",
                entity="pathway",
                entity_id=str(pathway_id),
                from_state=None,
                to_state=status,
                detail={
                    "from": "agent_saved_pathways",
                    "legacy_id": row["id"],
                    "legacy_version": row["version"],
                    "owner": username,
                },
            )
        )
    op.drop_table("agent_saved_pathways")


def downgrade() -> None:
    """Recreate the empty table (development only); the moved pathways stay in the one store."""
    op.create_table(
        "agent_saved_pathways",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.String(200), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
