"""Sharing with a cascade over HTTP: links carry attribution through pledges, sign-ups and places, and
every sharer up the chain is credited."""

import re
from datetime import timedelta
from itertools import pairwise

from sqlmodel import select

from dialer.domain.roles import Role
from dialer.models import (
    Campaign,
    PledgeSignup,
    ShareArrival,
    ShareConversion,
    ShareCredit,
    ShareOpenCount,
)
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import cascade, pledges
from tests import signup_factories as make
from tests.people import csrf_token, sign_in_as, sign_up_by_email


def link_code(page: str) -> str:
    found = re.search(r'data-share-url="[^"]*/s/([^"]+)"', page)
    assert found is not None, "the page should offer the reader's own link"
    return found.group(1)


def counts_on(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'class="share-(\w+)">(\d+)<', page)}


def tree_of(page: str, name: str) -> int:
    found = re.search(rf'<td class="name">{name}</td><td>\d+</td><td class="tree">(\d+)</td>', page)
    assert found is not None, f"{name} should be among the top sharers"
    return int(found.group(1))


def a_pledge(services, campaign_id: int) -> int:
    """A campaign's pledge to knock on doors."""
    return pledges.create_pledge(
        services.uow(), campaign_id, slug="p", text="Knock on doors", clock=services.clock, actor=SYSTEM
    )


def link_of(services, email: str, kind: str, target_id: int) -> cascade.Link:
    """`email`'s own link to the target (their name is their address's first letter, upper case)."""
    return cascade.link_for(
        services.uow(),
        services.clock,
        owner_email=email,
        owner_name=email[0].upper(),
        kind=kind,
        target_id=target_id,
    )


def remember_link(client, code: str) -> None:
    """The visitor answers yes to "count what you do on this visit for whoever shared the link?"."""
    answered = client.post(f"/s/{code}/remember", data={"csrf_token": csrf_token(client), "remember": "yes"})
    assert answered.status_code == 303


def pledged_through(services, email: str, signup_id: int, code: str) -> int | None:
    """`email` pledges (signup `signup_id`) having come through the link `code`; the conversion's id."""
    return cascade.convert(
        services.uow(), services.clock, person_email=email, kind="pledge", subject_id=signup_id, via=code
    )


def test_a_cascade_three_generations_deep_credits_every_sharer_up_the_chain(app, services):
    organiser = make.user(services, role=Role.ORGANISER)
    campaign_id = make.campaign(services, organiser_id=organiser)
    pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="polling-day",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )
    event_id = make.event(services, campaign_id)
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        pledge_path = f"/pledge/{campaign.slug}/polling-day"

    # A pledges and shares their link.
    alice = sign_in_as(app.test_client(), services, make.user(services, first_name="Alice"))
    alice.post(pledge_path, data={"csrf_token": csrf_token(alice)})
    alices_link = link_code(alice.get(pledge_path).get_data(as_text=True))
    alice.post("/share/listed", data={"csrf_token": csrf_token(alice), "listed": "yes"})

    # B opens A's link and pledges through it, then shares the event.
    bob = sign_in_as(app.test_client(), services, make.user(services, first_name="Bob"))
    opened = bob.get(f"/s/{alices_link}")
    assert opened.status_code == 303 and opened.location == f"{pledge_path}?via={alices_link}"
    assert bob.post(opened.location, data={"csrf_token": csrf_token(bob)}).status_code == 303
    bobs_link = link_code(bob.get(f"/events/{event_id}").get_data(as_text=True))
    bob.post("/share/listed", data={"csrf_token": csrf_token(bob), "listed": "yes"})

    # C, who has no account, opens B's link, agrees to its being remembered, signs up and takes a
    # place at the event.
    carol = app.test_client()
    opened = carol.get(f"/s/{bobs_link}")
    assert opened.location == f"/events/{event_id}?via={bobs_link}"
    assert carol.get(opened.location).status_code == 302  # to sign in first
    remember_link(carol, bobs_link)
    form = {
        "email": "carol@example.org", "first_name": "Carol", "postcode": "N1 9GU",
        "password": "plum kettle orbit lantern",
    }  # fmt: skip
    sign_up_by_email(carol, services, form, next_page=f"/events/{event_id}")
    assert carol.post(f"/events/{event_id}/places", data={"csrf_token": csrf_token(carol)}).status_code == 303

    organisers = sign_in_as(app.test_client(), services, organiser)
    view = organisers.get(f"/organiser/campaigns/{campaign_id}/cascade").get_data(as_text=True)
    assert tree_of(view, "Alice") == 2 and tree_of(view, "Bob") == 1

    bobs_page = bob.get("/share").get_data(as_text=True)
    assert counts_on(bobs_page) == {"opens": 1, "people": 1, "conversions": 1, "tree": 1}
    assert "Alice" not in bobs_page
    assert bob.get(f"/organiser/campaigns/{campaign_id}/cascade").status_code == 403
    assert counts_on(alice.get("/share").get_data(as_text=True)) == {
        "opens": 1, "people": 1, "conversions": 1, "tree": 2,
    }  # fmt: skip
    assert cascade.counts_of(services.uow(), "carol@example.org").tree_conversions == 0


