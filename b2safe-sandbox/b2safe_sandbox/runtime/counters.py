"""Per-zone counters: microservice calls, GenQuery round trips and rule invocations.

Counted in memory and flushed (merged) into ``<zone_dir>/stats.json`` at the end of every
top-level sandbox operation, so ``b2safe sandbox stats`` sees totals across CLI commands.
"""

from __future__ import annotations

import fcntl
import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable


def _empty() -> dict:
    return {"msi": {}, "genquery_round_trips": 0, "rules": {}}


class Counters:
    """Counters for all zones of a sandbox; ``zone_file(zone)`` gives each zone's stats file."""

    def __init__(self, zone_file: Callable[[str], Path]) -> None:
        self._zone_file = zone_file
        self._msi: dict[str, Counter] = {}
        self._rules: dict[str, Counter] = {}
        self._gq: Counter = Counter()

    def count_msi(self, zone: str, name: str) -> None:
        """One call of microservice ``name`` in ``zone``."""
        self._msi.setdefault(zone, Counter())[name] += 1

    def count_rule(self, zone: str, name: str) -> None:
        """One invocation of rule ``name`` of ``zone``'s core.py."""
        self._rules.setdefault(zone, Counter())[name] += 1

    def count_genquery(self, zone: str, n: int = 1) -> None:
        """``n`` GenQuery round trips served by ``zone``'s catalog."""
        self._gq[zone] += n

    def _load(self, zone: str) -> dict:
        path = self._zone_file(zone)
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                base = _empty()
                base.update(data)
                return base
            except ValueError:  # pragma: no cover - a torn write
                return _empty()
        return _empty()

    def _pending_zones(self) -> set:
        return set(self._msi) | set(self._rules) | {z for z, n in self._gq.items() if n}

    def flush(self) -> None:
        """Merge the in-memory counts into each zone's stats file and clear them."""
        for zone in self._pending_zones():
            path = self._zone_file(zone)
            # Several processes (CLI commands, delay executors) merge into one file.
            with open(path.with_suffix(".lock"), "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                data = self._merged(zone)
                path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        self._msi.clear()
        self._rules.clear()
        self._gq.clear()

    def _merged(self, zone: str) -> dict:
        data = self._load(zone)
        msi = Counter(data["msi"])
        msi.update(self._msi.get(zone, Counter()))
        rules = Counter(data["rules"])
        rules.update(self._rules.get(zone, Counter()))
        return {"msi": dict(msi), "rules": dict(rules),
                "genquery_round_trips": int(data["genquery_round_trips"]) + self._gq[zone]}

    def stats(self, zones: list) -> dict[str, Any]:
        """{zone: {"msi": {name: n}, "genquery_round_trips": n, "rules": {name: n}}}."""
        return {zone: self._merged(zone) for zone in zones}

    def reset(self, zones: list) -> None:
        """Zero all counters (memory and files)."""
        self._msi.clear()
        self._rules.clear()
        self._gq.clear()
        for zone in zones:
            path = self._zone_file(zone)
            if path.exists():
                path.unlink()
