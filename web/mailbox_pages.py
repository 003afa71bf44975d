"""The demo's mailbox: every e-mail the product sent, as the demo's local SMTP server received it,
for whoever is trying the demo (a password reset, a confirmation, a reminder).

Registered only when the demo's local server is on (LOCAL_MAILBOX) and never in production
(`Settings.shows_local_mailbox`): it shows everyone's e-mail to anyone.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue

from dialer.adapters.local_smtp import ReceivedMail, received
from web.access import public
from web.services import services

bp = Blueprint("mailbox_pages", __name__)

_LINK = re.compile(r"https?://[^\s<>\"]+")


@bp.app_context_processor
def _point_to_the_mailbox() -> dict[str, bool]:
    """Every page's footer links to the mailbox (the blueprint exists only in the demo)."""
    return {"demo_mailbox": True}


def _messages() -> list[ReceivedMail]:
    maildir = services().settings.local_mailbox
    assert maildir is not None  # the blueprint is registered only with it
    return received(maildir)


def _message(key: str) -> ReceivedMail:
    found = next((mail for mail in _messages() if mail.key == key), None)
    if found is None:
        abort(404)
    return found


@bp.get("/mailbox")
@public
def inbox() -> ResponseReturnValue:
    return render_template("mailbox/inbox.html", messages=_messages())


@bp.get("/mailbox/<key>")
@public
def message(key: str) -> ResponseReturnValue:
    mail = _message(key)
    return render_template("mailbox/message.html", mail=mail, links=_LINK.findall(mail.text))


@bp.get("/mailbox/<key>/html")
@public
def message_html(key: str) -> ResponseReturnValue:
    """The HTML alternative as the recipient's mail program would show it."""
    return Response(_message(key).html, mimetype="text/html")
