"""Volunteers who chose to appear on a phone bank's leaderboard.

Revision ID: 0015_nightui_leaderboard
Revises: 0014_nightui_phone_verification
Create Date: 2026-12-07 13:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0015_nightui_leaderboard"
down_revision: str | None = "0014_nightui_phone_verification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leaderboardoptin",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("campaign_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("leaderboardoptin")
