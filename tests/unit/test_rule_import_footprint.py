"""What loading the rule base costs: every agent imports core.py (PREP's entry) before its first
rule runs, so core.py must not import what only some rules need (issue 19, start cost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Imported on first use by the rules that need them, never by loading the rule base: the HTTP
#: stacks (the ARGO publisher's and pyhandle's requests), the PID client, the configuration's
#: schema validator (loaded with the configuration at the first call), and the workflows of
#: integrity checks, sweeps and replication with their signed state.
NOT_AT_LOAD = (
    "requests", "urllib3", "charset_normalizer", "idna", "pyhandle", "jsonschema",
    "referencing", "b2safe.adapters.handle.rest", "b2safe.adapters.messaging.argo",
    "b2safe.workflows.integrity", "b2safe.workflows.sweeps", "b2safe.workflows.check_batches",
    "b2safe.workflows.replication", "b2safe.workflows.removal", "b2safe.state.signing",
    "b2safe.ruleset.responses",
)


def _modules_after_loading_core() -> tuple[set[str], list[str]]:
    """(modules loaded, rule names) of a fresh interpreter that ran this checkout's core.py as
    PREP does (its namespace is the rule base)."""
    script = (
        "import json, runpy, sys\n"
        "core = runpy.run_path(sys.argv[1], run_name='core')\n"
        "rules = sorted(k for k in core if not k.startswith('__'))\n"
        "print(json.dumps([sorted(sys.modules), rules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script, str(ROOT / "core.py")], cwd=ROOT,
                            env=env, capture_output=True, text=True, check=True)
    modules, rules = json.loads(result.stdout)
    return set(modules), rules


def test_loading_the_rule_base_imports_only_what_every_rule_needs():
    modules, rules = _modules_after_loading_core()
    loaded = sorted(name for name in NOT_AT_LOAD
                    if any(m == name or m.startswith(name + ".") for m in modules))
    assert loaded == [], f"core.py imports {loaded} when it loads"
    # ... and still declares every rule (the registry is complete without those imports).
    from b2safe.ruleset import __all__ as registry

    assert rules == sorted(registry)


def test_the_integrity_batch_rule_is_declared_under_the_workflows_name():
    # ruleset/integrity.py names the batch rule itself, so that declaring it does not import
    # the integrity workflow; both names must stay one.
    from b2safe.ruleset import integrity
    from b2safe.workflows import check_batches

    assert integrity.BATCH_RULE == check_batches.BATCH_RULE
