"""Pledges: the promises a campaign asks for, made on a call, on the doorstep or on a public page.

Making the same pledge twice (the same volunteer, voter or email address) keeps the first one; the
pledge's row lock makes that hold when the same form is sent twice at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slugify import slugify
from sqlalchemy import and_, func, literal_column, or_
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.domain.campaigns import CampaignStatus
from dialer.errors import InvalidInput, NotFound
from dialer.models import Campaign, Pledge, PledgeSignup, User, Voter
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor
from dialer.services.unique_keys import first_one_wins

CHANNELS = ("phone", "doorstep", "web")
SLUG_MAX = 60
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def suggested_slug(text: str) -> str:
    """A pledge's web address part made from its text ("Take polling day off!" -> "take-polling-day-off")."""
    return slugify(text, max_length=SLUG_MAX, word_boundary=True)


@dataclass(frozen=True)
class PledgeSummary:
    id: int
    campaign_id: int
    slug: str
    text: str
    active: bool
    count: int


@dataclass(frozen=True)
class OfferedPledge:
    """An open pledge offered to a signed-in volunteer, and whether they have made it."""

    text: str
    campaign_name: str
    url: str
    pledged: bool


def create_pledge(
    uow: UnitOfWork, campaign_id: int, *, slug: str, text: str, clock: Clock, actor: Actor
) -> int:
    """Add a pledge; its web address part is made from its text when left blank."""
    text = text.strip()
    slug = slug.strip().lower() or suggested_slug(text)
    if not _SLUG.match(slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(
            "the web address part is lower-case letters, digits and dashes (e.g. polling-day)", field="slug"
        )
    if not text or len(text) > 300:
        raise InvalidInput("the pledge is between 1 and 300 characters", field="text")
    with uow:
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        clash = uow.session.exec(
            select(Pledge).where(Pledge.campaign_id == campaign_id, Pledge.slug == slug)
        ).first()
        if clash is not None:
            raise InvalidInput(f"this campaign already has a pledge at {slug!r}", field="slug")
        pledge = Pledge(campaign_id=campaign_id, slug=slug, text=text)
        uow.session.add(pledge)
        uow.session.flush()
        assert pledge.id is not None
        audit.record(
            uow.session,
            clock,
            actor,
            Action.PLEDGE_CREATED,
            subject_type="pledge",
            subject_id=pledge.id,
            detail={"campaign": campaign_id},
        )
        uow.commit()
        return pledge.id


def set_active(
    uow: UnitOfWork, campaign_id: int, pledge_id: int, active: bool, *, clock: Clock, actor: Actor
) -> None:
    """Open or close one of this campaign's pledges (another campaign's is not found, and left alone)."""
    with uow:
        pledge = uow.session.get(Pledge, pledge_id)
        if pledge is None or pledge.campaign_id != campaign_id:
            raise NotFound("no such pledge in this campaign")
        pledge.active = active
        uow.session.add(pledge)
        audit.record(
            uow.session,
            clock,
            actor,
            Action.PLEDGE_OPENED if active else Action.PLEDGE_CLOSED,
            subject_type="pledge",
            subject_id=pledge_id,
            detail={"campaign": pledge.campaign_id},
        )
        uow.commit()


def pledges_of(uow: UnitOfWork, campaign_id: int, *, active_only: bool = False) -> list[PledgeSummary]:
    with uow:
        query = select(Pledge).where(Pledge.campaign_id == campaign_id)
        if active_only:
            query = query.where(col(Pledge.active).is_(True))
        pledges = uow.session.exec(query.order_by(col(Pledge.id))).all()
        counts = _counts(uow.session, [pledge.id for pledge in pledges if pledge.id is not None])
        return [
            PledgeSummary(p.id or 0, p.campaign_id, p.slug, p.text, p.active, counts.get(p.id or 0, 0))
            for p in pledges
        ]


def public_pledge(uow: UnitOfWork, campaign_slug: str, pledge_slug: str) -> tuple[str, PledgeSummary]:
    """The campaign's name and the open pledge at this address."""
    with uow:
        row = uow.session.exec(
            select(Campaign.name, Pledge)
            .join(Pledge, col(Pledge.campaign_id) == col(Campaign.id))
            .where(Campaign.slug == campaign_slug, Pledge.slug == pledge_slug, col(Pledge.active).is_(True))
        ).first()
        if row is None:
            raise NotFound("no such pledge")
        name, pledge = row
        assert pledge.id is not None
        count = _counts(uow.session, [pledge.id]).get(pledge.id, 0)
        return name, PledgeSummary(pledge.id, pledge.campaign_id, pledge.slug, pledge.text, True, count)


def has_pledged(uow: UnitOfWork, pledge_id: int, user_id: int | None, *, email: str = "") -> bool:
    """Whether this volunteer has made the pledge (signed in, or earlier with their account's email);
    without an account, whether `email` has."""
    if user_id is None and not email.strip():
        return False
    with uow:
        who = _who(uow.session, _pledge(uow.session, pledge_id), user_id, None, email.strip().lower())
        return (
            uow.session.exec(select(PledgeSignup.id).where(PledgeSignup.pledge_id == pledge_id, who)).first()
            is not None
        )


def offered_to(uow: UnitOfWork, user_id: int, *, limit: int = 5) -> list[OfferedPledge]:
    """The open pledges of the active campaigns, those not yet made first, oldest campaign first."""
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("no such volunteer")
        rows = session.exec(
            select(Pledge, Campaign.name, Campaign.slug)
            .join(Campaign, col(Campaign.id) == Pledge.campaign_id)
            .where(Campaign.status == CampaignStatus.ACTIVE, col(Pledge.active).is_(True))
            .order_by(col(Campaign.id), col(Pledge.id))
        ).all()
        ids = [pledge.id for pledge, _, _ in rows]
        made = set(
            session.exec(
                select(PledgeSignup.pledge_id).where(
                    col(PledgeSignup.pledge_id).in_(ids), _by_account(user_id, user.email)
                )
            ).all()
        )
        offered = [
            OfferedPledge(pledge.text, name, f"/pledge/{slug}/{pledge.slug}", pledge.id in made)
            for pledge, name, slug in rows
        ]
        return sorted(offered, key=lambda offer: offer.pledged)[:limit]


def make_pledge(
    uow: UnitOfWork,
    clock: Clock,
    pledge_id: int,
    *,
    channel: str,
    user_id: int | None = None,
    voter_id: int | None = None,
    outcome_id: int | None = None,
    name: str = "",
    email: str = "",
) -> tuple[int, bool]:
    """Record a pledge; returns its id and whether it is new (False: this person had already pledged)."""

    def attempt() -> tuple[int, bool]:
        made = record(
            uow.session,
            clock,
            pledge_id,
            channel=channel,
            user_id=user_id,
            voter_id=voter_id,
            outcome_id=outcome_id,
            name=name,
            email=email,
        )
        uow.commit()
        return made

    with uow:
        return first_one_wins(uow, attempt)


def record(
    session: Session,
    clock: Clock,
    pledge_id: int,
    *,
    channel: str,
    user_id: int | None = None,
    voter_id: int | None = None,
    outcome_id: int | None = None,
    name: str = "",
    email: str = "",
) -> tuple[int, bool]:
    """`make_pledge` inside the caller's transaction, which commits it. An IntegrityError (the same
    person's other request made it a moment ago) is the caller's to settle (`first_one_wins`)."""
    if channel not in CHANNELS:
        raise InvalidInput(f"unknown channel {channel!r}")
    name, email = name.strip(), email.strip().lower()
    if user_id is None and voter_id is None:
        if not name or len(name) > 120:
            raise InvalidInput("give your name (at most 120 characters)", field="name")
        if len(email) > 254 or not _EMAIL.match(email):
            raise InvalidInput("give an email address we can reach you at", field="email")
    # No lock on the pledge's row: pledgers never wait on each other, and the unique keys on
    # PledgeSignup settle one person's two requests at once. (A pledge made as it is closed is kept.)
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("no such pledge")
    if not pledge.active:
        raise InvalidInput("this pledge is closed")
    who = _who(session, pledge, user_id, voter_id, email)
    existing = _signup_of(session, pledge_id, who)
    if existing is not None:
        return existing, False
    if user_id is not None:
        user = session.get(User, user_id)
        assert user is not None
        name = name or user.first_name
    elif voter_id is not None:
        voter = session.get(Voter, voter_id)
        assert voter is not None
        name = name or voter.first_name
    signup = PledgeSignup(
        pledge_id=pledge_id,
        user_id=user_id,
        voter_id=voter_id,
        outcome_id=outcome_id,
        name=name,
        email=email,
        channel=channel,
        created_at=clock.now(),
    )
    session.add(signup)
    session.flush()
    assert signup.id is not None
    return signup.id, True


def _signup_of(session: Session, pledge_id: int, who: Any) -> int | None:
    return session.exec(select(PledgeSignup.id).where(PledgeSignup.pledge_id == pledge_id, who)).first()


def _who(session: Session, pledge: Pledge, user_id: int | None, voter_id: int | None, email: str) -> Any:
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("no such volunteer")
        return _by_account(user_id, user.email)
    if voter_id is not None:
        voter = session.get(Voter, voter_id)
        if voter is None or voter.erased_at is not None:
            raise NotFound("no such voter")
        if voter.campaign_id != pledge.campaign_id:
            raise InvalidInput("this pledge belongs to another campaign")
        return PledgeSignup.voter_id == voter_id
    return made_with_email(email)


def _by_account(user_id: int, email: str) -> Any:
    """The pledges of an account: made signed in, or before with the account's email address."""
    return or_(col(PledgeSignup.user_id) == user_id, made_with_email(email.strip().lower()))


def made_with_email(email: str) -> Any:
    """The pledges made with this address (none for ""). The `<> ''` repeats the condition of the
    partial unique key on (pledge, address): without it, PostgreSQL cannot use that key in a prepared
    statement's generic plan (it cannot know the parameter is never ''), and each look-up read every
    signup of the pledge once the tables had statistics (measured by scripts/bench_cascade.py)."""
    # a literal '' in the SQL text: a bound parameter would not match the key's condition either
    return and_(col(PledgeSignup.email) == email, col(PledgeSignup.email) != literal_column("''"))


def _pledge(session: Session, pledge_id: int) -> Pledge:
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("no such pledge")
    return pledge


def _counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(PledgeSignup.pledge_id, func.count())
        .where(col(PledgeSignup.pledge_id).in_(ids))
        .group_by(col(PledgeSignup.pledge_id))
    )
    return dict(rows.all())
