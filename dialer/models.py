"""The durable record: SQLModel tables for the whole campaign (data only; sessions live in adapters).

Every instant is stored in UTC and read back timezone-aware. Enumerations are stored as short
strings (no database-native enum types), so migrations stay portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Column, Field, SQLModel

from dialer.domain.calls import AnsweredBy, CallStatus
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.dispositions import Disposition
from dialer.domain.roles import Role
from dialer.domain.seats import START as SEAT_STARTS_IN
from dialer.domain.seats import AudioLeg, SeatState
from dialer.domain.surveys import QuestionKind


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(kind: type[Enum]) -> sa.Enum:
    return sa.Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
    )


def _at(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


# --- geography and elections ------------------------------------------------------------


class Constituency(SQLModel, table=True):
    """A Westminster seat; boundary_set, lat and lon are those of the latest set it belongs to."""

    ons_code: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=120, index=True)
    country: str = Field(max_length=20)
    region: str = Field(default="", max_length=40)
    boundary_set: str = Field(max_length=4, index=True)  # "2010" or "2024"
    lat: float
    lon: float
    area_km2: float = 0.0
    volunteer_target: int = 50


class ConstituencyPoint(SQLModel, table=True):
    """A seat's reference point in one boundary set.

    A few seats (five in Scotland) kept their code from the 2010 set to the 2024 set, so a code can
    belong to both sets, with a different reference point in each (see data/SOURCES.md).
    """

    boundary_set: str = Field(primary_key=True, max_length=4)
    ons_code: str = Field(foreign_key="constituency.ons_code", primary_key=True, max_length=9)
    lat: float
    lon: float


class ElectionResult(SQLModel, table=True):
    """One seat's result at one general election."""

    __table_args__ = (sa.UniqueConstraint("election", "ons_code"),)

    id: int | None = Field(default=None, primary_key=True)
    election: str = Field(max_length=10, index=True)  # "GE2017", "GE2019", "GE2024"
    ons_code: str = Field(foreign_key="constituency.ons_code", max_length=9, index=True)
    result: str = Field(default="", max_length=60)
    winner_party: str = Field(max_length=10)
    runner_up_party: str = Field(max_length=10)
    winner_votes: int
    runner_up_votes: int
    majority: int
    majority_pct: float
    electorate: int
    valid_votes: int
    turnout_pct: float
    party_votes: dict[str, int] = _json(dict)


class PostcodeDistrict(SQLModel, table=True):
    """An outcode (e.g. BS1) with its centroid and the seat containing that centroid."""

    outcode: str = Field(primary_key=True, max_length=4)
    lat: float
    lon: float
    post_town: str = Field(default="", max_length=60)
    local_authority: str = Field(default="", max_length=80)
    is_active: bool = True
    non_geographic: bool = False
    pcon_2010_code: str | None = Field(default=None, max_length=9)
    pcon_2024_code: str | None = Field(default=None, max_length=9)


class Postcode(SQLModel, table=True):
    """A full postcode with its exact coordinates (the sample shipped in data/)."""

    postcode: str = Field(primary_key=True, max_length=8)
    outcode: str = Field(max_length=4, index=True)
    lat: float
    lon: float
    pcon_2010_code: str | None = Field(default=None, max_length=9)
    pcon_2024_code: str | None = Field(default=None, max_length=9)


# --- people ---------------------------------------------------------------------------------


class User(SQLModel, table=True):
    """An account: a volunteer, and possibly an organiser of campaigns or an admin."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=200)
    first_name: str = Field(max_length=60)
    postcode: str = Field(default="", max_length=8)
    phone_e164: str | None = Field(default=None, max_length=16)  # for "call my phone" only
    phone_verified_at: datetime | None = _at()  # its owner pressed 1 on a call to it
    any_phone_allowed: bool = (
        False  # an admin let "call my phone" ring a number outside UK landlines and mobiles
    )
    role: Role = Field(default=Role.VOLUNTEER, sa_type=_enum(Role))
    is_active: bool = True
    created_at: datetime | None = _at(nullable=False)
    last_login_at: datetime | None = _at()


class SignInSession(SQLModel, table=True):
    """One signed-in browser: its cookie names it by a random token (stored here only as a hash),
    and it works until it is ended (signing out, everywhere, a new password, an admin)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    started_at: datetime | None = _at(nullable=False)
    ended_at: datetime | None = _at()


