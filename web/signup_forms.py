"""The sign-up pages' forms (Flask-WTF): a new event, a carpool offer, a pledge and the public pledge.

A refused form is shown again with everything typed still in it and each reason beside its field.
WTForms checks what a field must look like (a number, a date and time); the sign-up use cases check
the campaign's rules and name the field at fault (`InvalidInput.field`), which `web.html_forms.refuse`
puts beside that field. Times are typed in UK time (Europe/London) whatever the browser's own zone.
"""

from __future__ import annotations

from typing import Any

from wtforms import DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from web.html_forms import HtmlForm
from web.signups import UK

_UK_TIME = {"tz": UK, "format": "%Y-%m-%dT%H:%M"}


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _when(label: str, missing: str) -> Any:
    return DateTimeLocalField(
        f"{label} (UK time)",
        description="Europe/London, whatever time zone this device is set to.",
        validators=[InputRequired(missing)],
        **_UK_TIME,
    )


class EventForm(HtmlForm):
    title = StringField(
        "Title", filters=[_strip], validators=[InputRequired("Give the event a title."), Length(max=120)]
    )
    ons_code = SelectField("Seat", validate_choice=False)
    starts_at = _when("Starts", "Give the date and time it starts.")
    ends_at = _when("Ends", "Give the date and time it ends.")
    meeting_postcode = StringField(
        "Meeting point postcode",
        filters=[_strip],
        description="A full postcode, or a district such as SW9.",
        validators=[InputRequired("Give the meeting point's postcode.")],
    )
    capacity = IntegerField(
        "Capacity", default=20, validators=[InputRequired("Give the number of places (a whole number).")]
    )
    notes = TextAreaField("Notes", validators=[Length(max=2000)])


class CarpoolForm(HtmlForm):
    pickup_postcode = StringField(
        "Pickup postcode",
        filters=[_strip],
        description="A full postcode, or a district such as SW9. Riders see only the district until you accept them.",
        validators=[InputRequired("Give the postcode you leave from.")],
    )
    seats = IntegerField("Seats", default=3, validators=[InputRequired("Give the number of seats (1 to 8).")])
    departs_at = _when("Leaving at", "Give the date and time you leave.")
    notes = StringField("Notes", validators=[Length(max=300)])


class CapacityForm(HtmlForm):
    capacity = IntegerField(
        "Capacity", validators=[InputRequired("Give the number of places (a whole number).")]
    )


class PledgeForm(HtmlForm):
    text = StringField(
        "Pledge",
        filters=[_strip],
        validators=[InputRequired("Write the pledge."), Length(max=300)],
        render_kw={"placeholder": "Take polling day off to knock on doors"},
    )
    slug = StringField(
        "Web address part",
        filters=[_strip],
        description="Made from the pledge as you type; change it if you like (lower-case letters, "
        "digits and dashes).",
        validators=[Length(max=60)],
        render_kw={"placeholder": "take-polling-day-off", "data-slug-of": "text"},
    )


class PublicPledgeForm(HtmlForm):
    name = StringField(
        "Your name", filters=[_strip], validators=[InputRequired("Give your name."), Length(max=120)]
    )
    email = EmailField(
        "Email", filters=[_strip], validators=[InputRequired("Give your email address."), Length(max=254)]
    )
