"""``b2safe doctor`` checks of the iRODS server's own files (run on the server).

Each returns a :class:`b2safe.ops.doctor.Check` whose detail says what is wrong and what to do:

* ``rule-engines``: server_config.json has the Python rule engine stanza, before the native rule
  language and the C++ default policy (the framework runs the first engine that has a rule;
  irods: server/re/include/irods/irods_re_plugin.hpp, ``control``);
* ``core.py``: imports the b2safe rules, compiles, and defines none of b2safe's PEPs after the
  import (a later definition replaces b2safe's: the stock ``core.py.template`` of PREP defines
  ``acPostProcForPut`` and others with an empty body, which would silently disable b2safe's
  policies);
* ``rule-language``: ``b2safe.re`` (b2safe's 4.x functions for native callers) is in the rule
  language's ``re_rulebase_set`` and matches this version (ordinary users reach rules only
  through that engine, and a remote ``EUDATCreatePID`` from a partner zone lands there);
* ``upload-routes``: which upload routes the policies see (:mod:`b2safe.ops.route_coverage`);
* ``plugin``: the PREP shared library is installed (``libirods_rule_engine_plugin-python.so``);
The service account is ``--service-account``, else ``irods``, else the owner of the config
directory.

* ``service-python``: the service account's ``python3`` imports b2safe at this version (PREP
  imports core.py, hence b2safe, inside the agent that runs as that account);
* ``file-owners``: server_config.json, core.py and b2safe.json belong to the service account and
  are readable by it; the PID credentials file belongs to it and is private.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from b2safe import __version__
from b2safe.ops import files
from b2safe.ops.checks import CRITICAL, OK, UNKNOWN, WARNING, Check
from b2safe.ops.core_py import shadowing_definitions
from b2safe.ops.install import (
    _IMPORT_RE,
    PYTHON_PLUGIN,
    _registered_names,
    parse_server_config,
    stanza_order_problem,
)
from b2safe.ops.route_coverage import check_routes

#: Where the iRODS packages install rule engine plugins (4.3 and 5.0 packages).
DEFAULT_PLUGIN_DIR = "/usr/lib/irods/plugins/rule_engines"
PLUGIN_FILE = f"lib{PYTHON_PLUGIN}.so"
INSTALL_HINT = "run 'b2safe install' (as root or the service account), then restart iRODS"


def check_rule_engines(config_dir: Path) -> Check:
    """The Python stanza exists and comes first (see module docstring)."""
    path = config_dir / "server_config.json"
    try:
        data = parse_server_config(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        return Check("rule-engines", UNKNOWN, f"cannot read {path}: {exc.strerror}; run doctor "
                                              "as root or the service account")
    except Exception as exc:  # InstallError: malformed file, explained
        return Check("rule-engines", CRITICAL, str(exc))
    engines = data["plugin_configuration"]["rule_engines"]
    problem = stanza_order_problem(engines)
    if problem:
        return Check("rule-engines", CRITICAL, f"{path}: {problem}: {INSTALL_HINT}")
    names = ", ".join(str(e.get("plugin_name", "?")).replace("irods_rule_engine_plugin-", "")
                      for e in engines)
    return Check("rule-engines", OK, f"Python first ({names})")


def check_rule_language(config_dir: Path) -> Check:
    """``b2safe.re`` is current and in the rule language's rule base (see module docstring)."""
    from b2safe import rulebase
    from b2safe.ops.install import NREP_PLUGIN

    path = config_dir / "server_config.json"
    try:
        data = parse_server_config(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        return Check("rule-language", UNKNOWN, f"cannot read {path}: {exc.strerror}")
    except Exception as exc:  # InstallError: malformed file, explained
        return Check("rule-language", CRITICAL, str(exc))
    stanzas = [e for e in data["plugin_configuration"]["rule_engines"]
               if e.get("plugin_name") == NREP_PLUGIN]
    if not stanzas:
        return Check("rule-language", WARNING, f"{path}: no rule language engine, so ordinary "
                                               "users cannot call b2safe's rules")
    names = stanzas[0].get("plugin_specific_configuration", {}).get("re_rulebase_set", [])
    names = [n.get("filename") if isinstance(n, dict) else n for n in names]
    if rulebase.RULEBASE_NAME not in names:
        return Check("rule-language", CRITICAL, f"{path}: re_rulebase_set {names} lacks "
                                                f"'{rulebase.RULEBASE_NAME}': {INSTALL_HINT}")
    file = config_dir / f"{rulebase.RULEBASE_NAME}.re"
    try:
        current = file.read_text(encoding="utf-8")
    except OSError as exc:
        return Check("rule-language", CRITICAL, f"cannot read {file}: {exc.strerror}: "
                                                f"{INSTALL_HINT}")
    if current != rulebase.text():
        return Check("rule-language", WARNING, f"{file} differs from b2safe {__version__}'s: "
                                               f"{INSTALL_HINT}")
    return Check("rule-language", OK, f"{file.name} current, in re_rulebase_set {names}")


def check_core(config_dir: Path, rule_names: set[str]) -> Check:
    """core.py imports b2safe and shadows none of its rules (see module docstring)."""
    path = config_dir / "core.py"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Check("core.py", CRITICAL, f"{path} does not exist: {INSTALL_HINT}")
    except OSError as exc:
        return Check("core.py", UNKNOWN, f"cannot read {path}: {exc.strerror}")
    if not _IMPORT_RE.search(text):
        return Check("core.py", CRITICAL, f"{path} does not import the b2safe rules "
                                          f"('from b2safe.ruleset import *'): {INSTALL_HINT}")
    try:
        empty, other = shadowing_definitions(text, rule_names)
    except SyntaxError as exc:
        return Check("core.py", CRITICAL, f"{path} line {exc.lineno}: {exc.msg}: PREP cannot "
                                          "import it, so every rule on this server fails; fix "
                                          "the file")
    if empty:
        return Check("core.py", CRITICAL, f"{path} defines {', '.join(empty)} with an empty body "
                                          "after the b2safe import (as PREP's stock "
                                          "core.py.template does): they disable b2safe's "
                                          "policies; delete these definitions")
    if other:
        return Check("core.py", WARNING, f"{path} replaces b2safe's {', '.join(other)} with its "
                                         "own: call b2safe's from them (import it under another "
                                         "name) or b2safe's policies do not run")
    return Check("core.py", OK, f"{path} imports the b2safe rules")


def check_plugin(plugin_dir: Path) -> Check:
    """PREP's shared library is where the server loads plugins from."""
    path = plugin_dir / PLUGIN_FILE
    if path.is_file():
        return Check("plugin", OK, str(path))
    return Check("plugin", CRITICAL, f"{path} is missing: install the package "
                                     "irods-rule-engine-plugin-python of this server's iRODS "
                                     "version (dnf/apt), then restart iRODS")


@dataclass(frozen=True)
class Account:
    """The Unix account the iRODS agents run as."""

    pw_name: str
    pw_uid: int
    pw_gid: int
    pw_dir: str


def service_account(config_dir: Path, name: Optional[str]) -> Optional[Account]:
    """The iRODS service account: ``name``, else ``irods`` when it exists, else the owner of the
    config directory (named by its number when it has no passwd entry). None when ``name`` is
    unknown."""
    for candidate in ([name] if name else ["irods"]):
        try:
            entry = pwd.getpwnam(candidate)
            return Account(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir)
        except KeyError:
            if name:
                return None
    st = config_dir.stat()
    try:
        entry = pwd.getpwuid(st.st_uid)
        return Account(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir)
    except KeyError:
        return Account(str(st.st_uid), st.st_uid, st.st_gid, "/")


#: What PREP does before any rule runs (src/main.cpp ``start``: ``sys.path.append(<config
#: dir>)``, then ``import core``), then which b2safe that gave. Names that only exist inside the
#: plugin (its builtin modules) are tolerated: the site's core.py may import them.
_PROBE = """
import sys
sys.path.append(sys.argv[1])
try:
    import core
except ModuleNotFoundError as exc:
    if exc.name not in ("irods_types", "irods_errors", "plugin_wrappers"):
        raise
import b2safe
print(b2safe.__version__)
print(b2safe.__file__)
"""


def check_service_python(account: Optional[Account], python: str,
                         config_dir: Path = Path("/etc/irods"), timeout: float = 60.0) -> Check:
    """The service account's ``python`` imports the server's core.py and, through it, b2safe
    at this version (a b2safe in a virtual environment is found through the path core.py
    adds)."""
    if account is None:
        return Check("service-python", UNKNOWN, "no service account (give --service-account)")
    euid = os.geteuid()
    if euid not in (0, account.pw_uid):
        return Check("service-python", UNKNOWN, f"run doctor as root or as {account.pw_name} "
                                                "to check the Python the iRODS agents use")
    env = {"HOME": account.pw_dir, "PATH": "/usr/local/bin:/usr/bin:/bin",
           "LANG": os.environ.get("LANG", "C.UTF-8")}
    switch: dict[str, Any] = {}
    if euid == 0 and account.pw_uid != 0:
        switch = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    try:
        done = subprocess.run([python, "-c", _PROBE, str(config_dir)], capture_output=True,
                              text=True, env=env, timeout=timeout, check=False, cwd="/",
                              **switch)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("service-python", CRITICAL, f"cannot run {python} as {account.pw_name}: "
                                                 f"{exc}; install python3 or give "
                                                 "--service-python")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        if (config_dir / "b2safe").is_dir() and ("unknown location" in done.stderr
                                                 or "__version__" in done.stderr):
            return Check("service-python", CRITICAL,
                         f"{python} as {account.pw_name} takes the directory "
                         f"{config_dir / 'b2safe'} for the b2safe package (PREP puts "
                         f"{config_dir} on sys.path, and this b2safe is an editable install "
                         "found only after it): install b2safe from its wheel, not with -e")
        return Check("service-python", CRITICAL,
                     f"{python} as {account.pw_name} cannot import core.py and b2safe as PREP "
                     f"does ({last}): install b2safe for that interpreter (docs/installation.md, "
                     "step 1)")
    version, _, where = done.stdout.strip().partition("\n")
    if version != __version__:
        return Check("service-python", CRITICAL,
                     f"{python} as {account.pw_name} imports b2safe {version} from {where}, "
                     f"not {__version__}: upgrade it there (or run this doctor from it)")
    return Check("service-python", OK, f"{account.pw_name}'s {python} imports b2safe "
                                       f"{version} from {where}")


def _readable_by(path: Path, account: Account) -> bool:
    st = path.stat()
    if account.pw_uid == 0:
        return True
    if st.st_uid == account.pw_uid:
        return bool(st.st_mode & stat.S_IRUSR)
    groups = {account.pw_gid} | {g.gr_gid for g in _groups_of(account.pw_name)}
    if st.st_gid in groups:
        return bool(st.st_mode & stat.S_IRGRP)
    return bool(st.st_mode & stat.S_IROTH)


def _groups_of(name: str) -> list[Any]:
    return [g for g in grp.getgrall() if name in g.gr_mem]


def check_file_owners(config_dir: Path, account: Optional[Account],
                      credentials_file: Optional[str]) -> Check:
    """Server files readable by the service account; credentials owned by it and private."""
    if account is None:
        return Check("file-owners", UNKNOWN, "no service account (give --service-account)")
    problems = []
    for name in ("server_config.json", "core.py", "b2safe.json"):
        path = config_dir / name
        if not path.exists():
            continue
        if not _readable_by(path, account):
            own = files.ownership_of(path)
            problems.append(f"{path} is {own.describe()}, unreadable by {account.pw_name}: "
                            f"chown {account.pw_name}: {path}")
    if credentials_file and Path(credentials_file).exists():
        path = Path(credentials_file)
        own = files.ownership_of(path)
        if own.uid != account.pw_uid:
            problems.append(f"{path} belongs to {files.user_name(own.uid)}, not "
                            f"{account.pw_name}: chown {account.pw_name}: {path}")
        elif own.mode & 0o077:
            problems.append(f"{path} is mode {own.mode:04o}: chmod 600 {path}")
    if problems:
        return Check("file-owners", CRITICAL, "; ".join(problems))
    return Check("file-owners", OK, f"readable by {account.pw_name}; credentials private")


def run_server_checks(config_dir: Path, *, account_name: Optional[str] = None,
                      plugin_dir: Path = Path(DEFAULT_PLUGIN_DIR), python: str = "python3",
                      credentials_file: Optional[str] = None) -> list[Check]:
    """Every check of this module for the server whose config directory is ``config_dir``."""
    if not (config_dir / "server_config.json").exists():
        return [Check("server", UNKNOWN, f"no server_config.json in {config_dir}: run doctor "
                                         "on the iRODS server, give --config-dir, or skip these "
                                         "checks with --no-server")]
    account = service_account(config_dir, account_name)
    names = _registered_names()
    return [check_rule_engines(config_dir), check_rule_language(config_dir),
            check_core(config_dir, names), check_routes(config_dir, names),
            check_plugin(plugin_dir), check_service_python(account, python, config_dir),
            check_file_owners(config_dir, account, credentials_file)]
