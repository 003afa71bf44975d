"""The `dialer` command: run the demo, the web app, workers and the simulator; manage the database.

Every component runs as its own process (as in production), started by module path, so the core
never imports the web app or the workers. Start-up problems are reported in one line, not a trace.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import quote

import click

from dialer.config import Settings, SmtpSecurity
from dialer.errors import DialerError, StartupError

if TYPE_CHECKING:
    from dialer.bootstrap import Services

P = ParamSpec("P")
R = TypeVar("R")


def _reported(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the product's own errors into one line on stderr and exit status 2."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DialerError as exc:
            click.echo(f"marginal: {exc}", err=True)
            sys.exit(2)

    return run


@click.group()
def main() -> None:
    """Marginal: a volunteer phone bank for the seats that decide UK elections."""


# --- database --------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@_reported
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    settings = Settings.from_env()
    _migrate(settings)
    click.echo(f"database is up to date ({_safe_url(settings)})")


def _migrate(settings: Settings) -> None:
    from dialer.adapters import db as sql
    from dialer.adapters import schema

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    engine = sql.make_engine(settings.effective_database_url)
    sql.check_connection(engine)
    schema.upgrade(engine)
    engine.dispose()


@main.command()
@click.option(
    "--demo-content", is_flag=True, help="also add fictional events and carpools (as `dialer demo` does)"
)
@_reported
def seed(demo_content: bool) -> None:
    """Load the shipped election results and geography (a second run changes nothing)."""
    _seed(Settings.from_env(), demo_content=demo_content)


def _seed(settings: Settings, *, demo_content: bool) -> None:
    import secrets

    from argon2 import PasswordHasher

    from dialer.adapters import db as sql
    from dialer.adapters.reference_seed import seed_reference_data
    from dialer.clock import SystemClock
    from dialer.services.demo.demo_content import seed_demo_content

    engine = sql.make_engine(settings.effective_database_url)
    sql.check_connection(engine)
    try:
        click.echo(f"seeded {seed_reference_data(engine).summary()}")
        if demo_content:
            made = seed_demo_content(
                lambda: sql.SqlUnitOfWork(engine),
                SystemClock(),
                unusable_password_hash=PasswordHasher().hash(secrets.token_urlsafe(32)),
            )
            click.echo(
                f"demo content: {made.events} fictional events, {made.carpools} carpools, {made.signups} sign-ups"
                if made.events
                else "demo content: the earlier fictional events are still upcoming; nothing added"
            )
    finally:
        engine.dispose()


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


# --- processes -------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="$PORT or 5000"
)
@_reported
def serve(host: str, port: int) -> None:
    """Serve the web app (the database must be migrated and Redis reachable)."""
    settings = Settings.from_env()
    env = _preflight(settings, [(host, port, "PORT (or --port)")])
    _exec(_web_process(settings, host, port), env)


@main.command()
@click.option("--count", type=int, default=1, show_default=True, help="worker processes to run")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@_reported
def worker(count: int, burst: bool) -> None:
    """Run RQ workers for dialing, imports and other background jobs."""
    settings = Settings.from_env()
    env = _preflight(settings, [], migrate=False)
    args = [sys.executable, "-m", "workers"] + (["--burst"] if burst else [])
    if count == 1:
        _exec(args, env)
    with _supervisor() as group:
        for index in range(count):
            group.start(f"worker-{index + 1}", args, env)
        group.wait()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="$PORT or 5000"
)
@click.option("--workers", "worker_count", type=int, default=2, show_default=True)
@click.option(
    "--reset-passwords",
    is_flag=True,
    help="give the demo accounts new passwords, print them and exit (the demo may be running)",
)
@_reported
def demo(host: str, port: int, worker_count: int, reset_passwords: bool) -> None:
    """Everything on one machine: migrate, seed real data, start the simulator, workers and the web app."""
    settings = Settings.from_env()
    if reset_passwords:
        _reset_demo_passwords(settings)
        return
    url = f"http://{host}:{port}"
    if "PUBLIC_BASE_URL" not in os.environ:
        # Links (password resets), webhooks and the browser softphone's origin are the demo itself.
        settings = settings.model_copy(update={"public_base_url": url})
    if settings.uses_simulator and "SIMULATOR_URL" not in os.environ:
        # A port of its own, so that demos (and anything else on 5055) can run side by side.
        settings = settings.model_copy(
            update={"simulator_url": f"http://127.0.0.1:{_free_port('127.0.0.1')}"}
        )
    simulated = _simulator_address(settings) if settings.uses_simulator else None
    with _demo_mail_server(settings) as settings, _supervisor() as group:
        ports = [(host, port, "PORT"), *([(*simulated, "SIMULATOR_URL")] if simulated else [])]
        env = _preflight(settings, ports, migrate=True)
        env["PUBLIC_BASE_URL"] = settings.public_base_url
        env.update(_mail_environment(settings))
        if settings.local_mailbox is not None:
            click.echo(f"local mail server: 127.0.0.1:{settings.smtp_port}; what it receives: {url}/mailbox")
        if simulated is not None:
            env["SIMULATOR_URL"] = settings.simulator_url
            click.echo(f"telephony simulator: {settings.simulator_url}")
        # Everything starts while the data is loaded (the schema is there already); the URL is
        # printed once the data is in and the web app answers.
        if simulated is not None:
            args, simulator_env = _simulator_process(settings, *simulated)
            group.start("simulator", args, simulator_env | env)
        for index in range(worker_count):
            group.start(
                f"worker-{index + 1}",
                [sys.executable, "-m", "workers", "--name", f"demo-{index + 1}-{os.getpid()}"],
                env,
            )
        group.start("web", _web_process(settings, host, port), env)
        _seed(settings, demo_content=True)
        if simulated is not None:  # opening the phone bank checks its caller ID with the simulator
            _wait_until_up(f"{settings.simulator_url}/_sim/health", group, name="the telephony simulator")
        campaign_id = _seed_demo_phone_bank(settings, env)  # before the accounts: their organiser runs it
        _print_new_demo_accounts(settings)
        _seed_demo_happenings(settings, env, campaign_id)
        if simulated is not None:
            from dialer.services.accounts.accounts import DEMO_VOLUNTEER_PHONE

            _tell_the_simulator(settings, "/_sim/mix", DEMO_VOTERS)
            _tell_the_simulator(
                settings, f"/_sim/behaviours/{quote(DEMO_VOLUNTEER_PHONE)}", DEMO_VOLUNTEER_AT_THEIR_PHONE
            )
        _wait_until_up(f"{url}/healthz", group)
        click.echo(f"\nMarginal is running: open {url}\n(press Ctrl-C to stop)\n")
        group.wait()


@contextmanager
def _demo_mail_server(settings: Settings) -> Iterator[Settings]:
    """Unless SMTP_HOST names a real server, the demo's own (aiosmtpd, on a free loopback port),
    keeping what it receives in the instance folder for the demo's mailbox page; stopped at the end."""
    if settings.smtp_host:
        yield settings
        return
    from dialer.adapters.local_smtp import LocalSmtpServer

    maildir = (settings.instance_path / "mailbox").resolve()
    server = LocalSmtpServer(maildir).start()
    try:
        yield settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": server.port,
                "smtp_security": SmtpSecurity.NONE,
                "local_mailbox": maildir,
            }
        )
    finally:
        server.stop()


