"""Canvass approval: an organiser confirms which volunteers with a place at an event may canvass at it.

Revision ID: 0012_seca_canvass_approval
Revises: 0011_data_a_shared_numbers
Create Date: 2026-12-07 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0012_seca_canvass_approval"
down_revision: str | None = "0011_data_a_shared_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("eventsignup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("canvass_approved_at", dialer.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("canvass_approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_eventsignup_canvass_approved_by_id_user", "user", ["canvass_approved_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("eventsignup", schema=None) as batch_op:
        batch_op.drop_constraint("fk_eventsignup_canvass_approved_by_id_user", type_="foreignkey")
        batch_op.drop_column("canvass_approved_by_id")
        batch_op.drop_column("canvass_approved_at")
