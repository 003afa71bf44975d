"""The browser phone's libraries are served from node_modules like every other vendored file."""

from pathlib import Path


def test_the_twilio_voice_sdk_and_phone_js_are_served(client):
    from web.vendor import FILES, NODE_MODULES

    with client.get("/vendor/twilio.min.js") as reply:
        assert reply.status_code == 200
        assert reply.get_data() == (NODE_MODULES / FILES["twilio.min.js"]).read_bytes()
    phone = Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "phone.js"
    with client.get("/static/js/phone.js") as reply:
        assert reply.status_code == 200
        assert reply.get_data() == phone.read_bytes()
