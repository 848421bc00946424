"""Fixtures for the rule-language engine tests: two federated zones whose core.py has a few
Python rules, so calls can cross engines, and helpers to run rule text as a client."""

from __future__ import annotations

import textwrap

import pytest
from b2safe_sandbox.sandbox import Sandbox

CORE = '''
def py_echo(rule_args, callback, rei):
    rule_args[1] = "echo:" + rule_args[0]

def py_fail(rule_args, callback, rei):
    raise RuntimeError("[iRods__Error__Code:-130000] refused")

def py_calls_native(rule_args, callback, rei):
    result = callback.native_double(rule_args[0], "")
    rule_args[1] = result["arguments"][1]
'''


@pytest.fixture
def nsb(tmp_path) -> Sandbox:
    sandbox = Sandbox.create(tmp_path / "sb", zones=("zoneA", "zoneB"),
                             core_py=textwrap.dedent(CORE))
    yield sandbox
    sandbox.close()
