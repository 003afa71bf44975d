"""Predictive dialing in the product: a whole shift on the simulator, paced ahead of the seats, within Ofcom's rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from dialer.domain.calls import MACHINE_ANSWERS
from dialer.domain.campaigns import DialingMode
from dialer.domain.compliance_governor import GovernorSettings
from dialer.models import CallAttempt, PacerState, Voter
from dialer.services.calling import dashboard, predictive_pacing
from tests.dashboard_shift import Shift

pytestmark = pytest.mark.integration

#: A pacer told to take far more risk than the governor ever allows, so a short shift abandons calls.
GREEDY = GovernorSettings(
    start_overflow=0.6, min_overflow=0.6, max_overflow=0.6, brake_at=1.0, release_at=1.0
)


def _predictive_team(settings, clean_db, redis, redis_url, **options):
    """Ten volunteers in predictive mode calling 400 voters on the simulator."""
    running = Shift(
        settings,
        clean_db,
        redis,
        redis_url,
        voters=400,
        volunteers=10,
        mode=DialingMode.PREDICTIVE,
        **options,
    )
    yield running
    running.close()


@pytest.fixture
def predictive_shift(settings, clean_db, redis, redis_url):
    yield from _predictive_team(settings, clean_db, redis, redis_url, faults=False)


@pytest.fixture
def detecting_shift(settings, clean_db, redis, redis_url):
    """A predictive team on a campaign with answering-machine detection on, Twilio repeating callbacks."""
    yield from _predictive_team(settings, clean_db, redis, redis_url, detect_machines=True)


def _calls(shift: Shift) -> list[tuple[CallAttempt, Voter]]:
    with shift.services.uow() as uow:
        rows = uow.session.exec(select(CallAttempt, Voter).join(Voter)).all()
        return [(call, voter) for call, voter in rows]


def test_abandoned_calls_hear_the_message_within_2_seconds_and_are_not_redialled_for_72_hours(
    predictive_shift, monkeypatch
):
    monkeypatch.setattr(predictive_pacing, "GOVERNOR", GREEDY)
    predictive_shift.advance(15 * 60)

    calls = _calls(predictive_shift)
    abandoned = [(call, voter) for call, voter in calls if call.abandoned]
    assert abandoned, "a greedy pacer abandons some calls in 15 minutes"
    for call, voter in abandoned:
        assert call.answered_at is not None and call.info_message_at is not None
        assert call.info_message_at - call.answered_at <= timedelta(seconds=2)
        assert voter.blocked_until is not None
        assert voter.blocked_until >= call.answered_at + timedelta(hours=72)
        later = [
            other
            for other, _ in calls
            if other.voter_id == voter.id and other.placed_at and other.placed_at > call.answered_at
        ]
        assert later == []


def test_a_predictive_team_is_dialled_ahead_without_reserving_seats_and_the_dashboard_shows_the_pacer(
    predictive_shift,
):
    predictive_shift.advance(10 * 60)

    calls = [call for call, _ in _calls(predictive_shift)]
    assert calls and all(call.mode is DialingMode.PREDICTIVE for call in calls)
    connected = [call for call in calls if call.connected_at is not None]
    assert connected and all(call.session_id is not None for call in connected)
    with predictive_shift.services.uow() as uow:
        row = uow.session.get(PacerState, predictive_shift.campaign_id)
        assert row is not None and row.governed_at is not None
    pacer = dashboard.snapshot(predictive_shift.bank, predictive_shift.campaign_id)["pacer"]
    assert pacer["mode"] in ("predictive", "power")
    assert pacer["dial_level"] >= 0
    # The governor's rate is Ofcom's, from the record: abandoned over answered and put through or abandoned
    # (as of its last pacing run, which no call has ended since: the shift's clock stopped after it).
    live = [call for call in calls if call.connected_at is not None or call.abandoned]
    paced_at = datetime.fromisoformat(pacer["paced_at"])
    live = [call for call in live if call.answered_at is not None and call.answered_at <= paced_at]
    expected = 100 * sum(call.abandoned for call in live) / len(live)
    assert pacer["abandon_24h_pct"] == round(expected, 2)


def test_with_detection_on_every_answer_is_taken_at_once_and_no_machine_verdict_cuts_off_a_seat(
    detecting_shift,
):
    """Asynchronous detection (issue 18): answers are put through or hear the message at the pick-up,
    as without detection; verdicts come later and hang up nothing that reached a volunteer."""
    shift = detecting_shift
    shift.advance(10 * 60)

    calls = [call for call, _ in _calls(shift)]
    by_sid = {call.provider_sid: call for call in calls}
    heard = {event.call_sid: event.data["answered_by"] for event in shift.sim.events(kind="amd")}
    machines = [by_sid[sid] for sid, verdict in heard.items() if verdict in MACHINE_ANSWERS]
    assert len(machines) >= 5, "the mix's machines, faxes and misheard people"
    greetings = [
        e.call_sid for e in shift.sim.events(kind="call-created") if e.data["behaviour"] == "machine"
    ]
    answered_machines = [sid for sid in greetings if sid in heard]
    assert answered_machines and all(heard[sid] in MACHINE_ANSWERS for sid in answered_machines), (
        "detection listens long enough to know a greeting"
    )
    joined = {event.call_sid for event in shift.sim.events(kind="joined")}
    cut_off = [
        e.call_sid
        for e in shift.sim.events(kind="ended")
        if e.call_sid in joined and e.data["by"] == "api" and e.call_sid in heard
    ]
    assert cut_off == [], "a verdict never hangs up a call put through to a volunteer"
    for call in machines:
        assert call.answered_by == heard[call.provider_sid] and call.answered_at is not None
        assert call.connected_at is not None or call.abandoned, "taken at the answer, before the verdict"

    people = [by_sid[sid] for sid, verdict in heard.items() if verdict == "human"]
    assert people and all(call.connected_at or call.abandoned for call in people)
    assert any(call.provider_sid in joined for call in people), "people still get through"
    figures = shift.bank.tally.read(shift.campaign_id).figures
    assert figures["all|answered"] >= len(machines) + len(people)
    assert figures.get("all|abandoned", 0) == sum(call.abandoned for call in calls)
