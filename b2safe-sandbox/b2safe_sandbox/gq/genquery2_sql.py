"""What a parsed GenQuery2 query means: the checks of the server's SQL generator and the
evaluation of the query over the rows the sandbox catalog gives.

Checks (irods server/genquery2/src/genquery2_sql.cpp@5.0.2 ``to_sql``; any exception there makes
``to_sql`` return no SQL and rs_genquery2.cpp@5.0.2 L146-149 answers SYS_INVALID_INPUT_PARAM):
an unknown column (test ``scripts/irods/test/test_iquery.py@5.0.2``
::test_iquery_returns_error_on_invalid_query_tokens__issue_7570: ``select INVALID_COLUMN`` is
-130000); no table at all (``select count()``); tables that do not all join
(``generate_inner_joins``: ``select USER_NAME, DATA_NAME``); ``DISTINCT`` inside a function outside
the SELECT clause (L1010-1016); on 5.0 a GROUP BY column named neither in the SELECT nor the WHERE
clause (``generate_group_by_clause`` L596-640); an ORDER BY or GROUP BY column whose table the
query does not join.

Errors of the database (db_plugin.cpp@5.0.2 ``db_execute_genquery2_sql`` L15120-15179: any
exception is SYS_LIBRARY_ERROR), emulated as PostgreSQL raises them: a selected or ordered
column that is neither grouped nor inside an aggregate; an aggregate in WHERE or nested in
another; DISTINCT in a function that is no aggregate; with SELECT DISTINCT an ORDER BY item not
selected; ``LIKE`` on a number; a literal that is not an integer compared with an integer column;
a CAST the value does not fit.

Evaluation: rows are not made distinct unless ``SELECT DISTINCT`` (4.3.5 and 5.0; test
::test_genquery2_handling_of_distinct_keyword__issue_8261: one row per replica); without a range
at most 256 rows (``default_number_of_rows``, rs_genquery2.cpp@5.0.2 L124); NULL is ''
(``row.get<std::string>(i, "")``). Functions: the aggregates count, sum, min, max, avg (with
DISTINCT) and lower, upper, length, concat, substr, trim, ltrim, rtrim, replace, abs, coalesce;
casts to the integer and text types. Guess: other functions and types, which GenQuery2 passes to
the database unchecked, are SYS_NOT_SUPPORTED (the sandbox does not know which the database has);
text compares by code point (PostgreSQL: the database's collation); avg prints 16 decimals as
PostgreSQL's numeric division does.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable, Optional, Union

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq import genquery2_columns as cols
from b2safe_sandbox.gq.columns import INT, lookup
from b2safe_sandbox.gq.genquery2 import (
    Column,
    Condition,
    Expression,
    Function,
    Literal,
    Logical,
    Select,
    Test,
)

SYS_INVALID_INPUT_PARAM = CODES["SYS_INVALID_INPUT_PARAM"]
SYS_LIBRARY_ERROR = CODES["SYS_LIBRARY_ERROR"]
SYS_NOT_SUPPORTED = CODES["SYS_NOT_SUPPORTED"]
DEFAULT_ROWS = 256

AGGREGATES = {"count", "sum", "min", "max", "avg"}
_INT_TYPES = {"int", "integer", "bigint", "smallint", "int2", "int4", "int8"}
_TEXT_TYPES = {"text", "varchar", "char", "character", "bpchar"}
Value = Union[None, int, str, Decimal]
Row = dict[str, Value]


def _no_sql(message: str) -> IrodsCallError:
    return IrodsCallError(f"GenQuery2: {message}", code=SYS_INVALID_INPUT_PARAM,
                          operation="genquery2")


def _database(message: str) -> IrodsCallError:
    return IrodsCallError(f"GenQuery2: database error: {message}", code=SYS_LIBRARY_ERROR,
                          operation="genquery2")


def _not_emulated(message: str) -> IrodsCallError:
    return IrodsCallError(f"GenQuery2: {message} is not emulated by the sandbox",
                          code=SYS_NOT_SUPPORTED, operation="genquery2")


# ----------------------------------------------------------------------------- the SQL checks
class Plan:
    """The checked query: the tables it joins (in order) and the columns it reads."""

    def __init__(self, select: Select, version: tuple) -> None:
        self.select = select
        self.version = version
        self.tables: list[str] = []
        self.mentioned: list[Column] = []
        for proj in select.projections:
            self._walk(proj, in_select=True)
        for test in _tests(select.where):
            self._walk(test.operand, in_select=False)
        if not self.tables:
            raise _no_sql("no column names a table")
        if not cols.joinable(self.tables):
            raise _no_sql(f"invalid general query: {', '.join(self.tables)} do not join")
        for item in select.group_by:
            self._check_group_item(item)
        for item, _ in select.order_by:
            self._check_ordered(item)

    def _known(self, column: Column) -> str:
        table = cols.joined_table(column.name, self.version)
        if table is None:
            raise _no_sql(f"unknown column: {column.name}")
        return table

    def _walk(self, expr: Expression, in_select: bool) -> None:
        if isinstance(expr, Column):
            table = self._known(expr)
            if table not in self.tables:
                self.tables.append(table)
            self.mentioned.append(expr)
            return
        if expr.distinct and not in_select:
            raise _no_sql("use of DISTINCT keyword in function outside of SELECT clause is not "
                          "allowed")
        for arg in expr.args:
            if not isinstance(arg, Literal):
                self._walk(arg, in_select)

    def _check_ordered(self, expr: Expression) -> None:
        if isinstance(expr, Function):
            for arg in expr.args:
                if not isinstance(arg, Literal):
                    self._check_ordered(arg)
            return
        table = self._known(expr)
        if table not in self.tables:
            raise _no_sql(f"{expr.name} is in a table the query does not join")
        family = _special_join(expr.name)
        if family and not any(_special_join(c.name) == family for c in self.mentioned):
            # Its alias (mmd, cte_drh, ...) is joined only for a column of SELECT or WHERE
            # (setup_column_for_post_processing): the database refuses the unknown alias.
            raise _database(f'missing FROM-clause entry for the table of {expr.name}')

    def _check_group_item(self, item: Expression) -> None:
        if self.version < (5, 0) or not isinstance(item, Column):
            self._check_ordered(item)
            return
        self._known(item)
        if not any(c.name == item.name for c in self.mentioned):
            raise _no_sql("cannot generate SQL from General Query.")
        self._check_ordered(item)

    def group_by(self) -> list[Expression]:
        """The GROUP BY items; on 5.0 a column takes the CAST it has where it was first named
        (``ast_column_ptrs``)."""
        if self.version < (5, 0):
            return list(self.select.group_by)
        return [next(c for c in self.mentioned if c.name == item.name)
                if isinstance(item, Column) else item for item in self.select.group_by]

    def column_names(self) -> list[str]:
        """Every GenQuery2 column the query names, in first-use order."""
        names: list[str] = []

        def add(expr: Union[Expression, Literal]) -> None:
            if isinstance(expr, Column) and expr.name not in names:
                names.append(expr.name)
            elif isinstance(expr, Function):
                for arg in expr.args:
                    add(arg)

        for proj in self.select.projections:
            add(proj)
        for test in _tests(self.select.where):
            add(test.operand)
        for item in self.select.group_by:
            add(item)
        for item, _ in self.select.order_by:
            add(item)
        return names


def _special_join(name: str) -> str:
    """The special join a column needs besides its table's (genquery2_sql.cpp@5.0.2 L853-890:
    the metadata joins per kind, the resource hierarchy's CTE), '' for none."""
    if name.startswith("META_"):
        return name[:6]
    return "DATA_RESC_HIER" if name == "DATA_RESC_HIER" else ""


