"""Who may call what: every route and Socket.IO handler declares one access policy.

A policy decorator both enforces the rule and registers it on the view (`view.access_policy`), so
tests can walk `app.url_map` and fail on any endpoint that declared nothing, and `guard_undeclared`
refuses such an endpoint at run time as well (deny by default). Put the decorator directly under
the route decorator:

    @bp.get("/campaigns/<int:campaign_id>/results")
    @organiser_of("campaign_id")
    def results(campaign_id: int) -> ResponseReturnValue: ...

Policies: `public`, `signed_in`, `organiser` (may set up campaigns), `organiser_of(arg)` (runs the
campaign whose id is the view argument, or query argument, `arg`; with `campaign_of=Model`, `arg`
names a voter, event or import and the policy asks which campaign it belongs to; with `also=`, one
more kind of account is let in at that record, e.g. the canvassers an event's organisers
approved), `admin_only`, and `twilio_webhook` (no session: the voice blueprint checks
X-Twilio-Signature; CSRF does not apply).

Refusals: an anonymous visitor is sent to the sign-in page (a JSON endpoint under /api/ answers
401); a signed-in account without the right answers 403. Admins may do everything an organiser may.
Socket.IO namespaces use `socket_policy` on their `on_connect` and `on_<event>` methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dialer.services.accounts import roles
from web.extensions import csrf
from web.identity import Account
from web.services import services

P = ParamSpec("P")
R = TypeVar("R")

#: Endpoints Flask adds itself, and what they are.
BUILT_IN_PUBLIC = frozenset({"static"})


@dataclass(frozen=True)
class Also:
    """One more kind of account an `organiser_of` policy lets in at a record (who, and how to tell)."""

    who: str
    check: Callable[[Account, int], bool]


@dataclass(frozen=True)
class Policy:
    """A rule about who may call an endpoint. `name` is what tests and reviews read.

    For `organiser_of`, `campaign_arg` names the argument holding the id; `campaign_of` (when set)
    finds the campaign of the record that id names, and `also` lets one more kind of account in.
    """

    name: str
    needs_account: bool = True
    campaign_arg: str = ""
    campaign_of: type[roles.CampaignRecord] | None = field(default=None, compare=False)
    also: Also | None = field(default=None, compare=False)

    def allows(self, account: Account | None, arguments: Mapping[str, Any]) -> bool:
        if not self.needs_account:
            return True
        if account is None:
            return False
        if self.name == "signed_in":
            return True
        if account.is_admin:
            return True
        if self.name == "organiser":
            return account.may_organise
        if self.name == "organiser_of":
            record_id = _as_id(arguments.get(self.campaign_arg))
            if record_id is None:
                return False
            campaign_id = (
                roles.campaign_of(services().uow(), self.campaign_of, record_id)
                if self.campaign_of is not None
                else record_id
            )
            if campaign_id is not None and campaign_id in account.organises:
                return True
            return self.also is not None and self.also.check(account, record_id)
        return False  # admin_only, and any policy this function does not know

    def describe(self) -> str:
        if not self.campaign_arg:
            return self.name
        where = self.campaign_arg
        if self.campaign_of is not None:
            where = f"campaign of {self.campaign_of.__name__.lower()} {self.campaign_arg}"
        return f"{self.name}({where})" + (f" or {self.also.who}" if self.also else "")


PUBLIC = Policy("public", needs_account=False)
SIGNED_IN = Policy("signed_in")
ORGANISER = Policy("organiser")
ADMIN_ONLY = Policy("admin_only")
TWILIO_WEBHOOK = Policy("twilio_webhook", needs_account=False)


def _as_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def policy_of(view: Callable[..., Any]) -> Policy | None:
    """The policy a view function declared, or None."""
    policy = getattr(view, "access_policy", None)
    return policy if isinstance(policy, Policy) else None


def current_account() -> Account | None:
    return current_user if current_user.is_authenticated else None


def _declare(policy: Policy) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    def decorate(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        if policy_of(view) is not None:
            raise TypeError(f"{view.__qualname__} declares two access policies")

        @wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            account = current_account()
            arguments = {**request.args.to_dict(), **(request.view_args or {})}
            if not policy.allows(account, arguments):
                return refuse(signed_in=account is not None)
            return view(*args, **kwargs)

        checked.access_policy = policy  # type: ignore[attr-defined]
        return checked

    return decorate


def public(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
    """Anyone, signed in or not."""
    return _declare(PUBLIC)(view)


def signed_in(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
    """Any signed-in account (the view itself limits what a volunteer sees to their own work)."""
    return _declare(SIGNED_IN)(view)


def organiser(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
    """Organisers (of any campaign, or with the organiser role) and admins."""
    return _declare(ORGANISER)(view)


def organiser_of(
    arg: str, *, campaign_of: type[roles.CampaignRecord] | None = None, also: Also | None = None
) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Organisers of the campaign whose id is the view (or query) argument `arg`, and admins.

    `campaign_of=Voter` (or Event, VoterImport): `arg` is that record's id, and the policy is about
    the campaign it belongs to (an unknown record belongs to none: 403, except for admins).
    `also`: one more kind of account allowed at that record (checked only for non-organisers).
    """
    return _declare(_organiser_of(arg, campaign_of, also))


