"""Postcodes, distances, survey answers and calendar files: the pure rules sign-ups lean on."""

from datetime import UTC, datetime

import icalendar
import pytest

from dialer.domain.event_calendar import CalendarEntry, calendar_file
from dialer.domain.places import Point, distance_km, normalise_postcode, place_of
from dialer.domain.surveys import Question, QuestionKind, check_answers
from dialer.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("sw1a1aa", "SW1A 1AA"), (" m1  1ae ", "M1 1AE"), ("EC1A 1BB", "EC1A 1BB"), ("B33 8TH", "B33 8TH")],
)
def test_postcodes_are_normalised_to_royal_mail_form(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "SW1A", "12345", "SW1A 1AAA", "NOT A PC"])
def test_text_that_is_not_a_postcode_is_refused(typed):
    assert normalise_postcode(typed) is None


def test_a_postcode_nobody_knows_is_a_clear_error():
    with pytest.raises(InvalidInput, match="BS1 9ZZ was not found"):
        place_of("bs19zz", lambda postcode: None)


@pytest.mark.parametrize(("typed", "placed"), [("sw9", "SW9"), (" sw1a1aa ", "SW1A 1AA"), ("Bs1", "BS1")])
def test_a_district_or_a_full_postcode_is_placed_as_the_seat_search_would(typed, placed):
    seen: list[str] = []

    def locate(text: str) -> Point:
        seen.append(text)
        return Point(51.5, -0.1)

    postcode, _ = place_of(typed, locate)
    assert postcode == placed and seen == [placed]


def test_a_refused_postcode_names_its_field_and_gives_the_parsers_reason():
    with pytest.raises(InvalidInput, match=r"^not a UK postcode: 'NOT ONE'") as refused:
        place_of("not one", lambda postcode: None, field="pickup_postcode")
    assert refused.value.field == "pickup_postcode"


def test_london_to_manchester_is_about_260_km():
    assert 255 < distance_km(Point(51.5010, -0.1416), Point(53.4808, -2.2426)) < 265


QUESTIONS = [
    Question(
        1, "support", "Who will you vote for?", QuestionKind.SINGLE_CHOICE, ("Lab", "Con"), required=True
    ),
    Question(2, "issues", "Issues?", QuestionKind.MULTIPLE_CHOICE, ("NHS", "Housing")),
    Question(3, "likely", "How likely?", QuestionKind.SCALE),
    Question(4, "notes", "Anything else?", QuestionKind.FREE_TEXT),
]


def test_answers_are_checked_against_the_campaign_survey():
    """Stored as the options chosen (in the survey's order) and the text typed; blanks are left out."""
    answers = {"support": "Lab", "issues": ["Housing", "NHS", "NHS"], "likely": 4, "notes": "  "}
    assert check_answers(QUESTIONS, answers, talked=True) == {1: "Lab", 2: ["NHS", "Housing"], 3: "4"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"support": "Green"}, "Who will you vote for\\?: choose one of: Lab, Con"),
        ({"support": "Lab", "likely": "9"}, "How likely\\?: choose one of: 1, 2, 3, 4, 5"),
        ({"support": "Lab", "issues": ["NHS", "Roads"]}, "Issues\\?: choose from: NHS, Housing"),
        ({"support": "Lab", "notes": 7}, "Anything else\\?: a free-text answer must be text"),
        ({"support": "Lab", "shoe": "9"}, "no survey question 'shoe'"),
        ({}, "Who will you vote for\\?: an answer is needed"),
    ],
)
def test_wrong_answers_are_refused_with_the_reason(answers, message):
    with pytest.raises(InvalidInput, match=message):
        check_answers(QUESTIONS, answers, talked=True)


def test_required_questions_wait_until_someone_actually_talked():
    assert check_answers(QUESTIONS, {}, talked=False) == {}


def test_the_calendar_file_round_trips_through_icalendar():
    starts = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    data = calendar_file(
        CalendarEntry(
            uid="event-7@example.org", title="Knock, knock; who's there?", starts_at=starts,
            ends_at=starts.replace(hour=13), location="Meeting point: SW1A 1AA", description="Bring a pen",
            lat=51.5, lon=-0.14, url="https://example.org/events/7", stamp=starts,
        )
    )  # fmt: skip
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Knock, knock; who's there?"
    assert event.decoded("DTSTART") == starts
    assert str(event["UID"]) == "event-7@example.org"
    assert b"\r\n" in data
