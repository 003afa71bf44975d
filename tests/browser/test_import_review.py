"""Reviewing a large voter import in a real browser: the first rows as mapped before anything is
written, then the problem rows a page at a time, filtered by reason, and downloaded as a CSV."""

from __future__ import annotations

import csv
import io

from sqlmodel import func, select

from dialer.models import Voter, VoterImport
from dialer.services.campaigns import voter_import
from tests import signup_factories as make
from tests.browser.conftest import save_artifact
from tests.people import email_of, sign_in_browser

#: Fictional numbers (Ofcom's ranges for drama): 1,000 in each.
RANGES = ("07700 900{:03d}", "020 7946 0{:03d}", "0113 496 0{:03d}")
PROBLEMS = {  # reason: how many rows, and how to spoil a row for it
    "no first name": 1000,
    "the phone number is not a valid, callable phone number": 600,
    "the postcode is not a UK postcode": 400,
}


def five_thousand_rows() -> bytes:
    """3,000 good voters and 2,000 bad rows, the bad ones spread through the file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Forename", "Surname", "Tel", "Post code"])
    spoilers = [reason for reason, count in PROBLEMS.items() for _ in range(count)]
    good = 0
    for number in range(5000):
        if number % 5 in (1, 3):  # two rows in five are bad
            reason = spoilers.pop()
            writer.writerow(
                [
                    "" if reason == "no first name" else f"Bad{number}",
                    "Row",
                    "12" if "phone" in reason else RANGES[0].format(number % 1000),
                    "ZZZ" if "postcode" in reason else "SW1A 1AA",
                ]
            )
        else:
            writer.writerow([f"Voter{number}", "Good", RANGES[good // 1000].format(good % 1000), "sw1a2aa"])
            good += 1
    assert good == 3000 and spoilers == []
    return out.getvalue().encode()


def test_a_5000_row_file_with_2000_problems_is_previewed_then_reviewed_a_page_at_a_time_and_downloaded(
    page, live_server, services, tmp_path
):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    upload = tmp_path / "ward-7.csv"
    upload.write_bytes(five_thousand_rows())
    sign_in_browser(page, live_server.url, email_of(services, organiser))
    page.goto(f"{live_server.url}/organiser/campaigns/{campaign_id}/signups")
    page.set_input_files("input[name=file]", str(upload))
    with page.expect_navigation():  # the form posts; read the page it answers with
        page.click("button:text('Upload and choose columns')")

    # The preview: the first ten rows as the guessed columns read them; nothing written yet.
    with page.expect_navigation():
        page.click("button:text('Preview these columns')")
    preview = page.locator("table.preview")
    assert preview.locator("tbody tr").count() == 10
    headers = preview.locator("thead th").all_inner_texts()
    assert headers == ["Line", "First name", "Last name", "Phone number", "Postcode", "Result"]
    first = preview.locator("tbody tr").nth(0).locator("td").all_inner_texts()
    assert first == ["2", "Voter0", "Good", "+447700900000", "SW1A 2AA", "Imported"]
    second = preview.locator("tbody tr").nth(1).locator("td").all_inner_texts()
    assert second[0] == "3" and second[-1].startswith("Rejected: ")
    save_artifact(page, "import-preview")
    with services.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Voter)).one() == 0

    # A wrong mapping is seen before the import: surname as first name shows it at once.
    page.select_option("select[name=first_name]", "Surname")
    page.select_option("select[name=last_name]", "")
    with page.expect_navigation():
        page.click("button:text('Preview these columns')")
    assert page.locator("table.preview tbody tr").nth(0).locator("td").nth(1).inner_text() == "Good"
    page.select_option("select[name=first_name]", "Forename")
    page.select_option("select[name=last_name]", "Surname")
    page.click("button:text('Start the import')")
    page.wait_for_selector("text=Import started")
    with services.uow() as uow:
        import_id = uow.session.exec(select(VoterImport.id)).one()
    voter_import.run_import(
        services.uow, services.clock, services.live, import_id, number_key=services.number_key
    )

    # The report: 2,000 rows to look at, fifty a page.
    page.reload()
    assert page.inner_text("#problems-count") == "Rows 1\u201350 of 2,000"
    rows = page.locator("table.problems tbody tr")
    assert rows.count() == 50
    assert rows.nth(0).locator("td").nth(0).inner_text() == "3"
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert page.inner_text("#problems-count") == "Rows 51\u2013100 of 2,000"
    assert "Page 2 of 40" in page.inner_text("nav.pager")
    save_artifact(page, "import-problems-page-2")

    # Filtered by one reason: only those rows, and the download is of those.
    page.select_option("#reason", "the postcode is not a UK postcode")
    with page.expect_navigation():
        page.click("button:text('Show')")
    assert page.inner_text("#problems-count") == "Rows 1\u201350 of 400"
    reasons = set(page.locator("table.problems tbody tr td:nth-child(3)").all_inner_texts())
    assert reasons == {"the postcode is not a UK postcode"}
    with page.expect_download() as filtered:
        page.click("#problems-download")
    assert len(list(csv.DictReader(io.StringIO(filtered.value.path().read_text())))) == 400

    page.select_option("#reason", "")
    with page.expect_navigation():
        page.click("button:text('Show')")
    with page.expect_download() as everything:
        page.click("#problems-download")
    assert everything.value.suggested_filename == "ward-7-problems.csv"
    problems = list(csv.DictReader(io.StringIO(everything.value.path().read_text())))
    assert len(problems) == 2000
    assert {row["what"] for row in problems} == {"rejected"}
    counted = {reason: sum(1 for row in problems if row["reason"] == reason) for reason in PROBLEMS}
    assert counted == PROBLEMS
    assert len({row["line"] for row in problems}) == 2000
    with services.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Voter)).one() == 3000
