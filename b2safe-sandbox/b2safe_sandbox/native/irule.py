"""``irule -r irods_rule_engine_plugin-irods_rule_language-instance -F file.r`` in a zone.

A rule-language rule file is rule definitions followed by ``INPUT`` and ``OUTPUT`` lines (the
same directives as the Python form, :mod:`b2safe_sandbox.rulefile`). The first rule runs with the
inputs as global variables (``rules.cpp`` ``parseAndComputeRuleAdapter``); irule then prints
what the rule wrote to ``stdout`` and ``*name = value`` for every other OUTPUT variable.

Guess: the irule client removes one pair of quotes around an INPUT value for this engine, so
``INPUT *home=''`` gives the empty string the 4.x rule files test with ``*home == ''``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

from b2safe_sandbox import rulefile
from b2safe_sandbox.native import entry
from b2safe_sandbox.native.values import UNSPEC, to_str
from b2safe_sandbox.runtime.errtext import error_name


def input_value(raw: str) -> str:
    """An INPUT value as the rule sees it (:func:`b2safe_sandbox.rulefile.unquoted`)."""
    return rulefile.unquoted(raw)


def run(ctx: Any, text: str, overrides: tuple = (),
        inputs: Optional[dict] = None) -> tuple[str, int, str]:
    """Run rule-file ``text`` as ``ctx``'s client; returns (printed output, code, error).
    ``inputs`` (raw values by label) replace the file's INPUT line: irule's command-line
    form."""
    parsed = rulefile.parse_rule_file(text)
    if inputs is not None:
        parsed = replace(parsed, inputs=dict(inputs))
    if overrides:
        parsed = rulefile.apply_overrides(parsed, list(overrides))
    out: list[str] = []
    ctx.stdout = out
    values = {label: input_value(value) for label, value in parsed.inputs.items()}
    outcome = entry.exec_rule_text(ctx, parsed.python_text, values, parsed.outputs)
    for label in parsed.outputs:
        if label == "ruleExecOut":
            continue
        value = outcome.variables.get(label, UNSPEC)
        if value is not UNSPEC:
            out.append(f"{label} = {to_str(value)}\n")
    error = ""
    if outcome.code < 0:
        error = f"{error_name(outcome.code) or 'error'} ({outcome.code}): {outcome.message}"
    return "".join(out), outcome.code, error
