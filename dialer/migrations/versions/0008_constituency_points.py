"""Constituency points: a seat's reference point in each boundary set it belongs to.

Revision ID: 0008_constituency_points
Revises: 0007_signups
Create Date: 2026-11-27 16:37:23.131269
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008_constituency_points"
down_revision: str | None = "0007_signups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "constituencypoint",
        sa.Column("boundary_set", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["ons_code"], ["constituency.ons_code"]),
        sa.PrimaryKeyConstraint("boundary_set", "ons_code"),
    )


def downgrade() -> None:
    op.drop_table("constituencypoint")