def test_opening_a_link_stores_nothing_and_its_page_asks_before_remembering_it(app, services):
    campaign_id = make.campaign(services)
    link = link_of(services, "a@example.org", "pledge", a_pledge(services, campaign_id))
    visitor = app.test_client()

    opened = visitor.get(f"/s/{link.code}")

    assert opened.status_code == 303 and "Set-Cookie" not in opened.headers
    page = visitor.get(opened.location).get_data(as_text=True)
    asked = re.search(r'<form class="share-consent" method="post" action="([^"]+)"', page)
    assert asked is not None and asked.group(1) == f"/s/{link.code}/remember"
    remember_link(visitor, link.code)
    assert "share-consent" not in visitor.get(opened.location).get_data(as_text=True)


def place_after_signing_up(app, services, code: str, event_id: int, email: str, answer: str | None):
    """A visitor opens the link, answers the question (or not), signs up and takes a place."""
    visitor = app.test_client()
    visitor.get(f"/s/{code}")
    if answer is not None:
        visitor.post(f"/s/{code}/remember", data={"csrf_token": csrf_token(visitor), "remember": answer})
    form = {
        "email": email, "first_name": email[0].upper(), "postcode": "N1 9GU",
        "password": "plum kettle orbit lantern",
    }  # fmt: skip
    sign_up_by_email(visitor, services, form, next_page=f"/events/{event_id}")
    assert (
        visitor.post(f"/events/{event_id}/places", data={"csrf_token": csrf_token(visitor)}).status_code
        == 303
    )


def test_only_a_visitor_who_said_yes_is_credited_for_what_they_do_away_from_the_links_page(app, services):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id)
    link = link_of(services, "a@example.org", "event", event_id)

    place_after_signing_up(app, services, link.code, event_id, "yes@example.org", "yes")
    place_after_signing_up(app, services, link.code, event_id, "no@example.org", "no")
    place_after_signing_up(app, services, link.code, event_id, "silent@example.org", None)

    with services.uow() as uow:
        converted = uow.session.exec(select(ShareConversion.person_email)).all()
        arrived = uow.session.exec(select(ShareArrival.person_email)).all()
    assert converted == ["yes@example.org"] and arrived == ["yes@example.org"]


