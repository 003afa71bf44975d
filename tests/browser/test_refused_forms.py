"""Forms refused for one bad field, in a real browser: everything else typed is still there, the
reason is beside the field at fault, and a summary at the top names it for screen readers."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from dialer.models import (
    CallingShift,
    Campaign,
    CampaignTextWording,
    Carpool,
    Event,
    Pledge,
    PledgeSignup,
    PostcodeDistrict,
)
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import pledges
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser

UK = ZoneInfo("Europe/London")


@pytest.fixture
def places(services):
    """The geography the live app places postcodes with: the factories' districts, and SW9."""
    districts = {postcode.split()[0]: point for postcode, point in make.PLACES.items()}
    make.add(
        services,
        *[PostcodeDistrict(outcode=code, lat=point.lat, lon=point.lon) for code, point in districts.items()],
        PostcodeDistrict(outcode="SW9", lat=51.4700, lon=-0.1130),
    )


def uk_local(services, days, hour):
    """A datetime-local value for a day ahead, as typed by someone in the UK."""
    day = (services.clock.now() + timedelta(days=days)).astimezone(UK)
    return day.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def rows(services, model):
    with services.uow() as uow:
        return uow.session.exec(select(model)).all()


def refused_beside(page, field_id, text):
    """The reason is beside the field, the field is marked invalid, and the summary links to it."""
    assert text in page.locator(f"#{field_id}-error").inner_text()
    assert page.get_attribute(f"#{field_id}", "aria-invalid") == "true"
    summary = page.locator(".error-summary[role=alert]")
    assert summary.is_visible() and summary.locator(f'a[href="#{field_id}"]').count() == 1


def test_a_new_event_ending_before_it_starts_keeps_the_title_notes_and_times(
    page, live_server, services, places
):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")
    starts, ends = uk_local(services, 3, 14), uk_local(services, 3, 11)
    page.fill("#title", "Saturday doors in Brixton")
    page.fill("#starts_at", starts)
    page.fill("#ends_at", ends)
    page.fill("#meeting_postcode", "sw9")
    page.fill("#capacity", "15")
    page.fill("#notes", "Bring a clipboard")
    page.click("button:text('Create event')")

    refused_beside(page, "ends_at", "The event must end after it starts.")
    assert page.input_value("#title") == "Saturday doors in Brixton"
    assert page.input_value("#notes") == "Bring a clipboard"
    assert (page.input_value("#starts_at"), page.input_value("#ends_at")) == (starts, ends)
    assert (page.input_value("#meeting_postcode"), page.input_value("#capacity")) == ("sw9", "15")
    save_artifact(page, "refused-new-event")
    assert rows(services, Event) == []

    page.fill("#ends_at", uk_local(services, 3, 17))
    page.click("button:text('Create event')")
    page.wait_for_selector("text=Event created.")
    [event] = rows(services, Event)
    assert (event.title, event.meeting_postcode, event.capacity) == ("Saturday doors in Brixton", "SW9", 15)
    assert event.starts_at.astimezone(UK).strftime("%Y-%m-%dT%H:%M") == starts


def test_a_carpool_offer_with_a_bad_postcode_keeps_every_other_field_and_takes_a_district(
    page, live_server, services, places
):
    event_id = make.event(services, make.campaign(services), starts_in=timedelta(days=3))
    driver = make.user(services)
    sign_in_browser(page, live_server.url, email_of(services, driver))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/events/{event_id}")
    leaving = uk_local(services, 2, 9)
    page.fill("#pickup_postcode", "not one")
    page.fill("#seats", "4")
    page.fill("#departs_at", leaving)
    page.fill("#notes", "Blue Fiesta outside the station")
    page.click("button:text('Offer seats')")

    refused_beside(page, "pickup_postcode", "Not a UK postcode: 'NOT ONE'")
    assert (page.input_value("#seats"), page.input_value("#departs_at")) == ("4", leaving)
    assert page.input_value("#notes") == "Blue Fiesta outside the station"
    assert page.input_value("#pickup_postcode") == "not one"
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "refused-carpool-offer-phone")
    assert rows(services, Carpool) == []

    page.fill("#pickup_postcode", "SW9")
    page.click("button:text('Offer seats')")
    page.wait_for_selector("text=Riders near your pickup can now ask for a seat.")
    [carpool] = rows(services, Carpool)
    assert (carpool.pickup_postcode, carpool.seats_offered, carpool.notes) == (
        "SW9", 4, "Blue Fiesta outside the station",
    )  # fmt: skip


