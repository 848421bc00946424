"""A list that keeps only its newest entries: the sandbox's in-memory PEP event and server logs.

A long benchmark run fires millions of PEPs; every event kept costs memory, so the logs would
grow with N. :class:`RecentList` drops its oldest quarter when it outgrows ``maxlen``. Positions
taken with ``len()`` before such a trim shift by the number of entries dropped (tests take
marks over a few hundred events, far below the bound).
"""

from __future__ import annotations

from typing import Iterable, TypeVar

T = TypeVar("T")

#: Entries the sandbox keeps per log (the on-disk server log keeps everything).
DEFAULT_MAXLEN = 50_000


class RecentList(list[T]):
    """A list of at most ``maxlen`` entries: appending past it drops the oldest quarter."""

    def __init__(self, items: Iterable[T] = (), maxlen: int = DEFAULT_MAXLEN) -> None:
        super().__init__(items)
        self.maxlen = maxlen
        self.dropped = 0

    def append(self, item: T) -> None:
        """Append ``item``; trim when over ``maxlen``."""
        super().append(item)
        if len(self) > self.maxlen:
            cut = len(self) - self.maxlen * 3 // 4
            del self[:cut]
            self.dropped += cut
