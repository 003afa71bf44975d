"""On a phone, someone a friend's link brought makes the polling-day pledge and books a knock-up slot
in their seat from the pledge's confirmation, without typing their details again."""

from sqlmodel import select

from dialer.models import KnockUpBooking, KnockUpSlot, ShareConversion
from dialer.services.signups import cascade
from tests import knock_up_builders as build
from tests import signup_factories as make
from tests.browser.conftest import save_artifact


def test_a_pledger_books_a_knock_up_slot_on_a_phone_from_the_pledge_confirmation(page, live_server, services):
    campaign_id = make.campaign(services)
    pledge_id = build.polling_day_pledge(services, campaign_id)
    slot_id = build.slot(services, campaign_id, places=3)
    build.pledger(services, pledge_id, "ann@example.org", name="Ann")
    link = cascade.link_for(
        services.uow(), services.clock, owner_email="ann@example.org", owner_name="Ann",
        kind="pledge", target_id=pledge_id,
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/s/{link.code}")
    page.get_by_label("Name").fill("Bo")
    page.get_by_label("Email").fill("bo@example.org")
    page.get_by_role("button", name="I pledge").click()
    page.get_by_text("Thank you for pledging!").wait_for()
    assert page.get_by_text("You have made this pledge.").is_visible()
    assert page.locator("input[name=email], input[name=name]").count() == 0  # nothing to type again
    rota = page.get_by_role("region", name="Knock up on polling day")
    assert rota.get_by_text("Outside the library").is_visible()
    assert rota.get_by_text("3 of 3 places left").is_visible()
    save_artifact(page, "knock-up-offered-390x844")
    rota.get_by_role("button", name="Book this slot").click()
    page.get_by_text("Your place is booked").wait_for()

    assert page.get_by_text("You have a place").is_visible()
    assert page.get_by_text("2 of 3 places left").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    save_artifact(page, "knock-up-booked-390x844")
    with services.uow() as uow:
        (booking,) = uow.session.exec(select(KnockUpBooking)).all()
        slot = uow.session.get(KnockUpSlot, slot_id)
        kinds = sorted(uow.session.exec(select(ShareConversion.kind)).all())
    assert (booking.slot_id, booking.email, booking.name) == (slot_id, "bo@example.org", "Bo")
    assert slot is not None and slot.taken == 1
    assert kinds == ["knockup", "pledge"]  # both credited to Ann, whose link brought Bo
