"""An erased person's do-not-call entry keeps only the number's keyed fingerprint.

Revision ID: 0009_erased_do_not_call
Revises: 0008_constituency_points
Create Date: 2026-11-28 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009_erased_do_not_call"
down_revision: str | None = "0008_constituency_points"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("suppressionentry", schema=None) as batch_op:
        batch_op.alter_column(
            "phone_e164", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
        )
        batch_op.add_column(
            sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_unique_constraint("uq_suppressionentry_fingerprint", ["fingerprint"])


def downgrade() -> None:
    # Entries kept only as fingerprints cannot go back to numbers: downgrading drops them.
    op.execute("DELETE FROM suppressionentry WHERE phone_e164 IS NULL")
    with op.batch_alter_table("suppressionentry", schema=None) as batch_op:
        batch_op.drop_constraint("uq_suppressionentry_fingerprint", type_="unique")
        batch_op.drop_column("fingerprint")
        batch_op.alter_column(
            "phone_e164", existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        )
