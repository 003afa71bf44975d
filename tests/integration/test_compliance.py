"""Nobody is dialled who must not be: TPS, the suppression list, the 72-hour block, outside calling hours."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from dialer.clock import SimClock
from dialer.domain.dispositions import Disposition
from dialer.models import AuditEntry, SuppressionEntry, Voter
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def set_voters(bank, **fields):
    with bank.uow() as uow:
        for voter in uow.session.exec(select(Voter)).all():
            for name, value in fields.items():
                setattr(voter, name, value)
        uow.commit()


def dialled(telephony):
    return [call.to for _, call in telephony.placed]


def test_tps_suppressed_and_blocked_voters_are_skipped(bank, clock, telephony):
    campaign = make_campaign(bank, voters=6, open_now=False)
    with bank.uow() as uow:
        voters = uow.session.exec(select(Voter).order_by(col(Voter.id))).all()
        voters[0].tps = True
        voters[1].blocked_until = clock.now() + timedelta(hours=71)
        voters[2].next_call_at = clock.now() + timedelta(hours=1)
        uow.session.add(
            SuppressionEntry(phone_e164=voters[3].phone_e164, reason="opt_out", created_at=clock.now())
        )
        uow.commit()
    from dialer.services.calling.upkeep import open_phone_bank

    open_phone_bank(bank, campaign)
    for n in range(3):
        ready_seat(bank, make_volunteer(bank, f"V{n}"), campaign)
    clock.advance(1)
    assert sorted(dialled(telephony)) == [drama_number(4), drama_number(5)]


def test_a_suppression_added_after_the_queue_was_built_is_honoured_at_once(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    with bank.uow() as uow:
        uow.session.add(SuppressionEntry(phone_e164=drama_number(0), reason="admin", created_at=clock.now()))
        uow.commit()
    ready_seat(bank, make_volunteer(bank), campaign)
    ready_seat(bank, make_volunteer(bank, "Kim"), campaign)
    clock.advance(1)
    assert dialled(telephony) == [drama_number(1)], "the SQL check catches what Redis did not know yet"


@pytest.mark.parametrize("clock", [SimClock(datetime(2026, 11, 28, 8, 30, tzinfo=UTC))])
def test_nobody_is_dialled_before_the_weekend_window_opens(bank, clock, telephony):
    campaign = make_campaign(bank, voters=2)
    ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(29 * 60)
    assert telephony.placed == [], "08:30-08:59 on a Saturday: closed"
    clock.advance(60 + 11)
    assert len(telephony.placed) == 1, "the heartbeat dials once the window opens at 09:00"


def test_do_not_call_suppresses_the_number_in_every_campaign_immediately(bank, clock, telephony):
    first = make_campaign(bank, voters=1)
    second = make_campaign(bank, name="Neighbouring seat", voters=1)  # the same drama number 000
    volunteer = make_volunteer(bank)
    session_id = ready_seat(bank, volunteer, first)
    clock.advance(1)
    from tests.integration.test_power_dialing import answer, only_call

    call = only_call(bank, session_id)
    answer(bank, call)
    record_outcome(bank, volunteer, session_id, OutcomeForm(call.id, Disposition.DO_NOT_CALL.value))
    with bank.uow() as uow:
        entry = uow.session.exec(
            select(SuppressionEntry).where(SuppressionEntry.phone_e164 == drama_number(0))
        ).one()
        assert (entry.reason, entry.created_by_id) == ("opt_out", volunteer)
        assert all(v.do_not_call for v in uow.session.exec(select(Voter)).all())
        audited = uow.session.exec(select(AuditEntry.action, AuditEntry.actor_id)).all()
        assert ("suppression_added", volunteer) in audited
    ready_seat(bank, make_volunteer(bank, "Kim"), second)
    clock.advance(30)
    assert len(telephony.placed) == 1, "the other campaign never dials the opted-out number"
