"""Argument conversion at the PREP boundary: B2SAFE boolean and count strings, output strings."""

from __future__ import annotations

from typing import Any

from b2safe.errors import InvalidInput

#: Strings B2SAFE rules have always accepted for true and false (compared case-insensitively).
TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
FALSE_STRINGS = frozenset({"false", "0", "no", "off", "none", "null", ""})


def to_bool(value: Any, name: str = "value") -> bool:
    """Convert a B2SAFE boolean argument ("true"/"false"/"True"/"None"/"" ...) to bool.

    Args:
        value: a str from ``rule_args`` (a real bool passes through).
        name: the parameter name, for the error message.

    Raises:
        InvalidInput: the string is none of the accepted spellings.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_STRINGS:
        return True
    if text in FALSE_STRINGS:
        return False
    raise InvalidInput(
        f"{name} must be a boolean (true/false/True/False/None), got {str(value)[:40]!r}"
    )


def to_count(text: str, name: str, maximum: int = 100000) -> int:
    """A count argument (a batch size, a limit): a whole number from 1 to ``maximum``.

    Raises:
        InvalidInput: ``text`` is not such a number (nothing was done).
    """
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise InvalidInput(f"{name} must be a number from 1 to {maximum}, not {text[:20]!r}")
    return int(text)


def to_output(value: Any) -> str:
    """Render a rule result as the string written back into ``rule_args``.

    None becomes "None" (B2SAFE's "no value"), booleans "true"/"false", everything else ``str``.
    """
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def strip_rule_var(raw: str) -> str:
    """The value of an ``irods_rule_vars`` entry: the raw text keeps its quotes; remove one pair."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw
