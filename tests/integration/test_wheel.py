"""The product's wheel holds what a deployment runs, and not the load and shift harnesses."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHECKOUT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_the_product_and_none_of_the_harnesses(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(CHECKOUT), "-w", str(tmp_path)],
        check=True,
        timeout=240,
    )
    (wheel,) = tmp_path.glob("marginal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.startswith("marginal-")}

    assert packages == {"dialer", "web", "workers"}
    assert "dialer/simulator/app.py" in names and "web/voice.py" in names and "workers/jobs.py" in names
    assert not [name for name in names if "loopback" in name or "shift_simulation" in name]
