"""Calling shifts: organisers publish times to call, volunteers book them and are called in at the start.

Revision ID: 0020_shifts_calling_shifts
Revises: 0019_figures_behind
Create Date: 2026-12-07 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0020_shifts_calling_shifts"
down_revision: str | None = "0019_figures_behind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callingshift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("wanted", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_callingshift_campaign_id"), "callingshift", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_callingshift_starts_at"), "callingshift", ["starts_at"], unique=False)
    op.create_table(
        "shiftbooking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("booked_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("called_in_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("called_in_by", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["callingsession.id"]),
        sa.ForeignKeyConstraint(["shift_id"], ["callingshift.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shift_id", "user_id"),
    )
    op.create_index(op.f("ix_shiftbooking_shift_id"), "shiftbooking", ["shift_id"], unique=False)
    op.create_index(op.f("ix_shiftbooking_user_id"), "shiftbooking", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shiftbooking_user_id"), table_name="shiftbooking")
    op.drop_index(op.f("ix_shiftbooking_shift_id"), table_name="shiftbooking")
    op.drop_table("shiftbooking")
    op.drop_index(op.f("ix_callingshift_starts_at"), table_name="callingshift")
    op.drop_index(op.f("ix_callingshift_campaign_id"), table_name="callingshift")
    op.drop_table("callingshift")