def test_a_shift_ending_before_it_starts_keeps_its_times_and_the_number_wanted(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/shifts")
    starts, ends = uk_local(services, 2, 18), uk_local(services, 2, 17)
    page.fill("#starts_at", starts)
    page.fill("#ends_at", ends)
    page.fill("#wanted", "6")
    page.click("button:text('Publish shift')")

    refused_beside(page, "ends_at", "must end after it starts")
    assert (page.input_value("#starts_at"), page.input_value("#ends_at")) == (starts, ends)
    assert page.input_value("#wanted") == "6"
    save_artifact(page, "refused-shift")
    assert rows(services, CallingShift) == []

    page.fill("#ends_at", uk_local(services, 2, 20))
    page.click("button:text('Publish shift')")
    page.wait_for_selector("text=The shift is published")
    [shift] = rows(services, CallingShift)
    assert (shift.starts_at.astimezone(UK).strftime("%Y-%m-%dT%H:%M"), shift.wanted) == (starts, 6)


def test_a_text_wording_with_an_unknown_placeholder_keeps_every_wording_typed(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/texts")
    page.fill("#link-event", "Hi {name}, see you at {title}")
    page.fill("#reminder-event", "Tomorrow: {title}, {when}")
    page.click("button:text('Save the wording')")

    refused_beside(page, "link-event", "{name} is not known")
    assert page.input_value("#link-event") == "Hi {name}, see you at {title}"
    assert page.input_value("#reminder-event") == "Tomorrow: {title}, {when}"
    assert page.get_attribute("#reminder-event", "aria-invalid") is None
    save_artifact(page, "refused-text-wording")
    assert rows(services, CampaignTextWording) == []

    page.fill("#link-event", "See you at {title}")
    page.click("button:text('Save the wording')")
    page.wait_for_selector("text=Saved: new texts use this wording.")
    assert sorted((row.purpose, row.kind, row.wording) for row in rows(services, CampaignTextWording)) == [
        ("link", "event", "See you at {title}"),
        ("reminder", "event", "Tomorrow: {title}, {when}"),
    ]


def test_a_pledge_with_a_bad_web_address_keeps_its_text(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")
    page.fill("#text", "Take polling day off")
    page.fill("#slug", "Polling Day!")
    page.click("button:text('Add pledge')")

    refused_beside(page, "slug", "lower-case letters, digits and dashes")
    assert page.input_value("#text") == "Take polling day off"
    assert rows(services, Pledge) == []


def test_the_public_pledge_with_a_bad_email_keeps_the_name(page, live_server, services):
    campaign_id = make.campaign(services)
    pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="day-off",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )
    [pledge] = rows(services, Pledge)
    with services.uow() as uow:
        slug = uow.session.get(Campaign, campaign_id).slug
    page.goto(f"{live_server.url}/pledge/{slug}/day-off")
    page.fill("#name", "Sam Brown")
    page.fill("#email", "sam@nowhere")
    page.click("button:text('I pledge')")

    refused_beside(page, "email", "email address we can reach you at")
    assert page.input_value("#name") == "Sam Brown"
    assert page.input_value("#email") == "sam@nowhere"
    assert rows(services, PledgeSignup) == [] and pledge.id is not None


def test_campaign_settings_with_a_bad_caller_id_keep_every_other_setting_typed(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    with services.uow() as uow:
        before = uow.session.get(Campaign, campaign_id).model_dump()
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/settings")
    page.fill("#name", "Westminster weekend calls")
    page.fill("#script_md", "## Hello\n\nAsk about **polling day**.")
    page.fill("#caller_id", "12345")
    page.fill("#max_attempts", "4")
    page.fill("#weekday_start", "10:00")
    page.click("button:text('Save settings')")

    refused_beside(page, "caller_id", "not a valid, callable phone number")
    assert page.input_value("#name") == "Westminster weekend calls"
    assert page.input_value("#script_md") == "## Hello\n\nAsk about **polling day**."
    assert (page.input_value("#caller_id"), page.input_value("#max_attempts")) == ("12345", "4")
    assert page.input_value("#weekday_start") == "10:00"
    save_artifact(page, "refused-campaign-settings")
    with services.uow() as uow:
        assert uow.session.get(Campaign, campaign_id).model_dump() == before
