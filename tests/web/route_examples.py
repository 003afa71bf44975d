"""How to call each endpoint in the authorization matrix and the fuzz run (data, not tests).

Every endpoint is called as each of AUDIENCES. A route needs an entry here only when the defaults do
not fit:

- URL arguments are filled in by name from PARAMETERS (add a line for a new argument name; the
  function gets the `World` from tests/people.py and the services, and returns a value that makes
  the route do its real work for the organiser of `world.campaign_id`).
- `EXAMPLES[(endpoint, method)]` gives form or JSON data and the exact status an allowed caller
  gets. Without an entry, an allowed GET must answer 200 and an allowed POST/PUT/PATCH/DELETE any
  2xx or 3xx that is not the sign-in page. `statuses` gives the exact status for callers whose answer
  depends on the rows rather than on the policy: a volunteer's own calling session (anyone else's
  is a 404), the driver answering a carpool request, a canvasser with a place at the event.

Refusals need no entry: they follow from the route's policy (tests/web/test_access_matrix.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from dialer.bootstrap import Services
from dialer.models import User
from dialer.services.accounts import accounts
from dialer.services.signups import cascade
from tests.people import PASSWORD, VOTERS_CSV, World
from web import register_blueprints
from web.access import BUILT_IN_PUBLIC
from web.converters import RecordId


def route_table() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route the app registers, read from a bare app."""
    app = Flask("web")
    app.url_map.converters["int"] = RecordId
    register_blueprints(app)
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in BUILT_IN_PUBLIC
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    )


def _reset_token(world: World, services: Services) -> str:
    """A reset token for the world's volunteer, at the address the account has now (a fuzz run may
    have changed it on the account page)."""
    with services.uow() as uow:
        volunteer = uow.session.get(User, world.accounts["volunteer"])
        assert volunteer is not None
        email = volunteer.email
    link = accounts.request_reset(services.uow(), services.clock, services.settings.secret_key, email)
    assert link is not None, f"no reset link for {email}"
    return link.token


def _a_shift(world: World, services: Services) -> int:
    """A calling shift of the world's campaign, starting in an hour."""
    from datetime import timedelta

    from dialer.services.calling import shifts

    starts = services.clock.now() + timedelta(hours=1)
    form = shifts.ShiftForm(starts_at=starts, ends_at=starts + timedelta(hours=2), wanted=50)
    return shifts.publish_shift(services.phone_bank, world.campaign_id, None, form)


def _a_knock_up_slot(world: World, services: Services) -> int:
    """A polling-day knock-up slot in the world's seat, which the world's volunteer may book: they
    have made the campaign's pledge (made here, as the slot is asked for)."""
    from datetime import timedelta

    from dialer.services.compliance.audit import Actor
    from dialer.services.signups import knock_up, pledges
    from tests.people import SEAT

    starts = services.clock.now() + timedelta(days=1)
    draft = knock_up.SlotDraft(
        ons_code=SEAT, starts_at=starts, ends_at=starts + timedelta(hours=3), places=6, meeting_postcode="BS1"
    )
    pledges.make_pledge(
        services.uow(), services.clock, world.pledge_id, channel="web", user_id=world.accounts["volunteer"]
    )
    return knock_up.publish_slot(
        services.uow(),
        services.clock,
        services.seat_finder.point_of,
        world.campaign_id,
        draft,
        Actor(world.accounts["organiser"]),
    )


def _sign_up_token(world: World, services: Services) -> str:
    """A link's token for a sign-up waiting to be confirmed (a new address each time)."""
    import hashlib
    import secrets

    from dialer.models import PendingSignUp

    token = secrets.token_urlsafe(16)
    with services.uow() as uow:
        uow.session.add(
            PendingSignUp(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                email=f"new-{token.lower()}@example.org",
                password_hash=services.passwords.hash("a perfectly good passphrase"),
                first_name="Kim",
                created_at=services.clock.now(),
            )
        )
        uow.commit()
    return token


def _share_code(world: World, services: Services) -> str:
    link = cascade.link_for(
        services.uow(),
        services.clock,
        owner_email=world.emails["volunteer"],
        owner_name="Val",
        kind="pledge",
        target_id=world.pledge_id,
    )
    return link.code