def _mail_environment(settings: Settings) -> dict[str, str]:
    """The demo's mail settings, for its children."""
    if settings.local_mailbox is None:
        return {}
    return {
        "SMTP_HOST": settings.smtp_host,
        "SMTP_PORT": str(settings.smtp_port),
        "SMTP_SECURITY": settings.smtp_security.value,
        "LOCAL_MAILBOX": str(settings.local_mailbox),
    }


#: The demo volunteer at their own phone, as the simulator's control plane takes it: they answer,
#: press 1 when asked, and stay on the line (waiting for voters, then talking) all day.
DEMO_VOLUNTEER_AT_THEIR_PHONE = {
    "kind": "answer",
    "ring_s": 3,
    "digits": "1",
    "patience_s": 24 * 3600,
    "talk_s": 24 * 3600,
}


#: Who answers the demo voters' numbers: more people at home than on a real evening (about 55 in 100
#: dials reach a person, against about 30), ringing briefly and happy to talk for a few minutes, so
#: whoever tries the demo is talking to a voter within a minute; machines, engaged tones and numbers
#: that no longer work still come up, as they do in a real phone bank.
DEMO_VOTERS = {
    "seed": 2017,
    "weights": {
        "answer": 0.55,
        "machine": 0.12,
        "no-answer": 0.13,
        "busy": 0.1,
        "invalid": 0.07,
        "fax": 0.03,
    },
    "ring_s": [3.0, 9.0],
    "talk_s": [120.0, 420.0],
}


