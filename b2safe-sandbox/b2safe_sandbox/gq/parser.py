"""GenQuery1 text -> query AST (the iquest / msiMakeGenQuery language).

Grammar (keywords case-insensitive; column names exact)::

    query      := SELECT selections [WHERE conditions]
    selections := selection (',' selection)*
    selection  := COLUMN | FUNC '(' COLUMN ')'     FUNC: COUNT SUM MIN MAX AVG ORDER ORDER_ASC
                                                          ORDER_DESC
    conditions := condition (AND condition)*      (empty text = no conditions)
    condition  := COLUMN predicate (('||' | '&&') predicate)*
    predicate  := OP STRING                       OP: = <> != < > <= >= n= n<> n< n> n<= n>=
                | [NOT] LIKE STRING | [NOT] IN '(' STRING (',' STRING)* ')'
                | [NOT] BETWEEN STRING STRING
    STRING     := "'" any characters but "'" "'"  (GQ1 has no escape for a quote)

Malformed text raises IrodsCallError(INPUT_ARG_NOT_WELL_FORMED_ERR); an unknown column raises
IrodsCallError(NO_COLUMN_NAME_FOUND).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence, Union

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    NO_COLUMN_NAME_FOUND,
    IrodsCallError,
)
from b2safe_sandbox.gq.columns import lookup, unknown_in_version

AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG")
ORDERINGS = ("ORDER", "ORDER_ASC", "ORDER_DESC")
FUNCTIONS = AGGREGATES + ORDERINGS
COMPARISONS = ("=", "<>", "!=", "<", ">", "<=", ">=")
NUMERIC = ("n=", "n<>", "n<", "n>", "n<=", "n>=")


@dataclass(frozen=True)
class Selection:
    """One selected column, optionally wrapped in an aggregate or ordering function."""

    column: str
    func: Optional[str] = None

    @property
    def label(self) -> str:
        """The text a caller wrote for it, normalised: ``COUNT(DATA_ID)`` or ``DATA_ID``."""
        return f"{self.func}({self.column})" if self.func else self.column

    @property
    def is_aggregate(self) -> bool:
        """True for COUNT/SUM/MIN/MAX/AVG."""
        return self.func in AGGREGATES


@dataclass(frozen=True)
class Predicate:
    """``op`` (normalised: '=', 'n<', 'like', 'not in', 'between', ...) and its values."""

    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """``column`` tested by predicates; ``joiners[i]`` ('||' or '&&') links predicate i and i+1."""

    column: str
    predicates: tuple[Predicate, ...]
    joiners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A parsed GenQuery1 query."""

    selections: tuple[Selection, ...]
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Token:
    """A lexical token: kind in IDENT STRING OP LP RP COMMA ALT END; ``pos`` is its offset."""

    kind: str
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<STRING>'[^']*')
      | (?P<NUMOP>[nN](?:<>|<=|>=|=|<|>))
      | (?P<IDENT>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<OP><>|!=|<=|>=|=|<|>)
      | (?P<ALT>\|\||&&)
      | (?P<LP>\()
      | (?P<RP>\))
      | (?P<COMMA>,)
    )""",
    re.VERBOSE,
)


def _bad(message: str) -> IrodsCallError:
    return IrodsCallError(message, code=INPUT_ARG_NOT_WELL_FORMED_ERR, operation="genquery")


def tokenize(text: str) -> list[Token]:
    """Split GenQuery1 text into tokens (ending with an END token).

    Raises IrodsCallError(INPUT_ARG_NOT_WELL_FORMED_ERR) on an unterminated string or a character
    that cannot start a token.
    """
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while True:
        while pos < length and text[pos].isspace():
            pos += 1
        if pos >= length:
            break
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.lastgroup is None:
            if text[pos] == "'":
                raise _bad(f"unterminated string at offset {pos}")
            raise _bad(f"unexpected character {text[pos]!r} at offset {pos}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "NUMOP":
            kind, value = "OP", "n" + value[1:]
        tokens.append(Token(kind, value, match.start(kind)))
        pos = match.end()
    tokens.append(Token("END", "", length))
    return tokens


class _Cursor:
    """Token stream with one-token look-ahead."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "END":
            self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.peek
        return token.kind == "IDENT" and token.text.upper() in words

    def expect(self, kind: str, what: str) -> Token:
        token = self.take()
        if token.kind != kind:
            found = token.text or "end of text"
            raise _bad(f"expected {what} at offset {token.pos}, found {found!r}")
        return token


def _column(name: str, pos: int) -> str:
    if lookup(name) is None:
        raise IrodsCallError(f"unknown GenQuery column {name!r} (offset {pos})",
                             code=NO_COLUMN_NAME_FOUND, operation="genquery")
    return name


def _string(cur: _Cursor) -> str:
    return cur.expect("STRING", "a quoted value").text[1:-1]


