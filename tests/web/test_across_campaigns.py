"""An organiser of one campaign changes nothing of another's by naming its ids under their own URL.

Judged by the rows: the reply may be a 404 either way, what matters is that nothing was written.
"""

from __future__ import annotations

from sqlmodel import func, select

from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.models import CallAttempt, CallingSession, Outcome, Pledge
from tests.people import add_other_campaign_life, csrf_headers


def add_pledge(services, campaign_id: int, slug: str = "lift") -> int:
    with services.uow() as uow:
        pledge = Pledge(campaign_id=campaign_id, slug=slug, text="Give a neighbour a lift to vote")
        uow.session.add(pledge)
        uow.commit()
        assert pledge.id is not None
        return pledge.id


def is_active(services, pledge_id: int) -> bool:
    with services.uow() as uow:
        pledge = uow.session.get(Pledge, pledge_id)
        assert pledge is not None
        return bool(pledge.active)


def test_an_organiser_cannot_close_another_campaigns_pledge_under_their_own_campaign(
    client_as, services, world
):
    theirs = world.pledge_id  # campaign 1's pledge
    other = client_as("other_organiser")
    reply = other.post(
        f"/organiser/campaigns/{world.other_campaign_id}/pledges/{theirs}/close", headers=csrf_headers(other)
    )
    assert reply.status_code == 404
    assert is_active(services, theirs)


def test_an_organiser_still_closes_and_reopens_their_own_campaigns_pledge(client_as, services, world):
    own = add_pledge(services, world.other_campaign_id)
    other = client_as("other_organiser")
    base = f"/organiser/campaigns/{world.other_campaign_id}/pledges/{own}"
    assert other.post(f"{base}/close", headers=csrf_headers(other)).status_code == 303
    assert not is_active(services, own)
    assert other.post(f"{base}/open", headers=csrf_headers(other)).status_code == 303
    assert is_active(services, own)


def test_a_volunteer_cannot_record_an_outcome_for_another_campaigns_call_in_their_own_session(
    client_as, services, world
):
    theirs = add_other_campaign_life(services, world)
    with services.uow() as uow:
        call = uow.session.exec(
            select(CallAttempt.id).where(CallAttempt.campaign_id == theirs.campaign_id)
        ).one()
        outcomes_before = uow.session.exec(select(func.count()).select_from(Outcome)).one()
    volunteer = client_as("volunteer")
    reply = volunteer.post(
        f"/call/session/{world.session_id}/outcome",
        json={"call": call, "disposition": "talked", "idempotency_key": "k-across-1"},
        headers=csrf_headers(volunteer),
    )
    assert reply.status_code == 404
    with services.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Outcome)).one() == outcomes_before


def test_an_organiser_cannot_end_another_campaigns_volunteer_session_under_their_own_campaign(
    client_as, services, world
):
    theirs = add_other_campaign_life(services, world)
    organiser = client_as("organiser")
    reply = organiser.post(
        f"/organiser/campaigns/{world.campaign_id}/sessions/{theirs.session_id}/end",
        headers=csrf_headers(organiser),
    )
    assert reply.status_code == 404
    with services.uow() as uow:
        seat = uow.session.get(CallingSession, theirs.session_id)
        assert seat is not None and seat.state in LIVE_SEAT_STATES
