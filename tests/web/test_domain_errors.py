"""The core's errors are answered in one place (web/errors.py): a view lets NotFound, Conflict or
InvalidInput through and the visitor gets 404, 409 or 400 with the error's message, as the error
page for a page and as JSON for a JSON request."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.errors import Conflict, InvalidInput, NotFound
from tests.people import csrf_headers
from web.access import public

pytestmark = pytest.mark.integration

RAISED = {
    "missing": (NotFound("no such event"), 404),
    "clash": (Conflict("you can pause once this call has ended"), 409),
    "refused": (InvalidInput("enter a full UK postcode"), 400),
}


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    @app.route("/raises/<kind>", methods=["GET", "POST"])
    @public
    def raises(kind: str) -> str:
        raise RAISED[kind][0]

    return app.test_client()


@pytest.mark.parametrize("kind", RAISED)
def test_a_page_gets_the_error_page_with_the_status_and_the_reason_as_a_sentence(client, kind):
    error, status = RAISED[kind]

    reply = client.get(f"/raises/{kind}", headers={"Accept": "text/html"})

    assert reply.status_code == status
    page = reply.get_data(as_text=True)
    assert "<html" in page.lower() and str(error)[0].upper() + str(error)[1:] + "." in page


@pytest.mark.parametrize("kind", RAISED)
def test_a_request_for_json_or_sending_json_gets_the_reason_as_json(client, kind):
    error, status = RAISED[kind]

    asked = client.get(f"/raises/{kind}", headers={"Accept": "application/json"})
    sent = client.post(f"/raises/{kind}", json={"anything": 1}, headers=csrf_headers(client))

    for reply in (asked, sent):
        assert reply.status_code == status
        assert reply.get_json() == {"error": str(error)}
