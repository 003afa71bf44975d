"""Sharing with a cascade: personal links, who they bring, and what those people go on to do.

Every volunteer and pledger has a personal link to a pledge, an event or a phone bank. The first link
that brings a person (an arrival, bound when they pledge, sign up or take a place through it) credits
its sharer for 30 days with what that person does: a pledge, a place at an event, a calling session,
a place on a polling-day knock-up slot (dialer/services/signups/knock_up.py).
Those people's own links credit them in turn, so each conversion is credited to every sharer up the
chain (`ShareCredit.depth` 1 is the sharer whose link it came through), and a sharer's tree is
everything credited to them at any depth.

A link's opens are the hot path (thousands a minute on polling day): they are counted in Redis, one
HINCRBY per open, and `flush_opens` adds them to SQL; arrivals, conversions and credits, the durable
record, are written to SQL only.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, String, func, literal
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialer.clock import Clock
from dialer.errors import InvalidInput, NotFound
from dialer.models import (
    Campaign,
    CampaignSeat,
    Constituency,
    Event,
    Pledge,
    ShareArrival,
    ShareConversion,
    ShareCredit,
    ShareLink,
    ShareOpenCount,
)
from dialer.ports import ShareOpens, UnitOfWork
from dialer.services.unique_keys import first_one_wins

KINDS = ("pledge", "event", "phonebank")
CONVERSIONS = ("pledge", "event", "call", "knockup")  # knockup: a place on a knock-up slot
#: How long the link that first brought a person credits its sharer.
CREDIT_WINDOW = timedelta(days=30)
#: A chain longer than this is not followed further (a guard; real cascades are far shallower).
MAX_DEPTH = 64


@dataclass(frozen=True)
class Link:
    """A sharer's link and where it leads."""

    id: int
    code: str
    kind: str
    target_id: int
    path: str
    title: str
    listed: bool
    seat_name: str  # the seat it is for ("" for a campaign of several seats)


@dataclass(frozen=True)
class Opened:
    link_id: int
    path: str


@dataclass(frozen=True)
class LinkCounts:
    link: Link
    opens: int
    people: int
    conversions: int


@dataclass(frozen=True)
class SharerCounts:
    """What one sharer's links did: their own figures only."""

    links: list[LinkCounts]
    opens: int
    people: int  # brought directly
    conversions: int  # done through their own links
    tree_conversions: int  # done through their links and the links of everyone they brought


@dataclass(frozen=True)
class Sharer:
    name: str
    email: str
    direct: int
    tree: int


@dataclass
class CascadeView:
    """A campaign's cascade for its organisers."""

    opens_by_generation: dict[int, int] = field(default_factory=dict)
    people_by_generation: dict[int, int] = field(default_factory=dict)
    conversions_by_generation: dict[int, int] = field(default_factory=dict)
    by_seat: list[tuple[str, int, int]] = field(default_factory=list)  # seat name, people, conversions
    by_day: list[tuple[date, int]] = field(default_factory=list)
    top_sharers: list[Sharer] = field(default_factory=list)  # those who agreed to be listed

    @property
    def generations(self) -> list[int]:
        return sorted(
            set(self.opens_by_generation)
            | set(self.people_by_generation)
            | set(self.conversions_by_generation)
        )


def link_for(
    uow: UnitOfWork, clock: Clock, *, owner_email: str, owner_name: str, kind: str, target_id: int
) -> Link:
    """This person's link to the target, made the first time it is asked for."""
    email = owner_email.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind of link {kind!r}")
    if not email:
        raise InvalidInput("a link belongs to someone with an e-mail address")
    with uow:
        session = uow.session
        found = _own_link(session, email, kind, target_id)
        if found is None:
            campaign_id, ons_code = _target_place(session, kind, target_id)
            listed = session.exec(
                select(ShareLink.id).where(ShareLink.owner_email == email, col(ShareLink.listed).is_(True))
            ).first()
            found = ShareLink(
                code=secrets.token_urlsafe(8),
                owner_email=email,
                owner_name=owner_name.strip()[:120],
                kind=kind,
                target_id=target_id,
                campaign_id=campaign_id,
                ons_code=ons_code,
                listed=listed is not None,  # their choice holds for their new links too
                created_at=clock.now(),
            )
            session.add(found)
            try:
                uow.commit()
            except IntegrityError:  # the same person asked twice at once: the other request made it
                session.rollback()
                found = _own_link(session, email, kind, target_id)
                assert found is not None
        return _link(session, found)


