"""Held seats: a seat waits for a volunteer whose audio went away mid-conversation; drafts of outcomes.

Revision ID: 0018_nightseat_held_seats
Revises: 0017_secb_audit_chain
Create Date: 2026-12-07 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0018_nightseat_held_seats"
down_revision: str | None = "0017_secb_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seat_grace_s", sa.Integer(), server_default="60", nullable=False))
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_since", dialer.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.drop_column("draft")
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.drop_column("away_since")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("seat_grace_s")
