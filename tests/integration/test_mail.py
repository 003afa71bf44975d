"""E-mail: sent by a worker job through a real SMTP server (the product's local one, aiosmtpd),
never inside the request; password resets, event places and the day-before reminder."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dialer.adapters.local_smtp import LocalSmtpServer, ReceivedMail, received
from dialer.bootstrap import Services, build
from dialer.config import SmtpSecurity
from dialer.errors import MailError
from dialer.models import EventReminder, OutgoingMail
from dialer.ports import MailMessage
from dialer.services.mail import event_mail, mail
from dialer.services.signups import carpools, events, pledges
from tests import signup_factories as make
from tests.concurrency import all_at_once
from tests.people import FAST_PASSWORDS, add_account, csrf_token, email_of, sign_in, sign_in_as
from tests.suite_state import services_on_the_clock

pytestmark = pytest.mark.integration


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer(tmp_path / "mailbox").start()
    yield server
    server.stop()


@pytest.fixture
def wired(settings, clean_db, redis, redis_url, clock, telephony, mailbox) -> Iterator[Services]:
    """The product sending through the local SMTP server, its jobs run on the SimClock."""
    from workers import context

    services = services_on_the_clock(
        settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port, "smtp_security": SmtpSecurity.NONE}
        ),
        clean_db,
        redis,
        redis_url,
        clock,
        telephony,
    )
    context.use(services)
    yield services
    context.use(None)


@pytest.fixture
def client(wired):
    from web import create_app

    return create_app(services=wired).test_client()


@pytest.fixture
def app_for(wired):
    """A browser signed in as the given account."""
    from web import create_app

    app = create_app(services=wired)
    return lambda user_id: sign_in_as(app.test_client(), wired, user_id)


def inbox(server: LocalSmtpServer, to: str) -> list[ReceivedMail]:
    return [message for message in received(server.maildir) if message.to == to]


def test_a_password_reset_email_reaches_the_smtp_server_and_its_link_works_once(
    client, wired, clock, mailbox
):
    add_account(wired, "sam@example.org", first_name="Sam")
    reply = client.post(
        "/reset-password", data={"email": "sam@example.org", "csrf_token": csrf_token(client)}
    )
    assert reply.status_code == 303
    assert inbox(mailbox, "sam@example.org") == [], "the request only queues the e-mail: a worker sends it"

    clock.advance(1)  # the worker's job runs
    (sent,) = inbox(mailbox, "sam@example.org")
    assert sent.subject == "Choose a new password for Marginal" and "Marginal" in sent.sender
    assert "Hello Sam," in sent.text and "works once, for 60 minutes" in sent.text
    links = re.findall(r"http://localhost(/reset-password/\S+)", sent.text)
    assert len(links) == 1 and links[0] in sent.html
    assert "You are getting this because a password reset was asked for" in sent.text

    path = links[0]
    assert client.get(path).status_code == 200
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    assert client.post(path, data={**new, "csrf_token": csrf_token(client)}).status_code == 303
    again = client.post(path, data={**new, "csrf_token": csrf_token(client)})
    assert again.status_code == 303 and again.headers["Location"] == "/reset-password"
    with wired.uow() as uow:
        (row,) = uow.session.exec(select(OutgoingMail)).all()
        assert row.sent_at is not None and (row.subject, row.text, row.html) == ("", "", "")


def test_no_email_is_sent_for_an_address_without_an_account(client, wired, clock, mailbox):
    reply = client.post(
        "/reset-password", data={"email": "nobody@example.org", "csrf_token": csrf_token(client)}
    )
    assert reply.status_code == 303
    clock.advance(1)
    assert received(mailbox.maildir) == []


class Recorded:
    """A job queue that only writes down what was queued (for workers racing each other)."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, job: str, *args: Any, at=None, job_id=None) -> None:
        self.queued.append((job, args))


