"""E-mails about carpools and pledges: the driver told of a request for a seat, the rider told when
the driver accepts, and a thank-you for a pledge made on the web.

They carry what the reader signed up for and a link to the page with the rest: contact details stay
on the carpools page, shown only once both sides have accepted (carpools.contacts_visible).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from dialer.domain.calling_hours import LONDON
from dialer.models import Campaign, Carpool, CarpoolSeat, Event, Pledge, PledgeSignup, User
from dialer.services.mail import mail as outbox
from dialer.services.mail import mail_messages
from dialer.services.mail.mail import Mail
from dialer.services.signups.carpools import contacts_visible


def _departs(moment: datetime | None) -> str:
    assert moment is not None
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def seat_asked(mail: Mail, seat_id: int) -> int | None:
    """Tell the driver a volunteer asked for a seat (voters asked for on a call are the organiser's)."""
    with mail.uow() as uow:
        seat = uow.session.get(CarpoolSeat, seat_id)
        carpool = uow.session.get(Carpool, seat.carpool_id) if seat else None
        if seat is None or carpool is None or seat.rider_id is None:
            return None
        rider, driver = uow.session.get(User, seat.rider_id), uow.session.get(User, carpool.driver_id)
        event = uow.session.get(Event, carpool.event_id)
        if rider is None or driver is None or event is None or not driver.is_active or driver.id is None:
            return None
        letter = mail_messages.carpool_asked(
            to=driver.email,
            driver_name=driver.first_name,
            rider_name=rider.first_name,
            event_title=event.title,
            departs=_departs(carpool.departs_at),
            url=f"{mail.base_url}/carpools",
            base_url=mail.base_url,
            user_id=driver.id,
        )
    return outbox.post(mail, letter)


def seat_confirmed(mail: Mail, seat_id: int) -> int | None:
    """Tell the rider the driver accepted (only once both sides have: the seat is theirs)."""
    with mail.uow() as uow:
        seat = uow.session.get(CarpoolSeat, seat_id)
        carpool = uow.session.get(Carpool, seat.carpool_id) if seat else None
        if seat is None or carpool is None or seat.rider_id is None or not contacts_visible(seat):
            return None
        rider = uow.session.get(User, seat.rider_id)
        event = uow.session.get(Event, carpool.event_id)
        if rider is None or event is None or not rider.is_active or rider.id is None:
            return None
        letter = mail_messages.carpool_confirmed(
            to=rider.email,
            rider_name=rider.first_name,
            event_title=event.title,
            departs=_departs(carpool.departs_at),
            url=f"{mail.base_url}/carpools",
            base_url=mail.base_url,
            user_id=rider.id,
        )
    return outbox.post(mail, letter)


def pledge_made(mail: Mail, pledge_signup_id: int) -> int | None:
    """Thank whoever made a pledge on the web, at their account's address or the one they gave."""
    with mail.uow() as uow:
        found = uow.session.exec(
            select(PledgeSignup, Pledge, Campaign)
            .join(Pledge, col(Pledge.id) == col(PledgeSignup.pledge_id))
            .join(Campaign, col(Campaign.id) == col(Pledge.campaign_id))
            .where(PledgeSignup.id == pledge_signup_id)
        ).first()
        if found is None or found[0].voter_id is not None:
            return None
        signup, pledge, campaign = found
        user = uow.session.get(User, signup.user_id) if signup.user_id is not None else None
        to = user.email if user is not None else signup.email
        if not to or (user is not None and not user.is_active):
            return None
        letter = mail_messages.pledge_made(
            to=to,
            name=signup.name or (user.first_name if user else ""),
            pledge=pledge.text,
            campaign=campaign.name,
            url=f"{mail.base_url}/pledge/{campaign.slug}/{pledge.slug}",
            base_url=mail.base_url,
            user_id=user.id if user else None,
        )
        mail_id = outbox.add(uow.session, mail.clock, letter).id
        uow.commit()
    assert mail_id is not None
    outbox.queue(mail, mail_id)
    return mail_id
