"""What the sign-up pages (events, carpools, pledges, doorstep, voter import) share: UK time, where
postcodes are, and sending a refused form back with its reason. `web.signup_blueprints` registers
the pages themselves."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue

from dialer.domain.places import Locate
from web.errors import shortened
from web.services import services

#: Campaigns happen in UK time; forms take it and pages show it.
UK = ZoneInfo("Europe/London")


def locate() -> Locate:
    """Postcode coordinates (the nearest-marginal finder's gazetteer, held in memory)."""
    return services().seat_finder.point_of


def uk_time(moment: datetime | None, pattern: str = "%a %-d %b, %H:%M %Z") -> str:
    """A moment in UK time, the zone named (GMT or BST), as every page shows times."""
    return "" if moment is None else moment.astimezone(UK).strftime(pattern)


def back_with_error(error: Exception, fallback: str) -> ResponseReturnValue:
    """Show the reason on the page the form came from."""
    flash(shortened(error), "error")
    target = (
        request.referrer if request.referrer and request.referrer.startswith(request.host_url) else fallback
    )
    return redirect(target, 303)