def _tell_the_simulator(settings: Settings, path: str, body: dict[str, object]) -> None:
    """PUT to the simulator's control plane (what `dialer demo` sets up: its callers, the volunteer's phone)."""
    import base64
    import json

    credentials = base64.b64encode(f"{settings.account_sid}:{settings.auth_token}".encode()).decode()
    request = urllib.request.Request(
        f"{settings.simulator_url}{path}",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Content-Type": "application/json", "Authorization": f"Basic {credentials}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5):
            pass
    except OSError as exc:
        raise StartupError(f"the telephony simulator refused the demo's set-up ({path}): {exc}") from None


def _web_process(settings: Settings, host: str, port: int) -> list[str]:
    """The web app's command line: gunicorn's gevent worker, or its threaded worker on SQLite.

    SQLite waits for a lock inside C without yielding to gevent, so one greenlet waiting would stop
    the greenlet holding the lock too, and the whole process for the busy timeout; threads just wait.
    gevent is started first (what `python -m web` re-executes itself as, after importing the whole
    app once for nothing).
    """
    address = ["--host", host, "--port", str(port)]
    if settings.effective_database_url.startswith("sqlite"):
        return [sys.executable, "-m", "web", "--async-mode", "threading", *address]
    return [sys.executable, "-m", "gevent.monkey", "--module", "web", *address]


@contextmanager
def _services(settings: Settings) -> Iterator[Services]:
    """The product's services for one step of a command, closed after it."""
    from dialer.bootstrap import build

    services = build(settings)
    try:
        yield services
    finally:
        services.engine.dispose()
        services.redis.close()


def _print_new_demo_accounts(settings: Settings) -> None:
    """Create the demo volunteer, organiser and admin once, and show their passwords that once."""
    from dialer.services.accounts.accounts import DEMO_PEOPLE, seed_demo_accounts

    with _services(settings) as services:
        created = seed_demo_accounts(services.uow(), services.passwords, services.clock)
    if created:
        click.echo(
            "\nDemo accounts (passwords are shown only now; `scripts/demo --reset-passwords` makes new ones):"
        )
        for account in created:
            click.echo(f"  {account.role.value:<10} {account.email:<34} {account.password}")
        return
    click.echo("\nSign in as one of the demo accounts (their passwords were shown when they were made):")
    for role, email, _ in DEMO_PEOPLE:
        click.echo(f"  {role.value:<10} {email}")
    click.echo(
        "Forgotten them? `scripts/demo --reset-passwords` prints new ones (the demo may keep running)."
    )


def _reset_demo_passwords(settings: Settings) -> None:
    from dialer.adapters import db as sql
    from dialer.services.accounts.accounts import reset_demo_passwords

    engine = sql.make_engine(settings.effective_database_url)
    try:
        sql.check_connection(engine)
    finally:
        engine.dispose()
    with _services(settings) as services:
        reset = reset_demo_passwords(services.uow(), services.passwords, services.clock)
    if not reset:
        raise StartupError("there are no demo accounts in this instance yet: run scripts/demo first")
    click.echo("New passwords for the demo accounts:")
    for account in reset:
        click.echo(f"  {account.role.value:<10} {account.email:<34} {account.password}")


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@_reported
def audit_verify() -> None:
    """Recompute the audit log's hash chain; name the first entry changed, removed or slipped in
    (exit status 1), or print the newest link (keep it elsewhere: a rewritten log cannot match it)."""
    from dialer.bootstrap import build
    from dialer.services.compliance.audit import verify

    services = build(Settings.from_env())
    try:
        found = verify(services.uow())
    finally:
        services.engine.dispose()
        services.redis.close()
    if not found.intact:
        click.echo(f"audit log broken at entry #{found.broken_at}: {found.problem}", err=True)
        click.echo(f"the {found.chained} entries before it are intact (up to #{found.last_id})", err=True)
        sys.exit(1)
    older = (
        f" ({found.unchained} older entries were written before the chain began)" if found.unchained else ""
    )
    click.echo(f"audit log intact: {found.chained} entries chained{older}")
    click.echo(f"newest link: entry #{found.last_id} {found.last_hash}")


@main.command()
@_reported
def health() -> None:
    """Check every component and print what each says (the details /healthz keeps from the public);
    exit status 1 when one is not ok."""
    import json

    from dialer.bootstrap import build
    from dialer.services.health import check_health

    services = build(Settings.from_env())
    try:
        report = check_health(services.probes())
    finally:
        services.engine.dispose()
        services.redis.close()
    click.echo(json.dumps(report.as_dict(), indent=2))
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("email")
@_reported
def promote(email: str) -> None:
    """Make the account with this e-mail address an admin (for the first admin of a deployment)."""
    from dialer.services.accounts.roles import promote_to_admin

    with _services(Settings.from_env()) as services:
        click.echo(f"{promote_to_admin(services.uow(), services.clock, email)} is now an admin")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="default: the port in SIMULATOR_URL")
