""" "Call where you're needed" on the phone-bank page: the button takes a volunteer to the phone bank
with the largest live shortfall (close-seat voters left per volunteer calling), among those taking
calls now; with none to call, it says so."""

from __future__ import annotations

import pytest

from dialer.models import ElectionResult
from tests.people import sign_in_as
from tests.phone_bank_builders import SEAT, ensure_constituency, make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dialer_services):
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check itself belongs to the forms' own tests
    return app


def a_close_seat(bank):
    ensure_constituency(bank)
    with bank.uow() as uow:
        uow.session.add(
            ElectionResult(
                election="GE2024",
                ons_code=SEAT,
                winner_party="Lab",
                runner_up_party="Con",
                winner_votes=15302,
                runner_up_votes=12594,
                majority=2708,
                majority_pct=7.1,
                electorate=75000,
                valid_votes=38000,
                turnout_pct=51.0,
            )
        )
        uow.commit()


def test_the_button_sends_a_volunteer_to_the_phone_bank_with_the_largest_shortfall(app, bank):
    a_close_seat(bank)
    crowded = make_campaign(bank, name="Crowded calls", voters=10, first_number=0)
    quiet = make_campaign(bank, name="Quiet calls", voters=6, first_number=100)
    for n in range(2):  # 10 voters over 3 (two calling and the newcomer) is less than 6 over 1
        ready_seat(bank, make_volunteer(bank, f"Caller{n}"), crowded)
    volunteer = sign_in_as(app.test_client(), app.extensions["marginal"], make_volunteer(bank, "Ada"))

    assert "Call where you're needed" in volunteer.get("/call").get_data(as_text=True)
    sent = volunteer.post("/call/needed")
    assert (sent.status_code, sent.headers["Location"]) == (303, f"/call/{quiet}")

    for n in range(2):  # now the quiet bank is busier per voter: 6 over 3 is less than 10 over 3
        ready_seat(bank, make_volunteer(bank, f"Late{n}"), quiet)
    assert volunteer.post("/call/needed").headers["Location"] == f"/call/{crowded}"


def test_with_no_phone_bank_to_call_the_button_says_so(app, bank):
    make_campaign(bank, name="Finished calls", voters=0)
    volunteer = sign_in_as(app.test_client(), app.extensions["marginal"], make_volunteer(bank, "Bo"))
    sent = volunteer.post("/call/needed", follow_redirects=True)
    assert "No phone bank has voters to call right now" in sent.get_data(as_text=True)
