"""The live figures' rules: which scopes a fact counts in, and the rates read from hourly buckets."""

from datetime import UTC, datetime, timedelta

from dialer.domain import figures
from dialer.domain.figures import Pool, key

NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)


def test_a_conversation_counts_for_the_campaign_its_seat_its_volunteer_and_its_hour():
    fact = figures.recorded(
        5,
        NOW,
        "E14001126",
        12,
        "talked",
        [(1, "Lab"), (2, ["Doors", "Lifts"]), (3, "call me")],
        free_text={3},
    )
    counts = fact.increments()
    for scope in ("all", "seat:E14001126", "vol:12", "hour:2026-11-26T18"):
        assert counts[key(scope, "conversations")] == 1 and counts[key(scope, "outcomes")] == 1
    assert counts[key("all", "disp:talked")] == 1 and key("vol:12", "disp:talked") not in counts
    assert counts[key("seat:E14001126", "ans:1:Lab")] == 1
    assert counts[key("all", "ans:2:Doors")] == counts[key("all", "ans:2:Lifts")] == 1
    assert counts[key("all", "ans:3:*")] == 1 and not any("call me" in name for name in counts), (
        "typed words are not tallied"
    )


def test_calls_nobody_talked_on_and_unknown_seats_are_counted_apart():
    counts = figures.add_up([figures.recorded(6, NOW, None, None, "busy"), figures.dialled(7, NOW, None)])
    assert counts[key("seat:-", "outcomes")] == 1 and counts[key("all", "disp:busy")] == 1
    assert key("all", "conversations") not in counts
    assert counts[key("seat:-", "dials")] == 1 and not any(name.startswith("vol:") for name in counts)


def test_the_abandon_rate_is_over_the_last_24_hours_of_live_calls():
    facts = [figures.connected(n, NOW - timedelta(hours=2), "S", 1) for n in range(97)]
    facts += [figures.abandoned(100 + n, NOW - timedelta(hours=1), "S") for n in range(3)]
    facts += [figures.abandoned(200 + n, NOW - timedelta(hours=30), "S") for n in range(50)]  # a day ago
    facts += [figures.dialled(n, NOW, "S") for n in range(200)] + [
        figures.answered(n, NOW, "S") for n in range(100)
    ]
    rates = figures.rates(figures.add_up(facts), now=NOW)
    assert (rates.abandoned_24h, rates.live_calls_24h) == (3, 100)
    assert rates.abandon_rate_pct == 3.0 and not rates.abandon_over_limit, "3% is the limit, not over it"
    assert rates.answer_rate_pct == 50.0
    one_more = figures.add_up([*facts, figures.abandoned(999, NOW, "S")])
    assert figures.rates(one_more, now=NOW).abandon_over_limit


def test_no_calls_means_no_rate_rather_than_zero():
    rates = figures.rates({}, now=NOW)
    assert rates.answer_rate_pct is None and rates.abandon_rate_pct is None and not rates.abandon_over_limit


def test_the_pool_says_how_long_the_callable_voters_last_at_the_last_hours_pace():
    pool = Pool(callable_now=50, later=30, coming_due_1h=10, in_call=4, exhausted=16)
    assert pool.total == 100
    assert pool.minutes_left(dials_last_hour=120) == 30
    assert pool.minutes_left(dials_last_hour=0) is None