@click.option("--cps", type=float, default=1.0, show_default=True, help="calls per second before calls queue")
@click.option(
    "--speed", type=float, default=1.0, show_default=True, help="run the clock this many times faster"
)
@click.option("--seed", type=int, default=0, show_default=True, help="seed for the callee mix")
@_reported
def simulator(host: str, port: int | None, cps: float, speed: float, seed: int) -> None:
    """Serve the Twilio-compatible simulator with this installation's account settings."""
    settings = Settings.from_env()
    variable = "--port" if port is not None else "SIMULATOR_URL (or --port)"
    port = port if port is not None else _simulator_address(settings)[1]
    _check_port_free(host, port, variable)
    args, env = _simulator_process(settings, host, port, cps=cps, speed=speed, seed=seed)
    _exec(args, env)


def _simulator_address(settings: Settings) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.simulator_url)
    if not parts.hostname:
        raise StartupError(f"SIMULATOR_URL is not a URL: {settings.simulator_url!r}")
    return parts.hostname, parts.port or 80


def _simulator_process(
    settings: Settings, host: str, port: int, *, cps: float = 1.0, speed: float = 1.0, seed: int = 0
) -> tuple[list[str], dict[str, str]]:
    """The simulator's command line; secrets travel in its environment, not its arguments."""
    args = [
        sys.executable, "-m", "dialer.simulator",
        "--host", host, "--port", str(port),
        "--account-sid", settings.account_sid,
        "--api-key", settings.api_key_sid,
        "--number", settings.twilio_caller_id,
        "--cors-origin", settings.public_base_url,
        "--cps", str(cps), "--speed", str(speed), "--seed", str(seed),
    ]  # fmt: skip
    env = dict(os.environ)
    env.update(
        SIMULATOR_AUTH_TOKEN=settings.auth_token,
        SIMULATOR_API_SECRET=settings.api_key_secret,
        PYTHONUNBUFFERED="1",
    )
    return args, env


def _seed_demo_phone_bank(settings: Settings, env: dict[str, str]) -> int:
    """The demo phone bank (a real marginal seat, fictional voters on Ofcom drama numbers), once."""
    from dialer.bootstrap import build
    from dialer.services.demo.demo import seed_demo

    services = build(settings.model_copy(update={"redis_url": env["REDIS_URL"]}))
    campaign_id = seed_demo(services.phone_bank)
    click.echo(f"demo phone bank ready: /call/{campaign_id}")
    services.engine.dispose()
    return campaign_id


def _seed_demo_happenings(settings: Settings, env: dict[str, str], campaign_id: int) -> None:
    """The demo seat's pledge, a door-knock happening now (doorstep mode) and carpools, after the accounts."""
    import secrets

    from dialer.domain.roles import Role
    from dialer.services.accounts.accounts import DEMO_PEOPLE
    from dialer.services.demo.demo_happenings import seed_demo_happenings

    with _services(settings.model_copy(update={"redis_url": env["REDIS_URL"]})) as services:
        volunteer = next(email for role, email, _ in DEMO_PEOPLE if role is Role.VOLUNTEER)
        made = seed_demo_happenings(
            services.uow,
            services.clock,
            campaign_id=campaign_id,
            volunteer_email=volunteer,
            unusable_password_hash=services.passwords.hash(secrets.token_urlsafe(32)),
        )
    if made.events:
        click.echo(
            f"demo seat: {made.events} door-knocks (one on now: doorstep mode), {made.carpools} carpools"
        )


def _preflight(
    settings: Settings, ports: Sequence[tuple[str, int, str]], *, migrate: bool = False
) -> dict[str, str]:
    """Check everything a process needs before starting it; returns the environment children get.

    `ports` are the (host, port, variable that moves it) a process will listen on.
    """
    for host, port, variable in ports:
        _check_port_free(host, port, variable)
    from dialer.adapters import db as sql
    from dialer.adapters import redis_server

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    if migrate:
        _migrate(settings)
    else:
        engine = sql.make_engine(settings.effective_database_url)
        sql.check_connection(engine)
        engine.dispose()
    url = redis_server.redis_url(settings)
    redis_server.connect(url).close()
    env = dict(os.environ)
    env.update(
        REDIS_URL=url,
        DATABASE_URL=settings.effective_database_url,
        INSTANCE_PATH=str(settings.instance_path.resolve()),
        PYTHONUNBUFFERED="1",
    )
    return env


