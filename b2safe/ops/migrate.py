"""``b2safe migrate``: a one-shot import of a B2SAFE 4.x site's settings and pending work.

What it reads (B2SAFE-core 4.2):

* ``install.conf``: the shell ``KEY=VALUE`` file ``packaging/install.sh`` sources (``SERVER_ID``,
  ``DEFAULT_RESOURCE``, ``CRED_FILE_PATH``, ``SERVERAPIREG``/``SERVERAPIPUB``, ``LOG_LEVEL``,
  ``AUTHZ_ENABLED``, ``MSG_QUEUE_ENABLED`` ...), turned into settings of ``b2safe.json``;
* the authorization map (``conf/authz.map.json``, matched by ``authZmanager.py`` with Python's
  ``fnmatch``), turned into a b2safe map that keeps its meaning (:func:`convert_authz_map`);
* the fail queue: ``LOG_DIR/b2safe.queue``, a ``queuelib.FifoDiskQueue`` directory whose records
  are ``source::destination::status::cause`` (``replication.re`` ``EUDATUpdateLogging``), read
  from a copy (the queue itself is left as it is) with queuelib.

Nothing is written unless asked (the command's ``--apply``); bad input stops everything before
any write, with a message naming the file and what to fix. :class:`Plan` is what would change.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from b2safe.config import parse_config
from b2safe.domain import authz
from b2safe.errors import ConfigError, InvalidInput

#: 4.x LOG_LEVEL (log.manager.conf level names) -> b2safe logging.level (0 error .. 3 verbose).
LOG_LEVELS = {"CRITICAL": 0, "ERROR": 0, "WARNING": 1, "INFO": 1, "DEBUG": 2}
#: install.conf keys that have no b2safe setting (reported, not carried over).
NOT_CARRIED = {
    "IRODS_CONF_DIR": "b2safe install finds the server's files itself",
    "IRODS_DIR": "b2safe install finds the server's files itself",
    "B2SAFE_PACKAGE_DIR": "b2safe is a Python package",
    "CRED_STORE_TYPE": "credentials are always a file",
    "USERS": "became the authorization map's subjects (4.x's install.sh wrote them there)",
    "LOG_DIR": "b2safe logs to the server log; the fail queue there is imported with --queue",
    "SHARED_SPACE": "b2safe logs to the server log",
    "HANDLE_SERVER_URL": "kept in the PID credentials file (pid.credentials_file)",
    "PRIVATE_KEY": "kept in the PID credentials file",
    "CERTIFICATE_ONLY": "kept in the PID credentials file",
    "PREFIX": "kept in the PID credentials file",
    "HANDLEOWNER": "kept in the PID credentials file",
    "REVERSELOOKUP_USERNAME": "kept in the PID credentials file",
    "HTTPS_VERIFY": "kept in the PID credentials file",
}
#: What b2safe checks that 4.x never gated (4.x's map gated only reading the PID credentials).
UNGATED_4X = [authz.READ, authz.WRITE, authz.REPLICATE, authz.METADATA, authz.INTEGRITY,
              authz.MESSAGE]


@dataclass
class Plan:
    """What ``b2safe migrate`` would do: settings changed, files written, records imported."""

    config_path: str
    config: dict[str, Any]
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    authz_path: str = ""
    authz_map: Optional[dict[str, Any]] = None
    queue: list[tuple[str, str, str]] = field(default_factory=list)

    def report(self) -> list[str]:
        """The changes as lines a person reads."""
        lines = [f"{self.config_path}: {key}: {old!r} -> {new!r}"
                 for key, old, new in self.changes]
        if self.authz_map is not None:
            lines.append(f"{self.authz_path}: authorization map with "
                         f"{len(self.authz_map)} assertion(s) written")
        lines += [f"fail log: {src} -> {dst} ({cause or 'no cause'}) imported"
                  for src, dst, cause in self.queue]
        return lines + [f"note: {note}" for note in self.notes]

    def as_json(self) -> dict[str, Any]:
        """The plan for ``--json``."""
        return {"config": self.config_path,
                "changes": [{"setting": k, "old": o, "new": n} for k, o, n in self.changes],
                "authz_map": self.authz_path if self.authz_map is not None else None,
                "queue": [{"source": s, "destination": d, "cause": c}
                          for s, d, c in self.queue],
                "notes": self.notes}


# --- install.conf ---------------------------------------------------------------------------------


def read_install_conf(path: str) -> dict[str, str]:
    """The ``KEY=VALUE`` assignments of a 4.x ``install.conf`` (shell quoting, ``$VAR`` and
    ``${VAR}`` of earlier keys expanded, comments and blank lines skipped).

    Raises:
        InvalidInput: a line is not a ``KEY=VALUE`` assignment (names the line).
    """
    values: dict[str, str] = {}
    text = _read(path, "install.conf")
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, rest = line.partition("=")
        if not sep or not key.isidentifier() or not key.isupper():
            raise InvalidInput(f"{path}:{number}: not a KEY=VALUE line: {raw[:80]!r}")
        try:
            words = shlex.split(rest, comments=True)
        except ValueError as exc:
            raise InvalidInput(f"{path}:{number}: {exc}") from None
        value = " ".join(words)
        for name, known in sorted(values.items(), key=lambda kv: -len(kv[0])):
            value = value.replace("${" + name + "}", known).replace("$" + name, known)
        values[key] = value
    return values


def settings_from_install_conf(values: dict[str, str]) -> tuple[dict[str, dict[str, Any]],
                                                                  list[str]]:
    """The ``b2safe.json`` sections 4.x's settings map onto, and notes on the rest."""
    sections: dict[str, dict[str, Any]] = {}
    notes: list[str] = []

    def put(section: str, key: str, value: Any) -> None:
        sections.setdefault(section, {})[key] = value

    if values.get("SERVER_ID"):
        put("zone", "server_id", values["SERVER_ID"])
    if values.get("DEFAULT_RESOURCE"):
        put("zone", "default_resource", values["DEFAULT_RESOURCE"])
    cred = values.get("CRED_FILE_PATH", "")
    if cred.startswith("/") and not cred.endswith("/conf"):
        put("pid", "credentials_file", cred)
        notes.append(f"pid.credentials_file is 4.x's {cred}: b2safe reads it with pyhandle "
                     "(same keys) and requires mode 600")
    # 4.x wrote PIDs without PID AVUs in some paths (and EUDATCreatePID always searched).
    put("pid", "reverse_lookup_fallback", True)
    if values.get("SERVERAPIREG") or values.get("SERVERAPIPUB"):
        put("http_api", "enabled", True)
        put("http_api", "registered_base", values.get("SERVERAPIREG", ""))
        put("http_api", "public_base", values.get("SERVERAPIPUB", ""))
    level = values.get("LOG_LEVEL", "").upper()
    if level:
        if level not in LOG_LEVELS:
            raise InvalidInput(f"LOG_LEVEL {level[:20]!r} is none of {', '.join(LOG_LEVELS)}")
        put("logging", "level", LOG_LEVELS[level])
    for key, section in (("AUTHZ_ENABLED", "authorization"), ("MSG_QUEUE_ENABLED", "messaging")):
        if key in values:
            text = values[key].strip().lower()
            if text not in ("true", "false"):
                raise InvalidInput(f"{key} must be true or false, not {values[key][:20]!r}")
            put(section, "enabled", text == "true")
    for key in sorted(values):
        if key in NOT_CARRIED and values[key]:
            notes.append(f"{key} not carried over: {NOT_CARRIED[key]}")
    return sections, notes


