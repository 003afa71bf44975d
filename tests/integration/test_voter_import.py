"""Importing voters: the good rows land, every bad row is reported by line, duplicates merge."""

from pathlib import Path

import pytest
from rq import SimpleWorker
from sqlmodel import col, select

from dialer.adapters.rq_queue import RqJobQueue
from dialer.errors import InvalidInput
from dialer.models import AuditEntry, SuppressionEntry, Voter, VoterImport, VoterImportFile
from dialer.services.campaigns import voter_import
from tests import signup_factories as make

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "voters_malformed.csv"


class RecordingJobs:
    def __init__(self):
        self.enqueued = []

    def enqueue(self, job, *args, at=None, job_id=None):
        self.enqueued.append((job, args, job_id))


def upload(services, campaign_id, data, encoding="utf-8"):
    organiser = make.user(services)
    return voter_import.start_import(
        services.uow(), services.clock, campaign_id=campaign_id, user_id=organiser,
        filename="voters.csv", data=data, encoding=encoding,
    )  # fmt: skip


def import_file(services, campaign_id, data, columns=None):
    import_id = upload(services, campaign_id, data)
    _, row = voter_import.progress(services.uow(), import_id)
    jobs = RecordingJobs()
    voter_import.choose_columns(services.uow(), jobs, import_id, columns or row.columns)
    assert jobs.enqueued == [(voter_import.IMPORT_JOB, (import_id,), f"voter-import-{import_id}")]
    return voter_import.run_import(
        services.uow, services.clock, services.live, import_id, number_key=services.number_key
    )


def voters_of(services, campaign_id):
    with services.uow() as uow:
        rows = uow.session.exec(
            select(Voter).where(Voter.campaign_id == campaign_id).order_by(col(Voter.id))
        ).all()
        return [(v.first_name, v.phone_e164, v.postcode, v.address, v.tps, v.do_not_call) for v in rows]


def test_the_malformed_fixture_imports_every_good_row_and_reports_every_bad_one_by_line(services):
    campaign_id = make.campaign(services)
    result = import_file(services, campaign_id, FIXTURE.read_bytes())

    assert (result.status, result.total_rows, result.processed_rows) == (
        "done",
        19,
        19,
    )  # 9 good records + 10 bad ones
    assert (result.imported, result.merged, result.rejected) == (7, 2, 10)
    assert voters_of(services, campaign_id) == [
        ("Ada", "+442079460001", "SW1A 1AA", "10 Downing Street", False, True),
        ("Brian", "+442079460002", "LS1 4AP", "Flat 2, 5 Park Row, Leeds", True, False),
        ("Chloé", "+441134960003", "LS2 7HY", '1 "The" Close', False, False),
        ("Ivy", "+441614960012", "M1 1AE", "7 Road", False, False),
        ("Kim", None, "M1 1AE", "9 Road", True, False),
        ("Mo", "+441314960016", "EH1 1AA", "11 Road", True, False),
        ("Nia", "+447700900017", "G1 1AA", "", False, False),
    ]
    _, row = voter_import.progress(services.uow(), result.id)
    report = {problem["line"]: problem for problem in row.errors}
    assert sorted(line for line, p in report.items() if p["kind"] == "error") == [
        7,
        8,
        9,
        10,
        12,
        13,
        14,
        16,
        19,
        23,
    ]
    assert report[11] == {
        "line": 11,
        "kind": "duplicate",
        "same_as_line": 2,
        "reason": "same person as line 2 (same name and number); merged",
    }
    assert report[18]["reason"] == "same person as line 17 (same name and address); merged"


def test_a_do_not_call_row_joins_the_suppression_list_and_the_upload_is_not_kept(services):
    elsewhere = make.voter(services, make.campaign(services), phone="+442079460001")
    campaign_id = make.campaign(services)
    result = import_file(services, campaign_id, FIXTURE.read_bytes())
    with services.uow() as uow:
        suppressed = uow.session.exec(select(SuppressionEntry.phone_e164)).all()
        kept = uow.session.get(VoterImportFile, result.id)
        flagged = uow.session.get(Voter, elsewhere)
        audited = uow.session.exec(
            select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.action == "suppression_added")
        ).all()
    assert suppressed == ["+442079460001"]
    assert flagged.do_not_call and flagged.done, "the number is opted out of every campaign at once"
    assert audited == [("suppression_added", {"reason": "opt_out"})]
    assert kept is None


def test_importing_again_merges_into_the_same_voters_and_never_clears_a_flag(services):
    campaign_id = make.campaign(services)
    import_file(services, campaign_id, FIXTURE.read_bytes())
    again = (
        "First name,Surname,Phone,Address,Do not call\n"
        "Ada,Lovelace,020 7946 0001,11 Downing Street,no\nZed,,020 7946 0500,,\n"
    )
    result = import_file(services, campaign_id, again.encode())
    assert (result.imported, result.merged, result.rejected) == (1, 1, 0)
    ada = [row for row in voters_of(services, campaign_id) if row[0] == "Ada"]
    assert ada == [("Ada", "+442079460001", "SW1A 1AA", "11 Downing Street", False, True)]


