"""Where the ``b2safe`` command runs rules: a sandbox directory or a live iRODS server.

Both backends offer the same small surface (:class:`Backend`), so every verb is written once:

* ``run(name, rule_args)``: the rule as PREP's ``exec_rule`` runs it; returns ``rule_args`` after
  write-back, raises :class:`RuleFailed` with the iRODS code;
* ``query(columns, conditions)``: GenQuery1 rows (conditions are ``(column, op, value)``);
* ``object_state(url)``: what the catalog says about the object a PID URL points at;
* ``pid_services()``: a PID reader per Handle prefix this host has credentials for;
* ``zones()``, ``delayed_rules()``: federation table and delay queue;
* ``config_path()``: the b2safe.json of the zone the command talks to, when known.

The live backend (python-irodsclient) lives in :mod:`b2safe.cli.live`; it is imported only when
used, so the sandbox works without the ``client`` extra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol
from urllib.parse import unquote, urlsplit

from b2safe.cli.common import EXIT_USAGE, CliError
from b2safe.errors import code_from_text

Condition = tuple  # (column, operator, value), e.g. ("META_DATA_ATTR_NAME", "like", "x%")


class RuleFailed(Exception):
    """A rule ended with a non-zero iRODS code."""

    def __init__(self, rule: str, code: int, message: str) -> None:
        super().__init__(f"{rule} failed: {message}" if message else f"{rule} failed")
        self.rule = rule
        self.code = code
        self.message = message


@dataclass
class ObjectState:
    """What the catalog says about a path: existence, kind, replica checksums."""

    path: str
    exists: bool
    is_collection: bool = False
    checksums: list[str] = field(default_factory=list)
    reachable: bool = True
    note: str = ""


class Backend(Protocol):
    """What the verbs need from the place rules run (see module docstring)."""

    label: str
    user: str

    def run(self, name: str, rule_args: list[str]) -> list[str]: ...

    def query(self, columns: list[str], conditions: list[Condition]) -> list[list[str]]: ...

    def object_state(self, url: str) -> ObjectState: ...

    def pid_services(self) -> dict[str, Any]: ...

    def zones(self) -> dict[str, str]: ...

    def delayed_rules(self) -> list[str]: ...

    def config_path(self) -> Optional[str]: ...

    def close(self) -> None: ...


def message_from_traceback(text: str) -> str:
    """The message of the first ``[iRods__Error__Code:N]`` line of a PREP traceback."""
    for line in (text or "").splitlines():
        if code_from_text(line) is not None:
            after = line.split("]", 1)[1].strip() if "]" in line else line
            if after:
                return after
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _condition_text(conditions: list[Condition]) -> str:
    parts = []
    for column, op, value in conditions:
        if "'" in value:
            raise CliError("a query value cannot contain a single quote (GenQuery1)", EXIT_USAGE)
        parts.append(f"{column} {op} '{value}'")
    return " and ".join(parts)


def split_irods_url(url: str) -> tuple[str, str]:
    """``irods://host:port/zone/path`` -> (``host:port``, ``/zone/path``) (percent-decoded).

    Raises CliError for other URL schemes.
    """
    parts = urlsplit(url)
    if parts.scheme != "irods" or not parts.path.startswith("/"):
        raise CliError(f"{url} is not an irods:// URL", EXIT_USAGE)
    host = parts.hostname or ""
    port = parts.port or 1247
    return f"{host}:{port}", unquote(parts.path)


class SandboxBackend:
    """Rules and catalog reads on a sandbox directory, acting as ``user`` in ``zone``."""

    def __init__(self, directory: str, user: Optional[str] = None,
                 zone: Optional[str] = None) -> None:
        from b2safe.sandbox.sandbox import Sandbox

        path = Path(directory)
        if not (path / "sandbox.json").is_file():
            raise CliError(f"no sandbox at {path} (create one with "
                           f"'b2safe sandbox init --dir {path}')", EXIT_USAGE)
        self.sb = Sandbox.open(path)
        first = self.sb.zone_names[0]
        if not user:
            user = f"rods#{first}"
        elif "#" not in user:
            user = f"{user}#{first}"
        self.user = user
        self.zone = zone or user.split("#", 1)[1]
        if self.zone not in self.sb.zone_names:
            raise CliError(f"the sandbox has no zone {self.zone} "
                           f"(zones: {', '.join(self.sb.zone_names)})", EXIT_USAGE)
        self.label = f"sandbox {path} zone {self.zone} as {self.user}"

    def run(self, name: str, rule_args: list[str]) -> list[str]:
        """PREP exec_rule of ``name`` in the backend's zone (raises RuleFailed)."""
        args = list(rule_args)
        result = self.sb.exec_rule(self.zone, name, args, self.user)
        if result.code != 0:
            raise RuleFailed(name, result.code, message_from_traceback(result.traceback or ""))
        return list(result.rule_args)

    def query(self, columns: list[str], conditions: list[Condition]) -> list[list[str]]:
        """GenQuery1 through the sandbox's iquest (as the backend's user)."""
        text = "SELECT " + ", ".join(columns)
        where = _condition_text(conditions)
        if where:
            text += " WHERE " + where
        client = self.sb.client(self.user)
        return client.iquest(text)

    def object_state(self, url: str) -> ObjectState:
        """Catalog facts of the object a PID URL names, read from the zone serving the URL."""
        host, path = split_irods_url(url)
        zone = self.sb.zone_by_connection(host)
        if zone is None:
            return ObjectState(path, False, reachable=False, note=f"no sandbox zone at {host}")
        if self.sb.faults.is_unreachable(zone.name):
            return ObjectState(path, False, reachable=False, note=f"zone {zone.name} unreachable")
        cat = zone.catalog
        if cat.coll_get(path) is not None:
            return ObjectState(path, True, is_collection=True)
        replicas = cat.data_get(path)
        if not replicas:
            return ObjectState(path, False)
        return ObjectState(path, True, checksums=[r.checksum for r in replicas])

    def pid_services(self) -> dict[str, Any]:
        """A PID reader per sandbox zone prefix (the zone's own credentials)."""
        from b2safe.handle.credentials import HandleCredentials
        from b2safe.handle.rest import PidService
        from b2safe.sandbox.setup import CREDENTIALS_NAME, load_sites

        services: dict[str, Any] = {}
        for name, site in load_sites(self.sb).items():
            if name not in self.sb.zone_names:
                continue
            path = self.sb.zone(name).config_dir / CREDENTIALS_NAME
            services[site["prefix"].upper()] = PidService(HandleCredentials.load(path),
                                                          retries=0, timeout=5)
        return services

    def zones(self) -> dict[str, str]:
        """Zone name -> ZONE_CONNECTION of the backend zone's federation table."""
        return {row.name: row.connection for row in self.sb.zone(self.zone).catalog.list_zones()}

    def delayed_rules(self) -> list[str]:
        """Rule texts queued in the backend zone's delay queue."""
        return [str(row.name) for row in self.sb.zone(self.zone).catalog.delay_list()]

    def config_path(self) -> Optional[str]:
        """The zone's b2safe.json."""
        return str(self.sb.zone(self.zone).config_dir / "b2safe.json")

    def close(self) -> None:
        """Close the sandbox (stops Handle servers started by this process)."""
        self.sb.close()


def open_backend(args: Any) -> Backend:
    """The backend named by the parsed arguments: ``--sandbox DIR`` or the live server."""
    sandbox = getattr(args, "sandbox", None)
    if sandbox:
        return SandboxBackend(sandbox, getattr(args, "user", None), getattr(args, "zone", None))
    from b2safe.cli.live import LiveBackend

    return LiveBackend.from_environment(env_file=getattr(args, "irods_env", None),
                                        instance=getattr(args, "instance", "nrep"),
                                        credentials=getattr(args, "credentials", None) or [],
                                        config=getattr(args, "config", None))


def load_json(path: str) -> dict[str, Any]:
    """Read a JSON object from ``path`` (CliError with exit 2 when unreadable or not JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}", EXIT_USAGE) from None
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}", EXIT_USAGE) from None
    if not isinstance(data, dict):
        raise CliError(f"{path} does not hold a JSON object", EXIT_USAGE)
    return data