def _tests(cond: Optional[Condition]) -> list[Test]:
    if cond is None:
        return []
    if isinstance(cond, Test):
        return [cond]
    return _tests(cond.left) + _tests(cond.right)


def sandbox_columns(plan: Plan) -> dict[str, str]:
    """GenQuery2 column -> the sandbox's GenQuery1 column with its values;
    SYS_NOT_SUPPORTED for a column the sandbox catalog does not hold."""
    mapping = {}
    for name in plan.column_names():
        gq1 = cols.sandbox_column(name)
        if lookup(gq1) is None:
            raise _not_emulated(f"the column {name}")
        mapping[name] = gq1
    return mapping


# ------------------------------------------------------------------------------ evaluation
def _int(text: str) -> int:
    if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
        raise _database(f'invalid input syntax for type bigint: "{text}"')
    return int(text)


def _cast(value: Value, type_name: str) -> Value:
    base, _, size = type_name.lower().partition("(")
    if value is None:
        return None
    if base in _INT_TYPES:
        return value if isinstance(value, int) else _int(str(value))
    if base in _TEXT_TYPES:
        text = str(value)
        return text[:int(size.rstrip(")"))] if size else text
    raise _not_emulated(f"CAST to {type_name}")


def _is_int(expr: Union[Expression, Literal]) -> bool:
    """Whether the expression has an integer type (the columns the catalog keeps as integers)."""
    if isinstance(expr, Literal):
        return not expr.is_string
    if isinstance(expr, Column):
        if expr.cast:
            return expr.cast.lower().partition("(")[0] in _INT_TYPES
        column = lookup(cols.sandbox_column(expr.name))
        return column is not None and column.kind == INT
    return expr.name.lower() in ("count", "length", "sum") or (
        expr.name.lower() in ("min", "max", "abs") and bool(expr.args) and _is_int(expr.args[0]))


