"""A volunteer's rights over their own data: download everything held about them, and erase it.

The export is the account and everything that points at it: campaigns they run, calling sittings,
the outcomes they recorded (what and when, not the voters' answers or notes, which are about other
people), event places, lifts offered and asked for, pledges, knock-up places, imports they uploaded, and the audit
entries about them (sign-ins and their addresses).

Erasure keeps the arithmetic and removes the person, as a voter's erasure does
(dialer/services/data_protection/data_protection.py). The account stays as an anonymous tombstone that
can never sign in again (ids in outcomes, leaderboards and the audit log still count, so campaign totals
do not change): its name becomes ERASED_NAME and its e-mail address, postcode, phone number and password
go. Names and e-mail addresses copied onto their sign-ups go (pledges they made on the public page with
their account's address too, and their polling-day knock-up places); their places and seat requests
still to come are given up (the waiting list moves up); a lift they offer keeps only its postcode
district and loses its notes; their organiser rights end. Leaderboards, exports and pages read names
from the account, so all of them show ERASED_NAME from then on; Redis holds only ids.
The audit log keeps ids only, and the erasure itself is audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, or_, select

from dialer.clock import Clock
from dialer.domain.places import outcode
from dialer.errors import Conflict, NotFound
from dialer.models import (
    AuditEntry,
    CallingSession,
    Campaign,
    CampaignOrganiser,
    Carpool,
    CarpoolSeat,
    Event,
    EventReminder,
    EventSignup,
    KnockUpBooking,
    Outcome,
    OutgoingMail,
    PendingSignUp,
    PledgeSignup,
    ShiftReminder,
    User,
    VoterImport,
)
from dialer.ports import UnitOfWork
from dialer.services.accounts import sign_in_sessions
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor
from dialer.services.signups import carpools, events, knock_up, pledges

#: What an erased volunteer is called wherever a name is shown.
ERASED_NAME = "Erased volunteer"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _row(model: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    data = model.model_dump(exclude=set(leave_out))
    return {key: _iso(value) if isinstance(value, datetime) else value for key, value in data.items()}


def export_account(uow: UnitOfWork, clock: Clock, actor: Actor) -> dict[str, Any]:
    """Everything held about the signed-in volunteer, as JSON-ready data (audited)."""
    user_id = actor.user_id
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None or user_id is None:
            raise NotFound("no such account")

        def mine(model: Any, column: Any) -> list[Any]:
            return list(session.exec(select(model).where(column == user_id).order_by(col(model.id))))

        organises = session.exec(
            select(Campaign.id, Campaign.name)
            .join(CampaignOrganiser, col(CampaignOrganiser.campaign_id) == col(Campaign.id))
            .where(CampaignOrganiser.user_id == user_id)
        ).all()
        outcomes = mine(Outcome, Outcome.user_id)
        entries = session.exec(
            select(AuditEntry)
            .where(
                or_(
                    col(AuditEntry.actor_id) == user_id,
                    (col(AuditEntry.subject_type) == "user") & (col(AuditEntry.subject_id) == str(user_id)),
                )
            )
            .order_by(col(AuditEntry.id))
        ).all()
        document = {
            "exported_at": _iso(clock.now()),
            "about": "Everything Marginal holds about your account. Voters' answers and notes are "
            "about them, not you, so they are not included.",
            "account": _row(user, leave_out=("password_hash",)),
            "organiser_of": [{"campaign_id": cid, "campaign": name} for cid, name in organises],
            "calling_sessions": [
                _row(s, leave_out=("conference_name", "leg_call_sid"))
                for s in mine(CallingSession, CallingSession.user_id)
            ],
            "outcomes_recorded": [
                {
                    "outcome_id": o.id,
                    "campaign_id": o.campaign_id,
                    "channel": o.channel,
                    "outcome": o.disposition.value,
                    "at": _iso(o.created_at),
                }
                for o in outcomes
            ],
            "event_places": [_row(s) for s in mine(EventSignup, EventSignup.user_id)],
            "lifts_offered": [_row(c) for c in mine(Carpool, Carpool.driver_id)],
            "lifts_asked_for": [_row(s) for s in mine(CarpoolSeat, CarpoolSeat.rider_id)],
            "pledges": [_row(p) for p in mine(PledgeSignup, PledgeSignup.user_id)],
            "knock_up_places": [_row(b) for b in mine(KnockUpBooking, KnockUpBooking.user_id)],
            "voter_imports_uploaded": [
                {
                    "import_id": i.id,
                    "campaign_id": i.campaign_id,
                    "file": i.filename,
                    "at": _iso(i.created_at),
                }
                for i in mine(VoterImport, VoterImport.user_id)
            ],
            "audit_log": [_row(e) for e in entries],
        }
        audit.record(session, clock, actor, Action.ACCOUNT_EXPORTED, subject_type="user", subject_id=user_id)
        uow.commit()
        return document


@dataclass(frozen=True)
class AccountErasure:
    user_id: int
    places_given_up: int
    seats_given_up: int
    signups_anonymised: int
    lifts_anonymised: int


def erase_account(uow_factory: Callable[[], UnitOfWork], clock: Clock, actor: Actor) -> AccountErasure:
    """Erase the signed-in volunteer's account (see the module doc); Conflict while they are calling."""
    user_id = actor.user_id
    if user_id is None:
        raise NotFound("no such account")
    now = clock.now()
    with uow_factory() as uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("no such account")
        calling = session.exec(
            select(CallingSession.id).where(
                CallingSession.user_id == user_id, col(CallingSession.ended_at).is_(None)
            )
        ).first()
        if calling is not None:
            raise Conflict("end your calling session first, then erase your account")
        places = session.exec(
            select(EventSignup.id)
            .join(Event, col(Event.id) == col(EventSignup.event_id))
            .where(
                EventSignup.user_id == user_id,
                col(EventSignup.status) != events.CANCELLED,
                col(Event.ends_at) > now,
            )
        ).all()
        seats = session.exec(
            select(CarpoolSeat.id).where(
                CarpoolSeat.rider_id == user_id, col(CarpoolSeat.status).in_(carpools.HOLDING)
            )
        ).all()
    for place in places:  # each in its own transaction: the waiting list moves up
        events.cancel(uow_factory(), place or 0, user_id=user_id)
    for seat in seats:
        carpools.cancel_seat(uow_factory(), seat or 0, rider_id=user_id)
    with uow_factory() as uow:
        session = uow.session
        user = session.get(User, user_id)
        assert user is not None
        signups = _anonymise_signups(session, user_id, user.email)
        signups += knock_up.forget_person(session, user_id, user.email, now)
        lifts = 0
        for carpool in session.exec(select(Carpool).where(Carpool.driver_id == user_id)):
            carpool.pickup_postcode, carpool.notes = outcode(carpool.pickup_postcode), ""
            session.add(carpool)
            lifts += 1
        session.exec(delete(CampaignOrganiser).where(col(CampaignOrganiser.user_id) == user_id))
        forget_mail(session, user_id, user.email)
        user.first_name = ERASED_NAME
        user.email = f"erased-{user_id}@erased.invalid"
        user.postcode, user.phone_e164, user.last_login_at = "", None, None
        # Nobody knows this password, and every sign-in of the account ends.
        user.password_hash = "erased:" + secrets.token_hex(32)
        user.is_active = False
        session.add(user)
        sign_in_sessions.end_all(session, user_id, now)
        erasure = AccountErasure(user_id, len(places), len(seats), signups, lifts)
        audit.record(
            session,
            clock,
            actor,
            Action.ACCOUNT_ERASED,
            subject_type="user",
            subject_id=user_id,
            detail={
                "places_given_up": erasure.places_given_up,
                "seats_given_up": erasure.seats_given_up,
                "signups_anonymised": signups,
                "lifts_anonymised": lifts,
            },
        )
        uow.commit()
    return erasure


