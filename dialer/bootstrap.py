"""The one place that wires adapters to use cases; entry points call build(), tests pass fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import redis
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from twilio.rest import Client

from dialer.adapters import db, redis_server, rq_queue, twilio_client
from dialer.adapters.live import RedisLiveUpdates
from dialer.adapters.password_hashing import OffLoopPasswordHasher
from dialer.adapters.redis_call_queue import RedisCallQueue
from dialer.adapters.redis_call_rate import RedisCallRate
from dialer.adapters.redis_seat_board import RedisSeatBoard
from dialer.adapters.redis_share_opens import RedisShareOpens
from dialer.adapters.redis_tally import RedisTally
from dialer.adapters.twilio_telephony import TwilioTelephony
from dialer.clock import Clock, SystemClock
from dialer.config import Settings
from dialer.domain import phones
from dialer.ports import JobQueue, LiveUpdates, MailTransport, Probe, ProbeResult, Telephony, UnitOfWork
from dialer.services.geography.seat_finder import SeatFinder
from dialer.services.mail.mail import Mail
from dialer.services.phone_bank import PhoneBank, Webhooks


@dataclass
class Services:
    """Everything a use case may be handed, built once per process."""

    settings: Settings
    clock: Clock
    engine: Engine
    redis_url: str
    redis: redis.Redis
    jobs: JobQueue
    _live: LiveUpdates | None = None
    _telephony_client: Client | None = None
    _telephony: Telephony | None = None
    extra_probes: dict[str, Probe] = field(default_factory=dict)
    #: argon2id for account passwords (tests pass cheaper parameters).
    passwords: PasswordHasher = field(default_factory=OffLoopPasswordHasher)  # argon2's defaults
    _mail_transport: MailTransport | None = None

    def close(self) -> None:
        """Let go of the database pool and the Redis connection (a process's services at its end)."""
        self.engine.dispose()
        self.redis.close()
        if "share_opens" in self.__dict__:  # made on first use
            self.share_opens.close()

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one per use-case call; never shared between threads)."""
        return db.SqlUnitOfWork(self.engine)

    @property
    def live(self) -> LiveUpdates:
        if self._live is None:
            self._live = RedisLiveUpdates(self.redis_url)
        return self._live

    @cached_property
    def number_key(self) -> bytes:
        """The key of the do-not-call list's fingerprints of erased people's numbers."""
        return phones.number_key(self.settings.secret_key)

    @cached_property
    def seat_finder(self) -> SeatFinder:
        """The nearest-marginal look-up, answered from memory (loaded on first use)."""
        return SeatFinder(self.uow, self.clock)

    @cached_property
    def share_opens(self) -> RedisShareOpens:
        """Opens of sharers' links, counted in Redis (dialer/services/signups/cascade.py)."""
        return RedisShareOpens.from_url(self.redis_url)

    @cached_property
    def telephony_client(self) -> Client:
        return self._telephony_client or twilio_client.make_client(self.settings)

    @cached_property
    def telephony(self) -> Telephony:
        return self._telephony or TwilioTelephony(
            self.telephony_client,
            self.settings,
            softphone_url=Webhooks(self.settings.public_base_url).softphone(),
            clock=self.clock,
        )

    @cached_property
    def phone_bank(self) -> PhoneBank:
        """The calling use cases' ports: Redis queues and seat board, telephony, jobs, live updates."""
        return PhoneBank(
            uow=self.uow,
            clock=self.clock,
            telephony=self.telephony,
            queue=RedisCallQueue(self.redis),
            seats=RedisSeatBoard(self.redis),
            call_rate=RedisCallRate(self.redis, per_second=self.settings.calls_per_second),
            jobs=self.jobs,
            live=self.live,
            webhooks=Webhooks(self.settings.public_base_url),
            tally=RedisTally(self.redis),
            calls_per_second=self.settings.calls_per_second,
        )

    @cached_property
    def mail(self) -> Mail:
        """The outbox's ports: SMTP (or, outside production with no SMTP_HOST, the log) and the jobs."""
        from dialer.adapters.smtp_mail import make_transport

        return Mail(
            uow=self.uow,
            clock=self.clock,
            jobs=self.jobs,
            transport=self._mail_transport or make_transport(self.settings, self.clock),
            sender=self.settings.sender,
            base_url=self.settings.public_base_url,
        )

    def probes(self) -> dict[str, Probe]:
        backend = self.settings.telephony_backend.value
        probes: dict[str, Probe] = {
            "database": lambda: _database_probe(self.engine),
            "redis": lambda: _redis_probe(self.redis),
            "workers": lambda: rq_queue.workers_probe(self.redis, self.clock.now()),
            "telephony": lambda: twilio_client.telephony_probe(self.telephony_client, backend),
        }
        probes.update(self.extra_probes)
        return probes


def build(settings: Settings, **overrides: Any) -> Services:
    """Connect to the configured database and Redis (failing with one clear line) and wire it all."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    engine = overrides.pop("engine", None) or db.make_engine(settings.effective_database_url)
    db.check_connection(engine)
    url = overrides.pop("redis_url", None) or redis_server.redis_url(settings)
    connection = overrides.pop("redis", None) or redis_server.connect(url)
    return Services(
        settings=settings,
        clock=overrides.pop("clock", None) or SystemClock(),
        engine=engine,
        redis_url=url,
        redis=connection,
        jobs=overrides.pop("jobs", None) or rq_queue.RqJobQueue(connection),
        _live=overrides.pop("live", None),
        _telephony_client=overrides.pop("telephony_client", None),
        _telephony=overrides.pop("telephony", None),
        _mail_transport=overrides.pop("mail_transport", None),
        **overrides,
    )


def _database_probe(engine: Engine) -> ProbeResult:
    db.check_connection(engine)
    return ProbeResult(True, engine.url.get_backend_name())


def _redis_probe(connection: redis.Redis) -> ProbeResult:
    connection.ping()
    return ProbeResult(True, "ping ok")