_SCALAR: dict[str, Callable[..., Value]] = {
    "lower": lambda s: None if s is None else str(s).lower(),
    "upper": lambda s: None if s is None else str(s).upper(),
    "length": lambda s: None if s is None else len(str(s)),
    "concat": lambda *a: "".join(str(v) for v in a if v is not None),
    "trim": lambda s: None if s is None else str(s).strip(" "),
    "ltrim": lambda s: None if s is None else str(s).lstrip(" "),
    "rtrim": lambda s: None if s is None else str(s).rstrip(" "),
    "replace": lambda s, a, b: None if None in (s, a, b) else str(s).replace(str(a), str(b)),
    "abs": lambda v: None if v is None else abs(_number(v)),
    "coalesce": lambda *a: next((v for v in a if v is not None), None),
}


def _number(value: Value) -> Union[int, Decimal]:
    if isinstance(value, (int, Decimal)):
        return value
    return _int(str(value))


def _substr(value: Value, start: Value, length: Value = None) -> Value:
    if value is None or start is None:
        return None
    text, first = str(value), _number(start)
    end = len(text) + 1 if length is None else int(first) + int(_number(length))
    return text[max(int(first), 1) - 1:max(end - 1, 0)]


_SCALAR["substr"] = _SCALAR["substring"] = _substr


def _avg(values: list[Value]) -> Value:
    if not values:
        return None
    mean = Decimal(sum(int(_number(v)) for v in values)) / Decimal(len(values))
    return mean.quantize(Decimal(1).scaleb(-16))


def _aggregate(name: str, values: list[Value]) -> Value:
    present = [v for v in values if v is not None]
    if name == "count":
        return len(present)
    if not present:
        return None
    if name == "sum":
        return sum(_number(v) for v in present)
    if name == "avg":
        return _avg(present)
    key = _number if all(isinstance(v, int) for v in present) else str
    return (min if name == "min" else max)(present, key=key)  # type: ignore[type-var]


