"""The import pages tell an organiser how people are recognised, and the report names both rows of
every merge and what a re-import left unchanged."""

import io
import re

import pytest

from dialer.services.campaigns.voter_import import run_import
from tests import signup_factories as make
from tests.people import sign_in_as
from tests.web.test_signup_pages import _jobs, csrf

pytestmark = pytest.mark.integration

HOUSEHOLD = (
    b"First name,Surname,Tel\nAlice,Smith,07700 900123\nEve,Brown,07700 900123\nAlice,Smith,07700 900123\n"
)


def imported(client, services, campaign_id, token, data):
    reply = client.post(
        f"/organiser/campaigns/{campaign_id}/imports",
        data={"csrf_token": token, "encoding": "utf-8", "file": (io.BytesIO(data), "household.csv")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    mapping = client.get(reply.location).get_data(as_text=True)
    columns = {"csrf_token": token, "first_name": "First name", "last_name": "Surname", "phone": "Tel"}
    assert client.post(reply.location + "/columns", data=columns).status_code == 303
    import_id = int(reply.location.rstrip("/").rsplit("/", 1)[-1])
    assert ("workers.imports.import_voters", (import_id,)) in [
        (job, args) for job, args, _ in _jobs(services)
    ]
    run_import(services.uow, services.clock, services.live, import_id, number_key=services.number_key)
    return mapping, client.get(reply.location).get_data(as_text=True)


def figure(report, name):
    found = re.search(rf'data-field="{name}">(\d+)<', report)
    assert found is not None
    return int(found.group(1))


def test_the_import_report_names_both_rows_of_every_merge_and_counts_a_reimport_unchanged(client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    token = csrf(client, f"/organiser/campaigns/{campaign_id}/signups")

    mapping, report = imported(client, services, campaign_id, token, HOUSEHOLD)

    assert "People who only share a number (a household's landline) stay separate voters" in mapping
    assert (figure(report, "imported"), figure(report, "merged"), figure(report, "unchanged")) == (2, 1, 0)
    assert "<td>4</td><td>merged</td><td>same person as line 2 (same name and number); merged</td>" in report

    _, again = imported(client, services, campaign_id, token, HOUSEHOLD)
    assert (figure(again, "imported"), figure(again, "merged"), figure(again, "unchanged")) == (0, 1, 2)
