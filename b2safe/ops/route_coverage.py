"""``b2safe doctor``: which upload routes this server's PEPs let b2safe's policies see.

A route is covered when every PEP b2safe needs for it (:data:`b2safe.ruleset.ingest.ROUTE_HOOKS`,
docs/policies.md) is

* exposed by core.py: b2safe's rule, not replaced by a later definition (PREP's stock
  ``core.py.template`` defines acPostProcForPut, acPostProcForFilePathReg,
  acPostProcForObjRename ... with empty bodies, and acBulkPutPostProcPolicy answering "off");
* offered to PREP: the name matches a PEP regex of the rule engines (PREP's
  ``regexes_for_supported_peps``, by default ``ac[^ ]*`` and ``[^ ]*pep_[^ ]*_(pre|post)``;
  irods_rule_engine_plugin_python src/main.cpp L96-97, L448-475; the registry is the union over
  the rule engines);
* answered by PREP: for ``ac*`` PEPs, no rule engine that defines them (the native rule
  language's core.re does) comes before PREP in server_config.json (the framework runs the first
  engine that has the rule; irods server/re/include/irods/irods_re_plugin.hpp ``control``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from b2safe.ops.checks import CRITICAL, OK, UNKNOWN, WARNING, Check
from b2safe.ops.core_py import shadowing_definitions
from b2safe.ops.install import (
    _IMPORT_RE,
    NREP_PLUGIN,
    PYTHON_PLUGIN,
    parse_server_config,
)

DEFAULT_PEP_REGEXES = ("ac[^ ]*", "[^ ]*pep_[^ ]*_(pre|post)")
NREP_PEP_REGEXES = ("[^ ]*pep_[^ ]*_(pre|post|except|finally)",)


def exposed_rules(core_text: str, rule_names: set[str]) -> set[str]:
    """b2safe's rules that core.py exposes: all of them after the b2safe import, minus those a
    later definition replaces (none when core.py does not import b2safe or does not parse)."""
    if not _IMPORT_RE.search(core_text):
        return set()
    try:
        empty, other = shadowing_definitions(core_text, rule_names)
    except SyntaxError:
        return set()
    return set(rule_names) - set(empty) - set(other)


def pep_regexes(engines: list[dict[str, Any]]) -> list[str]:
    """The PEP regexes the rule engines register (the union; PREP's defaults when it has none)."""
    regexes: list[str] = []
    for engine in engines:
        name = str(engine.get("plugin_name", ""))
        configured = (engine.get("plugin_specific_configuration") or {}).get(
            "regexes_for_supported_peps")
        if isinstance(configured, list) and configured:
            regexes += [str(r) for r in configured]
        elif name == PYTHON_PLUGIN:
            regexes += DEFAULT_PEP_REGEXES
        elif name == NREP_PLUGIN:
            regexes += NREP_PEP_REGEXES
    return regexes


def python_answers_static_peps(engines: list[dict[str, Any]]) -> bool:
    """True when no native rule language engine comes before PREP."""
    for engine in engines:
        name = str(engine.get("plugin_name", ""))
        if name == PYTHON_PLUGIN:
            return True
        if name == NREP_PLUGIN:
            return False
    return False


def uncovered_routes(exposed: set[str], regexes: list[str], static_ok: bool,
                     routes: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """{route: the PEPs it misses, with why} for the routes not covered (see module docstring)."""
    missing: dict[str, list[str]] = {}
    for route, peps in routes.items():
        why = []
        for pep in peps:
            if pep not in exposed:
                why.append(f"{pep} (not b2safe's in core.py)")
            elif not any(re.fullmatch(r, pep) for r in regexes):
                why.append(f"{pep} (no PEP regex matches it)")
            elif pep.startswith("ac") and not static_ok:
                why.append(f"{pep} (the native rule language answers it before Python)")
        if why:
            missing[route] = why
    return missing


def check_routes(config_dir: Path, rule_names: set[str]) -> Check:
    """Which upload routes the policies see on this server (see module docstring)."""
    from b2safe.ruleset.ingest import ROUTE_HOOKS

    try:
        core = (config_dir / "core.py").read_text(encoding="utf-8")
        config_path = config_dir / "server_config.json"
        engines = parse_server_config(config_path.read_text(encoding="utf-8"),
                                      str(config_path))["plugin_configuration"]["rule_engines"]
    except OSError as exc:
        return Check("upload-routes", UNKNOWN, f"cannot read {exc.filename}: {exc.strerror}")
    except Exception as exc:  # InstallError: a malformed server_config.json, explained
        return Check("upload-routes", UNKNOWN, str(exc))
    missing = uncovered_routes(exposed_rules(core, rule_names), pep_regexes(engines),
                               python_answers_static_peps(engines), ROUTE_HOOKS)
    total = len(ROUTE_HOOKS)
    if not missing:
        return Check("upload-routes", OK, f"upload policies see all {total} upload routes "
                                          "(docs/policies.md)")
    state = CRITICAL if len(missing) == total else WARNING
    detail = "; ".join(f"{route}: {', '.join(why)}" for route, why in missing.items())
    return Check("upload-routes", state,
                 f"upload policies miss {len(missing)} of {total} routes: {detail}. Delete the "
                 "definitions after the b2safe import in core.py, add the PEP names to "
                 "regexes_for_supported_peps, or put Python first (see docs/policies.md)")