def set_listed(uow: UnitOfWork, owner_email: str, listed: bool) -> None:
    """Whether this sharer agrees to appear by first name among the top sharers."""
    with uow:
        links = uow.session.exec(
            select(ShareLink).where(ShareLink.owner_email == owner_email.strip().lower())
        ).all()
        for link in links:
            link.listed = listed
            uow.session.add(link)
        uow.commit()


def resolve(uow: UnitOfWork, opens: ShareOpens, code: str) -> Opened | None:
    """Where a link leads (remembered once known, so an open does not touch SQL)."""
    if not code or len(code) > 16:
        return None
    remembered = opens.recall(code)
    if remembered is not None:
        return Opened(*remembered)
    with uow:
        found = uow.session.exec(select(ShareLink).where(ShareLink.code == code)).first()
        if found is None:
            return None
        link = _link(uow.session, found)
    opens.remember(code, link.id, link.path)
    return Opened(link.id, link.path)


def record_open(opens: ShareOpens, link_id: int, now: datetime) -> None:
    """Count one open of a link in its hour (added to SQL by `flush_opens`)."""
    opens.count(link_id, int(now.timestamp()) // 3600)


def flush_opens(uow: UnitOfWork, opens: ShareOpens) -> int:
    """Add the opens counted so far to SQL; returns how many were added.

    The counts are taken off only after SQL has them (a crash in between counts them twice rather
    than losing them), and one flush runs at a time (another caller returns 0 at once).
    """
    with opens.flushing() as mine:
        if not mine:
            return 0
        pending = opens.pending()
        if not pending:
            return 0
        with uow:
            session = uow.session
            for (link_id, hour), count in pending.items():
                at = datetime.fromtimestamp(hour * 3600, UTC)
                row = session.get(ShareOpenCount, (link_id, at))
                if row is None:
                    row = ShareOpenCount(link_id=link_id, hour=at, count=0)
                row.count += count
                session.add(row)
            uow.commit()
        opens.taken(pending)
        return sum(pending.values())


def arrive(uow: UnitOfWork, clock: Clock, person_email: str, code: str) -> bool:
    """Bind a person to the link that brought them, unless a link already did; True if bound now.

    A sharer's own link does not bring them, nor does the link of anyone they brought (no loops).
    """
    email = person_email.strip().lower()
    if not email or not code:
        return False
    with uow:
        if uow.session.get(ShareArrival, email) is not None:
            return False
        if _bind(uow.session, clock.now(), email, code) is None:
            return False
        try:
            uow.commit()
        except IntegrityError:  # bound by another request at the same moment
            return False
        return True


def convert(
    uow: UnitOfWork,
    clock: Clock,
    *,
    person_email: str,
    kind: str,
    subject_id: int,
    via: str | None = None,
) -> int | None:
    """Credit what a person did to the sharers up their chain; returns the conversion's id, or None
    when no link (within its 30 days) brought them. Doing it again credits nobody twice.

    The person's arrival through `via` (if no link brought them before) is written in the same
    transaction. When another request wrote their arrival or this conversion at the same moment,
    the next try finds it and credits nothing twice.
    """

    def attempt() -> int | None:
        made = credit(
            uow.session, clock.now(), person_email=person_email, kind=kind, subject_id=subject_id, via=via
        )
        uow.commit()
        return made

    with uow:
        return first_one_wins(uow, attempt)


def credit(
    session: Session, now: datetime, *, person_email: str, kind: str, subject_id: int, via: str | None
) -> int | None:
    """`convert` inside the caller's transaction (it commits, and on an IntegrityError tries again):
    adds the person's arrival through `via` if no link brought them yet, and the conversion with its
    credits; returns the conversion's id, or None when no link brought them."""
    if kind not in CONVERSIONS:
        raise InvalidInput(f"unknown kind of conversion {kind!r}")
    email = person_email.strip().lower()
    arrival = session.get(ShareArrival, email)
    bound = _bind(session, now, email, via) if arrival is None and via and email else None
    link: ShareLink | None = None
    chain: list[str] | None = None
    if bound is not None:
        arrival, link, chain = bound
    if arrival is None or arrival.arrived_at is None or now - arrival.arrived_at > CREDIT_WINDOW:
        return None
    done = session.exec(
        select(ShareConversion.id).where(
            ShareConversion.kind == kind, ShareConversion.subject_id == subject_id
        )
    ).first()
    if done is not None:
        session.flush()  # the arrival, if this visit bound it
        return done
    link = link or session.get(ShareLink, arrival.link_id)
    assert link is not None
    conversion = ShareConversion(
        link_id=arrival.link_id,
        person_email=email,
        kind=kind,
        subject_id=subject_id,
        generation=arrival.generation,
        campaign_id=link.campaign_id,
        ons_code=link.ons_code,
        at=now,
    )
    session.add(conversion)
    session.flush()
    assert conversion.id is not None
    conversion_id = conversion.id
    if chain is None:
        chain = _chain(session, link.owner_email)  # the sharer, the sharer's sharer, ...
    for depth, sharer in enumerate(reversed(chain), start=1):
        session.add(ShareCredit(conversion_id=conversion_id, sharer_email=sharer, depth=depth))
    session.flush()
    return conversion_id


def _bind(
    session: Session, now: datetime, email: str, code: str
) -> tuple[ShareArrival, ShareLink, list[str]] | None:
    """Add (not commit) the arrival of a person no link has brought yet through the link `code`, with
    the link and its owner's chain; None when there is no such link or it would make a loop."""
    link = session.exec(select(ShareLink).where(ShareLink.code == code)).first()
    if link is None or link.id is None:
        return None
    chain = _chain(session, link.owner_email)
    if email in chain:
        return None
    arrival = ShareArrival(person_email=email, link_id=link.id, generation=len(chain), arrived_at=now)
    session.add(arrival)
    return arrival, link, chain


def counts_of(uow: UnitOfWork, owner_email: str) -> SharerCounts:
    """One sharer's own figures, link by link (opens as last flushed to SQL)."""
    email = owner_email.strip().lower()
    with uow:
        session = uow.session
        own = session.exec(
            select(ShareLink).where(ShareLink.owner_email == email).order_by(col(ShareLink.id))
        ).all()
        ids = [link.id for link in own]
        opens = _grouped(session, ShareOpenCount.link_id, func.sum(ShareOpenCount.count), ids)
        people = _grouped(session, ShareArrival.link_id, func.count(), ids)
        conversions = _grouped(session, ShareConversion.link_id, func.count(), ids)
        per_link = [
            LinkCounts(
                _link(session, link),
                opens.get(link.id or 0, 0),
                people.get(link.id or 0, 0),
                conversions.get(link.id or 0, 0),
            )
            for link in own
        ]
        tree = session.exec(
            select(func.count()).select_from(ShareCredit).where(ShareCredit.sharer_email == email)
        ).one()
        return SharerCounts(
            per_link,
            sum(counts.opens for counts in per_link),
            sum(counts.people for counts in per_link),
            sum(counts.conversions for counts in per_link),
            int(tree),
        )


def cascade_of(uow: UnitOfWork, campaign_id: int, *, top: int = 20) -> CascadeView:
    """Reach and conversions by generation, by seat and by day, and the top sharers who agreed to be
    listed, for one campaign's links."""
    view = CascadeView()
    with uow:
        session = uow.session
        if session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
        links = session.exec(select(ShareLink).where(ShareLink.campaign_id == campaign_id)).all()
        by_id = {link.id: link for link in links}
        ids = list(by_id)
        owners = {link.owner_email for link in links}
        owner_generation = dict(
            session.exec(
                select(ShareArrival.person_email, ShareArrival.generation).where(
                    col(ShareArrival.person_email).in_(owners)
                )
            ).all()
        )
        opens = _grouped(session, ShareOpenCount.link_id, func.sum(ShareOpenCount.count), ids)
        for link_id, count in opens.items():
            generation = owner_generation.get(by_id[link_id].owner_email, 0) + 1
            view.opens_by_generation[generation] = view.opens_by_generation.get(generation, 0) + count
        arrivals = session.exec(
            select(ShareArrival.link_id, ShareArrival.generation).where(col(ShareArrival.link_id).in_(ids))
        ).all()
        people_by_seat: Counter[str | None] = Counter()
        for link_id, generation in arrivals:
            view.people_by_generation[generation] = view.people_by_generation.get(generation, 0) + 1
            people_by_seat[by_id[link_id].ons_code] += 1
        conversions = session.exec(
            select(ShareConversion).where(ShareConversion.campaign_id == campaign_id)
        ).all()
        conversions_by_seat: Counter[str | None] = Counter()
        days: Counter[date] = Counter()
        for conversion in conversions:
            generation = conversion.generation
            view.conversions_by_generation[generation] = view.conversions_by_generation.get(generation, 0) + 1
            conversions_by_seat[conversion.ons_code] += 1
            if conversion.at is not None:
                days[conversion.at.date()] += 1
        names = dict(session.exec(select(Constituency.ons_code, Constituency.name)).all())
        seats = set(people_by_seat) | set(conversions_by_seat)
        view.by_seat = sorted(
            (
                (names.get(seat or "", "the whole campaign"), people_by_seat[seat], conversions_by_seat[seat])
                for seat in seats
            ),
            key=lambda row: (-row[2], -row[1], row[0]),
        )
        view.by_day = sorted(days.items())
        view.top_sharers = _top_sharers(session, links, [c.id for c in conversions if c.id], top)
    return view


def _top_sharers(
    session: Session, links: Sequence[ShareLink], conversion_ids: list[int], top: int
) -> list[Sharer]:
    listed = {link.owner_email: link.owner_name for link in links if link.listed}
    if not listed or not conversion_ids:
        return []
    direct: Counter[str] = Counter()
    tree: Counter[str] = Counter()
    credits = session.exec(
        select(ShareCredit.sharer_email, ShareCredit.depth).where(
            col(ShareCredit.conversion_id).in_(conversion_ids), col(ShareCredit.sharer_email).in_(listed)
        )
    ).all()
    for email, depth in credits:
        tree[email] += 1
        if depth == 1:
            direct[email] += 1
    ranked = sorted(tree, key=lambda email: (-tree[email], -direct[email], email))[:top]
    return [Sharer(listed[email] or "A sharer", email, direct[email], tree[email]) for email in ranked]


def _chain(session: Session, sharer_email: str) -> list[str]:
    """The sharer and the people who brought them, root first (at most MAX_DEPTH).

    One recursive query however deep the cascade (a pledge through the twelfth generation would
    otherwise cost two look-ups per generation, twice per pledge).
    """
    up = select(literal(sharer_email, String).label("email"), literal(0, Integer).label("depth")).cte(
        "up", recursive=True
    )
    parent = (
        select(ShareLink.owner_email, up.c.depth + 1)
        .join(ShareArrival, col(ShareArrival.link_id) == col(ShareLink.id))
        .where(col(ShareArrival.person_email) == up.c.email, up.c.depth < MAX_DEPTH - 1)
    )
    up = up.union_all(parent)
    chain: list[str] = []
    for email in session.exec(select(up.c.email).order_by(up.c.depth)).all():
        if email in chain:  # a loop (two people's arrivals naming each other's links): stop at it
            break
        chain.append(email)
    return list(reversed(chain))


def _own_link(session: Session, email: str, kind: str, target_id: int) -> ShareLink | None:
    return session.exec(
        select(ShareLink).where(
            ShareLink.owner_email == email, ShareLink.kind == kind, ShareLink.target_id == target_id
        )
    ).first()


def _target_place(session: Session, kind: str, target_id: int) -> tuple[int | None, str | None]:
    """The campaign and seat a link's target belongs to (a campaign of several seats: no one seat)."""
    if kind == "event":
        event = session.get(Event, target_id)
        if event is None:
            raise NotFound("no such event")
        return event.campaign_id, event.ons_code
    if kind == "pledge":
        pledge = session.get(Pledge, target_id)
        if pledge is None:
            raise NotFound("no such pledge")
        campaign_id = pledge.campaign_id
    else:
        if session.get(Campaign, target_id) is None:
            raise NotFound("no such phone bank")
        campaign_id = target_id
    seats = session.exec(select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == campaign_id)).all()
    return campaign_id, seats[0] if len(seats) == 1 else None


