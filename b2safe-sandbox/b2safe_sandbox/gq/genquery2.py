"""GenQuery2 for the sandbox: the query language of ``msi_genquery2_execute`` (iRODS 4.3.2+).

Grammar (irods server/genquery2/dsl/parser.y@5.0.2, lexer.l; keywords case-insensitive)::

    query      := SELECT [DISTINCT] projection (',' projection)* [WHERE cond]
                  [GROUP BY IDENT (',' IDENT)*] [ORDER BY sort (',' sort)*] [range]
    projection := IDENT | IDENT '(' [DISTINCT] [IDENT (',' IDENT)*] ')'
    sort       := projection [ASC | DESC]
    range      := OFFSET n [LIMIT n] | LIMIT n [OFFSET n] | FETCH FIRST n ROWS ONLY [OFFSET n]
                  | OFFSET n FETCH FIRST n ROWS ONLY
    cond       := cond OR cond | cond AND cond | NOT cond | '(' cond ')' | operand test
                  (OR binds loosest, then AND, then NOT)
    test       := [NOT] LIKE 'v' | [NOT] IN '(' 'v' (',' 'v')* ')'
                  | [NOT] BETWEEN 'v' AND 'v' | op 'v' | IS [NOT] NULL   op: = != <> < <= > >=

String literals: :mod:`.literals`. A query without a range returns at most 256 rows
(rs_genquery2.cpp@5.0.2 L125, ``default_number_of_rows``); a rodsadmin sees every row
(``admin_mode``), anyone else what the ACLs allow. Any parse error or unknown column is
SYS_LIBRARY_ERROR (rs_genquery2.cpp L127-157: the driver's exceptions).

The sandbox evaluates a query in two steps: the GenQuery1 catalog gives the rows of every column
the query names (with the client's permissions), then the condition, grouping, functions, order
and range are applied here. Guess: comparisons are numeric when both sides are integers, as
PostgreSQL compares the integer columns; ``CAST``, ``CASE``, ``HAVING`` and ``EXISTS`` are not
emulated (SYS_NOT_SUPPORTED).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq import literals
from b2safe_sandbox.gq.columns import lookup
from b2safe_sandbox.gq.cursor import TokenCursor
from b2safe_sandbox.gq.parser import Token

SYS_LIBRARY_ERROR = CODES["SYS_LIBRARY_ERROR"]
SYS_NOT_SUPPORTED = CODES["SYS_NOT_SUPPORTED"]
DEFAULT_ROWS = 256

_KEYWORDS = {"SELECT", "WHERE", "LIKE", "IN", "BETWEEN", "DISTINCT", "ORDER", "BY", "ASC",
             "DESC", "OFFSET", "LIMIT", "FETCH", "FIRST", "ROWS", "ONLY", "CASE", "WHEN", "ELSE",
             "END", "GROUP", "HAVING", "EXISTS", "IS", "NULL", "NOT", "AND", "OR", "CAST", "AS"}
_UNSUPPORTED = {"CASE", "WHEN", "ELSE", "END", "HAVING", "EXISTS", "CAST", "AS"}
_TOKEN = re.compile(r"(?P<WS>[ \t\n]+)|(?P<OP>!=|<>|<=|>=|=|<|>)|(?P<PUNCT>[,()])"
                    r"|(?P<WORD>[a-zA-Z][a-zA-Z0-9_]*)|(?P<INT>-?[0-9]+)")
_FUNCTIONS = {"COUNT", "SUM", "MIN", "MAX", "AVG"}


def _error(message: str, code: int = SYS_LIBRARY_ERROR) -> IrodsCallError:
    return IrodsCallError(f"GenQuery2: {message}", code=code, operation="genquery2")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (kinds KW, IDENT, STRING, INT, OP, PUNCT, then END);
    SYS_LIBRARY_ERROR on a bad character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        start = pos
        if text[pos] == "'":
            try:
                value, pos = literals.scan(text, pos)
            except literals.LiteralError as exc:
                raise _error(str(exc)) from None
            tokens.append(Token("STRING", value, start))
            continue
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            raise _error(f"invalid character: {text[pos]}")
        pos = match.end()
        kind, value = match.lastgroup, match.group()
        if kind == "WS":
            continue
        if kind == "WORD":
            upper = value.upper()
            if upper in _UNSUPPORTED:
                raise _error(f"{upper} is not emulated", SYS_NOT_SUPPORTED)
            kind, value = ("KW", upper) if upper in _KEYWORDS else ("IDENT", value)
        tokens.append(Token(kind, value, start))
    tokens.append(Token("END", "", len(text)))
    return tokens


@dataclass(frozen=True)
class Projection:
    """A column, or a function of columns (``COUNT(DISTINCT DATA_ID)``)."""

    column: str
    function: Optional[str] = None
    distinct: bool = False


@dataclass(frozen=True)
class Test:
    """``operand`` against ``values`` with ``op``: '=', '!=', '<' ..., 'like', 'in', 'between',
    'null'; ``negated`` for NOT LIKE / NOT IN / NOT BETWEEN / IS NOT NULL."""

    operand: Projection
    op: str
    values: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class Logical:
    """'and' / 'or' of two conditions, or 'not' of ``left``."""

    kind: str
    left: Condition
    right: Optional[Condition] = None


Condition = Union[Test, Logical]


@dataclass
class Select:
    """A parsed GenQuery2 query."""

    projections: list[Projection]
    distinct: bool = False
    where: Optional[Condition] = None
    group_by: list[str] = field(default_factory=list)
    order_by: list[tuple[Projection, bool]] = field(default_factory=list)
    offset: int = 0
    limit: Optional[int] = None


class _Parser(TokenCursor):
    def __init__(self, text: str) -> None:
        super().__init__(tokenize(text), _error)

    def column(self) -> str:
        name = self.expect("IDENT").text
        if lookup(name) is None:
            raise _error(f"unknown column {name}")
        return name

    def projection(self) -> Projection:
        name = self.expect("IDENT").text
        if not self.accept("PUNCT", "("):
            if lookup(name) is None:
                raise _error(f"unknown column {name}")
            return Projection(name)
        if name.upper() not in _FUNCTIONS:
            raise _error(f"function {name} is not emulated", SYS_NOT_SUPPORTED)
        distinct = self.accept("KW", "DISTINCT")
        column = self.column()
        self.expect("PUNCT", ")")
        return Projection(column, name.upper(), distinct)

    def integer(self) -> int:
        value = int(self.expect("INT").text)
        if value < 0:
            raise _error("a range needs a positive integer")
        return value

    def strings(self) -> tuple[str, ...]:
        self.expect("PUNCT", "(")
        values = [self.expect("STRING").text]
        while self.accept("PUNCT", ","):
            values.append(self.expect("STRING").text)
        self.expect("PUNCT", ")")
        return tuple(values)

    def test(self) -> Test:
        operand = self.projection()
        if self.accept("KW", "IS"):
            negated = self.accept("KW", "NOT")
            self.expect("KW", "NULL")
            return Test(operand, "null", negated=negated)
        if self.peek.kind == "OP":
            op = self.take().text
            return Test(operand, "!=" if op == "<>" else op, (self.expect("STRING").text,))
        negated = self.accept("KW", "NOT")
        if self.accept("KW", "LIKE"):
            return Test(operand, "like", (self.expect("STRING").text,), negated)
        if self.accept("KW", "IN"):
            return Test(operand, "in", self.strings(), negated)
        self.expect("KW", "BETWEEN")
        low = self.expect("STRING").text
        self.expect("KW", "AND")
        return Test(operand, "between", (low, self.expect("STRING").text), negated)

    def condition(self) -> Condition:
        left = self.conjunction()
        while self.accept("KW", "OR"):
            left = Logical("or", left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.accept("KW", "AND"):
            left = Logical("and", left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.accept("KW", "NOT"):
            return Logical("not", self.negation())
        if self.accept("PUNCT", "("):
            inner = self.condition()
            self.expect("PUNCT", ")")
            return inner
        return self.test()

    def parse(self) -> Select:
        self.expect("KW", "SELECT")
        select = Select([], distinct=self.accept("KW", "DISTINCT"))
        select.projections.append(self.projection())
        while self.accept("PUNCT", ","):
            select.projections.append(self.projection())
        if self.accept("KW", "WHERE"):
            select.where = self.condition()
        if self.accept("KW", "GROUP"):
            self.expect("KW", "BY")
            select.group_by.append(self.column())
            while self.accept("PUNCT", ","):
                select.group_by.append(self.column())
        self.tail(select)
        self.expect("END")
        return select

    def tail(self, select: Select) -> None:
        """ORDER BY and the range, in either order (parser.y's genquery2 rule)."""
        seen_order = seen_range = False
        while True:
            if not seen_order and self.accept("KW", "ORDER"):
                self.expect("KW", "BY")
                while True:
                    item = self.projection()
                    ascending = not self.accept("KW", "DESC")
                    if ascending:
                        self.accept("KW", "ASC")
                    select.order_by.append((item, ascending))
                    if not self.accept("PUNCT", ","):
                        break
                seen_order = True
            elif not seen_range and self.peek.text in ("OFFSET", "LIMIT", "FETCH"):
                self.range(select)
                seen_range = True
            else:
                return

    def range(self, select: Select) -> None:
        for _ in range(2):
            if self.accept("KW", "OFFSET"):
                select.offset = self.integer()
            elif self.accept("KW", "LIMIT"):
                select.limit = self.integer()
            elif self.accept("KW", "FETCH"):
                self.expect("KW", "FIRST")
                select.limit = self.integer()
                self.expect("KW", "ROWS")
                self.expect("KW", "ONLY")


def parse(text: str) -> Select:
    """Parse a GenQuery2 string; SYS_LIBRARY_ERROR when it is not one."""
    return _Parser(text).parse()


def columns_of(select: Select) -> list[str]:
    """Every column the query names, in first-use order."""
    names: list[str] = []

    def add(name: str) -> None:
        if name not in names:
            names.append(name)

    def walk(cond: Optional[Condition]) -> None:
        if isinstance(cond, Test):
            add(cond.operand.column)
        elif isinstance(cond, Logical):
            walk(cond.left)
            walk(cond.right)

    for proj in select.projections:
        add(proj.column)
    walk(select.where)
    for name in select.group_by:
        add(name)
    for proj, _ in select.order_by:
        add(proj.column)
    return names


def _key(value: Optional[str]) -> tuple[int, Any]:
    """Sort/compare key: integers numerically, other text as text, NULL last."""
    if value is None:
        return (2, "")
    if re.fullmatch(r"-?\d+", value):
        return (0, int(value))
    return (1, value)


def _compare(op: str, left: Optional[str], right: str) -> bool:
    if left is None:
        return False
    a, b = _key(left), _key(right)
    if a[0] != b[0]:
        a, b = (1, left), (1, right)
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
            ">=": a >= b}[op]


