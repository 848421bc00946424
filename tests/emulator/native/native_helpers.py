"""Helpers for the rule-language engine tests."""

from __future__ import annotations

import textwrap

from b2safe_sandbox.sandbox import Sandbox


def install_rulebase(sandbox: Sandbox, zone: str, text: str, name: str = "core") -> None:
    """Write ``/etc/irods/<name>.re`` of ``zone`` (the default rule base set is ["core"])."""
    (sandbox.zone(zone).config_dir / f"{name}.re").write_text(textwrap.dedent(text),
                                                              encoding="utf-8")


def run(sandbox: Sandbox, text: str, user: str = "alice#zoneA", overrides: tuple = ()):
    """irule -r <rule language> -F <text> as ``user``; returns the IruleResult."""
    return sandbox.client(user).irule_native(textwrap.dedent(text), overrides)


def lines(sandbox: Sandbox, body: str, user: str = "alice#zoneA") -> list[str]:
    """stdout lines of ``t { body }`` run as ``user``; fails the test on a rule error."""
    result = run(sandbox, "t {\n" + textwrap.dedent(body) + "\n}\nINPUT null\nOUTPUT ruleExecOut\n",
                 user)
    assert result.code == 0, result.error
    return result.stdout.splitlines()
