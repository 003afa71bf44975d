"""Texts to voters after a call: the link to what they signed up for, a reminder the day before,
and STOP.

The volunteer who talked to a voter may send them the link to the event, carpool or pledge they
signed up for, only in the campaign's wording (dialer.domain.text_messages), only when the voter
agreed on the call (PECR: the consent is recorded, with the call, before anything is sent) and only
to a mobile. The number goes to the telephony provider and nowhere else: the volunteer sees whether
a text can go, never where. Sign-ups of voters who agreed get a reminder the day before (the
heartbeat calls `send_reminders`), once each: every text has a `once_key`, unique in SQL.

A reply of STOP (or another opt-out word) to a campaign's number stops every text to that number
at once; the provider refuses them too (Twilio's 21610), which is recorded the same way.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select, update

from dialer.clock import Clock
from dialer.domain.calling_hours import LONDON
from dialer.domain.phones import masked, normalise_phone
from dialer.domain.text_messages import (
    DEFAULT_WORDING,
    Purpose,
    SignupDetails,
    SignupKind,
    can_take_texts,
    check_wording,
    reply_word,
    text_body,
)
from dialer.errors import Conflict, InvalidInput, NotFound, TelephonyError
from dialer.models import (
    CallAttempt,
    Campaign,
    CampaignTextWording,
    Carpool,
    CarpoolSeat,
    Event,
    EventSignup,
    Pledge,
    PledgeSignup,
    TextConsent,
    TextMessage,
    TextOptOut,
    Voter,
)
from dialer.ports import OutboundText, Telephony, UnitOfWork
from dialer.services.compliance import audit, suppression
from dialer.services.compliance.audit import Action, Actor
from dialer.services.phone_bank import PhoneBank

logger = logging.getLogger(__name__)

# --- webhook paths (served by web/text_pages.py) ---------------------------------------------------

STATUS_PATH = "/texts/status"  # a text's delivery, as the provider reports it
REPLY_PATH = "/texts/incoming"  # a campaign number's SMS URL: someone texts it
LINK_PATH = "/t"  # the public page a text links to: /t/<token> (/s/ is for sharers' links)

#: Twilio's "attempt to send to unsubscribed recipient": the phone replied STOP to the number.
UNSUBSCRIBED = 21610
#: How statuses follow one another (a late callback never moves a text back).
_RANK = {"new": 0, "queued": 1, "sending": 2, "sent": 3}
_FINAL = frozenset({"delivered", "undelivered", "failed"})


@dataclass(frozen=True)
class TextChoice:
    """One sign-up the volunteer may text the voter the link to, and whether it has gone."""

    kind: SignupKind
    target_id: int
    title: str
    sent: str | None  # the text's status, None while unsent


@dataclass(frozen=True)
class TextOptions:
    """What the calling page shows under the sign-ups: never the number, only whether it can take texts."""

    voter_id: int
    can_text: bool
    why_not: str | None
    consented: bool
    choices: list[TextChoice]


def options_for(bank: PhoneBank, voter_id: int) -> TextOptions:
    with bank.uow() as uow:
        session = uow.session
        voter = _voter(session, voter_id)
        why_not = _why_not(session, voter)
        sent = {
            (row.kind, row.target_id): row.status
            for row in session.exec(
                select(TextMessage).where(
                    TextMessage.voter_id == voter_id, TextMessage.purpose == Purpose.LINK
                )
            )
        }
        choices = [
            TextChoice(kind, target, details.title, sent.get((kind.value, target)))
            for (kind, target), details in _signups(session, voter_id).items()
        ]
        return TextOptions(voter_id, why_not is None, why_not, _consented(session, voter), choices)


def send_link(
    bank: PhoneBank, user_id: int, voter_id: int, kind: SignupKind, target_id: int, *, agreed: bool
) -> str:
    """Text the voter the link to one of their sign-ups; returns the text's status ("queued").

    `agreed`: the volunteer says the voter agreed on this call to be texted; that consent is
    recorded first. Without it (and none recorded before) nothing is sent."""
    now = bank.clock.now()
    with bank.uow() as uow:
        session = uow.session
        voter = _voter(session, voter_id)
        if (why_not := _why_not(session, voter)) is not None:
            raise Conflict(why_not)
        details = _signups(session, voter_id).get((kind, target_id))
        if details is None:
            raise NotFound(f"{voter.first_name} has not signed up for that {kind.value}")
        if not _consented(session, voter):
            if not agreed:
                raise InvalidInput(
                    f"ask {voter.first_name} whether we may text them, and tick that they agreed"
                )
            session.add(
                TextConsent(
                    campaign_id=voter.campaign_id,
                    voter_id=voter_id,
                    call_attempt_id=_last_call(session, voter_id),
                    user_id=user_id,
                    given_at=now,
                )
            )
            uow.commit()
    status = _send(bank, voter_id, Purpose.LINK, details, target_id, user_id=user_id, key=None)
    if status is None:
        raise Conflict("that link has already been texted")
    return status


def send_reminders(bank: PhoneBank) -> int:
    """Text tomorrow's events and lifts (London days) to the voters who signed up for them on a
    call and agreed to texts; each sign-up's reminder goes once. Returns how many were sent."""
    now = bank.clock.now()
    tomorrow = (now.astimezone(LONDON) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=LONDON)
    end = start + timedelta(days=1)
    with bank.uow() as uow:
        session = uow.session
        consenting = select(TextConsent.voter_id)
        due: list[tuple[int, SignupKind, int, int]] = []  # voter, kind, target, sign-up id
        for signup_id, voter_id, event_id in session.exec(
            select(EventSignup.id, EventSignup.voter_id, EventSignup.event_id)
            .join(Event, col(Event.id) == col(EventSignup.event_id))
            .where(
                EventSignup.status == "confirmed",
                col(EventSignup.voter_id).in_(consenting),
                col(Event.starts_at) >= start,
                col(Event.starts_at) < end,
            )
        ).all():
            due.append((voter_id or 0, SignupKind.EVENT, event_id, signup_id or 0))
        for seat_id, voter_id, carpool_id in session.exec(
            select(CarpoolSeat.id, CarpoolSeat.voter_id, CarpoolSeat.carpool_id)
            .join(Carpool, col(Carpool.id) == col(CarpoolSeat.carpool_id))
            .where(
                CarpoolSeat.status == "accepted",
                col(CarpoolSeat.voter_id).in_(consenting),
                col(Carpool.departs_at) >= start,
                col(Carpool.departs_at) < end,
            )
        ).all():
            due.append((voter_id or 0, SignupKind.CARPOOL, carpool_id, seat_id or 0))
        keys = [f"reminder:{kind.value}:{signup_id}" for _, kind, _, signup_id in due]
        already = set(
            session.exec(select(TextMessage.once_key).where(col(TextMessage.once_key).in_(keys))).all()
        )
    sent = 0
    for voter_id, kind, target_id, signup_id in due:
        key = f"reminder:{kind.value}:{signup_id}"
        if key in already:
            continue
        with bank.uow() as uow:
            voter = uow.session.get(Voter, voter_id)
            if voter is None or _why_not(uow.session, voter) is not None:
                continue
            details = _signups(uow.session, voter_id).get((kind, target_id))
        if details is None:
            continue
        try:
            if _send(bank, voter_id, Purpose.REMINDER, details, target_id, user_id=None, key=key):
                sent += 1
        except Conflict as exc:
            logger.info("no reminder for %s %s: %s", kind.value, signup_id, exc)
    return sent