def test_signing_up_for_an_event_sends_a_confirmation_and_the_day_before_one_reminder(
    client, wired, clock, mailbox
):
    volunteer = make.user(wired, first_name="Priya")
    campaign = make.campaign(wired)
    event = make.event(wired, campaign, starts_in=timedelta(days=3))
    email = email_of(wired, volunteer)
    sign_in(client, email)
    assert client.post(f"/events/{event}/places", data={"csrf_token": csrf_token(client)}).status_code == 303
    # pressing again keeps the same place and sends nothing more
    client.post(f"/events/{event}/places", data={"csrf_token": csrf_token(client)})
    clock.advance(1)
    (confirmation,) = inbox(mailbox, email)
    assert confirmation.subject.startswith("You are signed up: Door-knocking")
    assert "Your place is confirmed." in confirmation.text and "Meeting point: SW1A 1AA." in confirmation.text
    assert f"http://localhost/events/{event}" in confirmation.html

    assert event_mail.send_reminders(wired.mail) == 0, "two days before, no reminder yet"
    clock.advance(timedelta(days=2, hours=1).total_seconds())

    racing = replace(wired.mail, jobs=Recorded())
    written = all_at_once(2, lambda _: event_mail.send_reminders(racing))  # two workers at once
    assert sorted(written) == [0, 1]
    assert event_mail.send_reminders(racing) == 0, "each place is reminded once"
    with wired.uow() as uow:
        (reminder,) = uow.session.exec(select(EventReminder)).all()
    assert racing.jobs.queued == [(mail.SEND_MAIL, (reminder.mail_id,))]
    assert mail.send_mail(wired.mail, reminder.mail_id) is True
    assert mail.send_mail(wired.mail, reminder.mail_id) is False, "a second run of the job sends nothing"

    reminders = [m for m in inbox(mailbox, email) if m.subject.startswith("Tomorrow: ")]
    assert len(reminders) == 1
    assert "is tomorrow, and you have a place" in reminders[0].text
    assert "the only reminder we send" in reminders[0].text


class Flaky:
    """An SMTP server that is away for the first `down` tries."""

    def __init__(self, down: int, *, permanent: bool = False) -> None:
        self.down, self.permanent = down, permanent
        self.sent: list[MailMessage] = []

    def send(self, message: MailMessage) -> None:
        if self.down:
            self.down -= 1
            raise MailError("450 mailbox busy", retryable=not self.permanent)
        self.sent.append(message)


def test_a_message_the_smtp_server_could_not_take_is_retried_until_it_is_sent(wired, clock):
    flaky = Flaky(down=2)
    wired.mail = replace(wired.mail, transport=flaky)  # what the worker's jobs send through
    mail_id = mail.post(wired.mail, _letter())
    clock.advance(1)
    assert flaky.sent == []
    clock.advance(sum(step.total_seconds() for step in mail.RETRY_AFTER[:2]) + 1)
    assert [message.to for message in flaky.sent] == ["kim@example.org"]
    with wired.uow() as uow:
        row = uow.session.get(OutgoingMail, mail_id)
        assert row.sent_at is not None and row.tries == 3


def test_a_permanent_refusal_is_not_retried_and_the_message_is_dropped(wired, clock):
    refused = Flaky(down=1, permanent=True)
    wired.mail = replace(wired.mail, transport=refused)
    mail_id = mail.post(wired.mail, _letter())
    clock.advance(3600)
    with wired.uow() as uow:
        row = uow.session.get(OutgoingMail, mail_id)
        assert row.failed_at is not None and row.tries == 1 and row.text == ""
    assert refused.sent == []


def test_an_unreachable_smtp_server_is_a_retryable_failure(wired, clock):
    from dialer.adapters.smtp_mail import SmtpMailTransport
    from tests.ports import free_port

    nowhere = SmtpMailTransport(wired.settings.model_copy(update={"smtp_port": free_port()}), clock)
    with pytest.raises(MailError) as failed:
        nowhere.send(MailMessage("Marginal <m@localhost>", "kim@example.org", "Hello", "Hi", "<p>Hi</p>"))
    assert failed.value.retryable


def test_the_smtp_server_gets_plain_text_and_html_alternatives(wired, mailbox):
    from dialer.adapters.smtp_mail import as_email

    with smtplib.SMTP("127.0.0.1", mailbox.port) as server:
        server.send_message(
            as_email(MailMessage("A <a@localhost>", "b@example.org", "S", "text", "<p>h</p>"), wired.clock)
        )
    (got,) = received(mailbox.maildir)
    assert (got.text.strip(), got.html.strip()) == ("text", "<p>h</p>")


def _letter() -> mail.Letter:
    return mail.Letter(kind="test", to="kim@example.org", subject="Hello", text="Hi", html="<p>Hi</p>")


