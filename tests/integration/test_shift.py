"""A small shift run in-process on the SimClock, through the real HTTP edges with signed webhooks.

A scripted provider answers, rings out or is busy per number and posts Twilio's callbacks to the
app; volunteers record outcomes through the JSON API when their seat goes to wrap-up. It is the
shape of phase 2's run against the Twilio simulator, with a much simpler stand-in for Twilio.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask.testing import FlaskClient
from sqlmodel import col, select
from twilio.request_validator import RequestValidator

from dialer.adapters.live import RecordingLiveUpdates
from dialer.config import SIMULATOR_AUTH_TOKEN
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.seats import AudioLeg
from dialer.models import CallAttempt, CallingSession, Outcome, Voter
from dialer.ports import OutboundCall
from dialer.services.calling import sessions
from dialer.services.phone_bank import softphone_identity
from tests.people import sign_in_as
from tests.phone_bank_builders import make_campaign, make_volunteer
from tests.telephony_fakes import FakeTelephony

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class ScriptedProvider(FakeTelephony):
    """Plays each voter's part on the clock and calls the app's webhooks as Twilio would."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.client: FlaskClient | None = None
        self.live_numbers: set[str] = set()
        self.overlaps = 0
        self.joined: Counter[str] = Counter()
        self.placed_at_hours = []

    def place_call(self, call: OutboundCall) -> str:
        sid = super().place_call(call)
        if "/voice/volunteer" in call.answer_url:
            return sid
        if call.to in self.live_numbers:
            self.overlaps += 1
        self.live_numbers.add(call.to)
        ending = int(call.to[-1])
        later = self.clock.call_later
        later(1, lambda: self.status(call, sid, "initiated", 0))
        later(3, lambda: self.status(call, sid, "ringing", 1))
        if ending in (0, 5):
            later(6, lambda: self.finish(call, sid, "busy", 2))
        elif ending == 1:
            later(3 + call.ring_timeout_s, lambda: self.finish(call, sid, "no-answer", 2))
        else:
            later(8, lambda: self.answer(call, sid))
        return sid

    def post(self, url, form):
        assert self.client is not None
        path = url.removeprefix("http://localhost")
        signature = RequestValidator(SIMULATOR_AUTH_TOKEN).compute_signature(url, form)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    def status(self, call, sid, value, sequence, duration=None):
        form = {"CallSid": sid, "CallStatus": value, "SequenceNumber": str(sequence), "To": call.to}
        if duration is not None:
            form["CallDuration"] = str(duration)
        assert self.post(call.status_url, form).status_code == 204

    def finish(self, call, sid, value, sequence, duration=None):
        self.live_numbers.discard(call.to)
        self.status(call, sid, value, sequence, duration)

    def answer(self, call, sid):
        twiml = self.post(call.answer_url, {"CallSid": sid, "CallStatus": "in-progress"}).get_data(
            as_text=True
        )
        self.status(call, sid, "in-progress", 2)
        conference = re.search(r"statusCallback=\"([^\"]+)\"[^>]*>([^<]+)</Conference>", twiml)
        if conference is None:  # the information message, then goodbye
            self.clock.call_later(10, lambda: self.finish(call, sid, "completed", 3, 10))
            return
        events_url, name = conference.group(1).replace("&amp;", "&"), conference.group(2)
        self.joined[sid] += 1

        def hang_up():
            self.post(events_url, {"ConferenceSid": "CF" + name, "StatusCallbackEvent": "participant-leave",
                                   "CallSid": sid, "SequenceNumber": str(self.joined.total() * 10)})  # fmt: skip
            self.finish(call, sid, "completed", 3, 60)

        self.clock.call_later(60, hang_up)


class Volunteers(RecordingLiveUpdates):
    """Records an outcome a few seconds after each seat goes to wrap-up (as a volunteer would)."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.clients = {}

    def publish(self, room, event, payload):
        super().publish(room, event, payload)
        if event == "seat" and room.startswith("seat:") and payload["state"] == "wrap_up":
            session_id, call_id = payload["session"], payload["call"]
            self.clock.call_later(5, lambda: self.record(session_id, call_id))

    def record(self, session_id, call_id):
        reply = self.clients[session_id].post(
            f"/call/session/{session_id}/outcome",
            json={"call": call_id, "disposition": "talked", "answers": {"intention": "Lab", "support": "4"}},
        )
        assert reply.status_code == 200, reply.get_json()


def test_a_small_shift_keeps_every_rule(dialer_services, clock):
    provider, volunteers = ScriptedProvider(clock), Volunteers(clock)
    dialer_services._telephony = provider
    dialer_services._live = volunteers
    bank = dialer_services.phone_bank
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False
    provider.client = app.test_client()
    campaign = make_campaign(bank, voters=30)
    for n in range(4):
        user = make_volunteer(bank, f"V{n}")
        client = sign_in_as(app.test_client(), dialer_services, user)
        started = sessions.start_session(bank, user, campaign, AudioLeg.BROWSER)
        volunteers.clients[started.session_id] = client
        leg = f"CA{'e' * 16}{started.session_id:016x}"
        provider.post(
            "http://localhost/voice/volunteer",
            {
                "CallSid": leg,
                "From": f"client:{softphone_identity(user)}",
                "session": str(started.session_id),
            },
        )

    clock.advance(75 * 60)  # all voters tried, busy ones retried

    assert provider.overlaps == 0, "no number was ever in two calls at once"
    assert all(count == 1 for count in provider.joined.values()), (
        "every answered call joined exactly one seat"
    )
    with bank.uow() as uow:
        calls = uow.session.exec(select(CallAttempt)).all()
        voters = uow.session.exec(select(Voter)).all()
        outcomes = uow.session.exec(select(Outcome)).all()
        seats = uow.session.exec(select(CallingSession).where(col(CallingSession.state) == "ready")).all()
    assert calls and all(call.status in FINAL_STATUSES for call in calls)
    assert {o.call_attempt_id for o in outcomes} == {c.id for c in calls}, "every call has its outcome in SQL"
    assert sum(1 for o in outcomes if o.user_id is not None) == len(provider.joined)
    assert not any(call.abandoned for call in calls), "power mode never abandons"
    for voter in voters:
        ending = int(voter.phone_e164[-1])
        if ending in (0, 5, 1):
            assert voter.attempts <= 3 and (voter.done == (voter.attempts == 3))
        else:
            assert voter.done and voter.attempts == 1
    assert len(seats) == 4, "the volunteers are ready for more"
