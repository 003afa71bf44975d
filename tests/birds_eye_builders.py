"""Builders for the bird's-eye view tests: places at events, pledges from a seat, calling shifts."""

from __future__ import annotations

from datetime import timedelta

from dialer.models import CallingShift, EventSignup, Pledge, PledgeSignup, ShiftBooking, Voter
from tests import signup_factories as make


def places(services, event_id: int, *statuses: str) -> None:
    make.add(
        services,
        *[
            EventSignup(event_id=event_id, name="Someone", status=s, created_at=services.clock.now())
            for s in statuses
        ],
    )


def pledges(services, campaign_id: int, ons_code: str | None, count: int) -> None:
    pledge = make.add(
        services, Pledge(campaign_id=campaign_id, slug=f"day-off-{campaign_id}", text="Day off")
    )
    for index in range(count):
        voter_id = make.voter(services, campaign_id) if ons_code else None
        if voter_id is not None:
            with services.uow() as uow:
                voter = uow.session.get(Voter, voter_id)
                voter.ons_code = ons_code
                uow.session.add(voter)
                uow.commit()
        make.add(
            services,
            PledgeSignup(
                pledge_id=pledge.id,
                voter_id=voter_id,
                name="P",
                email=f"p{index}@example.org",  # one person pledges once
                created_at=services.clock.now(),
            ),
        )


def shift(services, campaign_id: int, wanted: int, bookings: int, cancelled: int = 0) -> None:
    now = services.clock.now()
    row = make.add(
        services,
        CallingShift(campaign_id=campaign_id, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2), wanted=wanted, created_at=now),
    )  # fmt: skip
    for n in range(bookings + cancelled):
        make.add(
            services,
            ShiftBooking(shift_id=row.id, user_id=make.user(services), booked_at=now, cancelled_at=now if n >= bookings else None),
        )  # fmt: skip
