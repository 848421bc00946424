"""The GenQuery2 microservices (irods server/re/src/msi_genquery2.cpp, the same in 4.3.4 and
5.0.2; in the server's table since 4.3.2): msi_genquery2_execute, msi_genquery2_next_row,
msi_genquery2_column and msi_genquery2_free.

``execute`` runs the whole query at once and keeps its rows in the agent under a handle, the
decimal string of the number of result sets the agent holds at that moment (a handle still in
use makes that insert fail: SYS_LIBRARY_ERROR, as in the server). ``next_row`` moves to the next
row or answers END_OF_RESULTSET; ``column`` reads a column of the current row. A handle that is
negative or not held is SYS_INVALID_INPUT_PARAM; a handle or index that is not a number, a
column index out of range and ``column`` before the first ``next_row`` are SYS_LIBRARY_ERROR (the
exceptions the server catches). The query language: :mod:`b2safe_sandbox.gq.genquery2`.
"""

from __future__ import annotations

from typing import Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, IrodsCallError
from b2safe_sandbox.gq import genquery2 as gq2
from b2safe_sandbox.gq.parser import Query, Selection
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

END_OF_RESULTSET = CODES["END_OF_RESULTSET"]
SYS_LIBRARY_ERROR = CODES["SYS_LIBRARY_ERROR"]
_PAGE = 256


def _contexts(call: MsiCall) -> dict:
    """The agent's result sets ``{handle: {"rows": [...], "current": n}}``."""
    return call.sandbox.__dict__.setdefault("genquery2_contexts", {})


def _rows(call: MsiCall, select: gq2.Select) -> list[dict[str, Optional[str]]]:
    """Every row of the columns ``select`` names, as the client may see them (a local
    rodsadmin: all; GenQuery1's permission filter otherwise)."""
    names = gq2.columns_of(select)
    cursor = call.sandbox.zone(call.ctx.zone).catalog.open_genquery(
        Query(tuple(Selection(n) for n in names)), "", call.actor, no_distinct=True)
    rows: list[dict[str, Optional[str]]] = []
    try:
        while True:
            page = cursor.next_page(_PAGE)
            rows.extend(dict(zip(names, values)) for values in page.rows)
            if not page.has_more:
                return rows
    finally:
        cursor.close()


@microservice("msi_genquery2_execute", 2, inputs={1: "str"}, outputs={0: "STR"})
def msi_genquery2_execute(call: MsiCall) -> dict:
    """msi_genquery2_execute(handle_out, query): run the query; the handle comes back in
    argument 0 (msi_genquery2.cpp@5.0.2 L40-79)."""
    select = gq2.parse(str(call.args[1]))
    rows = gq2.evaluate(select, _rows(call, select))
    contexts = _contexts(call)
    key = len(contexts)
    if key in contexts:
        raise IrodsCallError("msi_genquery2_execute: could not capture the results",
                             code=SYS_LIBRARY_ERROR)
    contexts[key] = {"rows": rows, "current": -1}
    return {0: str(key)}


def _context(call: MsiCall) -> dict:
    try:
        key = int(str(call.args[0]).strip())
    except ValueError:
        raise IrodsCallError(f"{call.name}: bad handle {call.args[0]!r}",
                             code=SYS_LIBRARY_ERROR) from None
    context = _contexts(call).get(key) if key >= 0 else None
    if context is None:
        raise IrodsCallError(f"{call.name}: unknown context handle", code=SYS_INVALID_INPUT_PARAM)
    return context


@microservice("msi_genquery2_next_row", 1, inputs={0: "str"})
def msi_genquery2_next_row(call: MsiCall) -> dict:
    """msi_genquery2_next_row(handle): the next row, or END_OF_RESULTSET after the last
    (L81-131)."""
    context = _context(call)
    if context["current"] >= len(context["rows"]) - 1:
        raise IrodsCallError("no more rows", code=END_OF_RESULTSET)
    context["current"] += 1
    return {}


@microservice("msi_genquery2_column", 3, inputs={0: "str", 1: "str"}, outputs={2: "STR"})
def msi_genquery2_column(call: MsiCall) -> dict:
    """msi_genquery2_column(handle, index, value_out): column ``index`` ('0', '1', ...) of the
    current row (L133-179)."""
    context = _context(call)
    try:
        index = int(str(call.args[1]).strip())
        if context["current"] < 0 or index < 0:
            raise IndexError(index)
        value = context["rows"][context["current"]][index]
    except (ValueError, IndexError):
        raise IrodsCallError(f"msi_genquery2_column: no column {call.args[1]!r} here",
                             code=SYS_LIBRARY_ERROR) from None
    return {2: value}


@microservice("msi_genquery2_free", 1, inputs={0: "str"})
def msi_genquery2_free(call: MsiCall) -> dict:
    """msi_genquery2_free(handle): drop the result set (L181-217)."""
    _context(call)
    del _contexts(call)[int(str(call.args[0]).strip())]
    return {}
