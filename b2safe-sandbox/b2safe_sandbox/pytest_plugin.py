"""pytest plugin of b2safe-sandbox: a three-zone sandbox with b2safe's core.py, ready to call.

Installed with the distribution (entry point ``pytest11``). A site testing its own PREP rules
uses the ``b2safe_world`` fixture (docs/sandbox.md, "In pytest", has a complete example)::

    def test_my_rule(b2safe_world):
        b2safe_world.install_rules(Path("core.py"))   # the site's own core.py, if it has one
        b2safe_world.client("alice#zoneA").iput("/zoneA/home/alice/x", b"data")
        pid = b2safe_world.call("EUDATCreatePID", "None", "/zoneA/home/alice/x", "None", "None",
                                "false", "")[5]

Each zone (zoneA, zoneB, zoneC) has its own Handle prefix and Handle server on loopback, users
``rods`` (rodsadmin) and ``alice`` (rodsuser), and is federated with the others.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, Union

import pytest

from b2safe.adapters.handle.credentials import HandleCredentials
from b2safe.adapters.handle.rest import PidService
from b2safe.domain.profile import PidRecord
from b2safe_sandbox import site
from b2safe_sandbox.sandbox import Sandbox

ZONES = ("zoneA", "zoneB", "zoneC")


@dataclass
class RuleError(Exception):
    """A rule call that ended with a non-zero iRODS code."""

    code: int
    text: str


class World:
    """A sandbox plus helpers: call rules, read Handle records, edit a zone's config."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self._readers: dict[str, PidService] = {}

    def call(self, rule: str, *args: str, zone: str = "zoneA",
             user: str = "alice#zoneA") -> list[str]:
        """Run ``rule`` as PREP's exec_rule does; return rule_args after write-back."""
        result = self.sb.exec_rule(zone, rule, list(args), user)
        if result.code != 0:
            raise RuleError(result.code, result.traceback or "")
        return result.rule_args

    def fails(self, rule: str, *args: str, zone: str = "zoneA",
              user: str = "alice#zoneA") -> RuleError:
        """Run ``rule`` expecting failure; return the error (code and text)."""
        result = self.sb.exec_rule(zone, rule, list(args), user)
        assert result.code != 0, f"{rule} unexpectedly succeeded: {result.rule_args}"
        return RuleError(result.code, result.traceback or "")

    def client(self, user: str = "alice#zoneA") -> Any:
        """An icommand-like session (``iput``, ``irm``, ``imeta`` ...) as ``user``; PEPs fire."""
        return self.sb.client(user)

    def install_rules(self, rules: Union[str, Path], zones: Sequence[str] = ZONES) -> None:
        """Make ``rules`` the core.py of ``zones``: a file, or the text of one.

        A site's core.py usually starts with ``from b2safe.ruleset import *`` and adds its own
        rules; the next call in a zone imports it afresh (an import error fails every call in
        that zone, as on a server).
        """
        text = rules.read_text(encoding="utf-8") if isinstance(rules, Path) else rules
        for zone in zones:
            self.sb.zone(zone).install_core(text)

    def reader(self, zone: str = "zoneA") -> PidService:
        """A PID client with ``zone``'s credentials (reads go over HTTP)."""
        if zone not in self._readers:
            self.sb.start_services()
            path = self.sb.zone(zone).config_dir / "pid-credentials.json"
            self._readers[zone] = PidService(HandleCredentials.load(path), retries=0)
        return self._readers[zone]

    def record(self, pid: str) -> PidRecord:
        zone = self.zone_of_pid(pid)
        return self.reader(zone).get(pid)

    def zone_of_pid(self, pid: str) -> str:
        prefix = pid.split("/", 1)[0].upper()
        from b2safe_sandbox.handle_sites import load_sites

        for zone, handle_site in load_sites(self.sb).items():
            if handle_site["prefix"].upper() == prefix:
                return zone
        raise KeyError(pid)

    def handles(self, zone: str = "zoneA") -> list[str]:
        """Every non-administrative handle of ``zone``'s prefix."""
        server = self.sb.handle_server(zone)
        return [h for h in server.store.list_handles(server.prefix)
                if not h.upper().endswith("/B2SAFE")]

    def avus(self, path: str) -> dict[str, list[str]]:
        """AVUs of a data object or collection, read from its zone's catalog."""
        catalog = self.sb.zone(path.split("/")[1]).catalog
        kind = "-C" if catalog.coll_get(path) is not None else "-d"
        out: dict[str, list[str]] = {}
        for avu in catalog.avu_list(kind, path):
            out.setdefault(avu.name, []).append(avu.value)
        return out

    def configure(self, zone: str, /, **sections: dict) -> None:
        """Merge ``sections`` into ``zone``'s b2safe.json."""
        path = self.sb.zone(zone).config_dir / "b2safe.json"
        data = json.loads(path.read_text())
        for key, value in sections.items():
            if isinstance(value, dict):
                data.setdefault(key, {}).update(value)
            else:
                data[key] = value
        path.write_text(json.dumps(data))

    def tree(self, base: str, objects: int, *, names: Sequence[str] = ("f",), fanout: int = 8,
             depth: int = 2, owner: str = "alice#zoneA") -> list[str]:
        """Load a tree of ``objects`` small data objects below ``base`` straight into the zone's
        catalog (one transaction; no PEPs fire): ``fanout`` sub-collections per level, ``depth``
        levels, names cycling through ``names``. Returns every path created, collections first.
        """
        catalog = self.sb.zone(base.split("/")[1]).catalog
        colls = [base]
        level = [base]
        for d in range(depth):
            level = [f"{parent}/{names[(i + d) % len(names)]} c{d}.{i}"
                     for parent in level for i in range(fanout)]
            colls += level
        leaves = level
        files = [f"{leaves[i % len(leaves)]}/{names[i % len(names)]} {i}.dat"
                 for i in range(objects)]
        with catalog.batch():
            for coll in colls:
                catalog.coll_create(coll, owner, recursive=True)
            for i, path in enumerate(files):
                catalog.data_put(path, f"content {i}".encode(), owner)
        return colls + files

    def irule_rule(self, rule: str, user: str = "rods#zoneA", **inputs: str) -> Any:
        """``irule -r <python instance> RULE '*a="v"%...' ruleExecOut``: PREP calls the rule
        with empty rule_args and the inputs in ``irods_rule_vars`` (values keep their quotes).
        """
        text = "%".join(f'*{k}="{v}"' for k, v in inputs.items()) or "null"
        return self.client(user).irule_rule(rule, text)

    def after_requests(self, zone: str, method: str, count: int,
                       action: Callable[[], None]) -> None:
        """Run ``action`` once, when ``zone``'s Handle server has counted ``count`` requests of
        ``method`` (e.g. to open an outage window mid-run).

        It runs inside the request that reaches the count, before that request's faults are
        taken, so ``faults.fail_next(...)`` there hits that very request and the ones after it.
        """
        _after_requests(self.sb.handle_server(zone), method, count, action)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self.sb.close()


def _after_requests(server: Any, method: str, count: int, action: Callable[[], None]) -> None:
    stats = server.stats
    original = stats.count
    lock = threading.Lock()
    fired = []

    def count_and_trigger(req_method: str, path: str) -> None:
        original(req_method, path)
        if req_method.upper() == method.upper() and stats[method] >= count:
            with lock:
                if not fired:
                    fired.append(True)
                    action()

    stats.count = count_and_trigger


@pytest.fixture
def b2safe_world(tmp_path: Path) -> Iterator[World]:
    """A fresh three-zone sandbox (see the module docstring), closed after the test."""
    world = World(site.create(tmp_path / "b2safe-sandbox", zones=ZONES))
    yield world
    world.close()