class PhoneVerification(SQLModel, table=True):
    """A call asking a volunteer to press 1 on the number they gave (counted for its rate limits)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    phone_e164: str = Field(max_length=16, index=True)
    call_sid: str | None = Field(default=None, max_length=34)
    created_at: datetime | None = _at(nullable=False, index=True)
    verified_at: datetime | None = _at()


class LeaderboardOptIn(SQLModel, table=True):
    """A volunteer who chose to appear (first name and conversations) on a phone bank's leaderboard."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    created_at: datetime | None = _at(nullable=False)


# --- campaigns ----------------------------------------------------------------------------


class Campaign(SQLModel, table=True):
    """A phone bank for one or more target seats, with its script, survey and calling rules."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    slug: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    status: CampaignStatus = Field(default=CampaignStatus.DRAFT, sa_type=_enum(CampaignStatus))
    election: str = Field(default="GE2024", max_length=10)
    target_party: str = Field(default="Lab", max_length=10)
    script_md: str = Field(default="", sa_type=sa.Text)
    information_message: str = Field(default="", sa_type=sa.Text)
    caller_id: str = Field(max_length=16)
    dialing_mode: DialingMode = Field(default=DialingMode.POWER, sa_type=_enum(DialingMode))
    max_attempts: int = 3
    ring_timeout_s: int = 25
    weekday_start: str = Field(default="08:00", max_length=5)
    weekday_end: str = Field(default="21:00", max_length=5)
    weekend_start: str = Field(default="09:00", max_length=5)
    weekend_end: str = Field(default="21:00", max_length=5)
    show_surname: bool = False
    amd_enabled: bool = False
    abandon_target_pct: float = 2.0
    #: How long a seat waits, its voter on hold, for a volunteer whose audio or page went away.
    seat_grace_s: int = Field(default=60, sa_column_kwargs={"server_default": "60"})
    retry_overrides: dict[str, Any] = _json(dict)
    created_at: datetime | None = _at(nullable=False)
    #: Since when the live figures miss a change SQL holds (Redis failed after a commit): the
    #: heartbeat recounts them from SQL and clears this.
    figures_behind_since: datetime | None = _at()


class PacerState(SQLModel, table=True):
    """A predictive campaign's pacer as the compliance governor last left it (one row per campaign).

    The pacer serialises on this row (row_locks.hold), so two pacing jobs never dial for the same
    free seats at once.
    """

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    overflow_allowed: float
    braked: bool = False
    mode: str = Field(default="power", max_length=12)  # what the pacer last did: predictive or power
    dial_level: float = 0.0
    abandon_rate_24h: float = 0.0
    abandon_rate_today: float = 0.0
    governed_at: datetime | None = _at()
    paced_at: datetime | None = _at()


class CampaignSeat(SQLModel, table=True):
    """A constituency a campaign targets (a campaign may cover several)."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    ons_code: str = Field(foreign_key="constituency.ons_code", primary_key=True, max_length=9)


class CampaignOrganiser(SQLModel, table=True):
    """An account allowed to run a campaign."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class SurveyQuestion(SQLModel, table=True):
    """One question of a campaign's survey."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    position: int = 0
    key: str = Field(max_length=40)
    prompt: str = Field(max_length=300)
    kind: QuestionKind = Field(sa_type=_enum(QuestionKind))
    options: list[str] = _json(list)
    required: bool = False


