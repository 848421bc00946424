"""``b2safe install``: put the b2safe rules on an iRODS server (run as the iRODS service account).

What it does in the server's config directory (default ``/etc/irods``):

1. ``core.py``: written when absent; when the server already has one, the single line
   ``from b2safe.ruleset import *`` is added near its top (after the docstring and
   ``__future__`` imports), so the site's own definitions further down keep precedence. Names the
   site defines that b2safe also registers are reported.
2. ``server_config.json``: the Python rule engine stanza is added to
   ``plugin_configuration.rule_engines`` if no stanza uses the Python plugin, before the native
   rule language stanza (so Python rules are found first); an existing Python stanza placed after
   the native one is moved before it. A malformed file is refused, and so is a directory without
   server_config.json (not a server's config directory).
   The rule language stanza's ``re_rulebase_set`` gets ``b2safe`` first, and ``b2safe.re``
   (b2safe's 4.x functions for native callers: ordinary users reach rules only through that
   engine) is written at this version.
3. ``b2safe.json``: a starter configuration (zone name, port, host and default resource taken
   from server_config.json) unless one exists; either way it is validated.
4. Checks: the PID credentials file's permissions (mode 0600), and with ``--check-pid`` the PID
   service connection.

Every change is planned first (:func:`plan_install`, pure over the directory's files), so a
refused file leaves everything untouched; ``--dry-run`` prints the unified diff of the plan.
Files are written by :mod:`b2safe.ops.files`: owner, group and mode kept (new files get the
owner of server_config.json), backups next to themselves as ``NAME.<timestamp>.b2safe.bak``,
refused with nothing changed when that is impossible. A second run changes nothing. Afterwards
it prints the next steps (restart iRODS when server_config.json changed, ``b2safe doctor``), and
with ``--schedule`` queues the repeating fail-log retry and the configured integrity sweeps.
``b2safe uninstall`` (:mod:`b2safe.ops.uninstall`) reverses the file changes.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from b2safe.errors import B2SafeError
from b2safe.ops import files, pid_checks
from b2safe.ops.checks import CRITICAL, OK, WARNING, Check, worst

DEFAULT_CONFIG_DIR = "/etc/irods"
IMPORT_LINE = "from b2safe.ruleset import *"
_IMPORT_RE = re.compile(r"^\s*from\s+b2safe\.ruleset\s+import\s+\*", re.M)
PYTHON_PLUGIN = "irods_rule_engine_plugin-python"
PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"
NREP_PLUGIN = "irods_rule_engine_plugin-irods_rule_language"
CPP_DEFAULT_PLUGIN = "irods_rule_engine_plugin-cpp_default_policy"

CORE_PY = '''"""b2safe: the EUDAT B2SAFE ruleset for the iRODS Python Rule Engine Plugin.

Deploy by copying this file to /etc/irods/core.py (or adding its import line to an existing one)
on a server where the b2safe package is installed into the Python 3 that PREP uses.
"""

# Exactly the registered rules: b2safe.ruleset.__all__ is the rule registry.
from b2safe.ruleset import *
'''

_MERGE_BLOCK = ("# b2safe rules (added by 'b2safe install'). Definitions further down this file\n"
                "# take precedence over b2safe's rules of the same name.\n"
                f"{IMPORT_LINE}\n")
#: The line that lets PREP's interpreter (the system python3) find b2safe installed in a virtual
#: environment; ``__import__`` so that ``core`` gains no attribute PREP would take for a rule.
_SITEDIR_LINE = '__import__("site").addsitedir({path!r})  # b2safe: its virtual environment\n'
_SITEDIR_RE = re.compile(r'^__import__\("site"\)\.addsitedir\((.+?)\)  # b2safe: .*$', re.M)


class InstallError(B2SafeError):
    """A file the installer must change is malformed; nothing was changed."""


@dataclass
class Change:
    """One file the installer writes: ``before`` None means a new file, ``after`` None a file
    removed (uninstall); ``mode`` is a new file's mode (an existing file keeps its own)."""

    path: Path
    before: Optional[str]
    after: Optional[str]
    reason: str
    mode: int = 0o644

    def diff(self) -> str:
        """Unified diff of the change."""
        old = [] if self.before is None else self.before.splitlines(keepends=True)
        new = [] if self.after is None else self.after.splitlines(keepends=True)
        label_old = "/dev/null" if self.before is None else f"{self.path} (current)"
        label_new = "/dev/null" if self.after is None else f"{self.path} (b2safe install)"
        lines = difflib.unified_diff(old, new, label_old, label_new)
        text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)
        return text


