"""The nearest marginals for real postcodes, checked against a computation written here from the CSVs.

The reference computation reads data/ with the csv module, applies the issue's rule and reference
points, and measures with its own haversine: it shares no code with the product.
"""

import csv
import functools
import math
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dialer.domain.campaigns import CampaignStatus
from dialer.models import Campaign, CampaignSeat, Carpool, Event, EventSignup, User

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2] / "data"
BOUNDARIES = {"GE2017": "2010", "GE2019": "2010", "GE2024": "2024"}


@functools.cache
def rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def where_is(postcode):
    """(lat, lon, precision) straight from the CSVs: the sample's exact point, else the district's."""
    compact = postcode.replace(" ", "").upper()
    for row in rows("postcodes_sample_onspd.csv"):
        if row["postcode"].replace(" ", "") == compact:
            return float(row["latitude"]), float(row["longitude"]), "postcode"
    outcode = compact[:-3] if len(compact) > 4 else compact
    for row in rows("postcode_districts.csv"):
        if row["outcode"] == outcode:
            return float(row["latitude"]), float(row["longitude"]), "district"
    raise AssertionError(postcode)


def expected_nearest(postcode, party="Lab", election="GE2024", threshold=10.0, limit=10):
    lat, lon, _ = where_is(postcode)
    boundary = BOUNDARIES[election]
    points_file, columns = (
        ("constituency_centroids_2024_boundaries.csv", ("ons_lat", "ons_lon"))
        if boundary == "2024"
        else ("constituency_centroids_2010_boundaries.csv", ("interior_point_lat", "interior_point_lon"))
    )
    points = {r["ons_code"]: (float(r[columns[0]]), float(r[columns[1]])) for r in rows(points_file)}
    marginal = [
        r
        for r in rows(f"{election.lower()}_results.csv")
        if party in (r["winner_party"], r["runner_up_party"]) and float(r["majority_pct"]) <= threshold
    ]
    measured = sorted((haversine(lat, lon, *points[r["ons_code"]]), r["ons_code"]) for r in marginal)
    return measured[:limit]


CASES = [
    ("AB10 1AB", {}),
    ("AB16 5ST", {"election": "GE2017"}),
    ("M1 1AD", {}),
    ("SE1 2DL", {"party": "Con", "election": "GE2019", "threshold": 5.0}),
    ("M11 1AA", {"party": "LD", "threshold": 15.0}),
    ("CT1", {"election": "GE2017"}),
    ("BS1 4ST", {"party": "Green", "threshold": 30.0}),
    ("W8", {"election": "GE2019", "threshold": 2.5}),
    ("EH1", {"party": "SNP"}),
    ("BT1", {"party": "SF", "threshold": 25.0}),
]


@pytest.mark.parametrize(("postcode", "rule"), CASES, ids=[c[0] for c in CASES])
def test_the_nearest_marginals_match_an_independent_computation(seeded_client, postcode, rule):
    params = {"postcode": postcode, "limit": 10, **rule}
    reply = seeded_client.get("/api/marginals/nearest", query_string=params)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    expected = expected_nearest(postcode, **{k: v for k, v in params.items() if k != "postcode"})
    assert expected, "the case should have marginal seats"
    assert [s["ons_code"] for s in body["seats"]] == [code for _, code in expected]
    assert [s["distance_km"] for s in body["seats"]] == pytest.approx([km for km, _ in expected], abs=5e-4)
    assert [s["rank"] for s in body["seats"]] == list(range(1, len(expected) + 1))
    lat, lon, precision = where_is(postcode)
    assert body["location"]["precision"] == precision
    assert (body["location"]["lat"], body["location"]["lon"]) == (lat, lon)


def test_a_seat_in_the_answer_carries_its_result_and_standing(seeded_client):
    body = seeded_client.get("/api/marginals/nearest?postcode=CT1&election=GE2017&limit=1").get_json()
    canterbury = body["seats"][0]
    assert canterbury["name"] == "Canterbury"
    assert (canterbury["winner"], canterbury["runner_up"], canterbury["standing"]) == (
        "Lab",
        "Con",
        "defending",
    )
    assert (canterbury["majority"], canterbury["majority_pct"]) == (187, 0.33)
    assert body["location"]["constituency"] == {"ons_code": canterbury["ons_code"], "name": "Canterbury"}


def test_a_full_postcode_we_do_not_hold_is_located_at_its_district(seeded_client):
    body = seeded_client.get("/api/marginals/nearest?postcode=ab101zz").get_json()
    assert body["location"]["postcode"] == "AB10 1ZZ"
    assert body["location"]["precision"] == "district"
    assert (body["location"]["lat"], body["location"]["lon"]) == where_is("AB10")[:2]


def test_the_volunteers_own_seat_comes_from_the_postcode_directory(seeded_client):
    body = seeded_client.get("/api/marginals/nearest?postcode=AB10 1AB").get_json()
    assert body["location"]["constituency"] == {"ons_code": "S14000061", "name": "Aberdeen South"}
    body = seeded_client.get("/api/marginals/nearest?postcode=AB10 1AB&election=GE2017").get_json()
    assert body["location"]["constituency"] == {"ons_code": "S14000001", "name": "Aberdeen North"}