class Voter(SQLModel, table=True):
    """A person on a campaign's call list. The phone number is for the telephony provider only.

    Several voters may share a number (a household's landline): the number is in one call at a time,
    and every rule kept per number (suppression, the 72-hour block, dialled today) holds for them all.
    """

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    external_id: str = Field(default="", max_length=64)
    first_name: str = Field(max_length=80)
    last_name: str = Field(default="", max_length=80)
    phone_e164: str | None = Field(default=None, max_length=16, index=True)
    postcode: str = Field(default="", max_length=8)
    address: str = Field(default="", max_length=200)
    area: str = Field(default="", max_length=80)
    ons_code: str | None = Field(default=None, max_length=9)
    tps: bool = False
    do_not_call: bool = False
    attempts: int = 0
    done: bool = False  # no further calls for this campaign (talked, refused, wrong number...)
    next_call_at: datetime | None = _at(index=True)
    last_called_at: datetime | None = _at()
    blocked_until: datetime | None = _at()  # Ofcom 72-hour rule after an abandoned call
    erased_at: datetime | None = _at()
    created_at: datetime | None = _at(nullable=False)


class SuppressionEntry(SQLModel, table=True):
    """A number nobody may call in any campaign (opt-outs are immediate and absolute). Once the person
    is erased, only the number's keyed fingerprint is kept (`dialer.domain.phones.fingerprint`)."""

    id: int | None = Field(default=None, primary_key=True)
    phone_e164: str | None = Field(default=None, max_length=16, sa_column_kwargs={"unique": True})
    fingerprint: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    reason: str = Field(max_length=20)  # opt_out, tps, wrong_number, deceased, admin
    source: str = Field(default="", max_length=120)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime | None = _at(nullable=False)


# --- calling ---------------------------------------------------------------------------------