def on_status(bank: PhoneBank, text_id: int, sid: str, status: str, error_code: int | None) -> None:
    """A delivery report: recorded when it is news (a late or repeated report changes nothing)."""
    with bank.uow() as uow:
        text = uow.session.get(TextMessage, text_id)
        # The report may come before the provider's reply to the send was stored: the signed URL
        # names the text, so its sid is taken from the report then.
        if not sid or text is None or text.provider_sid not in (None, sid) or text.status in _FINAL:
            return
        text.provider_sid = sid[:34]
        if status not in _FINAL and _RANK.get(status, 0) <= _RANK.get(text.status, 0):
            return
        text.status, text.status_at = status[:16], bank.clock.now()
        if error_code is not None:
            text.error_code = error_code
        uow.commit()


def on_reply(bank: PhoneBank, from_: str, body: str) -> None:
    """Someone texted a campaign number: STOP (and the like) stops every text to them at once,
    START lets them be texted again; anything else is not kept."""
    word = reply_word(body)
    try:
        phone = normalise_phone(from_)
    except InvalidInput:
        return
    with bank.uow() as uow:
        if word == "STOP":
            _opt_out(uow.session, phone, body.strip().upper()[:20], bank.clock.now())
        elif word == "START":
            found = uow.session.exec(select(TextOptOut).where(TextOptOut.phone_e164 == phone)).first()
            if found is not None:
                uow.session.delete(found)
        uow.commit()


