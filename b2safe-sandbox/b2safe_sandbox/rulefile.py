"""Parsing of ``irule -F file.r`` texts for the Python rule engine (prep-runtime.md §1.4).

A Python rule file is Python text followed by an ``INPUT`` line and an ``OUTPUT`` line::

    def main(rule_args, callback, rei):
        callback.writeLine('stdout', irods_rule_vars['*name'][1:-1])
    INPUT *name="world", *n=3
    OUTPUT ruleExecOut

``INPUT null`` means no inputs. Input values are kept *raw*, quotes included, because that is
what PREP puts in ``irods_rule_vars`` (hence the ``[1:-1]`` idiom). Command-line overrides
(``irule -F f.r '*name="you"'``) replace or add inputs, keeping their quotes too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Tuple

from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, IrodsCallError

_INPUT_RE = re.compile(r"^INPUT(?:\s+(.*))?$")
_OUTPUT_RE = re.compile(r"^OUTPUT(?:\s+(.*))?$")
_LABEL_RE = re.compile(r"^\*?[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class RuleFile:
    """A parsed rule file: the Python text, inputs (label -> raw value) and output labels."""

    python_text: str
    inputs: Dict[str, str] = field(default_factory=dict)
    outputs: Tuple[str, ...] = ()


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
    """Split rule-file text into Python text, inputs and outputs.

    Lines starting (at column 0) with ``INPUT`` or ``OUTPUT`` followed by a space or the end of the
    line are the directives, wherever they stand (the irule client reads the file line by line);
    every other line is Python. A missing ``OUTPUT`` line gives no outputs.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for a malformed INPUT item.
    """
    python_lines: List[str] = []
    inputs: Dict[str, str] = {}
    outputs: Tuple[str, ...] = ()
    for line in text.splitlines():
        stripped = line.rstrip()
        match_in = _INPUT_RE.match(stripped)
        match_out = _OUTPUT_RE.match(stripped)
        if match_in:
            inputs = parse_inputs(match_in.group(1) or "")
        elif match_out:
            items = (match_out.group(1) or "").strip()
            outputs = () if items in ("", "null") else tuple(
                o.strip() for o in items.split(",") if o.strip())
        else:
            python_lines.append(line)
    python_text = "\n".join(python_lines).rstrip() + "\n"
    return RuleFile(python_text=python_text, inputs=inputs, outputs=outputs)


def apply_overrides(rulefile: RuleFile, overrides: Iterable[str]) -> RuleFile:
    """A copy of ``rulefile`` with command-line ``'*x="v"'`` overrides applied (raw values).

    Guess: irule adds labels that the INPUT line does not name rather than rejecting them.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for a malformed override.
    """
    inputs = dict(rulefile.inputs)
    for item in overrides:
        label, value = parse_assignment(item)
        inputs[label] = value
    return replace(rulefile, inputs=inputs)


def format_inputs(inputs: Dict[str, str]) -> str:
    """The ``INPUT`` line text for ``inputs`` (``null`` when empty)."""
    if not inputs:
        return "null"
    return ", ".join(f"{label}={value}" for label, value in inputs.items())
