"""GET /api/marginals/nearest: JSON answers, a 400 saying what was wrong, never a 500."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer.bootstrap import build
from dialer.config import Settings
from dialer.errors import ConfigurationError
from web import create_app

pytestmark = pytest.mark.integration


def test_the_answer_lists_the_nearest_marginals_with_everything_a_volunteer_needs(seeded_client):
    reply = seeded_client.get("/api/marginals/nearest?postcode=m1 1ad&limit=3")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["query"] == {
        "postcode": "M1 1AD", "party": "Lab", "election": "GE2024", "threshold_pct": 10.0, "order": "distance", "limit": 3,
    }  # fmt: skip
    assert body["marginal_seats"] == 174
    assert body["location"]["precision"] == "postcode"
    assert len(body["seats"]) == 3
    assert set(body["seats"][0]) >= {
        "name", "ons_code", "winner", "runner_up", "majority", "majority_pct", "distance_km",
        "upcoming_events", "carpools", "open_phone_banks", "standing", "need", "phone_bank_url",
    }  # fmt: skip
    distances = [seat["distance_km"] for seat in body["seats"]]
    assert distances == sorted(distances)
    assert "closeness" in body["needs_you_most"]


def test_the_answer_says_when_the_party_stood_nowhere_in_the_volunteers_nation(seeded_client):
    body = seeded_client.get("/api/marginals/nearest?postcode=BT1 1AA&party=lab&limit=1").get_json()
    assert body["party_absent"] == {
        "party": "Lab",
        "seat": "Belfast South and Mid Down",
        "country": "Northern Ireland",
        "whole_country": True,
        "parties_that_stood": ["APNI", "DUP", "Green", "SDLP", "UUP"],
    }
    assert body["seats"][0]["country"] == "Scotland"
    stood = seeded_client.get("/api/marginals/nearest?postcode=M1 1AD&limit=1").get_json()
    assert stood["party_absent"] is None


def test_party_and_election_are_read_whatever_their_case(seeded_client):
    body = seeded_client.get("/api/marginals/nearest?postcode=W8&party=con&election=ge2019").get_json()
    assert (body["query"]["party"], body["query"]["election"]) == ("Con", "GE2019")
    assert all("Con" in (seat["winner"], seat["runner_up"]) for seat in body["seats"])


def test_a_threshold_nobody_meets_gives_an_empty_list_not_an_error(seeded_client):
    reply = seeded_client.get("/api/marginals/nearest?postcode=BS1&threshold=0")
    assert reply.status_code == 200
    assert reply.get_json()["seats"] == []
    assert reply.get_json()["query"]["limit"] == 10


BAD_INPUT = [
    ({"postcode": ""}, "enter a postcode"),
    ({"postcode": "   "}, "enter a postcode"),
    ({}, "enter a postcode"),
    ({"postcode": "A" * 10_240}, "not a UK postcode"),
    ({"postcode": "SW1A 1AA" * 1280}, "not a UK postcode"),
    ({"postcode": "<script>alert(1)</script>"}, "not a UK postcode"),
    ({"postcode": "<b>"}, "not a UK postcode"),
    ({"postcode": "' OR 1=1 --"}, "not a UK postcode"),
    ({"postcode": "'; DROP TABLE constituency; --"}, "not a UK postcode"),
    ({"postcode": "75008"}, "not a UK postcode"),
    ({"postcode": "K1A 0B1"}, "not a UK postcode"),
    ({"postcode": "2000"}, "not a UK postcode"),
    ({"postcode": "D02 X285"}, "not a UK postcode"),  # Dublin's Eircode
    ({"postcode": "SW99"}, "unknown postcode district SW99"),
    ({"postcode": "SW99 1AA"}, "unknown postcode district SW99"),
    ({"postcode": "AA9 9AA"}, "unknown postcode district AA9"),
    ({"postcode": "ZE9"}, "unknown postcode district ZE9"),
    ({"postcode": "N99 9ZZ"}, "unknown postcode district N99"),
    ({"postcode": "BFPO 42"}, "BFPO"),
    ({"postcode": "JE2 3AB"}, "Jersey"),
    ({"postcode": "GIR 0AA"}, "non-geographic"),
    ({"postcode": "BS1", "limit": "0"}, "limit must be a whole number from 1 to 50"),
    ({"postcode": "BS1", "limit": "51"}, "limit must be a whole number from 1 to 50"),
    ({"postcode": "BS1", "limit": "2.5"}, "limit must be a whole number"),
    ({"postcode": "BS1", "limit": "ten"}, "limit must be a number"),
    ({"postcode": "BS1", "limit": "9" * 5000}, "limit must be a whole number"),
    ({"postcode": "BS1", "threshold": "-1"}, "threshold must be a percentage between 0 and 100"),
    ({"postcode": "BS1", "threshold": "nan"}, "threshold must be a percentage"),
    ({"postcode": "BS1", "threshold": "1e400"}, "threshold must be a percentage"),
    ({"postcode": "BS1", "threshold": "lots"}, "threshold must be a number"),
    ({"postcode": "BS1", "party": "Whig"}, "unknown party 'Whig' at GE2024: choose one of"),
    ({"postcode": "BS1", "party": "<img src=x>"}, "party must be a party code"),
    ({"postcode": "BS1", "election": "GE1997"}, "unknown election 'GE1997'"),
    ({"postcode": "BS1", "order": "random"}, "order must be 'distance'"),
]


@pytest.mark.parametrize(("params", "says"), BAD_INPUT, ids=[says[:30] for _, says in BAD_INPUT])
def test_bad_input_is_a_400_saying_what_was_wrong(seeded_client, params, says):
    reply = seeded_client.get("/api/marginals/nearest", query_string=params)
    assert reply.status_code == 400
    assert reply.is_json
    assert says in reply.get_json()["error"]
    assert len(reply.get_json()["error"]) < 300


addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/api/marginals/nearest", "/marginals"]),
    postcode=st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    extra=st.dictionaries(
        st.sampled_from(["limit", "threshold", "party", "election", "order"]),
        st.text(max_size=30),
        max_size=5,
    ),
)
def test_no_input_whatever_its_content_causes_a_server_error(seeded_client, path, postcode, extra):
    reply = seeded_client.get(
        path,
        query_string={"postcode": postcode, **extra},
        environ_base={"REMOTE_ADDR": next(addresses)},  # each example is its own client
    )
    assert reply.status_code in (200, 400), reply.get_data(as_text=True)[:500]
    if path.startswith("/api/"):
        assert reply.is_json
        assert ("error" in reply.get_json()) == (reply.status_code == 400)
    else:
        assert ('role="alert"' in reply.get_data(as_text=True)) == (reply.status_code == 400)


@pytest.fixture
def strict_client(settings, seeded_services):
    seeded_services.settings = settings.model_copy(update={"lookup_rate_limit": "3/minute"})
    return create_app(services=seeded_services).test_client()


def test_look_ups_are_rate_limited_per_client_with_a_clear_429(strict_client):
    for _ in range(3):
        assert strict_client.get("/api/marginals/nearest?postcode=BS1").status_code == 200
    refused = strict_client.get("/api/marginals/nearest?postcode=BS1")
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith(
        "too many postcode look-ups from your connection (at most 3 per minute)"
    )
    assert refused.headers.get("Retry-After")
    other = strict_client.get(
        "/api/marginals/nearest?postcode=BS1", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert other.status_code == 200


def test_the_page_and_the_api_share_one_budget_and_the_bare_form_is_free(strict_client):
    for _ in range(5):
        assert strict_client.get("/marginals").status_code == 200
    assert strict_client.get("/marginals?postcode=BS1").status_code == 200
    assert strict_client.get("/api/marginals/nearest?postcode=BS1").status_code == 200
    assert strict_client.get("/marginals?postcode=BS1").status_code == 200
    refused = strict_client.get("/marginals?postcode=BS1")
    assert refused.status_code == 429
    assert "Too many postcode look-ups from your connection" in refused.get_data(as_text=True)


def test_an_unparseable_rate_limit_is_refused_at_start_up():
    with pytest.raises(ConfigurationError, match=r"LOOKUP_RATE_LIMIT: .*not a rate limit"):
        Settings.from_env(lookup_rate_limit="lots")


def test_before_seeding_look_ups_say_the_data_is_missing(settings, clean_db, redis, redis_url, clock):
    services = build(settings, engine=clean_db, redis=redis, redis_url=redis_url, clock=clock)
    client = create_app(services=services).test_client()
    reply = client.get("/api/marginals/nearest?postcode=BS1")
    assert reply.status_code == 503
    assert "run `dialer seed`" in reply.get_json()["error"]
    assert client.get("/marginals?postcode=BS1").status_code == 503
