"""What the predictive pacer learns during a session: how calls are answered by age, and how long seats stay busy.

Both estimators are empirical histograms with one-second bins, started from a weak prior (a few
pretend observations) so the first minutes of a session pace cautiously rather than blindly, and
overtaken by what the session actually sees within a few dozen calls.

A dialled call "needs a seat" when it is answered (by a person, or by anything detection does not
turn away): the moment it needs one is its `need_age`. A call that ends without needing a seat ends
at its `end_age`. A seat is "busy" from the moment a voter reaches it until it is ready again
(talk plus wrap-up): its handle time.
"""

from __future__ import annotations

from dataclasses import dataclass

BIN_S = 1.0


class _Histogram:
    """Counts in one-second bins with cached suffix sums (how many values lie at or above a bin)."""

    def __init__(self, bins: int) -> None:
        self.counts = [0.0] * bins
        self._above: list[float] | None = None

    def add(self, seconds: float, weight: float = 1.0) -> None:
        index = min(len(self.counts) - 1, max(0, int(seconds / BIN_S)))
        self.counts[index] += weight
        self._above = None

    def at_or_above(self, seconds: float) -> float:
        """How much weight lies in the bins from `seconds` on."""
        above = self._above
        if above is None:
            above = [0.0] * (len(self.counts) + 1)
            running = 0.0
            for index in range(len(self.counts) - 1, -1, -1):
                running += self.counts[index]
                above[index] = running
            self._above = above
        index = int(seconds / BIN_S)
        if index <= 0:
            return above[0]
        return above[index] if index < len(above) else 0.0


class AnswerCurve:
    """The chance that a call still ringing at a given age will need a seat, soon or at all."""

    def __init__(
        self,
        ring_timeout_s: float,
        *,
        prior_calls: float = 5.0,
        prior_need_rate: float = 0.3,
        prior_need_age_s: float = 10.0,
    ) -> None:
        bins = int(ring_timeout_s / BIN_S) + 8
        self._needed = _Histogram(bins)
        self._decided = _Histogram(bins)  # every call, at the age it needed a seat or ended
        self._need_age_sum = prior_calls * prior_need_rate * prior_need_age_s
        self._need_count = prior_calls * prior_need_rate
        self._needed.add(prior_need_age_s, prior_calls * prior_need_rate)
        self._decided.add(prior_need_age_s, prior_calls * prior_need_rate)
        self._decided.add(ring_timeout_s, prior_calls * (1 - prior_need_rate))
        self.calls = 0

    def record_need(self, need_age_s: float) -> None:
        self._needed.add(need_age_s)
        self._decided.add(need_age_s)
        self._need_age_sum += need_age_s
        self._need_count += 1
        self.calls += 1

    def record_end(self, end_age_s: float) -> None:
        """A call that ended (no answer, busy, turned away by detection...) without needing a seat."""
        self._decided.add(end_age_s)
        self.calls += 1

    def need_within(self, age_s: float, horizon_s: float) -> float:
        """P(a call ringing at `age_s` needs a seat within the next `horizon_s` seconds)."""
        alive = self._decided.at_or_above(age_s)
        if alive <= 0:
            return 0.0
        needed = self._needed.at_or_above(age_s) - self._needed.at_or_above(age_s + horizon_s)
        return max(0.0, min(1.0, needed / alive))

    def need_rate(self) -> float:
        """P(a fresh dial ever needs a seat)."""
        return self.need_within(0.0, float(len(self._decided.counts)) * BIN_S)

    def mean_time_to_connect(self) -> float:
        """Mean age at which answered calls need their seat (the pacer's look-ahead)."""
        return self._need_age_sum / self._need_count if self._need_count else 0.0


class _Durations:
    """How long something lasts, learnt: the chance it ends soon given how long it has lasted so far."""

    def __init__(self, longest_s: float, prior_calls: float, prior_mean_s: float) -> None:
        self._done = _Histogram(int(longest_s / BIN_S) + 1)
        self._quartiles: tuple[float, float, float] | None = None
        self._sum = self._count = 0.0
        # The prior: durations spread evenly from a third to five thirds of the prior mean.
        low, high = prior_mean_s / 3, prior_mean_s * 5 / 3
        steps = 10
        for step in range(steps):
            self.record(low + (high - low) * (step + 0.5) / steps, prior_calls / steps)

    def record(self, seconds: float, weight: float = 1.0) -> None:
        self._done.add(seconds, weight)
        self._quartiles = None
        self._sum += seconds * weight
        self._count += weight

    def mean(self) -> float:
        return self._sum / self._count if self._count else 0.0

    def quartiles(self) -> tuple[float, float, float]:
        """The durations at the 1/6, 1/2 and 5/6 points (three equally likely representatives)."""
        if self._quartiles is None:
            total = self._done.at_or_above(0.0)
            points = []
            for share in (1 / 6, 1 / 2, 5 / 6):
                seen, index = 0.0, 0
                for index, count in enumerate(self._done.counts):  # noqa: B007  (the index is the answer)
                    seen += count
                    if seen >= share * total:
                        break
                points.append((index + 0.5) * BIN_S)
            self._quartiles = (points[0], points[1], points[2])
        return self._quartiles

    def ends_within(self, so_far_s: float, horizon_s: float) -> float:
        if horizon_s <= 0:
            return 0.0
        still = self._done.at_or_above(so_far_s)
        if still <= 0:
            return 1.0  # longer than anything seen: about to end, as far as we know
        ended = still - self._done.at_or_above(so_far_s + horizon_s)
        return max(0.0, min(1.0, ended / still))


class HandleTimes:
    """How long a voter keeps a seat busy: the conversation, then the volunteer's wrap-up."""

    def __init__(self, *, prior_calls: float = 10.0) -> None:
        self._talk = _Durations(3600.0, prior_calls, 120.0)
        self._wrap = _Durations(900.0, prior_calls, 20.0)
        self.calls = 0

    def record_talk(self, seconds: float) -> None:
        self._talk.record(seconds)
        self.calls += 1

    def record_wrap(self, seconds: float) -> None:
        self._wrap.record(seconds)

    def free_within(
        self, talking_for_s: float | None, wrapping_for_s: float | None, horizon_s: float
    ) -> float:
        """P(a seat is ready again within `horizon_s`: in a conversation so far, or in wrap-up so far."""
        if wrapping_for_s is not None:
            return self._wrap.ends_within(wrapping_for_s, horizon_s)
        # Talk then wrap-up: the wrap-up taken at three equally likely lengths (a cheap convolution).
        talking = talking_for_s or 0.0
        return sum(self._talk.ends_within(talking, horizon_s - wrap) for wrap in self._wrap.quartiles()) / 3


@dataclass
class SessionEstimates:
    """Everything the pacer learns in a session, fed by the call and seat events it sees."""

    answers: AnswerCurve
    handling: HandleTimes

    @classmethod
    def starting(cls, ring_timeout_s: float) -> SessionEstimates:
        return cls(AnswerCurve(ring_timeout_s), HandleTimes())
