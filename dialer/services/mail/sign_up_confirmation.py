"""Signing up by e-mail: the answer to a sign-up is the same whether or not the address already has
an account, so the sign-up form cannot be used to find out who has one.

A new address gets a link (CONFIRM_WITHIN) that makes the account when opened: the details wait in
PendingSignUp, the password already hashed, the link's token stored as a hash. An address that has an
account gets an e-mail telling its owner so, with the way to sign in or reset the password; nothing
changes. Both cost one password hash, so the time taken does not tell them apart either.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from sqlmodel import Session, col, delete, select

from dialer.clock import Clock
from dialer.errors import InvalidInput
from dialer.models import PendingSignUp, User
from dialer.services.accounts import accounts
from dialer.services.accounts.accounts import NewAccount, SignedIn
from dialer.services.mail import mail as outbox
from dialer.services.mail import mail_messages
from dialer.services.mail.mail import Mail

CONFIRM_WITHIN = timedelta(hours=24)


class SignUpLinkInvalid(InvalidInput):
    """The link is unknown, used already or too old."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(
    mail: Mail,
    passwords: PasswordHasher,
    new: NewAccount,
    *,
    confirm_url: str,
    sign_in_url: str,
    reset_url: str,
) -> str:
    """Check the details (InvalidInput names the field) and e-mail the address; returns it, normalised.

    `confirm_url` is the confirmation page's address with `{token}` where the token goes.
    """
    user = accounts.new_volunteer(passwords, mail.clock, new)  # hashes the password in both cases
    hours = int(CONFIRM_WITHIN.total_seconds() // 3600)
    with mail.uow() as uow:
        owner = accounts.account_named(uow.session, user.email)
        if owner is not None:
            assert owner.id is not None
            letter = mail_messages.already_signed_up(
                to=owner.email,
                first_name=owner.first_name,
                sign_in_url=sign_in_url,
                reset_url=reset_url,
                base_url=mail.base_url,
                user_id=owner.id,
            )
        else:
            token = secrets.token_urlsafe(32)
            uow.session.add(
                PendingSignUp(
                    token_hash=_hash(token),
                    email=user.email,
                    password_hash=user.password_hash,
                    first_name=user.first_name,
                    postcode=user.postcode,
                    phone_e164=user.phone_e164,
                    created_at=mail.clock.now(),
                )
            )
            letter = mail_messages.sign_up_confirmation(
                to=user.email,
                first_name=user.first_name,
                url=confirm_url.replace("{token}", token),
                hours=hours,
                base_url=mail.base_url,
            )
        row = outbox.add(uow.session, mail.clock, letter)
        uow.commit()
        assert row.id is not None
        mail_id = row.id
    outbox.queue(mail, mail_id)
    return user.email


def check(mail: Mail, token: str) -> None:
    """Raise SignUpLinkInvalid unless the link can still make an account."""
    with mail.uow() as uow:
        _pending(uow.session, mail.clock, token)


def confirm(mail: Mail, token: str, *, ip: str = "") -> SignedIn:
    """Make the account the link was sent for and sign it in (once); EmailTaken if the address has
    been taken since (by an earlier link to it)."""
    with mail.uow() as uow:
        pending = _pending(uow.session, mail.clock, token)
        user = User(
            email=pending.email,
            password_hash=pending.password_hash,
            first_name=pending.first_name,
            postcode=pending.postcode,
            phone_e164=pending.phone_e164,
            created_at=mail.clock.now(),
            last_login_at=mail.clock.now(),
        )
        uow.session.exec(delete(PendingSignUp).where(col(PendingSignUp.email) == pending.email))
        uow.commit()
    return accounts.open_account(mail.uow(), mail.clock, user, ip=ip)


def forget_expired(mail: Mail) -> int:
    """Delete sign-ups whose link has expired (the workers' upkeep); returns how many."""
    with mail.uow() as uow:
        result = uow.session.exec(
            delete(PendingSignUp).where(col(PendingSignUp.created_at) < mail.clock.now() - CONFIRM_WITHIN)
        )
        uow.commit()
        return int(result.rowcount or 0)


def _pending(session: Session, clock: Clock, token: str) -> PendingSignUp:
    pending = session.exec(select(PendingSignUp).where(PendingSignUp.token_hash == _hash(token))).first()
    if pending is None:
        raise SignUpLinkInvalid("this sign-up link is not valid or has been used: sign in, or sign up again")
    assert pending.created_at is not None
    if pending.created_at < clock.now() - CONFIRM_WITHIN:
        raise SignUpLinkInvalid("this sign-up link has expired: sign up again")
    return pending
