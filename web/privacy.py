"""The privacy page: every cookie the product sets, what it is for and how long it lives, read from
the app's own configuration so the page cannot drift from what the browser is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from web.access import public
from web.identity import IDLE_LIMIT

bp = Blueprint("privacy", __name__)


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: list[str]
    lifetime: str
    party: str = "First-party: set and read only by this site"


def _hours(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def cookies() -> list[Cookie]:
    """The cookies this app sets (there is one: the session cookie, whose name depends on https)."""
    config = current_app.config
    signed_in_for = config["PERMANENT_SESSION_LIFETIME"]
    return [
        Cookie(
            name=config["SESSION_COOKIE_NAME"],
            purpose=[
                "keeps you signed in (it names your sign-in session, which is kept on our server)",
                "carries the token that protects every form from cross-site request forgery",
                "carries one-off messages such as 'your place is booked'",
                "only if you say yes when a share link brings you here: remembers that link for this "
                "visit, so a pledge, sign-up or place you take is counted for the person who shared it "
                "(and, if you say no, that you said no)",
                "remembers, for this visit only, the e-mail address you pledged with, so you can book a "
                "knock-up slot or share your link without typing it again",
            ],
            lifetime=(
                "Until you close your browser when you are not signed in. Signed in: at most "
                f"{_hours(signed_in_for)}, and your session ends after {_hours(IDLE_LIMIT)} without use "
                "or when you sign out."
            ),
        )
    ]


@bp.get("/privacy")
@public
def page() -> ResponseReturnValue:
    return render_template("privacy.html", cookies=cookies())
