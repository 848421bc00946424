"""One deployment check's result and the Nagios states (shared by doctor and server_checks)."""

from __future__ import annotations

from dataclasses import dataclass

OK, WARNING, CRITICAL, UNKNOWN = "OK", "WARNING", "CRITICAL", "UNKNOWN"
#: Nagios exit code of each state.
NAGIOS_CODES = {OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3}
_SEVERITY = {OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3}


@dataclass
class Check:
    """One checklist line."""

    name: str
    state: str
    detail: str

    def as_json(self) -> dict[str, str]:
        """JSON-ready dict."""
        return {"name": self.name, "state": self.state, "detail": self.detail}


def worst(checks: list[Check]) -> str:
    """The overall state: CRITICAL > WARNING > UNKNOWN > OK (as Nagios plugins report)."""
    if not checks:
        return UNKNOWN
    return max((c.state for c in checks), key=lambda s: _SEVERITY[s])


def nagios_line(checks: list[Check]) -> tuple[str, int]:
    """(one status line, exit code) in the Nagios plugin convention."""
    state = worst(checks)
    bad = [c for c in checks if c.state != OK]
    detail = "; ".join(f"{c.name}: {c.detail}" for c in bad) if bad else \
        f"{len(checks)} checks passed"
    return f"B2SAFE {state} - {detail}", NAGIOS_CODES[state]
