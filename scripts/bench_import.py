"""Benchmark: import 100,000 generated voters from CSV through the real import job.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--runs 3]

Each run imports the same generated file into a fresh campaign of a throwaway database (a temporary
SQLite file, or DATABASE_URL when set: use a scratch database) with the code the RQ job runs:
parsing, validation, E.164 normalisation, duplicate merging, suppression and the chunked writes
with their progress updates. The baseline, measured in the same run, is a bare csv.reader pass
over the same text. Prints the figures, replaces its section of docs/BENCHMARKS.md and exits 1 when
the median import takes 60 s or more.

The voters are fictional: names from short made-up lists; phone numbers are first the Ofcom drama
ranges that the phonenumbers library accepts as valid (e.g. 0113 496 0000-0999, 020 7946 0000-0999),
then, because those give only 15,000 numbers, valid-format mobile numbers counted up from
+44 7700 100000. They exist only in the generated file and the throwaway database, and are never
dialled.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark_report import write_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialer.adapters import db, schema  # noqa: E402
from dialer.adapters.live import RecordingLiveUpdates  # noqa: E402
from dialer.clock import SystemClock  # noqa: E402
from dialer.domain import phones  # noqa: E402
from dialer.models import Campaign, SuppressionEntry, Voter, VoterImport  # noqa: E402
from dialer.services.campaigns import voter_import  # noqa: E402

TARGET_SECONDS = 60.0
#: Ofcom drama ranges (1,000 numbers each) that phonenumbers treats as valid.
DRAMA_PREFIXES = [
    "0113 496 0", "0114 496 0", "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0", "0131 496 0",
    "0141 496 0", "0151 496 0", "0161 496 0", "0191 498 0", "020 7946 0", "029 2018 0", "0306 999 0",
    "0808 157 0",
]  # fmt: skip
FIRST = ["Alex", "Bea", "Cal", "Dee", "Eli", "Fen", "Gus", "Hal", "Ira", "Jo", "Kit", "Lou", "Max", "Nell"]
LAST = ["Ashdown", "Brack", "Corran", "Dunmore", "Elswick", "Farrow", "Gantry", "Holloway", "Ingle"]
POSTCODES = ["SW1A 1AA", "LS1 4AP", "M1 1AE", "B1 1AA", "EH1 1AA", "G1 1AA", "CF10 1AA", "BS1 4DJ", "NE1 7RU"]


def phone_numbers(count: int) -> list[str]:
    numbers = [f"{prefix}{n:03d}" for prefix in DRAMA_PREFIXES for n in range(1000)][:count]
    numbers += [f"07700 {100000 + n}" for n in range(count - len(numbers))]
    return numbers


def generate(rows: int, seed: int = 7) -> bytes:
    chooser = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Voter ID", "First name", "Surname", "Phone", "Postcode", "Address", "TPS", "Do not call"]
    )
    for index, phone in enumerate(phone_numbers(rows)):
        writer.writerow(
            [
                f"V{index:06d}",
                chooser.choice(FIRST),
                chooser.choice(LAST),
                phone,
                chooser.choice(POSTCODES),
                f"{chooser.randint(1, 250)} {chooser.choice(LAST)} Street",
                "yes" if chooser.random() < 0.05 else "no",
                "yes" if chooser.random() < 0.01 else "",
            ]
        )
    return out.getvalue().encode()


class NoJobs:
    def enqueue(self, job: str, *args: Any, at: datetime | None = None, job_id: str | None = None) -> None:
        pass


def baseline_seconds(data: bytes) -> float:
    started = time.perf_counter()
    for _ in csv.reader(io.StringIO(data.decode(), newline="")):
        pass
    return time.perf_counter() - started


def import_once(url: str, data: bytes, run: int) -> tuple[float, voter_import.Progress]:
    engine = db.make_engine(url)
    schema.upgrade(engine)
    clock = SystemClock()

    def uow() -> db.SqlUnitOfWork:
        return db.SqlUnitOfWork(engine)

    with db.session_scope(engine) as session:
        campaign = Campaign(
            name=f"Benchmark {run}", slug=f"bench-import-{os.getpid()}-{run}-{time.time_ns()}",
            caller_id="+442079460000", created_at=clock.now(),
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        assert campaign.id is not None
        campaign_id = campaign.id
    import_id = voter_import.start_import(
        uow(), clock, campaign_id=campaign_id, user_id=None, filename="bench.csv", data=data, encoding="utf-8"
    )
    _, row = voter_import.progress(uow(), import_id)
    voter_import.choose_columns(uow(), NoJobs(), import_id, row.columns)
    started = time.perf_counter()
    result = voter_import.run_import(
        uow, clock, RecordingLiveUpdates(), import_id, number_key=phones.number_key("bench")
    )
    elapsed = time.perf_counter() - started
    with db.session_scope(engine) as session:  # leave a shared scratch database as it was
        session.exec(Voter.__table__.delete().where(Voter.campaign_id == campaign_id))  # type: ignore[attr-defined]
        session.exec(VoterImport.__table__.delete().where(VoterImport.campaign_id == campaign_id))  # type: ignore[attr-defined]
        session.exec(SuppressionEntry.__table__.delete().where(SuppressionEntry.source == "voter import"))  # type: ignore[attr-defined]
        session.exec(Campaign.__table__.delete().where(Campaign.id == campaign_id))  # type: ignore[attr-defined]
    engine.dispose()
    return elapsed, result


def write_backend_section(text: str, backend: str) -> None:
    """Replace this benchmark's section for this backend, leaving every other section alone."""
    write_section(f"<!-- bench_import:{backend}:begin -->", f"<!-- bench_import:{backend}:end -->", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/BENCHMARKS.md")
    args = parser.parse_args()

    data = generate(args.rows)
    base = statistics.median(baseline_seconds(data) for _ in range(3))
    external = os.environ.get("DATABASE_URL", "")
    times, result = [], None
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            url = external or f"sqlite:///{Path(scratch) / f'bench-{run}.db'}"
            elapsed, result = import_once(url, data, run)
            times.append(elapsed)
            print(f"run {run + 1}: {elapsed:.1f} s ({args.rows / elapsed:,.0f} rows/s)", flush=True)
    assert result is not None
    median = statistics.median(times)
    backend = "PostgreSQL" if external.startswith("postgres") else "SQLite (WAL)"
    ok = median < TARGET_SECONDS and result.imported == args.rows and result.rejected == 0
    summary = (
        f"## Voter import on {backend} (issue 7): `scripts/bench_import.py`\n\n"
        f"Importing {args.rows:,} generated voters from one CSV file ({len(data) / 1e6:.1f} MB) through the "
        f"import job (validation, E.164, merging, suppression, chunked writes with progress), "
        f"{backend}, {args.runs} runs on the 2-core machine ({datetime.now(UTC):%Y-%m-%d}).\n\n"
        f"| measure | median | runs |\n|---|---|---|\n"
        f"| import time | {median:.1f} s | {', '.join(f'{t:.1f}' for t in times)} |\n"
        f"| rows per second | {args.rows / median:,.0f} | |\n"
        f"| baseline: bare `csv.reader` pass | {base:.2f} s | import is {median / base:.0f}x the bare read |\n\n"
        f"Target: under {TARGET_SECONDS:.0f} s ({'met' if ok else 'MISSED'}). Re-run with "
        f"`.venv/bin/python scripts/bench_import.py` (set DATABASE_URL to a scratch PostgreSQL database "
        f"to measure PostgreSQL). The voters and phone numbers are fictional (see the script's docstring).\n"
    )
    print(summary)
    if not args.no_write:
        write_backend_section(summary, "postgresql" if external.startswith("postgres") else "sqlite")
    if result.imported != args.rows or result.rejected:
        print(f"expected {args.rows} voters imported, got {result.imported} ({result.rejected} rejected)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
