"""Where answering-machine detection may be used: per dialing mode, from the shift simulation's verdict.

Detection is asynchronous (a person is put through, or hears the information message, at the
answer), and a machine verdict hangs up only a call nobody is talking to; but people it takes for
machines still count for Ofcom (`compliance_governor`). `scripts/simulate_shift.py --detection`
measures every mode with detection on and fails if a mode allowed here goes over 3% abandoned on any
seed; a mode that cannot stay under is refused here, with the reason the organiser reads.
"""

from __future__ import annotations

from dialer.domain.campaigns import DialingMode

#: The modes that may not use detection, and why (the campaign form and campaign save say so).
REFUSED: dict[DialingMode, str] = {}


def detection_allowed(mode: DialingMode) -> bool:
    return mode not in REFUSED


def why_refused(mode: DialingMode) -> str | None:
    """The organiser's explanation when `mode` may not use detection; None when it may."""
    return REFUSED.get(mode)