class CallingSession(SQLModel, table=True):
    """A volunteer's seat for one sitting: a conference their audio leg stays in throughout."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    state: SeatState = Field(default=SEAT_STARTS_IN, sa_type=_enum(SeatState))
    audio: AudioLeg = Field(default=AudioLeg.BROWSER, sa_type=_enum(AudioLeg))
    conference_name: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    leg_call_sid: str | None = Field(default=None, max_length=34)
    current_call_id: int | None = Field(default=None)
    preview_voter_id: int | None = Field(default=None)  # preview mode: the voter card on screen
    pause_after_call: bool = False  # asked for during a call: the seat pauses when the call ends
    started_at: datetime | None = _at(nullable=False)
    state_changed_at: datetime | None = _at(nullable=False)
    ended_at: datetime | None = _at()
    #: Since when the volunteer's audio has been gone mid-conversation (the seat is held for them).
    away_since: datetime | None = _at()
    #: Paused by the product while the browser leg is swapped for a fresh one (the provider's maximum
    #: call length): ready again as soon as the new leg is in the seat.
    resume_when_back: bool = False


class CallAttempt(SQLModel, table=True):
    """One dial of one voter, from placing the call to its final status."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    voter_id: int = Field(foreign_key="voter.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="callingsession.id", index=True)
    provider_sid: str | None = Field(default=None, max_length=34, sa_column_kwargs={"unique": True})
    mode: DialingMode = Field(sa_type=_enum(DialingMode))
    status: CallStatus = Field(default=CallStatus.QUEUED, sa_type=_enum(CallStatus), index=True)
    answered_by: AnsweredBy | None = Field(default=None, sa_type=_enum(AnsweredBy))
    abandoned: bool = False
    error: str = Field(default="", max_length=200)
    last_sequence: int = -1
    placed_at: datetime | None = _at(nullable=False, index=True)
    answered_at: datetime | None = _at()
    connected_at: datetime | None = _at()
    info_message_at: datetime | None = _at()
    ended_at: datetime | None = _at()
    duration_s: int | None = None
    last_heard_at: datetime | None = _at()  # last callback or status check (the reconciler's cue)
    #: The survey answers and notes typed so far in this conversation, saved as they are typed so a
    #: reloaded page gets them back; the outcome is the record, this only a draft of it.
    draft: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class CallEvent(SQLModel, table=True):
    """A callback received from the telephony provider, kept verbatim; duplicates are stored once."""

    __table_args__ = (sa.UniqueConstraint("provider_sid", "kind", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    call_attempt_id: int | None = Field(default=None, foreign_key="callattempt.id", index=True)
    provider_sid: str = Field(max_length=34)
    kind: str = Field(max_length=20)  # status, amd, conference, voice
    sequence: int
    status: str = Field(default="", max_length=30)
    payload: dict[str, Any] = _json(dict)
    received_at: datetime | None = _at(nullable=False)


class Outcome(SQLModel, table=True):
    """What came of a conversation (by phone or on the doorstep), as the volunteer recorded it."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    voter_id: int | None = Field(default=None, foreign_key="voter.id", index=True)
    call_attempt_id: int | None = Field(
        default=None, foreign_key="callattempt.id", sa_column_kwargs={"unique": True}
    )
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    channel: str = Field(default="phone", max_length=10)  # phone or doorstep
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)  # doorstep visits
    disposition: Disposition = Field(sa_type=_enum(Disposition))
    notes: str = Field(default="", sa_type=sa.Text)
    call_back_at: datetime | None = _at()
    idempotency_key: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime | None = _at(nullable=False, index=True)


class SurveyAnswer(SQLModel, table=True):
    """One answer to one survey question within an outcome."""

    __table_args__ = (sa.UniqueConstraint("outcome_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    question_id: int = Field(foreign_key="surveyquestion.id", index=True)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))


# --- what conversations produce ----------------------------------------------------------------


class Event(SQLModel, table=True):
    """A door-knocking session in a seat, with a meeting point and a capacity."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    ons_code: str = Field(foreign_key="constituency.ons_code", max_length=9, index=True)
    title: str = Field(max_length=120)
    starts_at: datetime | None = _at(nullable=False, index=True)
    ends_at: datetime | None = _at(nullable=False)
    meeting_postcode: str = Field(max_length=8)
    lat: float
    lon: float
    capacity: int = 20
    notes: str = Field(default="", sa_type=sa.Text)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class EventSignup(SQLModel, table=True):
    """A place at an event (confirmed or waiting), for an account or for a voter who was called."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    voter_id: int | None = Field(default=None, foreign_key="voter.id")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id")
    name: str = Field(default="", max_length=120)
    status: str = Field(default="confirmed", max_length=12)  # confirmed, waitlist, cancelled
    created_at: datetime | None = _at(nullable=False)
    # An organiser confirmed this volunteer may canvass at the event (see dialer/services/signups/doorstep).
    canvass_approved_at: datetime | None = _at()
    canvass_approved_by_id: int | None = Field(default=None, foreign_key="user.id")


class Carpool(SQLModel, table=True):
    """A driver's offer of seats from a pickup point to an event."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    driver_id: int = Field(foreign_key="user.id")
    pickup_postcode: str = Field(max_length=8)
    lat: float
    lon: float
    seats_offered: int
    departs_at: datetime | None = _at(nullable=False)
    notes: str = Field(default="", max_length=300)
    created_at: datetime | None = _at(nullable=False)


class CarpoolSeat(SQLModel, table=True):
    """A rider's request for a seat in a carpool, accepted by both sides before contacts are shared."""

    id: int | None = Field(default=None, primary_key=True)
    carpool_id: int = Field(foreign_key="carpool.id", index=True)
    rider_id: int | None = Field(default=None, foreign_key="user.id")
    voter_id: int | None = Field(default=None, foreign_key="voter.id")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id")
    status: str = Field(default="requested", max_length=12)  # requested, accepted, declined, cancelled
    driver_accepted: bool = False
    rider_accepted: bool = False
    created_at: datetime | None = _at(nullable=False)


class Pledge(SQLModel, table=True):
    """A promise a campaign asks for, e.g. 'take election day off to knock on doors'."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    slug: str = Field(max_length=60)
    text: str = Field(max_length=300)
    active: bool = True


class PledgeSignup(SQLModel, table=True):
    """Someone making a pledge, from a call, a doorstep or the public pledge page.

    A person pledges once: by e-mail address, account or voter, whichever they pledged as. The keys
    hold that when two requests of the same person race, so pledgers need not queue on the pledge.
    """

    __table_args__ = tuple(
        sa.Index(
            f"uq_pledgesignup_{column}",
            "pledge_id",
            column,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
        for column, where in (
            ("email", "email <> ''"),
            ("user_id", "user_id IS NOT NULL"),
            ("voter_id", "voter_id IS NOT NULL"),
        )
    )

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledge.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    voter_id: int | None = Field(default=None, foreign_key="voter.id")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id")
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    channel: str = Field(default="web", max_length=10)  # phone, doorstep, web
    created_at: datetime | None = _at(nullable=False)


# --- administration ---------------------------------------------------------------------------


class VoterImport(SQLModel, table=True):
    """A CSV upload of voters and its progress, so a long import can be watched and audited."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    filename: str = Field(max_length=200)
    status: str = Field(default="queued", max_length=12)  # mapping, queued, running, done, failed
    encoding: str = Field(default="utf-8", max_length=20)
    headers: list[str] = _json(list)
    columns: dict[str, str] = _json(dict)  # voter field -> CSV header chosen by the organiser
    failure: str = Field(default="", max_length=300)  # why a whole file could not be imported
    total_rows: int = 0
    processed_rows: int = 0
    imported: int = 0
    merged: int = 0
    unchanged: int = 0  # rows that were already voters exactly as the file has them (a re-import)
    rejected: int = 0
    errors: list[dict[str, Any]] = _json(list)
    created_at: datetime | None = _at(nullable=False)
    finished_at: datetime | None = _at()


class VoterImportFile(SQLModel, table=True):
    """The uploaded bytes of an import, kept in SQL so a worker on any host can read them.

    Deleted when the import finishes: the voters it produced are the durable record.
    """

    import_id: int = Field(foreign_key="voterimport.id", primary_key=True)
    content: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))


