"""Calling shifts: the record of each booking's day-before reminder e-mail (at most one each).

Revision ID: 0024_birdseye_shift_reminders
Revises: 0023_cascade_share_links
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0024_birdseye_shift_reminders"
down_revision: str | None = "0023_cascade_share_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shiftreminder",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["shiftbooking.id"]),
        sa.ForeignKeyConstraint(["mail_id"], ["outgoingmail.id"]),
        sa.PrimaryKeyConstraint("booking_id"),
    )


def downgrade() -> None:
    op.drop_table("shiftreminder")
