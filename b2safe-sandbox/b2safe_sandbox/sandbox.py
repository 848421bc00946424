"""The sandbox facade: several federated iRODS zones with the PREP runtime, all on disk.

::

    sb = Sandbox.create(directory, zones=("zoneA", "zoneB"), core_py=TEXT)
    client = sb.client("alice#zoneA")
    client.iput("/zoneA/home/alice/x", b"data")          # PEPs fire in zoneA's core.py
    sb.exec_rule("zoneA", "my_rule", ["a", ""], "rods#zoneA")
    sb.run_delayed(advance=3600)

Layout of ``directory``: ``sandbox.json`` (zones and settings), ``clock.json``, ``faults.json``,
``zones/<zone>/`` (catalog + vault by :class:`ZoneCatalog`, ``etc/irods`` config dir with
core.py / genquery.py / session_vars.py, ``log/rodsLog``, ``stats.json``), ``handle/`` (the
zones' Handle sites, :mod:`b2safe_sandbox.handle_sites`).

The facade is generic: it runs whatever ``core.py`` it is given. Opening a sandbox starts no
server: the zones' Handle servers start on :meth:`Sandbox.start_services`, which the runtime calls
before it first runs Python rule code (that code may talk to them) and :meth:`handle_server`
calls. b2safe's provisioning is :mod:`b2safe_sandbox.site`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from b2safe_sandbox.errors import SYS_INVALID_ZONE_NAME, SYS_SOCK_CONNECT_ERR, IrodsCallError
from b2safe_sandbox.native import entry  # noqa: F401 - registers the rule language engine
from b2safe_sandbox.runtime import msis  # noqa: F401 - registers the microservices
from b2safe_sandbox.runtime.context import ExecContext
from b2safe_sandbox.runtime.counters import Counters
from b2safe_sandbox.runtime.faults import Faults
from b2safe_sandbox.runtime.recent import LOG_MAXLEN, RecentList
from b2safe_sandbox.runtime.types import PepEvent
from b2safe_sandbox.runtime.zoneenv import ZoneEnv

_ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_PORT = 1247
#: The iRODS versions a zone can emulate; differences follow the zone's version (irods_version).
IRODS_VERSIONS = ("4.3", "5.0")
#: Environment variable with the default version of new sandboxes (pytest --irods-version).
VERSION_ENV = "B2SAFE_SANDBOX_IRODS_VERSION"
#: The core.py of a zone created without one.
EMPTY_CORE = '"""core.py of a sandbox zone: no rules (Zone.install_core replaces it)."""\n'
#: maximum_size_for_single_buffer_in_megabytes (32 MB by default): larger puts are parallel.
SINGLE_BUFFER_LIMIT = 32 * 1024 * 1024


class Clock:
    """The sandbox clock: a persisted epoch that only moves with :meth:`advance`.

    Guess: a frozen clock (instead of wall time plus an offset) makes runs reproducible; the
    catalog stamps create/modify times from it.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._now = int(json.loads(self._path.read_text(encoding="utf-8"))["now"])

    @classmethod
    def create(cls, path: Path, start: int) -> Clock:
        """A new clock file starting at ``start``."""
        Path(path).write_text(json.dumps({"now": int(start)}), encoding="utf-8")
        return cls(path)

    def now(self) -> int:
        """Current sandbox time (int epoch seconds)."""
        return self._now

    def advance(self, seconds: float) -> int:
        """Move the clock forward by ``seconds`` (>= 0) and persist it; returns the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock does not go backwards")
        self._now += int(seconds)
        self._path.write_text(json.dumps({"now": self._now}), encoding="utf-8")
        return self._now

    def __call__(self) -> int:
        return self._now


class Zone:
    """One emulated zone: its catalog, host/port, config dir and Python environment."""

    def __init__(self, sandbox: Sandbox, name: str, zone_dir: Path, host: str, port: int) -> None:
        self.sandbox = sandbox
        self.name = name
        self.dir = Path(zone_dir)
        self.host = host
        self.port = port
        self.config_dir = self.dir / "etc" / "irods"
        version = ".".join(str(p) for p in sandbox.irods_version)
        self.env = ZoneEnv(self.config_dir, irods_version=version)
        self._catalog: Any = None
        self._log_fd: Optional[int] = None
        self._log_lock = threading.Lock()
        self._log_closer: Optional[weakref.finalize] = None

    @property
    def connection(self) -> str:
        """``host:port`` as in the zone table (ZONE_CONNECTION)."""
        return f"{self.host}:{self.port}"

    @property
    def catalog(self) -> Any:
        """The zone's :class:`ZoneCatalog` (opened on first use)."""
        if self._catalog is None:
            from b2safe_sandbox.catalog import ZoneCatalog

            self._catalog = ZoneCatalog(self.dir, self.name, clock=self.sandbox.clock,
                                        irods_version=self.sandbox.irods_version)
        return self._catalog

    def install_core(self, text: str) -> None:
        """Replace the zone's core.py; the next dispatch imports it afresh."""
        (self.config_dir / "core.py").write_text(text, encoding="utf-8")
        self.env.invalidate()

    @property
    def core_module(self) -> Any:
        """The zone's imported core module (import errors propagate as CoreImportError)."""
        with self.env.active():
            return self.env.core()

    @property
    def server_log_path(self) -> Path:
        """The zone's server log file (``writeLine('serverLog', ...)`` and tracebacks)."""
        return self.dir / "log" / "rodsLog"

    def append_log(self, line: str) -> None:
        """Append ``line`` to the server log file: one ``write`` on a descriptor opened once
        with O_APPEND, so lines of several processes do not interleave and a reader sees each
        line at once (closed by :meth:`close_log`, or when the zone object is collected)."""
        data = line.encode("utf-8")
        with self._log_lock:
            if self._log_fd is None:
                path = self.server_log_path
                path.parent.mkdir(parents=True, exist_ok=True)
                self._log_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
                self._log_closer = weakref.finalize(self, os.close, self._log_fd)
            os.write(self._log_fd, data)

    def close_log(self) -> None:
        """Close the server log file's descriptor (the next line opens it again)."""
        with self._log_lock:
            if self._log_closer is not None:
                self._log_closer()
            self._log_fd = None
            self._log_closer = None