class Evaluator:
    """Values of expressions over catalog rows (``{GenQuery2 column: value}``)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def scalar(self, expr: Union[Expression, Literal], row: Row) -> Value:
        """The value of an expression without aggregates on one row."""
        if isinstance(expr, Literal):
            return expr.value if expr.is_string else int(expr.value)
        if isinstance(expr, Column):
            value = row[expr.name]
            return _cast(value, expr.cast) if expr.cast else value
        name = expr.name.lower()
        if name in AGGREGATES:
            raise _database(f"aggregate functions are not allowed here: {expr.name}")
        if expr.distinct:
            raise _database(f"DISTINCT specified, but {expr.name} is not an aggregate function")
        function = _SCALAR.get(name)
        if function is None:
            raise _not_emulated(f"the function {expr.name}")
        try:
            return function(*(self.scalar(arg, row) for arg in expr.args))
        except TypeError:
            raise _database(f"function {expr.name} does not take {len(expr.args)} "
                            "arguments") from None

    def grouped(self, expr: Union[Expression, Literal], members: list[Row],
                keys: list[Expression]) -> Value:
        """The value of an expression over one group (``keys``: the GROUP BY items)."""
        if isinstance(expr, Literal):
            return self.scalar(expr, {})
        if expr in keys:
            return self.scalar(expr, members[0]) if members else None
        if isinstance(expr, Column):
            raise _database(f'column "{expr.name}" must appear in the GROUP BY clause or be '
                            "used in an aggregate function")
        name = expr.name.lower()
        if name not in AGGREGATES:
            args = [self.grouped(arg, members, keys) for arg in expr.args]
            return self.scalar(Function(expr.name, tuple(_literal(a) for a in args),
                                        expr.distinct), {})
        if len(expr.args) != 1 or isinstance(expr.args[0], Literal):
            raise _database(f"function {expr.name} needs one column argument")
        if _has_aggregate(expr.args[0]):
            raise _database("aggregate function calls cannot be nested")
        values = [self.scalar(expr.args[0], m) for m in members]
        if expr.distinct:
            values = list(dict.fromkeys(values))
        return _aggregate(name, values)

    def holds(self, cond: Optional[Condition], row: Row) -> bool:
        """Whether the WHERE condition holds for ``row`` (NULL never matches)."""
        if cond is None:
            return True
        if isinstance(cond, Logical):
            if cond.kind == "not":
                return not self.holds(cond.left, row)
            if cond.kind == "and":
                return self.holds(cond.left, row) and self.holds(cond.right, row)
            return self.holds(cond.left, row) or self.holds(cond.right, row)
        if _has_aggregate(cond.operand):
            raise _database("aggregate functions are not allowed in WHERE")
        value = self.scalar(cond.operand, row)
        if cond.op == "null":
            # Guess: the sandbox stores an absent value as '' where the server has NULL.
            return (value is None or value == "") != cond.negated
        if value is None:
            return False
        numeric = _is_int(cond.operand)
        if cond.op == "like":
            if numeric:
                raise _database("operator does not exist: bigint ~~ unknown")
            return _like(str(value), cond.values[0]) != cond.negated
        operands = [_int(v) if numeric else v for v in cond.values]
        left: Any = _number(value) if numeric else str(value)
        if cond.op == "in":
            result = left in operands
        elif cond.op == "between":
            result = operands[0] <= left <= operands[1]
        else:
            right = operands[0]
            result = {"=": left == right, "!=": left != right, "<": left < right,
                      "<=": left <= right, ">": left > right, ">=": left >= right}[cond.op]
        return result != cond.negated


def _literal(value: Value) -> Literal:
    if isinstance(value, int):
        return Literal(str(value), is_string=False)
    return Literal("" if value is None else str(value))


def _has_aggregate(expr: Union[Expression, Literal]) -> bool:
    if not isinstance(expr, Function):
        return False
    return expr.name.lower() in AGGREGATES or any(_has_aggregate(a) for a in expr.args)


def _like(value: str, pattern: str) -> bool:
    """SQL LIKE: ``%`` any run, ``_`` one character, backslash escapes (PostgreSQL's default)."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.fullmatch("".join(out), value, re.S) is not None


def _sort_key(value: Value) -> tuple:
    """PostgreSQL's order: NULL last ascending; numbers as numbers."""
    if value is None:
        return (1, 0, "")
    if isinstance(value, (int, Decimal)):
        return (0, value, "")
    return (0, 0, value)


def _sorted(rows: list, order_by: list[tuple[Expression, bool]],
            value: Callable[[Any, Expression], Value]) -> list:
    for expr, ascending in reversed(order_by):
        rows = sorted(rows, key=lambda r, e=expr: _sort_key(value(r, e)), reverse=not ascending)
    return rows


def evaluate(plan: Plan, rows: list[Row]) -> list[list[str]]:
    """The result rows of the checked query over the catalog rows (strings; NULL is '')."""
    select, ev = plan.select, Evaluator(plan)
    kept = [row for row in rows if ev.holds(select.where, row)]
    keys = plan.group_by()
    items = list(select.projections) + [e for e, _ in select.order_by]
    if select.distinct:
        for expr, _ in select.order_by:
            if expr not in select.projections:
                raise _database("for SELECT DISTINCT, ORDER BY expressions must appear in "
                                "select list")
    if keys or any(_has_aggregate(e) for e in items):
        groups: dict[tuple, list[Row]] = {}
        for row in kept:
            groups.setdefault(tuple(ev.scalar(k, row) for k in keys), []).append(row)
        if not groups and not keys:
            groups[()] = []
        table = [[ev.grouped(e, members, keys) for e in items] for members in groups.values()]
    else:
        table = [[ev.scalar(e, row) for e in items] for row in kept]
    width = len(select.projections)
    order = [(e, asc) for (e, asc) in select.order_by]
    positions = {id(e): width + i for i, (e, _) in enumerate(select.order_by)}
    table = _sorted(table, order, lambda r, e: r[positions[id(e)]])
    result = [["" if v is None else str(v) for v in r[:width]] for r in table]
    if select.distinct:
        result = [list(r) for r in dict.fromkeys(tuple(r) for r in result)]
    offset = select.offset or 0
    limit = DEFAULT_ROWS if select.limit is None else select.limit
    return result[offset:offset + limit]
