"""Which numbers can take texts, which replies stop them, and what a text says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialer.domain.text_messages import (
    Purpose,
    SignupDetails,
    SignupKind,
    can_take_texts,
    reply_word,
    text_body,
)


@pytest.mark.parametrize(
    ("number", "takes_texts"),
    [
        ("+447700900123", True),  # Ofcom's drama mobiles
        ("+447911123456", True),  # a mobile
        ("+442079460000", False),  # a London landline
        ("+441174960123", False),  # Bristol
        ("+448081570000", False),  # freephone
        ("+44", False),
    ],
)
def test_only_mobiles_take_texts(number, takes_texts):
    assert can_take_texts(number) is takes_texts


@pytest.mark.parametrize(
    "body", ["STOP", "stop", " Stop\n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"]
)
def test_the_opt_out_words_twilio_honours_stop_texts(body):
    assert reply_word(body) == "STOP"


@pytest.mark.parametrize("body", ["START", "unstop", "Yes"])
def test_the_opt_in_words_start_them_again(body):
    assert reply_word(body) == "START"


@pytest.mark.parametrize("body", ["please stop calling me", "Thanks!", "", "STOP IT"])
def test_other_replies_change_nothing(body):
    assert reply_word(body) is None


def test_every_text_names_the_campaign_carries_the_link_and_says_how_to_stop():
    details = SignupDetails(
        SignupKind.EVENT, "Saturday doors", datetime(2026, 6, 6, 9, 0, tzinfo=UTC), "SW1A 1AA"
    )
    link = "https://marginal.example/s/abc"
    sent = text_body("Westminster phone bank", Purpose.LINK, details, link)
    assert sent == (
        "Westminster phone bank: thank you for joining Saturday doors, Sat 6 Jun at 10:00, meeting at "
        "SW1A 1AA. Details: https://marginal.example/s/abc Reply STOP to opt out."
    )
    reminder = text_body("Westminster phone bank", Purpose.REMINDER, details, link)
    assert "a reminder: Saturday doors is tomorrow, Sat 6 Jun at 10:00" in reminder and reminder.endswith(
        "Reply STOP to opt out."
    )
    pledge = text_body("W", Purpose.LINK, SignupDetails(SignupKind.PLEDGE, "Take polling day off"), link)
    assert "your pledge: Take polling day off" in pledge and link in pledge