@dataclass
class InstallPlan:
    """Everything ``b2safe install`` would do in one config directory."""

    config_dir: Path
    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    config_text: str = ""

    def diff(self) -> str:
        """The unified diff of every change ("" when there is nothing to do)."""
        return "".join(change.diff() for change in self.changes)


# --- core.py -----------------------------------------------------------------------------------


def venv_site_dir() -> Optional[str]:
    """The site-packages of the virtual environment this b2safe runs from (None when it runs
    from the system interpreter, whose packages PREP sees anyway)."""
    if sys.prefix == getattr(sys, "base_prefix", sys.prefix):
        return None
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def _with_sitedir(text: str, sitedir: Optional[str]) -> str:
    if not sitedir:
        return text
    return text.replace(IMPORT_LINE + "\n", _SITEDIR_LINE.format(path=sitedir) + IMPORT_LINE +
                        "\n", 1)


def core_py_text(sitedir: Optional[str] = None) -> str:
    """The content of a fresh core.py (the repository's core.py; with ``sitedir``, a virtual
    environment's site-packages is added to the path first)."""
    return _with_sitedir(CORE_PY, sitedir)


def merge_block(sitedir: Optional[str] = None) -> str:
    """The lines ``install`` adds to an existing core.py."""
    return _with_sitedir(_MERGE_BLOCK, sitedir)


def sitedir_in(text: str) -> Optional[str]:
    """The virtual environment ``install`` added to ``text`` (None when none)."""
    import ast as _ast

    found = _SITEDIR_RE.search(text)
    return str(_ast.literal_eval(found.group(1))) if found else None


def _defined_names(tree: ast.Module) -> set:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
    return names


def merge_core(existing: Optional[str], rule_names: Optional[set] = None,
               where: str = "core.py", sitedir: Optional[str] = None
               ) -> tuple[Optional[str], list[str]]:
    """(new core.py text or None when unchanged, notes) for an existing core.py (or None);
    ``sitedir``: see :func:`venv_site_dir`.

    Raises InstallError when the existing file is not valid Python (PREP could not import it
    either, and a merge would hide the real problem).
    """
    if existing is None:
        return core_py_text(sitedir), []
    if _IMPORT_RE.search(existing):
        return None, []
    try:
        tree = ast.parse(existing)
    except SyntaxError as exc:
        raise InstallError(f"{where} is not valid Python (line {exc.lineno}: {exc.msg}); fix it "
                           "first. Nothing was changed.") from None
    insert_after = 0  # number of leading lines kept above the import
    for index, node in enumerate(tree.body):
        is_doc = (index == 0 and isinstance(node, ast.Expr)
                  and isinstance(node.value, ast.Constant)
                  and isinstance(node.value.value, str))
        is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (is_doc or is_future):
            break
        insert_after = getattr(node, "end_lineno", node.lineno)
    lines = existing.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    head, tail = lines[:insert_after], lines[insert_after:]
    block = ("\n" if head else "") + merge_block(sitedir) + ("\n" if tail else "")
    notes = []
    overlap = sorted(_defined_names(tree) & (rule_names or set()))
    if overlap:
        notes.append(f"{where} defines {', '.join(overlap)}, which b2safe also provides: the "
                     "site's definitions stay in force (call b2safe's from them if both are "
                     "wanted)")
    return "".join(head) + block + "".join(tail), notes


