"""Where the browser tests' Chromium comes from: found, or installed by `scripts/test` before any test runs.

The places are tried in one order (`PLACES`), cheapest first, and the first that yields an executable
wins: `CHROMIUM_PATH`; a Chromium already installed (Debian's, or one Playwright downloaded earlier);
Debian's `chromium` package through apt-get when running as root on Debian; Playwright's own
`playwright install chromium`, under a short time limit because it downloads from a host these
machines cannot reach and would otherwise hang. When none works, one line says what to install.

Run as `python -m tests.chromium`: the executable's path on stdout, progress on stderr, exit 1 with
the one-line advice when there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Debian's package, which .ci/run relied on before `scripts/test` found its own browser.
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
APT_TIME_LIMIT_S = 900.0
#: Playwright's download needs a network; a machine without one must fail fast, not hang.
PLAYWRIGHT_TIME_LIMIT_S = 90.0
ADVICE = (
    "no Chromium for the browser tests: install Debian's package (apt-get install chromium), "
    "or run `playwright install chromium` on a machine with internet access, "
    "or set CHROMIUM_PATH to a Chromium executable"
)


class NoChromium(Exception):
    """No place yielded a browser; the message is the one line to print."""


class Machine:
    """What the search reads and runs on the real machine (tests give a fake)."""

    def env(self, name: str) -> str | None:
        return os.environ.get(name)

    def which(self, name: str) -> Path | None:
        found = shutil.which(name)
        return Path(found) if found else None

    def is_executable(self, path: Path) -> bool:
        return path.is_file() and os.access(path, os.X_OK)

    def is_root(self) -> bool:
        return os.geteuid() == 0

    def is_debian(self) -> bool:
        return Path("/etc/debian_version").exists()

    def run(self, command: Sequence[str], time_limit_s: float) -> bool:
        """Run a command, its output to stderr; True when it exited 0 within the time limit."""
        try:
            return (
                subprocess.run(command, stdout=sys.stderr, timeout=time_limit_s, check=False).returncode == 0
            )
        except (OSError, subprocess.TimeoutExpired):
            return False

    def playwright_chromium(self) -> Path | None:
        """The Chromium that Playwright downloads, where it would be (it may not be there)."""
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            return Path(playwright.chromium.executable_path)


def from_variable(machine: Machine) -> Path | None:
    value = machine.env("CHROMIUM_PATH")
    if not value:
        return None
    if not machine.is_executable(Path(value)):
        raise NoChromium(f"CHROMIUM_PATH={value} is not an executable file")
    return Path(value)


def already_installed(machine: Machine) -> Path | None:
    for name in ("chromium", "chromium-browser"):
        found = machine.which(name)
        if found is not None:
            return found
    if machine.is_executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    downloaded = machine.playwright_chromium()
    return downloaded if downloaded is not None and machine.is_executable(downloaded) else None


def debian_package(machine: Machine) -> Path | None:
    if not (machine.is_root() and machine.is_debian() and machine.which("apt-get")):
        return None
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    if not machine.run(install, APT_TIME_LIMIT_S):
        # A new machine's package lists may be empty or stale.
        if not machine.run(["apt-get", "update", "-q"], APT_TIME_LIMIT_S):
            return None
        if not machine.run(install, APT_TIME_LIMIT_S):
            return None
    if not machine.is_executable(DEBIAN_CHROMIUM):
        # Installed as a package but its executable was deleted: apt-get calls that "already newest".
        machine.run(["apt-get", "install", "--reinstall", "-y", "-q", "chromium"], APT_TIME_LIMIT_S)
    return DEBIAN_CHROMIUM if machine.is_executable(DEBIAN_CHROMIUM) else None


def playwright_download(machine: Machine) -> Path | None:
    if not machine.run([sys.executable, "-m", "playwright", "install", "chromium"], PLAYWRIGHT_TIME_LIMIT_S):
        return None
    downloaded = machine.playwright_chromium()
    return downloaded if downloaded is not None and machine.is_executable(downloaded) else None


@dataclass(frozen=True)
class Place:
    name: str
    look: Callable[[Machine], Path | None]
    installs: bool = False


PLACES = (
    Place("CHROMIUM_PATH", from_variable),
    Place("an installed Chromium", already_installed),
    Place("Debian's chromium package (apt-get install chromium)", debian_package, installs=True),
    Place("Playwright's download (playwright install chromium)", playwright_download, installs=True),
)


def find_chromium(machine: Machine, say: Callable[[str], None] = lambda _: None) -> Path:
    """The first Chromium the places yield, in order; NoChromium with the advice when none does."""
    for place in PLACES:
        if place.installs:
            say(f"no Chromium found; trying {place.name}")
        found = place.look(machine)
        if found is not None:
            return found
    raise NoChromium(ADVICE)


def main() -> int:
    try:
        print(find_chromium(Machine(), say=lambda line: print(line, file=sys.stderr)))
    except NoChromium as missing:
        print(f"scripts/test: {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
