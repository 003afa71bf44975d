"""The base of every HTML form: Flask-WTF (CSRF token included) reading only the posted form fields.

Flask-WTF would otherwise read a JSON body as the form's data, and a JSON body that is not an
object of strings (a list, a number, nested objects) breaks WTForms. JSON endpoints parse their
own bodies; forms read forms.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm

from dialer.errors import InvalidInput
from web.errors import sentence

_SUBMITTING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class HtmlForm(FlaskForm):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formdata", request.form if request.method in _SUBMITTING else None)
        super().__init__(*args, **kwargs)


def refuse(form: HtmlForm, error: InvalidInput) -> None:
    """Put a use case's reason beside the field it names (else above the form, in the summary)."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, sentence(error)]
    else:
        form.form_errors.append(sentence(error))
