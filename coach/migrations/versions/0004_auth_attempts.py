"""Sign-in and registration attempts, counted per account and per client address, shared by every worker.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The attempts table and its lookup index."""
    op.create_table(
        "auth_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_auth_attempts_key_bucket_at", "auth_attempts", ["key", "bucket", "at"])


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_auth_attempts_key_bucket_at", table_name="auth_attempts")
    op.drop_table("auth_attempts")
