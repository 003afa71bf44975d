"""The shift simulation keeps Ofcom's rules for every abandoned call, and its strategies compare on the same voters."""

from dialer.simulator.behaviours import Mix
from harness.shift_simulation.measures import figures_of
from harness.shift_simulation.shift import ABANDON_BLOCK_S, ShiftPlan, run_shift
from harness.shift_simulation.strategies import FixedRatio, Predictive, strategy

#: A short shift on a small list with fast retries, so numbers come round again within it.
SHORT = ShiftPlan(
    volunteers=12, hours=0.5, list_size=400, seed=3, mix=Mix(seed=3), retry_scale=0.01, max_attempts=5
)


def test_every_abandoned_call_hears_the_information_message_within_2_seconds_of_answer():
    result = run_shift(SHORT, FixedRatio(3.0))  # a greedy ratio, to have abandoned calls to look at
    abandoned = [call for call in result.calls if call.abandoned]
    assert abandoned
    assert all(call.info_message_s is not None and call.answered_s is not None for call in abandoned)
    assert max((call.info_message_s or 0) - (call.answered_s or 0) for call in abandoned) <= 2.0


def test_no_abandoned_number_is_dialled_again_within_72_hours():
    result = run_shift(SHORT, FixedRatio(3.0))
    abandoned_at = {call.number: call.answered_s for call in result.calls if call.abandoned}
    redialled = [call for call in result.calls if call.number in abandoned_at]
    assert len({call.number for call in result.calls}) < len(result.calls)  # other numbers were retried
    assert all(
        call.dialled_s <= (abandoned_at[call.number] or 0)
        or call.dialled_s >= (abandoned_at[call.number] or 0) + ABANDON_BLOCK_S
        for call in redialled
    )


def test_with_detection_on_every_answer_is_put_through_or_hears_the_message_within_2_seconds():
    plan = ShiftPlan(volunteers=12, hours=0.5, seed=5, mix=Mix(seed=5), detection=True)
    result = run_shift(plan, FixedRatio(2.5))
    answered = [call for call in result.calls if call.answered_s is not None and call.answered_s < 1790]
    assert any(call.abandoned for call in answered) and any(call.put_through_s for call in answered)
    for call in answered:
        heard = call.put_through_s if call.put_through_s is not None else call.info_message_s
        assert heard is not None and heard - (call.answered_s or 0) <= 2.0


def test_a_late_machine_verdict_cuts_off_no_call_put_through_to_a_volunteer():
    plan = ShiftPlan(volunteers=12, hours=0.5, seed=5, mix=Mix(seed=5, misclassified=0.5), detection=True)
    result = run_shift(plan, Predictive(plan.ring_timeout_s))
    misread = [call for call in result.calls if call.kind == "answer" and call.put_through_s is not None]
    assert misread and not any(call.cut_off or call.turned_away for call in result.calls)
    assert figures_of(result).abandon_rate <= 0.03


def test_power_dialing_abandons_nobody_and_ours_keeps_volunteers_busier_on_the_same_voters():
    plan = ShiftPlan(volunteers=20, hours=0.5, seed=1, mix=Mix(seed=1))
    power = figures_of(run_shift(plan, strategy("power", plan.ring_timeout_s)))
    ours = figures_of(run_shift(plan, strategy("predictive", plan.ring_timeout_s)))
    assert power.abandon_rate == 0.0
    assert ours.occupancy > power.occupancy
    assert ours.abandon_rate <= 0.03