def _anonymise_signups(session: Session, user_id: int, email: str) -> int:
    """Names and addresses copied onto their sign-ups, pledges made on the public page with their
    account's address included."""
    count = 0
    for place in session.exec(select(EventSignup).where(EventSignup.user_id == user_id)):
        place.name = ""
        session.add(place)
        count += 1
    pledged = or_(col(PledgeSignup.user_id) == user_id, pledges.made_with_email(email))
    for pledge in session.exec(select(PledgeSignup).where(pledged)):
        pledge.name, pledge.email = "", ""
        session.add(pledge)
        count += 1
    return count


def forget_mail(session: Session, user_id: int, email: str) -> None:
    """The e-mails to an erased account (sent or waiting) and sign-ups waiting at its address go."""
    mail_ids = select(OutgoingMail.id).where(
        (col(OutgoingMail.user_id) == user_id) | (col(OutgoingMail.to_address) == email)
    )
    session.exec(update(EventReminder).where(col(EventReminder.mail_id).in_(mail_ids)).values(mail_id=None))
    session.exec(update(ShiftReminder).where(col(ShiftReminder.mail_id).in_(mail_ids)).values(mail_id=None))
    session.exec(delete(OutgoingMail).where(col(OutgoingMail.id).in_(mail_ids)))
    session.exec(delete(PendingSignUp).where(col(PendingSignUp.email) == email))
