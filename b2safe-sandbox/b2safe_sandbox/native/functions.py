"""Built-in functions of the rule language (irods ``irods_rule_language/src/functions.cpp``,
the ``insertIntoHashTable(ft, ...)`` table): conversions, strings, lists, time, output.

Each function takes the evaluated arguments and the calling :class:`~.interp.Frame` and returns a
value. Functions that see their arguments unevaluated (``errorcode``, ``errormsg``) and control
words (``succeed``, ``fail``, ``break``, ``cut``) live in :mod:`.interp`.
"""

from __future__ import annotations

import re
import time as _time
from typing import Any, Callable

from b2safe_sandbox.native.values import (
    ACTION_ARG_COUNT_MISMATCH,
    RE_RUNTIME_ERROR,
    RE_TYPE_ERROR,
    UNSPEC,
    RuleError,
    to_bool,
    to_number,
    to_str,
    type_name,
)

Function = Callable[[Any, list], Any]
FUNCTIONS: dict[str, tuple[tuple[int, ...], Function]] = {}


def function(name: str, *arities: int) -> Callable[[Function], Function]:
    """Register built-in ``name`` taking any of ``arities`` arguments (empty = any number)."""

    def register(fn: Function) -> Function:
        FUNCTIONS[name] = (arities, fn)
        return fn

    return register


def lookup(name: str, nargs: int) -> Function | None:
    """The built-in ``name``; None if there is none.

    Raises:
        RuleError: ACTION_ARG_COUNT_MISMATCH when it exists with another arity.
    """
    entry = FUNCTIONS.get(name)
    if entry is None:
        return None
    arities, fn = entry
    if arities and nargs not in arities:
        raise RuleError(ACTION_ARG_COUNT_MISMATCH, f"{name} takes {arities} arguments, "
                        f"{nargs} given")
    return fn


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise RuleError(RE_TYPE_ERROR, f"{what} needs a string, got {type_name(value)}")
    return value


# --- conversions (smsi_str, smsi_int, smsi_double, smsi_bool, smsi_type) ----------------------
@function("str", 1)
def _str(frame: Any, args: list) -> str:
    return to_str(args[0])


@function("int", 1)
def _int(frame: Any, args: list) -> int:
    number = to_number(args[0])
    return int(number)


@function("double", 1)
def _double(frame: Any, args: list) -> float:
    return float(to_number(args[0]))


@function("bool", 1)
def _bool(frame: Any, args: list) -> bool:
    return to_bool(args[0])


@function("type", 1)
def _type(frame: Any, args: list) -> str:
    return type_name(args[0])


# --- strings (smsi_strlen, smsi_substr, smsi_triml, smsi_trimr, smsi_split) -----------------
@function("strlen", 1)
def _strlen(frame: Any, args: list) -> int:
    return len(_text(args[0], "strlen"))


@function("substr", 3)
def _substr(frame: Any, args: list) -> str:
    text = _text(args[0], "substr")
    start, end = int(to_number(args[1])), int(to_number(args[2]))
    if start < 0 or end > len(text) or start > end:
        raise RuleError(RE_RUNTIME_ERROR, f"substr({start}, {end}) out of range of a "
                        f"{len(text)}-character string")
    return text[start:end]


@function("triml", 2)
def _triml(frame: Any, args: list) -> str:
    """triml(s, sep): what follows the first ``sep`` (s unchanged if sep is absent)."""
    text, sep = _text(args[0], "triml"), _text(args[1], "triml")
    index = text.find(sep)
    return text if index < 0 else text[index + len(sep):]


@function("trimr", 2)
def _trimr(frame: Any, args: list) -> str:
    """trimr(s, sep): what precedes the last ``sep`` (s unchanged if sep is absent)."""
    text, sep = _text(args[0], "trimr"), _text(args[1], "trimr")
    index = text.rfind(sep)
    return text if index < 0 else text[:index]


