"""GenQuery2 for the sandbox: the language of ``msi_genquery2_execute`` (iRODS 4.3.2+), parsed as
the zone's iRODS version parses it.

Grammar (irods server/genquery2/dsl/parser.y and lexer.l at 5.0.2 and 4.3.5; keywords are
case-insensitive)::

    genquery2  := select group_by [order_by] [range] | select group_by range order_by
    select     := SELECT [DISTINCT] projection (',' projection)* [WHERE conditions]
    group_by   := empty | GROUP BY IDENT (',' IDENT)*                         (5.0.2)
                | GROUP BY (column | function) (',' (column | function))*   (4.3.5)
    order_by   := ORDER BY (column | function) [ASC | DESC] (',' ...)*
    range      := OFFSET n [FETCH FIRST n ROWS ONLY | LIMIT n] | LIMIT n [OFFSET n]
                | FETCH FIRST n ROWS ONLY [OFFSET n]                       (n: [0-9]+)
    projection := column | function
    column     := IDENT | CAST '(' IDENT AS IDENT ['(' n ')'] ')'
    function   := IDENT '(' [DISTINCT] [argument (',' argument)*] ')'
                  (argument: 'string', integer, column or function; the grammar's left-recursive
                  list also accepts an empty first argument, ``f(, 'x')``)
    conditions := conditions OR conditions | conditions AND conditions | NOT conditions
                | '(' conditions ')' | (column | function) test    (NOT > AND > OR)
    test       := [NOT] LIKE 's' | [NOT] IN '(' 's' (',' 's')* ')' | [NOT] BETWEEN 's' AND 's'
                | (= | != | <> | < | <= | > | >=) 's' | IS [NOT] NULL

``CASE``, ``WHEN``, ``ELSE``, ``END``, ``HAVING`` and ``EXISTS`` are keywords of the lexer that no
rule of the grammar uses, so a query naming them is a syntax error on the server too; so is the
``SELECT NO DISTINCT`` form of 4.3.2-4.3.4 (``no`` is an identifier since 4.3.5). Every syntax
error is SYS_LIBRARY_ERROR (rs_genquery2.cpp@5.0.2 L127-130 and L154-157: the parser throws, the
API answers SYS_LIBRARY_ERROR); tests ``scripts/irods/test/test_iquery.py@5.0.2``
::test_iquery_returns_error_on_invalid_query_tokens__issue_7570 (``' '`` and ``'select'``) and
::test_iquery_returns_error_when_closing_single_quote_is_missing__issue_6393. String literals:
:mod:`.literals`. What a parsed query means and its errors: :mod:`.genquery2_sql`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq import literals
from b2safe_sandbox.gq.cursor import TokenCursor
from b2safe_sandbox.gq.parser import Token

SYS_LIBRARY_ERROR = CODES["SYS_LIBRARY_ERROR"]

#: lexer.l@5.0.2 (the same words at 4.3.5).
_KEYWORDS = {"SELECT", "WHERE", "LIKE", "IN", "BETWEEN", "DISTINCT", "ORDER", "BY", "ASC",
             "DESC", "OFFSET", "LIMIT", "FETCH", "FIRST", "ROWS", "ONLY", "CASE", "WHEN", "ELSE",
             "END", "GROUP", "HAVING", "EXISTS", "IS", "NULL", "NOT", "AND", "OR", "CAST", "AS"}
_TOKEN = re.compile(r"(?P<WS>[ \t\n]+)|(?P<OP>!=|<>|<=|>=|=|<|>)|(?P<PUNCT>[,()])"
                    r"|(?P<WORD>[a-zA-Z][a-zA-Z0-9_]*)|(?P<INT>-?[0-9]+)")


def syntax_error(message: str) -> IrodsCallError:
    """The error of a query the server's parser refuses (SYS_LIBRARY_ERROR)."""
    return IrodsCallError(f"GenQuery2: {message}", code=SYS_LIBRARY_ERROR, operation="genquery2")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (kinds KW, IDENT, STRING, INT, OP, PUNCT, then END);
    SYS_LIBRARY_ERROR on a character the lexer does not know (``.`` rule of lexer.l)."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        start = pos
        if text[pos] == "'":
            try:
                value, pos = literals.scan(text, pos)
            except literals.LiteralError as exc:
                raise syntax_error(str(exc)) from None
            tokens.append(Token("STRING", value, start))
            continue
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            raise syntax_error(f"invalid character: {text[pos]}")
        pos = match.end()
        kind, value = match.lastgroup, match.group()
        if kind == "WS":
            continue
        if kind == "WORD":
            upper = value.upper()
            kind, value = ("KW", upper) if upper in _KEYWORDS else ("IDENT", value)
        tokens.append(Token(kind, value, start))
    tokens.append(Token("END", "", len(text)))
    return tokens


@dataclass(frozen=True)
class Column:
    """A column, with the type of its ``CAST(... AS type)`` ('' when not cast)."""

    name: str
    cast: str = ""


