"""The organiser's bird's-eye view: every marginal on one map and table, and the campaign's own
volunteers, events, pledges and shift bookings counted seat by seat, never another campaign's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from dialer.domain.marginality import MarginalityRule
from dialer.domain.roles import Role
from dialer.models import CampaignSeat, Pledge, PledgeSignup
from tests import signup_factories as make
from tests.birds_eye_builders import places, pledges, shift
from tests.people import sign_in_as

pytestmark = pytest.mark.integration


def row_of(html: str, ons_code: str) -> dict[str, str]:
    """The data attributes of a seat's row in the table."""
    match = re.search(rf'<tr id="row-{ons_code}"(.*?)>', html, re.S)
    assert match, f"no row for {ons_code}"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(1)))


@pytest.fixture
def two_campaigns(seeded_services):
    """Campaigns A and B, both targeting the closest marginal; A also targets the next one."""
    services = seeded_services
    marginals = services.seat_finder.index(MarginalityRule()).seats
    shared, own = sorted(marginals, key=lambda s: s.majority_pct)[:2]
    a_organiser = make.user(services, role=Role.ORGANISER)
    b_organiser = make.user(services, role=Role.ORGANISER)
    a = make.campaign(services, organiser_id=a_organiser, ons_code=shared.ons_code)
    b = make.campaign(services, organiser_id=b_organiser, ons_code=shared.ons_code)
    make.add(services, CampaignSeat(campaign_id=a, ons_code=own.ons_code))

    a_event = make.event(services, a, ons_code=shared.ons_code)
    places(services, a_event, "confirmed", "confirmed", "confirmed", "waitlist", "cancelled")
    past = make.event(services, a, ons_code=shared.ons_code, starts_in=timedelta(days=-3))
    places(services, past, "confirmed", "confirmed")
    make.event(services, a, ons_code=own.ons_code)
    b_event = make.event(services, b, ons_code=shared.ons_code)
    places(services, b_event, *["confirmed"] * 5)

    pledges(services, a, shared.ons_code, 2)
    pledges(services, b, shared.ons_code, 4)
    shift(services, a, wanted=10, bookings=1, cancelled=1)
    shift(services, b, wanted=6, bookings=3)
    return {"a": (a, a_organiser), "b": (b, b_organiser), "shared": shared, "own": own}


def test_each_organiser_sees_their_own_campaigns_figures_in_a_seat_both_target(
    seeded_app, seeded_services, two_campaigns
):
    shared = two_campaigns["shared"].ons_code
    for key, expected in {"a": ("3", "1", "2", "1 of 10"), "b": ("5", "1", "4", "3 of 6")}.items():
        campaign_id, organiser = two_campaigns[key]
        client = sign_in_as(seeded_app.test_client(), seeded_services, organiser)
        reply = client.get(f"/organiser/campaigns/{campaign_id}/birds-eye")
        assert reply.status_code == 200
        html = reply.get_data(as_text=True)
        row = row_of(html, shared)
        assert (row["places"], row["events"], row["pledges"]) == expected[:3]
        assert row["target"] == "50"
        assert f'data-shifts="{expected[3]}"' in html
    # A's second target has an event and no one signed up yet; B does not target it at all.
    a_id, a_organiser = two_campaigns["a"]
    html = (
        sign_in_as(seeded_app.test_client(), seeded_services, a_organiser)
        .get(f"/organiser/campaigns/{a_id}/birds-eye")
        .get_data(as_text=True)
    )
    own = row_of(html, two_campaigns["own"].ons_code)
    assert (own["places"], own["events"], own["pledges"]) == ("0", "1", "0")


def test_every_marginal_is_on_the_map_and_in_the_table(seeded_app, seeded_services, two_campaigns):
    campaign_id, organiser = two_campaigns["a"]
    html = (
        sign_in_as(seeded_app.test_client(), seeded_services, organiser)
        .get(f"/organiser/campaigns/{campaign_id}/birds-eye")
        .get_data(as_text=True)
    )
    marginals = len(seeded_services.seat_finder.index(MarginalityRule()))
    assert html.count('<a href="#row-') == marginals
    assert html.count('<tr id="row-') == marginals
    assert html.count('class="overview-seat target"') == 2
    assert "data-places" not in row_of(
        html,
        next(
            s.ons_code
            for s in seeded_services.seat_finder.index(MarginalityRule()).seats
            if s.ons_code not in {two_campaigns["shared"].ons_code, two_campaigns["own"].ons_code}
        ),
    )


def test_an_organiser_cannot_open_another_campaigns_view(seeded_app, seeded_services, two_campaigns):
    b_id, _ = two_campaigns["b"]
    _, a_organiser = two_campaigns["a"]
    client = sign_in_as(seeded_app.test_client(), seeded_services, a_organiser)
    assert client.get(f"/organiser/campaigns/{b_id}/birds-eye").status_code == 403


def test_the_organisers_pages_link_to_it(seeded_app, seeded_services, two_campaigns):
    campaign_id, organiser = two_campaigns["a"]
    client = sign_in_as(seeded_app.test_client(), seeded_services, organiser)
    link = f'href="/organiser/campaigns/{campaign_id}/birds-eye"'
    assert link in client.get(f"/organiser/campaigns/{campaign_id}/signups").get_data(as_text=True)
    assert link in client.get("/organiser").get_data(as_text=True)
    assert link in client.get(f"/organiser/campaigns/{campaign_id}/dashboard").get_data(as_text=True)


def test_a_pledge_made_from_an_account_counts_in_the_seat_of_its_postcode(seeded_app, seeded_services):
    services = seeded_services
    home = services.seat_finder.seat_of("M1 1AD", "GE2024")
    assert home is not None
    organiser = make.user(services, role=Role.ORGANISER)
    campaign_id = make.campaign(services, organiser_id=organiser, ons_code=home)
    pledge = make.add(
        services, Pledge(campaign_id=campaign_id, slug="polling-day", text="Take polling day off")
    )
    for postcode in ("M1 1AD", "M1 1AD", "AB10 1AB"):  # two from the seat, one from Aberdeen
        pledger = make.user(services, postcode=postcode)
        make.add(
            services, PledgeSignup(pledge_id=pledge.id, user_id=pledger, created_at=services.clock.now())
        )
    make.add(services, PledgeSignup(pledge_id=pledge.id, name="Anonymous", created_at=services.clock.now()))
    client = sign_in_as(seeded_app.test_client(), services, organiser)
    html = client.get(f"/organiser/campaigns/{campaign_id}/birds-eye").get_data(as_text=True)
    assert row_of(html, home)["pledges"] == "2"  # a target seat even where it is not marginal
    assert "<strong>4</strong> pledges, 1 from people whose seat is not known" in html
