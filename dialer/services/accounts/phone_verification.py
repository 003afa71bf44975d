"""A volunteer's own phone number: set on their account (with their password), verified by a call
that asks them to press 1, and only then rung by "call my phone".

Verification calls are rate limited per account and per number (counted from SQL), so the product
cannot be used to ring someone else's phone over and over; only UK landlines and mobiles are rung
(dialer.domain.phones.volunteer_phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session, col, func, select

from dialer.domain import accounts as rules
from dialer.domain.call_control import CallInstruction, ConfirmVolunteer, Goodbye
from dialer.domain.phones import national, volunteer_phone
from dialer.errors import Conflict, InvalidInput, NotFound, TelephonyError
from dialer.models import PhoneVerification, User
from dialer.ports import OutboundCall, UnitOfWork
from dialer.services.accounts.accounts import verify_password
from dialer.services.phone_bank import PhoneBank

#: Verification calls allowed in RATE_WINDOW, per account and per number.
CALLS_PER_ACCOUNT = 3
CALLS_PER_NUMBER = 3
RATE_WINDOW = timedelta(hours=1)
RING_S = 30


@dataclass(frozen=True)
class AccountPhone:
    """What the account page shows of its owner's number (never shown to anyone else)."""

    e164: str | None
    national: str
    verified: bool


def account_phone(uow: UnitOfWork, user_id: int) -> AccountPhone:
    with uow:
        user = _user(uow.session, user_id)
        return AccountPhone(
            user.phone_e164,
            national(user.phone_e164) if user.phone_e164 else "",
            user.phone_verified_at is not None,
        )


def change_details(
    uow: UnitOfWork,
    passwords: PasswordHasher,
    user_id: int,
    *,
    first_name: str,
    email: str,
    phone: str,
    password: str,
) -> bool:
    """Update name, e-mail and phone; a new e-mail or phone needs the account's password (InvalidInput
    otherwise). A new phone number is unverified until its owner presses 1. Returns whether the
    phone number changed."""
    new_email = rules.normalise_email(email)
    with uow:
        user = _user(uow.session, user_id)
        new_phone = volunteer_phone(phone, any_number=user.any_phone_allowed) if phone.strip() else None
        sensitive = new_email != user.email or new_phone != user.phone_e164
        stored = user.password_hash
    if sensitive and not verify_password(passwords, stored, password):
        raise InvalidInput("enter your current password to change your e-mail address or phone number")
    with uow:
        user = _user(uow.session, user_id)
        if new_email != user.email and uow.session.exec(select(User).where(User.email == new_email)).first():
            raise InvalidInput("another account already uses this e-mail address")
        phone_changed = new_phone != user.phone_e164
        user.first_name = rules.normalise_first_name(first_name)
        user.email = new_email
        if phone_changed:
            user.phone_e164 = new_phone
            user.phone_verified_at = None
        uow.session.add(user)
        uow.commit()
    return phone_changed


def ring_to_verify(bank: PhoneBank, user_id: int, caller_id: str) -> None:
    """Ring the account's number and ask for a 1 (Conflict when the rate limits say not now)."""
    now = bank.clock.now()
    with bank.uow() as uow:
        user = _user(uow.session, user_id)
        if user.phone_e164 is None:
            raise InvalidInput("add your phone number first")
        if user.phone_verified_at is not None:
            raise Conflict("your phone number is already verified")
        # The rules (or the account's allowance) may have changed since it was saved.
        number = volunteer_phone(user.phone_e164, any_number=user.any_phone_allowed)
        since = now - RATE_WINDOW
        if _calls(uow.session, PhoneVerification.user_id == user_id, since) >= CALLS_PER_ACCOUNT:
            raise Conflict("we have rung you several times this hour: please try again later")
        if _calls(uow.session, PhoneVerification.phone_e164 == number, since) >= CALLS_PER_NUMBER:
            raise Conflict("this number has been rung several times this hour: please try again later")
        check = PhoneVerification(user_id=user_id, phone_e164=number, created_at=now)
        uow.session.add(check)
        uow.commit()  # counted against the limits even if the call cannot be placed
        assert check.id is not None
        try:
            check.call_sid = bank.telephony.place_call(
                OutboundCall(
                    to=number,
                    caller_id=caller_id,
                    answer_url=bank.webhooks.phone_check_answer(check.id),
                    status_url=bank.webhooks.phone_check_status(check.id),
                    ring_timeout_s=RING_S,
                )
            )
        except TelephonyError:
            raise Conflict("we could not ring your phone just now: please try again") from None
        uow.session.add(check)
        uow.commit()


def check_answered(bank: PhoneBank, verification_id: int, call_sid: str) -> CallInstruction:
    with bank.uow() as uow:
        check = uow.session.get(PhoneVerification, verification_id)
        if check is None or check.call_sid != call_sid or check.verified_at is not None:
            return Goodbye()
    return ConfirmVolunteer(
        prompt="This is Marginal, checking the phone number on your volunteer account. If this is you, press 1.",
        action_url=bank.webhooks.phone_check_confirm(verification_id),
    )


def check_confirmed(bank: PhoneBank, verification_id: int, call_sid: str, digits: str) -> CallInstruction:
    """A 1 from the number just rung verifies it, if it is still the account's number."""
    if digits.strip() != "1":
        return Goodbye("We did not hear a 1, so your number is not verified. Goodbye.")
    now = bank.clock.now()
    with bank.uow() as uow:
        check = uow.session.get(PhoneVerification, verification_id)
        if check is None or check.call_sid != call_sid:
            return Goodbye()
        user = uow.session.get(User, check.user_id)
        if user is None or user.phone_e164 != check.phone_e164:
            return Goodbye("This number is no longer on the account. Goodbye.")
        check.verified_at = now
        user.phone_verified_at = now
        uow.session.add_all([check, user])
        uow.commit()
    return Goodbye("Thank you: your number is verified. Goodbye.")


def _calls(session: Session, which: object, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(PhoneVerification)
            .where(which, col(PhoneVerification.created_at) >= since)  # type: ignore[arg-type]
        ).one()
    )


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such account")
    return user
