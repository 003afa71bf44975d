"""A campaign's live figures marked behind the record when Redis failed after a commit.

Revision ID: 0019_figures_behind
Revises: 0018_nightseat_held_seats
Create Date: 2026-12-07 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0019_figures_behind"
down_revision: str | None = "0018_nightseat_held_seats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(
            sa.Column("figures_behind_since", dialer.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_column("figures_behind_since")
