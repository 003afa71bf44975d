"""Accounts: signing up, signing in (argon2id, rehashed when the parameters change), password resets.

Reset links carry a signed, expiring token (itsdangerous) bound to the account's current password
hash, so a link works once: using it changes the hash and voids it. Each sign-in starts a session
(dialer/services/accounts/sign_in_sessions.py); signing out ends it, and a new password, "sign out everywhere"
or an admin end every session of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain import accounts as rules
from dialer.domain.phones import volunteer_phone
from dialer.domain.roles import Role
from dialer.errors import InvalidInput, NotFound
from dialer.models import Campaign, CampaignOrganiser, User
from dialer.ports import UnitOfWork
from dialer.services.accounts import sign_in_sessions
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor

RESET_TOKEN_LIFETIME = timedelta(hours=1)
_RESET_SALT = "marginal.password-reset"


class EmailTaken(InvalidInput):
    """Someone already has an account with this address."""


@dataclass(frozen=True)
class NewAccount:
    email: str
    password: str
    first_name: str
    postcode: str
    phone: str = ""  # optional, for "call my phone" (verified later from the account page)


@dataclass(frozen=True)
class SignedIn:
    """What a session needs to know about an account: who it is and what it may run."""

    user_id: int
    email: str
    first_name: str
    role: Role
    organises: frozenset[int]
    session_key: str


def _password_fingerprint(user: User) -> str:
    """Binds a reset link to the password it replaces, so the link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _signed_in(session: Session, user: User, key: str) -> SignedIn:
    assert user.id is not None
    organises = session.exec(
        select(CampaignOrganiser.campaign_id).where(CampaignOrganiser.user_id == user.id)
    ).all()
    return SignedIn(
        user_id=user.id,
        email=user.email,
        first_name=user.first_name,
        role=Role(user.role),
        organises=frozenset(organises),
        session_key=key,
    )


def sign_up(
    uow: UnitOfWork, passwords: PasswordHasher, clock: Clock, new: NewAccount, *, ip: str = ""
) -> SignedIn:
    """Create a volunteer account; InvalidInput (EmailTaken for a known address) says what to fix."""
    return open_account(uow, clock, new_volunteer(passwords, clock, new), ip=ip)


def new_volunteer(passwords: PasswordHasher, clock: Clock, new: NewAccount) -> User:
    """The account these details make (not saved), its password hashed; InvalidInput says what to fix."""
    email = rules.normalise_email(new.email)
    rules.check_password(new.password, email=email)
    return User(
        email=email,
        password_hash=passwords.hash(new.password),
        first_name=rules.normalise_first_name(new.first_name),
        postcode=rules.normalise_postcode(new.postcode),
        phone_e164=volunteer_phone(new.phone) if new.phone.strip() else None,
        role=Role.VOLUNTEER,
        created_at=clock.now(),
        last_login_at=clock.now(),
    )


def open_account(uow: UnitOfWork, clock: Clock, user: User, *, ip: str = "") -> SignedIn:
    """Save a new account and sign it in (EmailTaken when its address is in use)."""
    email = user.email
    with uow:
        if _user_by_email(uow.session, email) is not None:
            raise EmailTaken("an account already uses this e-mail address: sign in or reset your password")
        uow.session.add(user)
        try:
            uow.session.flush()
        except IntegrityError:  # a simultaneous sign-up with the same address won the race
            raise EmailTaken(
                "an account already uses this e-mail address: sign in or reset your password"
            ) from None
        assert user.id is not None
        audit.record(
            uow.session, clock, Actor(user.id, ip), Action.SIGN_UP, subject_type="user", subject_id=user.id
        )
        signed_in = _signed_in(uow.session, user, sign_in_sessions.start(uow.session, user.id, clock.now()))
        uow.commit()
    return signed_in


def account_named(session: Session, email: str) -> User | None:
    """The account with this (normalised) address, if any."""
    return _user_by_email(session, email)


#: Hashes verified against when the e-mail address is unknown, so both cases take the same time.
_absent_hashes: dict[tuple[int, int, int], str] = {}


def _absent_hash(passwords: PasswordHasher) -> str:
    key = (passwords.time_cost, passwords.memory_cost, passwords.parallelism)
    if key not in _absent_hashes:
        _absent_hashes[key] = passwords.hash(secrets.token_hex(16))
    return _absent_hashes[key]