# --- server_config.json ------------------------------------------------------------------------


def python_stanza() -> dict[str, Any]:
    """The Python rule engine plugin's rule_engines entry."""
    return {"instance_name": PYTHON_INSTANCE, "plugin_name": PYTHON_PLUGIN,
            "plugin_specific_configuration": {}}


def parse_server_config(text: str, where: str = "server_config.json") -> dict[str, Any]:
    """Parse server_config.json; InstallError (nothing changed) when malformed."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InstallError(f"{where} is not valid JSON ({exc}); refusing to change it. "
                           "Nothing was changed.") from None
    if not isinstance(data, dict):
        raise InstallError(f"{where} does not hold a JSON object. Nothing was changed.")
    plugins = data.get("plugin_configuration")
    engines = plugins.get("rule_engines") if isinstance(plugins, dict) else None
    if not isinstance(engines, list) or not all(isinstance(e, dict) for e in engines):
        raise InstallError(f"{where} has no plugin_configuration.rule_engines list of objects. "
                           "Nothing was changed.")
    return data


def _indent_of(text: str) -> int:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped and len(stripped) != len(line):
            return len(line) - len(stripped)
    return 4


def _first(engines: list[dict[str, Any]], plugin: str) -> Optional[int]:
    found = [i for i, e in enumerate(engines) if e.get("plugin_name") == plugin]
    return found[0] if found else None


def stanza_order_problem(engines: list[dict[str, Any]]) -> Optional[str]:
    """Why the Python stanza is not where b2safe needs it (None when it is).

    The framework asks each rule engine in server_config order whether it has a rule and runs the
    first that does (irods: server/re/include/irods/irods_re_plugin.hpp, ``control``); the native
    rule language's stock core.re defines the ``ac*`` PEPs too, so Python must come first.
    """
    python = _first(engines, PYTHON_PLUGIN)
    if python is None:
        return "no rule engine stanza uses the Python plugin"
    for other in (NREP_PLUGIN, CPP_DEFAULT_PLUGIN):
        index = _first(engines, other)
        if index is not None and index < python:
            return f"the Python stanza comes after {other}"
    return None


def add_python_stanza(text: str, where: str = "server_config.json") -> Optional[str]:
    """server_config.json text with the Python stanza present and first among the rule engines
    b2safe competes with, or None when it already is.

    A missing stanza goes before the native rule language stanza (else before the C++ default
    policy, else last); an existing one placed after them is moved there, unchanged. Raises
    InstallError for a malformed file.
    """
    data = parse_server_config(text, where)
    engines = data["plugin_configuration"]["rule_engines"]
    if stanza_order_problem(engines) is None:
        return None
    current = _first(engines, PYTHON_PLUGIN)
    stanza = python_stanza() if current is None else engines.pop(current)
    position = len(engines)
    for wanted in (NREP_PLUGIN, CPP_DEFAULT_PLUGIN):
        found = _first(engines, wanted)
        if found is not None:
            position = found
            break
    engines.insert(position, stanza)
    result = json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + "\n"
    parse_server_config(result, where)  # the result must be as valid as the input
    return result


def add_native_rulebase(text: str, where: str = "server_config.json") -> Optional[str]:
    """server_config.json text with ``b2safe`` in the rule language stanza's ``re_rulebase_set``
    (before ``core``, so b2safe's 4.x functions come first), or None when it is there already or
    the server has no rule language stanza. Raises InstallError for a malformed file."""
    from b2safe.rulebase import RULEBASE_NAME

    data = parse_server_config(text, where)
    engines = data["plugin_configuration"]["rule_engines"]
    index = _first(engines, NREP_PLUGIN)
    if index is None:
        return None
    config = engines[index].setdefault("plugin_specific_configuration", {})
    names = config.setdefault("re_rulebase_set", [])
    if not isinstance(names, list):
        raise InstallError(f"{where}: re_rulebase_set of the rule language stanza is not a list. "
                           "Nothing was changed.")
    if any((n.get("filename") if isinstance(n, dict) else n) == RULEBASE_NAME for n in names):
        return None
    entry: Any = {"filename": RULEBASE_NAME} if names and isinstance(names[0], dict) \
        else RULEBASE_NAME
    names.insert(0, entry)
    result = json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + "\n"
    parse_server_config(result, where)
    return result


# --- b2safe.json -------------------------------------------------------------------------------


def _site_facts(server_config: Optional[dict[str, Any]]) -> dict[str, Any]:
    """Zone name, host, port, default resource and hash scheme from server_config.json."""
    sc = server_config or {}
    # Guess: iRODS 5 has a top-level "host"; 4.3 lists "catalog_provider_hosts"; otherwise the
    # machine's FQDN is the best default for the irods:// server id.
    providers = sc.get("catalog_provider_hosts")
    host = sc.get("host") or (providers[0] if isinstance(providers, list) and providers else "")
    scheme = str(sc.get("default_hash_scheme") or "SHA256").upper()
    return {
        "zone": str(sc.get("zone_name") or "tempZone"),
        "host": str(host or socket.getfqdn()),
        "port": int(sc.get("zone_port") or 1247),
        "resource": str(sc.get("default_resource_name") or "demoResc"),
        "hash_scheme": "MD5" if scheme == "MD5" else "SHA256",
    }


#: The rule files of a B2SAFE 4.x installation (packaging/install.sh put them in /etc/irods and
#: in the rule language's re_rulebase_set).
RULEBASES_4X = ("eudat", "pid-service", "replication", "catchError")


def legacy_4x_found(server_config: Optional[dict[str, Any]], config_dir: Path) -> list[str]:
    """Signs of a B2SAFE 4.x installation on this server: its rule files in ``config_dir`` or
    named in the rule language's ``re_rulebase_set`` (empty when there are none)."""
    signs = [f"{config_dir}/{name}.re" for name in RULEBASES_4X
             if (Path(config_dir) / f"{name}.re").is_file()]
    engines = ((server_config or {}).get("plugin_configuration") or {}).get("rule_engines") or []
    for engine in engines if isinstance(engines, list) else []:
        names = ((engine or {}).get("plugin_specific_configuration") or {}).get(
            "re_rulebase_set") or [] if isinstance(engine, dict) else []
        for entry in names if isinstance(names, list) else []:
            name = entry.get("filename") if isinstance(entry, dict) else entry
            if name in RULEBASES_4X:
                signs.append(f"re_rulebase_set names {name}")
    return signs


def starter_config(server_config: Optional[dict[str, Any]], config_dir: Path,
                   zone_name: Optional[str] = None, host: Optional[str] = None
                   ) -> dict[str, Any]:
    """A starter b2safe.json (conf/b2safe.example.json adapted to this server).

    PIDs on, policies and sweeps empty (to be added by the site), authorization off until a map
    file exists; credentials expected in ``<config_dir>/b2safe.d/pid-credentials.json``.
    ``pid.reverse_lookup_fallback`` is on where B2SAFE 4.x is installed (its PIDs may lack the
    ``PID`` AVU: without the lookup they would be minted a second time) and off on a fresh
    site (no Handle search per new PID).
    """
    facts = _site_facts(server_config)
    legacy = bool(legacy_4x_found(server_config, config_dir))
    zone = zone_name or facts["zone"]
    server = host or facts["host"]
    base = Path(config_dir) / "b2safe.d"  # not "b2safe": /etc/irods is on PREP's sys.path
    return {
        "version": 1,
        "zone": {"name": zone, "server_id": f"irods://{server}:{facts['port']}",
                 "default_resource": facts["resource"], "hash_scheme": facts["hash_scheme"]},
        "logging": {"level": 1, "enabled": True},
        "pid": {"enabled": True, "credentials_file": str(base / "pid-credentials.json"),
                "suffix": "deterministic", "timeout_seconds": 10, "retries": 3,
                "backoff_seconds": 0.5, "workers": 4, "reverse_lookup_fallback": legacy,
                "update_url_on_rename": True},
        "authorization": {"enabled": False, "map_file": str(base / "authz.map.json")},
        "signing": {"key_file": str(base / "signing.key"), "grace_period": "7d"},
        "replication": {"verify": "on_change", "batch_size": 1000, "retry_period": "1h",
                        "max_attempts": 10, "max_backoff": "1d"},
        "integrity": {"report_collection": f"/{zone}/b2safe/reports", "sweeps": []},
        "policies": [],
        "deletion": {"mode": "keep_and_mark"},
    }


# --- planning and applying ---------------------------------------------------------------------


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        owner = files.user_name(path.stat().st_uid) if path.exists() else "its owner"
        raise InstallError(f"cannot read {path}: {exc.strerror}. Run the command as {owner} "
                           "(the iRODS service account) or as root. Nothing was changed."
                           ) from None


def _registered_names() -> set:
    try:
        import b2safe.ruleset  # noqa: F401 - fills the registry
        from b2safe.prep.registry import REGISTRY
    except Exception:  # a broken ruleset must not stop the install itself
        return set()
    return set(REGISTRY)


def plan_install(config_dir: Path, *, zone_name: Optional[str] = None,
                 host: Optional[str] = None) -> InstallPlan:
    """Plan every change in ``config_dir`` (reads only). Raises InstallError when refused."""
    config_dir = Path(config_dir)
    if not config_dir.is_dir():
        raise InstallError(f"{config_dir} is not a directory (give --config-dir). "
                           "Nothing was changed.")
    if not (config_dir / "server_config.json").is_file():
        raise InstallError(f"{config_dir} has no server_config.json, so it is not an iRODS "
                           "server's config directory: give --config-dir the directory that "
                           "holds it (normally /etc/irods). Nothing was changed.")
    plan = InstallPlan(config_dir)

    core_path = config_dir / "core.py"
    core_before = _read(core_path)
    core_after, notes = merge_core(core_before, _registered_names(), str(core_path),
                                   venv_site_dir())
    plan.notes.extend(notes)
    if core_after is None:
        plan.unchanged.append(f"{core_path}: already imports the b2safe rules")
    else:
        plan.changes.append(Change(core_path, core_before, core_after,
                                   "new core.py" if core_before is None
                                   else "added the b2safe import line"))

    server_path = config_dir / "server_config.json"
    server_text = _read(server_path)
    server_data = parse_server_config(server_text or "", str(server_path))
    server_after = add_python_stanza(server_text or "", str(server_path))
    what = []
    if server_after is None:
        plan.unchanged.append(f"{server_path}: the Python rule engine is configured")
    else:
        engines = server_data["plugin_configuration"]["rule_engines"]
        moved = _first(engines, PYTHON_PLUGIN) is not None
        what.append("moved the Python rule engine stanza before the native one"
                    if moved else "added the Python rule engine stanza")
    with_rulebase = add_native_rulebase(server_after or server_text or "", str(server_path))
    if with_rulebase is not None:
        server_after = with_rulebase
        what.append("added b2safe to the rule language's re_rulebase_set")
    elif _first(server_data["plugin_configuration"]["rule_engines"], NREP_PLUGIN) is None:
        plan.notes.append(f"{server_path}: no rule language engine stanza, so ordinary users "
                          "cannot call b2safe's rules (they reach rules only through it)")
    if server_after is not None:
        plan.changes.append(Change(server_path, server_text, server_after, "; ".join(what)))
    _plan_native_rulebase(plan, config_dir)

    config_path = config_dir / "b2safe.json"
    config_before = _read(config_path)
    if config_before is None:
        text = json.dumps(starter_config(server_data, config_dir, zone_name, host),
                          indent=2) + "\n"
        plan.changes.append(Change(config_path, None, text, "starter configuration", 0o640))
        plan.config_text = text
        for sign in legacy_4x_found(server_data, config_dir):
            plan.notes.append(f"B2SAFE 4.x found ({sign}): pid.reverse_lookup_fallback is on, "
                              "so its PIDs are found, not minted again (docs/migration.md)")
    else:
        plan.unchanged.append(f"{config_path}: exists (kept)")
        plan.config_text = config_before
    return plan


def _plan_native_rulebase(plan: InstallPlan, config_dir: Path) -> None:
    """Plan ``b2safe.re`` (b2safe's 4.x functions for the rule language) at this version."""
    from b2safe import rulebase

    path = config_dir / f"{rulebase.RULEBASE_NAME}.re"
    before = _read(path)
    if before == rulebase.text():
        plan.unchanged.append(f"{path}: current")
    else:
        plan.changes.append(Change(path, before, rulebase.text(),
                                   "b2safe's rule-language functions" if before is None
                                   else "updated b2safe's rule-language functions"))


def create_signing_key(plan: InstallPlan) -> Optional[str]:
    """Create the signing key file the planned configuration names, unless it exists (mode
    0600, :mod:`b2safe.state.keys`); returns its path when created."""
    from b2safe.config import parse_config
    from b2safe.state import keys

    try:
        config = parse_config(json.loads(plan.config_text or "{}"), "b2safe.json")
    except (ValueError, B2SafeError):
        return None  # post_checks reports the configuration
    key = Path(config.signing.key_file)
    created_dir = not key.parent.exists()
    if not keys.create(str(key)):
        return None
    if os.geteuid() == 0:  # give it to the service account, as b2safe.json
        owner = files.ownership_for(plan.config_dir / "b2safe.json", 0o600)
        if created_dir:
            os.chown(key.parent, owner.uid, owner.gid)
        os.chown(key, owner.uid, owner.gid)
    return str(key)


def apply_plan(plan: InstallPlan, stamp: Optional[str] = None) -> list[Path]:
    """Write the planned changes (see :func:`b2safe.ops.files.apply_edits`); returns the backup
    paths. Raises InstallError, with nothing changed, when a file cannot be written as needed."""
    edits = [files.FileEdit(c.path, c.after, files.ownership_for(c.path, c.mode))
             for c in plan.changes]
    try:
        return files.apply_edits(edits, stamp or time.strftime("%Y%m%dT%H%M%S"))
    except files.FileWriteError as exc:
        raise InstallError(str(exc)) from None


# --- checks after planning ---------------------------------------------------------------------


def post_checks(plan: InstallPlan, check_pid: bool = False) -> list[Any]:
    """Validate the (planned) b2safe.json, its credentials file and optionally the PID service.

    A credentials file that does not exist yet is a WARNING (the site must create it); one with
    a too-open mode is CRITICAL.
    """
    from b2safe.config import parse_config

    where = str(plan.config_dir / "b2safe.json")
    try:
        config = parse_config(json.loads(plan.config_text), where)
    except ValueError as exc:
        return [Check("config", CRITICAL, f"{where}: not valid JSON ({exc})")]
    except B2SafeError as exc:
        return [Check("config", CRITICAL, str(exc))]
    checks = [Check("config", OK, f"{where} valid (zone {config.zone.name})")]
    if config.pid.enabled and not Path(config.pid.credentials_file).exists():
        checks.append(Check(
            "credentials", WARNING,
            f"{config.pid.credentials_file} does not exist yet: create it (pyhandle JSON "
            "credentials) owned by the iRODS account with mode 600"))
        return checks
    cred_check, creds = pid_checks.check_credentials(config)
    checks.append(cred_check)
    if check_pid and creds is not None:
        checks.extend(pid_checks.check_pid_service(creds, config.zone.server_id))
    return checks


RESTART_HINT = ("restart iRODS so it loads the changed server_config.json: "
                "'sudo systemctl restart irods' (iRODS 5), "
                "'sudo -u irods /var/lib/irods/irodsctl restart' (iRODS 4.3)")


def next_steps(plan: InstallPlan, scheduled: bool) -> list[str]:
    """What the administrator does after the files are written, in order."""
    steps = []
    if any(c.path.name == "server_config.json" for c in plan.changes):
        steps.append(RESTART_HINT)
    config = plan.config_dir / "b2safe.json"
    steps.append(f"edit {config} for this site (policies, replication targets, sweeps; "
                 "docs/configuration.md), then 'b2safe config check " + str(config) + "'")
    if not scheduled:
        steps.append("queue the repeating fail-log retry and the integrity sweeps: "
                     "'b2safe schedule' (as the iRODS service account, a rodsadmin)")
    steps.append(f"check the deployment: 'b2safe doctor --live --config {config} "
                 f"--config-dir {plan.config_dir}'")
    return steps


def run_install(args: argparse.Namespace,
                schedule: Optional[Callable[[], int]] = None) -> int:
    """The ``b2safe install`` command; returns the exit code (0 done, 1 a check failed or the
    scheduling failed, 2 refused or invalid configuration).

    ``schedule`` (given with ``--schedule``) queues the periodic rules; it runs only when the
    server needs no restart first (server_config.json unchanged).
    """
    config_dir = Path(args.config_dir)
    try:
        plan = plan_install(config_dir, zone_name=args.zone_name, host=args.host)
        if args.dry_run:
            diff = plan.diff()
            print(diff if diff else "nothing to change", end="" if diff else "\n")
        else:
            backups = apply_plan(plan)
    except InstallError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    if not args.dry_run:
        for change in plan.changes:
            print(f"changed {change.path}: {change.reason}")
        for backup in backups:
            print(f"backup  {backup}")
        created = create_signing_key(plan)
        if created:
            print(f"created {created}: the key b2safe signs pending work with (mode 0600; copy "
                  "it to every server of the zone)")
    for line in plan.unchanged:
        print(f"kept    {line}")
    for line in plan.notes:
        print(f"note: {line}", file=sys.stderr)
    checks = post_checks(plan, check_pid=args.check_pid)
    for check in checks:
        print(f"[{check.state:<8}] {check.name}: {check.detail}")
    if any(c.name == "config" and c.state == CRITICAL for c in checks):
        return 2
    code = 1 if worst(checks) == CRITICAL else 0
    scheduled = False
    if schedule is not None and not args.dry_run:
        if any(c.path.name == "server_config.json" for c in plan.changes):
            print("not scheduled yet: the Python rule engine runs only after the restart below")
        else:
            scheduled = schedule() == 0
            code = code or (0 if scheduled else 1)
    print("\nnext steps:")
    for number, step in enumerate(next_steps(plan, scheduled), 1):
        print(f"  {number}. {step}")
    return code


def add_parser(subparsers: Any, func: Callable[[argparse.Namespace], int]
               ) -> argparse.ArgumentParser:
    """Add ``install`` to the ``b2safe`` command's sub-parsers (returned)."""
    p = subparsers.add_parser(
        "install", help="install the rules on this iRODS server (as the iRODS account)",
        description=(__doc__ or "").splitlines()[0])
    p.add_argument("--config-dir", default=DEFAULT_CONFIG_DIR,
                   help="the server's config directory (default /etc/irods)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the unified diff of every change and change nothing")
    p.add_argument("--check-pid", action="store_true",
                   help="also connect to the PID service with the configured credentials")
    p.add_argument("--schedule", action="store_true",
                   help="also queue the repeating fail-log retry and the configured integrity "
                        "sweeps (as 'b2safe schedule'; needs the running server)")
    p.add_argument("--zone-name", default=None,
                   help="zone name for a new b2safe.json (default: from server_config.json)")
    p.add_argument("--host", default=None,
                   help="host for a new b2safe.json's server id (default: from "
                        "server_config.json, else this machine's name)")
    p.set_defaults(func=func)
    return p
