"""The volunteer's first page and its API: the marginal seats nearest a postcode.

`GET /marginals?postcode=...` renders the page on the server (it works without JavaScript);
`GET /api/marginals/nearest?postcode=...` answers the same question in JSON. Both accept `party`,
`election`, `threshold`, `limit` and `order`, answer bad input with a 400 saying what was wrong,
and share one per-client rate limit (LOOKUP_RATE_LIMIT).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded

from dialer.domain.elections import DEFAULT_ELECTION, ELECTIONS
from dialer.domain.marginality import DEFAULT_PARTY, DEFAULT_THRESHOLD_PCT, MarginalityRule
from dialer.domain.need import HALF_CLOSENESS_MAJORITY_PCT, HALF_TRAVEL_KM
from dialer.errors import InvalidInput
from dialer.services.accounts.volunteer_view import volunteer_view
from dialer.services.geography.seat_finder import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    FindSeats,
    Ordering,
    RankedSeat,
    SeatDataMissing,
    SeatsNearby,
)
from web import parties, seat_map
from web.access import public
from web.extensions import limiter
from web.services import services

bp = Blueprint("marginals", __name__)
LONDON = ZoneInfo("Europe/London")
_MAX_ECHO = 16


def _lookup_limit() -> str:
    return services().settings.lookup_rate_limit


#: One budget per client address for the page and the API together; a bare form is free.
lookups = limiter.shared_limit(
    _lookup_limit, scope="postcode-lookups", exempt_when=lambda: "postcode" not in request.args
)


@bp.get("/api/marginals/nearest")
@public
@lookups
def nearest() -> ResponseReturnValue:
    try:
        found = services().seat_finder.find(find_seats(request.args))
    except InvalidInput as exc:
        return jsonify(error=str(exc)), 400
    except SeatDataMissing as exc:
        return jsonify(error=str(exc)), 503
    return jsonify(as_json(found))


@bp.get("/marginals")
@public
@lookups
def page() -> ResponseReturnValue:
    args = request.args
    order = Ordering.NEED if args.get("order") == Ordering.NEED.value else Ordering.DISTANCE
    context = _page_context(args, order)
    if "postcode" not in args:
        return _render(context, 200)
    finder = services().seat_finder
    try:
        command = find_seats(args)
        view = volunteer_view(finder, services().uow, services().clock, command)
    except InvalidInput as exc:
        return _render(context, 400, error=str(exc))
    except SeatDataMissing as exc:
        return _render(context, 503, error=str(exc))
    context.update(
        view=view,
        parties=finder.parties(view.nearest.rule.election),
        rankings={Ordering.DISTANCE.value: view.nearest, Ordering.NEED.value: view.neediest},
        close_up=seat_map.close_up(view, order.value),
        overview=seat_map.overview(view, order.value),
        query=_query(view.nearest),
    )
    return _render(context, 200)


@bp.errorhandler(RateLimitExceeded)
def too_many_lookups(exc: RateLimitExceeded) -> ResponseReturnValue:
    item = exc.limit.limit
    every = item.GRANULARITY.name if item.multiples == 1 else f"{item.multiples} {item.GRANULARITY.name}s"
    message = (
        f"too many postcode look-ups from your connection (at most {item.amount} per {every}): "
        "please wait a little and try again"
    )
    if request.path.startswith("/api/"):
        return jsonify(error=message), 429
    return _render(_page_context(request.args, Ordering.DISTANCE), 429, error=message)


def _page_context(args: Mapping[str, str], order: Ordering) -> dict[str, Any]:
    return {
        "custom_rule": _asks_for_another_rule(args),
        "form": {
            key: args.get(key, "")[:_MAX_ECHO] for key in ("postcode", "party", "election", "threshold")
        },
        "order": order.value,
        "elections": list(ELECTIONS),
        "defaults": {
            "party": DEFAULT_PARTY,
            "election": DEFAULT_ELECTION,
            "threshold": DEFAULT_THRESHOLD_PCT,
        },
        "formula": {"majority_pct": HALF_CLOSENESS_MAJORITY_PCT, "km": HALF_TRAVEL_KM},
    }


def _asks_for_another_rule(args: Mapping[str, str]) -> bool:
    """Whether the options differ from the defaults (the form then shows them open)."""
    party, election = args.get("party", "").strip().lower(), args.get("election", "").strip().lower()
    try:
        threshold = float(args.get("threshold", "").strip() or DEFAULT_THRESHOLD_PCT)
    except ValueError:
        return True
    return (
        party not in ("", DEFAULT_PARTY.lower())
        or election not in ("", DEFAULT_ELECTION.lower())
        or threshold != DEFAULT_THRESHOLD_PCT
    )


def _render(context: dict[str, Any], status: int, *, error: str | None = None) -> ResponseReturnValue:
    if "parties" not in context:
        election = context["form"].get("election", "").upper()
        try:
            context["parties"] = services().seat_finder.parties(
                election if election in ELECTIONS else DEFAULT_ELECTION
            )
        except SeatDataMissing:
            context["parties"] = [DEFAULT_PARTY]
    return render_template("marginals.html", error=error, **context), status


# --- parsing and rendering --------------------------------------------------------------------


def find_seats(args: Mapping[str, str]) -> FindSeats:
    """The look-up a request asks for; InvalidInput saying which parameter is wrong and why."""
    rule = MarginalityRule(
        party=args.get("party") or DEFAULT_PARTY,
        election=args.get("election") or DEFAULT_ELECTION,
        threshold_pct=_number(args, "threshold", DEFAULT_THRESHOLD_PCT),
    )
    order = args.get("order") or Ordering.DISTANCE.value
    if order not in {o.value for o in Ordering}:
        raise InvalidInput("order must be 'distance' (nearest first) or 'need' (needs you most)")
    limit = _number(args, "limit", float(DEFAULT_LIMIT))
    if not limit.is_integer():
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return FindSeats(args.get("postcode", ""), rule, int(limit), Ordering(order))


def _number(args: Mapping[str, str], name: str, default: float) -> float:
    text = args.get(name, "").strip()
    if not text:
        return default
    try:
        return float(text) if len(text) <= 20 else float("nan")
    except ValueError:
        raise InvalidInput(f"{name} must be a number") from None


def as_json(found: SeatsNearby) -> dict[str, Any]:
    location = found.location
    home = found.home_seat
    return {
        "query": {
            "postcode": location.query.text,
            "party": found.rule.party,
            "election": found.rule.election,
            "threshold_pct": found.rule.threshold_pct,
            "order": found.order.value,
            "limit": found.limit,
        },
        "location": {
            "postcode": location.query.text,
            "district": location.query.outward,
            "precision": location.precision.value,
            "lat": location.lat,
            "lon": location.lon,
            "non_geographic": location.non_geographic,
            "constituency": {"ons_code": home.ons_code, "name": home.name} if home else None,
        },
        "marginal_seats": found.marginal_count,
        "party_absent": (
            {
                "party": found.absent.party,
                "seat": found.absent.home_seat.name,
                "country": found.absent.home_seat.country,
                "whole_country": found.absent.whole_country,
                "parties_that_stood": list(found.absent.stood_here),
            }
            if found.absent
            else None
        ),
        "seats": [_seat_json(ranked) for ranked in found.seats],
        "needs_you_most": (
            "score = closeness x staffing x travel; closeness = 1/(1 + majority_pct/"
            f"{HALF_CLOSENESS_MAJORITY_PCT:g}), staffing = (1 + shortfall)/2 with shortfall = "
            "max(0, target - committed)/target, travel = 1/(1 + distance_km/"
            f"{HALF_TRAVEL_KM:g})"
        ),
    }


def _seat_json(ranked: RankedSeat) -> dict[str, Any]:
    seat, activity = ranked.seat, ranked.activity
    return {
        "rank": ranked.rank,
        "name": seat.name,
        "ons_code": seat.ons_code,
        "country": seat.country,
        "region": seat.region,
        "lat": seat.lat,
        "lon": seat.lon,
        "result": seat.result,
        "winner": seat.winner,
        "runner_up": seat.runner_up,
        "standing": ranked.standing.value,
        "majority": seat.majority,
        "majority_pct": seat.majority_pct,
        "distance_km": round(ranked.distance_km, 3),
        "need": {
            "score": round(ranked.need.score, 4),
            "closeness": round(ranked.need.closeness, 4),
            "staffing": round(ranked.need.staffing, 4),
            "travel": round(ranked.need.travel, 4),
        },
        "upcoming_events": activity.upcoming_events,
        "carpools": activity.carpools,
        "open_phone_banks": activity.open_phone_banks,
        "volunteers_committed": activity.committed_volunteers,
        "volunteer_target": activity.volunteer_target,
        "phone_bank_url": f"/call/{activity.phone_banks[0]}" if activity.phone_banks else None,
    }


def _query(found: SeatsNearby) -> dict[str, str]:
    return {
        "postcode": found.location.query.text,
        "party": found.rule.party,
        "election": found.rule.election,
        "threshold": f"{found.rule.threshold_pct:g}",
    }


@bp.app_template_filter("london")
def london_time(moment: datetime, fmt: str = "%a %-d %b, %H:%M") -> str:
    return moment.astimezone(LONDON).strftime(fmt)


@bp.app_template_global("party_name")
def _party_name(code: str) -> str:
    return parties.party_name(code)


@bp.app_template_global("party_class")
def _party_class(code: str) -> str:
    return parties.party_class(code)
