"""The volunteer's page, rendered on the server: form, both orderings, map, events, carpools, phone banks."""

import re
from datetime import timedelta

import pytest

from dialer.domain.campaigns import CampaignStatus
from dialer.models import Campaign, CampaignSeat, Carpool, CarpoolSeat, Event, EventSignup, User

pytestmark = pytest.mark.integration


def html_of(client, url):
    reply = client.get(url)
    return reply.status_code, reply.get_data(as_text=True)


def test_the_bare_page_offers_the_postcode_form(seeded_client):
    status, html = html_of(seeded_client, "/marginals")
    assert status == 200
    assert '<form class="lookup" method="get" action="/marginals"' in html
    assert 'name="postcode"' in html and 'autocomplete="postal-code"' in html
    assert "<svg" not in html


def test_a_postcode_gives_both_orderings_the_map_and_the_formula(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=M1+1AD")
    assert status == 200
    assert "located by your exact postcode" in html
    assert "Your own seat: <strong>Manchester Central</strong>" in html
    nearest, needy = html.split('id="ranking-distance"')[1].split('id="ranking-need"')
    assert len(re.findall(r'<li class="seat-card', nearest)) == 10
    assert len(re.findall(r'<li class="seat-card', needy)) == 10
    assert re.search(r'id="ranking-need"[^>]*hidden', html)  # shown by its link, or by JS without a reload
    assert 'href="/marginals?order=need&amp;postcode=M1+1AD' in html
    assert "closeness \u00d7 staffing \u00d7 travel" in html
    assert html.count('class="seat-map seat-map-') == 2
    assert (
        len(re.findall(r'<circle class="seat-dot marginal', html)) >= 174
    )  # the overview shows every marginal
    assert html.count('<a href="#seat-') == 20  # numbered markers on the close-up, for both orderings
    assert "You are here" in html


def test_a_district_is_located_at_its_centre_and_the_page_says_so(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=bs1")
    assert status == 200
    assert "located at the centre of district BS1: enter your full postcode for a closer match" in html
    assert "Your own seat (probably): <strong>Bristol Central</strong>" in html


def test_bad_input_re_renders_the_form_with_the_reason_escaped(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=%3Cscript%3Ealert(1)")
    assert status == 400
    assert 'role="alert"' in html and "Not a UK postcode" in html
    assert "<script>alert" not in html
    assert 'aria-invalid="true"' in html


def test_a_huge_input_is_refused_without_being_echoed(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=" + "Z" * 10_240)
    assert status == 400
    assert "the 10,240-character input is too long" in html
    assert "Z" * 40 not in html


def test_unknown_districts_are_named(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=SW99")
    assert status == 400
    assert "Unknown postcode district SW99" in html


def event(services, code, title, *, days=3, capacity=20):
    now = services.clock.now()
    return Event(
        ons_code=code,
        title=title,
        starts_at=now + timedelta(days=days),
        ends_at=now + timedelta(days=days, hours=3),
        meeting_postcode="CT1 2EH",
        lat=51.28,
        lon=1.08,
        capacity=capacity,
    )


def test_each_seat_shows_its_events_with_carpools_and_its_phone_bank(seeded_client, seeded_services):
    code = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]["ons_code"]
    now = seeded_services.clock.now()
    with seeded_services.uow() as uow:
        session = uow.session
        driver = User(email="driver@example.org", password_hash="x", first_name="Sam", created_at=now)
        saturday, sunday = (
            event(seeded_services, code, "Saturday doors"),
            event(seeded_services, code, "Sunday doors", days=4),
        )
        campaign = Campaign(
            name="Kent", slug="kent", status=CampaignStatus.ACTIVE, caller_id="+442079460000", created_at=now
        )
        session.add_all([driver, saturday, sunday, campaign])
        session.flush()
        assert campaign.id and driver.id and saturday.id
        session.add(CampaignSeat(campaign_id=campaign.id, ons_code=code))
        session.add_all([EventSignup(event_id=saturday.id, name=f"v{n}", created_at=now) for n in range(5)])
        carpool = Carpool(
            event_id=saturday.id, driver_id=driver.id, pickup_postcode="ME4 4QU", lat=51.38, lon=0.53,
            seats_offered=3, departs_at=saturday.starts_at - timedelta(hours=1), created_at=now,
        )  # fmt: skip
        session.add(carpool)
        session.flush()
        assert carpool.id
        session.add(CarpoolSeat(carpool_id=carpool.id, status="accepted", created_at=now))
        uow.commit()
        campaign_id, saturday_id = campaign.id, saturday.id

    status, html = html_of(seeded_client, "/marginals?postcode=CT1")
    assert status == 200
    card = html.split(f'id="seat-distance-{code}"')[1].split("</li>\n\n")[0]
    assert f'<a href="/events/{saturday_id}">Saturday doors</a>' in card and "Sunday doors" in card
    assert "15 of 20 places left" in card
    assert f'<a href="/events/{saturday_id}#carpools">Carpool from ME4</a>' in card and "2 seats free" in card
    assert "ME4 4QU" not in html  # a driver's postcode is their address: only the district is shown
    assert f"""<a class="button" href="/call/{campaign_id}">Join this seat's phone bank</a>""" in card
    assert "2 upcoming events" in card and "1 carpool" in card and "1 phone bank" in card
    assert "5 of 50 volunteers signed up" in card


def test_a_seat_without_an_active_campaign_says_there_is_no_phone_bank_yet(seeded_client, seeded_services):
    code = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]["ons_code"]
    with seeded_services.uow() as uow:
        paused = Campaign(name="Paused", slug="paused", status=CampaignStatus.PAUSED, caller_id="+442079460000", created_at=seeded_services.clock.now())  # fmt: skip
        uow.session.add(paused)
        uow.session.flush()
        assert paused.id
        uow.session.add(CampaignSeat(campaign_id=paused.id, ons_code=code))
        uow.commit()
    _, html = html_of(seeded_client, "/marginals?postcode=CT1")
    card = html.split(f'id="seat-distance-{code}"')[1].split("</li>\n\n")[0]
    assert "No phone bank for this seat yet." in card
    assert "/call/" not in card


def test_past_events_are_not_listed(seeded_client, seeded_services):
    code = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]["ons_code"]
    with seeded_services.uow() as uow:
        uow.session.add(event(seeded_services, code, "Last month", days=-30))
        uow.commit()
    _, html = html_of(seeded_client, "/marginals?postcode=CT1")
    assert "Last month" not in html


def test_the_page_loads_only_its_own_script_and_stylesheet(seeded_client):
    _, html = html_of(seeded_client, "/marginals?postcode=CT1")
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/vendor/d3-array.min.js" defer>',
        '<script src="/vendor/d3-geo.min.js" defer>',
        '<script src="/vendor/topojson-client.min.js" defer>',
        '<script src="/static/js/marginals.js" defer data-land="/vendor/land-50m.json">',
    ]  # the coastline's libraries and data come from node_modules, never a CDN
    assert " style=" not in html
    for asset in (
        "/static/js/marginals.js",
        "/static/css/marginals.css",
        "/vendor/d3-geo.min.js",
        "/vendor/land-50m.json",
    ):
        with seeded_client.get(asset) as reply:
            assert reply.status_code == 200


def test_a_party_that_stood_nowhere_in_the_nation_is_named_and_the_nearest_seats_it_fought_are_offered(
    seeded_client,
):
    status, html = html_of(seeded_client, "/marginals?postcode=BT1+1AA&party=Lab")
    assert status == 200
    notice = html.split('class="party-absent"')[1].split("</div>")[0]
    assert "Labour does not stand in Northern Ireland</strong>" in notice
    assert "The seats below are the nearest where it did stand, the closest" in notice
    assert "Or find the marginals of a party that stood in Belfast South and Mid Down" in notice
    assert "party=SDLP" in notice and "party=DUP" in notice and "party=Lab&" not in notice
    nearest = html.split('id="ranking-distance"')[1].split('id="ranking-need"')[0]
    codes = re.findall(r'data-ons="(\w+)"', nearest)
    assert len(codes) == 10 and not [c for c in codes if c.startswith("N")]  # all across the sea, in GB


def test_a_party_that_stood_in_the_volunteers_seat_gets_no_such_notice(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=M1+1AD&party=Lab")
    assert status == 200
    assert "party-absent" not in html


def test_a_party_absent_only_from_the_volunteers_own_seat_is_named_for_that_seat(seeded_client):
    status, html = html_of(seeded_client, "/marginals?postcode=PR7&party=Lab")  # Chorley, the Speaker's seat
    assert status == 200
    notice = " ".join(html.split('class="party-absent"')[1].split("</div>")[0].split())
    assert "Labour did not stand in Chorley</strong>: it had no candidate there at GE2024" in notice
