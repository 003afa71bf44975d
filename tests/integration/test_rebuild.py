"""Redis holds nothing SQL cannot rebuild: after a flush, the queues and the seat board come back the same."""

import pytest

from dialer.adapters import redis_keys
from dialer.domain.campaigns import DialingMode
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.calling.upkeep import rebuild_dialer_state
from tests.integration.test_power_dialing import answer, only_call, status
from tests.phone_bank_builders import make_campaign, make_volunteer, ready_seat

pytestmark = pytest.mark.integration


def dialer_state(redis):
    """Every dialer key's contents (seat 'since' stamps aside, which the record keeps to the second)."""
    state: dict[str, object] = {}
    for key in sorted(redis.scan_iter(match=redis_keys.PREFIX + "*")):
        name = key.decode()
        kind = redis.type(key).decode()
        if name in (redis_keys.BUILT, redis_keys.CALL_RATE):
            continue
        if kind == "zset":
            state[name] = {m.decode(): round(s) for m, s in redis.zrange(key, 0, -1, withscores=True)}
        elif kind == "hash":
            fields = {k.decode(): v.decode() for k, v in redis.hgetall(key).items()}
            fields.pop("since", None)
            state[name] = fields
        elif kind == "set":
            state[name] = sorted(m.decode() for m in redis.smembers(key))
    return {name: value for name, value in state.items() if value}


def test_the_queues_and_seats_rebuilt_from_sql_match_the_live_state(bank, clock, telephony, redis):
    power = make_campaign(bank, voters=6)
    preview = make_campaign(bank, name="Preview bank", voters=4, first_number=50, mode=DialingMode.PREVIEW)
    talker, waiter, idler = make_volunteer(bank, "A"), make_volunteer(bank, "B"), make_volunteer(bank, "C")
    talking = ready_seat(bank, talker, power)
    ringing = ready_seat(bank, waiter, power)
    ready_seat(bank, idler, preview)
    clock.advance(3)
    first = only_call(bank, talking)
    answer(bank, first)
    status(bank, first.id, first.provider_sid, "completed", 4, duration=30)
    record_outcome(bank, talker, talking, OutcomeForm(first.id, "busy"))
    busy = only_call(bank, ringing)
    status(bank, busy.id, busy.provider_sid, "busy", 2)
    clock.advance(3)

    before = dialer_state(redis)
    assert any(":in-call" in name for name in before) and any(":seat:" in name for name in before)
    redis.flushdb()
    rebuild_dialer_state(bank)
    assert dialer_state(redis) == before


def test_the_heartbeat_rebuilds_redis_after_it_lost_everything(bank, clock, telephony, redis):
    campaign = make_campaign(bank, voters=3)
    session_id = ready_seat(bank, make_volunteer(bank), campaign)
    clock.advance(1)
    call = only_call(bank, session_id)
    redis.flushdb()
    status(bank, call.id, call.provider_sid, "no-answer", 2)  # the seat board no longer knows the seat
    clock.advance(11)
    assert len(telephony.placed) == 2, "rebuilt by the heartbeat, the seat dials again"
