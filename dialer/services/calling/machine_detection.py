"""Asynchronous answering-machine detection's verdict on a call that is already under way.

The answer webhook has put the voter through (or played the information message) at the answer, so
the verdict comes seconds into the call. A machine or fax is hung up on only while nobody is talking
to it: a call already put through to a volunteer is never cut off (a person detection took for a
machine would be abandoned mid-conversation), and the information message always plays to its end.
The call's end then records the answering-machine outcome (`call_events._finish`), and the governor
counts the people among such calls as abandoned (`compliance_governor`).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum

from dialer.domain.calls import FINAL_STATUSES, MACHINE_ANSWERS, CallStatus, answered_by, is_advance
from dialer.domain.detection_policy import machine_verdict_hangs_up
from dialer.errors import TelephonyError
from dialer.models import CallAttempt
from dialer.services.calling import live_figures
from dialer.services.calling.notices import Notices
from dialer.services.phone_bank import PhoneBank


class Verdict(StrEnum):
    HUNG_UP = "hung_up"  # a machine nobody was talking to
    KEPT = "kept"  # a machine already put through (or hearing the information message): left alone
    NOTED = "noted"  # a person, or undecided: nothing to do
    UNKNOWN_CALL = "unknown_call"


@dataclass(frozen=True)
class MachineResult:
    """Twilio's AsyncAmdStatusCallback: which call, and what answered it."""

    call_id: int
    sid: str
    answered_by: str


def on_machine_result(bank: PhoneBank, result: MachineResult) -> Verdict:
    now = bank.clock.now()
    notices = Notices(bank.live)
    heard = answered_by(result.answered_by)
    with bank.uow() as uow:
        session = uow.session
        call = session.get(CallAttempt, result.call_id, with_for_update=True)
        if call is None or heard is None or (call.provider_sid or result.sid) != result.sid:
            return Verdict.UNKNOWN_CALL
        call.provider_sid = call.provider_sid or result.sid
        call.answered_by = call.answered_by or heard
        call.last_heard_at = now
        if heard not in MACHINE_ANSWERS:
            verdict = Verdict.NOTED
        elif call.status in FINAL_STATUSES or not machine_verdict_hangs_up(
            put_through=call.connected_at is not None, hearing_message=call.abandoned
        ):
            verdict = Verdict.KEPT
        else:
            verdict = Verdict.HUNG_UP
            call.answered_by = heard
            if call.answered_at is None:
                call.answered_at = now
                fact = live_figures.call_answered(session, call)
                campaign_id = call.campaign_id
                notices.then(lambda: live_figures.count(bank, campaign_id, [fact]))
            if is_advance(call.status, CallStatus.IN_PROGRESS):
                call.status = CallStatus.IN_PROGRESS
        uow.commit()
    notices.send()
    if verdict is Verdict.HUNG_UP:
        # If the call ended meanwhile, its status callback records the machine all the same.
        with suppress(TelephonyError):
            bank.telephony.hang_up(result.sid)
    return verdict
