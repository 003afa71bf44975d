"""The organiser's CSV exports as a spreadsheet or a script reads them: one name per column, the
labels the pages show beside the stable codes, and times in UK time with their offset."""

import csv
import io
from datetime import UTC, datetime

from dialer.domain.dispositions import Disposition
from dialer.domain.surveys import QuestionKind
from dialer.models import Outcome, SurveyAnswer
from dialer.services.signups import events
from tests import signup_factories as make
from tests.people import sign_in_as


def outcomes_csv(client, campaign_id):
    reply = client.get(f"/organiser/campaigns/{campaign_id}/export/outcomes.csv")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(reply.get_data(as_text=True))))


def test_outcomes_csv_has_unique_headers_labels_beside_codes_and_uk_times_with_their_offset(client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    notes_question = make.question(
        services, campaign_id, key="notes", kind=QuestionKind.FREE_TEXT, options=()
    )
    voter_id = make.voter(services, campaign_id)
    summer = make.add(
        services,
        Outcome(
            campaign_id=campaign_id, voter_id=voter_id, disposition=Disposition.CALL_BACK,
            notes="=cmd|' /C calc'!A0", created_at=datetime(2026, 7, 1, 17, 0, tzinfo=UTC),
        ),
    )  # fmt: skip
    winter = make.add(
        services,
        Outcome(
            campaign_id=campaign_id, voter_id=voter_id, disposition=Disposition.NO_ANSWER,
            created_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
        ),
    )  # fmt: skip
    make.add(
        services, SurveyAnswer(outcome_id=summer.id, question_id=notes_question, value="Asked about buses")
    )
    sign_in_as(client, services, organiser)

    header, *rows = outcomes_csv(client, campaign_id)

    assert len(header) == len(set(header))
    assert "notes" in header and "survey_notes" in header
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["outcome"], r["outcome_label"]) for r in records] == [
        ("call_back", "Call back later"),
        ("no_answer", "Not in / no answer"),
    ]
    assert [(r["channel"], r["channel_label"]) for r in records] == [("phone", "Phone call")] * 2
    assert [r["recorded_at"] for r in records] == ["2026-07-01T18:00:00+01:00", "2026-12-01T17:00:00+00:00"]
    assert [datetime.fromisoformat(r["recorded_at"]) for r in records] == [
        summer.created_at,
        winter.created_at,
    ]
    assert (records[0]["survey_notes"], records[0]["notes"]) == ("Asked about buses", "'=cmd|' /C calc'!A0")


def test_signups_csv_labels_its_kinds_statuses_and_people(client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    event_id = make.event(services, campaign_id, capacity=1)
    volunteer = make.user(services)
    events.sign_up(services.uow(), services.clock, event_id, user_id=volunteer)
    sign_in_as(client, services, organiser)

    reply = client.get(f"/organiser/campaigns/{campaign_id}/export/signups.csv")
    header, *rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))

    assert len(header) == len(set(header))
    [record] = [dict(zip(header, row, strict=True)) for row in rows]
    assert (record["kind"], record["kind_label"], record["status"], record["status_label"]) == (
        "event", "Event place", "confirmed", "Confirmed",
    )  # fmt: skip
    assert (record["who"], record["who_label"]) == ("volunteer", "Volunteer")
    assert datetime.fromisoformat(record["recorded_at"]).utcoffset() is not None
