"""A token stream with one token of look-ahead, shared by the flex/bison-style parsers
(:mod:`.parser50`, :mod:`.genquery2`)."""

from __future__ import annotations

from typing import Callable

from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.gq.parser import Token


class TokenCursor:
    """Tokens ending with an END token; ``error(message)`` makes the syntax error to raise."""

    def __init__(self, tokens: list[Token], error: Callable[[str], IrodsCallError]) -> None:
        self.tokens = tokens
        self.index = 0
        self.error = error

    @property
    def peek(self) -> Token:
        """The next token (END at the end)."""
        return self.tokens[self.index]

    def take(self) -> Token:
        """The next token, consumed (END stays)."""
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def accept(self, kind: str, text: str = "") -> bool:
        """Consume the next token if it is of ``kind`` (and ``text``, when given)."""
        if self.peek.kind == kind and (not text or self.peek.text == text):
            self.take()
            return True
        return False

    def expect(self, kind: str, text: str = "") -> Token:
        """The next token, which must be of ``kind`` (and ``text``); else the syntax error."""
        token = self.take()
        if token.kind != kind or (text and token.text != text):
            raise self.error(f"syntax error, unexpected {token.text or 'end of input'!r} "
                             f"at position {token.pos}")
        return token
