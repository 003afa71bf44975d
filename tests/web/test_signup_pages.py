"""The sign-up pages over HTTP: who may see what, CSRF on every form, and the files they return."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlmodel import col, select

from dialer.domain.campaigns import CampaignStatus
from dialer.domain.dispositions import Disposition
from dialer.domain.roles import Role
from dialer.models import AuditEntry, Campaign, Event, Outcome, PledgeSignup, PostcodeDistrict
from dialer.services.campaigns import voter_import
from dialer.services.compliance.audit import SYSTEM, Actor
from dialer.services.signups import carpools, doorstep, events, pledges
from tests import signup_factories as make
from tests.people import email_of, sign_in_as


@pytest.fixture
def places(services):
    """The geography tables know the districts the factories use (the real resolver reads them)."""
    make.add(
        services,
        *[
            PostcodeDistrict(outcode=postcode.split()[0], lat=point.lat, lon=point.lon)
            for postcode, point in make.PLACES.items()
            if postcode != "SW1A 2AA"
        ],
    )


def csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_volunteers_must_sign_in_to_see_events(client):
    reply = client.get("/events")
    assert reply.status_code == 302 and reply.location.startswith("/sign-in?next=/events")


def test_a_volunteer_signs_up_from_the_events_page_and_gets_a_calendar_file(app, client, services, places):
    event_id = make.event(services, make.campaign(services), capacity=1)
    volunteer = make.user(services)
    sign_in_as(client, services, volunteer)
    page = client.get("/events")
    assert page.status_code == 200 and "1 of 1 places left" in page.get_data(as_text=True)
    assert client.post(f"/events/{event_id}/places").status_code == 400  # no CSRF token
    reply = client.post(f"/events/{event_id}/places", data={"csrf_token": csrf(client, "/events")})
    assert reply.status_code == 303
    assert "You have a place" in client.get(f"/events/{event_id}").get_data(as_text=True)
    ics = client.get(f"/events/{event_id}.ics")
    assert ics.mimetype == "text/calendar"
    assert len(icalendar.Calendar.from_ical(ics.data).walk("VEVENT")) == 1


def test_a_driver_offers_seats_and_sees_the_rider_only_after_accepting(app, client, services, places):
    event_id = make.event(services, make.campaign(services))
    driver, rider = make.user(services), make.user(services, first_name="Rita", postcode="SE1 7PB")
    sign_in_as(client, services, driver)
    token = csrf(client, f"/events/{event_id}")
    departs = (services.clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf_token": token, "pickup_postcode": "n1 9gu", "seats": "2", "departs_at": departs}
    assert client.post(f"/events/{event_id}/carpools", data=form).status_code == 303
    [(carpool, _)] = carpools.seats_for_driver(services.uow(), make.locate, driver)
    assert carpool.id is not None
    seat = carpools.request_seat(services.uow(), services.clock, carpool.id, rider_id=rider)
    page = client.get("/carpools").get_data(as_text=True)
    assert "Rita" in page and "mailto:" not in page
    client.post(f"/carpools/seats/{seat.id}/accept", data={"csrf_token": token})
    assert "mailto:" in client.get("/carpools").get_data(as_text=True)


def test_a_bad_carpool_form_is_sent_back_with_the_reason(app, client, services, places):
    event_id = make.event(services, make.campaign(services))
    sign_in_as(client, services, make.user(services))
    token = csrf(client, f"/events/{event_id}")
    form = {"csrf_token": token, "pickup_postcode": "not one", "seats": "2", "departs_at": "2030-01-01T10:00"}
    reply = client.post(f"/events/{event_id}/carpools", data=form)
    assert reply.status_code == 400
    assert 'id="pickup_postcode-error">Not a UK postcode' in reply.get_data(as_text=True)


def test_anyone_can_pledge_on_the_public_page(client, services):
    campaign_id = make.campaign(services)
    pledges.create_pledge(
        services.uow(),
        campaign_id,
        slug="day-off",
        text="Take polling day off",
        clock=services.clock,
        actor=SYSTEM,
    )
    with services.uow() as uow:
        slug = uow.session.get(Campaign, campaign_id).slug
    path = f"/pledge/{slug}/day-off"
    page = client.get(path)
    assert page.status_code == 200 and "Take polling day off" in page.get_data(as_text=True)
    token = csrf(client, path)
    bad = client.post(path, data={"csrf_token": token, "name": "Sam", "email": "nope"})
    assert bad.status_code == 400 and "email address" in bad.get_data(as_text=True)
    good = client.post(
        path, data={"csrf_token": token, "name": "Sam", "email": "sam@example.org"}, follow_redirects=True
    )
    assert "Thank you for pledging" in good.get_data(
        as_text=True
    ) and "1 person has pledged" in good.get_data(as_text=True)
    assert client.get(f"/pledge/{slug}/nope").status_code == 404


def _open_pledge(services, text="Take polling day off"):
    """An active campaign's open pledge; its page's path."""
    campaign_id = make.campaign(services)
    pledge_id = pledges.create_pledge(
        services.uow(), campaign_id, slug="day-off", text=text, clock=services.clock, actor=SYSTEM
    )
    with services.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        campaign.status = CampaignStatus.ACTIVE
        uow.session.add(campaign)
        uow.commit()
        return pledge_id, f"/pledge/{campaign.slug}/day-off"


def _signups_of(services, pledge_id):
    with services.uow() as uow:
        return uow.session.exec(select(PledgeSignup).where(PledgeSignup.pledge_id == pledge_id)).all()


def test_a_signed_in_volunteer_pledges_with_one_press_without_typing_their_details(client, services):
    pledge_id, path = _open_pledge(services)
    volunteer = make.user(services, first_name="Priya")
    sign_in_as(client, services, volunteer)
    html = client.get(path).get_data(as_text=True)
    assert "You are pledging as <strong>Priya</strong>" in html
    assert 'name="email"' not in html and 'name="name"' not in html
    token = csrf(client, path)
    done = client.post(path, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Thank you for pledging" in done and "You have made this pledge" in done
    assert "1 person has pledged" in done
    again = client.post(path, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "You had already pledged" in again
    [made] = _signups_of(services, pledge_id)
    assert (made.user_id, made.name, made.channel) == (volunteer, "Priya", "web")


def test_a_signed_in_pledge_without_the_form_token_is_refused(client, services):
    pledge_id, path = _open_pledge(services)
    sign_in_as(client, services, make.user(services))
    assert client.post(path, data={}).status_code == 400
    assert _signups_of(services, pledge_id) == []


def test_a_volunteer_who_pledged_with_their_email_before_signing_up_is_not_counted_twice(client, services):
    pledge_id, path = _open_pledge(services)
    volunteer = make.user(services, first_name="Priya")
    email = email_of(services, volunteer)
    pledges.make_pledge(
        services.uow(), services.clock, pledge_id, channel="web", name="P", email=email.upper()
    )
    sign_in_as(client, services, volunteer)
    assert "You have made this pledge" in client.get(path).get_data(as_text=True)
    _, new = pledges.make_pledge(services.uow(), services.clock, pledge_id, channel="web", user_id=volunteer)
    assert new is False and len(_signups_of(services, pledge_id)) == 1


def test_the_home_page_offers_a_signed_in_volunteer_the_open_pledges_made_with_one_press(client, services):
    pledge_id, path = _open_pledge(services)
    assert "Pledges you can make" not in client.get("/").get_data(as_text=True)  # nobody signed in
    volunteer = make.user(services)
    sign_in_as(client, services, volunteer)
    home = client.get("/").get_data(as_text=True)
    offer = home.split('class="card pledges-offered"')[1].split("</section>")[0]
    assert "Take polling day off" in offer and f'<form method="post" action="{path}"' in offer
    client.post(path, data={"csrf_token": csrf(client, "/")})
    assert [s.user_id for s in _signups_of(services, pledge_id)] == [volunteer]
    after = (
        client.get("/").get_data(as_text=True).split('class="card pledges-offered"')[1].split("</section>")[0]
    )
    assert "You have pledged" in after and "<form" not in after


def test_organiser_pages_are_for_the_campaigns_organisers_only(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    voter_id = make.voter(services, campaign_id)
    outsider = make.user(services)
    sign_in_as(client, services, outsider)
    for path in (
        f"/organiser/campaigns/{campaign_id}/signups",
        f"/organiser/campaigns/{campaign_id}/export/outcomes.csv",
        f"/organiser/voters/{voter_id}",
    ):
        assert client.get(path).status_code == 403, path
    sign_in_as(client, services, make.user(services, role=Role.ADMIN))
    assert client.get(f"/organiser/campaigns/{campaign_id}/signups").status_code == 200


def test_an_organiser_creates_an_event_and_exports_with_an_audit_record(app, client, services, places):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    path = f"/organiser/campaigns/{campaign_id}/signups"
    token = csrf(client, path)
    starts = services.clock.now() + timedelta(days=4)
    form = {
        "csrf_token": token, "title": "Big Saturday", "ons_code": "E14001172", "capacity": "12",
        "starts_at": starts.strftime("%Y-%m-%dT10:00"), "ends_at": starts.strftime("%Y-%m-%dT13:00"),
        "meeting_postcode": "SW1A 1AA",
    }  # fmt: skip
    reply = client.post(f"/organiser/campaigns/{campaign_id}/events", data=form, follow_redirects=True)
    assert "Big Saturday" in reply.get_data(as_text=True) and "0 of 12 places taken" in reply.get_data(
        as_text=True
    )
    export = client.get(f"/organiser/campaigns/{campaign_id}/export/signups.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert next(csv.reader(io.StringIO(export.get_data(as_text=True))))[0] == "kind"
    with services.uow() as uow:
        assert uow.session.exec(
            select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_id, AuditEntry.detail).order_by(
                col(AuditEntry.id)
            )
        ).all()[-1] == (
            "campaign_exported",
            organiser,
            str(campaign_id),
            {"export": "signups", "format": "csv"},
        )


def test_the_import_pages_take_a_file_a_mapping_and_show_the_report(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    token = csrf(client, f"/organiser/campaigns/{campaign_id}/signups")
    data = {
        "csrf_token": token,
        "encoding": "utf-8",
        "file": (io.BytesIO(b"Name,Tel\nAda,020 7946 0001\nBo,123\n"), "v.csv"),
    }
    reply = client.post(
        f"/organiser/campaigns/{campaign_id}/imports", data=data, content_type="multipart/form-data"
    )
    assert reply.status_code == 303
    mapping_page = client.get(reply.location).get_data(as_text=True)
    assert "Which column holds what?" in mapping_page
    started = client.post(
        reply.location + "/columns", data={"csrf_token": token, "first_name": "Name", "phone": "Tel"}
    )
    assert started.status_code == 303
    [(job, args, _)] = [(job, args, jid) for job, args, jid in _jobs(services)]
    assert job == "workers.imports.import_voters"
    from dialer.services.campaigns.voter_import import run_import

    run_import(services.uow, services.clock, services.live, args[0], number_key=services.number_key)
    report = client.get(reply.location).get_data(as_text=True)
    assert 'value="100"' in report and "is not a valid, callable phone number" in report
    assert "<td>3</td><td>rejected</td><td>the phone number is not" in report, "named by its line"


def _jobs(services):
    from rq import Queue

    queue = Queue("imports", connection=services.redis)
    return [(job.func_name, job.args, job.id) for job in queue.get_jobs()]


def test_the_voter_timeline_is_for_organisers_and_is_audited(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    voter_id = make.voter(services, campaign_id, first_name="Vera")
    sign_in_as(client, services, organiser)
    page = client.get(f"/organiser/voters/{voter_id}")
    assert page.status_code == 200 and "Vera" in page.get_data(as_text=True)
    with services.uow() as uow:
        viewed = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "voter_viewed")).one()
    assert (viewed.actor_id, viewed.subject_type, viewed.subject_id) == (organiser, "voter", str(voter_id))


def test_the_slot_lists_options_and_signs_the_voter_up_for_the_volunteer_who_talked_to_them(
    app, client, services, places
):
    campaign_id = make.campaign(services)
    caller = make.user(services)
    voter_id = make.voter(services, campaign_id, postcode="SW1A 2AA")
    event_id = make.event(services, campaign_id)
    sign_in_as(client, services, caller)
    assert client.get(f"/signups/voters/{voter_id}/options").status_code == 403
    with services.uow() as uow:
        outcome = Outcome(
            campaign_id=campaign_id,
            voter_id=voter_id,
            user_id=caller,
            disposition=Disposition.TALKED,
            created_at=services.clock.now(),
        )
        uow.session.add(outcome)
        uow.commit()
    options = client.get(f"/signups/voters/{voter_id}/options").get_json()
    assert [event["id"] for event in options["events"]] == [event_id]
    token = csrf(client, "/events")
    body = {"kind": "event", "id": event_id, "outcome_id": outcome.id}
    assert client.post(f"/signups/voters/{voter_id}", json=body).status_code == 400  # CSRF
    reply = client.post(f"/signups/voters/{voter_id}", json=body, headers={"X-CSRFToken": token})
    assert reply.get_json() == {"kind": "event", "id": event_id, "status": "confirmed"}
    assert client.get(f"/signups/voters/{voter_id}/options").get_json()["events"][0]["status"] == "confirmed"


def test_the_progress_page_joins_its_import_room_over_socketio_and_gets_pushed_updates(app, client, services):
    from web.extensions import socketio

    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    import_id = voter_import.start_import(
        services.uow(), services.clock, campaign_id=campaign_id, user_id=organiser,
        filename="v.csv", data=b"Name,Tel\nAda,020 7946 0001\n", encoding="utf-8",
    )  # fmt: skip
    watcher = socketio.test_client(app, namespace="/live", flask_test_client=client)
    ack = watcher.emit("watch_import", {"import_id": import_id}, namespace="/live", callback=True)
    assert ack == {"ok": True, "import": import_id}
    [now] = watcher.get_received("/live")
    assert (now["name"], now["args"][0]["status"]) == ("import_progress", "mapping")
    socketio.emit(
        "import_progress",
        {"id": import_id, "percent": 50},
        namespace="/live",
        to=voter_import.room(import_id),
    )
    assert watcher.get_received("/live")[0]["args"][0]["percent"] == 50

    stranger = app.test_client()
    sign_in_as(stranger, services, make.user(services))
    snoop = socketio.test_client(app, namespace="/live", flask_test_client=stranger)
    refused = snoop.emit("watch_import", {"import_id": import_id}, namespace="/live", callback=True)
    assert refused == {"error": "forbidden"}
    socketio.emit("import_progress", {"id": import_id}, namespace="/live", to=voter_import.room(import_id))
    assert snoop.get_received("/live") == []


def test_the_walk_list_is_for_the_campaigns_organisers_and_its_canvassers_only_around_the_event(
    app, services
):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    event_id = make.event(services, campaign_id, starts_in=timedelta(hours=3))
    canvasser, stranger = make.user(services), make.user(services)
    for volunteer in (canvasser, stranger):  # both have a place; the organiser approved one to canvass
        events.sign_up(services.uow(), services.clock, event_id, user_id=volunteer)
    doorstep.approve_canvasser(services.uow(), services.clock, Actor(organiser), event_id, canvasser)
    path = f"/doorstep/events/{event_id}"

    def status(user_id):
        return sign_in_as(app.test_client(), services, user_id).get(path).status_code

    assert (status(organiser), status(canvasser), status(stranger)) == (200, 403, 403)
    services.clock.advance(2.5 * 3600)  # half an hour before the start: the walk list opens
    assert (status(organiser), status(canvasser), status(stranger)) == (200, 200, 403)
    services.clock.advance(4 * 3600)  # over: only the organisers still see names and addresses
    assert (status(organiser), status(canvasser), status(stranger)) == (200, 403, 403)


def test_event_times_are_shown_in_uk_time_with_the_zone_named(app, client, services, places):
    campaign_id = make.campaign(services)
    event_id = make.event(services, campaign_id)
    with services.uow() as uow:
        event = uow.session.get(Event, event_id)
        event.starts_at = datetime(2031, 7, 1, 17, 0, tzinfo=UTC)  # 18:00 in British Summer Time
        event.ends_at = datetime(2031, 7, 1, 20, 0, tzinfo=UTC)
        uow.session.add(event)
        uow.commit()
    sign_in_as(client, services, make.user(services))
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Tue 1 Jul, 18:00\u201321:00 BST" in page


def test_a_pledge_left_without_a_web_address_gets_one_made_from_its_text(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    token = csrf(client, f"/organiser/campaigns/{campaign_id}/signups")
    form = {"csrf_token": token, "text": "Drive a neighbour to the polls — on 4 July!", "slug": ""}
    assert client.post(f"/organiser/campaigns/{campaign_id}/pledges", data=form).status_code == 303
    assert [p.slug for p in pledges.pledges_of(services.uow(), campaign_id)] == [
        "drive-a-neighbour-to-the-polls-on-4-july"
    ]


def test_a_refused_column_mapping_is_shown_again_as_chosen_with_the_reason(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    sign_in_as(client, services, organiser)
    token = csrf(client, f"/organiser/campaigns/{campaign_id}/signups")
    data = {
        "csrf_token": token,
        "encoding": "utf-8",
        "file": (io.BytesIO(b"Given,Other,Tel\nAda,Bo,020 7946 0001\n"), "v.csv"),
    }
    reply = client.post(
        f"/organiser/campaigns/{campaign_id}/imports", data=data, content_type="multipart/form-data"
    )
    refused = client.post(reply.location + "/columns", data={"csrf_token": token, "phone": "Other"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Choose the column that holds first names." in page
    assert '<option value="Other" selected>Other</option>' in page, "the organiser's choice, not the guess"
    assert _jobs(services) == []


def test_a_refused_capacity_is_shown_again_with_the_reason_beside_it(app, client, services):
    organiser = make.user(services)
    campaign_id = make.campaign(services, organiser_id=organiser)
    event_id = make.event(services, campaign_id, capacity=1)
    events.sign_up(services.uow(), services.clock, event_id, user_id=make.user(services))
    sign_in_as(client, services, organiser)
    path = f"/organiser/events/{event_id}"
    reply = client.post(f"{path}/capacity", data={"csrf_token": csrf(client, path), "capacity": "0"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert 'id="capacity-error">Capacity must be between 1 and' in page and 'value="0"' in page
    assert "Confirmed" in page, "the status's label, not its code"
    with services.uow() as uow:
        assert uow.session.get(Event, event_id).capacity == 1
