"""Doorstep mode with no signal at all: a walk list opened online opens again from the phone, the
visits recorded there are stored once each when the server is back, and the phone forgets the names
and addresses at sign-out and when the event ends.

"No signal" is the web server stopped (Playwright's offline switch does not reach a service
worker's own fetches).
"""

from datetime import timedelta

from sqlmodel import select

from dialer.models import Outcome
from dialer.services.compliance.audit import SYSTEM
from dialer.services.signups import doorstep, events
from tests import signup_factories as make
from tests.browser.conftest import LiveServer, save_artifact
from tests.people import email_of, sign_in_browser

KEPT_WALK_LISTS = """async () => {
  const cache = await caches.open("marginal-doorstep-v1");
  return (await cache.keys()).map((request) => new URL(request.url).pathname).filter((path) => path.startsWith("/doorstep/events/"));
}"""


def stored_visits(services):
    with services.uow() as uow:
        return uow.session.exec(select(Outcome.voter_id, Outcome.disposition, Outcome.idempotency_key)).all()


def record(page, voter_id, outcome, answer=None):
    page.click(f'button.door-open[data-voter-id="{voter_id}"]')
    page.check(f'input[name="disposition"][value="{outcome}"]')
    if answer:
        page.check(f'input[name="q-support"][value="{answer}"]')
    page.click("#visit-save")


def waiting_to_send(page, count):
    page.wait_for_function(
        f"() => document.getElementById('queue-count').textContent === '{count}'", timeout=45_000
    )


def canvasser_at_an_event(services, *, starts_in=timedelta(minutes=-30)):
    campaign_id = make.campaign(services)
    make.question(services, campaign_id)
    event_id = make.event(services, campaign_id, starts_in=starts_in)
    voters = [
        make.voter(services, campaign_id, first_name=name, postcode="SW1A 1AB", address=f"{n} Whitehall")
        for n, name in enumerate(["Ann", "Ben", "Cat", "Dan"], start=1)
    ]
    canvasser = make.user(services)
    events.sign_up(services.uow(), services.clock, event_id, user_id=canvasser)
    doorstep.approve_canvasser(services.uow(), services.clock, SYSTEM, event_id, canvasser)
    return event_id, voters, canvasser


def open_online(page, live_server, services, canvasser, event_id):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_browser(page, live_server.url, email_of(services, canvasser))
    page.goto(f"{live_server.url}/doorstep/events/{event_id}")
    page.wait_for_function("() => document.getElementById('doorstep').dataset.offlineReady === 'yes'")
    assert "opens without signal" in page.inner_text("#offline-state")


def test_a_walk_list_opened_online_opens_in_a_new_tab_with_the_server_gone_and_its_visits_are_stored_once(
    page, live_server, app, services
):
    event_id, voters, canvasser = canvasser_at_an_event(services)
    open_online(page, live_server, services, canvasser, event_id)

    live_server.stop()
    tab = page.context.new_page()
    tab.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert tab.locator("li.door").count() == 4
    assert "Ann" in tab.inner_text("#walk-list")
    record(tab, voters[0], "talked", "Yes")
    record(tab, voters[1], "no_answer")
    record(tab, voters[2], "refused")
    waiting_to_send(tab, 3)
    assert "Offline: visits kept on this phone" in tab.inner_text("#sync-state")
    tab.wait_for_selector("text=This list opens without signal on this phone")
    save_artifact(tab, "doorstep-no-signal")
    assert stored_visits(services) == []

    # Both tabs now try to send the same three queued visits; the server keeps each key once.
    back = LiveServer(app, port=live_server.port).start()
    try:
        waiting_to_send(tab, 0)
        waiting_to_send(page, 0)
        visits = stored_visits(services)
        assert sorted((voter, str(disposition)) for voter, disposition, _ in visits) == sorted(
            [(voters[0], "talked"), (voters[1], "no_answer"), (voters[2], "refused")]
        )
        assert len({key for _, _, key in visits}) == 3
        assert tab.locator(f'li[data-voter-id="{voters[2]}"] .door-state').inner_text() == "Refused to talk"
        tab.reload()  # online again: the fresh list, with the visits, replaces the kept one
        assert tab.locator(f'li[data-voter-id="{voters[0]}"]').get_attribute("class") == "door door-visited"
    finally:
        back.stop()


def test_signing_out_deletes_the_walk_list_kept_on_the_phone(page, live_server, services):
    event_id, _, canvasser = canvasser_at_an_event(services)
    open_online(page, live_server, services, canvasser, event_id)
    assert page.evaluate(KEPT_WALK_LISTS) == [f"/doorstep/events/{event_id}"]

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_selector("text=You have signed out")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    assert page.evaluate("localStorage.length") == 0


def test_the_walk_list_kept_on_the_phone_is_deleted_when_the_event_ends(page, live_server, services):
    event_id, _, canvasser = canvasser_at_an_event(services, starts_in=timedelta(hours=-3, seconds=8))
    open_online(page, live_server, services, canvasser, event_id)
    assert page.locator("li.door").count() == 4

    page.wait_for_function("() => document.getElementById('walk-list').children.length === 0", timeout=20_000)
    assert "event has ended" in page.inner_text("#offline-state")
    assert page.evaluate(KEPT_WALK_LISTS) == []

    live_server.stop()
    tab = page.context.new_page()
    tab.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert "No signal" in tab.inner_text("body")
    assert "Ann" not in tab.content()


def test_a_canvasser_withdrawn_by_the_organiser_loses_the_kept_list_at_their_next_visit_online(
    page, live_server, services
):
    event_id, _, canvasser = canvasser_at_an_event(services)
    open_online(page, live_server, services, canvasser, event_id)
    doorstep.withdraw_canvasser(services.uow(), services.clock, SYSTEM, event_id, canvasser)

    refused = page.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert refused is not None and refused.status == 403
    assert page.evaluate(KEPT_WALK_LISTS) == []

    live_server.stop()
    page.goto(f"{live_server.url}/doorstep/events/{event_id}")
    assert "No signal" in page.inner_text("body") and "Ann" not in page.content()
