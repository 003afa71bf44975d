"""`dialer simulator` and the demo's simulator settings, reported in one clear line when wrong."""

import socket

from click.testing import CliRunner

from dialer.cli import _simulator_address, main
from dialer.config import Settings


def test_the_simulator_listens_where_simulator_url_says():
    assert _simulator_address(Settings(simulator_url="http://127.0.0.1:5466")) == ("127.0.0.1", 5466)


def test_a_busy_simulator_port_is_named_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["simulator", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"marginal: port {port} on 127.0.0.1 is already in use: stop the program using it or set --port "
        "to choose another"
    )
