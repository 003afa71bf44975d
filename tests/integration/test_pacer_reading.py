"""What the predictive pacer reads from the record: the lines in flight, and when answers need seats.

Real SQL; the calls are written as the webhooks would have left them.
"""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from dialer.domain.calls import AnsweredBy, CallStatus
from dialer.domain.campaigns import DialingMode
from dialer.domain.compliance_governor import AbandonCounts
from dialer.domain.pacing_estimates import SessionEstimates
from dialer.models import CallAttempt, Campaign, Voter
from dialer.services.calling.predictive_pacing import abandon_reading, learnt, seats_now
from tests.phone_bank_builders import make_campaign

pytestmark = pytest.mark.integration


def record_calls(bank, clock, calls: list[dict[str, Any]]) -> int:
    """A predictive campaign whose calls, each placed 10 s ago, are as `calls` describe."""
    campaign_id = make_campaign(bank, voters=len(calls), mode=DialingMode.PREDICTIVE, detect_machines=True)
    placed = clock.now() - timedelta(seconds=10)
    with bank.uow() as uow:
        voters = uow.session.exec(select(Voter.id).where(Voter.campaign_id == campaign_id)).all()
        for n, (voter_id, fields) in enumerate(zip(voters, calls, strict=True)):
            uow.session.add(
                CallAttempt(
                    campaign_id=campaign_id,
                    voter_id=voter_id or 0,
                    mode=DialingMode.PREDICTIVE,
                    provider_sid=f"CA{n:032d}",
                    placed_at=placed,
                    **fields,
                )
            )
        uow.commit()
    return campaign_id


def test_an_answer_detection_is_still_listening_to_counts_as_a_line_that_may_need_a_seat(bank, clock):
    now = clock.now()
    answered = now - timedelta(seconds=2)
    campaign_id = record_calls(
        bank,
        clock,
        [
            {"status": CallStatus.RINGING},
            {"status": CallStatus.IN_PROGRESS, "answered_at": answered},  # detection still listening
            {
                "status": CallStatus.IN_PROGRESS,
                "answered_at": answered,
                "answered_by": AnsweredBy.MACHINE_START,
            },
            {
                "status": CallStatus.IN_PROGRESS,
                "answered_at": answered,
                "abandoned": True,
                "info_message_at": now,
            },
            {"status": CallStatus.COMPLETED, "answered_at": answered, "ended_at": now},
        ],
    )

    with bank.uow() as uow:
        seats = seats_now(uow.session, campaign_id, now, calls_per_second=1)

    assert seats.ringing_ages_s == [10.0, 10.0], "the ringing call and the one still being heard"


def test_an_answer_needs_its_seat_when_the_answer_webhook_runs_not_at_the_pick_up(bank, clock):
    now = clock.now()
    placed = now - timedelta(seconds=10)
    campaign_id = record_calls(
        bank,
        clock,
        [  # picked up 5 s after the dial, heard as a person 3 s later
            {
                "status": CallStatus.COMPLETED,
                "answered_at": placed + timedelta(seconds=5),
                "connected_at": placed + timedelta(seconds=8),
                "ended_at": now,
            },
            {  # picked up after 4 s, nobody free when detection had heard a person 2 s later
                "status": CallStatus.COMPLETED,
                "answered_at": placed + timedelta(seconds=4),
                "abandoned": True,
                "info_message_at": placed + timedelta(seconds=6),
                "ended_at": now,
            },
        ],
    )

    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        estimates = learnt(uow.session, campaign, now)

    expected = SessionEstimates.starting(float(campaign.ring_timeout_s))
    expected.answers.record_need(8.0)
    expected.answers.record_need(6.0)
    assert estimates.answers.mean_time_to_connect() == pytest.approx(expected.answers.mean_time_to_connect())
    assert estimates.answers.calls == 2


def test_the_governor_reads_the_last_24_hours_and_today_in_one_go(bank, clock):
    now = clock.now()  # 17:00 in London
    yesterday_evening, an_hour_ago = now - timedelta(hours=23), now - timedelta(hours=1)
    campaign_id = record_calls(
        bank,
        clock,
        [
            {
                "status": CallStatus.COMPLETED,
                "answered_at": yesterday_evening,
                "connected_at": yesterday_evening,
            },
            {"status": CallStatus.COMPLETED, "answered_at": yesterday_evening, "abandoned": True},
            {"status": CallStatus.COMPLETED, "answered_at": an_hour_ago, "connected_at": an_hour_ago},
            {
                "status": CallStatus.COMPLETED,
                "answered_at": an_hour_ago,
                "answered_by": AnsweredBy.MACHINE_START,
            },
            {"status": CallStatus.COMPLETED, "answered_at": now - timedelta(hours=25), "abandoned": True},
        ],
    )

    with bank.uow() as uow:
        reading = abandon_reading(uow.session, campaign_id, now)

    assert reading.rolling_24h == AbandonCounts(live=3, abandoned=1, turned_away_as_machines=1)
    assert reading.today == AbandonCounts(live=1, abandoned=0, turned_away_as_machines=1)
