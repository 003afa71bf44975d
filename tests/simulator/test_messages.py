"""The Messages resource as Twilio documents it: queued, sent and delivered with a signed callback
for each change after the first, Twilio's refusals (an invalid 'To', a number that opted out), and
replies from a phone to one of the account's numbers, STOP among them."""

from __future__ import annotations

import base64

import pytest
from twilio.base.exceptions import TwilioRestException

from tests.simulator.conftest import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, url

MOBILE = "+447700900001"
LANDLINE = "+442079460999"


def text(twilio, to: str = MOBILE, body: str = "See you Saturday: https://example.test/e/1"):
    return twilio.messages.create(to=to, from_=CALLER_ID, body=body, status_callback=url("/sms-status"))


def statuses(product, sid: str) -> list[str]:
    return [r.form["MessageStatus"] for r in product.at("/sms-status") if r.form["MessageSid"] == sid]


def test_a_text_is_queued_then_sent_then_delivered_with_a_signed_callback_for_each_change(
    sim, twilio, product
):
    message = text(twilio)
    assert message.sid.startswith("SM") and message.status == "queued" and message.direction == "outbound-api"
    assert message.from_ == CALLER_ID and message.to == MOBILE and message.num_segments == "1"

    sim.advance(10)

    assert statuses(product, message.sid) == ["sent", "delivered"], "no callback for the initial status"
    assert all(r.valid for r in product.at("/sms-status"))
    fetched = twilio.messages(message.sid).fetch()
    assert fetched.status == "delivered" and fetched.date_sent is not None
    assert [m.sid for m in twilio.messages.list(to=MOBILE)] == [message.sid]
    assert twilio.messages.list(to="+447700900002") == []


def test_a_text_to_a_landline_is_undelivered_with_twilios_error_30006(sim, twilio, product):
    message = text(twilio, to=LANDLINE)
    sim.advance(10)
    assert statuses(product, message.sid) == ["sent", "undelivered"]
    assert product.at("/sms-status")[-1].form["ErrorCode"] == "30006"
    assert twilio.messages(message.sid).fetch().error_code == 30006


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": "12", "From": CALLER_ID, "Body": "hi"}, 21211),
        ({"From": CALLER_ID, "Body": "hi"}, 21604),
        ({"To": MOBILE, "Body": "hi"}, 21603),
        ({"To": MOBILE, "From": CALLER_ID}, 21602),
        ({"To": MOBILE, "From": "+447700900555", "Body": "hi"}, 21606),
        ({"To": MOBILE, "From": CALLER_ID, "Body": "x" * 1601}, 21617),
    ],
)
def test_a_message_twilio_would_refuse_is_refused_with_its_code(sim, form, code):
    auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    response = sim.app.test_client().post(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        data=form,
        headers={"Authorization": f"Basic {auth}"},
    )
    assert response.status_code == 400 and response.get_json()["code"] == code


def test_a_stop_reply_reaches_the_numbers_sms_url_and_further_texts_fail_with_21610(sim, twilio, product):
    number = twilio.incoming_phone_numbers.list(phone_number=CALLER_ID)[0]
    twilio.incoming_phone_numbers(number.sid).update(sms_url=url("/sms"))

    sim.text(CALLER_ID, from_=MOBILE, body=" stop ")

    [reply] = product.at("/sms")
    assert reply.valid and reply.form["Body"] == " stop " and reply.form["OptOutType"] == "STOP"
    assert (
        reply.form["From"] == MOBILE
        and reply.form["To"] == CALLER_ID
        and reply.form["SmsStatus"] == "received"
    )
    with pytest.raises(TwilioRestException) as refused:
        text(twilio)
    assert refused.value.code == 21610
    text(twilio, to="+447700900002")  # other phones are unaffected
    sim.advance(10)
    [confirmation] = [m for m in twilio.messages.list(to=MOBILE) if m.direction == "outbound-reply"]
    assert confirmation.from_ == CALLER_ID and "unsubscribed" in confirmation.body
    assert confirmation.status == "delivered"

    sim.text(CALLER_ID, from_=MOBILE, body="START")
    assert product.at("/sms")[-1].form["OptOutType"] == "START"
    assert text(twilio).status == "queued"


@pytest.mark.parametrize("word", ["STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
def test_every_opt_out_word_twilio_honours_opts_the_phone_out(sim, twilio, word):
    sim.text(CALLER_ID, from_=MOBILE, body=word.lower())
    with pytest.raises(TwilioRestException) as refused:
        text(twilio)
    assert refused.value.code == 21610


def test_an_ordinary_reply_changes_nothing_and_is_listed_as_inbound(sim, twilio):
    sid = sim.text(CALLER_ID, from_=MOBILE, body="Can I bring my dog?")
    assert text(twilio).status == "queued"
    assert twilio.messages(sid).fetch().direction == "inbound"


def test_a_test_texts_an_account_number_through_the_control_plane(sim, twilio):
    client = sim.app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()}
    created = client.post(
        f"/_sim/numbers/{CALLER_ID}/messages", json={"from": MOBILE, "body": "QUIT"}, headers=auth
    )
    assert created.status_code == 201 and created.get_json()["message_sid"].startswith("SM")
    assert (
        client.post(
            "/_sim/numbers/+447700900999/messages", json={"from": MOBILE, "body": "hi"}, headers=auth
        ).status_code
        == 400
    )
    with pytest.raises(TwilioRestException):
        text(twilio)


def test_a_delivered_message_can_be_redacted(sim, twilio):
    message = text(twilio)
    sim.advance(10)
    assert twilio.messages(message.sid).update(body="").body == ""
