"""A list that keeps only its newest entries: the sandbox's in-memory PEP event and server logs.

A long benchmark run fires millions of PEPs; every event kept costs memory, so the logs would
grow with N. :class:`RecentList` drops its oldest quarter when it outgrows ``maxlen``.

Positions are those of the whole log, not of the entries kept, so a mark taken before a trim
still points at the same entry after it: ``len()`` counts every entry ever appended, and an index
or a slice start (``log[mark:]``) is such a position (negative ones count from the newest entry as
usual). Asking for an entry that was dropped raises IndexError instead of answering with other
entries. Iterating, comparing and ``list(log)`` see the entries kept.
"""

from __future__ import annotations

from typing import Iterable, SupportsIndex, TypeVar, Union, overload

T = TypeVar("T")

#: PEP events the sandbox keeps in memory (a replicated object fires about 38).
EVENTS_MAXLEN = 10_000
#: Lines of each zone's server log kept in memory (the on-disk log keeps everything).
LOG_MAXLEN = 1_000


class RecentList(list[T]):
    """A list of at most ``maxlen`` entries: appending past it drops the oldest quarter.
    Positions count every entry ever appended (see the module docstring)."""

    def __init__(self, items: Iterable[T] = (), maxlen: int = EVENTS_MAXLEN) -> None:
        super().__init__(items)
        self.maxlen = maxlen
        self.dropped = 0

    def append(self, item: T) -> None:
        """Append ``item``; trim when over ``maxlen``."""
        super().append(item)
        kept = super().__len__()
        if kept > self.maxlen:
            cut = kept - self.maxlen * 3 // 4
            super().__delitem__(slice(0, cut))
            self.dropped += cut

    def __len__(self) -> int:
        return self.dropped + super().__len__()

    def _kept(self, position: int) -> int:
        if position < 0:
            return position
        if position < self.dropped:
            raise IndexError(f"entries before {self.dropped} of this log were dropped "
                             f"(it keeps {self.maxlen}); position {position} asked")
        return position - self.dropped

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: Union[SupportsIndex, slice]) -> Union[T, list[T]]:
        if isinstance(index, slice):
            start = None if index.start is None else self._kept(index.start)
            stop = index.stop
            if stop is not None and stop >= 0:
                stop = max(0, stop - self.dropped)
            return list.__getitem__(self, slice(start, stop, index.step))
        return list.__getitem__(self, self._kept(index.__index__()))
