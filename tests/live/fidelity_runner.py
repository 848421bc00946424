"""Run the sandbox's fidelity rule files on an iRODS server and compare with their expectation.

What irule -F does with a Python rule file (irods_client_icommands src/irule.cpp@5.0.2 L300-312:
the text before the INPUT line, after ``@external\\n``, goes to rcExecMyRule with the INPUT
parameters and the Python engine named), done through python-irodsclient's rule call
(``irods.rule.Rule``; EXEC_MY_RULE_AN), so the same code runs against a live server and against
the fake server of tests/ops/fake_irods.py. Per case:

1. a set-up rule makes ``<base>/<name>`` afresh holding ``a.txt`` with the fixture's content (what
   tests/emulator/fidelity/conftest.py does in the sandbox), through msiRmColl, msiCollCreate,
   msiDataObjCreate/Write/Close;
2. the case runs with ``*coll="<base>/<name>"``;
3. its ruleExecOut, with ``<base>/<name>`` written back as the sandbox's
   ``/tempZone/home/rods/<name>``, must match ``<name>.expected`` (the sandbox's recorded
   expectation; ``<INT>`` and ``<TIME>`` as in test_fidelity_rules.assert_matches);
4. the collection is removed.

Test-only; not shipped.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

FIDELITY = Path(__file__).resolve().parents[1] / "emulator" / "fidelity"
PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"
#: Where the sandbox ran each case (the expectations name it).
SANDBOX_HOME = "/tempZone/home/rods"
#: Cases python-irodsclient cannot run: the server asks the client to move a local file
#: (lib/api/src/rcExecMyRule.cpp@5.0.2 L41-83), which only irule answers.
NEEDS_IRULE = {"msiDataObjPut"}

_SETUP = '''def main(rule_args, callback, rei):
    coll = irods_rule_vars['*coll'][1:-1]
    try:
        callback.msiRmColl(coll, 'forceFlag=', 0)
    except RuntimeError:
        pass
    callback.msiCollCreate(coll, 1, 0)
    fd = callback.msiDataObjCreate(coll + '/a.txt', 'forceFlag=', 0)['arguments'][2]
    callback.msiDataObjWrite(fd, %r, 0)
    callback.msiDataObjClose(fd, 0)
'''
_CLEANUP = '''def main(rule_args, callback, rei):
    callback.msiRmColl(irods_rule_vars['*coll'][1:-1], 'forceFlag=', 0)
'''


def _load(name: str, filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, FIDELITY / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_rules = _load("fidelity_rules", "test_fidelity_rules.py")
CONTENT: bytes = _load("fidelity_fixture", "conftest.py").CONTENT
ALL: list = _rules.ALL
RULES: Path = _rules.RULES
assert_matches = _rules.assert_matches


@dataclass
class Outcome:
    """What the server answered: its status, the rule's stdout and the error stack."""

    status: int
    stdout: str
    errors: list = field(default_factory=list)


def exec_python_rule(session: Any, text: str, inputs: dict[str, str]) -> Outcome:
    """Run ``text`` (a Python rule file's rule part) with ``inputs`` ({'*coll': '"/x"'}) on the
    Python engine, as irule -r irods_rule_engine_plugin-python-instance -F does."""
    from irods.exception import FAIL_ACTION_ENCOUNTERED_ERR
    from irods.rule import Rule

    from b2safe.cli.live import error_stack, stdout_of

    rule = Rule(session, body="", params=dict(inputs), output="ruleExecOut",
                instance_name=PYTHON_INSTANCE)
    rule.body = "@external\n" + text
    replies: list = []
    try:
        result = rule.execute(session_cleanup=False, return_message=replies,
                              acceptable_errors=(FAIL_ACTION_ENCOUNTERED_ERR,))
    except Exception as exc:  # the server's error, as python-irodsclient raises it
        code = getattr(exc, "code", None)
        return Outcome(code if isinstance(code, int) else -1, "",
                       error_stack(getattr(exc, "server_msg", None)) or [(-1, repr(exc))])
    reply = replies[0] if replies else None
    status = int(getattr(reply, "int_info", 0) or 0)
    return Outcome(status, stdout_of(result), error_stack(reply) if status < 0 else [])


def _rule_part(path: Path) -> tuple[str, dict[str, str]]:
    """The rule text and INPUT values of a rule file, split as irule splits it."""
    from b2safe_sandbox.rulefile import parse_rule_file

    parsed = parse_rule_file(path.read_text(encoding="utf-8"))
    return parsed.python_text, dict(parsed.inputs)


def _checked(outcome: Outcome, what: str) -> Outcome:
    if outcome.status < 0:
        raise AssertionError(f"{what} failed on the server: status {outcome.status}, "
                             f"errors {outcome.errors}")
    return outcome


def prepare(session: Any, coll: str) -> None:
    """Make ``coll`` afresh with ``a.txt`` holding the fixture's content."""
    _checked(exec_python_rule(session, _SETUP % CONTENT.decode("utf-8"),
                              {"*coll": f'"{coll}"'}), f"setting up {coll}")


def remove(session: Any, coll: str) -> None:
    """Remove ``coll`` and what it holds (a failure is ignored: nothing to clean)."""
    exec_python_rule(session, _CLEANUP, {"*coll": f'"{coll}"'})


def run_case(session: Any, name: str, coll: str, rules: Path = RULES) -> str:
    """The ruleExecOut of case ``name`` run in ``coll``, with ``coll`` written as the sandbox's
    collection of the case."""
    text, inputs = _rule_part(rules / f"{name}.r")
    inputs["*coll"] = f'"{coll}"'
    if name in NEEDS_IRULE:
        out = _run_with_irule(rules / f"{name}.r", coll)
    else:
        out = _checked(exec_python_rule(session, text, inputs), f"case {name}").stdout
    return out.replace(coll, f"{SANDBOX_HOME}/{name}")


def _run_with_irule(rule: Path, coll: str) -> str:
    irule: Optional[str] = shutil.which("irule")
    if irule is None:
        import pytest

        pytest.skip(f"{rule.stem} needs the irule icommand (the server asks the client to move "
                    "a local file), which is not on PATH")
    proc = subprocess.run([irule, "-r", PYTHON_INSTANCE, "-F", str(rule), f'*coll="{coll}"'],
                          capture_output=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"irule failed ({proc.returncode}): {proc.stderr.decode()}")
    return proc.stdout.decode()


def check_case(session: Any, name: str, base: str, rules: Path = RULES) -> None:
    """Set up, run and compare case ``name`` under collection ``base``; AssertionError naming
    the first line that differs from ``<name>.expected``."""
    coll = f"{base.rstrip('/')}/{name}"
    prepare(session, coll)
    try:
        out = run_case(session, name, coll, rules)
        assert_matches(out, (rules / f"{name}.expected").read_text(encoding="utf-8"))
    finally:
        remove(session, coll)
