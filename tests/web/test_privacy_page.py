"""The privacy page names every cookie the product sets: a visit through a share link, a pledge, a
knock-up booking, signing in, calling pages and signing out are followed, and each cookie any reply
sets must be on the page (linked from every page's footer), with no third-party tracking."""

import re
from datetime import timedelta

from flask.testing import FlaskClient

from dialer.services.compliance.audit import Actor
from dialer.services.signups import cascade, knock_up
from tests.people import SEAT, csrf_token, sign_in


def cookie_names(reply) -> set[str]:
    """The cookies a reply stores in the browser (a header that deletes one, Max-Age=0, stores none:
    Flask-Login sends one for its remember cookie, which this app never sets)."""
    return {
        header.split("=", 1)[0].strip()
        for header in reply.headers.getlist("Set-Cookie")
        if "max-age=0" not in header.lower()
    }


class Recording:
    """A test client whose every reply's cookies are collected."""

    def __init__(self, client: FlaskClient) -> None:
        self.client, self.set = client, set[str]()

    def get(self, path: str):
        reply = self.client.get(path)
        self.set |= cookie_names(reply)
        return reply

    def post(self, path: str, data: dict[str, str] | None = None):
        reply = self.client.post(path, data={**(data or {}), "csrf_token": csrf_token(self.client)})
        self.set |= cookie_names(reply)
        return reply


def test_every_cookie_set_in_a_visit_is_named_on_the_privacy_page(app, services, world):
    starts = services.clock.now() + timedelta(days=1)
    slot_id = knock_up.publish_slot(
        services.uow(), services.clock, services.seat_finder.point_of, world.campaign_id,
        knock_up.SlotDraft(SEAT, starts, starts + timedelta(hours=2), 3, "BS1 4DJ"), Actor(None),
    )  # fmt: skip
    link = cascade.link_for(
        services.uow(), services.clock, owner_email=world.emails["volunteer"], owner_name="Val",
        kind="pledge", target_id=world.pledge_id,
    )  # fmt: skip
    visitor = Recording(app.test_client())
    visitor.get("/")
    visitor.get(f"/s/{link.code}")
    pledge = f"/pledge/{world.campaign_slug}/{world.pledge_slug}"
    assert visitor.post(pledge, {"name": "Kim", "email": "kim@example.org"}).status_code == 303
    assert visitor.post(f"/knock-up/slots/{slot_id}/book").status_code == 303
    volunteer = Recording(app.test_client())
    sign_in(volunteer.client, world.emails["volunteer"])
    for path in ("/", "/share", "/shifts", "/events", f"/knock-up/{world.campaign_slug}", "/account"):
        assert volunteer.get(path).status_code == 200, path
    volunteer.post("/sign-out")
    set_in_the_visit = visitor.set | volunteer.set

    page = app.test_client().get("/privacy").get_data(as_text=True)

    named = set(re.findall(r'<code class="cookie-name">([^<]+)</code>', page))
    assert set_in_the_visit and set_in_the_visit <= named, f"not on the page: {set_in_the_visit - named}"
    assert "Share-link attribution uses no third-party tracking." in page
    assert 'href="/privacy"' in app.test_client().get("/").get_data(as_text=True)


def test_the_page_names_the_cookie_as_served_over_https(app):
    app.config["SESSION_COOKIE_NAME"] = "__Host-marginal"  # what web.browser_security sets for https

    page = app.test_client().get("/privacy").get_data(as_text=True)

    assert '<code class="cookie-name">__Host-marginal</code>' in page
