"""Reading the inputs of API PEPs (``rule_args[2:]``) at the PREP boundary.

API PEPs receive ``[instance_name, PluginContext, <API inputs>...]`` (irods
lib/core/include/irods/apiHandler.hpp@5.0.2 ``invoke_policy_enforcement_point``). Inputs are
PREP wrappers of server structs (DataObjInp, DataObjCopyInp, BytesBuf ...); a BytesBuf of the
JSON APIs (replica_close, touch) holds JSON text, possibly NUL-terminated
(irods_rule_engine_plugin_python src/types/irods/rodsDef.cpp L67-95: ``get_bytes()``).
"""

from __future__ import annotations

import json
from typing import Any, Optional

#: Bound on the JSON a PEP parses (replica_close and touch inputs are a few hundred bytes).
MAX_JSON_BYTES = 64 * 1024


def api_input(rule_args: list, index: int = 0) -> Any:
    """The ``index``-th API input of a PEP (``rule_args[2 + index]``), or None."""
    position = 2 + index
    return rule_args[position] if len(rule_args) > position else None


def bytes_input(rule_args: list, index: int = 0) -> Optional[bytes]:
    """The bytes of a BytesBuf API input up to its first NUL (``get_bytes()``: ``len`` bytes;
    its ``buf`` is a char_array whose ``str`` reads to a NUL, possibly past ``len``), or None
    when the input is not a BytesBuf or holds more than :data:`MAX_JSON_BYTES`."""
    buf = api_input(rule_args, index)
    if buf is None or not hasattr(buf, "get_bytes"):
        return None
    try:
        if int(buf.len) > MAX_JSON_BYTES:
            return None
        return bytes(buf.get_bytes()).split(b"\0", 1)[0]
    except (TypeError, ValueError):
        return None


def json_input(rule_args: list, index: int = 0) -> dict[str, Any]:
    """The JSON object in a BytesBuf API input; {} when absent, too large or not an object."""
    data = bytes_input(rule_args, index)
    if data is None:
        return {}
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def doi_path(rei: Any) -> tuple[str, Optional[int]]:
    """(path, replica number) of the data object a static PEP describes (``rei.doi``);
    ('', None) when there is none."""
    doi = getattr(rei, "doi", None)
    if doi is None:
        return "", None
    path = str(getattr(doi, "objPath", "") or "")
    try:
        repl: Optional[int] = int(getattr(doi, "replNum", -1))
    except (TypeError, ValueError):
        repl = None
    return path, repl


def text_field(value: Any, *attributes: str) -> str:
    """``str(value.a.b...)`` for a chain of struct attributes; '' when any link is missing."""
    for attribute in attributes:
        if value is None:
            return ""
        value = getattr(value, attribute, None)
    return "" if value is None else str(value)


def cond_value(value: Any, key: str) -> str:
    """The value of ``key`` in a struct's ``condInput`` (KeyValPair); '' when absent.

    PREP's KeyValPair has ``__getitem__`` (KeyError when absent) but no ``__contains__``
    (irods_rule_engine_plugin_python src/types/irods/objInfo.cpp L93-102).
    """
    cond = getattr(value, "condInput", None)
    if cond is None:
        return ""
    try:
        return str(cond[key])
    except (TypeError, KeyError):
        return ""
