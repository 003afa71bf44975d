"""The forms of the admin pages (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from dialer.domain.roles import Role
from dialer.services.accounts.roles import CampaignRef
from dialer.services.compliance.suppression import REASON_LABELS
from web.html_forms import HtmlForm


class SuppressForm(HtmlForm):
    phone = StringField(
        "Phone number",
        description="Any usual format; numbers without +country code are read as UK numbers.",
        validators=[DataRequired("Enter the phone number to stop calling."), Length(max=32)],
    )
    reason = SelectField(
        "Reason",
        choices=[SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[InputRequired("Choose a reason.")],
    )
    source = StringField(
        "Note",
        description="Where the request came from, e.g. 'letter of 3 June'. No names, please.",
        validators=[Length(max=120)],
    )


class ConfirmForm(HtmlForm):
    """A button that changes something: only the CSRF token."""


class EraseForm(HtmlForm):
    confirm = BooleanField(
        "I have checked that this erasure request is genuine, and I understand it cannot be undone.",
        validators=[DataRequired("Tick the box to confirm the erasure.")],
    )


class GrantForm(HtmlForm):
    campaign_id = SelectField("Campaign", coerce=int, validators=[InputRequired("Choose a campaign.")])

    def offer(self, campaigns: list[CampaignRef]) -> GrantForm:
        self.campaign_id.choices = [SelectChoice(str(c.id), c.name) for c in campaigns]
        return self


class RoleForm(HtmlForm):
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.VOLUNTEER.value, "Volunteer"),
            SelectChoice(Role.ORGANISER.value, "Organiser (may set up campaigns)"),
            SelectChoice(Role.ADMIN.value, "Admin"),
        ],
        validators=[InputRequired("Choose a role.")],
    )
