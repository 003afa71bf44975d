"""Pacer state: a predictive campaign's compliance governor and dial level, kept between pacing runs.

Revision ID: 0010_pacer_state
Revises: 0009_erased_do_not_call
Create Date: 2026-11-28 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0010_pacer_state"
down_revision: str | None = "0009_erased_do_not_call"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pacerstate",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("overflow_allowed", sa.Float(), nullable=False),
        sa.Column("braked", sa.Boolean(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("dial_level", sa.Float(), nullable=False),
        sa.Column("abandon_rate_24h", sa.Float(), nullable=False),
        sa.Column("abandon_rate_today", sa.Float(), nullable=False),
        sa.Column("governed_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paced_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("campaign_id"),
    )


def downgrade() -> None:
    op.drop_table("pacerstate")