def _like(value: Optional[str], pattern: str) -> bool:
    if value is None:
        return False
    glob = "".join("*" if c == "%" else "?" if c == "_" else
                   "[" + c + "]" if c in "[]*?" else c for c in pattern)
    return fnmatch.fnmatchcase(value, glob)


def _holds(cond: Optional[Condition], row: dict[str, Optional[str]]) -> bool:
    if cond is None:
        return True
    if isinstance(cond, Logical):
        if cond.kind == "not":
            return not _holds(cond.left, row)
        if cond.kind == "and":
            return _holds(cond.left, row) and _holds(cond.right, row)
        return _holds(cond.left, row) or _holds(cond.right, row)
    value = row[cond.operand.column]
    if cond.op == "null":
        result = value is None or value == ""
    elif cond.op == "like":
        result = _like(value, cond.values[0])
    elif cond.op == "in":
        result = any(_compare("=", value, v) for v in cond.values)
    elif cond.op == "between":
        result = _compare(">=", value, cond.values[0]) and _compare("<=", value, cond.values[1])
    else:
        result = _compare(cond.op, value, cond.values[0])
    return result != cond.negated


_AGGREGATE: dict[str, Callable[[list[str]], str]] = {
    "COUNT": lambda vs: str(len(vs)),
    "SUM": lambda vs: str(sum(int(v) for v in vs)) if vs else "",
    "MIN": lambda vs: min(vs, key=_key) if vs else "",
    "MAX": lambda vs: max(vs, key=_key) if vs else "",
    "AVG": lambda vs: str(sum(int(v) for v in vs) / len(vs)) if vs else "",
}