def _link(session: Session, link: ShareLink) -> Link:
    assert link.id is not None
    if link.kind == "event":
        event = session.get(Event, link.target_id)
        path, title = f"/events/{link.target_id}", event.title if event else "An event"
    elif link.kind == "pledge":
        row = session.exec(
            select(Campaign.slug, Pledge.slug, Pledge.text)
            .join(Pledge, col(Pledge.campaign_id) == col(Campaign.id))
            .where(Pledge.id == link.target_id)
        ).one()
        path, title = f"/pledge/{row[0]}/{row[1]}", row[2]
    else:
        campaign = session.get(Campaign, link.target_id)
        path, title = f"/call/{link.target_id}", f"Call for {campaign.name if campaign else 'the campaign'}"
    seat = session.get(Constituency, link.ons_code) if link.ons_code else None
    seat_name = seat.name if seat else ""
    return Link(link.id, link.code, link.kind, link.target_id, path, title, link.listed, seat_name)


def _grouped(session: Session, key: object, aggregate: object, ids: list[int | None]) -> dict[int, int]:
    wanted = [link_id for link_id in ids if link_id is not None]
    if not wanted:
        return {}
    rows = session.exec(
        select(key, aggregate).where(col(key).in_(wanted)).group_by(key)  # type: ignore[call-overload]
    ).all()
    return {int(link_id): int(count or 0) for link_id, count in rows}
