"""The forms of the account pages (Flask-WTF: every one carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from dialer.domain import accounts as rules
from dialer.domain.phones import volunteer_phone
from dialer.errors import InvalidInput
from web.errors import sentence
from web.html_forms import HtmlForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _rule(check: Any) -> Any:
    """A WTForms validator from one of the domain's normalise/check functions."""

    def validate(form: HtmlForm, field: Any) -> None:
        try:
            check(field.data or "")
        except InvalidInput as exc:
            raise ValidationError(sentence(exc)) from None

    return validate


PHONE_HINT = (
    "A UK mobile or landline, for \u201ccall my phone\u201d: we ring it once so you can confirm it by pressing 1. "
    "Nobody else sees it."
)


class SignInForm(HtmlForm):
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[DataRequired("Enter your e-mail address."), Length(max=254)],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=rules.PASSWORD_MAX)]
    )


class SignUpForm(HtmlForm):
    first_name = StringField(
        "First name",
        validators=[DataRequired("Enter your first name."), _rule(rules.normalise_first_name)],
    )
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(max=254),
            Email("Enter an e-mail address like name@example.org."),
        ],
    )
    postcode = StringField(
        "Postcode",
        description="We use it to show you the marginal seats nearest to you.",
        validators=[DataRequired("Enter your postcode."), _rule(rules.normalise_postcode)],
    )
    phone = TelField(
        "Phone number (optional)",
        filters=[_strip],
        description=PHONE_HINT,
        validators=[Optional(), _rule(volunteer_phone)],
    )
    password = PasswordField(
        "Password",
        description=f"At least {rules.PASSWORD_MIN} characters. A few unrelated words make a good one.",
        validators=[DataRequired("Choose a password.")],
    )

    def validate_password(self, field: Any) -> None:
        problem = rules.password_problem(field.data or "", email=self.email.data or "")
        if problem is not None:
            raise ValidationError(sentence(problem))


class ResetRequestForm(HtmlForm):
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[DataRequired("Enter your e-mail address."), Length(max=254)],
    )


class NewPasswordForm(HtmlForm):
    password = PasswordField(
        "New password",
        description=f"At least {rules.PASSWORD_MIN} characters.",
        validators=[DataRequired("Choose a new password."), Length(max=rules.PASSWORD_MAX)],
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The passwords differ."),
        ],
    )


class SignOutForm(HtmlForm):
    """Only a CSRF token: signing out is a POST, so another site cannot sign people out."""


class AccountForm(HtmlForm):
    first_name = StringField(
        "First name",
        validators=[DataRequired("Enter your first name."), _rule(rules.normalise_first_name)],
    )
    email = EmailField(
        "E-mail address",
        filters=[_strip],
        validators=[
            DataRequired("Enter your e-mail address."),
            Length(max=254),
            Email("Enter an e-mail address like name@example.org."),
        ],
    )
    # Checked by phone_verification.change_details, which knows whether an admin allowed any number.
    phone = TelField("Phone number", filters=[_strip], description=PHONE_HINT, validators=[Optional()])
    password = PasswordField(
        "Current password",
        description="Needed to change your e-mail address or phone number.",
        validators=[Length(max=rules.PASSWORD_MAX)],
    )


class VerifyPhoneForm(HtmlForm):
    """Only a CSRF token: asking for the verification call is a POST."""
