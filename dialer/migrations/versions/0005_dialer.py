"""The dialer: the voter card a preview seat shows, when each call was last heard of, live calls by status.

Revision ID: 0005_dialer
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0005_dialer"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_heard_at", dialer.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_callattempt_status"), ["status"], unique=False)

    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preview_voter_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.drop_column("preview_voter_id")

    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callattempt_status"))
        batch_op.drop_column("last_heard_at")
