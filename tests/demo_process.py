"""`dialer demo` as a fresh clone runs it, in a process of its own: its output as it comes, its health,
everything it started, and Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import psutil
import requests

from dialer.config import Settings
from tests.ports import free_port

DIALER = Path(sys.executable).with_name("dialer")


def _without_our_variables() -> dict[str, str]:
    ours = {name.upper() for name in Settings.model_fields} | {"MARGINAL_MODE", "PORT"}
    return {name: value for name, value in os.environ.items() if name not in ours}


class Demo:
    """The running command, its output as it comes, and every process it started."""

    @classmethod
    def start(cls, instance: Path, *, workers: int = 1) -> Demo:
        """`dialer demo` on a free PORT in this instance folder, with none of the product's other
        variables set, as in a fresh clone: it chooses the simulator's port itself."""
        port = free_port()
        env = _without_our_variables() | {
            "INSTANCE_PATH": str(instance),
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
        command = [str(DIALER), "demo", "--workers", str(workers)]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        return cls(process, f"http://127.0.0.1:{port}", env)

    def reset_passwords(self) -> dict[str, str]:
        """What `dialer demo --reset-passwords` (named by a later run) prints: e-mail -> new password."""
        done = subprocess.run(
            [str(DIALER), "demo", "--reset-passwords"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        found = dict(re.findall(r"^\s+\w+\s+(\S+@\S+)\s+(\S+)$", done.stdout, flags=re.MULTILINE))
        assert found, done.stdout
        return found

    def __init__(self, process: subprocess.Popen[str], url: str, env: dict[str, str]) -> None:
        self.process, self.url, self.env = process, url, env
        self.simulator_url = ""
        self.out: list[str] = []
        self.err: list[str] = []
        self.announced = threading.Event()
        self.processes: list[psutil.Process] = []
        self._readers = [
            threading.Thread(target=self._read, args=(process.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(process.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            lines.append(line)
            if line.startswith("telephony simulator: "):
                self.simulator_url = line.removeprefix("telephony simulator: ").strip()
            if line.startswith("Marginal is running: open "):
                self.announced.set()

    def up(self, timeout: float = 90) -> dict[str, Any]:
        """Wait for the demo to say it is running, then read /healthz."""
        deadline = time.monotonic() + timeout
        while not self.announced.wait(0.2):
            assert self.process.poll() is None, f"the demo exited with {self.process.returncode}: {self.err}"
            assert time.monotonic() < deadline, f"the demo did not start within {timeout} s: {self.out}"
        reply = requests.get(f"{self.url}/healthz", timeout=10)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def everything_it_started(self) -> list[psutil.Process]:
        """Its children (simulator, workers, web) and the embedded Redis they share (not a child)."""
        children = psutil.Process(self.process.pid).children(recursive=True)
        sockets = {child.environ().get("REDIS_URL", "").removeprefix("unix://") for child in children} - {""}
        redis_servers = [
            process
            for process in psutil.process_iter(["name", "cmdline"])
            if process.info["name"] == "redis-server"
            and any(s in " ".join(process.info["cmdline"] or ()) for s in sockets)
        ]
        self.processes = children + redis_servers
        return self.processes

    def close(self, timeout: float = 40) -> None:
        """Whatever happened in the test, leave nothing running and no pipe open: Ctrl-C first (the
        demo stops what it started), then kill whatever of it is left."""
        if self.process.poll() is None:
            with contextlib.suppress(psutil.Error):
                self.everything_it_started()
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        for leftover in self.processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def interrupt(self, timeout: float = 30) -> tuple[int, str, str]:
        """Ctrl-C: the exit status and everything it printed."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return status, "".join(self.out), "".join(self.err)
