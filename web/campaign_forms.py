"""The organiser's campaign form (Flask-WTF): every setting of a phone bank, each checked by the
domain's own rule so the page shows what to fix beside the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from dialer.domain import campaign_settings as rules
from dialer.domain.calling_hours import CallingHours
from dialer.domain.campaign_settings import CallingSettings
from dialer.domain.campaigns import DialingMode
from dialer.domain.detection_policy import why_refused
from dialer.domain.dispositions import DEFAULT_RULES, Disposition
from dialer.domain.retries import FIXED
from dialer.domain.seats import DEFAULT_GRACE, GRACE_BOUNDS_S
from dialer.domain.surveys import QuestionKind, validated_options
from dialer.errors import InvalidInput
from dialer.services.campaigns.campaigns import CampaignSpec, QuestionSpec
from web.errors import sentence
from web.html_forms import HtmlForm

#: Dispositions whose spacing a campaign may change (the others protect voters or follow the voter).
ADJUSTABLE = [d for d in Disposition if d not in FIXED and d is not Disposition.CALL_BACK]
BLANK_QUESTIONS = 2
KIND_LABELS = {
    QuestionKind.SINGLE_CHOICE: "One choice",
    QuestionKind.MULTIPLE_CHOICE: "Several choices",
    QuestionKind.SCALE: "Scale",
    QuestionKind.FREE_TEXT: "Typed answer",
}


def _rule(check: Callable[[str], object]) -> Any:
    def validate(form: Form, field: Any) -> None:
        try:
            check(field.data or "")
        except InvalidInput as exc:
            raise ValidationError(sentence(exc)) from None

    return validate


def _hours_check(form: Form, field: Any) -> None:
    """One end of a calling window on its own (the window as a whole is checked by its end field)."""
    value = field.data or ""
    start, end = (value, "24:00") if field.name.endswith("start") else ("00:00", value)
    try:
        CallingHours.parse(start, end, "09:00", "21:00")
    except InvalidInput as exc:
        raise ValidationError(sentence(exc)) from None


def _default_retry(disposition: Disposition) -> str:
    after = DEFAULT_RULES[disposition].retry_after
    if after is None:
        return "never"
    minutes = int(after.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes else f"{minutes} min"


class QuestionForm(Form):  # type: ignore[misc]
    """One survey question (a row of the survey table; a row left blank is no question)."""

    key = StringField("Key", validators=[Optional(), Length(max=40)], description="e.g. intention")
    prompt = StringField("Question", validators=[Optional(), Length(max=300)])
    kind = SelectField(
        "Kind",
        default=QuestionKind.SINGLE_CHOICE.value,
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
    )
    options = TextAreaField("Options (one a line)", validators=[Optional()])
    required = BooleanField("Required when the voter talked")

    def validate_options(self, field: Any) -> None:
        if not (self.key.data or "").strip():
            return
        try:
            validated_options(QuestionKind(self.kind.data), (field.data or "").splitlines())
        except (InvalidInput, ValueError) as exc:
            raise ValidationError(sentence(exc)) from None

    def spec(self) -> QuestionSpec | None:
        key = (self.key.data or "").strip()
        if not key and not (self.prompt.data or "").strip():
            return None
        return QuestionSpec(
            key=key,
            prompt=self.prompt.data or "",
            kind=QuestionKind(self.kind.data),
            options=[line for line in (self.options.data or "").splitlines() if line.strip()],
            required=bool(self.required.data),
        )


class CampaignForm(HtmlForm):
    name = StringField("Name", validators=[DataRequired("Give the phone bank a name."), Length(max=120)])
    seats = SelectMultipleField(
        "Target seats",
        description="The constituencies this phone bank calls for (Ctrl or Cmd picks several).",
        validators=[DataRequired("Choose at least one target seat.")],
        choices=[],
        validate_choice=True,
    )
    script_md = TextAreaField(
        "Script (Markdown)",
        description=(
            "Shown to volunteers beside the voter card. {first name} (the voter's), {my name} (the "
            "volunteer's), {seat} and {campaign} are filled in."
        ),
    )
    caller_id = StringField(
        "Caller ID",
        description="A number voters can ring back (it must be one your Twilio account owns).",
        validators=[DataRequired("Enter the number calls come from."), _rule(rules.caller_id)],
    )
    dialing_mode = SelectField(
        "Dialing mode",
        choices=[
            SelectChoice(DialingMode.PREVIEW.value, "Preview: the volunteer sees the voter, then dials"),
            SelectChoice(DialingMode.POWER.value, "Power: one line per ready volunteer (never abandons)"),
            SelectChoice(
                DialingMode.PREDICTIVE.value,
                "Predictive: dials ahead for teams of 10 or more, kept under 2% abandoned calls",
            ),
        ],
    )
    max_attempts = IntegerField(
        "Most calls per voter",
        validators=[
            InputRequired("Enter how many times a voter may be called."),
            NumberRange(1, rules.MAX_ATTEMPTS_LIMIT, f"Between 1 and {rules.MAX_ATTEMPTS_LIMIT}."),
        ],
    )
    ring_timeout_s = IntegerField(
        "Ring for (seconds)",
        description=f"Ofcom: at least {rules.MIN_RING_TIMEOUT_S} seconds before giving up.",
        validators=[
            InputRequired("Enter how long a call rings."),
            NumberRange(
                rules.MIN_RING_TIMEOUT_S,
                rules.MAX_RING_TIMEOUT_S,
                f"Between {rules.MIN_RING_TIMEOUT_S} and {rules.MAX_RING_TIMEOUT_S} seconds "
                f"(Ofcom requires at least {rules.MIN_RING_TIMEOUT_S}).",
            ),
        ],
    )
    seat_grace_s = IntegerField(
        "Wait for a disconnected volunteer (seconds)",
        description="A volunteer whose page or phone drops mid-call gets this long to come back to the "
        "same voter, who hears a short hold message; then the call is listed for you to follow up.",
        validators=[
            InputRequired("Enter how long to wait for a disconnected volunteer."),
            NumberRange(*GRACE_BOUNDS_S, f"Between {GRACE_BOUNDS_S[0]} and {GRACE_BOUNDS_S[1]} seconds."),
        ],
        default=int(DEFAULT_GRACE.total_seconds()),
    )
    amd_enabled = BooleanField(
        "Hang up on answering machines",
        description="Detection listens while the call goes on: a voter is put through (or hears the "
        "information message) at once, and a machine is hung up on only while nobody is talking to it. "
        "People it takes for machines count as abandoned calls, against the 3% limit.",
    )
    weekday_start = StringField("Weekdays from", validators=[_hours_check])
    weekday_end = StringField("Weekdays until", validators=[_hours_check])
    weekend_start = StringField("Weekends from", validators=[_hours_check])
    weekend_end = StringField("Weekends until", validators=[_hours_check])
    information_message = TextAreaField(
        "Information message",
        description="Played when a voter answers and no volunteer is free (Ofcom). Blank: the standard one.",
        validators=[Length(max=1000)],
    )
    show_surname = BooleanField("Show voters' surnames to volunteers")
    questions = FieldList(FormField(QuestionForm), min_entries=BLANK_QUESTIONS)

    def validate_amd_enabled(self, field: Any) -> None:
        modes = {mode.value: mode for mode in DialingMode}
        mode = modes.get(self.dialing_mode.data or "")
        if field.data and mode is not None and (refused := why_refused(mode)) is not None:
            raise ValidationError(refused)

    def validate_weekday_end(self, field: Any) -> None:
        self._window("weekday", self.weekday_start.data, field.data)

    def validate_weekend_end(self, field: Any) -> None:
        self._window("weekend", self.weekend_start.data, field.data)

    @staticmethod
    def _window(name: str, start: str | None, end: str | None) -> None:
        try:
            CallingHours.parse(start or "", end or "", "09:00", "21:00")
        except InvalidInput as exc:
            raise ValidationError(sentence(exc)) from None

    def retry_fields(self) -> list[Any]:
        return [getattr(self, f"retry_{d.value}") for d in ADJUSTABLE]

    def spec(self, slug: str = "") -> CampaignSpec:
        return CampaignSpec(
            name=self.name.data or "",
            calling=CallingSettings(
                caller_id=self.caller_id.data or "",
                dialing_mode=DialingMode(self.dialing_mode.data),
                max_attempts=self.max_attempts.data or 0,
                ring_timeout_s=self.ring_timeout_s.data or 0,
                amd_enabled=bool(self.amd_enabled.data),
                weekday_start=self.weekday_start.data or "",
                weekday_end=self.weekday_end.data or "",
                weekend_start=self.weekend_start.data or "",
                weekend_end=self.weekend_end.data or "",
                retry_overrides=self.retry_overrides(),
                seat_grace_s=self.seat_grace_s.data or 0,
            ),
            seats=list(self.seats.data or []),
            script_md=self.script_md.data or "",
            questions=[q for q in (entry.form.spec() for entry in self.questions) if q is not None],
            information_message=self.information_message.data or "",
            show_surname=bool(self.show_surname.data),
            slug=slug,
        )

    def retry_overrides(self) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        for disposition in ADJUSTABLE:
            text = (getattr(self, f"retry_{disposition.value}").data or "").strip().lower()
            if text == "never":
                overrides[disposition.value] = {"retry_after_minutes": None}
            elif text:
                overrides[disposition.value] = {"retry_after_minutes": int(text)}
        return overrides

    def fill(self, spec: CampaignSpec) -> None:
        """Show a stored campaign's settings (on a GET)."""
        self.name.data, self.seats.data, self.script_md.data = spec.name, list(spec.seats), spec.script_md
        calling = spec.calling
        self.caller_id.data, self.dialing_mode.data = calling.caller_id, calling.dialing_mode.value
        self.max_attempts.data, self.ring_timeout_s.data = calling.max_attempts, calling.ring_timeout_s
        self.amd_enabled.data = calling.amd_enabled
        self.seat_grace_s.data = calling.seat_grace_s
        self.weekday_start.data, self.weekday_end.data = calling.weekday_start, calling.weekday_end
        self.weekend_start.data, self.weekend_end.data = calling.weekend_start, calling.weekend_end
        self.information_message.data, self.show_surname.data = spec.information_message, spec.show_surname
        for disposition in ADJUSTABLE:
            change = calling.retry_overrides.get(disposition.value)
            field = getattr(self, f"retry_{disposition.value}")
            if isinstance(change, dict):
                minutes = change.get("retry_after_minutes")
                field.data = "never" if minutes is None else str(minutes)
        while len(self.questions):
            self.questions.pop_entry()
        for question in spec.questions:
            self.questions.append_entry(
                {
                    "key": question.key,
                    "prompt": question.prompt,
                    "kind": QuestionKind(question.kind).value,
                    "options": "\n".join(question.options),
                    "required": question.required,
                }
            )
        for _ in range(BLANK_QUESTIONS):
            self.questions.append_entry()

    def problems(self) -> list[tuple[str, str, str]]:
        """Every error as (field id, label, message), survey rows' fields included (the summary)."""
        found: list[tuple[str, str, str]] = []
        for field in self:
            if field.name == "csrf_token":
                continue
            if field.name == "questions":
                for number, entry in enumerate(field, start=1):
                    found += [
                        (sub.id, f"Question {number}: {sub.label.text}", " ".join(sub.errors))
                        for sub in entry.form
                        if sub.errors
                    ]
                found += [(field.id, "Survey", e) for e in field.errors if isinstance(e, str)]
            elif field.errors:
                found.append((field.id, field.label.text, " ".join(field.errors)))
        return found

    def place(self, error: InvalidInput) -> None:
        """Put an error the service found beside the field it is about (or at the top)."""
        field = getattr(self, error.field, None) if error.field else None
        if error.field == "hours":
            field = self.weekday_end
        if error.field == "retry_overrides":
            field = self.retry_fields()[0]
        target = field if field is not None else self.name
        if target is self.questions:  # a FieldList's own errors are the rows'; show it by the name
            target = self.name
        target.errors = [*list(target.errors or []), sentence(error)]


def _retry_check(form: Form, field: Any) -> None:
    text = (field.data or "").strip().lower()
    if not text or text == "never":
        return
    if not (text.isascii() and text.isdigit()) or int(text) > 60 * 24 * 90:
        raise ValidationError(
            "Give whole minutes (at most 90 days), 'never', or leave blank for the default."
        )


for _disposition in ADJUSTABLE:
    setattr(
        CampaignForm,
        f"retry_{_disposition.value}",
        StringField(
            DEFAULT_RULES[_disposition].label,
            description=f"Default: {_default_retry(_disposition)}",
            validators=[_retry_check],
        ),
    )