def _organiser_of(arg: str, campaign_of: type[roles.CampaignRecord] | None, also: Also | None) -> Policy:
    if not arg:
        raise TypeError("organiser_of needs the name of the argument holding the id")
    return Policy("organiser_of", campaign_arg=arg, campaign_of=campaign_of, also=also)


def admin_only(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
    """Admins only."""
    return _declare(ADMIN_ONLY)(view)


def twilio_webhook(view: Callable[P, R]) -> Callable[P, R]:
    """Twilio's callbacks: no session and no CSRF token; the voice blueprint validates the signature."""
    view.access_policy = TWILIO_WEBHOOK  # type: ignore[attr-defined]
    csrf.exempt(view)
    return view


def wants_json() -> bool:
    """JSON endpoints live under /api/ (and fetch() calls that ask for JSON get it everywhere)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def refuse(*, signed_in: bool) -> ResponseReturnValue:
    """Send anonymous visitors to sign in (401 for JSON); refuse signed-in ones with 403."""
    if signed_in:
        abort(403)
    if wants_json():
        return jsonify(error="sign in first", sign_in=url_for("auth.sign_in")), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else ""
    return redirect(url_for("auth.sign_in", next=target or None))


def guard_undeclared(app: Flask) -> None:
    """Refuse, at run time, any endpoint that declared no policy (the tests also catch it earlier)."""

    @app.before_request
    def _deny_undeclared() -> ResponseReturnValue | None:
        endpoint = request.endpoint
        if endpoint is None or endpoint in BUILT_IN_PUBLIC:
            return None
        view = current_app.view_functions.get(endpoint)
        if view is not None and policy_of(view) is None:
            current_app.logger.error("endpoint %s declares no access policy: refused", endpoint)
            abort(403)
        return None


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints with no access policy (what the coverage test reports)."""
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in BUILT_IN_PUBLIC and policy_of(app.view_functions[rule.endpoint]) is None
    )


# --- Socket.IO -----------------------------------------------------------------------------------


class SocketRefused(ConnectionRefusedError):
    """Raised from on_connect: Socket.IO tells the client why and does not connect it."""


def socket_policy(
    policy: Policy | Callable[..., Any],
    *,
    arg: str = "",
    campaign_of: type[roles.CampaignRecord] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R | dict[str, str]]]:
    """Guard a Socket.IO handler (a Namespace's `on_connect` or `on_<event>` method) with a policy.

    `policy` is one of the route decorators (`signed_in`, `organiser`, `admin_only`, ...) or a
    Policy; for `organiser_of` pass `arg`, the key in the connect `auth` or event payload that holds
    the campaign id (or, with `campaign_of`, the id of the record whose campaign it is). A refused
    connect raises SocketRefused; a refused event is not handled and its acknowledgement is
    `{"error": "forbidden"}` (or "sign in first").
    """
    chosen = _policy_named(policy, arg, campaign_of)

    def decorate(handler: Callable[P, R]) -> Callable[P, R | dict[str, str]]:
        connect = handler.__name__ == "on_connect"

        @wraps(handler)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R | dict[str, str]:
            account = current_account()
            payload = next((a for a in reversed(args) if isinstance(a, dict)), {})
            if not chosen.allows(account, payload):
                reason = "forbidden" if account is not None else "sign in first"
                if connect:
                    raise SocketRefused(reason)
                return {"error": reason}
            return handler(*args, **kwargs)

        checked.access_policy = chosen  # type: ignore[attr-defined]
        return checked

    return decorate


def _policy_named(
    policy: Policy | Callable[..., Any], arg: str, campaign_of: type[roles.CampaignRecord] | None
) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if policy is organiser_of:
        if not arg:
            raise TypeError("socket_policy(organiser_of, arg=...) needs the campaign id's key")
        return _organiser_of(arg, campaign_of, None)
    known = {public: PUBLIC, signed_in: SIGNED_IN, organiser: ORGANISER, admin_only: ADMIN_ONLY}
    if policy not in known:
        raise TypeError(f"{policy!r} is not an access policy")
    return known[policy]


def socket_handlers(server: Any) -> dict[tuple[str, str], Callable[..., Any]]:
    """Every Socket.IO handler a python-socketio server has, keyed by (namespace, event)."""
    found: dict[tuple[str, str], Callable[..., Any]] = {}
    for namespace, events in server.handlers.items():
        for event, handler in events.items():
            found[(namespace, event)] = handler
    for namespace, instance in server.namespace_handlers.items():
        for name in dir(instance):
            if name.startswith("on_") and callable(getattr(instance, name)):
                found[(namespace, name.removeprefix("on_"))] = getattr(instance, name)
    return found