@dataclass
class RuleCallResult:
    """Outcome of :meth:`Sandbox.exec_rule`: PREP's code and the rule_args after write-back."""

    code: int
    rule_args: list
    traceback: Optional[str] = None


class Sandbox:
    """A set of federated zones on disk plus the PREP runtime (see module docstring)."""

    def __init__(self, directory: Union[str, Path]) -> None:
        self.directory = Path(directory)
        meta = json.loads((self.directory / "sandbox.json").read_text(encoding="utf-8"))
        self._meta = meta
        self.clock = Clock(self.directory / "clock.json")
        self.faults = Faults(self, self.directory / "faults.json")
        self._zones: dict[str, Zone] = {}
        for name in meta["zones"]:
            self._zones[name] = Zone(self, name, self.directory / "zones" / name,
                                     meta["hosts"][name], int(meta["ports"][name]))
        self.counters = Counters(lambda zone: self._zones[zone].dir / "stats.json")
        self.events: RecentList[PepEvent] = RecentList()
        self.server_log: dict[str, list[str]] = {name: RecentList(maxlen=LOG_MAXLEN)
                                                 for name in self._zones}
        self._depth = threading.local()
        self.handle_servers: dict[str, Any] = {}
        self._services_started = False
        self._close_hooks: list[Callable[[Sandbox], None]] = []

    # ------------------------------------------------------------------ creation / opening
    @classmethod
    def create(
        cls,
        directory: Union[str, Path],
        zones: tuple = ("tempZone",),
        hash_scheme: str = "SHA256",
        core_py: Optional[str] = None,
        irods_version: Optional[str] = None,
        nrep_loaded: bool = True,
        start_time: int = 1_700_000_000,
    ) -> Sandbox:
        """Create a sandbox in ``directory`` (created if missing) and return it opened.

        Each zone gets a catalog (users rods/rodsadmin and alice/rodsuser with home
        collections, resource demoResc), host ``<zone lower>.sandbox:1247``, a federation entry
        for every other zone (and that zone's rods/alice as remote users), and a config dir with
        core.py (``core_py``, else one without rules), genquery.py and session_vars.py.
        ``irods_version`` ('4.3' or '5.0', default ``$B2SAFE_SANDBOX_IRODS_VERSION`` or '4.3') is
        the version every zone emulates.
        """
        from b2safe_sandbox.catalog import ZoneCatalog

        irods_version = irods_version or os.environ.get(VERSION_ENV) or "4.3"
        if irods_version not in IRODS_VERSIONS:
            raise ValueError(f"irods_version must be one of {', '.join(IRODS_VERSIONS)}, "
                             f"not {irods_version!r}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        zones = tuple(zones)
        meta = {
            "zones": list(zones),
            "hosts": {z: f"{z.lower()}.sandbox" for z in zones},
            "ports": {z: DEFAULT_PORT for z in zones},
            "hash_scheme": hash_scheme,
            "irods_version": irods_version,
            "nrep_loaded": bool(nrep_loaded),
        }
        (directory / "sandbox.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        clock = Clock.create(directory / "clock.json", start_time)
        for zone in zones:
            zone_dir = directory / "zones" / zone
            zone_dir.mkdir(parents=True, exist_ok=True)
            cat = ZoneCatalog.create(zone_dir, zone, meta["hosts"][zone], DEFAULT_PORT,
                                     hash_scheme=hash_scheme, clock=clock)
            cat.add_user("rods", zone, "rodsadmin")
            cat.add_user("alice", zone, "rodsuser")
            for user in ("rods", "alice"):
                home = f"/{zone}/home/{user}"
                if cat.coll_get(home) is None:
                    cat.coll_create(home, None)
                cat.acl_set(home, f"{user}#{zone}", "own", None)
            for other in zones:
                if other != zone:
                    cat.add_zone(other, "remote", f"{meta['hosts'][other]}:{DEFAULT_PORT}")
                    # Guess: remote users are registered up front so ACLs can name them.
                    cat.add_user("rods", other, "rodsuser")
                    cat.add_user("alice", other, "rodsuser")
            config = zone_dir / "etc" / "irods"
            config.mkdir(parents=True, exist_ok=True)
            (zone_dir / "log").mkdir(exist_ok=True)
            (config / "core.py").write_text(EMPTY_CORE if core_py is None else core_py,
                                            encoding="utf-8")
            for asset in ("genquery.py", "session_vars.py"):
                shutil.copyfile(_ASSETS / asset, config / asset)
            cat.close()
        return cls(directory)

    @classmethod
    def open(cls, directory: Union[str, Path]) -> Sandbox:
        """Open an existing sandbox directory."""
        return cls(directory)

    # ------------------------------------------------------------------ zones and settings
    @property
    def zone_names(self) -> list[str]:
        """Names of the zones, in creation order."""
        return list(self._zones)

    def zone(self, name: str) -> Zone:
        """The zone called ``name``.

        Raises:
            IrodsCallError: SYS_INVALID_ZONE_NAME for an unknown zone.
        """
        try:
            return self._zones[name]
        except KeyError:
            raise IrodsCallError(f"unknown zone {name}", code=SYS_INVALID_ZONE_NAME) from None

    def zone_by_connection(self, host: str) -> Optional[Zone]:
        """The zone whose host (or ``host:port``) is ``host``, or None."""
        for zone in self._zones.values():
            if host in (zone.host, zone.connection):
                return zone
        return None

    def zone_of_path(self, path: str) -> str:
        """The zone name a logical path belongs to (its first component)."""
        parts = str(path).split("/")
        if len(parts) < 2 or not parts[1]:
            raise IrodsCallError(f"path {path!r} names no zone", code=SYS_INVALID_ZONE_NAME)
        return parts[1]

    def reachable_zone(self, name: str) -> Zone:
        """The zone ``name`` if its server is reachable.

        Raises:
            IrodsCallError: SYS_INVALID_ZONE_NAME (unknown), SYS_SOCK_CONNECT_ERR (fault).
        """
        zone = self.zone(name)
        if self.faults.is_unreachable(name):
            raise IrodsCallError(f"cannot connect to {zone.connection}",
                                 code=SYS_SOCK_CONNECT_ERR)
        return zone

    def zone_for_path(self, path: str) -> Zone:
        """The reachable zone serving ``path`` (federation routing)."""
        return self.reachable_zone(self.zone_of_path(path))

    @property
    def irods_version(self) -> tuple:
        """Emulated iRODS version as a tuple, e.g. (4, 3)."""
        return tuple(int(p) for p in str(self._meta.get("irods_version", "4.3")).split("."))

    @property
    def nrep_loaded(self) -> bool:
        """Whether the NREP is configured next to PREP (NREP-only msis, _except/_finally PEPs)."""
        return bool(self._meta.get("nrep_loaded", True))

    @property
    def hash_scheme(self) -> str:
        """Default hash scheme of the zones."""
        return str(self._meta.get("hash_scheme", "SHA256"))

    # ------------------------------------------------------------------ logging and counters
    def log(self, zone: str, text: str) -> None:
        """Append ``text`` to ``zone``'s server log (file and in-memory list)."""
        self.server_log.setdefault(zone, RecentList(maxlen=LOG_MAXLEN)).append(text)
        z = self._zones.get(zone)
        if z is not None:
            z.append_log(f"{self.clock.now()} {text}\n")

    @contextlib.contextmanager
    def toplevel(self) -> Iterator[None]:
        """Wrap one top-level operation (what a server does for one client request, or the
        delay server for one rule: one agent's work); counters are flushed when the outermost
        one ends."""
        depth = getattr(self._depth, "n", 0)
        self._depth.n = depth + 1
        if depth == 0:
            self._depth.operation = object()
        try:
            yield
        finally:
            self._depth.n = depth
            if depth == 0:
                self._depth.operation = None
                self.counters.flush()

    def operation(self) -> Optional[object]:
        """A token of the top-level operation this thread is in (:meth:`toplevel`; the same
        object until the outermost one ends), None outside one: what an agent loads once when
        it starts is loaded once per token."""
        return getattr(self._depth, "operation", None)

    def stats(self) -> dict:
        """{zone: {"msi": {name: n}, "genquery_round_trips": n, "rules": {name: n}}}."""
        return self.counters.stats(self.zone_names)

    def reset_stats(self) -> None:
        """Zero all counters."""
        self.counters.reset(self.zone_names)

    # ------------------------------------------------------------------ running code
    def context(self, zone: str, user: str, kind: str = "rule", **extra: Any) -> ExecContext:
        """An execution context in ``zone`` for ``user`` ('name#zone')."""
        return ExecContext(sandbox=self, zone=zone, client_user=_qualify(user, zone), kind=kind,
                           **extra)

    def callback(self, zone: str, user: str) -> Any:
        """The callback object a rule in ``zone`` run by ``user`` would receive."""
        from b2safe_sandbox.runtime.engine import Callback

        return Callback(self.context(zone, user))

    def exec_rule(self, zone: str, rule_name: str, rule_args: list, user: str) -> RuleCallResult:
        """PREP ``exec_rule`` of ``core.<rule_name>(rule_args, callback, rei)`` in ``zone``.

        ``rule_args`` (a list) is updated in place: str entries set by the rule are written back
        by index; other values are ignored.
        """
        from b2safe_sandbox.runtime.engine import exec_rule

        with self.toplevel():
            args = list(rule_args)
            outcome = exec_rule(self.context(zone, user), rule_name, args)
            for index, value in enumerate(args[: len(rule_args)]):
                if isinstance(value, str) and isinstance(rule_args[index], str):
                    rule_args[index] = value
            if not outcome.ran:
                # Guess: a rule core.py does not have is reported like an unknown callback name.
                from b2safe_sandbox.errors import NO_MICROSERVICE_FOUND_ERR

                return RuleCallResult(NO_MICROSERVICE_FOUND_ERR, list(rule_args))
            return RuleCallResult(outcome.code, list(rule_args), outcome.traceback)

    def client(self, user: str) -> Any:
        """An icommand-like client session for ``user`` ('name#zone')."""
        from b2safe_sandbox.client import ClientSession

        return ClientSession(self, user)

    def run_delayed(self, advance: float = 0, executors: int = 1) -> list:
        """Advance the clock by ``advance`` seconds and run every due delayed rule; with
        ``executors`` > 1, that many executor processes take the rules concurrently
        (iRODS 5's ``number_of_concurrent_delay_rule_executors``; runtime/executors.py)."""
        from b2safe_sandbox.runtime.delayq import run_due

        if advance:
            self.clock.advance(advance)
        if executors > 1:
            from b2safe_sandbox.runtime.executors import run_concurrently

            return run_concurrently(self, executors)
        with self.toplevel():
            return run_due(self)

    def pep_events(self, zone: Optional[str] = None, ran_only: bool = False) -> list[str]:
        """Names of the recorded PEP events (optionally of one zone / only those that ran)."""
        return [e.name for e in self.events
                if (zone is None or e.zone == zone) and (e.ran or not ran_only)]

    def start_services(self) -> None:
        """Make sure the zones' Handle servers run (started in this process unless another
        process of this sandbox serves them); does nothing after the first call until close."""
        if self._services_started:
            return
        from b2safe_sandbox import handle_sites

        self._services_started = True
        self.handle_servers = handle_sites.attach(self)

    def handle_server(self, zone: str) -> Any:
        """The Handle server of ``zone``'s prefix (faults, stats, request log), started if needed.

        Raises:
            KeyError: ``zone`` has no Handle site, or another process serves it.
        """
        self.start_services()
        return self.handle_servers[zone]

    def on_close(self, hook: Callable[[Sandbox], None]) -> None:
        """Call ``hook(sandbox)`` in :meth:`close`, before the Handle servers stop."""
        self._close_hooks.append(hook)

    def close(self) -> None:
        """Run the close hooks, stop the Handle servers, flush counters and close catalogs."""
        from b2safe_sandbox import handle_sites

        for hook in self._close_hooks:
            hook(self)
        handle_sites.detach(self.handle_servers)
        self._services_started = False
        self.counters.flush()
        for zone in self._zones.values():
            zone.close_log()
            if zone._catalog is not None:
                zone._catalog.close()
                zone._catalog = None


def _qualify(user: str, zone: str) -> str:
    """``user`` as 'name#zone' (a bare name belongs to ``zone``)."""
    return user if "#" in user else f"{user}#{zone}"
