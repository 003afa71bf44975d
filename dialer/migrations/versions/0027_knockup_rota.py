"""Knock-up slots on polling day per target seat, and pledgers' bookings of them.

Revision ID: 0027_knockup_rota
Revises: 0026_pledge_signup_keys
Create Date: 2026-12-07 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0027_knockup_rota"
down_revision: str | None = "0026_pledge_signup_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knockupslot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("ons_code", sa.String(length=9), nullable=False),
        sa.Column("starts_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), server_default="0", nullable=False),
        sa.Column("meeting_point", sa.String(length=200), nullable=False),
        sa.Column("meeting_postcode", sa.String(length=8), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("taken >= 0 AND taken <= places", name="knock_up_places_not_overbooked"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["ons_code"], ["constituency.ons_code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knockupslot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knockupslot_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knockupslot_starts_at"), ["starts_at"], unique=False)
    op.create_table(
        "knockupbooking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("booked_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["slot_id"], ["knockupslot.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_id", "email"),
    )
    with op.batch_alter_table("knockupbooking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_knockupbooking_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_knockupbooking_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_knockupbooking_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("knockupbooking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knockupbooking_user_id"))
        batch_op.drop_index(batch_op.f("ix_knockupbooking_slot_id"))
        batch_op.drop_index(batch_op.f("ix_knockupbooking_email"))
    op.drop_table("knockupbooking")
    with op.batch_alter_table("knockupslot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knockupslot_starts_at"))
        batch_op.drop_index(batch_op.f("ix_knockupslot_campaign_id"))
    op.drop_table("knockupslot")
