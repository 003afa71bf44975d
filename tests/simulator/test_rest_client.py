"""Acceptance 1: twilio-python's own Client drives the simulator and gets the shapes it expects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from twilio.base.exceptions import TwilioRestException

from dialer.simulator import Behaviour
from tests.simulator.conftest import ACCOUNT_SID, CALLER_ID, dial, url

VOTER = "+447700900001"
VOLUNTEER_PHONE = "+447700900900"


def test_a_created_call_is_queued_and_fetches_back_with_twilio_types(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.hangs_up_after(30, ring=5))
    product.twiml["/voice"] = "<Response><Pause length='60'/></Response>"
    call = dial(twilio, VOTER)
    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert call.status == "queued"
    assert call.direction == "outbound-api"
    assert call.to == VOTER and call._from == CALLER_ID
    assert call.to_formatted == "07700 900001"
    assert call.account_sid == ACCOUNT_SID
    assert call.date_created == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    sim.advance(10)
    fetched = twilio.calls(call.sid).fetch()
    assert fetched.status == "in-progress"
    assert fetched.start_time == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)

    sim.advance(60)
    ended = twilio.calls(call.sid).fetch()
    assert ended.status == "completed"
    assert ended.duration == "30"
    assert ended.end_time == datetime(2026, 11, 26, 17, 0, 36, tzinfo=UTC)


def test_listing_pages_through_every_call_newest_first_with_filters(sim, twilio):
    for index in range(7):
        sim.set_behaviour(
            f"+44770090010{index}", Behaviour.busy(after=1) if index % 2 else Behaviour.no_answer()
        )
        dial(twilio, f"+44770090010{index}", status_callback=None, status_callback_event=None)
    sim.advance(120)

    pages = list(_pages(twilio.calls.page(page_size=3)))
    assert [len(page) for page in pages] == [3, 3, 1]
    listed = [call.to for page in pages for call in page]
    assert listed == [f"+44770090010{index}" for index in reversed(range(7))]

    assert [c.to for c in twilio.calls.list(page_size=2)] == listed
    assert [c.to for c in twilio.calls.list(status="busy", page_size=2)] == [listed[i] for i in (1, 3, 5)]
    assert [c.status for c in twilio.calls.list(to="+447700900102")] == ["no-answer"]
    assert len(twilio.calls.list(limit=4)) == 4
    assert twilio.calls.list(start_time_after=datetime(2026, 11, 27, tzinfo=UTC)) == []
    assert len(twilio.calls.list(start_time=datetime(2026, 11, 26, tzinfo=UTC).date())) == 7


def _pages(page):
    while page is not None:
        yield list(page)
        page = page.next_page()


def test_a_previous_page_link_leads_back(sim, twilio):
    for index in range(5):
        dial(twilio, f"+44770090020{index}", status_callback=None, status_callback_event=None)
    first = twilio.calls.page(page_size=2)
    second = first.next_page()
    back = second.previous_page()
    assert [c.sid for c in back] == [c.sid for c in twilio.calls.page(page_size=2)]


def test_updating_a_live_call_redirects_it_or_hangs_it_up(sim, twilio, product):
    sim.set_behaviour(VOTER, Behaviour.answer(ring=2, talk=600, patience_s=600))
    product.twiml["/voice"] = "<Response><Pause length='300'/></Response>"
    product.twiml["/wrap-up"] = "<Response><Say>Thank you, goodbye</Say></Response>"
    call = dial(twilio, VOTER)
    sim.advance(10)

    updated = twilio.calls(call.sid).update(url=url("/wrap-up"), method="POST")
    assert updated.status == "in-progress"
    sim.advance(0)
    assert [item.path for item in product.received if item.path != "/status"][-1] == "/wrap-up"
    sim.advance(5)
    assert twilio.calls(call.sid).fetch().status == "completed"

    second = dial(twilio, VOTER)
    sim.advance(10)
    twilio.calls(second.sid).update(twiml="<Response><Say>Inline goodbye</Say></Response>")
    sim.advance(3)
    assert twilio.calls(second.sid).fetch().status == "completed"

    third = dial(twilio, VOTER)
    sim.advance(10)
    assert twilio.calls(third.sid).update(status="completed").status == "completed"


def test_a_ringing_call_can_be_canceled_and_a_finished_one_cannot_be_changed(sim, twilio):
    sim.set_behaviour(VOTER, Behaviour.no_answer())
    call = dial(twilio, VOTER)
    sim.advance(5)
    assert twilio.calls(call.sid).fetch().status == "ringing"
    assert twilio.calls(call.sid).update(status="canceled").status == "canceled"
    with pytest.raises(TwilioRestException) as failure:
        twilio.calls(call.sid).update(status="completed")
    assert (failure.value.status, failure.value.code) == (400, 21220)


def test_participants_are_added_to_a_conference_by_name_changed_and_removed(sim, twilio, product):
    sim.set_behaviour(VOLUNTEER_PHONE, Behaviour.answer(ring=3, talk=3600, patience_s=3600))
    sim.set_behaviour(VOTER, Behaviour.answer(ring=4, talk=600))
    volunteer = twilio.conferences("seat-7").participants.create(
        from_=CALLER_ID,
        to=VOLUNTEER_PHONE,
        label="volunteer",
        end_conference_on_exit=True,
        conference_status_callback=url("/conference"),
        conference_status_callback_event=["start", "end", "join", "leave", "mute", "hold"],
    )
    assert volunteer.status == "queued" and volunteer.label == "volunteer"
    assert volunteer.conference_sid.startswith("CF")
    sim.advance(10)
    conference = twilio.conferences.list(friendly_name="seat-7", status="in-progress")[0]
    assert conference.sid == volunteer.conference_sid

    voter = twilio.conferences(conference.sid).participants.create(from_=CALLER_ID, to=VOTER, label="voter")
    sim.advance(10)
    members = twilio.conferences(conference.sid).participants.list()
    assert [(p.label, p.status) for p in members] == [("volunteer", "connected"), ("voter", "connected")]

    held = twilio.conferences(conference.sid).participants("voter").update(hold=True)
    assert held.hold is True and held.call_sid == voter.call_sid
    assert twilio.conferences(conference.sid).participants(voter.call_sid).update(muted=True).muted is True
    assert [p.label for p in twilio.conferences(conference.sid).participants.list(hold=True)] == ["voter"]

    assert twilio.conferences(conference.sid).participants("voter").delete() is True
    sim.advance(1)
    assert twilio.calls(voter.call_sid).fetch().status == "completed"
    assert [p.label for p in twilio.conferences(conference.sid).participants.list()] == ["volunteer"]

    ended = twilio.conferences(conference.sid).update(status="completed")
    assert ended.status == "completed"
    assert ended.reason_conference_ended == "conference-ended-via-api"
    sim.advance(1)
    assert product.conference_events() == [
        "participant-join",
        "conference-start",
        "participant-join",
        "participant-hold",
        "participant-mute",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]


def test_the_accounts_caller_ids_and_applications_are_listed(sim, twilio):
    numbers = twilio.incoming_phone_numbers.list()
    assert CALLER_ID in [number.phone_number for number in numbers]
    application = twilio.applications.create(friendly_name="Marginal", voice_url=url("/browser"))
    assert application.sid.startswith("AP")
    assert twilio.applications(application.sid).fetch().voice_url == url("/browser")
    assert twilio.applications(application.sid).update(voice_method="GET").voice_method == "GET"
    assert [a.sid for a in twilio.applications.list(friendly_name="Marginal")] == [application.sid]
    assert twilio.applications(application.sid).delete() is True
    assert twilio.applications.list() == []


def test_ringing_an_account_number_asks_its_voice_url_and_keys_the_callers_digits(sim, twilio, product):
    number = twilio.incoming_phone_numbers.list(phone_number=CALLER_ID)[0]
    updated = twilio.incoming_phone_numbers(number.sid).update(voice_url=url("/incoming"))
    assert (updated.voice_url, updated.voice_method) == (url("/incoming"), "POST")
    product.twiml["/incoming"] = (
        '<Response><Gather numDigits="1" action="/choice"><Say>Press 1</Say></Gather></Response>'
    )
    product.twiml["/choice"] = "<Response><Say>Done</Say></Response>"
    sid = sim.ring(CALLER_ID, from_=VOTER, behaviour=Behaviour.answer(digits="1"))
    sim.advance(30)
    voice = product.at("/incoming")[0].form
    assert (voice["CallSid"], voice["From"], voice["To"]) == (sid, VOTER, CALLER_ID)
    assert voice["Direction"] == "inbound" and voice["CallStatus"] == "ringing"
    assert product.at("/choice")[0].form["Digits"] == "1"
    call = twilio.calls(sid).fetch()
    assert (call.direction, call.status) == ("inbound", "completed")


def test_only_an_account_number_with_a_voice_url_can_be_rung(sim):
    with pytest.raises(ValueError, match="not one of the account's numbers"):
        sim.ring("+447700900555", from_=VOTER)
    with pytest.raises(ValueError, match="no Voice URL"):
        sim.ring(CALLER_ID, from_=VOTER)


def test_a_verified_caller_id_is_listed_and_may_be_the_from_of_a_call(sim, twilio):
    with pytest.raises(TwilioRestException) as unverified:
        twilio.calls.create(to=VOTER, from_="+447700900555", url=url("/voice"))
    assert unverified.value.code == 21210
    verified = sim.verify_caller_id("+447700900555")
    listed = twilio.outgoing_caller_ids.list(phone_number="+447700900555")
    assert [(c.sid, c.phone_number) for c in listed] == [(verified.sid, "+447700900555")]
    assert twilio.outgoing_caller_ids(verified.sid).fetch().phone_number == "+447700900555"
    assert twilio.outgoing_caller_ids.list(phone_number="+447700900556") == []
    assert twilio.calls.create(to=VOTER, from_="+447700900555", url=url("/voice")).status == "queued"
    assert "+447700900555" not in [n.phone_number for n in twilio.incoming_phone_numbers.list()]


@pytest.mark.parametrize(
    ("to", "from_", "code"),
    [
        ("07700900001", CALLER_ID, 21211),
        ("+447700900001", "+447700900999", 21210),
        ("+447700900001", "not-a-number", 21212),
    ],
)
def test_bad_numbers_are_refused_with_twilios_codes(twilio, to, from_, code):
    with pytest.raises(TwilioRestException) as failure:
        twilio.calls.create(to=to, from_=from_, url=url("/voice"))
    assert (failure.value.status, failure.value.code) == (400, code)


def test_wrong_credentials_and_unknown_resources_fail_as_on_twilio(sim, twilio):
    intruder = sim.rest_client(password="not-the-token")
    with pytest.raises(TwilioRestException) as failure:
        intruder.calls.create(to=VOTER, from_=CALLER_ID, url=url("/voice"))
    assert (failure.value.status, failure.value.code) == (401, 20003)
    with pytest.raises(TwilioRestException) as missing:
        twilio.calls("CA" + "f" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as no_conference:
        twilio.conferences("CF" + "f" * 32).participants.create(from_=CALLER_ID, to=VOTER)
    assert no_conference.value.code == 20404


def test_an_api_key_authenticates_like_the_auth_token(sim):
    from tests.simulator.conftest import API_KEY, API_SECRET

    keyed = sim.rest_client(username=API_KEY, password=API_SECRET)
    assert len(keyed.incoming_phone_numbers.list()) == 3
