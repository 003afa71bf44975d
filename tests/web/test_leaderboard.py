"""A phone bank's leaderboard: volunteers appear on it only once they choose to, by first name,
ranked by their conversations for that phone bank."""

import pytest

from dialer.domain.dispositions import Disposition
from dialer.models import Outcome
from tests.people import sign_in_as
from tests.phone_bank_builders import make_campaign, make_volunteer

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dialer_services):
    from web import create_app

    app = create_app(services=dialer_services)
    app.config["WTF_CSRF_ENABLED"] = False  # the CSRF check itself belongs to the forms' own tests
    return app


def conversations(bank, campaign, user_id, count):
    with bank.uow() as uow:
        uow.session.add_all(
            Outcome(
                campaign_id=campaign,
                user_id=user_id,
                disposition=Disposition.TALKED,
                created_at=bank.clock.now(),
            )
            for _ in range(count)
        )
        uow.commit()


def test_only_volunteers_who_opt_in_are_ranked_by_their_conversations_for_the_phone_bank(
    app, dialer_services
):
    bank = dialer_services.phone_bank
    campaign = make_campaign(bank)
    other = make_campaign(bank, name="Other phone bank")
    priya, sam, ade = make_volunteer(bank, "Priya"), make_volunteer(bank, "Sam"), make_volunteer(bank, "Ade")
    conversations(bank, campaign, priya, 3)
    conversations(bank, campaign, sam, 5)
    conversations(bank, campaign, ade, 9)  # never opts in
    conversations(bank, other, priya, 20)  # another phone bank's conversations do not count here
    priya_client = sign_in_as(app.test_client(), dialer_services, priya)
    sam_client = sign_in_as(app.test_client(), dialer_services, sam)

    assert priya_client.get(f"/call/{campaign}/leaderboard").json == {"showing_you": False, "standings": []}
    priya_client.post(f"/call/{campaign}/leaderboard", json={"show_me": True})
    board = sam_client.post(f"/call/{campaign}/leaderboard", json={"show_me": True}).json

    assert board == {
        "showing_you": True,
        "standings": [
            {"rank": 1, "first_name": "Sam", "conversations": 5, "you": True},
            {"rank": 2, "first_name": "Priya", "conversations": 3, "you": False},
        ],
    }
    page = priya_client.get(f"/call/{campaign}").get_data(as_text=True)
    assert '<li>Sam · 5</li><li class="you">Priya · 3</li>' in page and "Ade" not in page

    sam_client.post(f"/call/{campaign}/leaderboard", json={"show_me": False})
    after = priya_client.get(f"/call/{campaign}/leaderboard").get_json()
    assert [s["first_name"] for s in after["standings"]] == ["Priya"]
    assert priya_client.post(f"/call/{campaign}/leaderboard", json={"show_me": "yes"}).status_code == 400
