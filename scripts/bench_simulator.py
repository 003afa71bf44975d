"""How many calls per second the telephony simulator carries end to end (REST create to completed callback).

Two runs, each repeated and quoted as the median:
  simulated clock: the simulator in-process on a SimClock, twilio-python through the in-process HTTP
      client, webhooks into a stand-in product app that checks every signature; calls answer after
      5 s, hear a message and hang up after 30 s of simulated time;
  real clock: `python -m dialer.simulator` as its own process, twilio-python over loopback HTTP from
      several threads, webhooks over HTTP to a threaded receiver; calls answer after 1 s and end 2 s
      later (so hundreds are in progress at once).
The baseline in each run is the REST create alone, measured in the same run. Appends (or replaces)
its section in docs/BENCHMARKS.md; exits non-zero if a call never completes or a target is missed.

    .venv/bin/python scripts/bench_simulator.py [--calls 2000] [--real-calls 600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from flask import Flask, request
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.serving import make_server

from dialer.clock import SimClock
from dialer.simulator import Behaviour, Simulator
from dialer.simulator.webhooks import WebhookRequest, WebhookResponse

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Telephony simulator"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "bench-auth-token"
CALLER_ID = "+442079460000"
EVENTS = ["initiated", "ringing", "answered", "completed"]
#: Targets: far above Twilio's default 1 call/s and a 40-volunteer shift's few dials a second.
SIMULATED_TARGET = 200.0
REAL_TARGET = 25.0


class Receiver:
    """The product's side: checks each signature, answers TwiML, counts completed callbacks."""

    def __init__(self, twiml: str, expected: int) -> None:
        self.app = Flask("bench_receiver")
        self.completed = 0
        self.invalid = 0
        self.all_done = threading.Event()
        self.expected = expected
        self._lock = threading.Lock()
        validator = RequestValidator(AUTH_TOKEN)

        @self.app.post("/voice")
        def voice() -> tuple[str, int, dict[str, str]]:
            self._check(validator)
            return twiml, 200, {"Content-Type": "text/xml"}

        @self.app.post("/status")
        def status() -> str:
            self._check(validator)
            if request.form["CallStatus"] == "completed":
                with self._lock:
                    self.completed += 1
                    if self.completed >= self.expected:
                        self.all_done.set()
            return ""

    def _check(self, validator: RequestValidator) -> None:
        if not validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", "")):
            with self._lock:
                self.invalid += 1


class DirectReceiver:
    """The same product side as a plain callable transport (no HTTP layer): the simulator's own cost."""

    def __init__(self, twiml: str) -> None:
        self.twiml = twiml
        self.completed = 0
        self.invalid = 0
        self._validator = RequestValidator(AUTH_TOKEN)

    def __call__(self, hook: WebhookRequest, timeout: float) -> WebhookResponse:
        if not self._validator.validate(hook.url, hook.params, hook.headers["X-Twilio-Signature"]):
            self.invalid += 1
        if hook.url.endswith("/voice"):
            return WebhookResponse(200, self.twiml, "text/xml")
        if hook.params.get("CallStatus") == "completed":
            self.completed += 1
        return WebhookResponse(200, "", "text/plain")


def create(client: Client, index: int, base: str) -> None:
    client.calls.create(
        to=f"+4477009{index % 100_000:05d}",
        from_=CALLER_ID,
        url=f"{base}/voice",
        status_callback=f"{base}/status",
        status_callback_event=EVENTS,
    )


