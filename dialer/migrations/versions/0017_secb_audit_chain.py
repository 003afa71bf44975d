"""The audit log is hash-chained: each entry's link, and the newest link in a one-row head.

Entries written before this revision stay unchained (an empty link) at the start of the log.

Revision ID: 0017_secb_audit_chain
Revises: 0016_secb_sign_in_sessions
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0017_secb_audit_chain"
down_revision: str | None = "0016_secb_sign_in_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("auditentry") as batch:
        batch.add_column(
            sa.Column(
                "chain_hash", sqlmodel.sql.sqltypes.AutoString(length=64), server_default="", nullable=False
            )
        )
    head = op.create_table(
        "auditchainhead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": GENESIS}])


def downgrade() -> None:
    op.drop_table("auditchainhead")
    with op.batch_alter_table("auditentry") as batch:
        batch.drop_column("chain_hash")
