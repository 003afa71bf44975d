"""Sign-in sessions: each signed-in browser is a row, so signing out (or out everywhere) ends it.

Revision ID: 0016_secb_sign_in_sessions
Revises: 0015_nightui_leaderboard
Create Date: 2026-12-07 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0016_secb_sign_in_sessions"
down_revision: str | None = "0015_nightui_leaderboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signinsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("started_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_signinsession_user_id"), "signinsession", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signinsession_user_id"), table_name="signinsession")
    op.drop_table("signinsession")
