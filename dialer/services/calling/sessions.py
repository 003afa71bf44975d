"""A volunteer's calling session (their seat): start, audio leg joining, pause, resume, hang up, end.

The seat is a conference named after the session. The volunteer's audio leg joins it from the
browser softphone, or from their own phone once they press 1 (so a voicemail greeting can never take
a seat); the seat goes ready only when a real person is in it.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from dialer.domain import seats
from dialer.domain.call_control import CallInstruction, ConfirmVolunteer, Goodbye, JoinSeat
from dialer.domain.calls import FINAL_STATUSES
from dialer.domain.campaigns import CampaignStatus, DialingMode
from dialer.domain.seats import HELD_WHEN_AWAY, LIVE_SEAT_STATES, AudioLeg, SeatMove, SeatState
from dialer.errors import Conflict, InvalidInput, NotFound, TelephonyError
from dialer.models import CallAttempt, CallingSession, Campaign, User, Voter
from dialer.ports import OutboundCall
from dialer.services.calling import leg_renewal, leg_swap, live_figures, queueing, seat_moves
from dialer.services.calling.notices import Notices
from dialer.services.phone_bank import (
    HEARTBEAT,
    HEARTBEAT_JOB_ID,
    PACE_CAMPAIGN,
    PhoneBank,
    softphone_identity,
)

#: How long the volunteer's own phone rings before we give up on it.
VOLUNTEER_RING_S = 30


@dataclass(frozen=True)
class StartedSession:
    session_id: int
    state: SeatState
    audio: AudioLeg
    softphone_token: str | None  # for the browser leg


def start_session(
    bank: PhoneBank, user_id: int, campaign_id: int, audio: AudioLeg, *, rejoin: int | None = None
) -> StartedSession:
    """Open a seat for the volunteer; their audio leg then joins it (browser) or their phone rings.
    With `rejoin` (a page coming back to its seat), only that seat, if still live, is returned."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        session = uow.session
        campaign = session.get(Campaign, campaign_id)
        user = session.get(User, user_id)
        if campaign is None or user is None:
            raise NotFound("no such phone bank")
        existing = live_session_of(session, user_id)
        if rejoin is not None and (existing is None or existing.id != rejoin):
            raise Conflict("this calling session has ended")
        if existing is not None:
            if existing.campaign_id != campaign_id:
                raise Conflict("you are already calling for another phone bank: end that session first")
            assert existing.id is not None
            if (
                audio is AudioLeg.PHONE
                and existing.audio is AudioLeg.PHONE
                and existing.away_since
                and not existing.leg_call_sid
                and user.phone_e164
            ):
                _ring_volunteer(bank, existing, campaign, user)  # their phone dropped: ring it again
                uow.commit()
            return StartedSession(existing.id, existing.state, existing.audio, _token(bank, existing))
        # Only a new seat needs the phone bank open: a volunteer coming back to a held conversation
        # (a reload, a dropped phone) gets it back even while the organiser has paused calling.
        if campaign.status is not CampaignStatus.ACTIVE:
            raise Conflict(f"{campaign.name} is not taking calls at the moment")
        if audio is AudioLeg.PHONE and not user.phone_e164:
            raise InvalidInput("add your phone number on your account page to use 'call my phone'")
        if audio is AudioLeg.PHONE and user.phone_verified_at is None:
            raise InvalidInput(
                "verify your phone number on your account page first (we ring it and you press 1), "
                "then 'call my phone' can use it"
            )
        seat = CallingSession(
            campaign_id=campaign_id,
            user_id=user_id,
            audio=audio,
            conference_name=f"seat-{secrets.token_hex(8)}",
            started_at=now,
        )
        seat_moves.open_seat(bank, session, seat, now=now)
        assert seat.id is not None
        uow.commit()
        if audio is AudioLeg.PHONE:
            try:
                _ring_volunteer(bank, seat, campaign, user)
            except Conflict:
                seat_moves.apply(bank, seat, seats.END, now=now)
                uow.commit()
                raise
            uow.commit()
        try:
            token = _token(bank, seat)
        except Conflict:
            seat_moves.apply(bank, seat, seats.END, now=now)
            uow.commit()
            raise
        notices.seat(seat)
        notices.then(lambda: live_figures.announce_volunteer(bank, seat, user.first_name))
        started = StartedSession(seat.id, seat.state, seat.audio, token)
    notices.send()
    bank.jobs.enqueue(HEARTBEAT, job_id=HEARTBEAT_JOB_ID)
    return started


def _ring_volunteer(bank: PhoneBank, seat: CallingSession, campaign: Campaign, user: User) -> None:
    """Ring the volunteer's own phone for their seat (they press 1 to take it); the caller commits."""
    assert seat.id is not None and user.phone_e164 is not None
    try:
        seat.leg_call_sid = bank.telephony.place_call(
            OutboundCall(
                to=user.phone_e164,
                caller_id=campaign.caller_id,
                answer_url=bank.webhooks.volunteer_answer(seat.id),
                status_url=bank.webhooks.volunteer_status(seat.id),
                ring_timeout_s=VOLUNTEER_RING_S,
            )
        )
    except TelephonyError:
        raise Conflict("we could not ring your phone just now: please try again") from None
    leg_renewal.schedule_renewal(bank, seat.id, seat.leg_call_sid, bank.clock.now())


