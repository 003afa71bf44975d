"""Where `scripts/test` gets the browser tests' Chromium, in which order, and what it says when it cannot."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.chromium import (
    ADVICE,
    APT_TIME_LIMIT_S,
    DEBIAN_CHROMIUM,
    PLACES,
    PLAYWRIGHT_TIME_LIMIT_S,
    Machine,
    NoChromium,
    find_chromium,
)

PLAYWRIGHT_INSTALL = f"{Path(sys.executable).name} -m playwright install chromium"
PLAYWRIGHTS = Path("/root/.cache/ms-playwright/chromium-1/chrome-linux/chrome")


class FakeMachine(Machine):
    """A machine with only what a test gives it; commands that install make their files appear."""

    def __init__(
        self,
        *,
        env: dict[str, str] | None = None,
        files: Sequence[Path] = (),
        root: bool = True,
        debian: bool = True,
        apt_works: bool = False,
        apt_needs_update: bool = False,
        package_without_executable: bool = False,
        download_works: bool = False,
    ) -> None:
        self.variables = env or {}
        self.files = set(files)
        self.root, self.debian = root, debian
        self.apt_works, self.apt_needs_update = apt_works, apt_needs_update
        self.package_without_executable, self.download_works = package_without_executable, download_works
        self.ran: list[tuple[str, float]] = []

    def env(self, name: str) -> str | None:
        return self.variables.get(name)

    def which(self, name: str) -> Path | None:
        return Path("/usr/bin/apt-get") if name == "apt-get" and self.debian else None

    def is_executable(self, path: Path) -> bool:
        return path in self.files

    def is_root(self) -> bool:
        return self.root

    def is_debian(self) -> bool:
        return self.debian

    def run(self, command: Sequence[str], time_limit_s: float) -> bool:
        self.ran.append((" ".join([Path(command[0]).name, *command[1:]]), time_limit_s))
        if command[:2] == ["apt-get", "update"]:
            self.apt_needs_update = False
            return True
        if command[:2] == ["apt-get", "install"]:
            if self.package_without_executable and "--reinstall" not in command:
                return True  # "chromium is already the newest version"
            if self.apt_works and not self.apt_needs_update:
                self.files.add(DEBIAN_CHROMIUM)
                return True
            return False
        if self.download_works:
            self.files.add(PLAYWRIGHTS)
        return self.download_works

    def playwright_chromium(self) -> Path | None:
        return PLAYWRIGHTS


def test_the_places_are_tried_in_the_order_the_issue_asks_for():
    assert [place.name for place in PLACES] == [
        "CHROMIUM_PATH",
        "an installed Chromium",
        "Debian's chromium package (apt-get install chromium)",
        "Playwright's download (playwright install chromium)",
    ]


def test_chromium_path_wins_over_an_installed_chromium_and_nothing_is_installed():
    machine = FakeMachine(
        env={"CHROMIUM_PATH": "/opt/chrome/chrome"}, files=[Path("/opt/chrome/chrome"), DEBIAN_CHROMIUM]
    )
    assert find_chromium(machine) == Path("/opt/chrome/chrome")
    assert machine.ran == []


def test_a_chromium_path_that_is_not_an_executable_is_an_error_not_a_fallback():
    machine = FakeMachine(env={"CHROMIUM_PATH": "/nowhere/chrome"}, files=[DEBIAN_CHROMIUM])
    with pytest.raises(NoChromium, match="CHROMIUM_PATH=/nowhere/chrome is not an executable file"):
        find_chromium(machine)


def test_an_installed_chromium_is_used_before_anything_is_installed():
    for installed in (DEBIAN_CHROMIUM, PLAYWRIGHTS):
        machine = FakeMachine(files=[installed], apt_works=True, download_works=True)
        assert find_chromium(machine) == installed
        assert machine.ran == []


def test_as_root_on_debian_apt_installs_chromium_updating_its_lists_when_the_first_try_fails():
    machine = FakeMachine(apt_works=True, apt_needs_update=True, download_works=True)
    said: list[str] = []
    assert find_chromium(machine, say=said.append) == DEBIAN_CHROMIUM
    assert [command for command, _ in machine.ran] == [
        "apt-get install -y -q chromium",
        "apt-get update -q",
        "apt-get install -y -q chromium",
    ]
    assert said == ["no Chromium found; trying Debian's chromium package (apt-get install chromium)"]


def test_a_package_whose_executable_was_deleted_is_reinstalled():
    machine = FakeMachine(apt_works=True, package_without_executable=True)
    assert find_chromium(machine) == DEBIAN_CHROMIUM
    assert [command for command, _ in machine.ran] == [
        "apt-get install -y -q chromium",
        "apt-get install --reinstall -y -q chromium",
    ]


def test_without_root_apt_is_not_tried_and_playwright_downloads_under_a_short_time_limit():
    machine = FakeMachine(root=False, apt_works=True, download_works=True)
    assert find_chromium(machine) == PLAYWRIGHTS
    assert machine.ran == [(PLAYWRIGHT_INSTALL, PLAYWRIGHT_TIME_LIMIT_S)]
    assert PLAYWRIGHT_TIME_LIMIT_S <= 120 < APT_TIME_LIMIT_S


def test_when_no_place_yields_a_browser_one_line_says_what_to_install():
    machine = FakeMachine(debian=False)
    with pytest.raises(NoChromium) as missing:
        find_chromium(machine)
    assert str(missing.value) == ADVICE and "\n" not in ADVICE
    assert "apt-get install chromium" in ADVICE and "CHROMIUM_PATH" in ADVICE
    assert machine.ran == [(PLAYWRIGHT_INSTALL, PLAYWRIGHT_TIME_LIMIT_S)]
