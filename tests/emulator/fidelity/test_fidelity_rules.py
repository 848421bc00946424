"""Fidelity suite: one Python rule file per microservice, run through the shell interface.

Each ``rules/<name>.r`` (PREP ``python_rules`` style) runs with ``irule -F`` on a fresh-per-module
two-zone sandbox; its ``ruleExecOut`` must match ``rules/<name>.expected`` line by line, where
``<INT>`` stands for digits and ``<TIME>`` for a ``YYYY-MM-DD.hh:mm:ss`` time.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest
from b2safe_sandbox import cli

RULES = Path(__file__).resolve().parent / "rules"
ROOT = Path(__file__).resolve().parents[3]
ALL = sorted(p.stem for p in RULES.glob("*.r"))
#: Run through a real subprocess (``python -m b2safe_sandbox.cli``); the rest run in-process.
#: As tests/live/test_fidelity_live.py runs them: the Python engine named (irule -r).
PREP = "irods_rule_engine_plugin-python-instance"
VIA_SUBPROCESS = {"msiDataObjRsync", "msiObjStat", "msiExecCmd", "genquery_Query"}


def _pattern(line: str) -> str:
    escaped = re.escape(line)
    escaped = escaped.replace(re.escape("<INT>"), r"-?\d+")
    escaped = escaped.replace(re.escape("<TIME>"), r"\d{4}-\d{2}-\d{2}\.\d{2}:\d{2}:\d{2}")
    return "^" + escaped + "$"


def assert_matches(actual: str, expected: str) -> None:
    got: List[str] = actual.splitlines()
    want: List[str] = expected.splitlines()
    assert len(got) == len(want), f"line count differs:\n{actual}"
    for g, w in zip(got, want):
        assert re.match(_pattern(w), g), f"{g!r} does not match {w!r}"


def _run_in_process(directory: Path, rule: Path) -> tuple:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["irule", "--dir", str(directory), "-r", PREP, "-F", str(rule)])
    return code, out.getvalue(), err.getvalue()


def _run_subprocess(directory: Path, rule: Path) -> tuple:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "b2safe_sandbox.cli", "irule", "--dir", str(directory), "-r",
         PREP, "-F", str(rule)], capture_output=True, text=True, env=env, timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def test_every_rule_has_expected_output() -> None:
    assert len(ALL) >= 35
    for name in ALL:
        assert (RULES / f"{name}.expected").is_file(), name


@pytest.mark.parametrize("name", ALL)
def test_rule(name: str, fidelity_sandbox: Any) -> None:
    rule = RULES / f"{name}.r"
    runner = _run_subprocess if name in VIA_SUBPROCESS else _run_in_process
    code, out, err = runner(fidelity_sandbox, rule)
    assert code == 0, err
    assert_matches(out, (RULES / f"{name}.expected").read_text())


#: A citation of where an expectation comes from: a source file (a path with its extension,
#: optionally ``@tag``) followed by a line (``L123``, ``L12-34``) or by ``::name`` (an upstream
#: test, ``test_iquery.py::test_x``, or a function of that file).
CITATION = re.compile(r"[\w./-]+\.(?:cpp|hpp|h|py|l|y|r|re|json)(?:@[\w.]+)?\s*(?:L\d+|::\w+)")
#: The tests of this harness itself (their cases are the rule files).
HARNESS = {"test_every_rule_has_expected_output", "test_rule", "test_every_rule_cites_its_source",
           "test_every_fidelity_test_cites_its_source", "test_citation_check_can_fail",
           "test_matcher_can_fail"}


def header_of(rule_text: str) -> str:
    """The comment lines of a rule file before its ``def main``, joined (a citation may wrap)."""
    lines = []
    for line in rule_text.splitlines():
        if line.startswith("def main"):
            break
        if line.startswith("#"):
            lines.append(line[1:].strip())
    return " ".join(lines)


def cites(text: str) -> bool:
    """Whether ``text`` names a source line or an upstream test (:data:`CITATION`)."""
    return CITATION.search(re.sub(r"\n\s*#\s*", " ", text)) is not None


def uncited_tests(path: Path) -> list:
    """The test functions of a fidelity module whose decorators, docstring and comments cite
    nothing."""
    import ast

    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    return [node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
            and node.name not in HARNESS
            and not cites("\n".join(lines[_first_line(node) - 1:node.end_lineno]))]


def _first_line(node) -> int:
    """The function's first line, its decorators included (parametrize lists cite too)."""
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def test_every_rule_cites_its_source() -> None:
    """Each case's header names the source line or upstream test its expectation comes from."""
    missing = [name for name in ALL
               if not cites(header_of((RULES / f"{name}.r").read_text(encoding="utf-8")))]
    assert missing == []


def test_every_fidelity_test_cites_its_source() -> None:
    """The same for the Python cases of tests/emulator/fidelity: each test function cites."""
    here = Path(__file__).resolve().parent
    missing = {p.name: uncited_tests(p) for p in sorted(here.glob("test_*.py"))}
    assert {k: v for k, v in missing.items() if v} == {}


def test_citation_check_can_fail(tmp_path: Path) -> None:
    assert not cites(header_of("# Source: server/re/src/printMS.cpp writeLine\ndef main(): pass"))
    assert not cites(header_of("# see test_iquery.py\ndef main(): pass"))
    assert cites(header_of("# Source: server/re/src/printMS.cpp@5.0.2\n# L51\ndef main(): 0"))
    assert cites("scripts/irods/test/test_iquery.py::test_iquery_supports_OR_operator__issue_4069")
    module = tmp_path / "test_fidelity_x.py"
    module.write_text('def test_a():\n    """As the server does."""\n\n\n'
                      'def test_b():\n    # rsDataObjPut.cpp@5.0.2 L283\n    pass\n')
    assert uncited_tests(module) == ["test_a"]


def test_matcher_can_fail() -> None:
    with pytest.raises(AssertionError):
        assert_matches("unix: 12x", "unix: <INT>")
    with pytest.raises(AssertionError):
        assert_matches("a\nb", "a")
    assert_matches("unix: 01700000000", "unix: <INT>")


def test_irule_as_non_admin_fails_with_sys_no_api_priv(fidelity_sandbox: Any) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["irule", "--dir", str(fidelity_sandbox), "--user", "alice#tempZone",
                         "-r", "irods_rule_engine_plugin-python-instance",
                         "-F", str(RULES / "writeLine.r")])
    # PREP main.cpp@5.0.1 L729-737 refuses; rcExecMyRule failed: irule.cpp@5.0.2 L493 exit(4).
    assert code == 4
    assert "status = -13000 SYS_NO_API_PRIV" in err.getvalue()


def test_irule_override_keeps_quotes(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp@5.0.2 L312-395 (an override replaces the INPUT value text as written);
    # PREP src/main.cpp@5.0.1 L787 (irods_rule_vars holds the values as sent, quotes included).
    rule = tmp_path / "echo.r"
    rule.write_text("def main(rule_args, callback, rei):\n"
                    "    callback.writeLine('stdout', irods_rule_vars['*x'])\n"
                    'INPUT *x="default"\nOUTPUT ruleExecOut\n')
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["irule", "--dir", str(fidelity_sandbox), "-F", str(rule), '*x="given"'])
    assert code == 0
    assert out.getvalue() == '"given"\n'
