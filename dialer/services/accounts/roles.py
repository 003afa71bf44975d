"""Who runs what: admins make accounts organisers of campaigns, or admins themselves.

An account's role (User.role) is what it may do across the product: a volunteer calls; an organiser
may also set up campaigns; an admin may do everything. Which campaigns an organiser runs is the
CampaignOrganiser table: being an organiser of one campaign gives no rights over another. A voter,
an event or a voter import is run by the organisers of the campaign it belongs to (`campaign_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, or_, select

from dialer.clock import Clock
from dialer.domain.phones import masked
from dialer.domain.roles import Role
from dialer.errors import InvalidInput, NotFound
from dialer.models import Campaign, CampaignOrganiser, Event, User, Voter, VoterImport
from dialer.ports import UnitOfWork
from dialer.services.compliance import audit
from dialer.services.compliance.audit import Action, Actor

#: The records that belong to one campaign, whose organisers run them.
CampaignRecord = Voter | Event | VoterImport


def campaign_of(uow: UnitOfWork, record: type[CampaignRecord], record_id: int) -> int | None:
    """The campaign this voter, event or import belongs to; None when there is no such record
    (or, for a voter, when they have been erased: nobody runs a tombstone)."""
    query = select(record.campaign_id).where(col(record.id) == record_id)
    if record is Voter:
        query = query.where(col(Voter.erased_at).is_(None))
    with uow:
        found = uow.session.exec(query).first()
    return found if isinstance(found, int) else None


def runs_campaign(session: Session, user_id: int, campaign_id: int) -> bool:
    """True for an admin or an organiser of this campaign (in the caller's transaction)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return False
    return user.role is Role.ADMIN or session.get(CampaignOrganiser, (campaign_id, user_id)) is not None


@dataclass(frozen=True)
class CampaignRef:
    id: int
    name: str


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    first_name: str
    role: Role
    is_active: bool
    organises: list[CampaignRef]
    phone_masked: str = ""  # "call my phone": admins see only its last digits
    phone_verified: bool = False
    any_phone_allowed: bool = False


@dataclass(frozen=True)
class PeoplePage:
    people: list[Person]
    campaigns: list[CampaignRef]
    total: int


def people(uow: UnitOfWork, *, query: str = "", limit: int = 100) -> PeoplePage:
    """Accounts matching `query` (e-mail or first name), with the campaigns each organises."""
    with uow:
        statement = select(User)
        if query.strip():
            pattern = f"%{query.strip().lower()}%"
            statement = statement.where(
                or_(col(User.email).like(pattern), func.lower(col(User.first_name)).like(pattern))
            )
        total = uow.session.exec(select(func.count()).select_from(statement.subquery())).one()
        users = uow.session.exec(statement.order_by(col(User.email)).limit(limit)).all()
        campaigns = _campaigns(uow)
        names = {c.id: c for c in campaigns}
        links = uow.session.exec(
            select(CampaignOrganiser).where(col(CampaignOrganiser.user_id).in_([u.id for u in users]))
        ).all()
        by_user: dict[int, list[CampaignRef]] = {}
        for link in links:
            by_user.setdefault(link.user_id, []).append(names[link.campaign_id])
        return PeoplePage(
            people=[
                Person(
                    u.id or 0,
                    u.email,
                    u.first_name,
                    Role(u.role),
                    u.is_active,
                    by_user.get(u.id or 0, []),
                    masked(u.phone_e164) if u.phone_e164 else "",
                    u.phone_verified_at is not None,
                    u.any_phone_allowed,
                )
                for u in users
            ],
            campaigns=campaigns,
            total=total,
        )


def campaigns(uow: UnitOfWork) -> list[CampaignRef]:
    """Every campaign, by name (what an admin chooses from)."""
    with uow:
        return _campaigns(uow)


def _campaigns(uow: UnitOfWork) -> list[CampaignRef]:
    rows = uow.session.exec(select(Campaign.id, Campaign.name).order_by(col(Campaign.name))).all()
    return [CampaignRef(campaign_id or 0, name) for campaign_id, name in rows]


def grant_organiser(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, campaign_id: int) -> None:
    """Let the account run this campaign (and set up others: a volunteer becomes an organiser)."""
    with uow:
        user = _user(uow, user_id)
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        if uow.session.get(CampaignOrganiser, (campaign_id, user_id)) is None:
            uow.session.add(CampaignOrganiser(campaign_id=campaign_id, user_id=user_id))
            if user.role is Role.VOLUNTEER:
                user.role = Role.ORGANISER
                uow.session.add(user)
            audit.record(
                uow.session,
                clock,
                actor,
                Action.ORGANISER_GRANTED,
                subject_type="user",
                subject_id=user_id,
                detail={"campaign_id": campaign_id},
            )
        uow.commit()


def revoke_organiser(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, campaign_id: int) -> None:
    """Stop the account running this campaign (its role is left for an admin to change)."""
    with uow:
        _user(uow, user_id)
        link = uow.session.get(CampaignOrganiser, (campaign_id, user_id))
        if link is not None:
            uow.session.delete(link)
            audit.record(
                uow.session,
                clock,
                actor,
                Action.ORGANISER_REVOKED,
                subject_type="user",
                subject_id=user_id,
                detail={"campaign_id": campaign_id},
            )
        uow.commit()


def set_role(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, role: Role) -> None:
    """Change an account's role; an admin cannot demote themselves (so one admin always remains)."""
    with uow:
        user = _user(uow, user_id)
        if user.id == actor.user_id and role is not Role.ADMIN:
            raise InvalidInput("you cannot remove your own admin role: ask another admin")
        if user.role is not role:
            audit.record(
                uow.session,
                clock,
                actor,
                Action.ROLE_CHANGED,
                subject_type="user",
                subject_id=user_id,
                detail={"from": user.role.value, "to": role.value},
            )
            user.role = role
            uow.session.add(user)
        uow.commit()


def allow_any_phone(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, allowed: bool) -> None:
    """Let "call my phone" ring any valid number for this account (international, non-geographic),
    or only UK landlines and mobiles again (a number already verified stays until it is changed)."""
    with uow:
        user = _user(uow, user_id)
        if user.any_phone_allowed is not allowed:
            audit.record(
                uow.session,
                clock,
                actor,
                Action.ANY_PHONE_ALLOWED,
                subject_type="user",
                subject_id=user_id,
                detail={"allowed": allowed},
            )
            user.any_phone_allowed = allowed
            uow.session.add(user)
        uow.commit()


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound("no such account")
    return user


def promote_to_admin(uow: UnitOfWork, clock: Clock, email: str) -> str:
    """Make an account an admin from the command line (how a deployment gets its first admin)."""
    with uow:
        user = uow.session.exec(select(User).where(col(User.email) == email.strip().lower())).first()
        if user is None:
            raise NotFound(f"no account uses {email}: sign up on the web first")
        if user.role is not Role.ADMIN:
            audit.record(
                uow.session,
                clock,
                audit.SYSTEM,
                Action.ROLE_CHANGED,
                subject_type="user",
                subject_id=user.id,
                detail={"from": user.role.value, "to": Role.ADMIN.value, "by": "cli"},
            )
            user.role = Role.ADMIN
            uow.session.add(user)
        uow.commit()
        return user.email
