"""The account page: a volunteer's own details, with the password asked for before a new e-mail
address or phone number is kept, and each problem shown beside its field."""

from __future__ import annotations

from dialer.models import User
from tests.people import PASSWORD, csrf_token


def post(client, **data):
    return client.post("/account", data={**data, "csrf_token": csrf_token(client)})


def test_a_new_phone_number_without_the_password_is_refused_beside_the_password_and_nothing_changes(
    client_as, services, world
):
    volunteer = client_as("volunteer")
    before = _user(services, world.accounts["volunteer"])

    reply = post(volunteer, first_name="Sam", email=before.email, phone="07700 900777", password="")

    assert reply.status_code == 400
    assert 'id="password-error">Enter your current password to change' in reply.get_data(as_text=True)
    after = _user(services, world.accounts["volunteer"])
    assert (after.phone_e164, after.phone_verified_at) == (before.phone_e164, before.phone_verified_at)


def test_an_e_mail_address_another_account_uses_is_refused_beside_the_e_mail_field(
    client_as, services, world
):
    volunteer = client_as("volunteer")
    taken = world.emails["organiser"]

    reply = post(volunteer, first_name="Sam", email=taken, phone="", password=PASSWORD)

    assert reply.status_code == 400
    assert 'id="email-error">Another account already uses this e-mail address' in reply.get_data(as_text=True)
    assert _user(services, world.accounts["volunteer"]).email == world.emails["volunteer"]


def test_a_premium_rate_number_is_refused_beside_the_phone_field(client_as, services, world):
    volunteer = client_as("volunteer")
    reply = post(
        volunteer, first_name="Sam", email=world.emails["volunteer"], phone="09098 790000", password=PASSWORD
    )

    assert reply.status_code == 400
    assert 'id="phone-error">We can only ring UK landline and mobile numbers' in reply.get_data(as_text=True)


def _user(services, user_id):
    with services.uow() as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        return user
