"""A volunteer's phone number: changed only with their password, verified by a call that asks for a
1, rung at most a few times an hour per account and per number, and only if it is a UK landline or
mobile; "call my phone" refuses an unverified one."""

import pytest
from sqlmodel import select

from dialer.domain.call_control import ConfirmVolunteer, Goodbye
from dialer.domain.seats import AudioLeg
from dialer.errors import Conflict, InvalidInput
from dialer.models import PhoneVerification, User
from dialer.services.accounts import phone_verification as phones
from dialer.services.calling import sessions
from tests.people import FAST_PASSWORDS, PASSWORD
from tests.phone_bank_builders import make_campaign, make_volunteer

pytestmark = pytest.mark.integration

CALLER_ID = "+442079460000"


def user(bank, user_id):
    with bank.uow() as uow:
        return uow.session.get(User, user_id)


def set_phone(bank, user_id, phone, password=PASSWORD):
    found = user(bank, user_id)
    return phones.change_details(
        bank.uow(),
        FAST_PASSWORDS,
        user_id,
        first_name=found.first_name,
        email=found.email,
        phone=phone,
        password=password,
    )


def test_a_volunteer_adds_their_number_verifies_it_with_a_1_and_call_my_phone_then_rings_it(bank, telephony):
    campaign = make_campaign(bank, voters=1)
    volunteer = make_volunteer(bank, "Kim")
    assert set_phone(bank, volunteer, "07700 900123") is True
    assert (user(bank, volunteer).phone_e164, user(bank, volunteer).phone_verified_at) == (
        "+447700900123",
        None,
    )
    with pytest.raises(InvalidInput, match="verify your phone number on your account page first"):
        sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)

    phones.ring_to_verify(bank, volunteer, CALLER_ID)
    sid, call = telephony.placed[-1]
    assert call.to == "+447700900123" and "/voice/phone-check/answer" in call.answer_url
    with bank.uow() as uow:
        check = uow.session.exec(select(PhoneVerification)).one()
    prompt = phones.check_answered(bank, check.id, sid)
    assert isinstance(prompt, ConfirmVolunteer) and "press 1" in prompt.prompt
    assert isinstance(phones.check_confirmed(bank, check.id, sid, "2"), Goodbye)
    assert user(bank, volunteer).phone_verified_at is None, "only a 1 verifies"
    phones.check_confirmed(bank, check.id, sid, "1")
    assert user(bank, volunteer).phone_verified_at is not None

    sessions.start_session(bank, volunteer, campaign, AudioLeg.PHONE)
    assert telephony.placed[-1][1].to == "+447700900123"


def test_a_new_number_needs_the_password_and_is_unverified_again(bank):
    volunteer = make_volunteer(bank, "Kim", phone="+447700900123")  # verified
    with pytest.raises(InvalidInput, match="current password"):
        set_phone(bank, volunteer, "07700 900456", password="wrong password entirely")
    assert user(bank, volunteer).phone_e164 == "+447700900123"
    assert set_phone(bank, volunteer, "07700 900456") is True
    assert (user(bank, volunteer).phone_e164, user(bank, volunteer).phone_verified_at) == (
        "+447700900456",
        None,
    )
    assert set_phone(bank, volunteer, "07700 900456", password="") is False, "no change, no password needed"


def test_premium_rate_and_international_numbers_are_refused_and_never_rung(bank, telephony):
    volunteer = make_volunteer(bank, "Kim")
    for number in ("09098 790000", "+33 1 42 68 53 00"):
        with pytest.raises(InvalidInput, match="only ring UK landline and mobile"):
            set_phone(bank, volunteer, number)
    assert user(bank, volunteer).phone_e164 is None
    assert telephony.placed == []


def test_verification_calls_are_limited_per_account_and_per_number(bank, telephony, clock):
    first = make_volunteer(bank, "Kim")
    set_phone(bank, first, "07700 900123")
    for _ in range(phones.CALLS_PER_ACCOUNT):
        phones.ring_to_verify(bank, first, CALLER_ID)
    with pytest.raises(Conflict, match="rung you several times this hour"):
        phones.ring_to_verify(bank, first, CALLER_ID)

    second = make_volunteer(bank, "Lee")  # another account giving the same number
    set_phone(bank, second, "07700 900123")
    with pytest.raises(Conflict, match="this number has been rung several times"):
        phones.ring_to_verify(bank, second, CALLER_ID)
    assert len(telephony.placed) == phones.CALLS_PER_ACCOUNT

    clock.advance(phones.RATE_WINDOW.total_seconds() + 1)
    phones.ring_to_verify(bank, second, CALLER_ID)
    assert len(telephony.placed) == phones.CALLS_PER_ACCOUNT + 1