# --- authorization map ----------------------------------------------------------------------------


def convert_authz_map(data: Any, credentials_path: str) -> dict[str, Any]:
    """A b2safe map that means what the 4.x map ``data`` meant.

    * every 4.x assertion is kept (``4x:<name>``, ``"match": "fnmatch"``), for site rules that
      ask ``EUDATAuthZ`` about their own actions and targets;
    * 4.x gated PID operations by asking whether the caller may ``read`` the PID credentials
      file (``getEpicApiParameters``): each assertion that allows that becomes
      ``4x-pid:<name>`` allowing b2safe's ``pid`` action on every path;
    * what b2safe checks and 4.x did not gate (read, write, replicate, metadata, integrity,
      message) is allowed to everyone (``4x-ungated``).

    Raises:
        InvalidInput: ``data`` is not a 4.x map (names the assertion).
    """
    if not isinstance(data, dict) or not data:
        raise InvalidInput("the 4.x authorization map must be a JSON object of assertions")
    out: dict[str, Any] = {}
    for name, body in data.items():
        if not isinstance(body, dict):
            raise InvalidInput(f"4.x assertion {name!r} is not an object")
        fields: dict[str, list[str]] = {}
        for key in ("subject", "action", "target"):
            items = body.get(key)
            if isinstance(items, str):
                items = [items]
            if not isinstance(items, list) or not items or \
                    not all(isinstance(i, str) and i for i in items):
                raise InvalidInput(f"4.x assertion {name!r} needs {key!r} as a list of strings")
            fields[key] = items
        out[f"4x:{name}"] = {**fields, "match": authz.FNMATCH}
        reads_credentials = authz.Assertion(
            name, ("probe",), tuple(fields["action"]), tuple(fields["target"]),
            match=authz.FNMATCH).allows("probe", "read", credentials_path)
        if reads_credentials:
            out[f"4x-pid:{name}"] = {"subject": fields["subject"], "action": [authz.PID],
                                     "target": ["*"], "match": authz.FNMATCH}
    out["4x-ungated"] = {"subject": ["*"], "action": list(UNGATED_4X), "target": ["*"]}
    authz.parse_map(out, "converted 4.x map")  # b2safe must read what it writes
    return out


