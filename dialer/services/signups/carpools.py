"""Carpools to events: drivers offer seats from a pickup point, riders ask, both sides accept.

A request holds a seat until the driver declines it or the rider cancels, so a carpool is never
promised to more riders than it has seats: requests are taken under the carpool's row lock (see
row_locks). Riders see carpools nearest their own postcode first, drivers see the nearest riders
first. Each side sees the other's contact details, and the exact pickup postcode, only once both
have accepted; a voter signed up on a call is contacted through the organisers (volunteers never
see voters' phone numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.places import Locate, Point, distance_km, normalise_place, outcode, place_of
from dialer.errors import InvalidInput, NotFound
from dialer.models import Carpool, CarpoolSeat, Event, User, Voter
from dialer.ports import UnitOfWork
from dialer.services.row_locks import hold

REQUESTED = "requested"
ACCEPTED = "accepted"
DECLINED = "declined"
CANCELLED = "cancelled"
HOLDING = (REQUESTED, ACCEPTED)
MAX_SEATS = 8


class CarpoolFull(InvalidInput):
    """Every seat is taken or asked for."""


@dataclass(frozen=True)
class SeatRequest:
    id: int
    carpool_id: int
    status: str

    @classmethod
    def of(cls, seat: CarpoolSeat) -> SeatRequest:
        assert seat.id is not None
        return cls(seat.id, seat.carpool_id, seat.status)


@dataclass(frozen=True)
class Ride:
    """A carpool as a possible rider sees it."""

    carpool_id: int
    event_id: int
    event_title: str
    departs_at: datetime
    pickup_area: str
    seats_left: int
    driver_first_name: str
    notes: str
    distance_km: float | None


@dataclass(frozen=True)
class SeatView:
    """A seat as one side sees it; contact details only once both sides have accepted."""

    seat_id: int
    carpool_id: int
    event_title: str
    departs_at: datetime
    status: str
    driver_accepted: bool
    rider_accepted: bool
    other_name: str
    other_email: str | None
    pickup: str
    distance_km: float | None

    @property
    def confirmed(self) -> bool:
        return self.status == ACCEPTED and self.driver_accepted and self.rider_accepted


def contacts_visible(seat: CarpoolSeat) -> bool:
    """The one rule for sharing contact details between a driver and a rider."""
    return seat.status == ACCEPTED and seat.driver_accepted and seat.rider_accepted


def offer(
    uow: UnitOfWork,
    clock: Clock,
    locate: Locate,
    *,
    event_id: int,
    driver_id: int,
    pickup_postcode: str,
    seats: int,
    departs_at: datetime,
    notes: str = "",
) -> int:
    if not 1 <= seats <= MAX_SEATS:
        raise InvalidInput(f"offer between 1 and {MAX_SEATS} seats", field="seats")
    if len(notes) > 300:
        raise InvalidInput("notes are at most 300 characters", field="notes")
    postcode, point = place_of(pickup_postcode, locate, what="pickup postcode", field="pickup_postcode")
    with uow:
        event = uow.session.get(Event, event_id)
        if event is None:
            raise NotFound("no such event")
        assert event.ends_at is not None
        if departs_at.tzinfo is None:
            raise InvalidInput("the departure time needs a time zone", field="departs_at")
        if departs_at < clock.now() or departs_at >= event.ends_at:
            raise InvalidInput("leave after now and before the event ends", field="departs_at")
        carpool = Carpool(
            event_id=event_id,
            driver_id=driver_id,
            pickup_postcode=postcode,
            lat=point.lat,
            lon=point.lon,
            seats_offered=seats,
            departs_at=departs_at,
            notes=notes.strip(),
            created_at=clock.now(),
        )
        uow.session.add(carpool)
        uow.commit()
        assert carpool.id is not None
        return carpool.id


def request_seat(
    uow: UnitOfWork,
    clock: Clock,
    carpool_id: int,
    *,
    rider_id: int | None = None,
    voter_id: int | None = None,
    outcome_id: int | None = None,
) -> SeatRequest:
    """Ask for a seat (asking is the rider's acceptance); CarpoolFull when none is left."""
    if (rider_id is None) == (voter_id is None):
        raise InvalidInput("ask for a seat for either a volunteer or a voter")
    with uow:
        session = uow.session
        if not hold(session, Carpool, carpool_id, "seats_offered"):
            raise NotFound("no such carpool")
        carpool = session.get(Carpool, carpool_id)
        assert carpool is not None and carpool.departs_at is not None
        if carpool.departs_at <= clock.now():
            raise InvalidInput("this carpool has left")
        if rider_id is not None and rider_id == carpool.driver_id:
            raise InvalidInput("you are driving this carpool")
        if voter_id is not None:
            voter = session.get(Voter, voter_id)
            event = session.get(Event, carpool.event_id)
            if voter is None or voter.erased_at is not None:
                raise NotFound("no such voter")
            if event is not None and event.campaign_id not in (None, voter.campaign_id):
                raise InvalidInput("this carpool goes to another campaign's event")
        existing = session.exec(
            select(CarpoolSeat).where(
                CarpoolSeat.carpool_id == carpool_id,
                col(CarpoolSeat.status).in_(HOLDING),
                CarpoolSeat.rider_id == rider_id
                if rider_id is not None
                else CarpoolSeat.voter_id == voter_id,
            )
        ).first()
        if existing is not None:
            return SeatRequest.of(existing)
        if _held(session, carpool_id) >= carpool.seats_offered:
            raise CarpoolFull("every seat in this carpool is taken")
        seat = CarpoolSeat(
            carpool_id=carpool_id,
            rider_id=rider_id,
            voter_id=voter_id,
            outcome_id=outcome_id,
            status=REQUESTED,
            rider_accepted=True,
            created_at=clock.now(),
        )
        session.add(seat)
        uow.commit()
        return SeatRequest.of(seat)


def respond(uow: UnitOfWork, seat_id: int, *, driver_id: int, accept: bool) -> SeatRequest:
    """The driver accepts or declines a request; declining frees the seat."""
    with uow:
        seat = uow.session.get(CarpoolSeat, seat_id)
        carpool = uow.session.get(Carpool, seat.carpool_id) if seat is not None else None
        if seat is None or carpool is None or carpool.driver_id != driver_id:
            raise NotFound("no such request")
        if seat.status not in HOLDING:
            raise InvalidInput(f"this request was {seat.status}")
        if accept:
            seat.driver_accepted = True
            seat.status = ACCEPTED if seat.rider_accepted else REQUESTED
        else:
            seat.driver_accepted = False
            seat.status = DECLINED
        uow.session.add(seat)
        uow.commit()
        return SeatRequest.of(seat)


def cancel_seat(uow: UnitOfWork, seat_id: int, *, rider_id: int) -> None:
    with uow:
        seat = uow.session.get(CarpoolSeat, seat_id)
        if seat is None or seat.rider_id != rider_id:
            raise NotFound("no such seat")
        if seat.status in HOLDING:
            seat.status = CANCELLED
            seat.rider_accepted = False
            uow.session.add(seat)
            uow.commit()


def rides_to(
    uow: UnitOfWork, clock: Clock, *, near: Point | None, event_ids: list[int] | None = None, limit: int = 50
) -> list[Ride]:
    """Carpools with a seat left that have not left yet, nearest pickup first."""
    with uow:
        session = uow.session
        query = (
            select(Carpool, Event.title, User.first_name)
            .join(Event, col(Event.id) == col(Carpool.event_id))
            .join(User, col(User.id) == col(Carpool.driver_id))
            .where(col(Carpool.departs_at) > clock.now())
        )
        if event_ids is not None:
            query = query.where(col(Carpool.event_id).in_(event_ids))
        rows = session.exec(query.order_by(col(Carpool.departs_at)).limit(2000)).all()
        held = _held_by_carpool(session, [carpool.id for carpool, _, _ in rows if carpool.id is not None])
        rides = []
        for carpool, title, driver_name in rows:
            assert carpool.id is not None and carpool.departs_at is not None
            left = carpool.seats_offered - held.get(carpool.id, 0)
            if left <= 0:
                continue
            rides.append(
                Ride(
                    carpool_id=carpool.id,
                    event_id=carpool.event_id,
                    event_title=title,
                    departs_at=carpool.departs_at,
                    pickup_area=outcode(carpool.pickup_postcode),
                    seats_left=left,
                    driver_first_name=driver_name,
                    notes=carpool.notes,
                    distance_km=None if near is None else distance_km(near, Point(carpool.lat, carpool.lon)),
                )
            )
    if near is not None:
        rides.sort(key=lambda ride: (ride.distance_km or 0.0, ride.departs_at))
    return rides[:limit]


def seats_for_driver(uow: UnitOfWork, locate: Locate, driver_id: int) -> list[tuple[Carpool, list[SeatView]]]:
    """The driver's carpools, each with its requests, nearest rider first."""
    with uow:
        session = uow.session
        carpools = session.exec(
            select(Carpool).where(Carpool.driver_id == driver_id).order_by(col(Carpool.departs_at))
        ).all()
        result = []
        for carpool in carpools:
            seats = session.exec(
                select(CarpoolSeat)
                .where(CarpoolSeat.carpool_id == carpool.id, col(CarpoolSeat.status).in_(HOLDING))
                .order_by(col(CarpoolSeat.id))
            ).all()
            pickup = Point(carpool.lat, carpool.lon)
            views = [_driver_view(session, locate, carpool, seat, pickup) for seat in seats]
            views.sort(key=lambda view: (view.distance_km is None, view.distance_km or 0.0))
            result.append((carpool, views))
        uow.session.expunge_all()  # read-only: hand back the rows as loaded
        return result


def seats_for_rider(uow: UnitOfWork, rider_id: int) -> list[SeatView]:
    with uow:
        session = uow.session
        seats = session.exec(
            select(CarpoolSeat).where(CarpoolSeat.rider_id == rider_id).order_by(col(CarpoolSeat.id))
        ).all()
        views = []
        for seat in seats:
            carpool = session.get(Carpool, seat.carpool_id)
            assert carpool is not None and carpool.departs_at is not None
            event = session.get(Event, carpool.event_id)
            driver = session.get(User, carpool.driver_id)
            assert event is not None and driver is not None
            visible = contacts_visible(seat)
            views.append(
                SeatView(
                    seat_id=seat.id or 0,
                    carpool_id=carpool.id or 0,
                    event_title=event.title,
                    departs_at=carpool.departs_at,
                    status=seat.status,
                    driver_accepted=seat.driver_accepted,
                    rider_accepted=seat.rider_accepted,
                    other_name=driver.first_name,
                    other_email=driver.email if visible else None,
                    pickup=carpool.pickup_postcode if visible else outcode(carpool.pickup_postcode),
                    distance_km=None,
                )
            )
        return views


def _driver_view(
    session: Session, locate: Locate, carpool: Carpool, seat: CarpoolSeat, pickup: Point
) -> SeatView:
    visible = contacts_visible(seat)
    name, email, postcode = "", None, ""
    if seat.rider_id is not None:
        rider = session.get(User, seat.rider_id)
        assert rider is not None
        name, postcode = rider.first_name, rider.postcode
        email = rider.email if visible else None
    elif seat.voter_id is not None:
        voter = session.get(Voter, seat.voter_id)
        assert voter is not None
        name, postcode = f"{voter.first_name} (a voter; the organisers will put you in touch)", voter.postcode
    normalised = normalise_place(postcode) if postcode else None
    point = locate(normalised) if normalised else None
    assert carpool.departs_at is not None
    event = session.get(Event, carpool.event_id)
    return SeatView(
        seat_id=seat.id or 0,
        carpool_id=carpool.id or 0,
        event_title=event.title if event else "",
        departs_at=carpool.departs_at,
        status=seat.status,
        driver_accepted=seat.driver_accepted,
        rider_accepted=seat.rider_accepted,
        other_name=name,
        other_email=email,
        pickup=carpool.pickup_postcode,
        distance_km=None if point is None else distance_km(pickup, point),
    )


def _held(session: Session, carpool_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(CarpoolSeat)
        .where(CarpoolSeat.carpool_id == carpool_id, col(CarpoolSeat.status).in_(HOLDING))
    ).one()


def _held_by_carpool(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(CarpoolSeat.carpool_id, func.count())
        .where(col(CarpoolSeat.carpool_id).in_(ids), col(CarpoolSeat.status).in_(HOLDING))
        .group_by(col(CarpoolSeat.carpool_id))
    )
    return dict(rows.all())