def test_needs_you_most_matches_an_independent_computation_with_volunteers_signed_up(
    seeded_client, seeded_services
):
    now = seeded_services.clock.now()
    nearest = seeded_client.get("/api/marginals/nearest?postcode=M1 1AD&limit=6").get_json()["seats"]
    busy = nearest[0]["ons_code"]
    with seeded_services.uow() as uow:
        event = Event(
            ons_code=busy, title="Door-knocking", starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=3), meeting_postcode="M1 1AD", lat=53.48, lon=-2.24,
        )  # fmt: skip
        uow.session.add(event)
        uow.session.flush()
        assert event.id
        for n in range(40):
            uow.session.add(EventSignup(event_id=event.id, name=f"v{n}", created_at=now))
        uow.commit()
    seeded_services.seat_finder.activity.invalidate()

    body = seeded_client.get("/api/marginals/nearest?postcode=M1 1AD&order=need&limit=8").get_json()
    lat, lon, _ = where_is("M1 1AD")
    points = {
        r["ons_code"]: (float(r["ons_lat"]), float(r["ons_lon"]))
        for r in rows("constituency_centroids_2024_boundaries.csv")
    }
    scores = []
    for r in rows("ge2024_results.csv"):
        if "Lab" in (r["winner_party"], r["runner_up_party"]) and float(r["majority_pct"]) <= 10:
            km = haversine(lat, lon, *points[r["ons_code"]])
            committed = 40 if r["ons_code"] == busy else 0
            shortfall = max(0, 50 - committed) / 50
            score = 1 / (1 + float(r["majority_pct"]) / 5) * (1 + shortfall) / 2 * 1 / (1 + km / 25)
            scores.append((score, -km, r["ons_code"]))
    expected = [code for *_, code in sorted(scores, reverse=True)[:8]]
    assert [s["ons_code"] for s in body["seats"]] == expected
    assert [s["need"]["score"] for s in body["seats"]] == pytest.approx(
        sorted(s for s, *_ in scores)[::-1][:8], abs=1e-4
    )
    assert nearest[0]["volunteers_committed"] == 0  # the answer before the sign-ups
    again = seeded_client.get("/api/marginals/nearest?postcode=M1 1AD&limit=1").get_json()["seats"][0]
    assert (again["ons_code"], again["volunteers_committed"]) == (busy, 40)


def add_campaign(services, ons_code, status, name="Phone bank"):
    with services.uow() as uow:
        campaign = Campaign(
            name=name, slug=f"{name}-{status}".lower().replace(" ", "-"), status=status,
            caller_id="+442079460000", created_at=services.clock.now(),
        )  # fmt: skip
        uow.session.add(campaign)
        uow.session.flush()
        assert campaign.id
        uow.session.add(CampaignSeat(campaign_id=campaign.id, ons_code=ons_code))
        uow.commit()
        return campaign.id


def test_counts_of_events_carpools_and_phone_banks_follow_the_seats_activity(
    seeded_client, seeded_services, clock
):
    seat = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]
    assert (seat["upcoming_events"], seat["carpools"], seat["open_phone_banks"]) == (0, 0, 0)
    assert seat["phone_bank_url"] is None
    code, now = seat["ons_code"], clock.now()
    with seeded_services.uow() as uow:
        driver = User(email="d@example.org", password_hash="x", first_name="D", created_at=now)
        uow.session.add(driver)
        past = Event(ons_code=code, title="Last week", starts_at=now - timedelta(days=7), ends_at=now - timedelta(days=7) + timedelta(hours=2), meeting_postcode="CT1 1AA", lat=51.28, lon=1.08)  # fmt: skip
        soon = Event(ons_code=code, title="Saturday", starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=3), meeting_postcode="CT1 1AA", lat=51.28, lon=1.08)  # fmt: skip
        uow.session.add_all([past, soon])
        uow.session.flush()
        assert soon.id and driver.id
        uow.session.add(Carpool(event_id=soon.id, driver_id=driver.id, pickup_postcode="ME1 1AA", lat=51.38, lon=0.5, seats_offered=3, departs_at=now + timedelta(days=3) - timedelta(hours=1), created_at=now))  # fmt: skip
        uow.commit()
    active = add_campaign(seeded_services, code, CampaignStatus.ACTIVE, "Kent calls")
    add_campaign(seeded_services, code, CampaignStatus.PAUSED, "Old calls")

    cached = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]
    assert cached["upcoming_events"] == 0  # counts are cached for up to 15 s ...
    clock.advance(16)
    fresh = seeded_client.get("/api/marginals/nearest?postcode=CT1&limit=1").get_json()["seats"][0]
    assert (fresh["upcoming_events"], fresh["carpools"], fresh["open_phone_banks"]) == (
        1,
        1,
        1,
    )  # ... then re-read
    assert fresh["phone_bank_url"] == f"/call/{active}"


def test_the_seat_data_is_read_once_not_per_look_up(seeded_client, seeded_services):
    seeded_client.get("/api/marginals/nearest?postcode=M1 1AD")
    statements = []

    def listener(connection, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(seeded_services.engine, "before_cursor_execute", listener)
    try:
        for postcode in ("AB10 1AB", "M11 1AA", "BS1", "W8 4AA"):
            assert seeded_client.get(f"/api/marginals/nearest?postcode={postcode}").status_code == 200
    finally:
        sa.event.remove(seeded_services.engine, "before_cursor_execute", listener)
    assert statements == []