def simulated_run(calls: int) -> dict[str, float]:
    receiver = DirectReceiver("<Response><Say>Hello from the campaign</Say><Pause length='60'/></Response>")
    clock = SimClock()
    sim = Simulator(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, clock=clock, transport=receiver, cps=1_000_000
    )
    for index in range(calls):
        sim.set_behaviour(f"+4477009{index % 100_000:05d}", Behaviour.hangs_up_after(30, ring=5))
    client = sim.rest_client()
    started = time.perf_counter()
    for index in range(calls):
        create(client, index, "http://product.bench")
    created = time.perf_counter()
    sim.run_until_idle()
    finished = time.perf_counter()
    if receiver.completed != calls or receiver.invalid:
        raise RuntimeError(
            f"simulated run: {receiver.completed}/{calls} completed, {receiver.invalid} bad signatures"
        )
    return {
        "end_to_end": calls / (finished - started),
        "rest_only": calls / (created - started),
        "simulated_s": clock.monotonic(),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def real_run(calls: int, threads: int) -> dict[str, float]:
    receiver = Receiver("<Response><Pause length='2'/></Response>", calls)
    server = make_server("127.0.0.1", 0, receiver.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    port = free_port()
    env = dict(os.environ, SIMULATOR_AUTH_TOKEN=AUTH_TOKEN)
    process = subprocess.Popen(
        [sys.executable, "-m", "dialer.simulator", "--port", str(port), "--account-sid", ACCOUNT_SID,
         "--cps", "100000"],
        env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    simulator_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{simulator_url}/_sim/health", process)
        mix: dict[str, Any] = {"seed": 0, "weights": {"answer": 1}, "ring_s": [1, 1], "talk_s": [60, 60],
               "hangup_during_message": 0, "misclassified": 0}  # fmt: skip
        requests.put(
            f"{simulator_url}/_sim/mix", json=mix, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5
        ).raise_for_status()
        local = threading.local()

        def client() -> Client:
            if not hasattr(local, "client"):
                local.client = Client(
                    ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=30), environment={}
                )
                local.client.api.base_url = simulator_url
            return local.client

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda index: create(client(), index, base), range(calls)))
        created = time.perf_counter()
        if not receiver.all_done.wait(timeout=120):
            raise RuntimeError(f"real run: only {receiver.completed}/{calls} calls completed within 120 s")
        finished = time.perf_counter()
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.shutdown()
    if receiver.invalid:
        raise RuntimeError(f"real run: {receiver.invalid} webhooks failed signature validation")
    return {"end_to_end": calls / (finished - started), "rest_only": calls / (created - started)}


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the simulator process exited")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("the simulator did not start")


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def write_report(text: str) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    existing = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    start = existing.find(SECTION)
    if start == -1:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        end = existing.find("\n## ", start + len(SECTION))
        updated = existing[:start] + text + (existing[end + 1 :] if end != -1 else "")
    REPORT.write_text(updated.rstrip("\n") + "\n")


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per simulated-clock run")
    parser.add_argument("--real-calls", type=int, default=600, help="calls per real-clock run")
    parser.add_argument("--threads", type=int, default=8, help="REST client threads in the real-clock run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        simulated = [simulated_run(args.calls) for _ in range(args.repeat)]
        real = [real_run(args.real_calls, args.threads) for _ in range(args.repeat)]
    except RuntimeError as exc:
        print(f"bench_simulator: FAILED: {exc}", file=sys.stderr)
        return 1
    sim_e2e, sim_rest = median(simulated, "end_to_end"), median(simulated, "rest_only")
    real_e2e, real_rest = median(real, "end_to_end"), median(real, "rest_only")
    ok = sim_e2e >= SIMULATED_TARGET and real_e2e >= REAL_TARGET
    report = f"""{SECTION} (`scripts/bench_simulator.py`)

Calls per second carried end to end, from twilio-python's `calls.create` to the `completed` status
callback, every webhook signature checked by the receiving app; median of {args.repeat} runs on
{platform.machine()} / {os.cpu_count()} CPUs (shared with other work: compare ratios, not absolutes).
Baseline: the REST create alone, in the same run.

| clock | calls | end to end | REST create alone | end to end / create | target |
|---|---|---|---|---|---|
| simulated (in-process, {simulated[0]["simulated_s"]:.0f} s of call time) | {args.calls} | {sim_e2e:.0f} calls/s | {sim_rest:.0f} calls/s | {sim_e2e / sim_rest:.2f} | >= {SIMULATED_TARGET:.0f} calls/s |
| real (own process, HTTP, {args.threads} client threads) | {args.real_calls} | {real_e2e:.0f} calls/s | {real_rest:.0f} calls/s | {real_e2e / real_rest:.2f} | >= {REAL_TARGET:.0f} calls/s |

Each simulated call sends 4 status callbacks and 1 voice request; each real-clock call rings 1 s and
talks 2 s, so
the real run holds hundreds of calls in progress at once. Re-run: `.venv/bin/python scripts/bench_simulator.py`.
Result: {"meets the targets" if ok else "MISSES a target"}.
"""
    print(report)
    write_report(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
