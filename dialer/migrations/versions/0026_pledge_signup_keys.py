"""A person pledges once per pledge, kept by unique keys instead of a lock on the pledge's row.

Revision ID: 0026_pledge_signup_keys
Revises: 0025_longcall_leg_swap
Create Date: 2026-12-07 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_pledge_signup_keys"
down_revision: str | None = "0025_longcall_leg_swap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = (
    ("email", "email <> ''"),
    ("user_id", "user_id IS NOT NULL"),
    ("voter_id", "voter_id IS NOT NULL"),
)


def upgrade() -> None:
    for column, where in _KEYS:
        op.create_index(
            f"uq_pledgesignup_{column}",
            "pledgesignup",
            ["pledge_id", column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for column, _ in _KEYS:
        op.drop_index(f"uq_pledgesignup_{column}", table_name="pledgesignup")