def all_voters(services, campaign_id):
    """Every stored column of the campaign's voters (but when each was created)."""
    with services.uow() as uow:
        rows = uow.session.exec(
            select(Voter).where(Voter.campaign_id == campaign_id).order_by(col(Voter.id))
        ).all()
        return [v.model_dump(exclude={"created_at"}) for v in rows]


def test_two_people_on_one_number_import_as_two_voters(services):
    campaign_id = make.campaign(services)
    household = "First name,Surname,Phone\nAlice,Smith,07700 900123\nEve,Brown,07700 900123\n"
    result = import_file(services, campaign_id, household.encode())
    assert (result.imported, result.merged, result.rejected) == (2, 0, 0)
    assert [
        (v["first_name"], v["last_name"], v["phone_e164"]) for v in all_voters(services, campaign_id)
    ] == [
        ("Alice", "Smith", "+447700900123"),
        ("Eve", "Brown", "+447700900123"),
    ]


def test_importing_the_same_file_again_changes_nothing(services, clock):
    campaign_id = make.campaign(services)
    import_file(services, campaign_id, FIXTURE.read_bytes())
    before = all_voters(services, campaign_id)
    clock.advance(3600)

    again = import_file(services, campaign_id, FIXTURE.read_bytes())

    assert all_voters(services, campaign_id) == before
    assert (again.imported, again.unchanged, again.rejected) == (0, 7, 10)
    _, row = voter_import.progress(services.uow(), again.id)
    merges = [p for p in row.errors if p["kind"] != "error"]
    assert [(p["line"], p["same_as_line"]) for p in merges] == [(11, 2), (18, 17)], (
        "only the file's own repeats are merges: it names each twice as before"
    )
    assert again.merged == len(merges)


def test_every_merge_in_the_report_names_both_rows(services):
    campaign_id = make.campaign(services)
    first = "Ref,First name,Surname,Phone\nA1,Alice,Smith,07700 900123\nB2,Bob,Jones,07700 900456\n"
    import_file(services, campaign_id, first.encode())
    alice, bob = [v["id"] for v in all_voters(services, campaign_id)]
    second = (
        "Ref,First name,Surname,Phone,Address\n"
        "A1,Alice,Smith,07700 900123,1 High Street\n"  # line 2: Alice, now with her address
        "C3,Cat,Smith,07700 900123,\n"  # line 3: a new person on Alice's number
        "A1,Alice,Smith,07700 900123,1 High St\n"  # line 4: line 2 again
        "B2,Robert,Jones,07700 900999,\n"  # line 5: Bob by his reference, under another name
        "C3,Cat,Smith,07700 900123,2 Low Road\n"  # line 6: line 3 again
    )
    result = import_file(services, campaign_id, second.encode())

    _, row = voter_import.progress(services.uow(), result.id)
    merges = sorted((p for p in row.errors if p["kind"] != "error"), key=lambda p: p["line"])
    assert result.merged == len(merges) == 4
    assert [(p["line"], p.get("same_as_line"), p.get("same_as_voter")) for p in merges] == [
        (2, None, alice),
        (4, 2, None),
        (5, None, bob),
        (6, 3, None),
    ]
    assert merges[0]["reason"] == (
        f"same person as voter {alice}, already in the campaign (same your reference); updated"
    )
    assert merges[2]["reason"] == (
        f"same person as voter {bob}, already in the campaign (same your reference); updated; "
        "the file has another phone number for them, which was not changed"
    ), "never quietly: Bob's new number is named as not taken"
    assert [(v["first_name"], v["address"]) for v in all_voters(services, campaign_id)] == [
        ("Alice", "1 High St"),
        ("Robert", ""),
        ("Cat", "2 Low Road"),
    ]


def test_a_file_with_references_finds_the_people_an_earlier_file_without_them_brought_in(services):
    campaign_id = make.campaign(services)
    import_file(services, campaign_id, b"First name,Surname,Phone\nAlice,Smith,07700 900123\n")
    result = import_file(
        services,
        campaign_id,
        b"Ref,First name,Surname,Phone\nA1,Alice,Smith,07700 900123\nA2,Alice,Smith,07700 900123\n",
    )
    assert (result.imported, result.merged) == (1, 1), "A2 is someone else with the same name"
    assert [(v["external_id"], v["first_name"]) for v in all_voters(services, campaign_id)] == [
        ("A1", "Alice"),
        ("A2", "Alice"),
    ]


def test_progress_is_published_after_every_chunk_and_at_the_end(services, monkeypatch):
    monkeypatch.setattr(voter_import, "CHUNK_ROWS", 5)
    campaign_id = make.campaign(services)
    result = import_file(services, campaign_id, FIXTURE.read_bytes())
    updates = [payload for room, event, payload in services.live.published if room == f"import:{result.id}"]
    assert [update["processed_rows"] for update in updates] == [0, 5, 10, 15, 19, 19]
    assert updates[-1]["status"] == "done" and updates[-1]["percent"] == 100


