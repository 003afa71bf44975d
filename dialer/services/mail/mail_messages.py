"""What Marginal's e-mails say: each as plain text and the same in simple HTML, in UK English,
saying who sent it and why the reader is getting it.

E-mails to volunteers carry only what they signed up for (the event, its time and meeting point):
never a voter's details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from dialer.domain.calling_hours import LONDON
from dialer.services.mail.mail import Letter

PASSWORD_RESET = "password_reset"
EVENT_PLACE = "event_place"
EVENT_REMINDER = "event_reminder"


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _letter(
    kind: str,
    *,
    to: str,
    subject: str,
    greeting: str,
    paragraphs: list[str],
    link: Link | None,
    why: str,
    base_url: str,
    user_id: int | None,
) -> Letter:
    signature = f"Marginal, the volunteer phone bank at {base_url}"
    text_parts = [greeting, *paragraphs]
    if link is not None:
        text_parts.append(f"{link.label}:\n{link.url}")
    text = "\n\n".join([*text_parts, f"-- \n{signature}\n{why}"]) + "\n"
    html_parts = [f"<p>{escape(greeting)}</p>", *(f"<p>{escape(p)}</p>" for p in paragraphs)]
    if link is not None:
        html_parts.append(f'<p><a href="{escape(link.url)}">{escape(link.label)}</a></p>')
    html = (
        '<!doctype html>\n<html lang="en-GB"><body style="font-family: sans-serif; line-height: 1.5">\n'
        + "\n".join(html_parts)
        + f'\n<hr>\n<p style="color: #555; font-size: smaller">{escape(signature)}<br>{escape(why)}</p>\n'
        + "</body></html>\n"
    )
    return Letter(kind=kind, to=to, subject=subject, text=text, html=html, user_id=user_id)


def password_reset(
    *, to: str, first_name: str, url: str, minutes: int, base_url: str, user_id: int
) -> Letter:
    return _letter(
        PASSWORD_RESET,
        to=to,
        subject="Choose a new password for Marginal",
        greeting=f"Hello {first_name},",
        paragraphs=[
            "Someone (we hope you) asked to reset the password of your Marginal volunteer account.",
            f"The link below lets you choose a new one. It works once, for {minutes} minutes, and "
            "signs you out everywhere else.",
            "If you did not ask, ignore this e-mail: your password stays as it is.",
        ],
        link=Link("Choose a new password", url),
        why="You are getting this because a password reset was asked for on Marginal with this address.",
        base_url=base_url,
        user_id=user_id,
    )


@dataclass(frozen=True)
class EventDetails:
    """What a volunteer signed up for: no more than this goes into their e-mails."""

    title: str
    starts_at: datetime
    ends_at: datetime
    meeting_postcode: str
    url: str


def when(starts_at: datetime, ends_at: datetime) -> str:
    """`Saturday 12 December 2026, 10:00 to 13:00` in UK time."""
    start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    day = f"{start:%A} {start.day} {start:%B %Y}"
    return (
        f"{day}, {start:%H:%M} to {end:%H:%M}"
        if start.date() == end.date()
        else (f"{day}, {start:%H:%M} to {end:%A} {end.day} {end:%B}, {end:%H:%M}")
    )


def event_place(
    *,
    to: str,
    first_name: str,
    event: EventDetails,
    waiting: bool,
    base_url: str,
    user_id: int,
    moved_up: bool = False,
) -> Letter:
    if moved_up:
        subject, opening = (
            f"A place came free: {event.title}",
            f"A place came free at {event.title} and it is yours: you have moved up from the waiting list.",
        )
    elif waiting:
        subject, opening = (
            f"Waiting list: {event.title}",
            f"Thank you for signing up for {event.title}. It is full, so you are on the waiting list: "
            "we will e-mail you if a place comes free.",
        )
    else:
        subject, opening = (
            f"You are signed up: {event.title}",
            f"Thank you for signing up for {event.title}. Your place is confirmed.",
        )
    return _letter(
        EVENT_PLACE,
        to=to,
        subject=subject,
        greeting=f"Hello {first_name},",
        paragraphs=[
            opening,
            f"When: {when(event.starts_at, event.ends_at)} (UK time).",
            f"Meeting point: {event.meeting_postcode}.",
            "If you cannot come after all, cancel your place on the event's page so someone else can have it.",
        ],
        link=Link("The event's page", event.url),
        why="You are getting this because you signed up for this event on Marginal.",
        base_url=base_url,
        user_id=user_id,
    )


def event_reminder(*, to: str, first_name: str, event: EventDetails, base_url: str, user_id: int) -> Letter:
    return _letter(
        EVENT_REMINDER,
        to=to,
        subject=f"Tomorrow: {event.title}",
        greeting=f"Hello {first_name},",
        paragraphs=[
            f"A reminder that {event.title} is tomorrow, and you have a place.",
            f"When: {when(event.starts_at, event.ends_at)} (UK time).",
            f"Meeting point: {event.meeting_postcode}.",
            "If you cannot come after all, cancel your place on the event's page so someone else can have it.",
        ],
        link=Link("The event's page", event.url),
        why="You are getting this because you have a place at this event on Marginal. "
        "It is the only reminder we send for it.",
        base_url=base_url,
        user_id=user_id,
    )


SIGN_UP_CONFIRMATION = "sign_up_confirmation"
ALREADY_SIGNED_UP = "already_signed_up"


def sign_up_confirmation(*, to: str, first_name: str, url: str, hours: int, base_url: str) -> Letter:
    return _letter(
        SIGN_UP_CONFIRMATION,
        to=to,
        subject="Confirm your address to finish signing up to Marginal",
        greeting=f"Hello {first_name},",
        paragraphs=[
            "Thank you for signing up to volunteer with Marginal, the phone bank for marginal seats.",
            f"Open the link below to confirm this is your address and finish making your account. "
            f"It works for {hours} hours.",
            "If you did not sign up, ignore this e-mail: no account is made without the link.",
        ],
        link=Link("Finish signing up", url),
        why="You are getting this because someone signed up to Marginal with this address.",
        base_url=base_url,
        user_id=None,
    )


def already_signed_up(
    *, to: str, first_name: str, sign_in_url: str, reset_url: str, base_url: str, user_id: int
) -> Letter:
    return _letter(
        ALREADY_SIGNED_UP,
        to=to,
        subject="You already have a Marginal account",
        greeting=f"Hello {first_name},",
        paragraphs=[
            "Someone (we hope you) just tried to sign up to Marginal with this address, which already "
            "has an account. Nothing has changed.",
            f"To use your account, sign in at {sign_in_url}. If you have forgotten your password, you "
            "can choose a new one with the link below.",
            "If this was not you, ignore this e-mail.",
        ],
        link=Link("Choose a new password", reset_url),
        why="You are getting this because a sign-up was tried on Marginal with the address of your account.",
        base_url=base_url,
        user_id=user_id,
    )


CARPOOL_ASKED = "carpool_asked"
CARPOOL_CONFIRMED = "carpool_confirmed"
PLEDGE_MADE = "pledge_made"


def carpool_asked(
    *,
    to: str,
    driver_name: str,
    rider_name: str,
    event_title: str,
    departs: str,
    url: str,
    base_url: str,
    user_id: int,
) -> Letter:
    return _letter(
        CARPOOL_ASKED,
        to=to,
        subject=f"{rider_name} asked for a seat in your carpool to {event_title}",
        greeting=f"Hello {driver_name},",
        paragraphs=[
            f"{rider_name}, a volunteer, asked for a seat in the carpool you offered to {event_title}, "
            f"leaving {departs} (UK time).",
            "Accept or decline on your carpools page. You see each other's contact details only once "
            "you have accepted.",
        ],
        link=Link("Your carpools", url),
        why="You are getting this because you offered a carpool on Marginal.",
        base_url=base_url,
        user_id=user_id,
    )


def carpool_confirmed(
    *, to: str, rider_name: str, event_title: str, departs: str, url: str, base_url: str, user_id: int
) -> Letter:
    return _letter(
        CARPOOL_CONFIRMED,
        to=to,
        subject=f"Your seat to {event_title} is confirmed",
        greeting=f"Hello {rider_name},",
        paragraphs=[
            f"The driver accepted: you have a seat in the carpool to {event_title}, leaving {departs} "
            "(UK time).",
            "Your carpools page now shows the driver's name, contact details and pickup point.",
            "If you cannot come after all, give up your seat there so the driver knows.",
        ],
        link=Link("Your carpools", url),
        why="You are getting this because you asked for a seat in a carpool on Marginal.",
        base_url=base_url,
        user_id=user_id,
    )


def pledge_made(
    *, to: str, name: str, pledge: str, campaign: str, url: str, base_url: str, user_id: int | None
) -> Letter:
    return _letter(
        PLEDGE_MADE,
        to=to,
        subject=f"Thank you for your pledge: {pledge}",
        greeting=f"Hello {name},",
        paragraphs=[
            f"Thank you for pledging with {campaign}: \u201c{pledge}\u201d.",
            "Share the pledge's page (below) with friends who might make it too.",
            "If you did not make this pledge, ignore this e-mail: we will not write about it again.",
        ],
        link=Link("The pledge", url),
        why="You are getting this because this address was given when making a pledge on Marginal.",
        base_url=base_url,
        user_id=user_id,
    )


SHIFT_BOOKED = "shift_booked"
SHIFT_REMINDER = "shift_reminder"


@dataclass(frozen=True)
class ShiftDetails:
    campaign: str
    starts_at: datetime
    ends_at: datetime
    #: The volunteer's shifts page (where a booking is cancelled).
    url: str
    #: Whether they will be rung at the start (a verified phone) or only their open page told.
    rung: bool


def _shift_paragraphs(shift: ShiftDetails) -> list[str]:
    start = (
        "At the start we ring your phone: press 1 to take a seat and start calling."
        if shift.rung
        else "Have the phone bank open at the start: we tell your page when the shift begins "
        "(verify your phone on your account page and we will ring you instead)."
    )
    return [
        f"When: {when(shift.starts_at, shift.ends_at)} (UK time).",
        start,
        "If you cannot make it after all, cancel your booking on your shifts page so the organisers know.",
    ]


def shift_booked(*, to: str, first_name: str, shift: ShiftDetails, base_url: str, user_id: int) -> Letter:
    return _letter(
        SHIFT_BOOKED,
        to=to,
        subject=f"You are booked to call: {shift.campaign}",
        greeting=f"Hello {first_name},",
        paragraphs=[
            f"Thank you for booking a calling shift for {shift.campaign}.",
            *_shift_paragraphs(shift),
        ],
        link=Link("Your shifts", shift.url),
        why="You are getting this because you booked this calling shift on Marginal.",
        base_url=base_url,
        user_id=user_id,
    )


def shift_reminder(*, to: str, first_name: str, shift: ShiftDetails, base_url: str, user_id: int) -> Letter:
    return _letter(
        SHIFT_REMINDER,
        to=to,
        subject=f"Tomorrow: your calling shift for {shift.campaign}",
        greeting=f"Hello {first_name},",
        paragraphs=[
            f"A reminder that you are booked to call for {shift.campaign} tomorrow.",
            *_shift_paragraphs(shift),
        ],
        link=Link("Your shifts", shift.url),
        why="You are getting this because you booked this calling shift on Marginal. "
        "It is the only reminder we send for it.",
        base_url=base_url,
        user_id=user_id,
    )
