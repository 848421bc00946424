"""The grammar reads every rule file and rule base file of B2SAFE 4.2 (rulebase/*.re,
rules/*.r of EUDAT-B2SAFE/B2SAFE-core), taken from a local mirror of that repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from b2safe_sandbox.native import grammar
from b2safe_sandbox.rulefile import parse_rule_file

MIRROR = Path(os.environ.get("B2SAFE_4X_REPO", "/work/.mirror/EUDAT-B2SAFE+B2SAFE-core/repo"))


def _files() -> list[tuple[str, str]]:
    if not MIRROR.exists():
        return []
    names = subprocess.run(["git", "-C", str(MIRROR), "ls-tree", "-r", "--name-only", "HEAD",
                            "rules/", "rulebase/"], capture_output=True, text=True,
                           check=True).stdout.split()
    return [(name, subprocess.run(["git", "-C", str(MIRROR), "show", f"HEAD:{name}"],
                                  capture_output=True, text=True, check=True).stdout)
            for name in names if name.endswith((".r", ".re"))]


FILES = _files()


@pytest.mark.skipif(not FILES, reason="no B2SAFE-core mirror (set B2SAFE_4X_REPO)")
@pytest.mark.parametrize("name,text", FILES, ids=[n for n, _ in FILES])
def test_every_4x_rule_file_parses(name, text):
    if name.endswith(".r"):
        text = parse_rule_file(text).python_text
    rules = grammar.parse(text, where=name)
    assert rules, name


def test_the_4x_rulebase_defines_75_rule_names():
    if not FILES:
        pytest.skip("no B2SAFE-core mirror (set B2SAFE_4X_REPO)")
    names = {rule.name for name, text in FILES if name.endswith(".re")
             for rule in grammar.parse(text, where=name)}
    assert len(names) == 75