def test_a_job_that_died_part_way_resumes_where_it_stopped(services, monkeypatch):
    monkeypatch.setattr(voter_import, "CHUNK_ROWS", 5)
    campaign_id = make.campaign(services)
    import_id = upload(services, campaign_id, FIXTURE.read_bytes())
    _, row = voter_import.progress(services.uow(), import_id)
    voter_import.choose_columns(services.uow(), RecordingJobs(), import_id, row.columns)
    real_chunk = voter_import._import_chunk
    calls = []

    def dies_on_third_chunk(*args):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real_chunk(*args)

    monkeypatch.setattr(voter_import, "_import_chunk", dies_on_third_chunk)
    with pytest.raises(SystemExit):
        voter_import.run_import(
            services.uow, services.clock, services.live, import_id, number_key=services.number_key
        )
    monkeypatch.setattr(voter_import, "_import_chunk", real_chunk)
    result = voter_import.run_import(
        services.uow, services.clock, services.live, import_id, number_key=services.number_key
    )
    assert (result.status, result.imported, result.merged, result.rejected) == ("done", 7, 2, 10)
    assert len(voters_of(services, campaign_id)) == 7


def test_a_file_whose_header_is_unusable_is_refused_before_anything_is_queued(services):
    campaign_id = make.campaign(services)
    with pytest.raises(InvalidInput, match="empty"):
        upload(services, campaign_id, b"  \n")
    import_id = upload(services, campaign_id, b"Name,Telephone\nAda,020 7946 0001\n")
    jobs = RecordingJobs()
    with pytest.raises(InvalidInput, match="first names"):
        voter_import.choose_columns(services.uow(), jobs, import_id, {"phone": "Telephone"})
    assert jobs.enqueued == []


def test_the_rq_job_runs_the_import_in_a_worker(services, redis, settings, monkeypatch):
    from workers import context

    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("REDIS_URL", services.redis_url)
    monkeypatch.setenv("INSTANCE_PATH", str(settings.instance_path))
    context.reset()  # the worker's services come from the environment just set
    campaign_id = make.campaign(services)
    import_id = upload(services, campaign_id, FIXTURE.read_bytes())
    _, row = voter_import.progress(services.uow(), import_id)
    voter_import.choose_columns(services.uow(), RqJobQueue(redis), import_id, row.columns)
    try:
        SimpleWorker(["imports"], connection=redis).work(burst=True)
    finally:
        context.reset()
    with services.uow() as uow:
        stored = uow.session.get(VoterImport, import_id)
        assert (stored.status, stored.imported, stored.rejected) == ("done", 7, 10)


def test_an_erasure_stops_an_import_of_its_campaign_and_removes_the_upload(services, monkeypatch):
    """The upload is the raw list: an erasure cannot leave it behind, nor let the job add the person back."""
    from dialer.services.compliance.audit import Actor
    from dialer.services.data_protection import data_protection

    monkeypatch.setattr(voter_import, "CHUNK_ROWS", 5)
    campaign_id = make.campaign(services)
    import_id = upload(services, campaign_id, FIXTURE.read_bytes())
    _, row = voter_import.progress(services.uow(), import_id)
    voter_import.choose_columns(services.uow(), RecordingJobs(), import_id, row.columns)
    real_chunk = voter_import._import_chunk
    chunks = []

    def erase_after_the_first_chunk(*args):
        chunks.append(1)
        if len(chunks) == 2:
            first = voters_of_ids(services, campaign_id)[0]
            data_protection.erase_voter(
                services.uow(),
                services.clock,
                Actor(None),
                first,
                number_key=services.number_key,
                queue=services.phone_bank.queue,
            )
        return real_chunk(*args)

    monkeypatch.setattr(voter_import, "_import_chunk", erase_after_the_first_chunk)
    result = voter_import.run_import(
        services.uow, services.clock, services.live, import_id, number_key=services.number_key
    )
    assert (result.status, result.failure) == ("failed", data_protection.UPLOAD_ERASED)
    assert result.processed_rows == 5, "nothing was written after the erasure"
    with services.uow() as uow:
        assert uow.session.get(VoterImportFile, import_id) is None


def voters_of_ids(services, campaign_id):
    with services.uow() as uow:
        return uow.session.exec(
            select(Voter.id).where(Voter.campaign_id == campaign_id).order_by(col(Voter.id))
        ).all()


def test_an_upload_left_without_its_columns_confirmed_is_deleted_after_a_week(services, clock):
    campaign_id = make.campaign(services)
    forgotten = upload(services, campaign_id, FIXTURE.read_bytes())
    clock.advance(voter_import.UPLOAD_KEPT_FOR.total_seconds() - 3600)
    recent = upload(services, campaign_id, FIXTURE.read_bytes())
    assert voter_import.drop_stale_uploads(services.uow(), services.clock) == 0, "not a week yet"

    clock.advance(2 * 3600)

    assert voter_import.drop_stale_uploads(services.uow(), services.clock) == 1
    with services.uow() as uow:
        assert uow.session.get(VoterImportFile, forgotten) is None
        assert uow.session.get(VoterImportFile, recent) is not None
        stopped = uow.session.get(VoterImport, forgotten)
        assert stopped.status == "failed" and "upload it again" in stopped.failure
