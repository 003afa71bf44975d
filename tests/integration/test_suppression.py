"""The do-not-call list: across every campaign, immediate and absolute."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from dialer.errors import InvalidInput
from dialer.models import AuditEntry, SuppressionEntry, Voter
from dialer.services.compliance import suppression
from dialer.services.compliance.audit import Actor
from tests.people import add_campaign, add_voter

pytestmark = pytest.mark.integration

ADMIN = Actor(None, "127.0.0.1")


def test_adding_a_number_stops_every_campaign_calling_it(services):
    first = add_campaign(services, "First")
    second = add_campaign(services, "Second")
    voters = [add_voter(services, first), add_voter(services, second)]
    assert suppression.add(services.uow(), services.clock, ADMIN, "07700 900123", "tps", "TPS screen 3 June")
    with services.uow() as uow:
        assert suppression.is_suppressed(uow.session, "+447700900123")
        flags = [(v.do_not_call, v.done) for v in (uow.session.get(Voter, i) for i in voters)]
        assert flags == [(True, True), (True, True)]
        entry = uow.session.exec(select(SuppressionEntry)).one()
        assert (entry.reason, entry.source) == ("tps", "TPS screen 3 June")
        assert uow.session.exec(select(AuditEntry.action)).all() == ["suppression_added"]


def test_adding_a_number_twice_keeps_one_entry(services):
    assert suppression.add(services.uow(), services.clock, ADMIN, "07700 900123", "opt_out")
    assert not suppression.add(services.uow(), services.clock, ADMIN, "+447700900123", "tps")
    with services.uow() as uow:
        assert len(uow.session.exec(select(SuppressionEntry)).all()) == 1


def test_an_unknown_reason_is_refused(services):
    with pytest.raises(InvalidInput, match="reason"):
        suppression.add(services.uow(), services.clock, ADMIN, "07700 900123", "because")


def test_a_voter_saying_do_not_call_is_suppressed_at_once_in_every_campaign(services):
    first = add_campaign(services, "First")
    second = add_campaign(services, "Second")
    asked = add_voter(services, first)
    same_person_elsewhere = add_voter(services, second)
    someone_else = add_voter(services, second, phone="+447700900456")
    suppression.record_do_not_call(services.uow(), services.clock, asked, Actor(None))
    with services.uow() as uow:
        assert suppression.is_suppressed(uow.session, "+447700900123")
        assert uow.session.get(Voter, same_person_elsewhere).do_not_call
        assert not uow.session.get(Voter, someone_else).do_not_call
        assert uow.session.exec(select(SuppressionEntry.reason)).one() == "opt_out"


def test_do_not_call_can_be_recorded_inside_the_dialers_own_transaction(services):
    voter_id = add_voter(services, add_campaign(services, "First"))
    with services.uow() as uow:
        voter = uow.session.get(Voter, voter_id)
        suppression.mark_do_not_call(uow.session, services.clock, voter, Actor(None))
        uow.rollback()  # the dialer's outcome failed: the opt-out goes with it, nothing half-done
    with services.uow() as uow:
        assert not suppression.is_suppressed(uow.session, "+447700900123")


def test_a_batch_check_finds_the_suppressed_numbers(services):
    for number in ("07700 900001", "07700 900003"):
        suppression.add(services.uow(), services.clock, ADMIN, number, "opt_out")
    wanted = [f"+4477009000{n:02d}" for n in range(1, 700)]
    with services.uow() as uow:
        assert suppression.suppressed_among(uow.session, wanted) == {"+447700900001", "+447700900003"}


def test_removing_a_number_lets_campaigns_call_it_again(services):
    voter_id = add_voter(services, add_campaign(services, "First"))
    suppression.add(services.uow(), services.clock, ADMIN, "07700 900123", "admin", "added by mistake")
    listing = suppression.listing(services.uow())
    suppression.remove(services.uow(), services.clock, ADMIN, listing.entries[0].id)
    with services.uow() as uow:
        assert not suppression.is_suppressed(uow.session, "+447700900123")
        assert not uow.session.get(Voter, voter_id).do_not_call
        assert uow.session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all() == [
            "suppression_added",
            "suppression_removed",
        ]


def test_the_listing_masks_numbers_and_finds_one_by_any_spelling(services):
    suppression.add(services.uow(), services.clock, ADMIN, "07700 900123", "opt_out")
    suppression.add(services.uow(), services.clock, ADMIN, "07700 900456", "tps")
    everything = suppression.listing(services.uow())
    assert [e.number for e in everything.entries] == ["•••• 456", "•••• 123"]
    found = suppression.listing(services.uow(), search="+44 7700 900123")
    assert [e.number for e in found.entries] == ["•••• 123"] and found.total == 2
