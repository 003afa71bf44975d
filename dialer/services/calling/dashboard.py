"""The organiser's live dashboard: its first paint, the recount from SQL, and the voter pool's health.

The dashboard paints once from `snapshot` (the live figures with their version, and everything
needed to name them: seats, volunteers, questions, outcomes), then applies the deltas
`live_figures` publishes. The figures in Redis are rebuilt from SQL by `reconcile`: on start-up,
when Redis lost them, and when an organiser asks. A recount builds the very facts the live
counting counts, from the durable record, and adds them up the same way.

One recount runs at a time per campaign, and a change counted live while it is read is kept if the
recount missed it (the Tally's rebuild), so a rebuild under load loses and doubles nothing. The
figures are for watching all the same: no compliance decision reads them (the dialer reads SQL).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, exists, func, select, update

from dialer.domain import figures
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.campaigns import CampaignStatus
from dialer.domain.dispositions import Disposition
from dialer.domain.figures import Fact, Pool
from dialer.domain.retries import campaign_rules
from dialer.domain.seats import LIVE_SEAT_STATES
from dialer.errors import NotFound
from dialer.models import (
    CallAttempt,
    CallingSession,
    Campaign,
    CampaignSeat,
    Constituency,
    Outcome,
    SuppressionEntry,
    SurveyAnswer,
    Voter,
)
from dialer.ports import Recount
from dialer.services.calling import live_figures, predictive_pacing, queueing
from dialer.services.campaigns.campaigns import survey_of
from dialer.services.phone_bank import PhoneBank, campaign_room

#: Published when the figures were rebuilt: dashboards fetch a new snapshot.
RECONCILED_EVENT = "reconciled"
#: The voter pool, recomputed from SQL (by the heartbeat while anyone is calling).
POOL_EVENT = "pool"
#: The campaign's status changed (opened, paused, resumed, ended).
CAMPAIGN_EVENT = "campaign"


@dataclass(frozen=True)
class Reconciliation:
    campaign_id: int
    version: int
    #: Figures the running count had wrong: name -> (counted, recounted).
    corrected: dict[str, tuple[int, int]]


#: A fact is counted live within this long of happening (a call ends within hours of being placed,
#: a callback is retried for minutes): a rebuild marks the facts it holds from this far back.
LATE_COUNT_WITHIN = timedelta(days=2)


def recount(session: Session, campaign_id: int) -> dict[str, int]:
    """The campaign's figures from SQL alone."""
    return figures.add_up(_facts(session, campaign_id))


def reconcile(bank: PhoneBank, campaign_id: int) -> Reconciliation:
    """Rebuild the campaign's live figures from SQL; dashboards are told to repaint."""
    with bank.uow() as uow:
        if uow.session.get(Campaign, campaign_id) is None:
            raise NotFound("no such campaign")
    before: dict[str, int] = {}
    counted: dict[str, int] = {}

    def read_the_record() -> Recount:
        before.update(bank.tally.read(campaign_id).figures)
        with bank.uow() as uow:
            facts = _facts(uow.session, campaign_id)
        counted.update(figures.add_up(facts))
        # A call placed before the rebuild and ending after it must not count its dial twice.
        recent = bank.clock.now() - LATE_COUNT_WITHIN
        return Recount(counted, [fact.name for fact in facts if fact.at >= recent])

    version = bank.tally.rebuild(campaign_id, read_the_record)
    corrected = {
        name: (before.get(name, 0), counted.get(name, 0))
        for name in sorted(set(before) | set(counted))
        if before.get(name, 0) != counted.get(name, 0)
    }
    bank.live.publish(
        campaign_room(campaign_id),
        RECONCILED_EVENT,
        {"campaign": campaign_id, "version": version, "corrected": len(corrected)},
    )
    return Reconciliation(campaign_id, version, corrected)


def reconcile_running(bank: PhoneBank, *, only_lost: bool = False) -> list[Reconciliation]:
    """Rebuild the figures of every campaign taking calls or paused (with `only_lost`, of those whose
    figures Redis no longer holds)."""
    with bank.uow() as uow:
        ids = uow.session.exec(
            select(Campaign.id).where(
                col(Campaign.status).in_([CampaignStatus.ACTIVE, CampaignStatus.PAUSED])
            )
        ).all()
    return [
        reconcile(bank, cid)
        for cid in ids
        if cid is not None and not (only_lost and bank.tally.read(cid).built)
    ]


def catch_up(bank: PhoneBank) -> list[Reconciliation]:
    """Recount the figures of the campaigns marked behind the record (`live_figures.mark_behind`);
    a mark made while its recount ran stays for the next beat."""
    with bank.uow() as uow:
        behind = uow.session.exec(
            select(Campaign.id, Campaign.figures_behind_since).where(
                col(Campaign.figures_behind_since).is_not(None)
            )
        ).all()
    done = []
    for campaign_id, since in behind:
        assert campaign_id is not None
        done.append(reconcile(bank, campaign_id))
        with bank.uow() as uow:
            uow.session.exec(
                update(Campaign)
                .where(col(Campaign.id) == campaign_id, col(Campaign.figures_behind_since) == since)
                .values(figures_behind_since=None)
            )
            uow.commit()
    return done


