"""Long-running processes freeze the objects they made while starting, so a full garbage collection
under load no longer walks them (dialer/heap.py)."""

import subprocess
import sys
import textwrap

from dialer import heap
from dialer.adapters import redis_server
from web import server
from workers import runner


def test_freezing_keeps_what_starting_made_out_of_later_collections():
    script = """
        import gc
        from dialer import heap
        import web  # the app's modules: what a web process has made by the time it serves
        before = gc.get_freeze_count()
        heap.freeze_startup_objects()
        print(before, gc.get_freeze_count())
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after = (int(number) for number in done.stdout.split())
    assert before == 0 and after > 50_000


def test_a_web_process_freezes_once_its_app_is_built(monkeypatch):
    events: list[str] = []

    def create_app(*args: object, **kwargs: object) -> _App:
        events.append("app")
        return _App()

    monkeypatch.setattr("web.create_app", create_app)
    monkeypatch.setattr("dialer.services.calling.dashboard.reconcile_running", lambda *args, **kwargs: None)
    monkeypatch.setattr(heap, "freeze_startup_objects", lambda: events.append("frozen"))

    server.WebServer({"bind": "127.0.0.1:0"}, async_mode="threading").load()

    assert events == ["app", "frozen"]


def test_a_worker_freezes_before_it_takes_its_first_job(monkeypatch):
    events: list[str] = []

    class Worker:
        def __init__(self, *args, **kwargs):
            pass

        def work(self, **kwargs):
            events.append("work")

    monkeypatch.setattr(runner, "Settings", type("S", (), {"from_env": staticmethod(lambda: None)}))
    monkeypatch.setattr(redis_server, "redis_url", lambda settings: "redis://unused")
    monkeypatch.setattr(redis_server, "connect", lambda url: None)
    monkeypatch.setattr(runner, "SimpleDialerWorker", Worker)
    monkeypatch.setattr(heap, "freeze_startup_objects", lambda: events.append("frozen"))

    runner.main(["--no-fork"])

    assert events == ["frozen", "work"]


class _App:
    extensions = {"marginal": type("Services", (), {"phone_bank": None})()}
