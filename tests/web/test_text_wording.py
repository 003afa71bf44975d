"""An organiser words the campaign's texts (never a volunteer); a wording with an unknown or
formatted placeholder is refused and nothing is kept."""

from __future__ import annotations

from dialer.domain.text_messages import Purpose, SignupKind
from dialer.services.calling import texts
from tests.people import csrf_token


def own(services, campaign_id):
    return {(w.purpose, w.kind): w.own for w in texts.wordings(services.uow(), campaign_id) if w.own}


def test_an_organiser_words_a_text_and_an_unknown_placeholder_is_refused(client_as, world, services):
    client = client_as("organiser")
    url = f"/organiser/campaigns/{world.campaign_id}/texts"
    page = client.get(url)
    assert page.status_code == 200 and "thank you for joining {title}" in page.get_data(as_text=True)

    for bad, why in [("Hi {name}", "{name} is not known"), ("{title:>999999999}", "nothing after a :")]:
        refused = client.post(
            url, data={"csrf_token": csrf_token(client), "link-event": bad, "reminder-event": "Tomorrow!"}
        )
        assert refused.status_code == 400 and why in refused.get_data(as_text=True)
        assert own(services, world.campaign_id) == {}, "all or nothing"

    saved = client.post(
        url, data={"csrf_token": csrf_token(client), "link-event": "  See you at {title},\n{when}. "}
    )
    assert saved.status_code == 303
    assert own(services, world.campaign_id) == {
        (Purpose.LINK, SignupKind.EVENT): "See you at {title}, {when}."
    }
    client.post(url, data={"csrf_token": csrf_token(client), "link-event": ""})
    assert own(services, world.campaign_id) == {}, "empty: the default again"


def test_a_volunteer_cannot_word_the_texts(client_as, world):
    client = client_as("volunteer")
    url = f"/organiser/campaigns/{world.campaign_id}/texts"
    assert client.post(url, data={"csrf_token": csrf_token(client), "link-event": "Hi"}).status_code == 403