@dataclass(frozen=True)
class Literal:
    """A function argument written as a string literal or an integer."""

    value: str
    is_string: bool = True


@dataclass(frozen=True)
class Function:
    """``name(arguments)``, ``name(DISTINCT arguments)``; any name parses (the database decides)."""

    name: str
    args: tuple[Union[Literal, Column, Function], ...] = ()
    distinct: bool = False


Expression = Union[Column, Function]


@dataclass(frozen=True)
class Test:
    """``operand`` against ``values`` with ``op``: '=', '!=', '<' ..., 'like', 'in', 'between',
    'null'; ``negated`` for NOT LIKE / NOT IN / NOT BETWEEN / IS NOT NULL."""

    operand: Expression
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
    """A parsed GenQuery2 query (``offset``/``limit`` None when not given)."""

    projections: list[Expression]
    distinct: bool = False
    where: Optional[Condition] = None
    group_by: list[Expression] = field(default_factory=list)
    order_by: list[tuple[Expression, bool]] = field(default_factory=list)
    offset: Optional[int] = None
    limit: Optional[int] = None


class _Parser(TokenCursor):
    def __init__(self, text: str, version: tuple) -> None:
        super().__init__(tokenize(text), syntax_error)
        self.version = version

    def expression(self) -> Expression:
        """column | function."""
        if self.accept("KW", "CAST"):
            self.expect("PUNCT", "(")
            name = self.expect("IDENT").text
            self.expect("KW", "AS")
            type_name = self.expect("IDENT").text
            if self.accept("PUNCT", "("):
                type_name = f"{type_name}({self.positive()})"
                self.expect("PUNCT", ")")
            self.expect("PUNCT", ")")
            return Column(name, type_name)
        name = self.expect("IDENT").text
        if not self.accept("PUNCT", "("):
            return Column(name)
        distinct = self.accept("KW", "DISTINCT")
        args: list[Union[Literal, Column, Function]] = []
        if self.peek.text not in (")", ","):
            args.append(self.argument())
        while self.accept("PUNCT", ","):
            args.append(self.argument())
        self.expect("PUNCT", ")")
        return Function(name, tuple(args), distinct)

    def argument(self) -> Union[Literal, Column, Function]:
        if self.peek.kind == "STRING":
            return Literal(self.take().text)
        if self.peek.kind == "INT":
            return Literal(self.take().text, is_string=False)
        return self.expression()

    def positive(self) -> int:
        token = self.expect("INT")
        if token.text.startswith("-"):
            raise syntax_error(f"syntax error, unexpected NEGATIVE_INTEGER at position "
                               f"{token.pos}")
        return int(token.text)

    def strings(self) -> tuple[str, ...]:
        self.expect("PUNCT", "(")
        values = [self.expect("STRING").text]
        while self.accept("PUNCT", ","):
            values.append(self.expect("STRING").text)
        self.expect("PUNCT", ")")
        return tuple(values)

    def test(self) -> Test:
        operand = self.expression()
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
        select.projections.append(self.expression())
        while self.accept("PUNCT", ","):
            select.projections.append(self.expression())
        if self.accept("KW", "WHERE"):
            select.where = self.condition()
        if self.accept("KW", "GROUP"):
            self.expect("KW", "BY")
            select.group_by.append(self.group_item())
            while self.accept("PUNCT", ","):
                select.group_by.append(self.group_item())
        self.tail(select)
        self.expect("END")
        return select

    def group_item(self) -> Expression:
        """5.0.2: identifiers only (``identifier_list``); 4.3.5: columns and functions
        (``group_expression``, parser.y@4.3.5)."""
        if self.version >= (5, 0):
            return Column(self.expect("IDENT").text)
        return self.expression()

    def tail(self, select: Select) -> None:
        """ORDER BY and the range, in either order (parser.y's genquery2 rule)."""
        seen_order = seen_range = False
        while True:
            if not seen_order and self.accept("KW", "ORDER"):
                self.expect("KW", "BY")
                while True:
                    item = self.expression()
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
        if self.accept("KW", "OFFSET"):
            select.offset = self.positive()
            if self.accept("KW", "LIMIT"):
                select.limit = self.positive()
            elif self.peek.text == "FETCH":
                self.fetch_first(select)
        elif self.accept("KW", "LIMIT"):
            select.limit = self.positive()
            if self.accept("KW", "OFFSET"):
                select.offset = self.positive()
        else:
            self.fetch_first(select)
            if self.accept("KW", "OFFSET"):
                select.offset = self.positive()

    def fetch_first(self, select: Select) -> None:
        self.expect("KW", "FETCH")
        self.expect("KW", "FIRST")
        select.limit = self.positive()
        self.expect("KW", "ROWS")
        self.expect("KW", "ONLY")


def parse(text: str, version: tuple = (5, 0)) -> Select:
    """Parse a GenQuery2 string as iRODS ``version`` (a tuple, e.g. (4, 3)) does;
    SYS_LIBRARY_ERROR when it is not one."""
    return _Parser(text, version).parse()
