"""The live figures: counted once as things happen, equal to a recount from SQL, rebuilt on demand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from dialer.adapters.redis_tally import figures_key
from dialer.domain import figures
from dialer.domain.figures import key
from dialer.models import CallAttempt, Outcome, PledgeSignup, Voter
from dialer.services.calling import dashboard, dialing, live_figures
from dialer.services.calling.call_events import StatusReport, on_call_status
from tests.dashboard_shift import Shift
from tests.phone_bank_builders import SEAT, make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


@pytest.fixture
def shift(settings, clean_db, redis, redis_url):
    running = Shift(settings, clean_db, redis, redis_url)
    yield running
    running.close()


def test_totals_after_a_simulated_shift_equal_a_recount_from_sql(shift):
    shift.advance(40 * 60)

    counted = shift.bank.tally.read(shift.campaign_id).figures
    with shift.services.uow() as uow:
        recounted = dashboard.recount(uow.session, shift.campaign_id)
        dialled = uow.session.exec(
            select(func.count()).where(col(CallAttempt.provider_sid).is_not(None))
        ).one()
        talked = uow.session.exec(select(func.count()).where(Outcome.disposition == "talked")).one()
        pledged = uow.session.exec(select(func.count()).select_from(PledgeSignup)).one()
    assert counted == recounted
    assert counted[key("all", "dials")] == dialled > 20
    assert counted[key("all", "conversations")] == talked > 3
    assert counted[key(figures.seat_scope(SEAT), "dials")] == dialled, "the seat's figures are its voters'"
    assert counted[key("all", "signups_pledge")] == pledged > 0
    assert any(name.startswith("vol:") for name in counted), "volunteers have their own figures"
    assert any(name.endswith("|ans:1:Lab") or "|ans:" in name for name in counted)
    assert shift.sim.events(kind="fault"), "Twilio's repeated and late callbacks were part of the run"


def test_a_repeated_status_callback_counts_nothing_twice(shift):
    shift.advance(10 * 60)
    with shift.services.uow() as uow:
        call = uow.session.exec(
            select(CallAttempt).where(
                col(CallAttempt.answered_at).is_not(None), col(CallAttempt.provider_sid).is_not(None)
            )
        ).first()
    assert call is not None and call.provider_sid is not None
    before = shift.bank.tally.read(shift.campaign_id)
    for status in ("in-progress", "completed"):  # Twilio sending both again, and a reconciler's look
        on_call_status(shift.bank, StatusReport(call.id, call.provider_sid, status, sequence=2))
        on_call_status(
            shift.bank, StatusReport(call.id, call.provider_sid, status, sequence=None, kind="reconcile")
        )
    after = shift.bank.tally.read(shift.campaign_id)
    assert after.figures == before.figures and after.version == before.version


def test_an_organiser_reconciling_puts_lost_or_wrong_figures_right(shift, redis):
    shift.advance(15 * 60)
    truth = shift.bank.tally.read(shift.campaign_id).figures
    redis.hincrby(figures_key(shift.campaign_id), key("all", "dials"), 7)  # drifted
    redis.hdel(figures_key(shift.campaign_id), key("all", "connects"))  # lost

    result = dashboard.reconcile(shift.bank, shift.campaign_id)

    assert shift.bank.tally.read(shift.campaign_id).figures == truth
    assert result.corrected[key("all", "dials")] == (
        truth[key("all", "dials")] + 7,
        truth[key("all", "dials")],
    )
    assert key("all", "connects") in result.corrected
    assert "reconciled" in {event for _, event, _ in shift.live.published}


def test_the_first_paint_recounts_when_redis_lost_the_figures(shift, redis):
    shift.advance(10 * 60)
    truth = shift.bank.tally.read(shift.campaign_id).figures
    redis.delete(figures_key(shift.campaign_id))
    shift.advance(3 * 60)  # counting goes on meanwhile, into an incomplete hash

    painted = dashboard.snapshot(shift.bank, shift.campaign_id)

    with shift.services.uow() as uow:
        assert painted["figures"] == dashboard.recount(uow.session, shift.campaign_id)
    assert painted["figures"][key("all", "dials")] >= truth[key("all", "dials")]
    assert painted["seats"] == [{"code": SEAT, "name": "Cities of London and Westminster"}]
    assert {s["state"] for s in painted["sessions"]} <= {"ready", "dialing", "connected", "wrap_up"}
    assert len(painted["volunteers"]) == 4
    assert painted["pool"]["total"] == 40


def test_the_pool_says_who_can_be_rung_now_later_or_never(shift):
    with shift.services.uow() as uow:
        voters = uow.session.exec(select(Voter).where(Voter.campaign_id == shift.campaign_id)).all()
        now = shift.clock.now()
        voters[0].done = True
        voters[1].next_call_at = now + timedelta(minutes=30)
        voters[2].blocked_until = now + timedelta(hours=72)
        voters[3].attempts = 3
        voters[4].tps = True
        uow.session.add_all(voters[:5])
        uow.commit()
        from dialer.models import Campaign

        campaign = uow.session.get(Campaign, shift.campaign_id)
        assert campaign is not None
        pool = dashboard.pool_health(uow.session, campaign, now)
    assert (pool.callable_now, pool.later, pool.coming_due_1h, pool.exhausted) == (35, 2, 1, 3)
    assert pool.by_reason == {"done": 1, "max_attempts": 1, "tps": 1}
    assert pool.minutes_left(dials_last_hour=72) == 30


def test_an_abandoned_call_counts_against_the_three_percent_line_as_the_record_does(bank):
    from dialer.domain.campaigns import DialingMode
    from dialer.services.calling.call_events import Answer, on_answer

    campaign_id = make_campaign(bank, voters=1)
    with bank.uow() as uow:
        voter = uow.session.exec(select(Voter)).one()
        call = CallAttempt(
            campaign_id=campaign_id,
            voter_id=voter.id or 0,
            mode=DialingMode.POWER,
            placed_at=bank.clock.now(),
        )
        uow.session.add(call)
        uow.commit()
        call_id = call.id or 0
    dialing.place_call(bank, call_id)  # the worker's job: the provider takes the call
    with bank.uow() as uow:
        sid = uow.session.get(CallAttempt, call_id).provider_sid
    assert sid is not None
    on_answer(bank, Answer(call_id, campaign_id, None, sid, any_seat=True))  # no volunteer free
    on_call_status(bank, StatusReport(call_id, sid, "completed", sequence=3, duration_s=12))

    counted = bank.tally.read(campaign_id).figures
    with bank.uow() as uow:
        assert counted == dashboard.recount(uow.session, campaign_id)
    assert counted[key("all", "abandoned")] == counted[key("all", "disp:abandoned")] == 1
    rates = figures.rates(counted, now=bank.clock.now())
    assert rates.abandon_rate_pct == 100.0 and rates.abandon_over_limit


def test_a_dial_counts_for_the_volunteer_who_took_the_call_when_another_seat_took_it(bank):
    from dialer.domain.seats import SeatState
    from dialer.services.calling import sessions
    from dialer.services.calling.call_events import Answer, on_answer

    campaign_id = make_campaign(bank, voters=1)
    first, second = make_volunteer(bank, "Ann"), make_volunteer(bank, "Bo")
    first_seat = ready_seat(bank, first, campaign_id)
    assert dialing.pace_campaign(bank, campaign_id) == 1
    with bank.uow() as uow:
        call = uow.session.exec(select(CallAttempt)).one()
    dialing.place_call(bank, call.id or 0)
    assert bank.tally.read(campaign_id).figures[key(f"vol:{first}", "dials")] == 1
    second_seat = ready_seat(bank, second, campaign_id)
    sessions.end_session(bank, first, first_seat)  # Ann leaves while the voter's phone rings
    with bank.uow() as uow:
        sid = uow.session.get(CallAttempt, call.id).provider_sid
    on_answer(bank, Answer(call.id or 0, campaign_id, first_seat, sid or "", any_seat=True))

    counted = bank.tally.read(campaign_id).figures
    assert bank.seats.get(second_seat).state is SeatState.CONNECTED
    assert key(f"vol:{first}", "dials") not in counted
    assert counted[key(f"vol:{second}", "dials")] == counted[key(f"vol:{second}", "connects")] == 1
    with bank.uow() as uow:
        assert counted == dashboard.recount(uow.session, campaign_id)


def one_paced_call(bank) -> tuple[int, int]:
    """A campaign with one ready seat and one voter, paced: (campaign id, the call's id), not yet placed."""
    campaign_id = make_campaign(bank, voters=1)
    ready_seat(bank, make_volunteer(bank, "Ann"), campaign_id)
    assert dialing.pace_campaign(bank, campaign_id) == 1
    with bank.uow() as uow:
        call_id = uow.session.exec(select(CallAttempt.id)).one()
    assert call_id is not None
    return campaign_id, call_id


def ends_unanswered(bank, call_id: int) -> None:
    with bank.uow() as uow:
        sid = uow.session.get(CallAttempt, call_id).provider_sid
    on_call_status(bank, StatusReport(call_id, sid, "no-answer", sequence=2))


def assert_one_dial_as_the_record_says(bank, campaign_id: int) -> None:
    counted = bank.tally.read(campaign_id).figures
    assert counted[key("all", "dials")] == 1
    with bank.uow() as uow:
        assert counted == dashboard.recount(uow.session, campaign_id)


def test_a_dial_whose_worker_died_before_counting_it_is_counted_when_the_call_ends(bank, monkeypatch):
    campaign_id, call_id = one_paced_call(bank)
    with monkeypatch.context() as killed:  # the worker dies after its commit, before counting
        killed.setattr(live_figures, "count", lambda *args, **kwargs: None)
        dialing.place_call(bank, call_id)
    assert key("all", "dials") not in bank.tally.read(campaign_id).figures

    ends_unanswered(bank, call_id)

    assert_one_dial_as_the_record_says(bank, campaign_id)


def test_a_call_placed_before_redis_restarted_and_ending_after_the_rebuild_counts_its_dial_once(bank, redis):
    campaign_id, call_id = one_paced_call(bank)
    dialing.place_call(bank, call_id)
    for name in redis.scan_iter("marginal:tally:*"):  # Redis restarted empty mid-call
        redis.delete(name)
    dashboard.reconcile(bank, campaign_id)  # the rebuild from SQL

    ends_unanswered(bank, call_id)

    assert_one_dial_as_the_record_says(bank, campaign_id)
