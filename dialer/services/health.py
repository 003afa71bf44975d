"""Whether the product is fit to take calls: every component checked, one verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialer.ports import Probe, ProbeResult


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, ProbeResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.checks.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checks": {
                name: {"ok": result.ok, "detail": result.detail} for name, result in self.checks.items()
            },
        }


def check_health(probes: Mapping[str, Probe]) -> HealthReport:
    """Run every probe; a probe that raises counts as failed with its error as the detail."""
    results: dict[str, ProbeResult] = {}
    for name, probe in probes.items():
        try:
            results[name] = probe()
        except Exception as exc:  # a broken probe must not break the health page
            results[name] = ProbeResult(False, f"{exc.__class__.__name__}: {exc}")
    return HealthReport(results)
