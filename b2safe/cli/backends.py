"""Where the ``b2safe`` command runs rules: a sandbox directory or a live iRODS server.

Both backends offer the same small surface (:class:`Backend`), so every verb is written once:

* ``run(name, rule_args)``: the rule as PREP's ``exec_rule`` runs it; returns ``rule_args`` after
  write-back, raises :class:`RuleFailed` with the iRODS code;
* ``query(columns, conditions)``: GenQuery1 rows (conditions are ``(column, op, value)``);
* ``object_state(url)``: what the catalog says about the object a PID URL points at;
* ``pid_services()``: a PID reader per Handle prefix this host has credentials for;
* ``zones()``, ``delayed_rules()``: federation table and delay queue;
* ``wait_for_queue(seconds)``: let the zone's delay server work for a while (live: wait;
  sandbox: advance its clock and run the due rules);
* ``verify_stored(path)``: the server re-reads the stored bytes and compares them with the
  catalog checksum (``ichksum -K``, msiDataObjChksum ``verifyChksum``);
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


@dataclass
class StoredCheck:
    """Whether the stored bytes of ``path`` match its catalog checksum (``ok`` None: could not
    be verified, ``detail`` says why)."""

    path: str
    ok: Optional[bool]
    detail: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"path": self.path, "ok": self.ok, "detail": self.detail}


#: iRODS CHECK_VERIFICATION_RESULTS (rodsErrorTable.h): a replica's bytes do not match.
CHECK_VERIFICATION_RESULTS = -407000


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

    def verify_stored(self, path: str) -> StoredCheck: ...

    def wait_for_queue(self, seconds: float) -> None: ...

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


def condition_text(conditions: list[Condition]) -> str:
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
