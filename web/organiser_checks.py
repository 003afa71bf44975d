"""The permission checks of the sign-up pages, one call at the top of each route.

Kept in one module so they can move to the account service's role and policy registry as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import abort, request
from flask_login import current_user, login_required

from dialer.services import doorstep, signup_slot
from dialer.services.organiser_rights import may_organise
from web.services import services

View = TypeVar("View", bound=Callable[..., Any])


def signed_in(view: View) -> View:
    """Flask-Login's login_required, typed: anonymous visitors are sent to sign in."""
    return cast(View, login_required(view))


def account_id() -> int:
    return int(current_user.id)


def require_organiser(campaign_id: int) -> int:
    """The signed-in account's id if it organises this campaign; 403 otherwise."""
    with services().uow() as uow:
        if not may_organise(uow.session, account_id(), campaign_id):
            abort(403)
    return account_id()


def require_canvasser(event_id: int, *, recording: bool = False) -> int:
    """Canvassers with a confirmed place at the event (around its time), and its campaign's organisers."""
    wired = services()
    if not doorstep.may_canvass(wired.uow(), wired.clock, account_id(), event_id, recording=recording):
        abort(403)
    return account_id()


def require_conversation_with(voter_id: int) -> int:
    """The volunteer talking (or who just talked) to this voter, or an organiser of the campaign."""
    if not signup_slot.may_sign_up(services().uow(), services().clock, account_id(), voter_id):
        abort(403)
    return account_id()


def client_ip() -> str:
    return request.remote_addr or ""
