"""Pathways saved from conversations without an account (until now created by the chat tools themselves).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create agent_saved_pathways, unless an earlier version's chat tools already did (its rows are kept)."""
    if sa.inspect(op.get_bind()).has_table("agent_saved_pathways"):
        return
    op.create_table(
        "agent_saved_pathways",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agent_saved_pathways_learner_id", "agent_saved_pathways", ["learner_id"])


def downgrade() -> None:
    """Drop the table (development only)."""
    op.drop_table("agent_saved_pathways")