def _selection(cur: _Cursor) -> Selection:
    token = cur.expect("IDENT", "a column name")
    if cur.peek.kind == "LP":
        func = token.text.upper()
        if func not in FUNCTIONS:
            # INVALID_GENQUERY_AGGREGATE_FUNCTION since 4.3.4, as in 5.0 (irods
            # lib/genquery1/dsl/parser.y@5.0.2, add_column_to_projection_list: "As of iRODS
            # 4.3.4, GenQuery1 returns the same error as iRODS 5").
            raise IrodsCallError(f"unknown function {token.text!r} at offset {token.pos}",
                                 code=CODES["INVALID_GENQUERY_AGGREGATE_FUNCTION"],
                                 operation="genquery")
        cur.take()
        inner = cur.expect("IDENT", "a column name")
        cur.expect("RP", "')'")
        return Selection(_column(inner.text, inner.pos), func)
    return Selection(_column(token.text, token.pos))


def _selections(cur: _Cursor) -> tuple[Selection, ...]:
    items = [_selection(cur)]
    while cur.peek.kind == "COMMA":
        cur.take()
        items.append(_selection(cur))
    return tuple(items)


def _predicate(cur: _Cursor) -> Predicate:
    token = cur.peek
    if token.kind == "OP":
        cur.take()
        op = "<>" if token.text == "!=" else token.text
        return Predicate(op, (_string(cur),))
    negate = False
    if cur.is_word("NOT"):
        cur.take()
        negate = True
    if not cur.is_word("LIKE", "IN", "BETWEEN"):
        found = cur.peek.text or "end of text"
        raise _bad(f"expected an operator at offset {cur.peek.pos}, found {found!r}")
    word = cur.take().text.lower()
    prefix = "not " if negate else ""
    if word == "like":
        return Predicate(prefix + "like", (_string(cur),))
    if word == "between":
        low = _string(cur)
        return Predicate(prefix + "between", (low, _string(cur)))
    cur.expect("LP", "'('")
    values = [_string(cur)]
    while cur.peek.kind == "COMMA":
        cur.take()
        values.append(_string(cur))
    cur.expect("RP", "')'")
    return Predicate(prefix + "in", tuple(values))


def _condition(cur: _Cursor) -> Condition:
    token = cur.expect("IDENT", "a column name")
    column = _column(token.text, token.pos)
    predicates = [_predicate(cur)]
    joiners: list[str] = []
    while cur.peek.kind == "ALT":
        joiners.append(cur.take().text)
        predicates.append(_predicate(cur))
    return Condition(column, tuple(predicates), tuple(joiners))


def _conditions(cur: _Cursor) -> tuple[Condition, ...]:
    if cur.peek.kind == "END":
        return ()
    items = [_condition(cur)]
    while cur.is_word("AND"):
        cur.take()
        items.append(_condition(cur))
    return tuple(items)


def _finish(cur: _Cursor) -> None:
    token = cur.peek
    if token.kind != "END":
        raise _bad(f"unexpected {token.text!r} at offset {token.pos}")


def parse_conditions(text: str) -> tuple[Condition, ...]:
    """Parse a condition string (msiMakeGenQuery's second argument); '' means none."""
    cur = _Cursor(tokenize(text or ""))
    result = _conditions(cur)
    _finish(cur)
    return result


def parse_select(columns: Union[str, Sequence[str]]) -> tuple[Selection, ...]:
    """Parse selected columns: ``'A, COUNT(B)'`` or ``['A', 'COUNT(B)']``. At least one."""
    text = columns if isinstance(columns, str) else ", ".join(str(c) for c in columns)
    cur = _Cursor(tokenize(text))
    if cur.peek.kind == "END":
        raise _bad("no columns selected")
    result = _selections(cur)
    _finish(cur)
    return result


def parse(columns: Union[str, Sequence[str]], conditions: str = "") -> Query:
    """Parse the (columns, conditions) pair msiMakeGenQuery receives into a Query."""
    return Query(parse_select(columns), parse_conditions(conditions))


def parse_query(text: str) -> Query:
    """Parse a whole ``SELECT ... [WHERE ...]`` query as iquest takes it."""
    cur = _Cursor(tokenize(text))
    if not cur.is_word("SELECT"):
        raise _bad("a query starts with SELECT")
    cur.take()
    selections = _selections(cur)
    conditions: tuple[Condition, ...] = ()
    if cur.is_word("WHERE"):
        cur.take()
        conditions = _conditions(cur)
        if not conditions:
            raise _bad("WHERE without conditions")
    _finish(cur)
    return Query(selections, conditions)


def columns_of(query: Query) -> Iterable[str]:
    """Every column name a query mentions (selections then conditions)."""
    for sel in query.selections:
        yield sel.column
    for cond in query.conditions:
        yield cond.column


def require_columns_of_version(query: Query, irods_version: tuple) -> None:
    """Refuse a query naming a column a server of ``irods_version`` does not have
    (DATA_ACCESS_TIME before 5.0: :data:`b2safe_sandbox.gq.columns.SINCE`).

    Raises:
        IrodsCallError: NO_COLUMN_NAME_FOUND, as for any unknown column.
    """
    missing = unknown_in_version(columns_of(query), irods_version)
    if missing:
        version = ".".join(str(part) for part in irods_version)
        raise IrodsCallError(f"unknown GenQuery column {missing[0]!r} (iRODS {version})",
                             code=NO_COLUMN_NAME_FOUND, operation="genquery")
