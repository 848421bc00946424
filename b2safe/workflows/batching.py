"""Cutting streams into pages: GenQuery-sized batches for bulk work with flat memory."""

from __future__ import annotations

import itertools
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

#: GenQuery's page size (MAX_SQL_ROWS); bulk work is done one page at a time.
PAGE = 256


def pages(items: Iterable[T], size: int = PAGE) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items; the stream is read lazily."""
    iterator = iter(items)
    while True:
        page = list(itertools.islice(iterator, size))
        if not page:
            return
        yield page


def id_ranges(ids: Iterable[str], size: int) -> Iterator[tuple[str, str, int]]:
    """``(first, last, count)`` of consecutive runs of at most ``size`` ascending ids: the
    ranges bulk work hands to delay rules (ids of objects created later may fall inside a
    range; the batch re-reads its range, so they are included or skipped as appropriate)."""
    for chunk in pages(ids, size):
        yield chunk[0], chunk[-1], len(chunk)
