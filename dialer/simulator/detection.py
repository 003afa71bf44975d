"""Answering-machine detection: what Twilio's AMD reports for a callee, and how long it takes.

`Enable` reports as soon as it has classified the answer (`human`, `machine_start`, `fax`, or
`unknown` when MachineDetectionTimeout runs out); `DetectMessageEnd` waits for a machine's greeting
to end (`machine_end_beep`). A behaviour's `detected_as` overrides the truth: misclassification.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.simulator.behaviours import Behaviour

#: A person says "Hello?" and stops; detection needs the silence after it.
HUMAN_S = 2.4
#: Continuous speech longer than the speech threshold means a greeting.
MACHINE_START_S = 3.6
FAX_S = 1.8
BEEP_AFTER_GREETING_S = 0.6


@dataclass(frozen=True)
class Detection:
    answered_by: str
    seconds: float

    @property
    def milliseconds(self) -> int:
        return int(self.seconds * 1000)


def detect(behaviour: Behaviour | None, mode: str, timeout_s: float) -> Detection:
    if behaviour is None:
        result = Detection("unknown", timeout_s)
    elif behaviour.kind == "machine":
        if mode == "DetectMessageEnd":
            result = Detection("machine_end_beep", behaviour.greeting_s + BEEP_AFTER_GREETING_S)
        else:
            result = Detection("machine_start", min(MACHINE_START_S, behaviour.greeting_s))
    elif behaviour.kind == "fax":
        result = Detection("fax", FAX_S)
    else:
        result = Detection("human", HUMAN_S)
    if behaviour is not None and behaviour.detected_as:
        result = Detection(behaviour.detected_as, result.seconds)
    if result.seconds > timeout_s:
        return Detection("unknown", timeout_s)
    return result
