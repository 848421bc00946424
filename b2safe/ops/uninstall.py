"""``b2safe uninstall``: take the b2safe rules off an iRODS server (what ``install`` did, undone).

In the server's config directory:

1. ``core.py``: deleted when it is exactly the file ``install`` writes; otherwise the import block
   ``install`` added (or any ``from b2safe.ruleset import *`` line) is removed and the site's own
   rules stay.
2. ``server_config.json``: the Python rule engine stanza is removed only when ``core.py`` is
   deleted (PREP with no ``core`` module fails every rule lookup, so the stanza cannot stay; when
   other Python rules remain, it must).
3. ``b2safe.re`` is deleted and ``b2safe`` taken out of the rule language's ``re_rulebase_set``.
4. ``b2safe.json``, the credentials and the signing secret are kept (they hold the site's
   settings and secrets; delete them by hand), and so are queued delay rules (listed as a next
   step: ``iqdel``).

Files are written as ``install`` writes them (owner, group and mode kept, backups, nothing
changed when refused); ``--dry-run`` shows the diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from b2safe.ops.install import (
    _IMPORT_RE,
    _SITEDIR_RE,
    PYTHON_PLUGIN,
    Change,
    InstallError,
    InstallPlan,
    _indent_of,
    _read,
    apply_plan,
    core_py_text,
    merge_block,
    parse_server_config,
    sitedir_in,
)


def strip_core(text: str) -> Optional[str]:
    """``core.py`` without b2safe's import: None to delete the file, ``text`` when unchanged.

    The block ``install`` inserted is removed with the blank lines it added around itself
    (:func:`b2safe.ops.install.merge_core`), so a merged file comes back as it was; a hand-added
    import line is removed on its own.
    """
    sitedir = sitedir_in(text)
    if text == core_py_text(sitedir):
        return None
    added = merge_block(sitedir)
    for block in ("\n" + added + "\n", "\n" + added, added + "\n", added):
        if block in text:
            return text.replace(block, "", 1)
    return "".join(line for line in text.splitlines(keepends=True)
                   if not _IMPORT_RE.match(line) and not _SITEDIR_RE.match(line))


def remove_python_stanza(text: str, where: str) -> Optional[str]:
    """server_config.json without the Python rule engine stanza (None when it has none)."""
    data = parse_server_config(text, where)
    engines = data["plugin_configuration"]["rule_engines"]
    kept = [e for e in engines if e.get("plugin_name") != PYTHON_PLUGIN]
    if len(kept) == len(engines):
        return None
    data["plugin_configuration"]["rule_engines"] = kept
    return json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + "\n"


def remove_native_rulebase(text: str, where: str) -> Optional[str]:
    """server_config.json without ``b2safe`` in any ``re_rulebase_set`` (None when absent)."""
    from b2safe.rulebase import RULEBASE_NAME

    data = parse_server_config(text, where)
    changed = False
    for engine in data["plugin_configuration"]["rule_engines"]:
        names = engine.get("plugin_specific_configuration", {}).get("re_rulebase_set")
        if isinstance(names, list):
            kept = [n for n in names
                    if (n.get("filename") if isinstance(n, dict) else n) != RULEBASE_NAME]
            if len(kept) != len(names):
                engine["plugin_specific_configuration"]["re_rulebase_set"] = kept
                changed = True
    if not changed:
        return None
    return json.dumps(data, indent=_indent_of(text), ensure_ascii=False) + "\n"


def plan_uninstall(config_dir: Path) -> InstallPlan:
    """Plan the removal in ``config_dir`` (reads only). Raises InstallError when refused."""
    config_dir = Path(config_dir)
    server_path = config_dir / "server_config.json"
    if not server_path.is_file():
        raise InstallError(f"{config_dir} has no server_config.json, so it is not an iRODS "
                           "server's config directory: give --config-dir the directory that "
                           "holds it (normally /etc/irods). Nothing was changed.")
    plan = InstallPlan(config_dir)
    core_path = config_dir / "core.py"
    core_text = _read(core_path)
    core_deleted = False
    if core_text is None:
        plan.unchanged.append(f"{core_path}: absent")
    else:
        after = strip_core(core_text)
        if after is None:
            core_deleted = True
            plan.changes.append(Change(core_path, core_text, None, "removed (b2safe's core.py)"))
        elif after == core_text:
            plan.unchanged.append(f"{core_path}: does not import the b2safe rules")
        else:
            plan.changes.append(Change(core_path, core_text, after,
                                       "removed the b2safe import line"))
    server_text = _read(server_path) or ""
    server_after = remove_native_rulebase(server_text, str(server_path))
    what = [] if server_after is None else ["removed b2safe from re_rulebase_set"]
    if core_deleted:
        without_python = remove_python_stanza(server_after or server_text, str(server_path))
        if without_python is not None:
            server_after = without_python
            what.append("removed the Python rule engine stanza")
    else:
        parse_server_config(server_text, str(server_path))
        plan.unchanged.append(f"{server_path}: Python rule engine kept (core.py has other "
                              "rules)" if core_text else f"{server_path}: Python rule engine "
                              "unchanged")
    if server_after is not None:
        plan.changes.append(Change(server_path, server_text, server_after, "; ".join(what)))
    rulebase_path = config_dir / "b2safe.re"
    rulebase_text = _read(rulebase_path)
    if rulebase_text is not None:
        plan.changes.append(Change(rulebase_path, rulebase_text, None,
                                   "removed (b2safe's rule-language functions)"))
    plan.unchanged.append(f"{config_dir / 'b2safe.json'}: kept with the credentials (delete "
                          "by hand if no longer wanted)")
    return plan


def run_uninstall(args: argparse.Namespace) -> int:
    """The ``b2safe uninstall`` command: 0 done, 2 refused (nothing changed)."""
    try:
        plan = plan_uninstall(Path(args.config_dir))
        if args.dry_run:
            diff = plan.diff()
            print(diff if diff else "nothing to change", end="" if diff else "\n")
        else:
            backups = apply_plan(plan)
            for change in plan.changes:
                print(f"changed {change.path}: {change.reason}")
            for backup in backups:
                print(f"backup  {backup}")
    except InstallError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    for line in plan.unchanged:
        print(f"kept    {line}")
    print("\nnext steps:")
    steps = []
    if any(c.path.name == "server_config.json" for c in plan.changes):
        from b2safe.ops.install import RESTART_HINT

        steps.append(RESTART_HINT)
    steps.append("remove b2safe's queued delay rules: iqstat -a | grep -E "
                 "'EUDAT|b2safe', then iqdel ID for each")
    steps.append("remove the package from the irods account's Python: "
                 "python3 -m pip uninstall b2safe")
    for number, step in enumerate(steps, 1):
        print(f"  {number}. {step}")
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``uninstall`` to the ``b2safe`` command's sub-parsers."""
    from b2safe.ops.install import DEFAULT_CONFIG_DIR

    p = subparsers.add_parser(
        "uninstall", help="take the b2safe rules off this iRODS server",
        description=(__doc__ or "").splitlines()[0])
    p.add_argument("--config-dir", default=DEFAULT_CONFIG_DIR,
                   help="the server's config directory (default /etc/irods)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the unified diff of every change and change nothing")
    p.set_defaults(func=run_uninstall)
    return p
