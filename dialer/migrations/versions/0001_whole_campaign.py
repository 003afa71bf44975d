"""The whole campaign: geography, elections, people, campaigns, calls, sign-ups, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 16:21:18.745195
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import dialer.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "paused",
                "ended",
                name="campaignstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("election", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("target_party", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("script_md", sa.Text(), nullable=False),
        sa.Column("information_message", sa.Text(), nullable=False),
        sa.Column("caller_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "dialing_mode",
            sa.Enum("preview", "power", "predictive", name="dialingmode", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("ring_timeout_s", sa.Integer(), nullable=False),
        sa.Column("weekday_start", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("weekday_end", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("weekend_start", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("weekend_end", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("show_surname", sa.Boolean(), nullable=False),
        sa.Column("amd_enabled", sa.Boolean(), nullable=False),
        sa.Column("abandon_target_pct", sa.Float(), nullable=False),
        sa.Column("retry_overrides", sa.JSON(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "constituency",
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("boundary_set", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("volunteer_target", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ons_code"),
    )
    with op.batch_alter_table("constituency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_constituency_boundary_set"), ["boundary_set"], unique=False)
        batch_op.create_index(batch_op.f("ix_constituency_name"), ["name"], unique=False)

    op.create_table(
        "postcode",
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("outcode", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("pcon_2010_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("pcon_2024_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.PrimaryKeyConstraint("postcode"),
    )
    with op.batch_alter_table("postcode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_postcode_outcode"), ["outcode"], unique=False)

    op.create_table(
        "postcodedistrict",
        sa.Column("outcode", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("post_town", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("local_authority", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("non_geographic", sa.Boolean(), nullable=False),
        sa.Column("pcon_2010_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("pcon_2024_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.PrimaryKeyConstraint("outcode"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column(
            "role",
            sa.Enum("volunteer", "organiser", "admin", name="role", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditentry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_at"), ["at"], unique=False)

    op.create_table(
        "callingsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "connecting",
                "ready",
                "dialing",
                "connected",
                "wrap_up",
                "paused",
                "ended",
                name="seatstate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "audio",
            sa.Enum("browser", "phone", name="audioleg", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("conference_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("leg_call_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column("current_call_id", sa.Integer(), nullable=True),
        sa.Column("started_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state_changed_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conference_name"),
    )
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callingsession_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callingsession_user_id"), ["user_id"], unique=False)

    op.create_table(
        "campaignorganiser",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("campaign_id", "user_id"),
    )
    op.create_table(
        "campaignseat",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ons_code"],
            ["constituency.ons_code"],
        ),
        sa.PrimaryKeyConstraint("campaign_id", "ons_code"),
    )
    op.create_table(
        "electionresult",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("winner_party", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("runner_up_party", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("winner_votes", sa.Integer(), nullable=False),
        sa.Column("runner_up_votes", sa.Integer(), nullable=False),
        sa.Column("majority", sa.Integer(), nullable=False),
        sa.Column("majority_pct", sa.Float(), nullable=False),
        sa.Column("electorate", sa.Integer(), nullable=False),
        sa.Column("valid_votes", sa.Integer(), nullable=False),
        sa.Column("turnout_pct", sa.Float(), nullable=False),
        sa.Column("party_votes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ons_code"],
            ["constituency.ons_code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("election", "ons_code"),
    )
    with op.batch_alter_table("electionresult", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_electionresult_election"), ["election"], unique=False)
        batch_op.create_index(batch_op.f("ix_electionresult_ons_code"), ["ons_code"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("starts_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("meeting_postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ons_code"],
            ["constituency.ons_code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_ons_code"), ["ons_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "suppressionentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone_e164"),
    )
    op.create_table(
        "surveyquestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("prompt", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "single",
                "multiple",
                "scale",
                "text",
                name="questionkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "key"),
    )
    with op.batch_alter_table("surveyquestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveyquestion_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "voter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("phone_e164", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("area", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ons_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("tps", sa.Boolean(), nullable=False),
        sa.Column("do_not_call", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("next_call_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_called_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("blocked_until", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erased_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "phone_e164"),
    )
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voter_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_voter_next_call_at"), ["next_call_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_voter_phone_e164"), ["phone_e164"], unique=False)

    op.create_table(
        "voterimport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("voterimport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voterimport_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "callattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("provider_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
        sa.Column(
            "mode",
            sa.Enum("preview", "power", "predictive", name="dialingmode", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "initiated",
                "ringing",
                "in-progress",
                "completed",
                "busy",
                "no-answer",
                "failed",
                "canceled",
                name="callstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "answered_by",
            sa.Enum(
                "human",
                "machine_start",
                "machine_end_beep",
                "machine_end_silence",
                "machine_end_other",
                "fax",
                "unknown",
                name="answeredby",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("placed_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("connected_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("info_message_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["callingsession.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_sid"),
    )
    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callattempt_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callattempt_placed_at"), ["placed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_callattempt_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callattempt_voter_id"), ["voter_id"], unique=False)

    op.create_table(
        "carpool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("pickup_postcode", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("seats_offered", sa.Integer(), nullable=False),
        sa.Column("departs_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("carpool", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carpool_event_id"), ["event_id"], unique=False)

    op.create_table(
        "callevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_attempt_id", sa.Integer(), nullable=True),
        sa.Column("provider_sid", sqlmodel.sql.sqltypes.AutoString(length=34), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_attempt_id"],
            ["callattempt.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_sid", "kind", "sequence"),
    )
    with op.batch_alter_table("callevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callevent_call_attempt_id"), ["call_attempt_id"], unique=False)

    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("call_attempt_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column(
            "disposition",
            sa.Enum(
                "talked",
                "no_answer",
                "busy",
                "machine",
                "call_back",
                "wrong_number",
                "refused",
                "do_not_call",
                "moved",
                "deceased",
                "language_barrier",
                "abandoned",
                name="disposition",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("call_back_at", dialer.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_attempt_id"],
            ["callattempt.id"],
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_attempt_id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_voter_id"), ["voter_id"], unique=False)

    op.create_table(
        "carpoolseat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carpool_id", sa.Integer(), nullable=False),
        sa.Column("rider_id", sa.Integer(), nullable=True),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("driver_accepted", sa.Boolean(), nullable=False),
        sa.Column("rider_accepted", sa.Boolean(), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["carpool_id"],
            ["carpool.id"],
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("carpoolseat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carpoolseat_carpool_id"), ["carpool_id"], unique=False)

    op.create_table(
        "eventsignup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventsignup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eventsignup_event_id"), ["event_id"], unique=False)

    op.create_table(
        "pledgesignup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", dialer.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pledgesignup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledgesignup_pledge_id"), ["pledge_id"], unique=False)

    op.create_table(
        "surveyanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["surveyquestion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outcome_id", "question_id"),
    )
    with op.batch_alter_table("surveyanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveyanswer_outcome_id"), ["outcome_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveyanswer_question_id"), ["question_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("surveyanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveyanswer_question_id"))
        batch_op.drop_index(batch_op.f("ix_surveyanswer_outcome_id"))

    op.drop_table("surveyanswer")
    with op.batch_alter_table("pledgesignup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledgesignup_pledge_id"))

    op.drop_table("pledgesignup")
    with op.batch_alter_table("eventsignup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eventsignup_event_id"))

    op.drop_table("eventsignup")
    with op.batch_alter_table("carpoolseat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carpoolseat_carpool_id"))

    op.drop_table("carpoolseat")
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_voter_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_user_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_created_at"))
        batch_op.drop_index(batch_op.f("ix_outcome_campaign_id"))

    op.drop_table("outcome")
    with op.batch_alter_table("callevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callevent_call_attempt_id"))

    op.drop_table("callevent")
    with op.batch_alter_table("carpool", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carpool_event_id"))

    op.drop_table("carpool")
    with op.batch_alter_table("callattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callattempt_voter_id"))
        batch_op.drop_index(batch_op.f("ix_callattempt_session_id"))
        batch_op.drop_index(batch_op.f("ix_callattempt_placed_at"))
        batch_op.drop_index(batch_op.f("ix_callattempt_campaign_id"))

    op.drop_table("callattempt")
    with op.batch_alter_table("voterimport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voterimport_campaign_id"))

    op.drop_table("voterimport")
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_phone_e164"))
        batch_op.drop_index(batch_op.f("ix_voter_next_call_at"))
        batch_op.drop_index(batch_op.f("ix_voter_campaign_id"))

    op.drop_table("voter")
    with op.batch_alter_table("surveyquestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveyquestion_campaign_id"))

    op.drop_table("surveyquestion")
    op.drop_table("suppressionentry")
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_campaign_id"))

    op.drop_table("pledge")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_starts_at"))
        batch_op.drop_index(batch_op.f("ix_event_ons_code"))
        batch_op.drop_index(batch_op.f("ix_event_campaign_id"))

    op.drop_table("event")
    with op.batch_alter_table("electionresult", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_electionresult_ons_code"))
        batch_op.drop_index(batch_op.f("ix_electionresult_election"))

    op.drop_table("electionresult")
    op.drop_table("campaignseat")
    op.drop_table("campaignorganiser")
    with op.batch_alter_table("callingsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callingsession_user_id"))
        batch_op.drop_index(batch_op.f("ix_callingsession_campaign_id"))

    op.drop_table("callingsession")
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditentry_at"))
        batch_op.drop_index(batch_op.f("ix_auditentry_action"))

    op.drop_table("auditentry")
    op.drop_table("user")
    op.drop_table("postcodedistrict")
    with op.batch_alter_table("postcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postcode_outcode"))

    op.drop_table("postcode")
    with op.batch_alter_table("constituency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_constituency_name"))
        batch_op.drop_index(batch_op.f("ix_constituency_boundary_set"))

    op.drop_table("constituency")
    op.drop_table("campaign")