def _sorted(rows: list, order_by: list[tuple[Projection, bool]],
            value: Callable[[Any, Projection], Optional[str]]) -> list:
    """``rows`` sorted by the ORDER BY items (stable, last key first)."""
    for proj, ascending in reversed(order_by):
        rows = sorted(rows, key=lambda r, p=proj: _key(value(r, p)), reverse=not ascending)
    return rows


def evaluate(select: Select, rows: list[dict[str, Optional[str]]]) -> list[list[str]]:
    """The result rows of ``select`` over ``rows`` (each row: column name -> value)."""
    kept = [r for r in rows if _holds(select.where, r)]
    if any(p.function for p in select.projections) or select.group_by:
        groups: dict[tuple, list[dict]] = {}
        for row in kept:
            groups.setdefault(tuple(row[c] for c in select.group_by), []).append(row)
        if not groups and not select.group_by:
            groups[()] = []
        result = [[_project(proj, members) for proj in select.projections]
                  for members in groups.values()]
        labels = list(select.projections)
        result = _sorted(result, select.order_by,
                         lambda r, p: r[labels.index(p)] if p in labels else None)
    else:
        kept = _sorted(kept, select.order_by, lambda r, p: r[p.column])
        result = [[row[p.column] or "" for p in select.projections] for row in kept]
    if select.distinct:
        result = [list(r) for r in dict.fromkeys(tuple(r) for r in result)]
    limit = DEFAULT_ROWS if select.limit is None else select.limit
    return result[select.offset:select.offset + limit]


def _project(proj: Projection, members: list[dict[str, Optional[str]]]) -> str:
    values = [str(m[proj.column]) for m in members if m[proj.column] is not None]
    if proj.distinct:
        values = list(dict.fromkeys(values))
    if proj.function:
        return _AGGREGATE[proj.function](values)
    return values[0] if values else ""
