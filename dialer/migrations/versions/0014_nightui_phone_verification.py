"""A volunteer's phone number is verified (a call, press 1) before "call my phone" rings it.

Revision ID: 0014_nightui_phone_verification
Revises: 0013_nightui_pause_after_call
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0014_nightui_phone_verification"
down_revision: str | None = "0013_nightui_pause_after_call"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("phone_verified_at", dialer.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("any_phone_allowed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "phoneverification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("call_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phoneverification") as batch_op:
        batch_op.create_index(batch_op.f("ix_phoneverification_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phoneverification_phone_e164"), ["phone_e164"], unique=False)
        batch_op.create_index(batch_op.f("ix_phoneverification_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("phoneverification")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("any_phone_allowed")
        batch_op.drop_column("phone_verified_at")