@function("split", 2)
def _split(frame: Any, args: list) -> list:
    """split(s, chars): the non-empty pieces between any of ``chars`` (strtok semantics)."""
    text, chars = _text(args[0], "split"), _text(args[1], "split")
    if not chars:
        return [text] if text else []
    return [p for p in re.split("[" + re.escape(chars) + "]", text) if p]


# --- lists (smsi_list, smsi_elem, smsi_setelem, smsi_size, smsi_hd, smsi_tl, smsi_cons) -----
@function("list")
def _list(frame: Any, args: list) -> list:
    return list(args)


def _seq(value: Any, name: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise RuleError(RE_TYPE_ERROR, f"{name} needs a list, got {type_name(value)}")
    return list(value)


@function("elem", 2)
def _elem(frame: Any, args: list) -> Any:
    items, index = _seq(args[0], "elem"), int(to_number(args[1]))
    if not 0 <= index < len(items):
        raise RuleError(RE_RUNTIME_ERROR, f"elem: index {index} out of range")
    return items[index]


@function("setelem", 3)
def _setelem(frame: Any, args: list) -> list:
    items, index = _seq(args[0], "setelem"), int(to_number(args[1]))
    if not 0 <= index < len(items):
        raise RuleError(RE_RUNTIME_ERROR, f"setelem: index {index} out of range")
    items[index] = args[2]
    return items


@function("size", 1)
def _size(frame: Any, args: list) -> int:
    return len(_seq(args[0], "size"))


@function("hd", 1)
def _hd(frame: Any, args: list) -> Any:
    items = _seq(args[0], "hd")
    if not items:
        raise RuleError(RE_RUNTIME_ERROR, "hd of an empty list")
    return items[0]


@function("tl", 1)
def _tl(frame: Any, args: list) -> list:
    items = _seq(args[0], "tl")
    if not items:
        raise RuleError(RE_RUNTIME_ERROR, "tl of an empty list")
    return items[1:]


@function("cons", 2)
def _cons(frame: Any, args: list) -> list:
    return [args[0], *_seq(args[1], "cons")]


# --- numbers ---------------------------------------------------------------------------------
@function("max")
def _max(frame: Any, args: list) -> Any:
    return max(to_number(a) for a in args)


@function("min")
def _min(frame: Any, args: list) -> Any:
    return min(to_number(a) for a in args)


@function("abs", 1)
def _abs(frame: Any, args: list) -> Any:
    return abs(to_number(args[0]))


# --- time (smsi_time, smsi_timestr: seconds since the epoch, "%Y %b %d %H:%M:%S") ---------------
@function("time", 0)
def _now(frame: Any, args: list) -> int:
    return int(frame.interp.ctx.sandbox.clock.now())


@function("timestr", 1)
def _timestr(frame: Any, args: list) -> str:
    return _time.strftime("%Y %b %d %H:%M:%S", _time.gmtime(int(to_number(args[0]))))


# --- output (smsi_writeLine / smsi_writeString go through the zone's writeLine) ---------------
@function("writeLine", 2)
def _write_line(frame: Any, args: list) -> int:
    frame.interp.microservice("writeLine", [to_str(args[0]), to_str(args[1])])
    return 0


@function("writeString", 2)
def _write_string(frame: Any, args: list) -> int:
    target, text = to_str(args[0]), to_str(args[1])
    out = frame.interp.ctx.stdout
    if target == "stdout" and out is not None:
        out.append(text)
    else:
        frame.interp.microservice("writeLine", [target, text])
    return 0


@function("writeBytesBuf", 2)
def _write_bytes_buf(frame: Any, args: list) -> int:
    """writeBytesBuf(target, buf) (irods server/re/src/printMS.cpp): the buffer's bytes."""
    return _write_string(frame, [args[0], to_str(args[1])])


@function("nop", 0)
def _nop(frame: Any, args: list) -> int:
    return 0


@function("unspeced", 0)
def _unspeced(frame: Any, args: list) -> Any:
    return UNSPEC
