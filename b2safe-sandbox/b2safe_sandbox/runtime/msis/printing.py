"""Printing microservices besides writeLine: writePosInt, writeBytesBuf, writeKeyValPairs and
msiPrintKeyValPair (irods server/re/src/printMS.cpp@5.0.2 L106-330, keyValPairMS.cpp L111-141).

Each writes through ``_writeString`` to the same targets as writeLine (:func:`.misc.write_text`)
and adds no newline of its own, except that every key-value pair ends with one.
"""

from __future__ import annotations

from b2safe_sandbox.errors import USER_PARAM_TYPE_ERR, IrodsCallError
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis.misc import write_text
from b2safe_sandbox.runtime.registry import microservice


@microservice("writePosInt", 2, inputs={0: "str", 1: "intstr"})
def write_pos_int(call: MsiCall) -> dict:
    """writePosInt(where, n): the number in decimal (printMS.cpp@5.0.2 L106-124)."""
    write_text(call, str(call.args[0]), str(int(call.args[1])))
    return {}


@microservice("writeBytesBuf", 2, inputs={0: "str", 1: "any"})
def write_bytes_buf(call: MsiCall) -> dict:
    """writeBytesBuf(where, BytesBuf): the buffer's bytes as text (L161-196)."""
    buf = call.args[1]
    if not isinstance(buf, T.BytesBuf):
        raise IrodsCallError("writeBytesBuf needs a BytesBuf", code=USER_PARAM_TYPE_ERR)
    write_text(call, str(call.args[0]), T._bytes_of(buf).decode("utf-8", errors="replace"))
    return {}


@microservice("writeKeyValPairs", 3, inputs={0: "str", 1: "kvp", 2: "str"})
def write_key_val_pairs(call: MsiCall) -> dict:
    """writeKeyValPairs(where, KeyValPair, separator): ``key<sep>value`` and a newline per pair,
    the separator "\\t|\\t" when 'null' or empty (L231-310). Guess: PREP hands 'null' through
    as text; the server reads it with parseMspForStr, which gives NULL for "null"."""
    separator = str(call.args[2])
    separator = "\t|\t" if separator in ("", "null") else separator
    text = "".join(f"{k}{separator}{v}\n" for k, v in T._kvp_items(call.args[1]))
    write_text(call, str(call.args[0]), text)
    return {}


@microservice("msiPrintKeyValPair", 2, inputs={0: "str", 1: "kvp"})
def msi_print_key_val_pair(call: MsiCall) -> dict:
    """msiPrintKeyValPair(where, KeyValPair): ``key = value`` and a newline per pair
    (keyValPairMS.cpp@5.0.2 L111-141)."""
    for key, value in T._kvp_items(call.args[1]):
        write_text(call, str(call.args[0]), f"{key} = {value}\n")
    return {}
