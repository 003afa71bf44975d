"""The answer webhook's hot path over real SQL and Redis: what it reads and writes, and what it counts."""

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from dialer.domain.call_control import JoinSeat
from dialer.domain.campaign_settings import CallingSettings
from dialer.models import CallAttempt, CallingSession, Voter
from dialer.services.calling import live_figures
from dialer.services.calling.call_events import Answer, on_answer
from dialer.services.campaigns.campaigns import CampaignSpec, VoterSpec, add_voters, create_campaign
from dialer.services.phone_bank import campaign_room
from tests.phone_bank_builders import SEAT, drama_number, ensure_constituency, make_campaign, make_volunteer
from tests.phone_bank_builders import ready_seat as start_ready_seat

pytestmark = pytest.mark.integration

OTHER_SEAT = "E14001173"


def placed_call(bank, clock, volunteer_name="Priya"):
    """A power-mode call placed for a ready seat, not yet answered."""
    campaign_id = make_campaign(bank, voters=1)
    session_id = start_ready_seat(bank, make_volunteer(bank, volunteer_name), campaign_id)
    clock.advance(1)  # the pacing and place_call jobs run
    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt).where(CallAttempt.session_id == session_id)).one()
    return call, session_id


def answer(bank, call):
    return on_answer(
        bank, Answer(call.id, call.campaign_id, call.session_id, call.provider_sid or "", any_seat=True)
    )


def test_answering_locks_the_call_reads_its_seat_once_and_writes_only_the_call_and_the_seat(
    bank, clock, dialer_services
):
    call, _ = placed_call(bank, clock)
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        verb, target = statement.split()[:2]
        statements.append(f"UPDATE {target}" if verb == "UPDATE" else verb)

    sa.event.listen(dialer_services.engine, "before_cursor_execute", note)
    try:
        instruction = answer(bank, call)
    finally:
        sa.event.remove(dialer_services.engine, "before_cursor_execute", note)

    assert isinstance(instruction, JoinSeat)
    # the first SELECT locks the call (FOR UPDATE on PostgreSQL) so a retried webhook waits, then sees it
    assert statements == ["SELECT", "SELECT", "UPDATE callattempt", "UPDATE callingsession"]


def test_an_answer_counts_the_answer_and_the_connection_for_the_volunteer_in_the_voters_seat(
    bank, clock, dialer_services
):
    call, session_id = placed_call(bank, clock, volunteer_name="Priya")
    with bank.uow() as uow:
        volunteer = uow.session.get(CallingSession, session_id).user_id
    dialer_services.live.published.clear()

    answer(bank, call)

    deltas = [
        payload
        for room, event, payload in dialer_services.live.published
        if event == "tally" and room == campaign_room(call.campaign_id)
    ]
    (delta,) = deltas  # the answer and the connection are one change: one delta, one version
    assert delta["changes"]["all|answered"] == delta["changes"][f"seat:{SEAT}|answered"] == 1
    assert delta["changes"]["all|connects"] == delta["changes"][f"seat:{SEAT}|connects"] == 1
    assert delta["changes"][f"vol:{volunteer}|connects"] == 1
    assert delta["volunteer"] == {"id": volunteer, "name": "Priya"}
    assert delta["version"] == bank.tally.read(call.campaign_id).version


def test_the_figures_seat_in_sql_is_the_voters_own_or_else_the_campaigns_only_target_seat(bank):
    ensure_constituency(bank)
    ensure_constituency(bank, OTHER_SEAT)
    now = bank.clock.now()
    settings = CallingSettings(caller_id="020 7946 0000")
    one_seat = create_campaign(bank.uow(), CampaignSpec("One seat", settings, seats=[SEAT]), now=now)
    two_seats = create_campaign(
        bank.uow(), CampaignSpec("Two seats", settings, seats=[SEAT, OTHER_SEAT]), now=now
    )
    add_voters(
        bank.uow(),
        one_seat,
        [VoterSpec("Known", drama_number(1), ons_code=OTHER_SEAT), VoterSpec("Unknown", drama_number(2))],
        now=now,
    )
    add_voters(bank.uow(), two_seats, [VoterSpec("Unplaced", drama_number(3))], now=now)

    with bank.uow() as uow:
        rows = uow.session.exec(select(Voter, live_figures.voter_seat()).order_by(col(Voter.id))).all()
        in_sql = {voter.first_name: seat for voter, seat in rows}
        in_python = {voter.first_name: live_figures.seat_of(uow.session, voter) for voter, _ in rows}

    assert in_sql == in_python == {"Known": OTHER_SEAT, "Unknown": SEAT, "Unplaced": None}
