"""TwiML documents parsed into the verbs the simulator plays, with the errors Twilio reports.

A document that is not XML, or whose root is not <Response>, fails with 12100 (document parse
failure); an unknown or misspelt verb (TwiML is case-sensitive) fails with 12200 (schema
validation), and the call then ends as Twilio ends it: "an application error has occurred".
Verbs Twilio has but the simulator does not play (<Record>, <Enqueue>...) fail loudly the same way
rather than being skipped, so a test never passes by accident.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

PARSE_FAILURE = 12100
SCHEMA_VIOLATION = 12200

#: Speech rate used to time <Say> (about 150 words a minute).
WORDS_PER_SECOND = 2.5
#: What `loop="0"` (repeat forever) amounts to.
FOREVER = 10_000


class TwimlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Say:
    text: str
    loop: int = 1

    def duration(self, play_s: float) -> float:
        words = len(self.text.split())
        return self.loop * (0.5 + words / WORDS_PER_SECOND)


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1
    digits: str | None = None

    def duration(self, play_s: float) -> float:
        if self.digits:
            return 0.5 * len(self.digits)
        return self.loop * play_s


@dataclass(frozen=True)
class Pause:
    length: float = 1.0

    def duration(self, play_s: float) -> float:
        return self.length


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class Gather:
    prompts: tuple[Say | Play | Pause, ...] = ()
    action: str | None = None
    method: str = "POST"
    timeout: float = 5.0
    num_digits: int | None = None
    finish_on_key: str = "#"


@dataclass(frozen=True)
class ConferenceRoom:
    name: str
    muted: bool = False
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep: str = "true"
    wait_url: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset()
    participant_label: str | None = None
    coach: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """A <Number> or <Client> to ring (a client address is `client:<identity>`)."""

    address: str
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Dial:
    target: ConferenceRoom | Endpoint
    action: str | None = None
    method: str = "POST"
    timeout: float = 30.0
    caller_id: str | None = None
    time_limit: float = 14_400.0


Verb = Say | Play | Pause | Hangup | Reject | Redirect | Gather | Dial

#: Verbs Twilio knows that the simulator does not play.
NOT_SIMULATED = frozenset(
    {
        "Record",
        "Enqueue",
        "Leave",
        "Sms",
        "Message",
        "Connect",
        "Refer",
        "Stream",
        "Start",
        "Stop",
        "Pay",
        "Prompt",
        "Echo",
        "Queue",
        "Sip",
        "SendDigits",
    }
)


def parse(document: str) -> list[Verb]:
    """The verbs of a TwiML document, in order."""
    try:
        root = ElementTree.fromstring(document.strip())
    except ElementTree.ParseError as exc:
        raise TwimlError(PARSE_FAILURE, f"Document parse failure: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(PARSE_FAILURE, f"The root element must be <Response>, not <{root.tag}>")
    return [_verb(element) for element in root]


def _verb(element: ElementTree.Element) -> Verb:
    tag, attrs, text = element.tag, element.attrib, (element.text or "").strip()
    if tag == "Say":
        return Say(text, _loop(attrs.get("loop")))
    if tag == "Play":
        return Play(text, _loop(attrs.get("loop")), attrs.get("digits"))
    if tag == "Pause":
        return Pause(_number(attrs.get("length"), 1.0, tag))
    if tag == "Hangup":
        return Hangup()
    if tag == "Reject":
        return Reject(attrs.get("reason", "rejected"))
    if tag == "Redirect":
        if not text:
            raise TwimlError(SCHEMA_VIOLATION, "<Redirect> needs a URL")
        return Redirect(text, attrs.get("method", "POST").upper())
    if tag == "Gather":
        return _gather(element)
    if tag == "Dial":
        return _dial(element)
    if tag in NOT_SIMULATED:
        raise TwimlError(SCHEMA_VIOLATION, f"<{tag}> is a Twilio verb the simulator does not play")
    raise TwimlError(SCHEMA_VIOLATION, f"Invalid TwiML verb <{tag}>")


def _gather(element: ElementTree.Element) -> Gather:
    prompts: list[Say | Play | Pause] = []
    for child in element:
        verb = _verb(child)
        if not isinstance(verb, Say | Play | Pause):
            raise TwimlError(SCHEMA_VIOLATION, f"<{child.tag}> is not allowed inside <Gather>")
        prompts.append(verb)
    attrs = element.attrib
    num_digits = attrs.get("numDigits")
    return Gather(
        prompts=tuple(prompts),
        action=attrs.get("action"),
        method=attrs.get("method", "POST").upper(),
        timeout=_number(attrs.get("timeout"), 5.0, "Gather"),
        num_digits=int(num_digits) if num_digits else None,
        finish_on_key=attrs.get("finishOnKey", "#"),
    )


def _dial(element: ElementTree.Element) -> Dial:
    attrs = element.attrib
    nouns = list(element)
    target: ConferenceRoom | Endpoint
    if not nouns:
        number = (element.text or "").strip()
        if not number:
            raise TwimlError(SCHEMA_VIOLATION, "<Dial> needs a number or a noun")
        target = Endpoint(number)
    elif len(nouns) > 1:
        raise TwimlError(SCHEMA_VIOLATION, "the simulator dials one noun at a time")
    else:
        target = _noun(nouns[0])
    return Dial(
        target=target,
        action=attrs.get("action"),
        method=attrs.get("method", "POST").upper(),
        timeout=_number(attrs.get("timeout"), 30.0, "Dial"),
        caller_id=attrs.get("callerId"),
        time_limit=_number(attrs.get("timeLimit"), 14_400.0, "Dial"),
    )


def _noun(noun: ElementTree.Element) -> ConferenceRoom | Endpoint:
    attrs, text = noun.attrib, (noun.text or "").strip()
    events = frozenset(attrs.get("statusCallbackEvent", "").replace(",", " ").split())
    if noun.tag == "Conference":
        if not text:
            raise TwimlError(SCHEMA_VIOLATION, "<Conference> needs a name")
        return ConferenceRoom(
            name=text,
            muted=attrs.get("muted", "false") == "true",
            start_conference_on_enter=attrs.get("startConferenceOnEnter", "true") == "true",
            end_conference_on_exit=attrs.get("endConferenceOnExit", "false") == "true",
            beep=attrs.get("beep", "true"),
            wait_url=attrs.get("waitUrl"),
            status_callback=attrs.get("statusCallback"),
            status_callback_method=attrs.get("statusCallbackMethod", "POST").upper(),
            status_callback_events=events,
            participant_label=attrs.get("participantLabel"),
            coach=attrs.get("coach"),
        )
    if noun.tag in ("Number", "Client"):
        if not text:
            raise TwimlError(SCHEMA_VIOLATION, f"<{noun.tag}> needs an address")
        identity = text
        if noun.tag == "Client":
            nested = noun.find("Identity")
            identity = (nested.text or "").strip() if nested is not None else text
        return Endpoint(
            address=identity if noun.tag == "Number" else f"client:{identity}",
            status_callback=attrs.get("statusCallback"),
            status_callback_method=attrs.get("statusCallbackMethod", "POST").upper(),
            status_callback_events=events,
        )
    if noun.tag in NOT_SIMULATED or noun.tag == "Queue":
        raise TwimlError(SCHEMA_VIOLATION, f"<Dial><{noun.tag}> is not simulated")
    raise TwimlError(SCHEMA_VIOLATION, f"Invalid noun <{noun.tag}> inside <Dial>")


def _loop(value: str | None) -> int:
    if value is None:
        return 1
    try:
        count = int(value)
    except ValueError:
        raise TwimlError(SCHEMA_VIOLATION, f"loop must be a whole number, not {value!r}") from None
    return FOREVER if count == 0 else count


def _number(value: str | None, default: float, tag: str) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise TwimlError(SCHEMA_VIOLATION, f"<{tag}> has a non-numeric attribute {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise TwimlError(SCHEMA_VIOLATION, f"<{tag}> has an invalid attribute {value!r}")
    return number
