"""Sharing with a cascade over HTTP: links carry attribution through pledges, sign-ups and places, and
every sharer up the chain is credited."""

import re
from datetime import timedelta

from sqlmodel import select

from dialer.domain.roles import Role
from dialer.models import Campaign, PledgeSignup, ShareConversion, ShareCredit, ShareOpenCount
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

    # C, who has no account, opens B's link, signs up and takes a place at the event.
    carol = app.test_client()
    opened = carol.get(f"/s/{bobs_link}")
    assert opened.location == f"/events/{event_id}?via={bobs_link}"
    assert carol.get(opened.location).status_code == 302  # to sign in first
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

    def pledged(email: str, signup_id: int) -> int | None:
        return cascade.convert(
            services.uow(),
            services.clock,
            person_email=email,
            kind="pledge",
            subject_id=signup_id,
            via=link.code,
        )

    assert pledged("A@example.org", 1) is None
    first = pledged("b@example.org", 2)
    assert first is not None and pledged("b@example.org", 2) == first
    with services.uow() as uow:
        assert len(uow.session.exec(select(ShareConversion)).all()) == 1


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
