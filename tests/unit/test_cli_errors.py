"""Start-up failures are one clear line naming what to fix, never a traceback."""

import socket

import pytest
from click.testing import CliRunner

from dialer.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))

    def invoke(*args, **env):
        result = CliRunner().invoke(main, list(args), env=env)
        return result

    return invoke


def one_line_error(result):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_a_malformed_database_url_is_named(run):
    line = one_line_error(run("db", "upgrade", DATABASE_URL="not a url"))
    assert line.startswith("marginal: DATABASE_URL is not a database URL")


def test_an_unreachable_database_is_named_with_the_reason(run):
    line = one_line_error(run("db", "upgrade", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    assert "cannot reach the database (DATABASE_URL=postgresql" in line
    assert "refused" in line.lower()


def test_an_unreachable_redis_is_named(run):
    line = one_line_error(run("worker", REDIS_URL="redis://127.0.0.1:1/0"))
    assert line.startswith("marginal: cannot reach Redis (REDIS_URL=redis://127.0.0.1:1/0)")


def test_a_placeholder_secret_key_in_production_is_named(run):
    line = one_line_error(run("db", "upgrade", MARGINAL_MODE="production", SECRET_KEY="changeme"))
    assert line.startswith("marginal: SECRET_KEY is missing or a placeholder")


@pytest.fixture
def busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_already_in_use_is_named_with_the_variable_that_moves_it(run, busy_port):
    line = one_line_error(run("serve", "--port", str(busy_port)))
    assert line == (
        f"marginal: port {busy_port} on 127.0.0.1 is already in use: "
        "stop the program using it or set PORT (or --port) to choose another"
    )


def test_the_demos_web_port_in_use_names_port(run, busy_port):
    line = one_line_error(run("demo", PORT=str(busy_port)))
    assert line.startswith(f"marginal: port {busy_port} on 127.0.0.1 is already in use")
    assert line.endswith("set PORT to choose another")


def test_the_demos_simulator_port_in_use_names_simulator_url_not_port(run, busy_port):
    line = one_line_error(
        run("demo", "--port", "0", SIMULATOR_URL=f"http://127.0.0.1:{busy_port}", TELEPHONY="simulator")
    )
    assert line.startswith(f"marginal: port {busy_port} on 127.0.0.1 is already in use")
    assert line.endswith("set SIMULATOR_URL to choose another")


def test_db_upgrade_migrates_the_embedded_database(run, tmp_path):
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "marginal.db").exists()
