"""Where answering-machine detection may be used: per dialing mode, from the shift simulation's verdict.

Detection is asynchronous (a person is put through, or hears the information message, at the
answer), and a machine verdict hangs up only a call nobody is talking to; but people it takes for
machines still count for Ofcom (`compliance_governor`). `scripts/simulate_shift.py --detection`
measures every mode with detection on and fails if a mode allowed here goes over 3% abandoned on any
seed; a mode that cannot stay under is refused here, with the reason the organiser reads.
"""

from __future__ import annotations

from dialer.domain.campaigns import DialingMode

#: With answering-machine detection on, the provider listens this long at most before reporting
#: ("unknown" then). Detection is asynchronous (the voter is put through at the answer), so this
#: only bounds how late a verdict can come: a greeting is only known as one after seconds of
#: unbroken speech (3.6 s in the simulator's model of Twilio), so at Twilio's 3 s minimum every
#: machine would pass as unknown.
MACHINE_DETECTION_S = 4

#: The modes that may not use detection, and why (the campaign form and campaign save say so).
REFUSED: dict[DialingMode, str] = {}


def machine_verdict_hangs_up(*, put_through: bool, hearing_message: bool) -> bool:
    """Whether a machine verdict ends the call: only when nobody is talking to it. A call put through
    to a volunteer may be a person detection misread, mid-conversation; the information message
    plays to its end (Ofcom asks for it in full, and it may be a person hearing it)."""
    return not put_through and not hearing_message


def detection_allowed(mode: DialingMode) -> bool:
    return mode not in REFUSED


def why_refused(mode: DialingMode) -> str | None:
    """The organiser's explanation when `mode` may not use detection; None when it may."""
    return REFUSED.get(mode)
