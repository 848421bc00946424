"""String literals of the flex/bison GenQuery parsers (GenQuery2 since 4.3.2, GenQuery1 in 5.0):
``'...'`` where ``''`` stands for one quote and ``\\xHH`` for the byte HH (irods
server/genquery2/dsl/lexer.l@5.0.2 and lib/genquery1/dsl/lexer.l@5.0.2, the
``ss_string_literal`` state). An unterminated literal is a syntax error."""

from __future__ import annotations

import re

_HEX = re.compile(r"\\x([0-9A-Fa-f]{2})")


class LiteralError(ValueError):
    """A literal without its closing quote."""


def scan(text: str, start: int) -> tuple[str, int]:
    """The value of the literal whose opening quote is at ``start``, and the offset after its
    closing quote.

    Raises:
        LiteralError: no closing quote.
    """
    out = bytearray()
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "'":
            if text.startswith("''", pos):
                out += b"'"
                pos += 2
                continue
            return out.decode("utf-8", errors="replace"), pos + 1
        match = _HEX.match(text, pos)
        if match:
            out.append(int(match.group(1), 16))
            pos = match.end()
            continue
        out += char.encode("utf-8")
        pos += 1
    raise LiteralError(f"missing closing single quote after offset {start}")
