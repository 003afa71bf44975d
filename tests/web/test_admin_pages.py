"""The admin pages: the do-not-call list, organisers and admins, and the audit log."""

from __future__ import annotations

from sqlmodel import select

from dialer.domain.roles import Role
from dialer.models import AuditEntry, CampaignOrganiser, SuppressionEntry, User
from tests.people import csrf_token


def post(client, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_an_admin_adds_a_number_to_the_do_not_call_list(client_as, services):
    admin = client_as("admin")
    reply = post(
        admin, "/admin/suppression", phone="07700 900 222", reason="opt_out", source="letter of 3 June"
    )
    assert reply.status_code == 303
    page = admin.get("/admin/suppression").get_data(as_text=True)
    assert "Number added: no campaign will call it again." in page
    assert "•••• 222" in page and "letter of 3 June" in page and "7700900222" not in page
    with services.uow() as uow:
        assert set(uow.session.exec(select(SuppressionEntry.phone_e164)).all()) == {
            "+447700900999",
            "+447700900222",
        }


def test_a_number_that_is_not_one_is_refused_with_the_field_marked(client_as):
    reply = post(client_as("admin"), "/admin/suppression", phone="call me maybe", reason="opt_out")
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert (
        "is not a phone number" in html and 'aria-invalid="true"' in html and 'value="call me maybe"' in html
    )


def test_an_admin_removes_a_number(client_as, services, world):
    admin = client_as("admin")
    assert post(admin, f"/admin/suppression/{world.suppression_id}/remove").status_code == 303
    assert "Number removed" in admin.get("/admin/suppression").get_data(as_text=True)
    with services.uow() as uow:
        assert uow.session.exec(select(SuppressionEntry)).all() == []


def test_searching_the_list_by_number(client_as):
    admin = client_as("admin")
    found = admin.get("/admin/suppression", query_string={"q": "07700900999"}).get_data(as_text=True)
    assert "•••• 999" in found
    missing = admin.get("/admin/suppression", query_string={"q": "07700900000"}).get_data(as_text=True)
    assert "That number is not on the list." in missing
    wrong = admin.get("/admin/suppression", query_string={"q": "nonsense"}).get_data(as_text=True)
    assert "is not a phone number" in wrong


def test_an_admin_makes_a_volunteer_the_organiser_of_a_campaign(client_as, services, world):
    admin = client_as("admin")
    volunteer = world.accounts["volunteer"]
    assert (
        post(admin, f"/admin/people/{volunteer}/organiser", campaign_id=world.campaign_id).status_code == 303
    )
    with services.uow() as uow:
        assert uow.session.get(CampaignOrganiser, (world.campaign_id, volunteer)) is not None
        assert uow.session.get(User, volunteer).role is Role.ORGANISER
    page = admin.get("/admin/people", query_string={"q": "volunteer"}).get_data(as_text=True)
    assert "Bristol Central calls" in page


def test_revoking_stops_an_organiser_running_the_campaign(client_as, services, world):
    admin = client_as("admin")
    organiser = world.accounts["organiser"]
    assert post(admin, f"/admin/people/{organiser}/organiser/{world.campaign_id}/revoke").status_code == 303
    with services.uow() as uow:
        assert uow.session.get(CampaignOrganiser, (world.campaign_id, organiser)) is None


def test_a_grant_for_a_campaign_that_does_not_exist_is_refused(client_as, services, world):
    admin = client_as("admin")
    post(admin, f"/admin/people/{world.accounts['volunteer']}/organiser", campaign_id=999999)
    assert "Choose one of the campaigns." in admin.get("/admin/people").get_data(as_text=True)


def test_an_admin_promotes_an_account_to_admin_but_cannot_demote_themselves(client_as, services, world):
    admin = client_as("admin")
    post(admin, f"/admin/people/{world.accounts['volunteer']}/role", role="admin")
    post(admin, f"/admin/people/{world.accounts['admin']}/role", role="volunteer")
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "You cannot remove your own admin role" in page
    with services.uow() as uow:
        assert uow.session.get(User, world.accounts["volunteer"]).role is Role.ADMIN
        assert uow.session.get(User, world.accounts["admin"]).role is Role.ADMIN


def test_a_new_organiser_can_use_their_rights_on_their_next_request(client_as, app, services, world):
    """Rights are read on every request: no need to sign out and in again."""
    volunteer = client_as("volunteer")
    assert volunteer.get("/admin").status_code == 403
    post(client_as("admin"), f"/admin/people/{world.accounts['volunteer']}/role", role="admin")
    assert volunteer.get("/admin").status_code == 200


def test_the_audit_log_lists_sign_ins_and_role_changes_newest_first(client_as, world):
    admin = client_as("admin")
    post(admin, f"/admin/people/{world.accounts['volunteer']}/role", role="organiser")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert page.index("<td>role changed</td>") < page.index("<td>sign in</td>")
    assert "admin@example.org" in page and "from: volunteer; to: organiser" in page
    only_changes = admin.get("/admin/audit", query_string={"action": "role_changed"}).get_data(as_text=True)
    assert "<td>role changed</td>" in only_changes and "<td>sign in</td>" not in only_changes


def test_the_audit_log_pages_through_long_histories(client_as, services, world):
    from dialer.services.compliance import audit

    for _ in range(60):
        audit.record_now(services.uow(), services.clock, audit.Actor(None), audit.Action.SIGN_IN_FAILED)
    admin = client_as("admin")
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in admin.get("/admin/audit", query_string={"page": "2"}).get_data(as_text=True)
    assert "Page 2 of 2" in admin.get("/admin/audit", query_string={"page": "99"}).get_data(as_text=True)


def test_a_volunteers_phone_is_shown_in_full_only_to_them_and_masked_to_admins(client_as, services, world):
    with services.uow() as uow:
        volunteer = uow.session.get(User, world.accounts["volunteer"])
        volunteer.phone_e164 = "+447700900456"
        volunteer.phone_verified_at = services.clock.now()
        uow.session.add(volunteer)
        uow.commit()

    own = client_as("volunteer").get("/account").get_data(as_text=True)
    assert "07700 900456 is verified." in own
    admin = client_as("admin").get("/admin/people", query_string={"q": "volunteer"}).get_data(as_text=True)
    assert '•••• 456 <span class="tag">verified</span>' in admin
    assert "900456" not in admin and "900 456" not in admin
    organiser = client_as("organiser").get("/account").get_data(as_text=True)
    assert "900456" not in organiser and "900 456" not in organiser


def test_an_admin_allows_a_volunteer_an_international_number_which_is_otherwise_refused(
    client_as, services, world
):
    volunteer = client_as("volunteer")
    french = {"first_name": "Sam", "email": world.emails["volunteer"], "phone": "+33 6 12 34 56 78"}
    refused = post(volunteer, "/account", **french, password="correct horse battery staple")
    assert refused.status_code == 400 and "unless an admin allows them" in refused.get_data(as_text=True)

    admin = client_as("admin")
    assert (
        post(admin, f"/admin/people/{world.accounts['volunteer']}/any-phone", allowed="yes").status_code
        == 303
    )
    assert post(volunteer, "/account", **french, password="correct horse battery staple").status_code == 303
    with services.uow() as uow:
        user = uow.session.get(User, world.accounts["volunteer"])
        assert (user.phone_e164, user.phone_verified_at, user.any_phone_allowed) == (
            "+33612345678",
            None,
            True,
        )
        entry = uow.session.exec(select(AuditEntry).where(AuditEntry.action == "any_phone_allowed")).one()
        assert (entry.actor_id, entry.subject_id, entry.detail) == (
            world.accounts["admin"],
            str(world.accounts["volunteer"]),
            {"allowed": True},
        )
