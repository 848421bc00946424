"""Argument marshalling between Python and microservices (PREP ``RuleCallWrapper::call``).

* :func:`check_marshallable`: a ``str`` becomes STR_MS_T; otherwise GenQueryInp, GenQueryOut,
  KeyValPair, fileLseekOut, RodsObjStat, BytesBuf, int (bool too) and float are accepted; anything
  else (None, DataObjInp, ExecCmdOut, ...) raises RuntimeError *before* the call (§2.2).
* :func:`check_inputs`: each microservice's own parameter parsing (wrong kind ->
  USER_PARAM_TYPE_ERR).
* :func:`apply_outputs`: the conversion back (``convertFromMsParam``): a STR output reaches a
  ``str`` argument and is silently lost for a non-str placeholder; a non-STR output reaching a
  ``str`` argument raises ``boost::bad_any_cast`` (after the side effect).
"""

from __future__ import annotations

from typing import Any

from b2safe_sandbox.errors import USER_PARAM_TYPE_ERR, IrodsCallError
from b2safe_sandbox.runtime import errtext
from b2safe_sandbox.runtime.registry import MsiSpec

#: Output types PREP cannot convert back to Python, with their msParam type names.
UNCONVERTIBLE = {"STRARRAY": "StrArray_PI", "TAGSTRUCT": "TagStruct_PI"}

_MARSHAL_CLASSES = ("GenQueryInp", "GenQueryOut", "KeyValPair", "fileLseekOut", "RodsObjStat",
                    "BytesBuf")


def _classes() -> tuple:
    from b2safe_sandbox.runtime import irods_types

    return tuple(getattr(irods_types, n) for n in _MARSHAL_CLASSES if hasattr(irods_types, n))


def is_type(value: Any, class_name: str) -> bool:
    """True if ``value`` is an instance of ``irods_types.<class_name>``."""
    from b2safe_sandbox.runtime import irods_types

    cls = getattr(irods_types, class_name, None)
    return cls is not None and isinstance(value, cls)


def check_marshallable(args: tuple) -> None:
    """Raise RuntimeError if any argument cannot become an msParam (nothing runs then)."""
    classes = _classes()
    for value in args:
        if isinstance(value, (str, int, float)):
            continue
        if classes and isinstance(value, classes):
            continue
        # Guess: the text of the failed conversion; PREP raises before the msi runs.
        raise RuntimeError(
            f"Unknown type in msParam: cannot convert argument of type {type(value).__name__}"
        )


def check_inputs(spec: MsiSpec, args: list) -> None:
    """Check argument kinds as the microservice's msParam parsing would.

    Raises:
        IrodsCallError: USER_PARAM_TYPE_ERR for a wrong kind.
    """
    for index, kind in spec.inputs.items():
        value = args[index]
        ok = True
        if kind == "str":
            ok = isinstance(value, str)
        elif kind == "intstr":
            ok = isinstance(value, (str, int)) and not isinstance(value, float)
        elif kind == "kvp":
            ok = is_type(value, "KeyValPair")
        elif kind == "gqi":
            ok = is_type(value, "GenQueryInp")
        elif kind == "gqo":
            ok = is_type(value, "GenQueryOut")
        if not ok:
            raise IrodsCallError(
                f"{spec.name}: argument {index} has wrong type {type(value).__name__}",
                code=USER_PARAM_TYPE_ERR,
            )


def apply_outputs(spec: MsiSpec, args: list, outputs: dict) -> list:
    """The ``arguments`` list after the call, applying the placeholder rules of §2.2/§2.4.

    Raises:
        RuntimeError: ``boost::bad_any_cast`` when a non-STR output meets a ``str`` argument.
    """
    arguments = list(args)
    bad_cast = False
    for index, value in (outputs or {}).items():
        typ = spec.outputs.get(index, "STR" if isinstance(value, str) else "INT")
        given = args[index]
        if typ == "STR":
            if isinstance(given, str):
                arguments[index] = value
            # else: the string result is silently lost; the placeholder comes back.
        elif isinstance(given, str):
            bad_cast = True
        elif typ in UNCONVERTIBLE:
            # object_from_msParam knows no such type (PREP python.hpp@5.0.1 L104-142).
            # Guess: the irods::exception reaches Python as a RuntimeError with its message.
            raise RuntimeError(f"Unknown type in msParam: [{UNCONVERTIBLE[typ]}]")
        else:
            arguments[index] = value
    if bad_cast:
        raise errtext.bad_any_cast()
    return arguments
