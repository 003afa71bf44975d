"""Texts to voters: consent given on a call, each text sent and its delivery, numbers that replied STOP,
and each campaign's own wording.

Revision ID: 0022_texts_text_messages
Revises: 0021_mail_outgoing_mail
Create Date: 2026-12-07 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0022_texts_text_messages"
down_revision: str | None = "0021_mail_outgoing_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "textconsent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("call_attempt_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("given_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_attempt_id"], ["callattempt.id"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["voter_id"], ["voter.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_textconsent_campaign_id"), "textconsent", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_textconsent_voter_id"), "textconsent", ["voter_id"], unique=False)
    op.create_table(
        "textmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("once_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("link_token", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("provider_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["voter_id"], ["voter.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_token"),
        sa.UniqueConstraint("once_key"),
        sa.UniqueConstraint("provider_sid"),
    )
    op.create_index(op.f("ix_textmessage_campaign_id"), "textmessage", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_textmessage_created_at"), "textmessage", ["created_at"], unique=False)
    op.create_index(op.f("ix_textmessage_voter_id"), "textmessage", ["voter_id"], unique=False)
    op.create_table(
        "textoptout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("keyword", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone_e164"),
    )

    op.create_table(
        "campaigntextwording",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("wording", sqlmodel.sql.sqltypes.AutoString(length=240), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("campaign_id", "purpose", "kind"),
    )


def downgrade() -> None:
    op.drop_table("campaigntextwording")
    op.drop_table("textoptout")
    op.drop_index(op.f("ix_textmessage_voter_id"), table_name="textmessage")
    op.drop_index(op.f("ix_textmessage_created_at"), table_name="textmessage")
    op.drop_index(op.f("ix_textmessage_campaign_id"), table_name="textmessage")
    op.drop_table("textmessage")
    op.drop_index(op.f("ix_textconsent_voter_id"), table_name="textconsent")
    op.drop_index(op.f("ix_textconsent_campaign_id"), table_name="textconsent")
    op.drop_table("textconsent")