def test_erasing_an_account_forgets_the_e_mails_to_it(client, wired, clock):
    from dialer.services.compliance.audit import Actor
    from dialer.services.data_protection import volunteer_data

    user_id = add_account(wired, "sam@example.org")
    client.post("/reset-password", data={"email": "sam@example.org", "csrf_token": csrf_token(client)})
    clock.advance(1)
    mail.post(wired.mail, replace(_letter(), to="sam@example.org", user_id=user_id))
    volunteer_data.erase_account(wired.uow, clock, Actor(user_id, ""))
    with wired.uow() as uow:
        assert uow.session.exec(select(OutgoingMail)).all() == []


def test_a_carpool_request_e_mails_the_driver_and_acceptance_e_mails_the_rider(
    app_for, wired, clock, mailbox
):
    campaign = make.campaign(wired)
    event = make.event(wired, campaign, starts_in=timedelta(days=3))
    driver, rider = make.user(wired, first_name="Dee"), make.user(wired, first_name="Ravi")
    carpool = carpools.offer(
        wired.uow(),
        clock,
        make.locate,
        event_id=event,
        driver_id=driver,
        pickup_postcode="N1 9GU",
        seats=2,
        departs_at=clock.now() + timedelta(days=2, hours=23),
    )
    as_rider, as_driver = app_for(rider), app_for(driver)
    for _ in range(2):  # asking twice is one request, and one e-mail
        as_rider.post(f"/carpools/{carpool}/seats", data={"csrf_token": csrf_token(as_rider)})
    clock.advance(1)
    (asked,) = inbox(mailbox, email_of(wired, driver))
    assert asked.subject.startswith("Ravi asked for a seat in your carpool to Door-knocking")
    assert "Accept or decline on your carpools page" in asked.text
    assert email_of(wired, rider) not in asked.text, "contact details only once both have accepted"

    (seat,) = carpools.seats_for_rider(wired.uow(), rider)
    as_driver.post(f"/carpools/seats/{seat.seat_id}/accept", data={"csrf_token": csrf_token(as_driver)})
    clock.advance(1)
    (confirmed,) = inbox(mailbox, email_of(wired, rider))
    assert (
        confirmed.subject.startswith("Your seat to Door-knocking") and "The driver accepted" in confirmed.text
    )


def test_a_pledge_on_the_public_page_is_thanked_by_e_mail_once(client, wired, clock, mailbox):
    from dialer.models import Campaign
    from dialer.services.compliance.audit import SYSTEM

    campaign = make.campaign(wired)
    pledges.create_pledge(
        wired.uow(), campaign, slug="day-off", text="Take polling day off", clock=clock, actor=SYSTEM
    )
    with wired.uow() as uow:
        path = f"/pledge/{uow.session.get(Campaign, campaign).slug}/day-off"
    client.get(path)
    for _ in range(2):
        client.post(path, data={"csrf_token": csrf_token(client), "name": "Sam", "email": "sam@example.org"})
    clock.advance(1)
    (thanks,) = inbox(mailbox, "sam@example.org")
    assert thanks.subject == "Thank you for your pledge: Take polling day off"
    assert "Hello Sam," in thanks.text and f"http://localhost{path}" in thanks.text


