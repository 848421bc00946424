"""Python rule text that calls a rule: for the delay queue and for remote execution.

PREP runs delay-rule text as the body of a function with ``callback`` in scope, and remote text
(py_remote) as a module defining ``main(rule_args, callback, rei)``. Every such text b2safe
queues or sends is composed here, from a rule name and string arguments, each quoted with
``repr`` so any path is safe (quotes, backslashes, non-ASCII).
"""

from __future__ import annotations

PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"


def rule_call(rule: str, *args: str) -> str:
    """``callback.RULE('a', 'b')``: one statement calling ``rule`` (pass '' for OUT places)."""
    if not rule.isidentifier():
        raise ValueError(f"{rule!r} is not a rule name")
    return f"callback.{rule}({', '.join(repr(str(a)) for a in args)})"


def remote_main(rule: str, *args: str) -> str:
    """A module for py_remote whose ``main`` calls ``rule``."""
    return f"def main(rule_args, callback, rei):\n    {rule_call(rule, *args)}\n"


def delay_condition(delay: str, frequency: str = "") -> str:
    """A delayExec condition for the Python instance: after ``delay``, repeating per
    ``frequency`` (the EF grammar, e.g. ``1h REPEAT FOR EVER``) when given."""
    condition = f"<INST_NAME>{PYTHON_INSTANCE}</INST_NAME><PLUSET>{delay}</PLUSET>"
    return condition + (f"<EF>{frequency}</EF>" if frequency else "")


def instance_tag() -> str:
    """The ``<INST_NAME>`` tag py_remote needs."""
    return f"<INST_NAME>{PYTHON_INSTANCE}</INST_NAME>"


#: How queued batches are retried: soon after a failure, a bounded number of times, never
#: repeated after success.
BATCH_RETRY = "10m REPEAT UNTIL SUCCESS OR 6 TIMES"
