"""Parsing rule-language text with lark (grammar in ``nrep.lark``, LALR).

The grammar follows irods/irods ``plugins/rule_engines/irods_rule_language/src/parser.cpp``; see
the comments in ``nrep.lark``. A syntax error becomes :class:`~.values.RuleError` with
RE_PARSER_ERROR, as ``parseAndComputeRule`` reports it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lark

from b2safe_sandbox.native.values import RE_PARSER_ERROR, RuleError

_GRAMMAR = Path(__file__).with_name("nrep.lark")


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    # cache=True: the analysed LALR tables are kept in a temporary file (keyed by the grammar
    # and lark's version), so every process after the first (CLI commands, delay executors)
    # skips the ~0.5 s analysis.
    return lark.Lark(_GRAMMAR.read_text(encoding="utf-8"), parser="lalr",
                     propagate_positions=True, maybe_placeholders=False, cache=True)


@dataclass(frozen=True)
class RuleDef:
    """One definition of a rule: its name, parameter names and body (``rule_def``/``func_def``).

    ``source`` is the text it was parsed from (``remote``/``delay`` bodies are slices of it).
    """

    name: str
    params: tuple
    node: Any
    source: str = field(repr=False, default="")


def parse(text: str, where: str = "<rule text>") -> list[RuleDef]:
    """The rule definitions of ``text``, in order.

    Raises:
        RuleError: RE_PARSER_ERROR with the position of the syntax error.
    """
    try:
        tree = _parser().parse(text)
    except lark.exceptions.LarkError as exc:
        raise RuleError(RE_PARSER_ERROR, f"{where}: syntax error: {exc}".splitlines()[0]
                        + _context(exc)) from None
    rules = []
    for node in tree.children:
        name = str(node.children[0])
        params: tuple = ()
        if len(node.children) > 2 and getattr(node.children[1], "data", None) == "params":
            params = tuple(str(p) for p in node.children[1].children if p is not None)
        rules.append(RuleDef(name, params, node, text))
    return rules


def _context(exc: Exception) -> str:
    line = getattr(exc, "line", None)
    column = getattr(exc, "column", None)
    return f" (line {line}, column {column})" if line is not None else ""
