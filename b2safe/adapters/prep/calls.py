"""Python rule text that calls a rule: for the delay queue and for remote execution.

PREP runs delay-rule text as the body of a function with ``callback`` in scope, and remote text
(py_remote) as a module defining ``main(rule_args, callback, rei)``. Every such text b2safe
queues or sends is a :class:`DelayedCall` rendered by :meth:`DelayedCall.to_text`, each argument
quoted with ``repr`` so any path is safe (quotes, backslashes, non-ASCII); the delay queue's
texts are read back by :meth:`DelayedCall.from_text`, its inverse, right beside it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"


@dataclass(frozen=True)
class DelayedCall:
    """A call of ``rule`` with string ``args`` (pass '' for OUT places)."""

    rule: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.rule.isidentifier():
            raise ValueError(f"{self.rule!r} is not a rule name")

    def to_text(self) -> str:
        """``callback.RULE('a', 'b')``: one statement calling the rule."""
        return f"callback.{self.rule}({', '.join(repr(str(a)) for a in self.args)})"

    @classmethod
    def from_text(cls, text: str) -> Optional[DelayedCall]:
        """The call ``text`` (as :meth:`to_text` writes it) makes; None for any other text."""
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError:
            return None
        call = tree.body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "callback"
                and not call.keywords):
            return None
        args = []
        for arg in call.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                return None
            args.append(arg.value)
        return cls(call.func.attr, tuple(args))

    def remote_main(self) -> str:
        """A module for py_remote whose ``main`` makes this call."""
        return f"def main(rule_args, callback, rei):\n    {self.to_text()}\n"


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
