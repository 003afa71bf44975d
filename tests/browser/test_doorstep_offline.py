"""Doorstep mode on a phone whose signal comes and goes: every visit is recorded exactly once."""

from datetime import timedelta

from sqlmodel import select

from dialer.models import Outcome, SurveyAnswer
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import doorstep, events
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser


def stored_visits(services):
    with services.uow() as uow:
        return uow.session.exec(select(Outcome.voter_id, Outcome.disposition, Outcome.idempotency_key)).all()


def record(page, voter_id, outcome, answer=None):
    page.click(f'button.door-open[data-voter-id="{voter_id}"]')
    page.check(f'input[name="disposition"][value="{outcome}"]')
    if answer:
        page.check(f'input[name="q-support"][value="{answer}"]')
    page.click("#visit-save")


def test_visits_made_with_the_network_cut_are_sent_once_it_returns_and_never_doubled(
    page, live_server, app, services
):
    campaign_id = make.campaign(services)
    make.question(services, campaign_id)
    event_id = make.event(services, campaign_id, starts_in=timedelta(minutes=-30))
    voters = [
        make.voter(services, campaign_id, first_name=name, postcode="SW1A 1AB", address=f"{n} Whitehall")
        for n, name in enumerate(["Ann", "Ben", "Cat", "Dan", "Eve"], start=1)
    ]
    canvasser = make.user(services)
    events.sign_up(services.uow(), services.clock, event_id, user_id=canvasser)
    doorstep.approve_canvasser(services.uow(), services.clock, SYSTEM, event_id, canvasser)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    sign_in_browser(page, live_server.url, email_of(services, canvasser))
    page.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert page.locator("li.door").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False

    # Online: saved straight away.
    record(page, voters[0], "talked", "Yes")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    assert len(stored_visits(services)) == 1

    # The signal drops: visits stay on the phone.
    page.context.set_offline(True)
    record(page, voters[1], "no_answer")
    record(page, voters[2], "talked", "No")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '2'")
    assert "Offline" in page.inner_text("#sync-state")
    save_artifact(page, "doorstep-offline")
    assert len(stored_visits(services)) == 1

    # It comes back: the queue drains on its own.
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'", timeout=15_000)

    # A reply lost on the way back (the server stored the visit, the phone never heard): resent, kept once.
    lost: list[str] = []

    def lose_the_first_reply(route):
        if lost:
            route.continue_()
            return
        route.fetch()  # reaches the server, which stores the visit
        lost.append(route.request.post_data_json["key"])
        route.abort("connectionreset")

    page.route("**/doorstep/events/*/visits", lose_the_first_reply)
    record(page, voters[3], "refused")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'", timeout=15_000)
    assert len(lost) == 1 and len(stored_visits(services)) == 4

    visits = stored_visits(services)
    assert sorted((voter, str(disposition)) for voter, disposition, _ in visits) == sorted(
        [(voters[0], "talked"), (voters[1], "no_answer"), (voters[2], "talked"), (voters[3], "refused")]
    )
    assert len({key for _, _, key in visits}) == 4
    with services.uow() as uow:
        assert sorted(uow.session.exec(select(SurveyAnswer.value)).all()) == ["No", "Yes"]
    assert page.locator(f'li[data-voter-id="{voters[3]}"] .door-state').inner_text() == "Refused to talk"
    assert page.evaluate("localStorage.getItem('marginal.doorstep.queue')") == "[]"
    save_artifact(page, "doorstep-synced")
