"""The organiser's area: the campaign form's per-field errors, creating and editing a campaign,
running it from the dashboard, the snapshot, and the dashboard's Socket.IO rooms."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from dialer.domain import detection_policy, figures
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.seats import SeatState
from dialer.domain.surveys import QuestionKind
from dialer.errors import InvalidInput
from dialer.models import (
    AuditEntry,
    CallingSession,
    Campaign,
    CampaignOrganiser,
    CampaignSeat,
    SurveyAnswer,
    SurveyQuestion,
)
from dialer.services.calling import live_figures
from dialer.services.campaigns import campaigns
from dialer.services.compliance.audit import SYSTEM
from tests.people import SEAT, csrf_headers, csrf_token
from tests.web.route_examples import CAMPAIGN_FORM


def post_form(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def errors_of(reply) -> dict[str, str]:
    """Each field's error message, by the field's id (what the page shows beside it)."""
    html = reply.get_data(as_text=True)
    return dict(re.findall(r'<p class="field-error" id="([^"]+)-error">([^<]*)</p>', html))


def test_the_campaign_form_says_what_to_fix_beside_each_field_keeps_what_was_typed_and_stores_nothing(
    client_as, services
):
    organiser = client_as("organiser")
    bad = {
        **CAMPAIGN_FORM,
        "ring_timeout_s": "10",
        "caller_id": "12345",
        "weekday_start": "21:00",
        "weekday_end": "08:00",
        "max_attempts": "0",
        "seat_grace_s": "2",
        "retry_busy": "soon",
        "questions-0-options": "Only one",
    }
    reply = post_form(organiser, "/organiser/campaigns/new", bad)

    assert reply.status_code == 422
    problems = errors_of(reply)
    assert "at least 15" in problems["ring_timeout_s"]
    assert "not a valid, callable phone number" in problems["caller_id"]
    assert "must end after they start" in problems["weekday_end"]
    assert "Between 1 and 10" in problems["max_attempts"]
    assert "Between 15 and 300 seconds" in problems["seat_grace_s"]
    assert "whole minutes" in problems["retry_busy"]
    assert "at least two options" in problems["questions-0-options"]
    assert 'value="Bristol Central evening calls"' in reply.get_data(as_text=True), "what was typed stays"
    with services.uow() as uow:
        assert (
            uow.session.exec(select(Campaign).where(Campaign.name == CAMPAIGN_FORM["name"])).first() is None
        )


def test_an_organiser_creates_edits_and_opens_a_campaign(client_as, world, services):
    organiser = client_as("organiser")
    form = {
        **CAMPAIGN_FORM,
        "questions-1-key": "help",
        "questions-1-prompt": "Could you help on polling day?",
        "questions-1-kind": "multiple",
        "questions-1-options": "Leaflets\nDoors\nLifts",
        "retry_machine": "never",
    }
    reply = post_form(organiser, "/organiser/campaigns/new", form)
    assert reply.status_code == 303
    campaign_id = int(reply.headers["Location"].split("/")[-2])
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.status is CampaignStatus.DRAFT
        assert campaign.caller_id == "+442079460000" and campaign.ring_timeout_s == 25
        assert campaign.retry_overrides == {
            "no_answer": {"retry_after_minutes": 120},
            "machine": {"retry_after_minutes": None},
        }
        assert "Bristol Central evening calls" in campaign.information_message, "the standard message"
        assert uow.session.get(CampaignOrganiser, (campaign_id, world.accounts["organiser"])) is not None
        assert [
            s.ons_code
            for s in uow.session.exec(select(CampaignSeat).where(CampaignSeat.campaign_id == campaign_id))
        ] == [SEAT]
    settings_page = organiser.get(f"/organiser/campaigns/{campaign_id}/settings").get_data(as_text=True)
    assert 'value="Could you help on polling day?"' in settings_page and "Lifts" in settings_page

    changed = {**form, "name": "Bristol Central: weekend calls", "ring_timeout_s": "30", "seat_grace_s": "90"}
    del changed["questions-1-key"], changed["questions-1-prompt"], changed["questions-1-options"]
    assert post_form(organiser, f"/organiser/campaigns/{campaign_id}/settings", changed).status_code == 303
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        assert campaign is not None and campaign.name == "Bristol Central: weekend calls"
        assert campaign.ring_timeout_s == 30 and campaign.seat_grace_s == 90
        keys = uow.session.exec(
            select(SurveyQuestion.key).where(SurveyQuestion.campaign_id == campaign_id)
        ).all()
        assert keys == ["intention"]

    opened = organiser.post(
        f"/organiser/campaigns/{campaign_id}/open", data={"csrf_token": csrf_token(organiser)}
    )
    assert opened.status_code == 303
    with services.uow() as uow:
        assert uow.session.get(Campaign, campaign_id).status is CampaignStatus.ACTIVE
    home = organiser.get("/organiser").get_data(as_text=True)
    assert "Bristol Central: weekend calls" in home and "Stroud calls" not in home, "only their own campaigns"


def test_answering_machine_detection_is_off_until_an_organiser_ticks_it(client_as, services):
    organiser = client_as("organiser")
    reply = post_form(organiser, "/organiser/campaigns/new", CAMPAIGN_FORM)
    campaign_id = int(reply.headers["Location"].split("/")[-2])
    settings_url = f"/organiser/campaigns/{campaign_id}/settings"
    page = organiser.get(settings_url).get_data(as_text=True)
    assert "against the 3% limit" in page, "the trade-off is explained beside the box"
    assert not ticked(page, "amd_enabled")

    assert post_form(organiser, settings_url, {**CAMPAIGN_FORM, "amd_enabled": "y"}).status_code == 303
    assert ticked(organiser.get(settings_url).get_data(as_text=True), "amd_enabled")
    with services.uow() as uow:
        assert uow.session.get(Campaign, campaign_id).amd_enabled

    assert post_form(organiser, settings_url, CAMPAIGN_FORM).status_code == 303  # unticked
    with services.uow() as uow:
        assert not uow.session.get(Campaign, campaign_id).amd_enabled


def test_the_form_refuses_detection_in_a_mode_the_shift_simulation_refuses_and_says_why(
    client_as, services, monkeypatch
):
    monkeypatch.setitem(
        detection_policy.REFUSED,
        DialingMode.PREDICTIVE,
        "Not with predictive dialing: too many abandoned calls",
    )
    organiser = client_as("organiser")
    reply = post_form(organiser, "/organiser/campaigns/new", CAMPAIGN_FORM)
    campaign_id = int(reply.headers["Location"].split("/")[-2])
    settings_url = f"/organiser/campaigns/{campaign_id}/settings"

    refused = post_form(
        organiser, settings_url, {**CAMPAIGN_FORM, "dialing_mode": "predictive", "amd_enabled": "y"}
    )

    assert refused.status_code == 422 and "too many abandoned calls" in refused.get_data(as_text=True)
    with services.uow() as uow:
        assert not uow.session.get(Campaign, campaign_id).amd_enabled
    assert post_form(organiser, settings_url, {**CAMPAIGN_FORM, "amd_enabled": "y"}).status_code == 303


def test_the_detection_setting_is_refused_without_the_forms_csrf_token(client_as, services):
    organiser = client_as("organiser")
    reply = post_form(organiser, "/organiser/campaigns/new", CAMPAIGN_FORM)
    campaign_id = int(reply.headers["Location"].split("/")[-2])

    forged = organiser.post(
        f"/organiser/campaigns/{campaign_id}/settings", data={**CAMPAIGN_FORM, "amd_enabled": "y"}
    )

    assert forged.status_code in (400, 403)
    with services.uow() as uow:
        assert not uow.session.get(Campaign, campaign_id).amd_enabled


def ticked(page: str, name: str) -> bool:
    (tag,) = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return " checked" in tag


def test_a_question_voters_have_answered_keeps_its_key_and_kind(world, services):
    spec, _ = campaigns.campaign_spec(services.uow(), world.campaign_id)
    with_question = campaigns.CampaignSpec(
        **{
            **spec.__dict__,
            "seats": [SEAT],
            "questions": [
                campaigns.QuestionSpec("intention", "Vote?", QuestionKind.SINGLE_CHOICE, ["A", "B"])
            ],
        }
    )
    campaigns.update_campaign(
        services.uow(), world.campaign_id, with_question, clock=services.clock, actor=SYSTEM
    )
    with services.uow() as uow:
        question = uow.session.exec(select(SurveyQuestion)).one()
        uow.session.add(SurveyAnswer(outcome_id=world.outcome_id, question_id=question.id or 0, value="A"))
        uow.commit()
    with pytest.raises(InvalidInput, match="cannot be removed") as removed:
        campaigns.update_campaign(
            services.uow(),
            world.campaign_id,
            campaigns.CampaignSpec(**{**with_question.__dict__, "questions": []}),
            clock=services.clock,
            actor=SYSTEM,
        )
    assert removed.value.field == "questions"
    retyped = [campaigns.QuestionSpec("intention", "Vote?", QuestionKind.SCALE)]
    with pytest.raises(InvalidInput, match="kind cannot change"):
        campaigns.update_campaign(
            services.uow(),
            world.campaign_id,
            campaigns.CampaignSpec(**{**with_question.__dict__, "questions": retyped}),
            clock=services.clock,
            actor=SYSTEM,
        )
    reworded = [
        campaigns.QuestionSpec(
            "intention", "Who will you vote for?", QuestionKind.SINGLE_CHOICE, ["A", "B", "C"]
        )
    ]
    campaigns.update_campaign(
        services.uow(),
        world.campaign_id,
        campaigns.CampaignSpec(**{**with_question.__dict__, "questions": reworded}),
        clock=services.clock,
        actor=SYSTEM,
    )


def test_the_script_preview_shows_markdown_and_never_runs_raw_html(client_as):
    organiser = client_as("organiser")
    reply = organiser.post(
        "/organiser/script-preview",
        json={"script": "## Hello\n\nAsk about **polling day**. <script>alert(1)</script>"},
        headers=csrf_headers(organiser),
    )
    html = reply.get_json()["html"]
    assert "<h2>Hello</h2>" in html and "<strong>polling day</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_first_paint_names_everything_and_holds_no_phone_number(client_as, world, services):
    live_figures.count(
        services.phone_bank, world.campaign_id, [figures.dialled(99, services.clock.now(), SEAT)]
    )
    snapshot = (
        client_as("organiser").get(f"/organiser/campaigns/{world.campaign_id}/dashboard.json").get_json()
    )

    assert snapshot["figures"]["all|dials"] >= 1 and snapshot["version"] >= 1
    assert snapshot["seats"] == [{"code": SEAT, "name": "Bristol Central"}]
    assert snapshot["sessions"][0]["volunteer"] == world.accounts["volunteer"]
    assert snapshot["volunteers"][str(world.accounts["volunteer"])] == "Volunteer"
    assert snapshot["limits"]["abandon_pct"] == 3.0
    assert "+44" not in str(snapshot) and "07700" not in str(snapshot)


def test_pausing_resuming_and_ending_a_phone_bank_from_the_dashboard(client_as, world, services):
    organiser = client_as("organiser")
    base = f"/organiser/campaigns/{world.campaign_id}"

    def status():
        with services.uow() as uow:
            return uow.session.get(Campaign, world.campaign_id).status

    assert organiser.post(f"{base}/pause", data={"csrf_token": csrf_token(organiser)}).status_code == 303
    assert status() is CampaignStatus.PAUSED
    twice = organiser.post(f"{base}/pause", data={"csrf_token": csrf_token(organiser)}, follow_redirects=True)
    assert "cannot be told to pause" in twice.get_data(as_text=True)
    organiser.post(f"{base}/resume", data={"csrf_token": csrf_token(organiser)})
    assert status() is CampaignStatus.ACTIVE
    organiser.post(f"{base}/end", data={"csrf_token": csrf_token(organiser), "confirmed": "yes"})
    assert status() is CampaignStatus.ENDED
    with services.uow() as uow:
        seat = uow.session.get(CallingSession, world.session_id)
        assert seat is not None and seat.state is SeatState.ENDED, "ending a phone bank ends its sessions"
    published = [(room, event) for room, event, _ in services.live.published]
    assert (f"campaign:{world.campaign_id}", "campaign") in published


def test_ending_a_phone_bank_needs_a_confirmation_naming_who_is_calling_and_reopening_lets_them_call_again(
    client_as, world, services
):
    organiser = client_as("organiser")
    base = f"/organiser/campaigns/{world.campaign_id}"

    def status():
        with services.uow() as uow:
            return uow.session.get(Campaign, world.campaign_id).status

    dashboard = organiser.get(f"{base}/dashboard").get_data(as_text=True)
    assert re.search(
        r'<a class="button secondary" id="end-phone-bank" href="[^"]+/end">End phone bank', dashboard
    )
    unconfirmed = organiser.post(f"{base}/end", data={"csrf_token": csrf_token(organiser)})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"].endswith(f"{base}/end")
    assert status() is CampaignStatus.ACTIVE, "nothing ends without the confirmation"
    confirmation = organiser.get(f"{base}/end").get_data(as_text=True)
    assert "1 volunteer is calling now." in confirmation
    assert "End the phone bank for 1 volunteer" in confirmation

    organiser.post(f"{base}/end", data={"csrf_token": csrf_token(organiser), "confirmed": "yes"})
    assert status() is CampaignStatus.ENDED
    volunteer = client_as("volunteer")
    refused = volunteer.post(
        f"/call/{world.campaign_id}/session", json={"audio": "browser"}, headers=csrf_headers(volunteer)
    )
    assert refused.status_code in (404, 409)

    ended = organiser.get(f"{base}/dashboard").get_data(as_text=True)
    assert "Reopen phone bank" in ended and "end-phone-bank" not in ended
    assert organiser.post(f"{base}/reopen", data={"csrf_token": csrf_token(organiser)}).status_code == 303
    assert status() is CampaignStatus.ACTIVE
    again = volunteer.post(
        f"/call/{world.campaign_id}/session", json={"audio": "browser"}, headers=csrf_headers(volunteer)
    )
    assert again.status_code == 200, again.get_data(as_text=True)
    with services.uow() as uow:
        entries = uow.session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).in_(["phone_bank_ended", "phone_bank_reopened"]))
            .order_by(col(AuditEntry.id))
        ).all()
        assert [(e.action, e.actor_id, e.subject_id, e.detail) for e in entries] == [
            (
                "phone_bank_ended",
                world.accounts["organiser"],
                str(world.campaign_id),
                {"volunteers_calling": 1},
            ),
            (
                "phone_bank_reopened",
                world.accounts["organiser"],
                str(world.campaign_id),
                {"volunteers_calling": 0},
            ),
        ]


def test_an_organiser_cannot_end_a_session_of_another_campaign(client_as, world):
    other = client_as("other_organiser")
    reply = other.post(
        f"/organiser/campaigns/{world.other_campaign_id}/sessions/{world.session_id}/end",
        headers=csrf_headers(other),
    )
    assert reply.status_code == 404


class Relay:
    """The Redis message queue's part: what the services publish reaches this app's clients."""

    def publish(self, room, event, payload):
        from web.extensions import socketio

        socketio.emit(event, payload, namespace="/live", to=room)


def test_dashboards_get_deltas_in_the_campaign_room_and_a_seat_room_only_its_seat(
    app, client_as, world, services
):
    from web.extensions import socketio

    services._live = Relay()
    del services.__dict__["phone_bank"]  # rebuilt with the relay
    whole = socketio.test_client(app, namespace="/live", flask_test_client=client_as("organiser"))
    seat = socketio.test_client(app, namespace="/live", flask_test_client=client_as("organiser"))
    assert whole.emit("watch_campaign", {"campaign_id": world.campaign_id}, namespace="/live", callback=True)[
        "ok"
    ]
    joined = seat.emit(
        "watch_campaign",
        {"campaign_id": world.campaign_id, "constituency": SEAT},
        namespace="/live",
        callback=True,
    )
    assert joined == {"ok": True, "campaign": world.campaign_id, "constituency": SEAT}
    elsewhere = seat.emit(
        "watch_campaign",
        {"campaign_id": world.campaign_id, "constituency": "E14001172"},
        namespace="/live",
        callback=True,
    )
    assert elsewhere == {"error": "not one of this campaign's seats"}
    whole.get_received("/live"), seat.get_received("/live")

    now = services.clock.now()
    live_figures.count(
        services.phone_bank, world.campaign_id, [figures.dialled(7, now, SEAT), figures.dialled(7, now, SEAT)]
    )

    to_campaign = [m for m in whole.get_received("/live") if m["name"] == "tally"]
    to_seat = [m for m in seat.get_received("/live") if m["name"] == "tally"]
    assert len(to_campaign) == 1, "the second count of the same dial changed nothing and said nothing"
    assert to_campaign[0]["args"][0]["changes"]["all|dials"] == 1
    assert set(to_seat[0]["args"][0]["changes"]) == {f"seat:{SEAT}|dials"}
    refused = socketio.test_client(app, namespace="/live", flask_test_client=client_as("other_organiser"))
    assert refused.emit(
        "watch_campaign",
        {"campaign_id": world.campaign_id, "constituency": SEAT},
        namespace="/live",
        callback=True,
    ) == {"error": "forbidden"}


def test_a_sign_up_made_after_the_outcome_was_saved_is_counted_at_once(client_as, world, services):
    volunteer = client_as("volunteer")
    before = services.phone_bank.tally.read(world.campaign_id).figures.get("all|signups_pledge", 0)
    reply = volunteer.post(
        f"/signups/voters/{world.voter_id}",
        json={"kind": "pledge", "id": world.pledge_id, "outcome_id": world.outcome_id},
        headers=csrf_headers(volunteer),
    )
    assert reply.status_code == 200, reply.get_json()
    figures_now = services.phone_bank.tally.read(world.campaign_id).figures
    assert figures_now["all|signups_pledge"] == before + 1
    assert figures_now[f"vol:{world.accounts['volunteer']}|signups_pledge"] == 1
