"""The knock-up rota over HTTP: a pledger books a slot from their pledge without typing anything
again, a booking through a share link is credited up the cascade, and only the campaign's organisers
publish slots and change places (another campaign's ids change nothing)."""

import re
from datetime import timedelta

from sqlmodel import select

from dialer.models import KnockUpBooking, KnockUpSlot, ShareConversion, ShareCredit
from dialer.services.compliance.audit import Actor
from dialer.services.signups import cascade, knock_up, pledges
from tests.people import SEAT, World, csrf_token
from tests.suite_state import domain_snapshot


def a_slot(services, world: World, *, places: int = 4) -> int:
    starts = services.clock.now() + timedelta(days=1)
    draft = knock_up.SlotDraft(
        ons_code=SEAT, starts_at=starts, ends_at=starts + timedelta(hours=3), places=places,
        meeting_postcode="BS1 4DJ", meeting_point="Outside the library",
    )  # fmt: skip
    return knock_up.publish_slot(
        services.uow(), services.clock, services.seat_finder.point_of, world.campaign_id, draft,
        Actor(world.accounts["organiser"]),
    )  # fmt: skip


def bookings(services) -> list[tuple[int, str, str]]:
    with services.uow() as uow:
        rows = uow.session.exec(
            select(KnockUpBooking.slot_id, KnockUpBooking.email, KnockUpBooking.name)
        ).all()
        return [(slot_id, email, name) for slot_id, email, name in rows]


def pledge_publicly(client, world: World, name: str, email: str, via: str = "") -> str:
    path = f"/pledge/{world.campaign_slug}/{world.pledge_slug}" + (f"?via={via}" if via else "")
    reply = client.post(path, data={"name": name, "email": email, "csrf_token": csrf_token(client)})
    assert reply.status_code == 303
    return str(client.get(reply.headers["Location"]).get_data(as_text=True))


def book_button(page: str, slot_id: int) -> str:
    found = re.search(rf'action="(/knock-up/slots/{slot_id}/book)"', page)
    assert found is not None, "the page should offer the slot with a book button"
    return found.group(1)


def test_a_pledger_books_a_slot_from_their_pledge_confirmation_without_typing_again(app, services, world):
    slot_id = a_slot(services, world)
    client = app.test_client()

    confirmation = pledge_publicly(client, world, "Robin", "robin@example.org")
    assert "Knock up on polling day" in confirmation and "Bristol Central" in confirmation
    reply = client.post(book_button(confirmation, slot_id), data={"csrf_token": csrf_token(client)})

    assert reply.status_code == 303
    assert bookings(services) == [(slot_id, "robin@example.org", "Robin")]
    rota = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "You have a place" in rota and "3 of 4 places left" in rota


def test_a_signed_in_volunteer_who_pledged_finds_the_rota_on_their_home_page_and_books_as_themselves(
    client_as, services, world
):
    slot_id = a_slot(services, world)
    pledges.make_pledge(
        services.uow(), services.clock, world.pledge_id, channel="web", user_id=world.accounts["volunteer"]
    )
    volunteer = client_as("volunteer")

    home = volunteer.get("/").get_data(as_text=True)
    assert f'href="/knock-up/{world.campaign_slug}"' in home
    rota = volunteer.get(f"/knock-up/{world.campaign_slug}").get_data(as_text=True)
    volunteer.post(book_button(rota, slot_id), data={"csrf_token": csrf_token(volunteer)})

    assert bookings(services) == [(slot_id, world.emails["volunteer"], "Volunteer")]


def test_a_visitor_who_has_not_pledged_is_offered_no_booking_and_books_nothing(
    app, client_as, services, world
):
    slot_id = a_slot(services, world)
    anonymous, volunteer = app.test_client(), client_as("volunteer")

    page = anonymous.get(f"/knock-up/{world.campaign_slug}").get_data(as_text=True)
    assert "Outside the library" in page and f"/knock-up/slots/{slot_id}/book" not in page
    refused = anonymous.post(f"/knock-up/slots/{slot_id}/book", data={"csrf_token": csrf_token(anonymous)})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    unpledged = volunteer.post(f"/knock-up/slots/{slot_id}/book", data={"csrf_token": csrf_token(volunteer)})
    assert unpledged.status_code == 303

    assert bookings(services) == []