def authenticate(
    uow: UnitOfWork, passwords: PasswordHasher, clock: Clock, email: str, password: str, *, ip: str = ""
) -> SignedIn | None:
    """The account these credentials open, or None; audited either way. Rehashes outdated hashes."""
    email = rules.normalise_email(email)
    with uow:
        user = _user_by_email(uow.session, email)
        stored = user.password_hash if user else None
    # Verified with no database connection held: a burst of sign-ins would otherwise hold the pool's
    # connections for the length of their hashes and starve every other request.
    # An unknown address still costs one verification, so timing does not reveal which exist.
    matches = _verify(passwords, stored or _absent_hash(passwords), password)
    with uow:
        user = _user_by_email(uow.session, email)
        if user is None or not user.is_active or not matches or user.password_hash != stored:
            audit.record(
                uow.session,
                clock,
                Actor(user.id if user else None, ip),
                Action.SIGN_IN_FAILED,
                subject_type="user",
                subject_id=user.id if user else "",
            )
            uow.commit()
            return None
        if passwords.check_needs_rehash(user.password_hash):
            user.password_hash = passwords.hash(password)
        user.last_login_at = clock.now()
        uow.session.add(user)
        audit.record(
            uow.session, clock, Actor(user.id, ip), Action.SIGN_IN, subject_type="user", subject_id=user.id
        )
        assert user.id is not None
        signed_in = _signed_in(uow.session, user, sign_in_sessions.start(uow.session, user.id, clock.now()))
        uow.commit()
    return signed_in