class AuditEntry(SQLModel, table=True):
    """Who did what to personal data, and when: sign-ins, exports, record views, erasures."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = _at(nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=40, index=True)
    subject_type: str = Field(default="", max_length=40)
    subject_id: str = Field(default="", max_length=64)
    detail: dict[str, Any] = _json(dict)
    ip: str = Field(default="", max_length=45)
    #: dialer/domain/audit_chain.py's link over the id, time, actor, action and subject ("" before 0017).
    chain_hash: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


class AuditChainHead(SQLModel, table=True):
    """The newest link of the audit log's chain (one row): new entries take turns on it, and
    `dialer audit verify` notices entries removed from the end."""

    id: int | None = Field(default=None, primary_key=True)
    last_id: int = 0
    last_hash: str = Field(max_length=64)


# --- calling shifts -----------------------------------------------------------------------------


class CallingShift(SQLModel, table=True):
    """A time an organiser asks volunteers to call for a campaign, and how many they want."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    starts_at: datetime | None = _at(nullable=False, index=True)
    ends_at: datetime | None = _at(nullable=False)
    wanted: int = 10
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime | None = _at(nullable=False)


class ShiftBooking(SQLModel, table=True):
    """A volunteer's place on a calling shift; rung (once) at its start unless cancelled first."""

    __table_args__ = (sa.UniqueConstraint("shift_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="callingshift.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    booked_at: datetime | None = _at(nullable=False)
    cancelled_at: datetime | None = _at()
    #: When the shift's start was acted on for this booking (claimed once, by one worker).
    called_in_at: datetime | None = _at()
    #: How: "rung" (their phone, for a seat), "page" (their open calling page told), "calling"
    #: (already in a seat), or "unreachable" (no verified phone and no page open).
    called_in_by: str = Field(default="", max_length=12)
    #: The seat opened by ringing them, if one was.
    session_id: int | None = Field(default=None, foreign_key="callingsession.id")


# --- e-mail ------------------------------------------------------------------------------------


class OutgoingMail(SQLModel, table=True):
    """An e-mail handed to the workers to send (dialer/services/mail/mail.py): its subject and bodies are
    dropped once the SMTP server has taken it (or given up on), so reset links do not linger here."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # password_reset, event_place, event_reminder, ...
    to_address: str = Field(max_length=254)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    subject: str = Field(default="", max_length=200)
    text: str = Field(default="", sa_type=sa.Text)
    html: str = Field(default="", sa_type=sa.Text)
    created_at: datetime | None = _at(nullable=False)
    #: A worker sending it holds it until then (two workers never send one message twice).
    claimed_until: datetime | None = _at()
    tries: int = 0
    sent_at: datetime | None = _at(index=True)
    failed_at: datetime | None = _at()
    last_error: str = Field(default="", max_length=300)


class EventReminder(SQLModel, table=True):
    """The day-before reminder of one place at an event: the primary key makes it at most one."""

    signup_id: int = Field(foreign_key="eventsignup.id", primary_key=True)
    mail_id: int | None = Field(default=None, foreign_key="outgoingmail.id")
    queued_at: datetime | None = _at(nullable=False)


class PendingSignUp(SQLModel, table=True):
    """A sign-up waiting for its owner to open the link e-mailed to the address (which proves it is
    theirs); the account is made then. The link's token is stored only as a hash."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    email: str = Field(max_length=254, index=True)
    password_hash: str = Field(max_length=200)
    first_name: str = Field(max_length=60)
    postcode: str = Field(default="", max_length=8)
    phone_e164: str | None = Field(default=None, max_length=16)
    created_at: datetime | None = _at(nullable=False)


# --- texts to voters -----------------------------------------------------------------------------


class TextConsent(SQLModel, table=True):
    """A voter's agreement, given on a call, to be texted about what they signed up for (PECR)."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    voter_id: int = Field(foreign_key="voter.id", index=True)
    call_attempt_id: int | None = Field(default=None, foreign_key="callattempt.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")  # the volunteer who asked
    given_at: datetime | None = _at(nullable=False)


class TextMessage(SQLModel, table=True):
    """A text to a voter (a sign-up's link, or its reminder the day before) and its delivery as the
    provider reports it. The number is the voter's; it is not copied here."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    voter_id: int | None = Field(default=None, foreign_key="voter.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")  # None: sent by the system
    purpose: str = Field(max_length=10)  # link, reminder
    kind: str = Field(max_length=10)  # event, carpool, pledge
    target_id: int
    #: One text per purpose and sign-up: a second attempt collides here.
    once_key: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    link_token: str = Field(max_length=24, sa_column_kwargs={"unique": True})
    body: str = Field(default="", sa_type=sa.Text)
    provider_sid: str | None = Field(default=None, max_length=34, sa_column_kwargs={"unique": True})
    status: str = Field(
        default="new", max_length=16
    )  # new (not yet with the provider), queued, sent, delivered, ...
    error_code: int | None = None
    created_at: datetime | None = _at(nullable=False, index=True)
    status_at: datetime | None = _at()


class TextOptOut(SQLModel, table=True):
    """A number that replied STOP (or another opt-out word): no text goes to it again."""

    id: int | None = Field(default=None, primary_key=True)
    phone_e164: str = Field(max_length=16, sa_column_kwargs={"unique": True})
    keyword: str = Field(default="", max_length=20)
    created_at: datetime | None = _at(nullable=False)


class CampaignTextWording(SQLModel, table=True):
    """A campaign's own wording for one kind of text (dialer.domain.text_messages.DEFAULT_WORDING
    otherwise): written by its organisers, never by a volunteer."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    purpose: str = Field(max_length=10, primary_key=True)  # link, reminder
    kind: str = Field(max_length=10, primary_key=True)  # event, carpool, pledge
    wording: str = Field(max_length=240)


# --- sharing with a cascade (see dialer/services/signups/cascade.py) ---------------------------------


class ShareLink(SQLModel, table=True):
    """A person's own link to a pledge, an event or a phone bank: whatever it brings credits them.

    A sharer is known by their e-mail address (a volunteer's account, or a pledger without one).
    `listed`: they agreed to appear by first name among the campaign's top sharers.
    """

    __table_args__ = (sa.UniqueConstraint("owner_email", "kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, sa_column_kwargs={"unique": True})
    owner_email: str = Field(max_length=254, index=True)
    owner_name: str = Field(default="", max_length=120)
    kind: str = Field(max_length=10)  # pledge, event, phonebank
    target_id: int
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    ons_code: str | None = Field(default=None, max_length=9)
    listed: bool = False
    created_at: datetime | None = _at(nullable=False)


class ShareArrival(SQLModel, table=True):
    """The first link that brought a person: it credits its sharer for 30 days from `arrived_at`.

    `generation` is 1 for someone brought by a sharer nobody brought, 2 for the people they bring...
    """

    person_email: str = Field(max_length=254, primary_key=True)
    link_id: int = Field(foreign_key="sharelink.id", index=True)
    generation: int
    arrived_at: datetime | None = _at(nullable=False)


class ShareConversion(SQLModel, table=True):
    """Something done through a link (a pledge, a place at an event, a call session)."""

    __table_args__ = (sa.UniqueConstraint("kind", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="sharelink.id", index=True)
    person_email: str = Field(max_length=254)
    kind: str = Field(max_length=10)  # pledge, event, call, knockup
    subject_id: int
    generation: int
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    ons_code: str | None = Field(default=None, max_length=9)
    at: datetime | None = _at(nullable=False, index=True)


class ShareCredit(SQLModel, table=True):
    """A conversion counted for one sharer up its chain: depth 1 is whose link it came through."""

    conversion_id: int = Field(foreign_key="shareconversion.id", primary_key=True)
    sharer_email: str = Field(max_length=254, primary_key=True, index=True)
    depth: int


class ShareOpenCount(SQLModel, table=True):
    """Opens of a link in one hour, counted in Redis and added here by `cascade.flush_opens`."""

    link_id: int = Field(foreign_key="sharelink.id", primary_key=True)
    hour: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    count: int = 0


class ShiftReminder(SQLModel, table=True):
    """The day-before reminder of one calling-shift booking: the primary key makes it at most one."""

    booking_id: int = Field(foreign_key="shiftbooking.id", primary_key=True)
    mail_id: int | None = Field(default=None, foreign_key="outgoingmail.id")
    queued_at: datetime | None = _at(nullable=False)


# --- knocking up on polling day (see dialer/services/signups/knock_up.py) -----------------------------


class KnockUpSlot(SQLModel, table=True):
    """A polling-day window in one of a campaign's target seats, with its places and meeting point.

    `taken` counts the live bookings: a booking takes a place with one conditional UPDATE
    (`taken < places`), and the CHECK keeps even a wrong write from overbooking.
    """

    __table_args__ = (
        sa.CheckConstraint("taken >= 0 AND taken <= places", name="knock_up_places_not_overbooked"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    ons_code: str = Field(foreign_key="constituency.ons_code", max_length=9)
    starts_at: datetime | None = _at(nullable=False, index=True)
    ends_at: datetime | None = _at(nullable=False)
    places: int
    taken: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    meeting_point: str = Field(default="", max_length=200)
    meeting_postcode: str = Field(max_length=8)
    lat: float
    lon: float
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime | None = _at(nullable=False)


class KnockUpBooking(SQLModel, table=True):
    """A pledger's place in a knock-up slot, known by their e-mail address (and account, if any)."""

    __table_args__ = (sa.UniqueConstraint("slot_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="knockupslot.id", index=True)
    email: str = Field(max_length=254, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=120)
    booked_at: datetime | None = _at(nullable=False)
    cancelled_at: datetime | None = _at()
