"""The sign-up pages (events, carpools, pledges, doorstep, voter import, sign-up slots), registered
on the app in one call."""

from __future__ import annotations

from flask import Flask

from web import (
    carpool_pages,
    doorstep_pages,
    event_pages,
    organiser_signups,
    pledge_pages,
    signup_slot,
    voter_imports,
)
from web.signups import uk_time


def register(app: Flask) -> None:
    for module in (
        event_pages,
        carpool_pages,
        pledge_pages,
        doorstep_pages,
        organiser_signups,
        voter_imports,
        signup_slot,
    ):
        app.register_blueprint(module.bp)
    app.add_template_filter(uk_time, "uk_time")
