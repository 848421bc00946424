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

from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, IrodsCallError
from b2safe_sandbox.gq import genquery2 as gq2
from b2safe_sandbox.gq import genquery2_sql as gq2_sql
from b2safe_sandbox.gq.columns import ACCESS_READ
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

END_OF_RESULTSET = CODES["END_OF_RESULTSET"]
SYS_LIBRARY_ERROR = CODES["SYS_LIBRARY_ERROR"]


def _contexts(call: MsiCall) -> dict:
    """The agent's result sets ``{handle: {"rows": [...], "current": n}}``."""
    return call.sandbox.__dict__.setdefault("genquery2_contexts", {})


#: Columns read besides the query's for the permission joins of GenQuery2: one row per ACL entry
#: and user it applies to (generate_joins_for_permissions, genquery2_sql.cpp@5.0.2 L325-390).
_PERMISSIONS = {"R_DATA_MAIN": ("DATA_USER_NAME", "DATA_USER_ZONE", "DATA_ACCESS_TYPE"),
                "R_COLL_MAIN": ("COLL_USER_NAME", "COLL_USER_ZONE", "COLL_ACCESS_TYPE")}


def run_query(sandbox: Any, zone: str, actor: str, text: str) -> list[list[str]]:
    """The rows of a GenQuery2 query in ``zone``'s catalog as ``actor`` ('name#zone') as
    rs_genquery2 answers them: parsed and checked as the zone's iRODS version does, joined as
    GenQuery2 joins (a data object or collection row for every ACL entry and the user it applies
    to; a non-admin only those that give the client read: generate_condition_clause,
    genquery2_sql.cpp@5.0.2 L392-520)."""
    version = sandbox.irods_version
    plan = gq2_sql.Plan(gq2.parse(text, version), version)
    mapping = gq2_sql.sandbox_columns(plan)
    hidden = [c for table in plan.tables for c in _PERMISSIONS.get(table, ())]
    names = list(dict.fromkeys([*mapping.values(), *hidden]))
    raw, admin = sandbox.zone(zone).catalog.genquery2_rows(names, actor)
    user, _, user_zone = str(actor).partition("#")
    checks = [_PERMISSIONS[t] for t in plan.tables if t in _PERMISSIONS]
    rows = []
    for values in raw:
        by_gq1 = dict(zip(names, values))
        if not admin and not all(
                by_gq1[name] == user and by_gq1[zone_col] == (user_zone or zone)
                and int(by_gq1[access] or 0) >= ACCESS_READ for name, zone_col, access in checks):
            continue
        rows.append({gq2_name: by_gq1[gq1] for gq2_name, gq1 in mapping.items()})
    return gq2_sql.evaluate(plan, rows)


@microservice("msi_genquery2_execute", 2, inputs={1: "str"}, outputs={0: "STR"})
def msi_genquery2_execute(call: MsiCall) -> dict:
    """msi_genquery2_execute(handle_out, query): run the query; the handle comes back in
    argument 0 (msi_genquery2.cpp@5.0.2 L40-79)."""
    rows = run_query(call.sandbox, call.ctx.zone, str(call.actor), str(call.args[1]))
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
