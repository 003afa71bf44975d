"""A shift with answering-machine detection on, the product and the Twilio simulator on one clock:
every voter who answers hears a volunteer or the information message within Ofcom's 2 s, and a
machine verdict never hangs up a call already put through to a volunteer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialer.adapters.live import RecordingLiveUpdates
from dialer.clock import SimClock
from dialer.domain.campaigns import DialingMode
from dialer.domain.seats import AudioLeg
from dialer.services.calling import sessions
from dialer.services.calling.outcomes import OutcomeForm, record_outcome
from dialer.services.phone_bank import ANSWER_PATH, PhoneBank
from dialer.simulator import Behaviour
from tests.one_clock import product_and_simulator
from tests.phone_bank_builders import drama_number, make_campaign, make_volunteer
from workers import context

pytestmark = pytest.mark.integration

VOTERS = 120
OFCOM_S = timedelta(seconds=2)


class Volunteers(RecordingLiveUpdates):
    """Each volunteer records a conversation 10 s after their seat goes to wrap-up."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.bank: PhoneBank | None = None
        self.users = {}

    def publish(self, room, event, payload):
        super().publish(room, event, payload)
        if event == "seat" and room.startswith("seat:") and payload["state"] == "wrap_up":
            session_id, call_id = payload["session"], payload["call"]
            self.clock.call_later(10, lambda: self.record(session_id, call_id))

    def record(self, session_id, call_id):
        form = OutcomeForm(call_id, "talked", {"intention": "Lab"}, idempotency_key=f"{call_id}")
        assert self.bank is not None
        record_outcome(self.bank, self.users[session_id], session_id, form)


@pytest.fixture
def world(settings, clean_db, redis, redis_url):
    clock = SimClock()
    volunteers = Volunteers(clock)
    wired = product_and_simulator(settings, clean_db, redis, redis_url, clock=clock, live=volunteers, cps=5)
    volunteers.bank = wired.services.phone_bank
    try:
        yield wired, volunteers
    finally:
        context.use(None)
        wired.sim.close()


def test_with_detection_on_every_answer_hears_someone_within_2_s_and_no_conversation_is_cut_off(world):
    wired, volunteers = world
    sim, bank = wired.sim, wired.services.phone_bank
    campaign = make_campaign(bank, voters=VOTERS, mode=DialingMode.PREDICTIVE, detect_machines=True)
    # A person detection takes for a machine, and a greeting long enough to be heard as one.
    sim.set_behaviour(
        drama_number(0), Behaviour.misclassified(Behaviour.answer(ring=2, talk=60), "machine_start")
    )
    sim.set_behaviour(drama_number(1), Behaviour.machine(ring=3, greeting=12))
    for n in range(3):
        phone = drama_number(900 + n)
        sim.set_behaviour(phone, Behaviour.answer(ring=1, talk=7200, patience_s=7200, digits="1"))
        user = make_volunteer(bank, phone=phone)
        volunteers.users[sessions.start_session(bank, user, campaign, AudioLeg.PHONE).session_id] = user
    sim.advance(12 * 60)

    voters = {drama_number(n) for n in range(VOTERS)}
    answered = [e for e in sim.events(kind="answered") if _to(sim, e.call_sid) in voters]
    assert len(answered) > 12
    joined = {e.call_sid for e in sim.events(kind="joined")}
    for event in answered:
        first = next(
            e
            for e in sim.events(kind="webhook-result", call_sid=event.call_sid)
            if ANSWER_PATH in e.data["url"]
        )
        assert first.at - event.at <= OFCOM_S, f"{event.call_sid} waited {first.at - event.at} for its TwiML"
    assert any(event.call_sid in joined for event in answered)

    verdicts = {e.call_sid: e.data["answered_by"] for e in sim.events(kind="amd")}
    cut_off = [
        e.call_sid
        for e in sim.events(kind="ended")
        if e.call_sid in joined
        and e.data["by"] == "api"
        and verdicts.get(e.call_sid, "").startswith("machine")
    ]
    assert cut_off == [], "a machine verdict hung up calls already talking to a volunteer"
    misread = _sid_to(sim, drama_number(0))
    assert verdicts[misread] == "machine_start" and misread in joined
    assert next(e for e in sim.events(kind="ended", call_sid=misread)).data["by"] == "callee"


def _to(sim, sid):
    return sim.switch.records.calls[sid].options.to


def _sid_to(sim, number):
    return next(sid for sid, call in sim.switch.records.calls.items() if call.options.to == number)
