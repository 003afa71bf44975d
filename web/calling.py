"""The volunteer's calling screens: the phone banks to join, the calling page, and its JSON actions.

Routes parse, call one use case and render. Nothing a volunteer receives contains a phone number:
the views are built from the use cases' voter cards and seat payloads, which carry none.

Every route is for any signed-in volunteer (any campaign whose phone bank is active); which seat
and which call is the service's question: another volunteer's session answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec
from uuid import uuid4

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.domain.seats import AudioLeg
from dialer.errors import Conflict, InvalidInput, NotFound
from dialer.services.accounts.volunteer_progress import volunteer_progress
from dialer.services.calling import calling_view, dialing, leaderboard, outcome_drafts, sessions
from dialer.services.calling.outcomes import MAX_NOTES, OutcomeForm, record_outcome
from web import cascade_pages
from web import json_fields as fields
from web.access import signed_in
from web.call_script import ScriptContext, render_script
from web.services import services
from web.signups import UK

bp = Blueprint("calling", __name__)

P = ParamSpec("P")

#: How long a saved outcome can be undone on the calling page before it is sent and the seat is
#: ready again (until then the seat stays in wrap-up: no pacer dials for it).
UNDO_SECONDS = 5


@bp.get("/call")
@signed_in
def phone_banks() -> ResponseReturnValue:
    bank = services().phone_bank
    return render_template(
        "calling/index.html", phone_banks=calling_view.phone_banks(bank.uow(), now=bank.clock.now())
    )


@bp.get("/call/<int:campaign_id>")
@signed_in
def calling_page(campaign_id: int) -> ResponseReturnValue:
    bank = services().phone_bank
    try:
        page = calling_view.calling_page(bank.uow(), current_user.id, campaign_id, now=bank.clock.now())
    except NotFound:
        return render_template("calling/missing.html"), 404
    return render_template(
        "calling/page.html",
        page=page,
        script_html=render_script(
            page.script_md,
            ScriptContext(
                volunteer_first_name=current_user.first_name, seat=", ".join(page.seats), campaign=page.name
            ),
        ),
        bootstrap={
            "campaign": campaign_id,
            "mode": page.mode.value,
            "session": page.session,
            "totals": page.totals,
            "phone": _softphone(),
            "undo_seconds": UNDO_SECONDS,
        },
        idempotency_key=uuid4().hex,
        progress=volunteer_progress(bank.uow(), current_user.id, now=bank.clock.now()),
        leaderboard=leaderboard.leaderboard(bank.uow(), campaign_id, current_user.id),
    )


def _softphone() -> dict[str, str | None]:
    """Which softphone the page runs (phone.js): Twilio's Voice SDK, or the simulator's SimPhone."""
    settings = services().settings
    return {
        "backend": settings.telephony_backend.value,
        "simulator_url": settings.simulator_url if settings.uses_simulator else None,
    }


def json_action(view: Callable[P, Any]) -> Callable[P, ResponseReturnValue]:
    """Run a JSON action: the product's own errors become 400/404/409 with a message to show."""

    @wraps(view)
    def run(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        try:
            result = view(*args, **kwargs)
        except InvalidInput as exc:
            return jsonify(error=str(exc)), 400
        except Conflict as exc:
            return jsonify(error=str(exc)), 409
        return jsonify(result if result is not None else {"ok": True})

    return run


@bp.get("/call/progress")
@signed_in
@json_action
def progress() -> dict[str, Any]:
    """The volunteer's own progress and badges (the calling page reads it after each outcome)."""
    bank = services().phone_bank
    return volunteer_progress(bank.uow(), current_user.id, now=bank.clock.now()).as_dict()


@bp.get("/call/<int:campaign_id>/leaderboard")
@signed_in
@json_action
def standings(campaign_id: int) -> dict[str, Any]:
    """The phone bank's leaderboard: the volunteers who chose to be on it."""
    return leaderboard.leaderboard(services().uow(), campaign_id, current_user.id).as_dict()


@bp.post("/call/<int:campaign_id>/leaderboard")
@signed_in
@json_action
def show_me_on_leaderboard(campaign_id: int) -> dict[str, Any]:
    """Opt in to (or out of) the leaderboard: {"show_me": true/false}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("show_me"), bool):
        raise InvalidInput('send {"show_me": true} or {"show_me": false}')
    bank = services().phone_bank
    leaderboard.show_me(bank.uow(), campaign_id, current_user.id, body["show_me"], now=bank.clock.now())
    return leaderboard.leaderboard(bank.uow(), campaign_id, current_user.id).as_dict()


@bp.get("/call/<int:campaign_id>/wait")
@signed_in
@json_action
def wait(campaign_id: int) -> dict[str, Any]:
    """The wait a ready volunteer is told to expect, from the phone bank's recent dials."""
    bank = services().phone_bank
    return {"seconds": calling_view.wait_estimate(bank.uow(), campaign_id, now=bank.clock.now())}


@bp.post("/call/<int:campaign_id>/session")
@signed_in
@json_action
def start(campaign_id: int) -> dict[str, Any]:
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise InvalidInput("send the session's options as a JSON object")
    try:
        audio = AudioLeg(body.get("audio", AudioLeg.BROWSER.value))
    except (ValueError, TypeError):
        raise InvalidInput("audio must be browser or phone") from None
    rejoin = body.get("rejoin")
    if rejoin is not None and (isinstance(rejoin, bool) or not isinstance(rejoin, int)):
        raise InvalidInput("rejoin must be the session's number")
    started = sessions.start_session(
        services().phone_bank, current_user.id, campaign_id, audio, rejoin=rejoin
    )
    cascade_pages.credit(current_user.email, "call", started.session_id)
    return {
        "session": started.session_id,
        "state": started.state.value,
        "audio": started.audio.value,
        "softphone_token": started.softphone_token,
    }


@bp.get("/call/session/<int:session_id>")
@signed_in
@json_action
def snapshot(session_id: int) -> dict[str, Any]:
    return calling_view.session_snapshot(services().uow(), current_user.id, session_id)


@bp.post("/call/session/<int:session_id>/<action>")
@signed_in
@json_action
def act(session_id: int, action: str) -> dict[str, Any] | None:
    bank = services().phone_bank
    actions: dict[str, Callable[[], object]] = {
        "pause": lambda: {"paused": sessions.pause(bank, current_user.id, session_id)},
        "resume": lambda: sessions.resume(bank, current_user.id, session_id),
        "end": lambda: sessions.end_session(bank, current_user.id, session_id),
        "hang-up": lambda: sessions.hang_up(bank, current_user.id, session_id),
        "dial": lambda: {"call": dialing.dial_preview(bank, current_user.id, session_id)},
        "skip": lambda: dialing.skip_preview(bank, current_user.id, session_id),
        "outcome": lambda: {"outcome": record_outcome(bank, current_user.id, session_id, _outcome_form())},
        "draft": lambda: _save_draft(session_id),
        "softphone-token": lambda: {
            "softphone_token": sessions.renewed_softphone_token(bank, current_user.id, session_id)
        },
    }
    run = actions.get(action)
    if run is None:
        raise NotFound(f"no action {action!r}")
    result = run()
    return result if isinstance(result, dict) else None


def _save_draft(session_id: int) -> None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("answers") or {}, dict):
        raise InvalidInput("send the draft as JSON, answers as an object keyed by question")
    try:
        call_id = int(body.get("call", 0))
    except (TypeError, ValueError):
        raise InvalidInput("the call is not understood") from None
    outcome_drafts.save_draft(
        services().uow(),
        current_user.id,
        session_id,
        call_id,
        body.get("answers") or {},
        str(body.get("notes", "")),
    )


def _outcome_form() -> OutcomeForm:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("send the outcome as JSON")
    call_back_at = fields.text(body, "call_back_at", longest=40)
    try:
        when = datetime.fromisoformat(call_back_at) if call_back_at else None
    except ValueError:
        raise InvalidInput("the call-back time is not understood") from None
    if when is not None and when.tzinfo is None:  # a wall time typed on the page: UK time
        when = when.replace(tzinfo=UK)
    return OutcomeForm(
        call_id=fields.record_id(body, "call"),
        disposition=fields.text(body, "disposition", longest=40),
        answers=fields.mapping(body, "answers"),
        notes=fields.text(body, "notes", longest=MAX_NOTES),
        call_back_at=when,
        idempotency_key=fields.text(body, "idempotency_key", longest=64) or None,
        pause_after=fields.flag(body, "pause_after"),
        others=fields.texts_by_id(body, "others", longest=40),
    )
