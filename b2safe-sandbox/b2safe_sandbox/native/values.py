"""Values of the rule language, their conversions, and how a rule fails.

The language's types (irods ``restructs.hpp``: T_STRING, T_INT, T_DOUBLE, T_BOOL, T_CONS lists,
T_TUPLE, T_IRODS for microservice structures, T_UNSPECED for a variable not yet set) map to
Python ``str``, ``int``, ``float``, ``bool``, ``list``, ``tuple``, the sandbox's ``irods_types``
objects and :data:`UNSPEC`. A query row of ``foreach(*r in SELECT ...)`` is a :class:`Row`.
"""

from __future__ import annotations

from typing import Any

from b2safe_sandbox.runtime import irods_errors as _E

_codes = _E._all_codes()
RE_PARSER_ERROR = _codes["RE_PARSER_ERROR"]
RE_TYPE_ERROR = _codes["RE_TYPE_ERROR"]
RE_UNABLE_TO_READ_LOCAL_VAR = _codes["RE_UNABLE_TO_READ_LOCAL_VAR"]
RE_UNABLE_TO_READ_SESSION_VAR = _codes["RE_UNABLE_TO_READ_SESSION_VAR"]
RE_UNSUPPORTED_OP_OR_TYPE = _codes["RE_UNSUPPORTED_OP_OR_TYPE"]
RE_DIVISION_BY_ZERO = _codes["RE_DIVISION_BY_ZERO"]
RE_RUNTIME_ERROR = _codes["RE_RUNTIME_ERROR"]
NO_RULE_FOUND_ERR = _codes["NO_RULE_FOUND_ERR"]
NO_RULE_OR_MSI_FUNCTION_FOUND_ERR = _codes["NO_RULE_OR_MSI_FUNCTION_FOUND_ERR"]
RULE_FAILED_ERR = _codes["RULE_FAILED_ERR"]
CUT_ACTION_PROCESSED_ERR = _codes["CUT_ACTION_PROCESSED_ERR"]
ACTION_FAILED_ERR = _codes["ACTION_FAILED_ERR"]
ACTION_ARG_COUNT_MISMATCH = _codes["ACTION_ARG_COUNT_MISMATCH"]
FAIL_ACTION_ENCOUNTERED_ERR = _codes["FAIL_ACTION_ENCOUNTERED_ERR"]
INPUT_ARG_NOT_WELL_FORMED_ERR = _codes["INPUT_ARG_NOT_WELL_FORMED_ERR"]


class RuleError(Exception):
    """A rule failed with iRODS error ``code`` (the language's N_ERROR result)."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"{message} [{code}]" if message else str(code))
        self.code = int(code)
        self.message = message


class Succeed(Exception):
    """``succeed``: the rule ends successfully here (T_SUCCESS)."""


class BreakLoop(Exception):
    """``break``: leave the innermost loop."""


class Unspec:
    """The value of a variable that was passed but never set (T_UNSPECED)."""

    _instance: Unspec | None = None

    def __new__(cls) -> Unspec:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSPEC"


UNSPEC = Unspec()


class Row(dict):
    """One row of a ``SELECT`` in ``foreach``: column name -> value (``*row.COLL_NAME``)."""


def type_name(value: Any) -> str:
    """The language's name of ``value``'s type, for error messages."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, (list, tuple)):
        return "LIST"
    if value is UNSPEC:
        return "UNSPECIFIED"
    return type(value).__name__


def to_str(value: Any) -> str:
    """The ``str()`` function: booleans as ``true``/``false``, lists joined by ``,``.

    Guess (functions.cpp ``convertResToString``): doubles print with %f, lists element-wise.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:f}"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join(to_str(v) for v in value)
    if value is UNSPEC:
        raise RuleError(RE_UNABLE_TO_READ_LOCAL_VAR, "unable to read an unset variable")
    if hasattr(value, "get_bytes"):  # BytesBuf
        return bytes(value.get_bytes()).decode("utf-8", "replace")
    return str(value)


def to_bool(value: Any) -> bool:
    """The ``bool()`` function: ``"true"``/``"false"`` (any case), ``1``/``0``, booleans.

    Raises:
        RuleError: RE_TYPE_ERROR for anything else (functions.cpp ``smsi_bool``).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    raise RuleError(RE_TYPE_ERROR, f"cannot convert {type_name(value)} {value!r} to a boolean")


def condition(value: Any) -> bool:
    """A value used as the condition of ``if``/``while``/``on`` must be a boolean.

    Guess: the type checker coerces the strings "true"/"false" (string results of calls that
    crossed engines); an integer condition is a type error, as in typing.cpp.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise RuleError(RE_TYPE_ERROR, f"the condition is a {type_name(value)}, not a boolean")


def to_number(value: Any) -> int | float:
    """A number for arithmetic/comparison: ints, doubles, numeric strings (dynamic coercion)."""
    if isinstance(value, bool):
        raise RuleError(RE_TYPE_ERROR, "a boolean is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                pass
    raise RuleError(RE_TYPE_ERROR, f"{type_name(value)} {value!r} is not a number")