PARAMETERS: dict[str, Callable[[World, Services], Any]] = {
    "campaign_id": lambda world, services: world.campaign_id,
    "voter_id": lambda world, services: world.voter_id,
    "entry_id": lambda world, services: world.suppression_id,
    "user_id": lambda world, services: world.accounts["volunteer"],
    "token": _reset_token,
    "sign_up_token": _sign_up_token,
    "name": lambda world, services: "socket.io.min.js",
    # the phone bank
    "session_id": lambda world, services: world.session_id,
    "action": lambda world, services: "end",
    # sign-ups
    "event_id": lambda world, services: world.event_id,
    "signup_id": lambda world, services: world.signup_id,
    "carpool_id": lambda world, services: world.carpool_id,
    "seat_id": lambda world, services: world.carpool_seat_id,
    "answer": lambda world, services: "accept",
    "campaign_slug": lambda world, services: world.campaign_slug,
    "pledge_slug": lambda world, services: world.pledge_slug,
    "pledge_id": lambda world, services: world.pledge_id,
    "state": lambda world, services: "close",
    "kind": lambda world, services: "outcomes",
    "import_id": lambda world, services: world.import_id,
    # the organiser's dashboard and campaign settings (the world's campaign is taking calls)
    "change": lambda world, services: "pause",
    # doorstep canvassing: the volunteer with a place at the world's event is approved already
    "decision": lambda world, services: "approve",
    # calling shifts: one published for the world's campaign, booked (or cancelled) by whoever asks
    "shift_id": lambda world, services: _a_shift(world, services),
    # texts to voters: a link that was never sent (the page is public, and says so)
    "link_token": lambda world, services: "never-sent",
    # sharing: a link to the world's pledge, shared by its volunteer
    "code": _share_code,
    # knocking up: a slot in the world's seat, bookable by its volunteer (who has pledged)
    "slot_id": _a_knock_up_slot,
}

#: A complete, valid campaign form (the organiser's create and settings pages).
CAMPAIGN_FORM = {
    "name": "Bristol Central evening calls",
    "seats": "E14001126",
    "script_md": "## Hello\n\nAsk about **polling day**.",
    "caller_id": "020 7946 0000",
    "dialing_mode": "power",
    "max_attempts": "3",
    "ring_timeout_s": "25",
    "seat_grace_s": "60",
    "weekday_start": "08:00",
    "weekday_end": "21:00",
    "weekend_start": "09:00",
    "weekend_end": "21:00",
    "information_message": "",
    "questions-0-key": "intention",
    "questions-0-prompt": "Who will you vote for?",
    "questions-0-kind": "single",
    "questions-0-options": "Labour\nGreen\nOther",
    "retry_no_answer": "120",
}

#: Only the volunteer whose session it is may use it: anyone else is told there is no such session.
OWN_SESSION = {"volunteer": 200, "other_organiser": 404, "organiser": 404, "admin": 404}


@dataclass(frozen=True)
class Example:
    """A call that does the endpoint's real work when allowed."""

    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    json: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None
    ok: int | tuple[int, ...] | None = None  # the exact status(es) an allowed caller gets
    statuses: dict[str, int] = field(default_factory=dict)  # by audience, where the rows decide

    def form(self, world: World) -> dict[str, Any]:
        return self.data(world) if callable(self.data) else dict(self.data)

    def body(self, world: World) -> dict[str, Any] | None:
        return self.json(world) if callable(self.json) else self.json


