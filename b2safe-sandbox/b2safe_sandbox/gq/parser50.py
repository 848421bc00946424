"""The GenQuery1 parser of iRODS 5.0 (flex/bison, ``parse_genquery1_string``), used by
msiMakeGenQuery and msiExecStrCondQuery on a 5.0 zone.

Differences from the 4.3 parser (:mod:`.parser`), from irods lib/genquery1/dsl/lexer.l@5.0.2 and
parser.y@5.0.2: string literals know ``''`` and ``\\xHH`` (:mod:`.literals`); ``in`` takes its
list with or without parentheses; there is no ``not in``, ``not between`` nor the numeric
``n=``/``n<``... operators; function names are case-insensitive. Errors
(unit_tests/src/test_genquery1_flex_bison_parser.cpp@5.0.2 L105-145): a syntax error is
INPUT_ARG_NOT_WELL_FORMED_ERR, an unknown column NO_COLUMN_NAME_FOUND, an unknown function
INVALID_GENQUERY_AGGREGATE_FUNCTION. ``begin_of`` and ``parent_of`` parse but are not emulated
(SYS_NOT_SUPPORTED).
"""

from __future__ import annotations

import re
from typing import Sequence, Union

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    NO_COLUMN_NAME_FOUND,
    IrodsCallError,
)
from b2safe_sandbox.gq import literals
from b2safe_sandbox.gq.columns import lookup
from b2safe_sandbox.gq.cursor import TokenCursor
from b2safe_sandbox.gq.parser import FUNCTIONS, Condition, Predicate, Query, Selection, Token

INVALID_GENQUERY_AGGREGATE_FUNCTION = CODES["INVALID_GENQUERY_AGGREGATE_FUNCTION"]
SYS_NOT_SUPPORTED = CODES["SYS_NOT_SUPPORTED"]
_KEYWORDS = {"SELECT", "WHERE", "LIKE", "IN", "BETWEEN", "AND", "NOT", "BEGIN_OF", "PARENT_OF"}
_TOKEN = re.compile(r"(?P<WS>[ \t\n]+)|(?P<OP>!=|<>|<=|>=|=|<|>)|(?P<ALT>\|\||&&)"
                    r"|(?P<PUNCT>[,()])|(?P<WORD>[a-zA-Z][a-zA-Z0-9_]*)")


def _bad(message: str) -> IrodsCallError:
    return IrodsCallError(message, code=INPUT_ARG_NOT_WELL_FORMED_ERR, operation="genquery")


def tokenize(text: str) -> list[Token]:
    """Tokens of kinds KW, IDENT, STRING, OP, ALT, PUNCT and a final END."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "'":
            try:
                value, end = literals.scan(text, pos)
            except literals.LiteralError as exc:
                raise _bad(str(exc)) from None
            tokens.append(Token("STRING", value, pos))
            pos = end
            continue
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            raise _bad(f"invalid character: {text[pos]} at position {pos}")
        kind, value = match.lastgroup, match.group()
        if kind == "WORD":
            kind = "KW" if value.upper() in _KEYWORDS else "IDENT"
            value = value.upper() if kind == "KW" else value
        if kind != "WS":
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    tokens.append(Token("END", "", len(text)))
    return tokens


class _Parser(TokenCursor):
    def __init__(self, text: str) -> None:
        super().__init__(tokenize(text), _bad)

    @staticmethod
    def column(token: Token) -> str:
        if lookup(token.text) is None:
            raise IrodsCallError(f"column [{token.text}] not supported",
                                 code=NO_COLUMN_NAME_FOUND, operation="genquery")
        return token.text

    def selection(self) -> Selection:
        first = self.expect("IDENT")
        if not self.accept("PUNCT", "("):
            return Selection(self.column(first))
        inner = self.expect("IDENT")
        self.expect("PUNCT", ")")
        column = self.column(inner)
        function = first.text.upper()
        if function not in FUNCTIONS:
            raise IrodsCallError(f"aggregate function [{first.text}] not supported",
                                 code=INVALID_GENQUERY_AGGREGATE_FUNCTION, operation="genquery")
        return Selection(column, function)

    def strings(self) -> tuple[str, ...]:
        values = [self.expect("STRING").text]
        while self.accept("PUNCT", ","):
            values.append(self.expect("STRING").text)
        return tuple(values)

    def predicate(self) -> Predicate:
        if self.peek.kind == "OP":
            op = self.take().text
            return Predicate("<>" if op == "!=" else op, (self.expect("STRING").text,))
        if self.accept("KW", "NOT"):
            self.expect("KW", "LIKE")
            return Predicate("not like", (self.expect("STRING").text,))
        if self.accept("KW", "LIKE"):
            return Predicate("like", (self.expect("STRING").text,))
        if self.accept("KW", "BETWEEN"):
            low = self.expect("STRING").text
            return Predicate("between", (low, self.expect("STRING").text))
        if self.accept("KW", "IN"):
            if self.accept("PUNCT", "("):
                values = self.strings()
                self.expect("PUNCT", ")")
                return Predicate("in", values)
            return Predicate("in", self.strings())
        if self.peek.text in ("BEGIN_OF", "PARENT_OF"):
            raise IrodsCallError(f"{self.peek.text.lower()} is not emulated",
                                 code=SYS_NOT_SUPPORTED, operation="genquery")
        token = self.peek
        raise _bad(f"syntax error, unexpected {token.text or 'end of input'!r} at position "
                   f"{token.pos}")

    def condition(self) -> Condition:
        column = self.column(self.expect("IDENT"))
        predicates = [self.predicate()]
        joiners: list[str] = []
        while self.peek.kind == "ALT":
            joiners.append(self.take().text)
            predicates.append(self.predicate())
        return Condition(column, tuple(predicates), tuple(joiners))

    def query(self) -> Query:
        self.expect("KW", "SELECT")
        selections = [self.selection()]
        while self.accept("PUNCT", ","):
            selections.append(self.selection())
        conditions: list[Condition] = []
        if self.accept("KW", "WHERE"):
            conditions.append(self.condition())
            while self.accept("KW", "AND"):
                conditions.append(self.condition())
        self.expect("END")
        return Query(tuple(selections), tuple(conditions))


def parse_query(text: str) -> Query:
    """Parse ``select ... [where ...]`` (msiExecStrCondQuery's argument)."""
    return _Parser(text).query()


def parse(columns: Union[str, Sequence[str]], conditions: str = "") -> Query:
    """Parse msiMakeGenQuery's two arguments, joined as its ``_makeQuery`` does
    (server/re/src/genQueryMS.cpp@5.0.2 L197-206)."""
    select = columns if isinstance(columns, str) else ", ".join(str(c) for c in columns)
    text = f"select {select} where {conditions}" if conditions else f"select {select} "
    return parse_query(text)
