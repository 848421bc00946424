"""Fault injection, persisted in the sandbox directory so it survives between CLI commands.

* ``fail_next(zone, msi, code, count)``: the next ``count`` calls of microservice ``msi`` in
  ``zone`` fail with ``code`` (before the microservice runs).
* ``set_unreachable(zone, flag)``: every connection to the zone's server fails with
  SYS_SOCK_CONNECT_ERR (-162000 in rodsErrorTable.h).
* ``corrupt(path, repl_num, mode)``: change a replica's bytes in the vault (the catalog is left
  alone), delegated to ``ZoneCatalog.corrupt_replica``.
* ``crash_next(zone, msi)``: the next call of ``msi`` in ``zone`` kills the agent: it raises
  :class:`AgentCrash`, a ``BaseException`` that no rule code catches, so whatever the rule had
  not finished stays unfinished, as when a server process dies.
* ``corrupt_next_transfer(zone)``: the next copy into ``zone`` (copy, rsync, cross-zone)
  arrives with one byte flipped while the catalog records the source's size and checksum: a
  transfer corrupted on the wire or on the destination's storage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

CRASH = "crash"


class AgentCrash(BaseException):
    """The injected death of an agent process: escapes every ``except Exception``."""


class Faults:
    """The sandbox's injected faults (state in ``<sandbox>/faults.json``)."""

    def __init__(self, sandbox: Any, path: Path) -> None:
        self._sandbox = sandbox
        self._path = Path(path)
        self._fail: list[dict] = []
        self._unreachable: set[str] = set()
        self.reload()

    def reload(self) -> None:
        """Read the persisted state (called when the sandbox is opened)."""
        if self._path.exists():
            data = json.loads(self._path.read_text(encoding="utf-8"))
            self._fail = list(data.get("fail_next", []))
            self._unreachable = set(data.get("unreachable", []))

    def _save(self) -> None:
        data = {"fail_next": self._fail, "unreachable": sorted(self._unreachable)}
        self._path.write_text(json.dumps(data, indent=1), encoding="utf-8")

    def fail_next(self, zone: str, msi_name: str, code: int, count: int = 1) -> None:
        """Make the next ``count`` calls of ``msi_name`` in ``zone`` fail with ``code``."""
        if count < 1:
            raise ValueError("count must be >= 1")
        self._fail.append({"zone": zone, "msi": msi_name, "code": int(code),
                           "count": int(count)})
        self._save()

    def crash_next(self, zone: str, msi_name: str) -> None:
        """Make the next call of ``msi_name`` in ``zone`` kill the agent (AgentCrash)."""
        self._fail.append({"zone": zone, "msi": msi_name, "code": CRASH, "count": 1})
        self._save()

    def corrupt_next_transfer(self, zone: str) -> None:
        """Corrupt the bytes of the next copy written into ``zone``."""
        self._fail.append({"zone": zone, "msi": "<transfer>", "code": CRASH, "count": 1})
        self._save()

    def take_transfer_corruption(self, zone: str) -> bool:
        """Consume a pending transfer corruption for ``zone``."""
        return self._take_entry(zone, "<transfer>") is not None

    def take(self, zone: str, msi_name: str) -> Optional[int]:
        """Consume one pending failure for (zone, msi); return its code or None.

        Raises:
            AgentCrash: a crash was injected for this call.
        """
        code = self._take_entry(zone, msi_name)
        if code == CRASH:
            raise AgentCrash(f"agent of {zone} died in {msi_name} (injected)")
        return None if code is None else int(code)

    def _take_entry(self, zone: str, msi_name: str) -> Optional[Any]:
        """Consume one pending failure for (zone, msi); return its code or None."""
        if not self._fail:
            return None
        for entry in self._fail:
            if entry["zone"] == zone and entry["msi"] == msi_name:
                entry["count"] -= 1
                if entry["count"] <= 0:
                    self._fail.remove(entry)
                self._save()
                return entry["code"]
        return None

    def pending(self) -> list[dict]:
        """The pending microservice failures (copies)."""
        return [dict(e) for e in self._fail]

    def set_unreachable(self, zone: str, unreachable: bool = True) -> None:
        """Mark ``zone``'s server (un)reachable."""
        if unreachable:
            self._unreachable.add(zone)
        else:
            self._unreachable.discard(zone)
        self._save()

    def is_unreachable(self, zone: str) -> bool:
        """True if ``zone`` is marked unreachable."""
        return zone in self._unreachable

    def corrupt(self, path: str, repl_num: int = 0, mode: str = "flip") -> None:
        """Corrupt replica ``repl_num`` of ``path`` in its zone's vault ('flip'|'truncate')."""
        zone = self._sandbox.zone_of_path(path)
        self._sandbox.zone(zone).catalog.corrupt_replica(path, repl_num=repl_num, mode=mode)

    def clear(self) -> None:
        """Remove every injected fault."""
        self._fail = []
        self._unreachable = set()
        self._save()