EXAMPLES: dict[tuple[str, str], Example] = {
    # --- texts to voters (issue 18): the world's voter signed up for nothing, which the use case
    # says once the policy has let the caller through (tests/integration/test_texts.py sends them)
    ("text_pages.send", "POST"): Example(
        json=lambda world: {"kind": "event", "id": world.event_id, "agreed": True},
        ok=404,
        statuses={"volunteer": 404},  # who recorded the world's conversation with the voter
    ),
    ("text_pages.options", "GET"): Example(statuses={"volunteer": 200}),
    ("text_pages.wording", "POST"): Example(data={"link-event": "See you at {title}, {when}."}, ok=303),
    ("text_pages.link", "GET"): Example(ok=404),
    # the nearest-marginal look-up is public; the matrix's database holds no election data (503)
    ("marginals.nearest", "GET"): Example(ok=503),
    ("home.healthz", "GET"): Example(ok=(200, 503)),  # 503 when no worker is running (none in tests)
    ("auth.sign_in", "POST"): Example(data={"email": "nobody@example.org", "password": "x"}, ok=401),
    ("auth.sign_up", "POST"): Example(
        data={
            "first_name": "Kim",
            "email": "kim@example.org",
            "postcode": "BS1 4DJ",
            "password": "a perfectly good passphrase",
        },
        ok=303,
    ),
    ("auth.sign_out", "POST"): Example(ok=303),
    ("auth.finish_sign_up", "POST"): Example(ok=303),
    # a new e-mail address (and no phone) needs the account's password: given, so the change is made
    ("account_pages.account", "POST"): Example(
        data={"first_name": "Kim", "email": "kim@example.org", "phone": "", "password": PASSWORD}, ok=303
    ),
    ("auth.request_reset", "POST"): Example(data={"email": "nobody@example.org"}, ok=303),
    ("auth.reset_password", "POST"): Example(
        data={"password": "another good passphrase", "confirm": "another good passphrase"}, ok=303
    ),
    ("suppression.add", "POST"): Example(data={"phone": "07700 900111", "reason": "opt_out"}, ok=303),
    ("suppression.remove", "POST"): Example(ok=303),
    ("data_protection.export", "POST"): Example(ok=200),
    ("data_protection.erase", "POST"): Example(data={"confirm": "y"}, ok=303),
    ("people.grant", "POST"): Example(data=lambda world: {"campaign_id": world.campaign_id}, ok=303),
    ("people.revoke", "POST"): Example(ok=303),
    ("people.set_role", "POST"): Example(data={"role": "organiser"}, ok=303),
    ("people.any_phone", "POST"): Example(data={"allowed": "yes"}, ok=303),
    # --- the phone bank (issue 5) ---
    ("calling.start", "POST"): Example(json={"audio": "browser"}, ok=200),
    ("calling.snapshot", "GET"): Example(statuses=OWN_SESSION),
    ("calling.act", "POST"): Example(json={}, statuses=OWN_SESSION),
    ("calling.show_me_on_leaderboard", "POST"): Example(json={"show_me": True}, ok=200),
    # --- sign-ups (issue 7) ---
    ("event_pages.take_place", "POST"): Example(ok=303),
    # only the volunteer holds this place; anyone else is told there is no such place
    ("event_pages.give_up_place", "POST"): Example(
        ok=303, statuses={"other_organiser": 404, "organiser": 404, "admin": 404}
    ),
    ("carpool_pages.offer", "POST"): Example(
        data={"pickup_postcode": "BS1 4DJ", "seats": "2", "departs_at": "2026-11-26T18:00"}, ok=303
    ),
    ("carpool_pages.ask", "POST"): Example(ok=303),
    # the volunteer drives this carpool; the organiser asked for the seat
    ("carpool_pages.respond", "POST"): Example(
        ok=303, statuses={"other_organiser": 404, "organiser": 404, "admin": 404}
    ),
    ("carpool_pages.cancel", "POST"): Example(
        ok=303, statuses={"volunteer": 404, "other_organiser": 404, "admin": 404}
    ),
    ("cascade_pages.open_link", "GET"): Example(ok=303),
    ("cascade_pages.remember", "POST"): Example(data={"remember": "yes"}, ok=303),
    ("cascade_pages.listed", "POST"): Example(data={"listed": "yes"}, ok=303),
    ("pledge_pages.pledge", "POST"): Example(data={"name": "Sam", "email": "sam@example.org"}, ok=303),
    # the volunteer has a confirmed place at the event, which is on now, and is approved: a canvasser
    ("doorstep_pages.walk", "GET"): Example(statuses={"volunteer": 200}),
    ("doorstep_pages.record", "POST"): Example(
        json=lambda world: {"key": "visit-0001", "voter_id": world.voter_id, "disposition": "talked"},
        ok=201,
        statuses={"volunteer": 201},
    ),
    ("shift_pages.publish", "POST"): Example(
        data={"starts_at": "2026-11-28T18:00", "ends_at": "2026-11-28T20:00", "wanted": "8"}, ok=303
    ),
    ("organiser_signups.create_event", "POST"): Example(
        data={
            "ons_code": "E14001126",
            "title": "Saturday doors",
            "starts_at": "2026-11-28T10:00",
            "ends_at": "2026-11-28T13:00",
            "meeting_postcode": "BS1 4DJ",
            "capacity": "12",
        },
        ok=303,
    ),
    ("organiser_signups.change_capacity", "POST"): Example(data={"capacity": "30"}, ok=303),
    # knocking up: an anonymous visitor who pledged in no visit is sent to sign in (the rows decide)
    ("knock_up_pages.book", "POST"): Example(ok=303, statuses={"anonymous": 302}),
    ("knock_up_pages.cancel", "POST"): Example(ok=303, statuses={"anonymous": 302}),
    ("knock_up_pages.publish", "POST"): Example(
        data={
            "ons_code": "E14001126",
            "starts_at": "2026-11-28T07:00",
            "ends_at": "2026-11-28T10:00",
            "places": "8",
            "meeting_postcode": "BS1 4DJ",
            "meeting_point": "Outside the library",
        },
        ok=303,
    ),
    ("knock_up_pages.change_places", "POST"): Example(data={"places": "12"}, ok=303),
    ("organiser_signups.canvasser", "POST"): Example(ok=303),
    ("organiser_signups.create_pledge", "POST"): Example(
        data={"slug": "lift", "text": "Give a neighbour a lift to vote"}, ok=303
    ),
    ("organiser_signups.pledge_state", "POST"): Example(ok=303),
    ("voter_imports.upload", "POST"): Example(
        data=lambda world: {"file": (io.BytesIO(VOTERS_CSV), "voters.csv"), "encoding": "utf-8"}, ok=303
    ),
    ("voter_imports.choose_columns", "POST"): Example(
        data={"first_name": "First name", "last_name": "Last name", "phone": "Phone", "postcode": "Postcode"},
        ok=303,
    ),
    # every signed-in account may erase itself (the world is rebuilt for each caller); the world's
    # volunteer is in a calling session, which they must end first
    ("account_pages.erase", "POST"): Example(data={"confirm": "y"}, ok=303, statuses={"volunteer": 409}),
    # the volunteer recorded a conversation with the voter minutes ago: they may sign them up
    ("signup_slot.options", "GET"): Example(statuses={"volunteer": 200}),
    # --- the organiser's dashboard and campaigns (issue 8) ---
    ("campaign_pages.new_campaign", "POST"): Example(data=CAMPAIGN_FORM, ok=303),
    ("campaign_pages.settings", "POST"): Example(data=CAMPAIGN_FORM, ok=303),
    ("campaign_pages.script_preview", "POST"): Example(json={"script": "# Hello *there*"}, ok=200),
    ("dashboard_pages.reconcile", "POST"): Example(ok=200),
    ("dashboard_pages.change_status", "POST"): Example(ok=303),
    ("dashboard_pages.end_session", "POST"): Example(ok=200),
    ("signup_slot.sign_up", "POST"): Example(
        json=lambda world: {"kind": "pledge", "id": world.pledge_id, "outcome_id": world.outcome_id},
        ok=200,
        statuses={"volunteer": 200},
    ),
}


