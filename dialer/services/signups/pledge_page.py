"""A pledge made on its public page: the pledge, and its credit to whoever's link brought the pledger,
in one transaction (a polling-day cascade sends thousands of pledgers through this in an hour)."""

from __future__ import annotations

from sqlmodel import col, select

from dialer.clock import Clock
from dialer.errors import NotFound
from dialer.models import Campaign, Pledge
from dialer.ports import UnitOfWork
from dialer.services.signups import cascade, pledges
from dialer.services.unique_keys import first_one_wins


def make(
    uow: UnitOfWork,
    clock: Clock,
    campaign_slug: str,
    pledge_slug: str,
    *,
    person_email: str,
    user_id: int | None = None,
    name: str = "",
    email: str = "",
    via: str | None = None,
) -> tuple[int, bool]:
    """Make the open pledge at this address (signed in as `user_id`, or with a name and an email
    address) and credit it up the cascade to `person_email`'s sharers, the arrival through `via`
    included; returns the pledge's id and whether it is new.

    When the same person's other request (or their arrival through another link) was written at the
    same moment, the next try finds it: nothing is made or credited twice.
    """

    def attempt() -> tuple[int, bool]:
        session = uow.session
        pledge_id = session.exec(
            select(Pledge.id)
            .join(Campaign, col(Campaign.id) == col(Pledge.campaign_id))
            .where(Campaign.slug == campaign_slug, Pledge.slug == pledge_slug, col(Pledge.active).is_(True))
        ).first()
        if pledge_id is None:
            raise NotFound("no such pledge")
        made = pledges.record(
            session, clock, pledge_id, channel="web", user_id=user_id, name=name, email=email
        )
        cascade.credit(
            session, clock.now(), person_email=person_email, kind="pledge", subject_id=made[0], via=via
        )
        uow.commit()
        return made

    with uow:
        return first_one_wins(uow, attempt)