def verify_password(passwords: PasswordHasher, password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed (for changes to an account that ask for it again)."""
    return _verify(passwords, password_hash, password)


def _verify(passwords: PasswordHasher, password_hash: str, password: str) -> bool:
    if len(password) > rules.PASSWORD_MAX:
        return False
    try:
        return passwords.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load(uow: UnitOfWork, clock: Clock, key: str) -> SignedIn | None:
    """The active account a session key names, or None (unknown, ended, or the account disabled)."""
    with uow:
        user = sign_in_sessions.account_of(uow.session, key, clock.now())
        if user is None or not user.is_active:
            return None
        return _signed_in(uow.session, user, key)


def sign_out(uow: UnitOfWork, clock: Clock, actor: Actor, key: str) -> None:
    """End this session: its cookie (and every copy of it) no longer signs anyone in."""
    with uow:
        sign_in_sessions.end(uow.session, key, clock.now())
        audit.record(
            uow.session, clock, actor, Action.SIGN_OUT, subject_type="user", subject_id=actor.user_id
        )
        uow.commit()


def sign_out_everywhere(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int) -> int:
    """End every session of this account (on every device, this one too); returns how many."""
    with uow:
        ended = sign_in_sessions.end_all(uow.session, user_id, clock.now())
        audit.record(
            uow.session,
            clock,
            actor,
            Action.SIGNED_OUT_EVERYWHERE,
            subject_type="user",
            subject_id=user_id,
            detail={"sessions": ended},
        )
        uow.commit()
    return ended


def end_sessions(uow: UnitOfWork, clock: Clock, admin: Actor, user_id: int) -> int:
    """An admin ends every session of an account (a lost phone, a departing volunteer)."""
    with uow:
        if uow.session.get(User, user_id) is None:
            raise NotFound("there is no such account")
        ended = sign_in_sessions.end_all(uow.session, user_id, clock.now())
        audit.record(
            uow.session,
            clock,
            admin,
            Action.SESSIONS_ENDED,
            subject_type="user",
            subject_id=user_id,
            detail={"sessions": ended},
        )
        uow.commit()
    return ended


def forget_finished_sessions(uow: UnitOfWork, clock: Clock) -> int:
    """Delete the records of sessions that are over (the workers' upkeep); returns how many."""
    with uow:
        forgotten = sign_in_sessions.forget_finished(uow.session, clock.now())
        uow.commit()
    return forgotten


# --- password reset --------------------------------------------------------------------------


def _serializer(secret_key: str, clock: Clock) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT, signer=ClockSigner)


@dataclass(frozen=True)
class ResetLink:
    user_id: int
    email: str
    token: str
    first_name: str = ""


def request_reset(
    uow: UnitOfWork, clock: Clock, secret_key: str, email: str, *, ip: str = ""
) -> ResetLink | None:
    """A reset token for the active account with this address, or None (the caller says the same)."""
    email = rules.normalise_email(email)
    with uow:
        user = _user_by_email(uow.session, email)
        if user is None or not user.is_active:
            return None
        assert user.id is not None
        token = _serializer(secret_key, clock).dumps({"u": user.id, "f": _password_fingerprint(user)})
        audit.record(
            uow.session,
            clock,
            Actor(None, ip),
            Action.PASSWORD_RESET_REQUESTED,
            subject_type="user",
            subject_id=user.id,
        )
        uow.commit()
    return ResetLink(user.id, user.email, token, user.first_name)


class ResetLinkInvalid(InvalidInput):
    """The link is forged, used already, or too old."""


def _user_for_token(session: Session, clock: Clock, secret_key: str, token: str) -> User:
    try:
        data = _serializer(secret_key, clock).loads(token, max_age=int(RESET_TOKEN_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise ResetLinkInvalid("this reset link has expired: ask for a new one") from None
    except BadSignature:
        raise ResetLinkInvalid("this reset link is not valid: ask for a new one") from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.is_active
        or not secrets.compare_digest(_password_fingerprint(user), str(data.get("f")))
    ):
        raise ResetLinkInvalid("this reset link has already been used: ask for a new one")
    return user


def check_reset_token(uow: UnitOfWork, clock: Clock, secret_key: str, token: str) -> None:
    """Raise ResetLinkInvalid unless the token can still be used."""
    with uow:
        _user_for_token(uow.session, clock, secret_key, token)


def reset_password(
    uow: UnitOfWork,
    passwords: PasswordHasher,
    clock: Clock,
    secret_key: str,
    token: str,
    new_password: str,
    *,
    ip: str = "",
) -> SignedIn:
    """Set a new password with a reset token (once); every existing session of the account ends."""
    with uow:
        user = _user_for_token(uow.session, clock, secret_key, token)
        rules.check_password(new_password, email=user.email)
        user.password_hash = passwords.hash(new_password)
        user.last_login_at = clock.now()
        uow.session.add(user)
        assert user.id is not None
        ended = sign_in_sessions.end_all(uow.session, user.id, clock.now())
        audit.record(
            uow.session,
            clock,
            Actor(user.id, ip),
            Action.PASSWORD_RESET,
            subject_type="user",
            subject_id=user.id,
            detail={"sessions_ended": ended},
        )
        signed_in = _signed_in(uow.session, user, sign_in_sessions.start(uow.session, user.id, clock.now()))
        uow.commit()
    return signed_in


def _user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(col(User.email) == email)).first()


# --- demo accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCredentials:
    role: Role
    email: str
    password: str


#: The demo volunteer's own phone for "call my phone": Ofcom's drama range with no area (01632 960xxx),
#: apart from the demo's voters (07700 900xxx) and caller IDs (020 7946 0xxx). `dialer demo` tells
#: the simulator to answer it and press 1.
DEMO_VOLUNTEER_PHONE = "+441632960001"

DEMO_PEOPLE = (
    (Role.VOLUNTEER, "volunteer@demo.marginal.invalid", "Vic"),
    (Role.ORGANISER, "organiser@demo.marginal.invalid", "Olu"),
    (Role.ADMIN, "admin@demo.marginal.invalid", "Ada"),
)


def seed_demo_accounts(uow: UnitOfWork, passwords: PasswordHasher, clock: Clock) -> list[DemoCredentials]:
    """Create the demo volunteer (with a phone for "call my phone"), organiser (of every campaign)
    and admin with random passwords.

    Returns the credentials of the accounts created now; existing ones are left alone (their
    passwords were printed when they were made; `reset_demo_passwords` gives them new ones).
    """
    created: list[DemoCredentials] = []
    with uow:
        campaign_ids = uow.session.exec(select(Campaign.id)).all()
        for role, email, first_name in DEMO_PEOPLE:
            if _user_by_email(uow.session, email) is not None:
                continue
            password = secrets.token_urlsafe(12)
            user = User(
                email=email,
                password_hash=passwords.hash(password),
                first_name=first_name,
                postcode="SW1A 1AA",
                role=role,
                created_at=clock.now(),
                phone_e164=DEMO_VOLUNTEER_PHONE if role is Role.VOLUNTEER else None,
                # The demo's simulator answers that phone and presses 1: it counts as verified.
                phone_verified_at=clock.now() if role is Role.VOLUNTEER else None,
            )
            uow.session.add(user)
            uow.session.flush()
            assert user.id is not None
            if role is Role.ORGANISER:
                for campaign_id in campaign_ids:
                    if campaign_id is not None:
                        uow.session.add(CampaignOrganiser(campaign_id=campaign_id, user_id=user.id))
            created.append(DemoCredentials(role, email, password))
        uow.commit()
    return created


def reset_demo_passwords(uow: UnitOfWork, passwords: PasswordHasher, clock: Clock) -> list[DemoCredentials]:
    """New random passwords for the demo accounts that exist (which ends their sessions), returned once."""
    reset: list[DemoCredentials] = []
    with uow:
        for role, email, _ in DEMO_PEOPLE:
            user = _user_by_email(uow.session, email)
            if user is None:
                continue
            password = secrets.token_urlsafe(12)
            user.password_hash = passwords.hash(password)
            uow.session.add(user)
            assert user.id is not None
            sign_in_sessions.end_all(uow.session, user.id, clock.now())
            reset.append(DemoCredentials(role, email, password))
        uow.commit()
    return reset
