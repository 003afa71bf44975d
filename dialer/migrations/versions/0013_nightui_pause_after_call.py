"""A seat's "pause after this call": asked for during a call, it takes effect when the call ends.

Revision ID: 0013_nightui_pause_after_call
Revises: 0012_seca_canvass_approval
Create Date: 2026-12-07 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_nightui_pause_after_call"
down_revision: str | None = "0012_seca_canvass_approval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callingsession") as batch_op:
        batch_op.add_column(
            sa.Column("pause_after_call", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("callingsession") as batch_op:
        batch_op.drop_column("pause_after_call")
