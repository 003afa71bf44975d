"""The bird's-eye view of a campaign: every marginal seat of its party at its election, and what
the campaign has raised in its own target seats against their targets.

Each marginal is shown with who holds it and its need seen from nowhere in particular (closeness x
staffing from domain/need.py; travel is the volunteer's and plays no part here), staffing counted
from the public figures the marginals page already shows everyone. The campaign's own figures (event
places, pledges, calling-shift bookings) are counted from SQL for that campaign only, so one
campaign's organisers never see another's numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import col, func, select

from dialer.clock import Clock
from dialer.domain.marginality import MarginalityRule, Standing
from dialer.domain.need import closeness, staffing
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    CallingShift,
    Campaign,
    CampaignSeat,
    Constituency,
    Event,
    EventSignup,
    Pledge,
    PledgeSignup,
    ShiftBooking,
    User,
    Voter,
)
from dialer.ports import UnitOfWorkFactory
from dialer.services.geography.seat_activity import CONFIRMED, NO_ACTIVITY
from dialer.services.geography.seat_finder import Seat, SeatDataMissing, SeatFinder


@dataclass(frozen=True, slots=True)
class TargetFigures:
    """What one campaign has in one of its target seats."""

    #: Confirmed places at the campaign's upcoming events in the seat.
    event_places: int
    #: The seat's volunteer target (the figure event places are measured against).
    volunteer_target: int
    #: The campaign's upcoming events in the seat.
    events: int
    #: Pledges to the campaign by people of the seat (a called voter's seat, else the account's postcode).
    pledges: int

    @property
    def shortfall(self) -> int:
        return max(0, self.volunteer_target - self.event_places)


@dataclass(frozen=True, slots=True)
class OverviewSeat:
    ons_code: str
    name: str
    #: The seat's result at the campaign's election (None when the results are not loaded).
    seat: Seat | None
    #: How the campaign's party stands there, if the seat is marginal for it.
    standing: Standing | None
    #: closeness x staffing, in (0, 1]: the larger, the more the seat needs volunteers.
    need: float
    #: Set for the campaign's target seats only.
    figures: TargetFigures | None


@dataclass(frozen=True)
class ShiftFigures:
    """The campaign's upcoming calling shifts (they serve all its seats)."""

    shifts: int
    booked: int
    wanted: int


@dataclass(frozen=True)
class BirdsEye:
    campaign_id: int
    campaign_name: str
    rule: MarginalityRule
    #: Target seats first, then the other marginals, each group neediest first.
    seats: list[OverviewSeat]
    #: Every seat at the election (the map's background); empty without results.
    all_seats: tuple[Seat, ...]
    shifts: ShiftFigures
    pledges: int
    #: Pledges whose maker's seat is not known (a web pledge from someone without an account).
    pledges_unplaced: int
    #: Why the marginals are missing, when they are (the targets are shown regardless).
    missing: str | None = None

    @property
    def marginal_count(self) -> int:
        return sum(1 for s in self.seats if s.standing is not None)