# --- the fail queue --------------------------------------------------------------------------


def read_fail_queue(directory: str) -> list[tuple[str, str, str]]:
    """``(source, destination, cause)`` of each record of a 4.x ``b2safe.queue``, oldest first,
    read from a copy with queuelib (the queue is left untouched).

    Raises:
        InvalidInput: not a queuelib FifoDiskQueue directory, or a record is not
            ``source::destination::status::cause`` with absolute paths.
        ConfigError: queuelib is not installed (``pip install 'b2safe[migrate]'``).
    """
    try:
        from queuelib import FifoDiskQueue
    except ImportError:
        raise ConfigError("reading a 4.x fail queue needs queuelib: "
                          "pip install 'b2safe[migrate]'") from None
    source = Path(directory)
    if not (source / "info.json").is_file():
        raise InvalidInput(f"{directory} is not a 4.x fail queue (no info.json; it is "
                           "LOG_DIR/b2safe.queue of log.manager.conf)")
    records: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="b2safe-migrate-") as scratch:
        copy = Path(scratch) / "queue"
        shutil.copytree(source, copy)
        try:
            queue = FifoDiskQueue(str(copy))
            while True:
                item = queue.pop()
                if item is None:
                    break
                records.append(_queue_record(item.decode("utf-8", "replace")))
            queue.close()
        except (ValueError, OSError, KeyError) as exc:
            raise InvalidInput(f"{directory}: the queue cannot be read ({exc})") from None
    return records


def _queue_record(text: str) -> tuple[str, str, str]:
    parts = text.split("::", 3)
    if len(parts) < 2 or not parts[0].startswith("/") or not parts[1].startswith("/"):
        raise InvalidInput(f"fail queue record {text[:120]!r} is not "
                           "source::destination::status::cause")
    return parts[0], parts[1], parts[3] if len(parts) > 3 else ""


# --- the plan --------------------------------------------------------------------------------


def plan(config_path: str, *, install_conf: str = "", authz_map: str = "", queue: str = "",
         zone_name: str = "", credentials_path: str = "") -> Plan:
    """Everything a migration would change, checked (nothing is written here).

    Raises:
        InvalidInput / ConfigError: a bad input or a resulting b2safe.json that does not
            validate (nothing is written then).
    """
    existing = Path(config_path)
    current: dict[str, Any] = json.loads(_read(config_path, "b2safe.json")) \
        if existing.exists() else {}
    merged = json.loads(json.dumps(current))
    result = Plan(config_path=config_path, config=merged)
    values: dict[str, str] = {}
    if install_conf:
        values = read_install_conf(install_conf)
        sections, notes = settings_from_install_conf(values)
        result.notes += notes
        for section, items in sections.items():
            for key, value in items.items():
                _set(result, section, key, value)
    if zone_name:
        _set(result, "zone", "name", zone_name)
    if authz_map:
        cred = credentials_path or values.get("CRED_FILE_PATH", "")
        if not cred:
            raise InvalidInput("converting a 4.x authorization map needs the 4.x PID "
                               "credentials path (--credentials-path or CRED_FILE_PATH)")
        try:
            data = json.loads(_read(authz_map, "authorization map"))
        except ValueError as exc:
            raise InvalidInput(f"{authz_map}: not JSON ({exc})") from None
        result.authz_map = convert_authz_map(data, cred)
        result.authz_path = str(merged.get("authorization", {}).get("map_file") or
                                Path(config_path).with_name("b2safe.d") / "authz.map.json")
        _set(result, "authorization", "map_file", result.authz_path)
    if queue:
        result.queue = read_fail_queue(queue)
    if "zone" not in merged or "name" not in merged.get("zone", {}):
        raise InvalidInput(f"{config_path} has no zone.name and none was given (--zone-name)")
    parse_config(merged, config_path)  # the result must be a valid b2safe.json
    return result


def apply(result: Plan) -> None:
    """Write the configuration and authorization map of ``result`` (each replaced atomically,
    mode 600 for the map). The fail-queue records are imported by the caller (they go through
    the server's rules)."""
    if result.authz_map is not None:
        _write(result.authz_path, json.dumps(result.authz_map, indent=2) + "\n", 0o600)
    if result.changes:
        _write(result.config_path, json.dumps(result.config, indent=2) + "\n", 0o644)


def _set(result: Plan, section: str, key: str, value: Any) -> None:
    old = result.config.get(section, {}).get(key)
    if old != value:
        result.config.setdefault(section, {})[key] = value
        result.changes.append((f"{section}.{key}", old, value))


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what} {path} cannot be read ({exc})") from None


def _write(path: str, text: str, mode: int) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
