"""The calling-shift pages: an organiser publishes a shift (a refused one comes back with the reason),
volunteers book and cancel places until it is full, and a volunteer's open pages hear that their shift
has started (no one else's do)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser
from dialer.services.calling import shifts
from tests.people import add_account, sign_in_as
from tests.phone_bank_builders import make_campaign, make_volunteer
from web.signups import UK

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dialer_services):
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check itself belongs to the forms' own tests
    return app


def signed_in(app, user_id):
    return sign_in_as(app.test_client(), app.extensions["marginal"], user_id)


def organiser_of(bank, campaign_id):
    organiser = add_account(bank, "shift-organiser@example.org", role=Role.ORGANISER, first_name="Olu")
    with bank.uow() as uow:
        uow.session.add(CampaignOrganiser(campaign_id=campaign_id, user_id=organiser))
        uow.commit()
    return organiser


def uk_form_time(moment):
    return moment.astimezone(UK).strftime("%Y-%m-%dT%H:%M")


def test_an_organiser_publishes_a_shift_and_a_refused_one_comes_back_with_the_reason(app, bank):
    campaign = make_campaign(bank, open_now=False)  # shifts can be set up before the phone bank opens
    organiser = signed_in(app, organiser_of(bank, campaign))
    starts = bank.clock.now() + timedelta(days=1)
    backwards = organiser.post(
        f"/organiser/campaigns/{campaign}/shifts",
        data={
            "starts_at": uk_form_time(starts),
            "ends_at": uk_form_time(starts - timedelta(hours=1)),
            "wanted": "4",
        },
    )
    assert backwards.status_code == 400
    assert "must end after it starts" in backwards.get_data(as_text=True)

    published = organiser.post(
        f"/organiser/campaigns/{campaign}/shifts",
        data={
            "starts_at": uk_form_time(starts),
            "ends_at": uk_form_time(starts + timedelta(hours=2)),
            "wanted": "4",
        },
    )
    assert published.status_code == 303
    (shift,) = shifts.open_shifts(bank.uow(), None, now=bank.clock.now(), campaign_id=campaign)
    assert (shift.starts_at, shift.ends_at - shift.starts_at, shift.wanted) == (
        starts.replace(second=0, microsecond=0),
        timedelta(hours=2),
        4,
    )
    page = organiser.get(f"/organiser/campaigns/{campaign}/shifts").get_data(as_text=True)
    assert '<strong data-roll="booked">0</strong> booked of 4' in page
    volunteer = signed_in(app, make_volunteer(bank, "Ada"))
    assert "No shifts are published yet" in volunteer.get("/shifts").get_data(as_text=True), (
        "volunteers see a phone bank's shifts once it is open"
    )


def test_volunteers_book_until_the_shift_is_full_and_a_cancelled_place_is_free_again(app, bank):
    campaign = make_campaign(bank)
    starts = bank.clock.now() + timedelta(hours=3)
    shift = shifts.publish_shift(
        bank, campaign, None, shifts.ShiftForm(starts, starts + timedelta(hours=1), wanted=1)
    )
    ada, bo = signed_in(app, make_volunteer(bank, "Ada")), signed_in(app, make_volunteer(bank, "Bo"))

    assert ada.post(f"/shifts/{shift}/book").status_code == 303
    booked = ada.get("/shifts").get_data(as_text=True)
    assert "You are booked." in booked
    assert "add and verify your phone" in booked, "Ada has no verified phone to be rung on"
    full = bo.get("/shifts").get_data(as_text=True)
    assert "This shift is full." in full and "Book this shift" not in full
    bo.post(f"/shifts/{shift}/book")
    assert "this shift is full" in bo.get("/shifts").get_data(as_text=True).lower()

    assert ada.post(f"/shifts/{shift}/cancel").status_code == 303
    assert bo.post(f"/shifts/{shift}/book").status_code == 303
    assert "You are booked." in bo.get("/shifts").get_data(as_text=True)
    rung = signed_in(app, make_volunteer(bank, "Cy", phone="+447700900777"))  # verified
    assert "we ring the phone you verified" in rung.get("/shifts").get_data(as_text=True)
    assert "Book this shift" not in ada.get("/shifts").get_data(as_text=True), "full again, with Bo"
    assert ada.post("/shifts/999999/book").status_code == 404


class Relay:
    """The Redis message queue's part: what the services publish reaches this app's clients."""

    def publish(self, room, event, payload):
        from web.extensions import socketio

        socketio.emit(event, payload, namespace="/live", to=room)


def test_a_volunteers_open_page_hears_that_their_shift_started_and_nobody_elses_does(
    app, bank, dialer_services
):
    from web.extensions import socketio

    dialer_services._live = Relay()
    del dialer_services.__dict__["phone_bank"]  # rebuilt with the relay
    bank = dialer_services.phone_bank
    campaign = make_campaign(bank)
    ada, bo = make_volunteer(bank, "Ada"), make_volunteer(bank, "Bo")  # neither has a phone
    starts = bank.clock.now() + timedelta(minutes=10)
    shift = shifts.publish_shift(
        bank, campaign, None, shifts.ShiftForm(starts, starts + timedelta(hours=1), wanted=5)
    )
    shifts.book(bank.uow(), shift, ada, now=bank.clock.now())
    pages = {}
    for name, user in (("ada", ada), ("bo", bo)):
        pages[name] = socketio.test_client(app, namespace="/live", flask_test_client=signed_in(app, user))
        assert pages[name].emit("watch_me", {}, namespace="/live", callback=True) == {"ok": True}
        pages[name].get_received("/live")

    bank.clock.advance(10 * 60)
    heard = {
        name: [m for m in page.get_received("/live") if m["name"] == "shift_started"]
        for name, page in pages.items()
    }
    assert [m["args"][0] for m in heard["ada"]] == [{"shift": shift, "campaign": campaign, "rung": False}]
    assert heard["bo"] == []
