"""scripts/bench_dialer.py in a tiny configuration, so that its machinery keeps working (no timings)."""

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine.url import make_url
from sqlmodel import col, func, select

from dialer.adapters import db
from dialer.domain.seats import SeatState
from dialer.models import CallAttempt, CallingSession
from tests.conftest import EXTERNAL_DATABASE_URL

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_dialer.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_dialer", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dialer"] = module  # dataclasses look their module up by name
    sys.path.insert(0, str(SCRIPT.parent))  # as when run: its sibling modules import by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(SCRIPT.parent))
        del sys.modules["bench_dialer"]


def scratch_database_url(tmp_path: Path) -> str:
    """Never the suite's own database: the benchmark empties the one it is given."""
    if EXTERNAL_DATABASE_URL:
        url = make_url(EXTERNAL_DATABASE_URL)
        return url.set(database=f"{url.database}_bench_dialer").render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'bench.db'}"


def test_the_benchmark_answers_every_staged_call_over_http_and_claims_every_seat_exactly_once(
    bench, tmp_path, redis, redis_url
):
    url = scratch_database_url(tmp_path)
    tiny = [
        "--rate",
        "8",
        "--seconds",
        "1",
        "--warmup",
        "0.5",
        "--claim-seats",
        "25",
        "--claimers",
        "3",
        "--claim-runs",
        "2",
    ]
    args = bench.arguments([*tiny, "--database-url", url, "--redis-url", redis_url])

    results = bench.run(args, tmp_path)

    assert results.staged == 12
    assert results.answers.sent == results.answers.expected == 8, "each counted answer joined its seat"
    assert results.baseline.sent == results.baseline.expected == 8
    assert results.live_updates == 2 * 12, "the dashboard saw one delta and the seat's move per answer"
    assert results.baseline_cpu_ms > 0 and results.answer_cpu_ms > 0
    assert [(run.claims, run.distinct) for run in results.lua + results.sql] == [(25, 25)] * 4
    engine = db.make_engine(url)
    try:
        with db.SqlUnitOfWork(engine) as uow:
            connected = uow.session.exec(
                select(func.count())
                .select_from(CallAttempt)
                .join(CallingSession, col(CallingSession.current_call_id) == CallAttempt.id)
                .where(
                    col(CallAttempt.connected_at).is_not(None),
                    CallingSession.id == CallAttempt.session_id,
                    CallingSession.state == SeatState.CONNECTED,
                )
            ).one()
    finally:
        engine.dispose()
    assert connected == 12, "every answered call is recorded as put through to its seat"


def test_the_report_replaces_its_own_section_and_keeps_the_others(bench, tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n## Another benchmark\n\nIts figures.\n", encoding="utf-8")
    args = bench.arguments(["--rate", "8", "--seconds", "1", "--warmup", "0.5"])
    latency = bench.Latencies("x", 8, 8, 0.004, 0.009, 0.010, 8.0)
    slow = bench.Latencies("x", 8, 8, 0.030, 0.080, 0.090, 8.0)
    claims = [bench.ClaimRun(25, 25, 0.01)]
    results = bench.Results(
        backend="SQLite + Redis",
        campaign_id=1,
        staged=12,
        staging_s=1.0,
        baseline=latency,
        answers=slow,
        live_updates=48,
        baseline_cpu_ms=2.0,
        answer_cpu_ms=None,
        lua=claims,
        sql=claims,
    )

    bench.report(args, results, report)
    bench.report(args, results, report)

    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n## Another benchmark\n\nIts figures.\n")
    assert text.count(bench.BEGIN) == text.count(bench.END) == 1
    assert "| answer webhook | 8 | 8 | 8/s | 30.0 ms | 80.0 ms | 90.0 ms | n/a |" in text
    assert "**NOT met**" in text
