"""Sharing with a cascade: personal links, who each link brought, what they did, and link opens.

Revision ID: 0023_cascade_share_links
Revises: 0022_texts_text_messages
Create Date: 2026-12-07 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dialer.models

revision: str = "0023_cascade_share_links"
down_revision: str | None = "0022_texts_text_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sharelink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("owner_email", sa.String(length=254), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("ons_code", sa.String(length=9), nullable=True),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("owner_email", "kind", "target_id"),
    )
    op.create_index(op.f("ix_sharelink_owner_email"), "sharelink", ["owner_email"], unique=False)
    op.create_index(op.f("ix_sharelink_campaign_id"), "sharelink", ["campaign_id"], unique=False)
    op.create_table(
        "sharearrival",
        sa.Column("person_email", sa.String(length=254), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("arrived_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["sharelink.id"]),
        sa.PrimaryKeyConstraint("person_email"),
    )
    op.create_index(op.f("ix_sharearrival_link_id"), "sharearrival", ["link_id"], unique=False)
    op.create_table(
        "shareconversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("person_email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("ons_code", sa.String(length=9), nullable=True),
        sa.Column("at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["link_id"], ["sharelink.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject_id"),
    )
    op.create_index(op.f("ix_shareconversion_link_id"), "shareconversion", ["link_id"], unique=False)
    op.create_index(op.f("ix_shareconversion_campaign_id"), "shareconversion", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_shareconversion_at"), "shareconversion", ["at"], unique=False)
    op.create_table(
        "sharecredit",
        sa.Column("conversion_id", sa.Integer(), nullable=False),
        sa.Column("sharer_email", sa.String(length=254), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["conversion_id"], ["shareconversion.id"]),
        sa.PrimaryKeyConstraint("conversion_id", "sharer_email"),
    )
    op.create_index(op.f("ix_sharecredit_sharer_email"), "sharecredit", ["sharer_email"], unique=False)
    op.create_table(
        "shareopencount",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("hour", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["sharelink.id"]),
        sa.PrimaryKeyConstraint("link_id", "hour"),
    )


def downgrade() -> None:
    op.drop_table("shareopencount")
    op.drop_index(op.f("ix_sharecredit_sharer_email"), table_name="sharecredit")
    op.drop_table("sharecredit")
    op.drop_index(op.f("ix_shareconversion_at"), table_name="shareconversion")
    op.drop_index(op.f("ix_shareconversion_campaign_id"), table_name="shareconversion")
    op.drop_index(op.f("ix_shareconversion_link_id"), table_name="shareconversion")
    op.drop_table("shareconversion")
    op.drop_index(op.f("ix_sharearrival_link_id"), table_name="sharearrival")
    op.drop_table("sharearrival")
    op.drop_index(op.f("ix_sharelink_campaign_id"), table_name="sharelink")
    op.drop_index(op.f("ix_sharelink_owner_email"), table_name="sharelink")
    op.drop_table("sharelink")
