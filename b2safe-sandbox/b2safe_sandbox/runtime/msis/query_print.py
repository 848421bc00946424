"""GenQuery text and printing microservices: msiMakeQuery, msiPrintGenQueryInp and
msiPrintGenQueryOutToBuffer (irods server/re/src/genQueryMS.cpp@5.0.2 L196-250, L589-653,
L914-986; printGenQueryOut: lib/core/src/rcMisc.cpp@5.0.2 L3139-3180)."""

from __future__ import annotations

import re
from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import USER_PARAM_TYPE_ERR, IrodsCallError
from b2safe_sandbox.gq.columns import COLUMNS
from b2safe_sandbox.gq.columns import lookup as column_lookup
from b2safe_sandbox.gq.parser import parse_conditions, parse_select
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis.misc import write_text
from b2safe_sandbox.runtime.registry import microservice

NO_COLUMN_NAME_FOUND = CODES["NO_COLUMN_NAME_FOUND"]
#: The select options of lib/core/include/irods/rodsGenQuery.h@5.0.2 L71-95 (1: a plain column).
OPTIONS = {None: 1, "MIN": 2, "MAX": 3, "SUM": 4, "AVG": 5, "COUNT": 6, "ORDER": 0x400,
           "ORDER_ASC": 0x400, "ORDER_DESC": 0x800}
_NAMES_BY_ID = {column.id: name for name, column in COLUMNS.items()}


@microservice("msiMakeQuery", 3, inputs={0: "str", 1: "str"}, outputs={2: "STR"})
def msi_make_query(call: MsiCall) -> dict:
    """msiMakeQuery(select, conditions, query_out): "select S where C", or "select S " (with
    the space) when there are no conditions (_makeQuery, L196-206)."""
    select, conditions = call.text(0), call.text(1)
    if conditions:
        return {2: f"select {select} where {conditions}"}
    return {2: f"select {select} "}


def column_id(name: str) -> int:
    """The GenQuery1 id of column ``name`` (0 if unknown)."""
    column = column_lookup(name)
    return column.id if column is not None else 0


def _condition_text(predicates: Any, joiners: Any) -> str:
    """A condition as the server keeps it for its column, e.g. ``= 'x'``. Guess: the spacing
    and quoting of the 5.0 parser's text."""
    parts = []
    for index, predicate in enumerate(predicates):
        values = " ".join(f"'{v}'" for v in predicate.values)
        if index:
            parts.append(joiners[index - 1])
        parts.append(f"{predicate.op} {values}")
    return " ".join(parts)


@microservice("msiPrintGenQueryInp", 2, inputs={0: "str", 1: "gqi"})
def msi_print_gen_query_inp(call: MsiCall) -> dict:
    """msiPrintGenQueryInp(where, GenQueryInp): "Selected Column <id> With Option <option>"
    for each selected column, then "Condition Column <id> <condition>" for each condition,
    each with a newline, to ``where`` (stdout, stderr, serverLog ...) (L589-653)."""
    columns, conditions = T._gq_query(call.args[1])
    lines = [f"Selected Column {column_id(s.column)} With Option {OPTIONS.get(s.func, 1)}\n"
             for s in parse_select(columns)]
    for condition in parse_conditions(conditions) if conditions else ():
        text = _condition_text(condition.predicates, condition.joiners)
        lines.append(f"Condition Column {column_id(condition.column)} {text}\n")
    for line in lines:
        write_text(call, call.text(0), line)
    return {}


_DIRECTIVE = re.compile(r"%(\d+)%|%%|%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]")


def boost_format(fmt: str, values: list[str]) -> str:
    """``boost::format(fmt) % v1 % v2 ...``: ``%N%`` is value N, a printf directive the next
    value (strings as they are), ``%%`` a percent sign.

    Raises:
        ValueError: too few or too many values (boost's format_error).
    """
    out, used, position = [], 0, 0
    numbered = False
    for match in _DIRECTIVE.finditer(fmt):
        out.append(fmt[position:match.start()])
        position = match.end()
        if match.group(0) == "%%":
            out.append("%")
        elif match.group(1):
            numbered = True
            index = int(match.group(1)) - 1
            if not 0 <= index < len(values):
                raise ValueError("too few arguments")
            out.append(values[index])
        else:
            if used >= len(values):
                raise ValueError("too few arguments")
            out.append(values[used])
            used += 1
    out.append(fmt[position:])
    if not numbered and used != len(values):
        raise ValueError("too many arguments")
    return "".join(out)


def gen_query_out_text(gqo: Any, fmt: str) -> str:
    """printGenQueryOut: per row ``NAME = value`` lines and a line of 60 dashes, or the row
    through ``fmt``; a format error ends the output (the try is around the loop).

    Raises:
        IrodsCallError: NO_COLUMN_NAME_FOUND for a column the server has no name for.
    """
    names = []
    for index in range(gqo.attriCnt):
        name = _NAMES_BY_ID.get(int(gqo.sqlResult[index].attriInx))
        if name is None:
            raise IrodsCallError("no name for a result column", code=NO_COLUMN_NAME_FOUND)
        names.append(name)
    text = []
    for row in T._gq_rows(gqo):
        if not fmt:
            text.extend(f"{name} = {value}\n" for name, value in zip(names, row))
            text.append("-" * 60 + "\n")
            continue
        try:
            text.append(boost_format(fmt, row) + "\n")
        except ValueError:
            break
    return "".join(text)


@microservice("msiPrintGenQueryOutToBuffer", 3, inputs={0: "any", 1: "any"},
              outputs={2: "BUF"})
def msi_print_gen_query_out_to_buffer(call: MsiCall) -> dict:
    """msiPrintGenQueryOutToBuffer(GenQueryOut, format, BytesBuf_out): printGenQueryOut's text
    in a buffer (L914-986); anything but a GenQueryOut USER_PARAM_TYPE_ERR; format 'null' or
    '' the ``NAME = value`` listing. Gap: the server's buffer length is its allocation
    (appendToByteBuf, rcMisc.cpp L3183-3210), NUL-padded; the sandbox's is the text's."""
    gqo = call.args[0]
    if not isinstance(gqo, T.GenQueryOut):
        raise IrodsCallError("msiPrintGenQueryOutToBuffer needs a GenQueryOut",
                             code=USER_PARAM_TYPE_ERR)
    fmt = call.args[1] if isinstance(call.args[1], str) else ""
    fmt = "" if fmt == "null" else fmt
    return {2: T._make_bytes_buf(gen_query_out_text(gqo, fmt).encode("utf-8"))}