def test_the_workers_upkeep_writes_each_reminder_due_once_even_with_two_workers(
    settings, clean_db, redis, monkeypatch
):
    """The reminders are written by every worker's periodic upkeep (workers/runner.py), on the real clock."""
    from datetime import UTC, datetime

    from dialer.models import Event, EventSignup
    from workers import runner

    services = build(settings, engine=clean_db, redis=redis, passwords=FAST_PASSWORDS)
    volunteer = make.user(services, first_name="Priya")
    campaign = make.campaign(services)
    now = datetime.now(UTC)
    event = make.add(
        services,
        Event(
            campaign_id=campaign, ons_code="E14001172", title="Door-knocking in Pimlico",
            starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=23),
            meeting_postcode="SW1V 3AA", lat=51.49, lon=-0.14,
        ),
    ).id  # fmt: skip
    make.add(services, EventSignup(event_id=event, user_id=volunteer, created_at=now - timedelta(days=2)))
    for name, value in {
        "MARGINAL_MODE": "test",
        "DATABASE_URL": settings.effective_database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    runner._own_services.cache_clear()
    try:
        for name in ("first", "second"):
            runner.SimpleDialerWorker(["default"], connection=redis, name=name).run_maintenance_tasks()
    finally:
        runner._own_services().close()
        runner._own_services.cache_clear()
    with services.uow() as uow:
        (reminder,) = uow.session.exec(select(EventReminder)).all()
        queued = uow.session.get(OutgoingMail, reminder.mail_id)
    assert queued is not None
    assert queued.kind == "event_reminder" and queued.subject == "Tomorrow: Door-knocking in Pimlico"
    assert queued.to_address == email_of(services, volunteer)


def test_someone_on_the_waiting_list_is_e_mailed_when_a_place_comes_free(app_for, wired, clock, mailbox):
    campaign = make.campaign(wired)
    event = make.event(wired, campaign, capacity=1, starts_in=timedelta(days=3))
    first, second = make.user(wired), make.user(wired, first_name="Wes")
    as_first, as_second = app_for(first), app_for(second)
    as_first.post(f"/events/{event}/places", data={"csrf_token": csrf_token(as_first)})
    as_second.post(f"/events/{event}/places", data={"csrf_token": csrf_token(as_second)})
    clock.advance(1)
    (waiting,) = inbox(mailbox, email_of(wired, second))
    assert (
        waiting.subject.startswith("Waiting list: ")
        and "we will e-mail you if a place comes free" in waiting.text
    )

    (place,) = list(events.places_of_volunteer(wired.uow(), first).values())
    as_first.post(f"/events/places/{place.id}/cancel", data={"csrf_token": csrf_token(as_first)})
    clock.advance(1)
    moved = [
        m for m in inbox(mailbox, email_of(wired, second)) if m.subject.startswith("A place came free: ")
    ]
    assert len(moved) == 1 and "you have moved up from the waiting list" in moved[0].text


def test_a_message_whose_job_was_lost_is_queued_again_by_the_upkeep(wired, clock):
    lost = replace(wired.mail, jobs=Recorded())  # the job never reaches a worker
    mail_id = mail.post(lost, _letter())
    assert mail.send_forgotten(wired.mail) == 0, "not yet: its job may still be on its way"
    clock.advance(mail.FORGOTTEN_AFTER.total_seconds() + 1)
    flaky = Flaky(down=0)
    wired.mail = replace(wired.mail, transport=flaky)
    assert mail.send_forgotten(wired.mail) == 1
    clock.advance(1)
    assert [message.subject for message in flaky.sent] == ["Hello"]
    assert mail.send_forgotten(wired.mail) == 0
    with wired.uow() as uow:
        assert uow.session.get(OutgoingMail, mail_id).sent_at is not None


def test_outside_production_with_no_smtp_server_e_mails_go_to_the_log(settings, clock, caplog):
    import logging

    from dialer.adapters.smtp_mail import make_transport

    transport = make_transport(settings.model_copy(update={"smtp_host": ""}), clock)
    with caplog.at_level(logging.WARNING):
        transport.send(MailMessage("M <m@localhost>", "kim@example.org", "Hello", "the link: http://x/y", ""))
    assert "kim@example.org" in caplog.text and "the link: http://x/y" in caplog.text


def test_two_sign_ups_with_one_address_make_one_account(client, wired, clock, mailbox):
    new = {"first_name": "Priya", "email": "priya@example.org", "postcode": "BS1 4DJ"}
    for password in ("first passphrase here", "second passphrase here"):
        client.post("/sign-up", data={**new, "password": password, "csrf_token": csrf_token(client)})
    clock.advance(1)
    links = [
        re.search(r"http://localhost(/sign-up/confirm/\S+)", m.text)
        for m in inbox(mailbox, "priya@example.org")
    ]
    paths = [found.group(1) for found in links if found]
    assert len(paths) == 2
    assert client.post(paths[0], data={"csrf_token": csrf_token(client)}).status_code == 303
    other = client.post(paths[1], data={"csrf_token": csrf_token(client)}, follow_redirects=True)
    assert "This sign-up link is not valid or has been used" in other.get_data(as_text=True)
    with wired.uow() as uow:
        from dialer.models import User

        assert [user.email for user in uow.session.exec(select(User))] == ["priya@example.org"]
