"""E-mail: the outbox the workers send from, the record of each event place's reminder, and sign-ups
waiting for their address to be confirmed.

Revision ID: 0021_mail_outgoing_mail
Revises: 0020_shifts_calling_shifts
Create Date: 2026-12-07 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0021_mail_outgoing_mail"
down_revision: str | None = "0020_shifts_calling_shifts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outgoingmail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("sent_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outgoingmail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoingmail_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoingmail_sent_at"), ["sent_at"], unique=False)
    op.create_table(
        "eventreminder",
        sa.Column("signup_id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["signup_id"], ["eventsignup.id"]),
        sa.ForeignKeyConstraint(["mail_id"], ["outgoingmail.id"]),
        sa.PrimaryKeyConstraint("signup_id"),
    )

    op.create_table(
        "pendingsignup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("phone_e164", sa.String(length=16), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("pendingsignup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pendingsignup_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pendingsignup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pendingsignup_email"))
    op.drop_table("pendingsignup")
    op.drop_table("eventreminder")
    with op.batch_alter_table("outgoingmail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoingmail_sent_at"))
        batch_op.drop_index(batch_op.f("ix_outgoingmail_user_id"))
    op.drop_table("outgoingmail")
