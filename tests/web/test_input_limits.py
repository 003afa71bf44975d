"""Malformed input is refused at the edge with 400 and a sentence saying what was wrong, and nothing
is written: deep nesting, numbers JSON should not carry, ids of the wrong type or beyond 64 bits."""

from __future__ import annotations

import io
import secrets

import pytest
from sqlmodel import func, select

from dialer.models import CallingSession, EventSignup, Outcome, PledgeSignup
from tests.people import VOTERS_CSV, csrf_headers


def count(services, model) -> int:
    with services.uow() as uow:
        found: int = uow.session.exec(select(func.count()).select_from(model)).one()
        return found


def send(client, url: str, text: str):
    return client.post(url, data=text, content_type="application/json", headers=csrf_headers(client))


def error_of(reply) -> str:
    return str(reply.get_json()["error"])


def test_deeply_nested_json_is_refused_before_sign_in_with_a_sentence(app):
    client = app.test_client()
    reply = send(client, "/call/1/session", "[" * 100_000 + "]" * 100_000)
    assert reply.status_code == 400
    assert "nested more than" in error_of(reply)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Infinity", "Infinity is not a number"),
        ("NaN", "NaN is not a number"),
        ("1e400", "too large"),
        (str(2**64 + 1), "larger than a 64-bit integer"),
        ('"\\ud800"', "not valid Unicode"),
    ],
)
def test_numbers_and_text_json_should_not_carry_are_refused_and_no_visit_is_stored(
    client_as, services, world, value, says
):
    canvasser = client_as("volunteer")
    text = f'{{"key": "visit-0001", "voter_id": {world.voter_id}, "disposition": "talked", "notes": {value}}}'
    reply = send(canvasser, f"/doorstep/events/{world.event_id}/visits", text)
    assert reply.status_code == 400 and says in error_of(reply)
    assert count(services, Outcome) == 1  # the world's phone conversation only


def test_a_body_larger_than_the_limit_is_refused(client_as):
    reply = send(client_as("organiser"), "/organiser/script-preview", '{"script": "' + "x" * 300_000 + '"}')
    assert reply.status_code == 400 and "larger than" in error_of(reply)


@pytest.mark.parametrize(
    "voter_id", ['{"id": 1}', "[1]", "true", "0", "-1", str(2**31), str(2**63 - 1), '"1; --"']
)
def test_a_doorstep_visit_with_a_voter_id_that_is_not_a_record_id_is_refused_naming_it(
    client_as, services, world, voter_id
):
    canvasser = client_as("volunteer")
    text = f'{{"key": "visit-0001", "voter_id": {voter_id}, "disposition": "talked"}}'
    reply = send(canvasser, f"/doorstep/events/{world.event_id}/visits", text)
    assert reply.status_code == 400 and "voter_id must be a record id" in error_of(reply)
    assert count(services, Outcome) == 1


@pytest.mark.parametrize("kind", ['["pledge"]', '{"pledge": 1}', "1", "null"])
def test_a_sign_up_with_a_kind_that_is_not_one_of_the_kinds_is_refused(client_as, services, world, kind):
    organiser = client_as("organiser")
    text = f'{{"kind": {kind}, "id": {world.pledge_id}}}'
    reply = send(organiser, f"/signups/voters/{world.voter_id}", text)
    assert reply.status_code == 400 and "kind must be one of" in error_of(reply)
    assert count(services, PledgeSignup) == 0 and count(services, EventSignup) == 1


@pytest.mark.parametrize("call", ["Infinity", str(2**63), '{"id": 1}', "[]", '"x"'])
def test_an_outcome_for_a_call_that_is_not_a_record_id_is_refused_and_the_seat_is_unchanged(
    client_as, services, world, call
):
    volunteer = client_as("volunteer")
    with services.uow() as uow:
        state_before = uow.session.get(CallingSession, world.session_id).state
    text = f'{{"call": {call}, "disposition": "talked", "idempotency_key": "k-1"}}'
    reply = send(volunteer, f"/call/session/{world.session_id}/outcome", text)
    assert reply.status_code == 400
    assert count(services, Outcome) == 1
    with services.uow() as uow:
        assert uow.session.get(CallingSession, world.session_id).state == state_before


def test_a_huge_value_in_a_form_is_not_echoed_into_the_session_cookie(client_as, world):
    """A message quoting what was typed is cut short: a flashed one travels in the cookie."""
    organiser = client_as("organiser")
    typed = secrets.token_urlsafe(30_000)  # random, so the cookie's compression cannot hide it
    form = {"file": (io.BytesIO(VOTERS_CSV), "voters.csv"), "encoding": typed}
    reply = organiser.post(
        f"/organiser/campaigns/{world.campaign_id}/imports", data=form, headers=csrf_headers(organiser)
    )
    assert reply.status_code == 303
    cookies = reply.headers.getlist("Set-Cookie")
    assert cookies and all(len(cookie) < 4096 for cookie in cookies)
    page = organiser.get(reply.headers["Location"]).get_data(as_text=True)
    assert "unknown encoding" in page and typed not in page
