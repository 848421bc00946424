"""Rule-language text that calls rules, for ``remoteExec`` (the remote call any user may make).

``remoteExec(host, condition, text, recovery)`` runs ``remExec{text}`` in the rule language on
another server as the calling user (irods server/re/src/nre.systemMS.cpp); unlike ``py_remote``
it needs no rodsadmin, and a B2SAFE 4.x server understands it. The text is built here and only
here: every argument becomes a rule-language string literal with ``\\``, ``"``, ``*`` and ``$``
escaped (``nextStringBase`` would otherwise read ``*x``/``$x`` as variables), and control
characters refused. Texts are cut into pieces that fit ``myRule`` (META_STR_LEN = 2700 bytes,
``remExec{`` and ``}`` included), never splitting a call.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from b2safe.errors import InvalidInput

META_STR_LEN = 2700
_WRAPPER = len("remExec{}")
_ESCAPED = {"\\": "\\\\", '"': '\\"', "*": "\\*", "$": "\\$"}


def literal(value: str) -> str:
    """``value`` as a rule-language string literal.

    Raises:
        InvalidInput: for control characters (no path or PID b2safe sends has them).
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"cannot send {value!r} to a remote rule: control character")
    return '"' + "".join(_ESCAPED.get(ch, ch) for ch in value) + '"'


def call_text(rule: str, args: Sequence[str], outputs: int = 1) -> str:
    """``rule("a", "b", *out0);``: a call with string inputs and ``outputs`` unset OUT variables.

    Raises:
        ValueError: ``rule`` is not a rule name.
    """
    if not rule.isidentifier():
        raise ValueError(f"{rule!r} is not a rule name")
    parts = [literal(str(a)) for a in args] + [f"*b2safe_out{i}" for i in range(outputs)]
    return f"{rule}({', '.join(parts)});"


def batches(calls: Iterable[str], limit: int = META_STR_LEN - 1) -> Iterator[str]:
    """Join ``calls`` into texts that fit ``remExec{...}`` within ``limit`` bytes.

    Raises:
        InvalidInput: when one call alone is too long.
    """
    current = ""
    for call in calls:
        if len(call.encode()) + _WRAPPER > limit:
            raise InvalidInput(f"remote rule call too long ({len(call)} characters)")
        if current and len((current + call).encode()) + _WRAPPER > limit:
            yield current
            current = ""
        current += call
    if current:
        yield current
