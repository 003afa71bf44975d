"""The product's settings: one typed object, read from the environment once at each entry point.

MARGINAL_MODE says what kind of deployment this is. `production` refuses anything unsafe for real
voters (the simulator as telephony, placeholder or short secrets, an http PUBLIC_BASE_URL), each with
one line naming the setting. `loopback` is a whole deployment on one machine for benchmarks and
drills: the simulator and http are allowed, on loopback addresses only. `development` (the default,
and the demo) and `test` allow everything.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dialer.errors import ConfigurationError

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "changethis", "secret", "dev", "development"})
#: The shortest SECRET_KEY production accepts (`secrets.token_hex(16)` is 32 characters).
SECRET_KEY_MIN = 32
#: Twilio's auth tokens and API key secrets are 32 characters.
TWILIO_SECRET_MIN = 32

#: The account the bundled simulator accepts when no Twilio account is configured.
SIMULATOR_ACCOUNT_SID = "AC" + "0" * 31 + "1"
SIMULATOR_AUTH_TOKEN = "simulator-auth-token"
#: The API key the bundled simulator accepts for browser-phone Access Tokens.
SIMULATOR_API_KEY = "SK" + "0" * 31 + "1"
SIMULATOR_API_SECRET = "simulator-api-secret-for-demo-tokens-only"
#: The caller ID campaigns present by default in demo mode (an Ofcom drama number).
DEMO_CALLER_ID = "+442079460000"


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"
    #: Benchmarks and the loopback deployment: simulator and http allowed, on loopback addresses only.
    LOOPBACK = "loopback"


class SmtpSecurity(StrEnum):
    """How the connection to the SMTP server is protected."""

    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: a relay on this machine, or the demo's local server


class TelephonyBackend(StrEnum):
    SIMULATOR = "simulator"
    TWILIO = "twilio"


class Settings(BaseSettings):
    """Everything configurable, with embedded defaults that run on a fresh machine."""

    model_config = SettingsConfigDict(
        env_prefix="", frozen=True, extra="ignore", case_sensitive=False, populate_by_name=True
    )

    mode: Annotated[Mode, Field(validation_alias="MARGINAL_MODE")] = Mode.DEVELOPMENT
    instance_path: Path = Path("instance")
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = "dev"
    public_base_url: str = "http://127.0.0.1:5000"

    telephony: TelephonyBackend | None = None
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_api_key: str = ""
    twilio_api_secret: str = ""
    twilio_twiml_app_sid: str = ""
    twilio_caller_id: str = DEMO_CALLER_ID
    simulator_url: str = "http://127.0.0.1:5055"
    #: The account's calls-per-second limit for placing calls (Twilio's default is 1).
    calls_per_second: Annotated[float, Field(gt=0, le=100)] = 1.0

    #: Postcode look-ups per client address (Flask-Limiter syntax); raise it for a busy office NAT.
    lookup_rate_limit: str = "60/minute;600/hour"
    #: Reverse proxies in front of the web processes whose X-Forwarded-For/-Proto to believe (0: none,
    #: the headers are ignored, so nobody can forge their address). Behind one nginx, 1: otherwise
    #: every client has the proxy's address and shares its rate limits.
    trusted_proxies: Annotated[int, Field(ge=0, le=5)] = 0
    #: Requests one web process works on at once; beyond it, a quick 503 with Retry-After (web/admission.py).
    #: Voice webhooks, Socket.IO and /healthz are always admitted.
    requests_in_progress: Annotated[int, Field(ge=1, le=5000)] = 100

    #: E-mail (password resets, confirmations, reminders) goes through this SMTP server; with none
    #: set, outside production, messages are written to the log instead.
    smtp_host: str = ""
    #: 0: the usual port for SMTP_SECURITY (587 for starttls, 465 for tls, 25 for none).
    smtp_port: Annotated[int, Field(ge=0, le=65535)] = 0
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_username: str = ""
    smtp_password: str = ""
    #: Who e-mails come from, e.g. `Marginal phone bank <phonebank@example.org>`.
    mail_from: str = ""
    #: The Maildir the demo's local SMTP server writes to; the demo's mailbox page reads it (never
    #: in production).
    local_mailbox: Path | None = None

    @field_validator("lookup_rate_limit")
    @classmethod
    def _a_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"not a rate limit ({value!r}); e.g. 60/minute;600/hour") from None
        return value

    @field_validator("public_base_url", "simulator_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _choose_backend(self) -> Settings:
        if self.telephony is None:
            has_account = bool(self.twilio_account_sid and self.twilio_auth_token)
            backend = TelephonyBackend.TWILIO if has_account else TelephonyBackend.SIMULATOR
            object.__setattr__(self, "telephony", backend)
        return self

    # --- derived values -------------------------------------------------------------

    @property
    def telephony_backend(self) -> TelephonyBackend:
        return self.telephony or TelephonyBackend.SIMULATOR

    @property
    def uses_simulator(self) -> bool:
        return self.telephony_backend is TelephonyBackend.SIMULATOR

    @property
    def account_sid(self) -> str:
        return self.twilio_account_sid or SIMULATOR_ACCOUNT_SID

    @property
    def auth_token(self) -> str:
        return self.twilio_auth_token or SIMULATOR_AUTH_TOKEN

    @property
    def api_key_sid(self) -> str:
        """The API key that signs browser-phone Access Tokens (the simulator's own in demo mode)."""
        return self.twilio_api_key or (SIMULATOR_API_KEY if self.uses_simulator else "")

    @property
    def api_key_secret(self) -> str:
        return self.twilio_api_secret or (SIMULATOR_API_SECRET if self.uses_simulator else "")

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.instance_path / 'marginal.db').resolve()}"

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def effective_smtp_port(self) -> int:
        return self.smtp_port or {SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}.get(
            self.smtp_security, 25
        )

    @property
    def sender(self) -> str:
        """The From of every e-mail: MAIL_FROM, or outside production a local address naming Marginal."""
        return self.mail_from or "Marginal <marginal@localhost>"

    @property
    def shows_local_mailbox(self) -> bool:
        """Whether the demo's mailbox page exists (never in production)."""
        return self.local_mailbox is not None and self.mode is not Mode.PRODUCTION

    def check_production_ready(self) -> None:
        """Refuse what the mode does not allow, with one line naming the setting to change."""
        if self.mode is Mode.PRODUCTION:
            self._check_production()
        elif self.mode is Mode.LOOPBACK:
            self._check_loopback()

    def _check_production(self) -> None:
        if _placeholder(self.secret_key) or len(self.secret_key) < SECRET_KEY_MIN:
            raise ConfigurationError(
                f"SECRET_KEY is missing or a placeholder (or under {SECRET_KEY_MIN} characters): set it to "
                "a long random value (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        if not self.public_base_url.startswith("https://"):
            raise ConfigurationError(
                f"PUBLIC_BASE_URL must be https:// in production ({self.public_base_url} would send "
                "sign-in cookies in the clear): set it to the https address people and Twilio use"
            )
        if self.uses_simulator:
            raise ConfigurationError(
                "TELEPHONY is the simulator, which production does not run on (its token is public): "
                "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or MARGINAL_MODE=loopback for a benchmark"
            )
        for name, simulator_value, minimum in (
            ("twilio_account_sid", SIMULATOR_ACCOUNT_SID, 34),
            ("twilio_auth_token", SIMULATOR_AUTH_TOKEN, TWILIO_SECRET_MIN),
            ("twilio_caller_id", DEMO_CALLER_ID, 1),
        ):
            value = getattr(self, name)
            if _placeholder(value) or value == simulator_value or len(value) < minimum:
                raise ConfigurationError(f"{name.upper()} is missing, a placeholder or too short")
        if self.twilio_api_secret and (
            self.twilio_api_secret == SIMULATOR_API_SECRET or len(self.twilio_api_secret) < TWILIO_SECRET_MIN
        ):
            raise ConfigurationError("TWILIO_API_SECRET is a placeholder or too short")
        self._check_production_mail()

    def _check_production_mail(self) -> None:
        if not self.smtp_host:
            raise ConfigurationError(
                "SMTP_HOST is not set: production sends password resets and confirmations by e-mail, so "
                "set SMTP_HOST (and SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD, MAIL_FROM)"
            )
        if "@" not in self.mail_from or self.mail_from.rstrip(">").endswith(("@localhost", ".invalid")):
            raise ConfigurationError(
                "MAIL_FROM is missing or not a real address: set it to who e-mails come from, e.g. "
                "`Marginal phone bank <phonebank@example.org>`"
            )
        if self.smtp_security is SmtpSecurity.NONE and not _loopback_host(self.smtp_host):
            raise ConfigurationError(
                f"SMTP_SECURITY is none for {self.smtp_host}, which would send e-mail (and SMTP_PASSWORD) "
                "in the clear: use starttls or tls, or a relay on this machine"
            )
        if self.local_mailbox is not None:
            raise ConfigurationError("LOCAL_MAILBOX is the demo's: unset it in production")

    def _check_loopback(self) -> None:
        addresses = [("PUBLIC_BASE_URL", self.public_base_url)]
        if self.uses_simulator:
            addresses.append(("SIMULATOR_URL", self.simulator_url))
        for name, url in addresses:
            if not _on_loopback(url):
                raise ConfigurationError(
                    f"{name} must be a loopback address in loopback mode ({url}): use 127.0.0.1, or "
                    "MARGINAL_MODE=production for a real deployment"
                )

    def check_listening_address(self, host: str) -> None:
        """In loopback mode a server listens on a loopback address only (others could reach it)."""
        if self.mode is Mode.LOOPBACK and not _loopback_host(host):
            raise ConfigurationError(
                f"--host must be a loopback address in loopback mode ({host}): use 127.0.0.1, or "
                "MARGINAL_MODE=production for a real deployment"
            )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read the environment (the only place that does), validating it with one clear message."""
        try:
            settings = cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]).upper() or "settings"
            raise ConfigurationError(f"{where}: {first['msg']}") from None
        settings.check_production_ready()
        return settings


def _placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDER_SECRETS


def _on_loopback(url: str) -> bool:
    return _loopback_host(urlsplit(url).hostname or "")


def _loopback_host(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
