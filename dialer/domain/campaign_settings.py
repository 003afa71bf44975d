"""A campaign's calling settings, validated: what an organiser may set and the limits the law sets.

Every field an organiser types is checked here with a message that says what to fix, so a bad
setting is refused before a single voter is dialled.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dialer.domain import phones
from dialer.domain.calling_hours import CallingHours
from dialer.domain.campaigns import DialingMode
from dialer.domain.detection_policy import why_refused
from dialer.domain.retries import campaign_rules
from dialer.domain.seats import DEFAULT_GRACE, GRACE_BOUNDS_S
from dialer.errors import InvalidInput

#: Ofcom: a call must ring for at least 15 seconds before the dialler gives up.
MIN_RING_TIMEOUT_S = 15
MAX_RING_TIMEOUT_S = 120
MAX_ATTEMPTS_LIMIT = 10
#: The modes this release can run (predictive: paced under the compliance governor).
SUPPORTED_MODES = frozenset({DialingMode.PREVIEW, DialingMode.POWER, DialingMode.PREDICTIVE})


@dataclass(frozen=True)
class CallingSettings:
    """The settings that decide who is dialled, when, how, and from which number."""

    caller_id: str
    dialing_mode: DialingMode = DialingMode.POWER
    max_attempts: int = 3
    ring_timeout_s: int = 25
    #: Answering-machine detection (asynchronous, `detection_policy`): off unless an organiser turns
    #: it on, and refused in a dialing mode where it could not keep the abandoned rate under 3%.
    amd_enabled: bool = False
    weekday_start: str = "08:00"
    weekday_end: str = "21:00"
    weekend_start: str = "09:00"
    weekend_end: str = "21:00"
    retry_overrides: Mapping[str, Any] = field(default_factory=dict)
    #: How long a seat waits, its voter on hold, for a volunteer whose audio went mid-conversation.
    seat_grace_s: int = int(DEFAULT_GRACE.total_seconds())

    @property
    def hours(self) -> CallingHours:
        return CallingHours.parse(self.weekday_start, self.weekday_end, self.weekend_start, self.weekend_end)


def validated(settings: CallingSettings) -> CallingSettings:
    """The same settings with the caller ID normalised to E.164, or InvalidInput naming the problem
    (and, in `field`, the setting)."""
    with _about("hours"):
        settings.hours  # noqa: B018  (parsing is the check)
    try:
        mode = DialingMode(settings.dialing_mode)
    except ValueError:
        raise InvalidInput(
            f"dialing mode must be preview, power or predictive (got {settings.dialing_mode!r})",
            field="dialing_mode",
        ) from None
    if mode not in SUPPORTED_MODES:
        raise InvalidInput(
            f"dialing mode {mode.value!r} is not available: choose preview, power or predictive",
            field="dialing_mode",
        )
    if settings.amd_enabled and (refused := why_refused(mode)) is not None:
        raise InvalidInput(refused, field="amd_enabled")
    if not MIN_RING_TIMEOUT_S <= settings.ring_timeout_s <= MAX_RING_TIMEOUT_S:
        raise InvalidInput(
            f"ring timeout must be between {MIN_RING_TIMEOUT_S} and {MAX_RING_TIMEOUT_S} seconds "
            f"(Ofcom requires at least {MIN_RING_TIMEOUT_S}); got {settings.ring_timeout_s}",
            field="ring_timeout_s",
        )
    if not 1 <= settings.max_attempts <= MAX_ATTEMPTS_LIMIT:
        raise InvalidInput(f"max attempts must be between 1 and {MAX_ATTEMPTS_LIMIT}", field="max_attempts")
    with _about("retry_overrides"):
        campaign_rules(settings.retry_overrides)
    shortest, longest = GRACE_BOUNDS_S
    if not shortest <= settings.seat_grace_s <= longest:
        raise InvalidInput(
            f"the wait for a disconnected volunteer must be between {shortest} and {longest} seconds",
            field="seat_grace_s",
        )
    with _about("caller_id"):
        normalised = caller_id(settings.caller_id)
    return CallingSettings(
        caller_id=normalised,
        dialing_mode=mode,
        max_attempts=settings.max_attempts,
        ring_timeout_s=settings.ring_timeout_s,
        amd_enabled=bool(settings.amd_enabled),
        weekday_start=settings.weekday_start.strip(),
        weekday_end=settings.weekday_end.strip(),
        weekend_start=settings.weekend_start.strip(),
        weekend_end=settings.weekend_end.strip(),
        retry_overrides=dict(settings.retry_overrides),
        seat_grace_s=settings.seat_grace_s,
    )


def caller_id(value: str) -> str:
    """A number voters can call back, in E.164 (UK numbers may be typed in national form)."""
    return phones.normalise_phone(value, what="caller ID")


def default_information_message(campaign_name: str, caller_id_e164: str) -> str:
    """Ofcom's information message for a call no volunteer was free to take: who called and a number."""
    spoken = " ".join(phones.national(caller_id_e164).replace(" ", ""))
    return (
        f"Hello, this is a call from volunteers with {campaign_name}. Sorry, nobody is free to talk "
        f"right now. To call us back, or to ask us not to call again, ring {spoken}. Goodbye."
    )


@contextmanager
def _about(field_name: str) -> Iterator[None]:
    """Name the setting an InvalidInput raised inside is about (unless it already names one)."""
    try:
        yield
    except InvalidInput as exc:
        if exc.field is None:
            exc.field = field_name
        raise