def snapshot(bank: PhoneBank, campaign_id: int) -> dict[str, Any]:
    """Everything the dashboard paints first, in one read (the figures with their version)."""
    now = bank.clock.now()
    reading = bank.tally.read(campaign_id)
    if not reading.built:  # Redis lost the figures (or never had them): recount first
        reconcile(bank, campaign_id)
        reading = bank.tally.read(campaign_id)
    with bank.uow() as uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        hours = queueing.hours_of(campaign)
        seats = live_seats(session, campaign_id)
        volunteer_ids = {int(name.split("|")[0][4:]) for name in reading.figures if name.startswith("vol:")}
        volunteer_ids |= {seat["volunteer"] for seat in seats}
        rules = campaign_rules(campaign.retry_overrides)
        pool = pool_health(session, campaign, now)
        return {
            "campaign": {
                "id": campaign_id,
                "name": campaign.name,
                "status": campaign.status.value,
                "mode": campaign.dialing_mode.value,
                "hours": hours.describe(),
                "open_now": hours.is_open(now),
            },
            "version": reading.version,
            "figures": reading.figures,
            "now": now.isoformat(),
            "seats": [{"code": code, "name": name} for code, name in target_seats(session, campaign_id)],
            "volunteers": {
                str(uid): name for uid, name in live_figures.volunteer_names(session, volunteer_ids).items()
            },
            "sessions": seats,
            "questions": [
                {"id": q.id, "prompt": q.prompt, "kind": q.kind.value, "options": list(q.options)}
                for q in survey_of(session, campaign_id)
            ],
            "dispositions": [{"value": d.value, "label": rules[d].label} for d in Disposition],
            "pool": pool_payload(pool, reading.figures, now),
            "limits": {"abandon_pct": figures.ABANDON_LIMIT_PCT, "target_pct": campaign.abandon_target_pct},
            "rates": asdict(figures.rates(reading.figures, now=now)),
            "pacer": predictive_pacing.pacer_state(session, campaign_id),
        }


def live_seats(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(CallingSession)
        .where(CallingSession.campaign_id == campaign_id, col(CallingSession.state).in_(LIVE_SEAT_STATES))
        .order_by(col(CallingSession.id))
    ).all()
    return [
        {
            "session": seat.id,
            "volunteer": seat.user_id,
            "state": seat.state.value,
            "since": seat.state_changed_at.isoformat() if seat.state_changed_at else None,
        }
        for seat in rows
    ]


def target_seats(session: Session, campaign_id: int) -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in session.exec(
            select(Constituency.ons_code, Constituency.name)
            .join(CampaignSeat, col(CampaignSeat.ons_code) == Constituency.ons_code)
            .where(CampaignSeat.campaign_id == campaign_id)
            .order_by(col(Constituency.name))
        ).all()
    ]


# --- the voter pool ------------------------------------------------------------------------------


def pool_health(session: Session, campaign: Campaign, now: datetime) -> Pool:
    """The campaign's voters: callable now, later (and how many within the hour), in a call, or done."""
    soon = now + timedelta(hours=1)
    in_call = exists().where(
        col(CallAttempt.voter_id) == Voter.id, col(CallAttempt.status).not_in(FINAL_STATUSES)
    )
    owed_call_back = exists().where(
        col(Outcome.voter_id) == Voter.id,
        col(Outcome.disposition) == Disposition.CALL_BACK,
        col(Outcome.call_back_at) == Voter.next_call_at,
    )
    not_yet = sa.or_(col(Voter.next_call_at) > now, col(Voter.blocked_until) > now)
    due_soon = sa.and_(
        sa.or_(col(Voter.next_call_at).is_(None), col(Voter.next_call_at) <= soon),
        sa.or_(col(Voter.blocked_until).is_(None), col(Voter.blocked_until) <= soon),
    )
    category = sa.case(
        (col(Voter.erased_at).is_not(None), "erased"),
        (col(Voter.phone_e164).is_(None), "no_number"),
        (in_call, "in_call"),
        (
            sa.or_(col(Voter.do_not_call), col(Voter.phone_e164).in_(select(SuppressionEntry.phone_e164))),
            "do_not_call",
        ),
        (col(Voter.tps), "tps"),
        (col(Voter.done), "done"),
        (sa.and_(col(Voter.attempts) >= campaign.max_attempts, sa.not_(owed_call_back)), "max_attempts"),
        (sa.and_(not_yet, due_soon), "soon"),
        (not_yet, "later"),
        else_="now",
    ).label("category")
    counts = dict(
        session.exec(
            select(category, func.count()).where(Voter.campaign_id == campaign.id).group_by(category)
        ).all()
    )
    exhausted = {
        reason: int(counts.get(reason, 0))
        for reason in ("done", "max_attempts", "do_not_call", "tps", "no_number", "erased")
    }
    return Pool(
        callable_now=int(counts.get("now", 0)),
        later=int(counts.get("later", 0)) + int(counts.get("soon", 0)),
        in_call=int(counts.get("in_call", 0)),
        exhausted=sum(exhausted.values()),
        coming_due_1h=int(counts.get("soon", 0)),
        by_reason={reason: n for reason, n in exhausted.items() if n},
    )