def birds_eye(uow: UnitOfWorkFactory, clock: Clock, finder: SeatFinder, campaign_id: int) -> BirdsEye:
    """The campaign's bird's-eye view; NotFound for a campaign that does not exist."""
    now = clock.now()
    with uow() as unit:
        session = unit.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        targets = dict(
            session.exec(
                select(Constituency.ons_code, Constituency.name)
                .join(CampaignSeat, col(CampaignSeat.ons_code) == Constituency.ons_code)
                .where(CampaignSeat.campaign_id == campaign_id)
            ).all()
        )
        volunteer_targets = dict(
            session.exec(
                select(Constituency.ons_code, Constituency.volunteer_target).where(
                    col(Constituency.ons_code).in_(sorted(targets))
                )
            ).all()
        )
        upcoming = (col(Event.campaign_id) == campaign_id) & (col(Event.ends_at) > now)
        events = dict(
            session.exec(
                select(Event.ons_code, func.count(col(Event.id))).where(upcoming).group_by(Event.ons_code)
            ).all()
        )
        places = dict(
            session.exec(
                select(Event.ons_code, func.count(col(EventSignup.id)))
                .join(EventSignup, col(EventSignup.event_id) == Event.id)
                .where(upcoming, EventSignup.status == CONFIRMED)
                .group_by(Event.ons_code)
            ).all()
        )
        pledgers = session.exec(
            select(Voter.ons_code, Voter.postcode, User.postcode)
            .select_from(PledgeSignup)
            .join(Pledge, col(Pledge.id) == PledgeSignup.pledge_id)
            .outerjoin(Voter, col(Voter.id) == PledgeSignup.voter_id)
            .outerjoin(User, col(User.id) == PledgeSignup.user_id)
            .where(Pledge.campaign_id == campaign_id)
        ).all()
        shift_rows = session.exec(
            select(CallingShift.id, CallingShift.wanted).where(
                CallingShift.campaign_id == campaign_id, col(CallingShift.ends_at) > now
            )
        ).all()
        booked = session.exec(
            select(func.count(col(ShiftBooking.id))).where(
                col(ShiftBooking.shift_id).in_([shift_id for shift_id, _ in shift_rows]),
                col(ShiftBooking.cancelled_at).is_(None),
            )
        ).one()
        rule = MarginalityRule(party=campaign.target_party, election=campaign.election)
        name = campaign.name

    missing: str | None = None
    try:
        rule = finder.canonical_rule(rule)
        index = finder.index(rule)
        all_seats = tuple(finder.seats(rule.election))
    except (SeatDataMissing, InvalidInput) as exc:
        missing, all_seats = str(exc), ()
    by_code = {seat.ons_code: seat for seat in all_seats}

    pledge_seats: Counter[str | None] = Counter()
    for voter_seat, voter_postcode, user_postcode in pledgers:
        seat_code = voter_seat
        for postcode in (voter_postcode, user_postcode):
            if seat_code is None and postcode and not missing:
                seat_code = finder.seat_of(postcode, rule.election)
        pledge_seats[seat_code] += 1

    activity = finder.activity.current()

    def need_of(seat: Seat) -> float:
        seen = activity.get(seat.ons_code, NO_ACTIVITY)
        return closeness(seat.majority_pct) * staffing(seen.committed_volunteers, seen.volunteer_target)

    def figures(code: str) -> TargetFigures:
        return TargetFigures(
            event_places=places.get(code, 0),
            volunteer_target=volunteer_targets.get(code, 0),
            events=events.get(code, 0),
            pledges=pledge_seats.get(code, 0),
        )

    seats: list[OverviewSeat] = []
    for code, seat_name in targets.items():
        seat = by_code.get(code)
        standing = (
            rule.standing(seat.winner, seat.runner_up)
            if seat is not None and rule.is_marginal(seat.winner, seat.runner_up, seat.majority_pct)
            else None
        )
        seats.append(
            OverviewSeat(code, seat_name, seat, standing, need_of(seat) if seat else 0.0, figures(code))
        )
    if missing is None:
        for seat, standing in zip(index.seats, index.standings, strict=True):
            if seat.ons_code not in targets:
                seats.append(OverviewSeat(seat.ons_code, seat.name, seat, standing, need_of(seat), None))
    seats.sort(key=lambda s: (s.figures is None, -s.need, s.name))
    return BirdsEye(
        campaign_id=campaign_id,
        campaign_name=name,
        rule=rule,
        seats=seats,
        all_seats=all_seats,
        shifts=ShiftFigures(shifts=len(shift_rows), booked=booked, wanted=sum(w for _, w in shift_rows)),
        pledges=len(pledgers),
        pledges_unplaced=pledge_seats.get(None, 0),
        missing=missing,
    )