#: Fields an endpoint reads beyond those its example sends (the schema-aware fuzz fills every one).
MORE_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("doorstep_pages.record", "POST"): ("answers", "notes", "event_ids", "pledge_ids"),
    ("signup_slot.sign_up", "POST"): ("channel",),
    ("calling.act", "POST"): (
        "call",
        "disposition",
        "answers",
        "notes",
        "call_back_at",
        "idempotency_key",
        "pause_after",
    ),
    ("organiser_signups.create_event", "POST"): ("notes",),
    ("carpool_pages.offer", "POST"): ("notes",),
}

#: URL arguments the fuzz also tries with each of these values (an action that reads a body).
FUZZ_ARGUMENTS: dict[str, tuple[str, ...]] = {"action": ("outcome", "dial", "skip", "pause", "resume")}


@dataclass(frozen=True)
class SocketExample:
    """What a Socket.IO client sends: the connect `auth` dict and the event's payload.

    `refused` names the signed-in callers refused by the rows rather than the policy (someone
    else's seat).
    """

    auth: Callable[[World], dict[str, Any]] = lambda world: {"campaign_id": world.campaign_id}
    data: Callable[[World], Any] = lambda world: {"campaign_id": world.campaign_id}
    refused: frozenset[str] = frozenset()


#: Per (namespace, event) when the default (the organiser's campaign id in both) does not fit.
SOCKET_EXAMPLES: dict[tuple[str, str], SocketExample] = {
    # a volunteer joins their own seat's room only
    ("/live", "join"): SocketExample(
        data=lambda world: {"seat": world.session_id},
        refused=frozenset({"other_organiser", "organiser", "admin"}),
    ),
    ("/live", "watch_import"): SocketExample(data=lambda world: {"import_id": world.import_id}),
}
