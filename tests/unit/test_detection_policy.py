"""Where answering-machine detection may be used, and what its verdict may hang up."""

import pytest

from dialer.domain import detection_policy
from dialer.domain.campaign_settings import CallingSettings, validated
from dialer.domain.campaigns import DialingMode
from dialer.domain.detection_policy import detection_allowed, machine_verdict_hangs_up
from dialer.errors import InvalidInput

REASON = "Predictive dialing with detection went over 3% abandoned calls in the shift simulation"


def test_a_machine_verdict_hangs_up_only_a_call_nobody_is_talking_to():
    assert machine_verdict_hangs_up(put_through=False, hearing_message=False)
    assert not machine_verdict_hangs_up(put_through=True, hearing_message=False), "never cuts a conversation"
    assert not machine_verdict_hangs_up(put_through=False, hearing_message=True), "the message plays in full"


@pytest.mark.parametrize("mode", list(DialingMode))
def test_with_asynchronous_detection_every_mode_stays_under_3_percent_and_may_use_it(mode):
    """scripts/simulate_shift.py --detection on measured each mode under 3% on every seed."""
    assert detection_allowed(mode)
    assert validated(
        CallingSettings(caller_id="020 7946 0000", dialing_mode=mode, amd_enabled=True)
    ).amd_enabled


def test_a_mode_the_simulation_refuses_cannot_save_detection_and_says_why(monkeypatch):
    monkeypatch.setitem(detection_policy.REFUSED, DialingMode.PREDICTIVE, REASON)
    settings = CallingSettings(
        caller_id="020 7946 0000", dialing_mode=DialingMode.PREDICTIVE, amd_enabled=True
    )

    with pytest.raises(InvalidInput, match="over 3% abandoned") as refused:
        validated(settings)

    assert refused.value.field == "amd_enabled"
    power = CallingSettings(caller_id="020 7946 0000", dialing_mode=DialingMode.POWER, amd_enabled=True)
    assert validated(power).amd_enabled, "other modes keep it"
    without = CallingSettings(caller_id="020 7946 0000", dialing_mode=DialingMode.PREDICTIVE)
    assert not validated(without).amd_enabled
