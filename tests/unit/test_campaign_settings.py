"""Campaign settings and survey answers are validated with messages that say what to fix."""

import pytest

from dialer.domain.campaign_settings import CallingSettings, default_information_message, validated
from dialer.domain.campaigns import DialingMode
from dialer.domain.phones import normalise_phone as normalised
from dialer.domain.surveys import QuestionKind, validated_answer, validated_options
from dialer.errors import InvalidInput


def test_valid_settings_come_back_with_the_caller_id_in_e164():
    settings = validated(CallingSettings(caller_id="020 7946 0000", dialing_mode=DialingMode.PREVIEW))
    assert settings.caller_id == "+442079460000"
    assert settings.hours.is_open is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ring_timeout_s": 14}, "at least 15"),
        ({"caller_id": "12345"}, "not a valid"),
        ({"caller_id": "call me"}, "not a phone number"),
        ({"dialing_mode": "robocall"}, "preview, power or predictive"),
        ({"max_attempts": 0}, "max attempts"),
        ({"weekday_end": "7pm"}, "look like"),
        ({"retry_overrides": {"do_not_call": {"retry_after_minutes": 1}}}, "fixed"),
        ({"seat_grace_s": 5}, "between 15 and 300 seconds"),
        ({"seat_grace_s": 3600}, "disconnected volunteer"),
    ],
)
def test_bad_settings_are_refused(change, message):
    fields = {"caller_id": "+442079460000", **change}
    with pytest.raises(InvalidInput, match=message):
        validated(CallingSettings(**fields))


def test_drama_numbers_are_accepted_for_fiction_and_real_numbers_are_normalised():
    assert normalised("07700 900123") == "+447700900123"
    assert normalised("+44 20 7946 0999") == "+442079460999"
    with pytest.raises(InvalidInput):
        normalised("07700 90012")


def test_the_default_information_message_says_who_called_and_a_number_to_call_back():
    text = default_information_message("Hendon Labour", "+442079460000")
    assert "Hendon Labour" in text and "0 2 0 7 9 4 6 0 0 0 0" in text


def test_answers_are_checked_against_each_kind_of_question():
    assert validated_answer(QuestionKind.SINGLE_CHOICE, ["Lab", "Con"], "Lab") == "Lab"
    assert validated_answer(QuestionKind.MULTIPLE_CHOICE, ["a", "b", "c"], ["c", "a"]) == ["a", "c"]
    assert validated_answer(QuestionKind.SCALE, ["1", "2", "3", "4", "5"], 4) == "4"
    assert validated_answer(QuestionKind.FREE_TEXT, [], "  hi ") == "hi"
    assert validated_answer(QuestionKind.SINGLE_CHOICE, ["Lab"], "") is None
    for kind, options, value in [
        (QuestionKind.SINGLE_CHOICE, ["Lab", "Con"], "Green"),
        (QuestionKind.MULTIPLE_CHOICE, ["a"], ["z"]),
        (QuestionKind.SCALE, ["1", "2"], 7),
        (QuestionKind.SCALE, ["1", "2"], True),
        (QuestionKind.FREE_TEXT, [], 5),
        (QuestionKind.FREE_TEXT, [], "x" * 2001),
    ]:
        with pytest.raises(InvalidInput):
            validated_answer(kind, options, value)


def test_question_options_fit_their_kind():
    assert validated_options(QuestionKind.SCALE, []) == ["1", "2", "3", "4", "5"]
    with pytest.raises(InvalidInput):
        validated_options(QuestionKind.SINGLE_CHOICE, ["only one"])
    with pytest.raises(InvalidInput):
        validated_options(QuestionKind.FREE_TEXT, ["no options here"])
