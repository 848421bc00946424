"""The zone's other rule engine, the iRODS rule language (NREP), as the runtime reaches it.

On a server the rule engine plugin framework asks each configured engine in turn
(``irods_re_plugin.hpp``); the Python engine here hands a name it does not know, and a delayed
rule of the NREP instance, to the engine registered below. :mod:`b2safe_sandbox.native.entry`
registers itself when imported (the sandbox facade imports it), so this module stays a leaf and
the runtime does not import the rule-language engine that calls back into it.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol


class RuleLanguageEngine(Protocol):
    """What the Python engine asks of the rule-language engine."""

    def rule_exists(self, ctx: Any, name: str) -> bool:
        """Whether the zone's rule base defines rule ``name``."""

    def exec_rule(self, ctx: Any, name: str, args: list) -> int:
        """Run rule ``name`` (string parameters written back into ``args``); its code."""

    def exec_rule_expression(self, ctx: Any, text: str,
                             variables: Optional[dict] = None) -> int:
        """Run delayed rule text; its code."""

    def exec_rule_text(self, ctx: Any, text: str, inputs: dict, outputs: tuple = ()) -> Any:
        """irule's rule text (its first rule runs); an outcome with ``code``, ``message`` and
        the ``variables`` at the end."""

    def remote_exec_text(self, ctx: Any, host: str, text: str) -> None:
        """``remoteExec``: run rule text on the zone serving ``host`` as the same client.

        Raises:
            IrodsCallError: unknown or unreachable host (errors of the text are logged there).
        """


_NATIVE: Optional[RuleLanguageEngine] = None


def register_native(engine: RuleLanguageEngine) -> None:
    """Make ``engine`` the zones' rule-language engine."""
    global _NATIVE
    _NATIVE = engine


def native() -> RuleLanguageEngine:
    """The registered rule-language engine.

    Raises:
        RuntimeError: none is registered (b2safe_sandbox.native.entry was not imported).
    """
    if _NATIVE is None:
        raise RuntimeError("no rule language engine registered: import b2safe_sandbox.native.entry")
    return _NATIVE
