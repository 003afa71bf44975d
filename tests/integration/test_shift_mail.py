"""Calling-shift e-mails through a real (local) SMTP server: booking a shift sends a confirmation,
and the day before its start one reminder goes per booking, even with two workers at once; a booking
cancelled before then gets none."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from dialer.models import CallingShift, ShiftReminder
from dialer.services.calling import shifts
from dialer.services.mail import mail, shift_mail
from tests import signup_factories as make
from tests.concurrency import all_at_once
from tests.integration.test_mail import Recorded, client, inbox, mailbox, wired  # noqa: F401 (fixtures)
from tests.people import csrf_token, email_of, sign_in

pytestmark = pytest.mark.integration


def publish(services, campaign_id: int, *, starts_in: timedelta) -> int:
    starts = services.clock.now() + starts_in
    row = CallingShift(
        campaign_id=campaign_id, starts_at=starts, ends_at=starts + timedelta(hours=2), wanted=5,
        created_at=services.clock.now(),
    )  # fmt: skip
    shift_id: int = make.add(services, row).id
    return shift_id


def test_booking_a_shift_sends_a_confirmation_and_the_day_before_one_reminder(client, wired, clock, mailbox):  # noqa: F811
    volunteer = make.user(wired, first_name="Priya")
    shift_id = publish(wired, make.campaign(wired), starts_in=timedelta(days=3))
    email = email_of(wired, volunteer)
    sign_in(client, email)
    assert client.post(f"/shifts/{shift_id}/book", data={"csrf_token": csrf_token(client)}).status_code == 303
    clock.advance(1)
    (confirmation,) = inbox(mailbox, email)
    assert confirmation.subject.startswith("You are booked to call: Campaign ")
    assert "Hello Priya," in confirmation.text and "(UK time)" in confirmation.text
    assert "http://localhost/shifts" in confirmation.html

    assert shift_mail.send_reminders(wired.mail) == 0, "three days before, no reminder yet"
    clock.advance(timedelta(days=2, hours=1).total_seconds())

    racing = replace(wired.mail, jobs=Recorded())
    written = all_at_once(2, lambda _: shift_mail.send_reminders(racing))  # two workers at once
    assert sorted(written) == [0, 1]
    assert shift_mail.send_reminders(racing) == 0, "each booking is reminded once"
    with wired.uow() as uow:
        (reminder,) = uow.session.exec(select(ShiftReminder)).all()
    assert racing.jobs.queued == [(mail.SEND_MAIL, (reminder.mail_id,))]
    assert mail.send_mail(wired.mail, reminder.mail_id) is True

    reminders = [m for m in inbox(mailbox, email) if m.subject.startswith("Tomorrow: ")]
    assert len(reminders) == 1
    assert "you are booked to call for Campaign" in reminders[0].text
    assert "the only reminder we send" in reminders[0].text


def test_a_booking_cancelled_before_the_day_gets_no_reminder(wired, clock, mailbox):  # noqa: F811
    volunteer = make.user(wired)
    shift_id = publish(wired, make.campaign(wired), starts_in=timedelta(days=2))
    shifts.book(wired.uow(), shift_id, volunteer, now=clock.now())
    shifts.cancel_booking(wired.uow(), shift_id, volunteer, now=clock.now())
    clock.advance(timedelta(days=1, hours=1).total_seconds())
    assert shift_mail.send_reminders(wired.mail) == 0
    with wired.uow() as uow:
        assert uow.session.exec(select(ShiftReminder)).all() == []


def test_a_shift_booked_within_its_last_day_gets_only_the_confirmation(wired, clock, mailbox):  # noqa: F811
    volunteer = make.user(wired)
    shift_id = publish(wired, make.campaign(wired), starts_in=timedelta(hours=5))
    shifts.book(wired.uow(), shift_id, volunteer, now=clock.now())
    assert shift_mail.confirm_booking(wired.mail, shift_id, volunteer) is not None
    assert shift_mail.send_reminders(wired.mail) == 0