def test_a_visitor_who_said_no_is_not_credited_even_on_the_links_own_page(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    link = link_of(services, "a@example.org", "pledge", pledge_id)
    visitor = app.test_client()
    opened = visitor.get(f"/s/{link.code}")
    refused = visitor.post(
        f"/s/{link.code}/remember", data={"csrf_token": csrf_token(visitor), "remember": "no"}
    )
    assert refused.status_code == 303 and "via=" not in refused.location

    form = {"csrf_token": csrf_token(visitor), "name": "Nell", "email": "nell@example.org"}
    assert visitor.post(opened.location, data=form).status_code == 303

    with services.uow() as uow:
        assert uow.session.exec(select(PledgeSignup.email)).all() == ["nell@example.org"]
        assert uow.session.exec(select(ShareConversion)).all() == []


def test_the_link_that_first_brought_someone_keeps_the_credit_for_thirty_days(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    event_id = make.event(services, campaign_id, starts_in=timedelta(days=40))
    first = link_of(services, "a@example.org", "pledge", pledge_id)
    second = link_of(services, "b@example.org", "event", event_id)
    assert cascade.convert(
        services.uow(),
        services.clock,
        person_email="c@example.org",
        kind="pledge",
        subject_id=1,
        via=first.code,
    )
    services.clock.advance(timedelta(days=29).total_seconds())
    assert cascade.convert(
        services.uow(),
        services.clock,
        person_email="c@example.org",
        kind="event",
        subject_id=2,
        via=second.code,
    )
    services.clock.advance(timedelta(days=2).total_seconds())
    assert (
        cascade.convert(
            services.uow(), services.clock, person_email="c@example.org", kind="call", subject_id=3
        )
        is None
    )
    with services.uow() as uow:
        credited = uow.session.exec(select(ShareCredit.sharer_email)).all()
    assert credited == ["a@example.org", "a@example.org"]


def test_nobody_is_credited_for_their_own_link_or_twice_for_one_pledge(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    link = link_of(services, "a@example.org", "pledge", pledge_id)

    assert pledged_through(services, "A@example.org", 1, link.code) is None
    first = pledged_through(services, "b@example.org", 2, link.code)
    assert first is not None and pledged_through(services, "b@example.org", 2, link.code) == first
    with services.uow() as uow:
        assert len(uow.session.exec(select(ShareConversion)).all()) == 1


def test_a_pledge_twelve_generations_down_credits_all_twelve_sharers_once_each(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    sharers = [f"gen{n}@example.org" for n in range(12)]
    for number, (sharer, brought) in enumerate(pairwise(sharers), start=1):
        code = link_of(services, sharer, "pledge", pledge_id).code
        assert pledged_through(services, brought, number, code)
    last = link_of(services, sharers[-1], "pledge", pledge_id).code
    conversion = pledged_through(services, "voter@example.org", 99, last)
    with services.uow() as uow:
        credits = uow.session.exec(
            select(ShareCredit.sharer_email, ShareCredit.depth).where(ShareCredit.conversion_id == conversion)
        ).all()
        generation = uow.session.exec(
            select(ShareConversion.generation).where(ShareConversion.id == conversion)
        ).one()
    assert sorted(credits, key=lambda credit: credit[1]) == [
        (sharer, depth) for depth, sharer in enumerate(reversed(sharers), start=1)
    ]
    assert generation == 12


def test_two_arrivals_naming_each_others_links_credit_each_sharer_once_and_end(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    a_link = link_of(services, "a@example.org", "pledge", pledge_id)
    b_link = link_of(services, "b@example.org", "pledge", pledge_id)
    # each brought by the other's link, as two requests at the same moment could leave them
    with services.uow() as uow:
        for person, link in (("a@example.org", b_link), ("b@example.org", a_link)):
            uow.session.add(
                ShareArrival(
                    person_email=person, link_id=link.id, generation=1, arrived_at=services.clock.now()
                )
            )
        uow.commit()
    conversion = pledged_through(services, "c@example.org", 7, a_link.code)
    with services.uow() as uow:
        credited = uow.session.exec(
            select(ShareCredit.sharer_email).where(ShareCredit.conversion_id == conversion)
        ).all()
    assert sorted(credited) == ["a@example.org", "b@example.org"]


def test_opens_are_counted_in_redis_and_added_to_sql_once(app, client, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    link = link_of(services, "a@example.org", "pledge", pledge_id)
    for _ in range(5):
        assert client.get(f"/s/{link.code}").status_code == 303
    assert client.get("/s/no-such-link").status_code == 404
    assert cascade.flush_opens(services.uow(), services.share_opens) == 5
    assert cascade.flush_opens(services.uow(), services.share_opens) == 0
    assert services.redis.hlen("marginal:cascade:opens") == 0  # nothing left behind once flushed
    with services.uow() as uow:
        assert sum(row.count for row in uow.session.exec(select(ShareOpenCount)).all()) == 5
        assert uow.session.exec(select(PledgeSignup)).all() == []


def test_a_pledger_without_an_account_is_given_their_own_link_with_share_buttons(app, client, services):
    campaign_id = make.campaign(services)
    a_pledge(services, campaign_id)
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None
        path = f"/pledge/{campaign.slug}/p"
    assert 'class="share-box"' not in client.get(path).get_data(as_text=True)
    form = {"csrf_token": csrf_token(client), "name": "Sam", "email": "sam@example.org"}
    assert client.post(path, data=form).status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert link_code(page)
    assert "https://wa.me/?text=I%20pledged%3A%20Knock%20on%20doors" in page


def test_organisers_see_only_the_sharers_who_agreed_to_be_listed(app, services):
    campaign_id = make.campaign(services)
    pledge_id = a_pledge(services, campaign_id)
    for number, sharer in enumerate(("ann@example.org", "ben@example.org")):
        link = cascade.link_for(
            services.uow(),
            services.clock,
            owner_email=sharer,
            owner_name=sharer.split("@")[0].title(),
            kind="pledge",
            target_id=pledge_id,
        )
        cascade.convert(
            services.uow(),
            services.clock,
            person_email=f"friend{number}@example.org",
            kind="pledge",
            subject_id=number,
            via=link.code,
        )
    cascade.set_listed(services.uow(), "ann@example.org", True)
    view = cascade.cascade_of(services.uow(), campaign_id)
    assert [(sharer.name, sharer.tree) for sharer in view.top_sharers] == [("Ann", 1)]
    assert view.conversions_by_generation == {1: 2} and view.people_by_generation == {1: 2}
