"""Sign-ups next to conversations: doorstep visits belong to an event; voter imports keep their
uploaded file, column mapping and counts of rejected rows.

Revision ID: 0007_signups
Revises: 0005_dialer
Create Date: 2026-11-27 16:35:19.530413
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007_signups"
down_revision: str | None = "0005_dialer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voterimportfile",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["voterimport.id"]),
        sa.PrimaryKeyConstraint("import_id"),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outcome_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key("fk_outcome_event_id", "event", ["event_id"], ["id"])

    # Server defaults fill the rows of imports made before this revision.
    with op.batch_alter_table("voterimport", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "encoding",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="utf-8",
            )
        )
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column(
                "failure", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("rejected", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("voterimport", schema=None) as batch_op:
        batch_op.drop_column("rejected")
        batch_op.drop_column("failure")
        batch_op.drop_column("columns")
        batch_op.drop_column("headers")
        batch_op.drop_column("encoding")
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outcome_event_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outcome_event_id"))
        batch_op.drop_column("event_id")
    op.drop_table("voterimportfile")
