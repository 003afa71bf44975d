"""The sign-up slot beside a conversation: what a voter could join, and joining it on their behalf.

The calling page and the voter timeline show it. Given the voter being talked to (and the
conversation's outcome, once recorded), it offers the campaign's upcoming events nearest the voter,
carpools to them with a seat left (nearest pickup first) and the campaign's open pledges; each
sign-up is linked to the conversation that produced it. On a call the volunteer signs the voter up
while they talk, before the outcome exists: recording the outcome links the sign-ups made during
the call to it (`link_to_conversation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from dialer.clock import Clock
from dialer.domain.places import Locate, normalise_place
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    CallAttempt,
    CallingSession,
    CampaignSeat,
    CarpoolSeat,
    EventSignup,
    Outcome,
    PledgeSignup,
    Voter,
)
from dialer.ports import UnitOfWork
from dialer.services.signups import carpools, events, pledges
from dialer.services.signups.carpools import Ride
from dialer.services.signups.events import EventSummary
from dialer.services.signups.pledges import PledgeSummary

#: How long after recording a conversation its volunteer may still sign the voter up.
FOLLOW_UP_WINDOW = timedelta(hours=12)
NEARBY_KM = 60.0


@dataclass(frozen=True)
class SlotOptions:
    voter_id: int
    first_name: str
    events: list[EventSummary]
    rides: list[Ride]
    pledges: list[PledgeSummary]
    event_status: dict[int, str] = field(default_factory=dict)
    carpool_status: dict[int, str] = field(default_factory=dict)
    pledged: frozenset[int] = frozenset()


def in_conversation(uow: UnitOfWork, clock: Clock, user_id: int, voter_id: int) -> bool:
    """True for the volunteer talking to this voter now, or who recorded a conversation with them
    within FOLLOW_UP_WINDOW (the campaign's organisers may always: that is their access policy's part)."""
    with uow:
        session = uow.session
        voter = session.get(Voter, voter_id)
        if voter is None or voter.erased_at is not None:
            return False
        on_call = session.exec(
            select(CallingSession.id)
            .join(CallAttempt, col(CallAttempt.id) == col(CallingSession.current_call_id))
            .where(
                CallingSession.user_id == user_id,
                col(CallingSession.state).in_(list(LIVE_SEAT_STATES)),
                CallAttempt.voter_id == voter_id,
            )
        ).first()
        if on_call is not None:
            return True
        recent = session.exec(
            select(Outcome.id).where(
                Outcome.user_id == user_id,
                Outcome.voter_id == voter_id,
                col(Outcome.created_at) >= clock.now() - FOLLOW_UP_WINDOW,
            )
        ).first()
        return recent is not None


def options_for(uow: UnitOfWork, clock: Clock, locate: Locate, voter_id: int) -> SlotOptions:
    with uow:
        session = uow.session
        voter = session.get(Voter, voter_id)
        if voter is None or voter.erased_at is not None:
            raise NotFound("no such voter")
        campaign_id = voter.campaign_id
        seats = list(
            session.exec(select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == campaign_id))
        )
        event_status = {
            signup.event_id: signup.status
            for signup in session.exec(
                select(EventSignup).where(
                    EventSignup.voter_id == voter_id, col(EventSignup.status).in_(events.ACTIVE)
                )
            )
        }
        carpool_status = {
            seat.carpool_id: seat.status
            for seat in session.exec(
                select(CarpoolSeat).where(
                    CarpoolSeat.voter_id == voter_id, col(CarpoolSeat.status).in_(carpools.HOLDING)
                )
            )
        }
        pledged = frozenset(
            session.exec(select(PledgeSignup.pledge_id).where(PledgeSignup.voter_id == voter_id))
        )
        first_name = voter.first_name
        postcode = normalise_place(voter.postcode) if voter.postcode else None
    near = locate(postcode) if postcode else None
    found = {item.id: item for item in events.upcoming(uow, clock, near=near, campaign_id=campaign_id)}
    if seats:
        for item in events.upcoming(uow, clock, near=near, ons_codes=seats):
            if item.campaign_id in (None, campaign_id):
                found.setdefault(item.id, item)
    nearby = sorted(
        (item for item in found.values() if near is None or (item.distance_km or 0.0) <= NEARBY_KM),
        key=lambda item: (item.distance_km or 0.0, item.starts_at),
    )[:10]
    rides = carpools.rides_to(uow, clock, near=near, event_ids=[item.id for item in nearby], limit=10)
    return SlotOptions(
        voter_id=voter_id,
        first_name=first_name,
        events=nearby,
        rides=rides,
        pledges=pledges.pledges_of(uow, campaign_id, active_only=True),
        event_status=event_status,
        carpool_status=carpool_status,
        pledged=pledged,
    )


def sign_up_voter(
    uow: UnitOfWork,
    clock: Clock,
    voter_id: int,
    *,
    outcome_id: int | None,
    channel: str = "phone",
    event_id: int | None = None,
    carpool_id: int | None = None,
    pledge_id: int | None = None,
) -> str:
    """Sign the voter up for one thing; returns the resulting status (confirmed, waitlist, ...)."""
    if sum(item is not None for item in (event_id, carpool_id, pledge_id)) != 1:
        raise InvalidInput("sign up for one event, carpool or pledge at a time")
    if outcome_id is not None:
        with uow:
            outcome = uow.session.get(Outcome, outcome_id)
            if outcome is None or outcome.voter_id != voter_id:
                raise InvalidInput("that conversation was with someone else")
    if event_id is not None:
        return events.sign_up(uow, clock, event_id, voter_id=voter_id, outcome_id=outcome_id).status
    if carpool_id is not None:
        return carpools.request_seat(uow, clock, carpool_id, voter_id=voter_id, outcome_id=outcome_id).status
    assert pledge_id is not None
    pledges.make_pledge(uow, clock, pledge_id, channel=channel, voter_id=voter_id, outcome_id=outcome_id)
    return "pledged"


def link_to_conversation(session: Session, voter_id: int, outcome_id: int, *, since: datetime) -> None:
    """Link the voter's sign-ups made since `since` (the call connecting) and not yet linked to
    this conversation's outcome, in the caller's transaction."""
    for model in (EventSignup, CarpoolSeat, PledgeSignup):
        session.exec(
            update(model)
            .where(
                col(model.voter_id) == voter_id,
                col(model.outcome_id).is_(None),
                col(model.created_at) >= since,
            )
            .values(outcome_id=outcome_id)
        )