def _check_port_free(host: str, port: int, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise StartupError(
                f"port {port} on {host} is already in use: stop the program using it or set {variable} "
                "to choose another"
            ) from None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _exec(args: list[str], env: dict[str, str]) -> None:
    sys.stdout.flush()
    os.execve(args[0], args, env)


#: Seconds children get to finish what they are doing after SIGTERM, then after the second SIGTERM.
WARM_STOP_S = 10.0
COLD_STOP_S = 10.0


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]


class _ProcessGroup:
    """Children in their own sessions, so Ctrl-C reaches only us and we stop them in order."""

    def __init__(self) -> None:
        self.children: list[_Child] = []
        self.interrupted = False
        self._stopping = False

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.checkpoint()
        process = subprocess.Popen(args, env=env, start_new_session=True)
        self.children.append(_Child(name, process))

    def checkpoint(self) -> None:
        """Stop here if Ctrl-C came while a library that swallows KeyboardInterrupt was running."""
        if self.interrupted:
            raise KeyboardInterrupt

    def dead(self) -> _Child | None:
        self.checkpoint()
        return next((child for child in self.children if child.process.poll() is not None), None)

    def wait(self) -> None:
        while not self._stopping:
            child = self.dead()
            if child is not None:
                raise StartupError(
                    f"{child.name} stopped unexpectedly (exit status {child.process.returncode})"
                )
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM (RQ workers finish their job); a second SIGTERM to whoever is still busy after
        WARM_STOP_S (RQ's cold shutdown: the job is abandoned and re-queued); SIGKILL after COLD_STOP_S."""
        self._stopping = True
        self._signal_running(signal.SIGTERM)
        if self._wait_for_all(WARM_STOP_S):
            return
        self._signal_running(signal.SIGTERM)
        if self._wait_for_all(COLD_STOP_S):
            return
        for child in self.children:
            if child.process.poll() is None:
                click.echo(
                    f"{child.name} did not stop within {WARM_STOP_S + COLD_STOP_S} s: killed", err=True
                )
                child.process.kill()
                child.process.wait()

    def _signal_running(self, signum: signal.Signals) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signum)

    def _wait_for_all(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return False
        return True


@contextmanager
def _supervisor() -> Iterator[_ProcessGroup]:
    group = _ProcessGroup()

    def interrupted(signum: int, _frame: Any) -> None:
        group.interrupted = True
        raise KeyboardInterrupt

    # SIGINT too: a shell starts background jobs with Ctrl-C ignored, and we still want it to stop us.
    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield group
    except KeyboardInterrupt:
        click.echo("\nstopping...", err=True)
    finally:
        group.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait_until_up(url: str, group: _ProcessGroup, timeout: float = 60.0, name: str = "the web app") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        child = group.dead()
        if child is not None:
            raise StartupError(f"{child.name} failed to start (exit status {child.process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers; /healthz itself says what is not ready yet
        except OSError:
            time.sleep(0.25)
    raise StartupError(f"{name} did not answer at {url} within {timeout:.0f} s")


# --- full postcodes --------------------------------------------------------------------------


@main.group()
def postcodes() -> None:
    """Full postcodes, each at its own point (the shipped district centres are the default)."""


@postcodes.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_reported
def postcodes_load(path: Path) -> None:
    """Load the ONS Postcode Directory CSV (pcds, lat, long, pcon, ...) or a postcode,latitude,longitude
    [,constituency] file; bad rows are reported by line (exit status 1) and the rest are loaded.
    Restart the web processes afterwards: they read the postcodes at start."""
    from dialer.adapters import db as sql
    from dialer.adapters.postcode_loader import REPORTED_ERRORS, PostcodeLoad, load_postcodes

    def progress(report: PostcodeLoad) -> None:
        click.echo(f"  ... {report.summary()}", err=True)

    settings = Settings.from_env()
    engine = sql.make_engine(settings.effective_database_url)
    sql.check_connection(engine)
    try:
        report = load_postcodes(engine, path, progress=progress)
    finally:
        engine.dispose()
    for error in report.errors:
        click.echo(f"{path.name}, line {error.line}: {error.message}", err=True)
    if report.error_count > len(report.errors):
        click.echo(
            f"... and {report.error_count - len(report.errors):,} more bad rows (the first {REPORTED_ERRORS} are shown)",
            err=True,
        )
    click.echo(f"postcodes: {report.summary()}; restart the web processes to use them")
    if report.error_count:
        sys.exit(1)