def softphone_joined(bank: PhoneBank, session_id: int, caller: str, call_sid: str) -> CallInstruction:
    """The TwiML App's Voice URL: the volunteer's browser leg asks to join its seat."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id, with_for_update=True)
        if seat is None or caller != f"client:{softphone_identity(seat.user_id)}":
            return Goodbye("This is not your calling session.")
        if seat.audio is AudioLeg.BROWSER and (seat.away_since or seat.state in HELD_WHEN_AWAY):
            # The volunteer's page is back (reloaded, reconnected): its new leg takes the held seat.
            replaced = seat.leg_call_sid if seat.leg_call_sid != call_sid else None
            seat.leg_call_sid = call_sid
            uow.commit()
            leg_swap.schedule_swap(bank, session_id, call_sid, now)
            instruction = JoinSeat(seat.conference_name, bank.webhooks.conference(session_id), volunteer=True)
            if replaced:
                with contextlib.suppress(TelephonyError):  # the old page's leg, if it is still about
                    bank.telephony.hang_up(replaced)
            return instruction
        if not seat_moves.apply(bank, seat, seats.AUDIO_JOINED, now=now):
            return Goodbye("This calling session has already started or ended.")
        seat.leg_call_sid = call_sid
        uow.commit()
        notices.seat(seat)
        instruction = JoinSeat(seat.conference_name, bank.webhooks.conference(session_id), volunteer=True)
        campaign_id = seat.campaign_id
    notices.send()
    leg_swap.schedule_swap(bank, session_id, call_sid, now)
    bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
    return instruction


def volunteer_phone_answered(bank: PhoneBank, session_id: int, call_sid: str) -> CallInstruction:
    """Someone (or something) answered the volunteer's own phone: ask for a 1 before the seat goes ready."""
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        waiting = seat is not None and (seat.state in seats.AWAITING_AUDIO or seat.away_since is not None)
        if seat is None or not waiting or seat.leg_call_sid != call_sid:
            return Goodbye()
        campaign = uow.session.get(Campaign, seat.campaign_id)
        name = campaign.name if campaign else "your phone bank"
    return ConfirmVolunteer(
        prompt=f"This is Marginal, for {name}. Press 1 to start calling.",
        action_url=bank.webhooks.volunteer_confirm(session_id),
    )


def volunteer_confirmed(bank: PhoneBank, session_id: int, call_sid: str, digits: str) -> CallInstruction:
    """The press-1 check: a 1 from the volunteer's phone puts them in their seat, ready."""
    if digits.strip() != "1":
        return Goodbye("We did not hear a 1, so we will not start your session. Goodbye.")
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.leg_call_sid != call_sid:
            return Goodbye()
        if seat.away_since is not None and seat.state in HELD_WHEN_AWAY:
            # Back in their held seat: joining the conference takes the voter off hold.
            return JoinSeat(seat.conference_name, bank.webhooks.conference(session_id), volunteer=True)
        if not seat_moves.apply(bank, seat, seats.AUDIO_JOINED, now=now):
            return Goodbye("This calling session has already ended.")
        uow.commit()
        notices.seat(seat)
        instruction = JoinSeat(seat.conference_name, bank.webhooks.conference(session_id), volunteer=True)
        campaign_id = seat.campaign_id
    notices.send()
    bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)
    return instruction


def volunteer_leg_ended(bank: PhoneBank, session_id: int, call_sid: str, status: str) -> None:
    """The volunteer's audio leg is gone (hung up, never answered, no 1 pressed): the seat ends."""
    reasons = {
        "busy": "your phone was busy",
        "no-answer": "your phone did not answer",
        "failed": "we could not ring your phone",
        "canceled": "the call to your phone was cancelled",
    }
    with bank.uow() as uow:
        seat = uow.session.get(CallingSession, session_id)
        if seat is None or seat.leg_call_sid != call_sid or seat.state not in LIVE_SEAT_STATES:
            return
    end_session(bank, seat.user_id, session_id, reason=reasons.get(status, "your audio was disconnected"))