def pool_payload(pool: Pool, figures_now: dict[str, int], now: datetime) -> dict[str, Any]:
    dials_last_hour = sum(
        figures_now.get(figures.key(hour, figures.DIALS), 0) for hour in figures.last_hours(now, 1)
    )
    return {
        **asdict(pool),
        "total": pool.total,
        "minutes_left": pool.minutes_left(dials_last_hour),
        "as_of": now.isoformat(),
    }


def publish_pool(bank: PhoneBank, campaign_id: int) -> None:
    now = bank.clock.now()
    with bank.uow() as uow:
        campaign = uow.session.get(Campaign, campaign_id)
        if campaign is None:
            return
        pool = pool_health(uow.session, campaign, now)
    payload = pool_payload(pool, bank.tally.read(campaign_id).figures, now)
    bank.live.publish(campaign_room(campaign_id), POOL_EVENT, {"campaign": campaign_id, **payload})


# --- the recount's facts, read in bulk -----------------------------------------------------------


def _facts(session: Session, campaign_id: int) -> list[Fact]:
    sole = session.exec(select(CampaignSeat.ons_code).where(CampaignSeat.campaign_id == campaign_id)).all()

    def seat(code: str | None) -> str | None:
        return code or (sole[0] if len(sole) == 1 else None)

    facts: list[Fact] = []
    calls = session.execute(
        sa.select(
            col(CallAttempt.id),
            col(CallAttempt.provider_sid),
            col(CallAttempt.placed_at),
            col(CallAttempt.answered_at),
            col(CallAttempt.connected_at),
            col(CallAttempt.abandoned),
            col(CallAttempt.info_message_at),
            col(Voter.ons_code),
            col(CallingSession.user_id),
        )
        .join(Voter, col(Voter.id) == CallAttempt.voter_id)
        .join(CallingSession, col(CallingSession.id) == CallAttempt.session_id, isouter=True)
        .where(col(CallAttempt.campaign_id) == campaign_id)
    ).all()
    for call_id, sid, placed, answered, connected, abandoned, message_at, code, user_id in calls:
        assert call_id is not None
        if sid is not None and placed is not None:
            facts.append(figures.dialled(call_id, placed, seat(code), user_id))
        if answered is not None:
            facts.append(figures.answered(call_id, answered, seat(code)))
        if connected is not None:
            facts.append(figures.connected(call_id, connected, seat(code), user_id))
        if abandoned and message_at is not None:
            facts.append(figures.abandoned(call_id, message_at, seat(code)))
    answers: dict[int, list[tuple[int, object]]] = {}
    for outcome_id, question_id, value in session.exec(
        select(SurveyAnswer.outcome_id, SurveyAnswer.question_id, SurveyAnswer.value)
        .join(Outcome, col(Outcome.id) == SurveyAnswer.outcome_id)
        .where(Outcome.campaign_id == campaign_id, Outcome.channel == "phone")
    ).all():
        answers.setdefault(outcome_id, []).append((question_id, value))
    free_text = live_figures.free_text_questions(session, campaign_id)
    outcome_seats: dict[int, tuple[str | None, int | None]] = {}
    for outcome_id, created, user_id, disposition, code in session.execute(
        sa.select(
            col(Outcome.id),
            col(Outcome.created_at),
            col(Outcome.user_id),
            col(Outcome.disposition),
            col(Voter.ons_code),
        )
        .join(Voter, col(Voter.id) == Outcome.voter_id, isouter=True)
        .where(col(Outcome.campaign_id) == campaign_id, col(Outcome.channel) == "phone")
    ).all():
        assert outcome_id is not None and created is not None
        outcome_seats[outcome_id] = (seat(code), user_id)
        given = sorted(answers.get(outcome_id, []), key=lambda pair: pair[0])
        facts.append(
            figures.recorded(
                outcome_id,
                created,
                seat(code),
                user_id,
                Disposition(disposition).value,
                given,
                free_text=free_text,
            )
        )
    for kind, table in live_figures.SIGNUP_TABLES.items():
        for row_id, linked, created in session.exec(
            select(table.id, table.outcome_id, table.created_at)
            .join(Outcome, col(Outcome.id) == table.outcome_id)
            .where(Outcome.campaign_id == campaign_id, Outcome.channel == "phone")
        ).all():
            if row_id and linked and created:
                where, user_id = outcome_seats[linked]
                facts.append(figures.signed_up(kind, row_id, created, where, user_id))
    return facts
