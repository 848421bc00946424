"""GenQuery microservices: msiMakeGenQuery, msiExecGenQuery, msiGetMoreRows, msiCloseGenQuery,
msiExecStrCondQuery (prep-runtime.md §3).

Zone routing: a query runs in the zone named by its first ``COLL_NAME``, ``COLL_PARENT_NAME`` or
``ZONE_NAME`` condition (``getZoneHintForGenQuery``), with that zone's permissions for the client.
Paging: pages of ``maxRows`` (256 by default); a query with more rows gets a ``continueInx``
handle that :func:`msiGetMoreRows` follows. No rows is an empty, successful result. Open
statements belong to the agent (``ExecContext.statements``): as in the server, where the
agent's catalog connection has a table of MAX_NUM_OF_CONCURRENT_STMTS (50) statements
(server/icat/include/irods/icatDefines.h), continueInx is the slot + 1 (db_plugin.cpp
``_result->continueInx = statementNum + 1``), a 51st open query fails with
CAT_STATEMENT_TABLE_FULL (low_level_odbc.cpp ``cllExecSqlWithResult``) and the table goes away
with the agent, so a rule that stops paging early leaks nothing past its own run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from b2safe_sandbox import gq
from b2safe_sandbox.errors import (
    CAT_STATEMENT_TABLE_FULL,
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    NO_COLUMN_NAME_FOUND,
    IrodsCallError,
)
from b2safe_sandbox.gq import parser50
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

MAX_SQL_ROWS = 256
MAX_NUM_OF_CONCURRENT_STMTS = 50
RETURN_TOTAL_ROW_COUNT = 0x20
NO_DISTINCT = 0x40
AUTO_CLOSE = 0x100
UPPER_CASE_WHERE = 0x200

_HINT = re.compile(r"\b(COLL_NAME|COLL_PARENT_NAME|ZONE_NAME)\s*(?:=|like|LIKE|in|IN)?\s*"
                   r"\(?\s*'([^']*)'")


def zone_hint(sandbox: Any, conditions: str, default: str) -> str:
    """The zone a GenQuery1 condition string routes to (``default`` if none)."""
    match = _HINT.search(conditions or "")
    if not match:
        return default
    column, value = match.group(1), match.group(2)
    if column == "ZONE_NAME":
        zone = value
    else:
        parts = value.split("/")
        zone = parts[1] if value.startswith("/") and len(parts) > 1 else ""
    # Guess: a hint naming no known zone (wildcards, unknown names) stays local.
    return zone if zone in sandbox.zone_names else default


@dataclass
class QueryState:
    """Continuation state of a paged query (kept in the agent's ``ctx.statements``)."""

    zone: str
    columns: list
    conditions: str
    actor: str
    next_offset: int
    page: int
    upper: bool
    no_distinct: bool
    cursor: Any = None  # the open statement (catalog GenQueryCursor) once the query ran
    parsed: Any = None  # the query as the 5.0 parser read it (None: the catalog parses it)


def select_columns(text: str) -> list:
    """The comma-separated select list of a GenQuery text, split outside parentheses."""
    cols, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            cols.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        cols.append(cur.strip())
    return cols


def run_page(call: MsiCall, state: QueryState, total: bool = False) -> Any:
    """Run one page of ``state`` and return a GenQueryOut (with a continueInx if more)."""
    sandbox = call.sandbox
    zone = sandbox.reachable_zone(state.zone)
    sandbox.counters.count_genquery(state.zone)
    count = None
    if state.cursor is None:
        # First page: execute once and keep the statement open; later pages only fetch from
        # it, as the server does (see catalog.query.GenQueryCursor), so paging is linear.
        state.cursor = zone.catalog.open_genquery(
            state.parsed or state.columns, state.conditions, state.actor,
            offset=state.next_offset,
            upper_case_where=state.upper, no_distinct=state.no_distinct)
        if total:
            count = zone.catalog.total_rows(state.cursor)
    result = state.cursor.next_page(state.page, count)
    cont = 0
    if result.has_more:
        state.next_offset += len(result.rows)
        cont = _file_statement(call.ctx.statements, state)
    return T._make_gen_query_out(result.rows, len(state.columns), continue_inx=cont,
                                 total_row_count=int(result.total or 0),
                                 attri_inx=_column_ids(state.columns))


def _column_ids(columns: list) -> list[int]:
    """sqlResult[i].attriInx: the GenQuery1 id of each selected column (0 if unknown)."""
    ids = []
    for item in columns:
        try:
            selection = gq.parse_select([item])[0]
        except IrodsCallError:
            ids.append(0)
            continue
        column = gq.lookup(selection.column)
        ids.append(column.id if column is not None else 0)
    return ids


def _file_statement(statements: dict, state: QueryState) -> int:
    """Keep ``state`` in the agent's lowest free statement slot; returns its continueInx."""
    for cont in range(1, MAX_NUM_OF_CONCURRENT_STMTS + 1):
        if cont not in statements:
            statements[cont] = state
            return cont
    state.cursor.close()
    raise IrodsCallError(f"too many concurrent statements (at most "
                         f"{MAX_NUM_OF_CONCURRENT_STMTS} open queries per agent; close or page "
                         "through the others)", code=CAT_STATEMENT_TABLE_FULL)


@microservice("msiMakeGenQuery", 3, inputs={0: "str", 1: "str"}, outputs={2: "GQI"})
def msi_make_gen_query(call: MsiCall) -> dict:
    """msiMakeGenQuery('COL1, COL2', "COL = 'x'", GenQueryInp_out): the query is parsed here,
    so its errors come from this call (genQueryMS.cpp@5.0.2 L520-545; 4.3 parses it with
    fillGenQueryInpFromStrCond at the same point); see :func:`parse_for`."""
    columns = select_columns(call.args[0])
    if not columns:
        raise IrodsCallError("no columns", code=INPUT_ARG_NOT_WELL_FORMED_ERR)
    parse_for(call, columns, call.args[1])
    return {2: T._make_gen_query_inp(columns, call.args[1], max_rows=MAX_SQL_ROWS)}


def parse_for(call: MsiCall, columns: Any, conditions: str) -> Any:
    """The query parsed as the zone's iRODS version does: 5.0's flex/bison parser
    (:mod:`b2safe_sandbox.gq.parser50`), or the 4.3 one (:func:`b2safe_sandbox.gq.parse`)."""
    if call.sandbox.irods_version >= (5, 0):
        return parser50.parse(columns, conditions)
    parsed = gq.parse(columns, conditions)
    gq.require_columns_of_version(parsed, call.sandbox.irods_version)
    return parsed


def _state_from_gqi(call: MsiCall, gqi: Any) -> QueryState:
    columns, conditions = T._gq_query(gqi)
    if not columns:
        raise IrodsCallError("GenQueryInp has no select list",
                             code=INPUT_ARG_NOT_WELL_FORMED_ERR)
    options = int(gqi.options)
    page = int(gqi.maxRows)
    if page <= 0 or page > MAX_SQL_ROWS:
        page = MAX_SQL_ROWS
    upper = bool(options & UPPER_CASE_WHERE)
    zone = zone_hint(call.sandbox, conditions, call.ctx.zone)
    parsed = parser50.parse(columns, conditions) if call.sandbox.irods_version >= (5, 0) \
        else None
    return QueryState(zone, columns, conditions, call.actor, int(gqi.rowOffset or 0), page,
                      upper, bool(options & NO_DISTINCT), parsed=parsed)


@microservice("msiExecGenQuery", 2, inputs={0: "gqi"}, outputs={1: "GQO"})
def msi_exec_gen_query(call: MsiCall) -> dict:
    """msiExecGenQuery(GenQueryInp, GenQueryOut_out); no rows -> empty GenQueryOut."""
    gqi = call.args[0]
    state = _state_from_gqi(call, gqi)
    total = bool(int(gqi.options) & RETURN_TOTAL_ROW_COUNT)
    return {1: run_page(call, state, total=total)}


def _close(call: MsiCall, inx: int) -> None:
    state = call.ctx.statements.pop(inx, None)
    if state is not None and state.cursor is not None:
        state.cursor.close()


@microservice("msiGetMoreRows", 3, inputs={0: "gqi", 1: "gqo"}, outputs={1: "GQO", 2: "INT"})
def msi_get_more_rows(call: MsiCall) -> dict:
    """msiGetMoreRows(GenQueryInp, GenQueryOut, continueInx_out): the next page.

    ``maxRows == 0`` or AUTO_CLOSE in the input closes the query (an empty page comes back).
    """
    gqi, gqo = call.args[0], call.args[1]
    inx = int(gqo.continueInx)
    empty = T._make_gen_query_out([], int(gqo.attriCnt))
    if inx <= 0:
        return {1: empty, 2: 0}
    state: Optional[QueryState] = call.ctx.statements.get(inx)
    if state is None:
        return {1: empty, 2: 0}
    if int(gqi.maxRows) == 0 or int(gqi.options) & AUTO_CLOSE:
        _close(call, inx)
        return {1: empty, 2: 0}
    call.ctx.statements.pop(inx)  # run_page files the open statement anew
    out = run_page(call, state)
    return {1: out, 2: int(out.continueInx)}


@microservice("msiCloseGenQuery", 2, inputs={0: "gqi", 1: "gqo"})
def msi_close_gen_query(call: MsiCall) -> dict:
    """msiCloseGenQuery(GenQueryInp, GenQueryOut): free the continuation."""
    _close(call, int(call.args[1].continueInx))
    return {}


_STR_QUERY = re.compile(r"^\s*select\s+(.*?)(?:\s+where\s+(.*))?\s*$", re.I | re.S)


@microservice("msiExecStrCondQuery", 2, inputs={0: "str"}, outputs={1: "GQO"})
def msi_exec_str_cond_query(call: MsiCall) -> dict:
    """msiExecStrCondQuery("SELECT COL WHERE COL2 = 'x'", GenQueryOut_out); on 5.0 read by the
    flex/bison parser (genQueryMS.cpp@5.0.2 L47-60)."""
    if call.sandbox.irods_version >= (5, 0):
        parsed = parser50.parse_query(str(call.args[0]))
        hints = " ".join(f"{c.column} = '{c.predicates[0].values[0]}'"
                         for c in parsed.conditions if c.predicates[0].values)
        zone = zone_hint(call.sandbox, hints, call.ctx.zone)
        labels = [s.label for s in parsed.selections]
        state = QueryState(zone, labels, "", call.actor, 0, MAX_SQL_ROWS, False, False,
                           parsed=parsed)
        return {1: run_page(call, state)}
    match = _STR_QUERY.match(call.args[0])
    if not match:
        raise IrodsCallError("query must start with SELECT", code=INPUT_ARG_NOT_WELL_FORMED_ERR)
    columns = select_columns(match.group(1))
    conditions = match.group(2) or ""
    zone = zone_hint(call.sandbox, conditions, call.ctx.zone)
    state = QueryState(zone, columns, conditions, call.actor, 0, MAX_SQL_ROWS, False, False)
    return {1: run_page(call, state)}


@microservice("msiGetContInxFromGenQueryOut", 2, inputs={0: "gqo"}, outputs={1: "INT"})
def msi_get_cont_inx_from_gen_query_out(call: MsiCall) -> dict:
    """msiGetContInxFromGenQueryOut(GenQueryOut, continueInx_out): the continuation index, 0
    when no rows follow (genQueryMS.cpp@5.0.2 L173-194)."""
    return {1: int(call.args[0].continueInx)}


def _with_query(gqi: Any, columns: list, conditions: str) -> Any:
    """A copy of ``gqi`` with another select list / condition text, other fields kept."""
    return T._make_gen_query_inp(columns, conditions, max_rows=int(gqi.maxRows),
                                 options=int(gqi.options), row_offset=int(gqi.rowOffset or 0),
                                 continue_inx=int(gqi.continueInx))


def _require_column(name: str) -> None:
    if gq.lookup(name) is None:
        raise IrodsCallError(f"unknown GenQuery column {name!r}", code=NO_COLUMN_NAME_FOUND)


@microservice("msiAddSelectFieldToGenQuery", 3, inputs={0: "str", 1: "str", 2: "gqi"},
              outputs={2: "GQI"})
def msi_add_select_field_to_gen_query(call: MsiCall) -> dict:
    """msiAddSelectFieldToGenQuery(column, function | '' | 'null', GenQueryInp): the column
    (wrapped in the function: order, order_desc, min, max, sum, avg, count) added to the select
    list; an unknown column is NO_COLUMN_NAME_FOUND (genQueryMS.cpp@5.0.2 L695-764). Guess: an
    unknown function selects the bare column (getSelVal's default)."""
    column, function = str(call.args[0]), str(call.args[1]).strip().upper()
    _require_column(column)
    item = f"{function}({column})" if function in gq.parser.FUNCTIONS else column
    columns, conditions = T._gq_query(call.args[2])
    return {2: _with_query(call.args[2], [*columns, item], conditions)}


@microservice("msiAddConditionToGenQuery", 4, inputs={0: "str", 1: "str", 2: "str", 3: "gqi"},
              outputs={3: "GQI"})
def msi_add_condition_to_gen_query(call: MsiCall) -> dict:
    """msiAddConditionToGenQuery(column, operator, value, GenQueryInp): the condition
    ``column operator 'value'`` added (genQueryMS.cpp@5.0.2 L804-878); an unknown column is
    NO_COLUMN_NAME_FOUND."""
    column, operator, value = (str(call.args[i]) for i in range(3))
    _require_column(column)
    columns, conditions = T._gq_query(call.args[3])
    added = f"{column} {operator} '{value}'"
    return {3: _with_query(call.args[3], columns,
                           f"{conditions} and {added}" if conditions else added)}
