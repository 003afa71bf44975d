"""A seat paused by the product while its browser leg is swapped before the provider's call limit.

Revision ID: 0025_longcall_leg_swap
Revises: 0024_birdseye_shift_reminders
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_longcall_leg_swap"
down_revision: str | None = "0024_birdseye_shift_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resume_when_back", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.drop_column("resume_when_back")
