"""People who share a number: a campaign may hold several voters on one phone number, and an
import counts the rows that were already voters exactly as the file has them.

Revision ID: 0011_data_a_shared_numbers
Revises: 0010_pacer_state
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_data_a_shared_numbers"
down_revision: str | None = "0010_pacer_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: 0001 left the constraint unnamed: PostgreSQL named it itself, SQLite keeps no name; batch mode
#: names it by this convention when it rebuilds the table on SQLite.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}
_COLUMNS = ["campaign_id", "phone_e164"]


def upgrade() -> None:
    found = [
        constraint["name"]
        for constraint in sa.inspect(op.get_bind()).get_unique_constraints("voter")
        if sorted(constraint["column_names"]) == sorted(_COLUMNS)
    ]
    with op.batch_alter_table("voter", naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(found[0] or "uq_voter_campaign_id_phone_e164", type_="unique")
    with op.batch_alter_table("voterimport") as batch_op:
        batch_op.add_column(sa.Column("unchanged", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # Fails while a campaign holds two voters on one number: merge or remove them first.
    with op.batch_alter_table("voterimport") as batch_op:
        batch_op.drop_column("unchanged")
    with op.batch_alter_table("voter") as batch_op:
        batch_op.create_unique_constraint("uq_voter_campaign_id_phone_e164", _COLUMNS)
