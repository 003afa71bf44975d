"""What organisers and admins change is in the audit log: imports, exports, campaign settings, pledges,
event capacity, roles and erasures, each with who did it and to what, and the chain stays whole."""

from __future__ import annotations

import io

from sqlmodel import col, select

from dialer.models import AuditEntry
from dialer.services.campaigns import voter_import
from dialer.services.compliance import audit
from tests.people import VOTERS_CSV, csrf_token
from tests.web.route_examples import CAMPAIGN_FORM


def entries(services, action):
    with services.uow() as uow:
        return uow.session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_an_organisers_changes_are_audited_with_who_and_what(client_as, services, world):
    organiser = client_as("organiser")
    me = world.accounts["organiser"]
    campaign = f"/organiser/campaigns/{world.campaign_id}"

    assert post(organiser, f"{campaign}/settings", {**CAMPAIGN_FORM, "max_attempts": "5"}).status_code == 303
    assert (
        post(organiser, f"/organiser/events/{world.event_id}/capacity", {"capacity": "30"}).status_code == 303
    )
    assert post(organiser, f"{campaign}/pledges", {"slug": "lift", "text": "Give a lift"}).status_code == 303
    assert post(organiser, f"{campaign}/pledges/{world.pledge_id}/close", {}).status_code == 303
    assert post(organiser, f"{campaign}/pledges/{world.pledge_id}/open", {}).status_code == 303
    upload = {"file": (io.BytesIO(VOTERS_CSV), "voters.csv"), "encoding": "utf-8"}
    assert post(organiser, f"{campaign}/imports", upload).status_code == 303
    assert organiser.get(f"{campaign}/export/outcomes.csv").status_code == 200

    (settings,) = entries(services, "campaign_settings_changed")
    assert (settings.actor_id, settings.subject_id) == (me, str(world.campaign_id))
    assert "max_attempts" in settings.detail["changed"]
    (capacity,) = entries(services, "event_capacity_changed")
    assert (capacity.actor_id, capacity.subject_id, capacity.detail["to"]) == (me, str(world.event_id), 30)
    (created,) = entries(services, "pledge_created")
    assert created.actor_id == me and created.detail == {"campaign": world.campaign_id}
    assert [e.subject_id for e in entries(services, "pledge_closed")] == [str(world.pledge_id)]
    assert [e.subject_id for e in entries(services, "pledge_opened")] == [str(world.pledge_id)]
    *_, uploaded = entries(services, "voters_uploaded")  # the world's own import was uploaded before
    assert uploaded.actor_id == me and uploaded.detail["campaign"] == world.campaign_id
    assert uploaded.subject_id != str(world.import_id)
    assert [e.actor_id for e in entries(services, "campaign_exported")] == [me]
    assert audit.verify(services.uow()).intact


def test_a_finished_import_is_audited_with_its_counts_and_no_names(services, world):
    progress = voter_import.run_import(
        services.uow, services.clock, services.live, world.import_id, number_key=services.number_key
    )
    (imported,) = entries(services, "voters_imported")
    assert imported.actor_id == world.accounts["organiser"]  # who started the import
    assert imported.detail == {
        "campaign": world.campaign_id,
        "status": progress.status,
        "imported": progress.imported,
        "merged": progress.merged,
        "rejected": progress.rejected,
    }


def test_role_changes_and_erasures_are_audited(client_as, services, world):
    admin = client_as("admin")
    volunteer = world.accounts["volunteer"]
    assert post(admin, f"/admin/people/{volunteer}/role", {"role": "organiser"}).status_code == 303
    assert post(admin, f"/admin/voters/{world.voter_id}/erase", {"confirm": "y"}).status_code == 303
    assert [e.subject_id for e in entries(services, "role_changed")] == [str(volunteer)]
    assert [e.subject_id for e in entries(services, "voter_erased")] == [str(world.voter_id)]
    assert audit.verify(services.uow()).intact