def test_a_booking_made_through_a_polling_day_link_credits_the_sharer_and_the_message_carries_on(
    app, services, world
):
    slot_id = a_slot(services, world)
    pledges.make_pledge(
        services.uow(), services.clock, world.pledge_id, channel="web", name="Ann", email="ann@example.org"
    )
    link = cascade.link_for(
        services.uow(), services.clock, owner_email="ann@example.org", owner_name="Ann",
        kind="pledge", target_id=world.pledge_id,
    )  # fmt: skip
    bo, cy = app.test_client(), app.test_client()

    assert bo.get(f"/s/{link.code}").status_code == 303
    confirmation = pledge_publicly(bo, world, "Bo", "bo@example.org", via=link.code)
    booked = bo.post(book_button(confirmation, slot_id), data={"csrf_token": csrf_token(bo)})
    rota = bo.get(booked.headers["Location"]).get_data(as_text=True)
    message = re.search(r'data-share-url="[^"]*/s/([^"]+)" data-share-text="([^"]+)"', rota)
    assert message is not None, "after booking, the rota offers Bo's own polling-day message"
    assert message.group(2) == "Polls are open until 10pm: knock up in Bristol Central."
    assert cy.get(f"/s/{message.group(1)}").status_code == 303
    second = pledge_publicly(cy, world, "Cy", "cy@example.org", via=message.group(1))
    cy.post(book_button(second, slot_id), data={"csrf_token": csrf_token(cy)})

    with services.uow() as uow:
        done = uow.session.exec(
            select(ShareConversion.id, ShareConversion.kind, ShareConversion.person_email)
        ).all()
        credited = uow.session.exec(
            select(ShareCredit.conversion_id, ShareCredit.sharer_email, ShareCredit.depth)
        ).all()
    knockups = {conversion: person for conversion, kind, person in done if kind == "knockup"}
    assert sorted(knockups.values()) == ["bo@example.org", "cy@example.org"]
    by_person = {
        person: sorted((sharer, depth) for conversion, sharer, depth in credited if conversion == cid)
        for cid, person in knockups.items()
    }
    assert by_person == {
        "bo@example.org": [("ann@example.org", 1)],
        "cy@example.org": [("ann@example.org", 2), ("bo@example.org", 1)],
    }


def test_the_organiser_sees_each_seat_filled_and_missing_and_publishes_a_slot(client_as, services, world):
    slot_id = a_slot(services, world, places=5)
    knock_up.book(services.uow(), services.clock, slot_id, email=pledger(services, world, "cy@example.org"))
    organiser = client_as("organiser")
    rota = f"/organiser/campaigns/{world.campaign_id}/knock-up"

    page = organiser.get(rota).get_data(as_text=True)
    row = re.search(rf'<tr data-ons="{SEAT}">(.*?)</tr>', page, re.S)
    assert row is not None
    assert '<td class="num filled">1</td>' in row.group(1) and '<td class="num missing">4</td>' in row.group(
        1
    )
    published = organiser.post(
        rota,
        data={
            "ons_code": SEAT, "starts_at": "2026-11-28T16:00", "ends_at": "2026-11-28T22:00", "places": "12",
            "meeting_postcode": "BS1 4DJ", "meeting_point": "The station", "csrf_token": csrf_token(organiser),
        },
    )  # fmt: skip

    assert published.status_code == 303
    with services.uow() as uow:
        slots = uow.session.exec(select(KnockUpSlot.places, KnockUpSlot.meeting_point)).all()
    assert sorted(slots) == [(5, "Outside the library"), (12, "The station")]


def test_another_campaigns_organiser_changes_no_slot_and_publishes_nothing(client_as, services, world):
    slot_id = a_slot(services, world)
    other = client_as("other_organiser")
    before = domain_snapshot(services.engine)

    mine = f"/organiser/campaigns/{world.campaign_id}/knock-up"
    theirs = f"/organiser/campaigns/{world.other_campaign_id}/knock-up"
    token = csrf_token(other)
    form = {"ons_code": SEAT, "starts_at": "2026-11-28T16:00", "ends_at": "2026-11-28T22:00",
            "places": "12", "meeting_postcode": "BS1 4DJ", "csrf_token": token}  # fmt: skip
    assert other.get(mine).status_code == 403
    assert other.post(mine, data=form).status_code == 403
    assert (
        other.post(f"{mine}/{slot_id}/places", data={"places": "1", "csrf_token": token}).status_code == 403
    )
    # under their own campaign: the world's seat is not one of its seats, the world's slot not its slot
    assert other.post(theirs, data=form).status_code == 400
    assert (
        other.post(f"{theirs}/{slot_id}/places", data={"places": "1", "csrf_token": token}).status_code == 303
    )

    assert domain_snapshot(services.engine) == before


def pledger(services, world: World, email: str) -> str:
    pledges.make_pledge(
        services.uow(), services.clock, world.pledge_id, channel="web", name="Cy", email=email
    )
    return email