def route_replies(telephony: Telephony, caller_id: str, sms_url: str) -> bool:
    """Point the account's number `caller_id` at `sms_url`, so STOP replies reach the product;
    False when it cannot be (a verified caller ID cannot receive texts, or the provider failed)."""
    try:
        return telephony.route_texts(caller_id, sms_url)
    except TelephonyError as exc:
        logger.warning("replies to %s are not read: %s", masked(caller_id), exc)
        return False


def link_target(bank: PhoneBank, token: str) -> SignupDetails:
    """What a text's link shows: the sign-up's details (nothing about the voter)."""
    with bank.uow() as uow:
        text = uow.session.exec(select(TextMessage).where(TextMessage.link_token == token)).first()
        if text is None or text.voter_id is None:
            raise NotFound("no such link")
        details = _signups(uow.session, text.voter_id).get((SignupKind(text.kind), text.target_id))
        if details is None:
            raise NotFound("that sign-up has been cancelled")
        return details


def held_about(
    session: Session, voter_ids: list[int | None], phones: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """A subject access request's share: the person's agreements to texts, the texts sent to them
    and their STOP, if any."""

    def rows(model: Any, where: Any) -> list[dict[str, Any]]:
        found = session.exec(select(model).where(where).order_by(col(model.id))).all()
        return [
            {
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in row.model_dump().items()
            }
            for row in found
        ]

    return {
        "text_consents": rows(TextConsent, col(TextConsent.voter_id).in_(voter_ids)),
        "texts": rows(TextMessage, col(TextMessage.voter_id).in_(voter_ids)),
        "text_opt_outs": rows(TextOptOut, col(TextOptOut.phone_e164).in_(phones)),
    }


def forget(session: Session, voter_ids: list[int | None], phones: set[str]) -> None:
    """Erasure: the texts stay as counts (their words hold nothing about the person) without the
    provider's ids for them, and the numbers leave the STOP list (the provider keeps its own, and a
    number that comes back is texted only if its person agrees again on a call)."""
    session.exec(
        update(TextMessage).where(col(TextMessage.voter_id).in_(voter_ids)).values(provider_sid=None)
    )
    session.exec(delete(TextOptOut).where(col(TextOptOut.phone_e164).in_(phones)))


@dataclass(frozen=True)
class Wording:
    """One kind of text as the campaign words it: its own wording, or None for the default."""

    purpose: Purpose
    kind: SignupKind
    default: str
    own: str | None


def wordings(uow: UnitOfWork, campaign_id: int) -> list[Wording]:
    with uow:
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        own = {
            (row.purpose, row.kind): row.wording
            for row in uow.session.exec(
                select(CampaignTextWording).where(CampaignTextWording.campaign_id == campaign_id)
            )
        }
    return [
        Wording(purpose, kind, default, own.get((purpose.value, kind.value)))
        for (purpose, kind), default in DEFAULT_WORDING.items()
    ]


def _checked(key: tuple[Purpose, SignupKind], text: str) -> str | None:
    """One wording checked (None: empty, the default); a refusal names its form field, `purpose-kind`."""
    if not text.strip():
        return None
    try:
        return check_wording(text)
    except InvalidInput as error:
        raise InvalidInput(str(error), field=f"{key[0].value}-{key[1].value}") from None


def set_wordings(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    campaign_id: int,
    given: Mapping[tuple[Purpose, SignupKind], str],
) -> None:
    """Keep the campaign's own wording of each text given (checked first: all or nothing); an empty
    one, or the default itself, goes back to the default. A change is audited as a change of the
    campaign's settings."""
    checked = {key: _checked(key, text) for key, text in given.items() if key in DEFAULT_WORDING}
    with uow:
        session = uow.session
        if session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        changed = []
        for (purpose, kind), text in checked.items():
            row = session.get(CampaignTextWording, (campaign_id, purpose.value, kind.value))
            if text == DEFAULT_WORDING[(purpose, kind)]:
                text = None
            if (row.wording if row else None) != text:
                changed.append(f"text:{purpose.value}:{kind.value}")
            if text is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(
                    CampaignTextWording(
                        campaign_id=campaign_id, purpose=purpose.value, kind=kind.value, wording=text
                    )
                )
            else:
                row.wording = text
        if changed:
            audit.record(
                session,
                clock,
                actor,
                Action.CAMPAIGN_SETTINGS_CHANGED,
                subject_type="campaign",
                subject_id=campaign_id,
                detail={"changed": changed},
            )
        uow.commit()


def dashboard_figures(bank: PhoneBank, campaign_id: int) -> dict[str, int]:
    with bank.uow() as uow:
        return figures(uow.session, campaign_id)


def figures(session: Session, campaign_id: int) -> dict[str, int]:
    """The campaign's texts for its dashboard: sent, delivered, failed, and numbers that said STOP."""
    counts = dict(
        session.exec(
            select(TextMessage.status, func.count())
            .where(TextMessage.campaign_id == campaign_id)
            .group_by(col(TextMessage.status))
        ).all()
    )
    stopped = session.exec(
        select(func.count(func.distinct(TextOptOut.phone_e164))).where(
            col(TextOptOut.phone_e164).in_(select(Voter.phone_e164).where(Voter.campaign_id == campaign_id))
        )
    ).one()
    return {
        "sent": sum(counts.values()),
        "delivered": counts.get("delivered", 0),
        "failed": counts.get("failed", 0) + counts.get("undelivered", 0),
        "stopped": stopped,
    }


# --- sending ----------------------------------------------------------------------------------------


def _send(
    bank: PhoneBank,
    voter_id: int,
    purpose: Purpose,
    details: SignupDetails,
    target_id: int,
    *,
    user_id: int | None,
    key: str | None,
) -> str | None:
    """Record the text, then hand it to the provider; None when it was recorded before."""
    now = bank.clock.now()
    token = secrets.token_urlsafe(9)
    with bank.uow() as uow:
        session = uow.session
        voter = session.get(Voter, voter_id)
        campaign = session.get(Campaign, voter.campaign_id) if voter else None
        assert voter is not None and voter.phone_e164 and campaign is not None
        phone, caller_id = voter.phone_e164, campaign.caller_id
        link = f"{bank.webhooks.base_url.rstrip('/')}{LINK_PATH}/{token}"
        text = TextMessage(
            campaign_id=campaign.id or 0,
            voter_id=voter_id,
            user_id=user_id,
            purpose=purpose.value,
            kind=details.kind.value,
            target_id=target_id,
            once_key=key or f"{purpose.value}:{details.kind.value}:{target_id}:{voter_id}",
            link_token=token,
            body=text_body(
                campaign.name, purpose, details, link, _own_wording(session, campaign, purpose, details)
            ),
            created_at=now,
        )
        session.add(text)
        try:
            session.flush()
        except IntegrityError:
            return None
        uow.commit()
        text_id, body = text.id or 0, text.body
    status_url = f"{bank.webhooks.base_url.rstrip('/')}{STATUS_PATH}?text={text_id}"
    try:
        sid = bank.telephony.send_text(
            OutboundText(to=phone, from_=caller_id, body=body, status_url=status_url)
        )
    except TelephonyError as exc:
        with bank.uow() as uow:
            failed = uow.session.get(TextMessage, text_id)
            assert failed is not None
            failed.status, failed.error_code, failed.status_at = "failed", exc.code, bank.clock.now()
            if exc.code == UNSUBSCRIBED:
                _opt_out(uow.session, phone, "provider", bank.clock.now())
            uow.commit()
        if exc.code == UNSUBSCRIBED:
            raise Conflict("they have replied STOP to our texts, so no text can go to them") from None
        raise Conflict(f"the text could not be sent: {exc}") from None
    with bank.uow() as uow:
        sending = uow.session.get(TextMessage, text_id)
        assert sending is not None
        sending.provider_sid = sid
        if sending.status == "new":  # a callback may have come first
            sending.status = "queued"
        uow.commit()
        return sending.status


def _own_wording(
    session: Session, campaign: Campaign, purpose: Purpose, details: SignupDetails
) -> str | None:
    row = session.get(CampaignTextWording, (campaign.id, purpose.value, details.kind.value))
    return row.wording if row is not None else None


def _opt_out(session: Session, phone: str, keyword: str, now: datetime) -> None:
    if session.exec(select(TextOptOut.id).where(TextOptOut.phone_e164 == phone)).first() is None:
        session.add(TextOptOut(phone_e164=phone, keyword=keyword, created_at=now))


# --- reading ----------------------------------------------------------------------------------------


def _voter(session: Session, voter_id: int) -> Voter:
    voter = session.get(Voter, voter_id)
    if voter is None or voter.erased_at is not None:
        raise NotFound("no such voter")
    return voter


def _why_not(session: Session, voter: Voter) -> str | None:
    """Why no text may go to this voter's number (None: one may)."""
    phone = voter.phone_e164
    if not phone:
        return f"we have no number for {voter.first_name}"
    if session.exec(select(TextOptOut.id).where(TextOptOut.phone_e164 == phone)).first() is not None:
        return f"{voter.first_name} has replied STOP to our texts"
    if suppression.is_suppressed(session, phone):
        return f"{voter.first_name}'s number is on the do-not-call list"
    if not can_take_texts(phone):
        return f"{voter.first_name}'s number is a landline: it cannot take texts"
    return None


def _consented(session: Session, voter: Voter) -> bool:
    return (
        session.exec(
            select(TextConsent.id).where(
                TextConsent.voter_id == voter.id, TextConsent.campaign_id == voter.campaign_id
            )
        ).first()
        is not None
    )


def _last_call(session: Session, voter_id: int) -> int | None:
    """The latest call that reached the voter: the call on which they agreed."""
    return session.exec(
        select(CallAttempt.id)
        .where(CallAttempt.voter_id == voter_id, col(CallAttempt.connected_at).is_not(None))
        .order_by(col(CallAttempt.id).desc())
    ).first()


def _signups(session: Session, voter_id: int) -> dict[tuple[SignupKind, int], SignupDetails]:
    """The voter's live sign-ups (events with a place, lifts not declined or cancelled, pledges)."""
    found: dict[tuple[SignupKind, int], SignupDetails] = {}
    for event in session.exec(
        select(Event)
        .join(EventSignup, col(EventSignup.event_id) == col(Event.id))
        .where(EventSignup.voter_id == voter_id, col(EventSignup.status).in_(["confirmed", "waitlist"]))
    ):
        found[(SignupKind.EVENT, event.id or 0)] = SignupDetails(
            SignupKind.EVENT, event.title, event.starts_at, event.meeting_postcode
        )
    for carpool, event in session.exec(
        select(Carpool, Event)
        .join(CarpoolSeat, col(CarpoolSeat.carpool_id) == col(Carpool.id))
        .join(Event, col(Event.id) == col(Carpool.event_id))
        .where(CarpoolSeat.voter_id == voter_id, col(CarpoolSeat.status).in_(["requested", "accepted"]))
    ):
        found[(SignupKind.CARPOOL, carpool.id or 0)] = SignupDetails(
            SignupKind.CARPOOL, event.title, carpool.departs_at, carpool.pickup_postcode
        )
    for pledge in session.exec(
        select(Pledge)
        .join(PledgeSignup, col(PledgeSignup.pledge_id) == col(Pledge.id))
        .where(PledgeSignup.voter_id == voter_id)
    ):
        found[(SignupKind.PLEDGE, pledge.id or 0)] = SignupDetails(SignupKind.PLEDGE, pledge.text)
    return found