def pause(bank: PhoneBank, user_id: int, session_id: int) -> bool:
    """Stop receiving calls: at once between calls (a voter card on screen goes back to the queue),
    or, asked during a call (dialling or talking), when that call ends. Returns whether it paused now."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        if seat_moves.apply(bank, seat, seats.PAUSE, now=now):
            _return_preview_voter(bank, uow.session, seat, now)
            uow.commit()
            notices.seat(seat)
            notices.voter(session_id, None, call_id=None, preview=False)
            notices.send()
            return True
        if seat.state not in seats.ON_A_CALL:
            raise Conflict(f"a {seat.state.value.replace('_', ' ')} session cannot be paused")
        seat.pause_after_call = True
        uow.commit()
        notices.seat(seat)
    notices.send()
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        ended_meanwhile = seat.state in seats.IDLE and seat.pause_after_call
    # The call ended between reading the seat and asking (its end saw no request): pause now.
    return pause(bank, user_id, session_id) if ended_meanwhile else False


def resume(bank: PhoneBank, user_id: int, session_id: int) -> None:
    """Take calls again: out of a pause, or (asked during a call) keep calling after it."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        if seat.pause_after_call and seat.state not in seats.ON_A_BREAK:
            seat.pause_after_call = False
            uow.commit()
            notices.seat(seat)
            notices.send()
            return
        if seat.away_since is not None:
            raise Conflict("your audio is not connected yet: resume once it is back")
        if not seat_moves.apply(bank, seat, seats.RESUME, now=now):
            raise Conflict("this session is not paused")
        uow.commit()
        notices.seat(seat)
        campaign_id = seat.campaign_id
    notices.send()
    bank.jobs.enqueue(PACE_CAMPAIGN, campaign_id)


def hang_up(bank: PhoneBank, user_id: int, session_id: int) -> None:
    """The volunteer ends the conversation; the call's final status then moves the seat to wrap-up."""
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        call = uow.session.get(CallAttempt, seat.current_call_id) if seat.current_call_id else None
        if call is None or call.provider_sid is None or call.status in FINAL_STATUSES:
            raise Conflict("there is no call to hang up")
        sid = call.provider_sid
    try:
        bank.telephony.hang_up(sid)
    except TelephonyError as exc:
        raise Conflict(f"the call could not be hung up just now ({exc}); please try again") from None


def end_session(
    bank: PhoneBank,
    user_id: int,
    session_id: int,
    *,
    reason: str = "",
    move: SeatMove = seats.END,
) -> bool:
    """Leave the seat by `move` (`END` from anywhere, or a narrower one); returns whether it ended.
    A ringing call for it is cancelled; a voter on the line is hung up on."""
    now = bank.clock.now()
    notices = Notices(bank.live)
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        call = uow.session.get(CallAttempt, seat.current_call_id) if seat.current_call_id else None
        preview_voter_id = seat.preview_voter_id
        if not seat_moves.end(bank, seat, move, now=now):
            return False
        _return_voter(bank, uow.session, preview_voter_id, now)
        uow.commit()
        notices.seat(seat, reason=reason)
        leg, live_call = (
            seat.leg_call_sid,
            call.provider_sid if call and call.status not in FINAL_STATUSES else None,
        )
    notices.send()
    for sid in (live_call, leg):
        if sid:
            with contextlib.suppress(TelephonyError):  # already over, or the reconciler will see to it
                bank.telephony.hang_up(sid)
    return True


def live_session_of(session: Session, user_id: int) -> CallingSession | None:
    return session.exec(
        select(CallingSession).where(
            CallingSession.user_id == user_id, col(CallingSession.state).in_(LIVE_SEAT_STATES)
        )
    ).first()


def _own_seat(session: Session, user_id: int, session_id: int) -> CallingSession:
    seat = session.get(CallingSession, session_id)
    if seat is None or seat.user_id != user_id:
        raise NotFound("no such calling session")
    return seat


def _return_preview_voter(bank: PhoneBank, session: Session, seat: CallingSession, now: datetime) -> None:
    voter_id, seat.preview_voter_id = seat.preview_voter_id, None
    _return_voter(bank, session, voter_id, now)


def _return_voter(bank: PhoneBank, session: Session, voter_id: int | None, now: datetime) -> None:
    """A voter whose card was on a seat goes back to the queue."""
    voter = session.get(Voter, voter_id) if voter_id is not None else None
    if voter is not None:
        queueing.release_number(bank, voter)
        queueing.queue_voter(bank, voter, now=now)


def renewed_softphone_token(bank: PhoneBank, user_id: int, session_id: int) -> str:
    """A fresh token for the volunteer's browser phone, asked for before the last one expires (the
    Voice SDK's tokenWillExpire): the call in progress carries on, and the phone stays reachable."""
    with bank.uow() as uow:
        seat = _own_seat(uow.session, user_id, session_id)
        token = _token(bank, seat)
    if token is None:
        raise Conflict("this session has no browser phone to renew")
    return token


def _token(bank: PhoneBank, seat: CallingSession) -> str | None:
    if seat.audio is not AudioLeg.BROWSER or seat.state not in LIVE_SEAT_STATES:
        return None
    try:
        return bank.telephony.softphone_token(softphone_identity(seat.user_id))
    except TelephonyError:
        raise Conflict("we could not start the phone in your browser just now: please try again") from None


def is_preview(campaign: Campaign) -> bool:
    return campaign.dialing_mode is DialingMode.PREVIEW
