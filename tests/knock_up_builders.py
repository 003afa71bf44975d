"""Builders for the knock-up tests: a campaign's polling-day pledge, pledgers, and slots in its seat."""

from __future__ import annotations

from datetime import timedelta

from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import knock_up, pledges
from tests import signup_factories as make


def polling_day_pledge(services, campaign_id: int) -> int:
    return pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="polling-day",
        text="Take polling day off to knock up",
        clock=services.clock,
        actor=SYSTEM,
    )


def pledger(services, pledge_id: int, email: str, name: str = "Pat") -> str:
    """Someone who made the pledge on the public page (no account); returns their address."""
    pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="web", name=name, email=email)
    return email


def slot(
    services,
    campaign_id: int,
    *,
    places: int = 4,
    starts_in: timedelta = timedelta(days=1),
    ons_code: str = "E14001172",
    postcode: str = "SW1A 1AA",
) -> int:
    starts = services.clock.now() + starts_in
    draft = knock_up.SlotDraft(
        ons_code=ons_code,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        places=places,
        meeting_postcode=postcode,
        meeting_point="Outside the library",
    )
    return knock_up.publish_slot(services.uow(), services.clock, make.locate, campaign_id, draft, SYSTEM)
