"""Parsing of ``irule -F file.r`` texts for the Python rule engine (prep-runtime.md §1.4).

A Python rule file is Python text followed by an ``INPUT`` line and an ``OUTPUT`` line::

    def main(rule_args, callback, rei):
        callback.writeLine('stdout', irods_rule_vars['*name'][1:-1])
    INPUT *name="world", *n=3
    OUTPUT ruleExecOut

``INPUT null`` means no inputs. Input values are kept *raw*, quotes included, because that is
what PREP puts in ``irods_rule_vars`` (hence the ``[1:-1]`` idiom). Command-line overrides
(``irule -F f.r '*name="you"'``) replace inputs named on the INPUT line, keeping their quotes
too; others are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Tuple

from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, IrodsCallError

#: irule reads a line as a directive when it starts with one of these spellings (irods_client_
#: icommands src/irule.cpp@5.0.2 L336-345: startsWith "INPUT"/"input", "OUTPUT"/"output"; the
#: rest of the line, trimmed, is the parameter list).
_INPUT_WORDS = ("INPUT", "input")
_OUTPUT_WORDS = ("OUTPUT", "output")
_LABEL_RE = re.compile(r"^\*?[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class RuleFile:
    """A parsed rule file: the Python text, inputs (label -> raw value) and output labels."""

    python_text: str
    inputs: Dict[str, str] = field(default_factory=dict)
    outputs: Tuple[str, ...] = ()
    #: Command-line overrides irule ignored (their label is not on the INPUT line).
    ignored: Tuple[str, ...] = ()


class IncompleteRuleFile(ValueError):
    """The file has no OUTPUT line: irule logs "Incomplete rule input" and exits 2 without
    contacting the server (irule.cpp@5.0.2 L392-395)."""


def _bad(message: str) -> IrodsCallError:
    return IrodsCallError(message, code=INPUT_ARG_NOT_WELL_FORMED_ERR, operation="irule")


def split_outside_quotes(text: str, sep: str = ",") -> List[str]:
    """Split ``text`` on ``sep`` where it is not inside single or double quotes."""
    parts: List[str] = []
    current: List[str] = []
    quote = ""
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
            current.append(ch)
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_assignment(item: str) -> Tuple[str, str]:
    """``'*a="v"'`` -> ``('*a', '"v"')``; the label gains a ``*`` if it has none.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR when there is no ``=`` or no valid label.
    """
    label, eq, value = item.strip().partition("=")
    label = label.strip()
    if not eq or not _LABEL_RE.match(label):
        raise _bad(f"bad input {item.strip()!r} (expected *name=value)")
    if not label.startswith("*"):
        label = "*" + label
    return label, value.strip()


def split_multi_str(text: str) -> List[str]:
    """``text`` split on ``%`` as irule splits its command-line inputs: ``%%`` is a literal
    ``%``, quotes are not special (lib/core/src/rcMisc.cpp ``splitMultiStr``, called by
    clients/icommands/src/irule.cpp ``parseParameters``)."""
    return [part.replace("\0", "%") for part in text.replace("%%", "\0").split("%")]


def parse_multi_inputs(text: str) -> Dict[str, str]:
    """The inputs of irule's command-line input argument (``*a=1%*b=2``; ``null`` or empty
    -> none), raw values as on an INPUT line."""
    text = (text or "").strip()
    if text in ("", "null"):
        return {}
    return dict(parse_assignment(item) for item in split_multi_str(text) if item.strip())


def parse_inputs(text: str) -> Dict[str, str]:
    """The inputs of an ``INPUT`` line's text (``null`` or empty -> no inputs)."""
    text = (text or "").strip()
    if text in ("", "null"):
        return {}
    inputs: Dict[str, str] = {}
    for item in split_outside_quotes(text):
        if not item.strip():
            continue
        label, value = parse_assignment(item)
        inputs[label] = value
    return inputs


def parse_rule_file(text: str) -> RuleFile:
    """Split rule-file text into Python text, inputs and outputs, as irule reads it.

    Lines are Python until one starting (column 0) with ``INPUT``/``input``; the line starting
    with ``OUTPUT``/``output`` ends the file: what follows it is never sent (irule.cpp@5.0.2
    L312-386, ``break`` after OUTPUT).

    Raises:
        IncompleteRuleFile: no OUTPUT line (irule exits 2).
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for a malformed INPUT item.
    """
    python_lines: List[str] = []
    inputs: Dict[str, str] = {}
    outputs: Optional[Tuple[str, ...]] = None
    for line in text.splitlines():
        if line.startswith(_INPUT_WORDS):
            inputs = parse_inputs(line[len("INPUT"):].strip())
        elif line.startswith(_OUTPUT_WORDS):
            items = line[len("OUTPUT"):].strip()
            outputs = () if items in ("", "null") else tuple(
                o.strip() for o in items.split(",") if o.strip())
            break
        else:
            python_lines.append(line)
    if outputs is None:
        raise IncompleteRuleFile("Incomplete rule input: the file has no OUTPUT line")
    python_text = "\n".join(python_lines).rstrip() + "\n"
    return RuleFile(python_text=python_text, inputs=inputs, outputs=outputs)


def apply_overrides(rulefile: RuleFile, overrides: Iterable[str]) -> RuleFile:
    """A copy of ``rulefile`` with command-line ``'*x="v"'`` overrides applied (raw values).

    An override whose label is not on the INPUT line is ignored and listed in ``ignored``
    (irule prints ``Ignoring Argument "..."``: irule.cpp@5.0.2 L630-641).

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for a malformed override.
    """
    inputs = dict(rulefile.inputs)
    ignored: List[str] = []
    for item in overrides:
        label, value = parse_assignment(item)
        if label in inputs:
            inputs[label] = value
        else:
            ignored.append(item)
    return replace(rulefile, inputs=inputs, ignored=tuple(ignored))


def format_inputs(inputs: Dict[str, str]) -> str:
    """The ``INPUT`` line text for ``inputs`` (``null`` when empty)."""
    if not inputs:
        return "null"
    return ", ".join(f"{label}={value}" for label, value in inputs.items())


def unquoted(raw: str) -> str:
    """An INPUT value as a rule-language rule sees it (one pair of matching quotes removed).

    Guess: the irule client removes one pair of quotes around an INPUT value for the rule
    language, so ``INPUT *home=''`` gives the empty string the 4.x rule files test with
    ``*home == ''``.
    """
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in ("'", '"'):
        return raw[1:-1]
    return raw
