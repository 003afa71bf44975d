"""Organisers' shortcuts in a real browser: a pledge's web address made from its text as they type
(and theirs to change), and target seats found by typing or as the marginals near a postcode."""

from sqlmodel import col, select

from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser, CampaignSeat, Constituency, Pledge
from tests import signup_factories as make
from tests.browser.conftest import LiveServer, save_artifact
from tests.people import add_account, email_of, sign_in_browser


def pledges(services):
    with services.uow() as uow:
        return [(p.slug, p.text) for p in uow.session.exec(select(Pledge).order_by(col(Pledge.id)))]


def test_a_pledges_web_address_follows_its_text_until_the_organiser_changes_it(page, live_server, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")

    page.locator("#text").press_sequentially("Take polling day off!")
    assert page.input_value("#slug") == "take-polling-day-off"
    page.click("button:text('Add pledge')")
    page.wait_for_selector("text=Pledge added.")
    page.wait_for_load_state("load")  # the page's scripts have run: typing now is typing into it

    page.locator("#text").press_sequentially("Knock on 50 doors")
    assert page.input_value("#slug") == "knock-on-50-doors"
    page.fill("#slug", "fifty")
    page.fill("#text", "Knock on 50 doors in Brixton")
    assert page.input_value("#slug") == "fifty", "the organiser's own address stays"
    save_artifact(page, "pledge-web-address")
    page.click("button:text('Add pledge')")
    page.wait_for_selector("text=Pledge added.")

    assert pledges(services) == [
        ("take-polling-day-off", "Take polling day off!"),
        ("fifty", "Knock on 50 doors in Brixton"),
    ]


def test_an_organiser_finds_target_seats_by_typing_and_adds_the_marginals_near_a_postcode(
    page, seeded_app, seeded_services
):
    organiser = add_account(seeded_services, "org@example.org", role=Role.ORGANISER)
    live_server = LiveServer(seeded_app).start()  # the seats and postcodes of the shipped data
    try:
        choose_seats_and_create(page, live_server, seeded_services, organiser)
    finally:
        live_server.stop()


def choose_seats_and_create(page, live_server, seeded_services, organiser):
    sign_in_browser(page, live_server.url, "org@example.org")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/organiser/campaigns/new")
    assert page.locator("#seats").is_hidden(), "the long list gives way to the search"

    with seeded_services.uow() as uow:
        bristol = uow.session.exec(
            select(Constituency.ons_code).where(
                Constituency.name == "Bristol Central", Constituency.boundary_set == "2024"
            )
        ).one()
    page.locator("#seat-search").press_sequentially("bristol c")
    page.click(f"#seat-results button:text('Bristol Central · {bristol}')")
    assert page.inner_text("#seats-count") == "1 seat chosen"
    page.fill("#seat-search", bristol.lower())
    assert page.locator("#seat-results button").all_inner_texts() == [f"✓ Bristol Central · {bristol}"]

    nearby = page.request.get(
        f"{live_server.url}/api/marginals/nearest?postcode=BS1+4DJ&limit=50&order=distance"
    ).json()
    within = {seat["ons_code"] for seat in nearby["seats"] if seat["distance_km"] <= 60}
    assert within, "the seeded data has marginals near Bristol"
    page.fill("#near-postcode", "bs1 4dj")
    page.fill("#near-km", "60")
    page.click("#near-add")
    page.wait_for_function("() => document.getElementById('near-status').textContent.includes('added')")
    assert len(within) > 1, "several seats to add at once"
    assert f"{len(within)} marginal seats within 60 km of BS1 4DJ" in page.inner_text("#near-status")
    chosen = set(page.eval_on_selector("#seats", "s => [...s.selectedOptions].map(o => o.value)"))
    assert chosen == within | {bristol}
    save_artifact(page, "campaign-seat-picker")

    page.click("button:text('Create campaign')")  # no name: refused, the seats kept
    assert page.inner_text("#name-error") == "Give the phone bank a name."
    kept = set(page.eval_on_selector("#seats", "s => [...s.selectedOptions].map(o => o.value)"))
    assert kept == chosen
    assert f"{len(chosen)} seats chosen" in page.inner_text("#seats-count")
    page.fill("#name", "Bristol and around")
    page.fill("#caller_id", "020 7946 0000")
    page.click("button:text('Create campaign')")
    page.wait_for_url("**/dashboard")
    with seeded_services.uow() as uow:
        seats = set(uow.session.exec(select(CampaignSeat.ons_code)).all())
        runs = uow.session.exec(select(CampaignOrganiser.user_id)).all()
    assert seats == chosen and runs == [organiser]
