"""Cutting streams into pages (GenQuery-sized, flat memory) and bulk work into delay-rule
batches: the one batching helper of the ``...Batched`` rules."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, TypeVar

from b2safe.ports import DelayQueue

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


#: How queued batches are retried: soon after a failure, a bounded number of times, never
#: repeated after success.
BATCH_RETRY = "10m REPEAT UNTIL SUCCESS OR 6 TIMES"


@dataclass(frozen=True)
class BatchReport:
    """What :func:`schedule_batches` did: new delay rules, rules already queued, objects."""

    scheduled: int = 0
    queued: int = 0
    objects: int = 0

    def __str__(self) -> str:
        return f"scheduled={self.scheduled} queued={self.queued} objects={self.objects}"

    @property
    def total(self) -> int:
        """Batches of this work now in the queue (new and already queued)."""
        return self.scheduled + self.queued

    @classmethod
    def parse(cls, report: str) -> BatchReport:
        """The report a ``...Batched`` rule answered (:meth:`__str__`'s text; missing fields
        are 0)."""
        fields = dict(re.findall(r"\b(scheduled|queued|objects)=(\d+)\b", report or ""))
        return cls(**{name: int(value) for name, value in fields.items()})


def schedule_batches(queue: DelayQueue, rule: str,
                     batches: Iterable[tuple[tuple[str, ...], int]]) -> BatchReport:
    """Queue one call of ``rule`` per ``(args, objects)`` batch unless that exact call is
    already queued (so scheduling twice is safe); each is retried per :data:`BATCH_RETRY`."""
    queued = {call.args for call in queue.delayed_calls(rule)}
    scheduled = already = objects = 0
    for args, count in batches:
        objects += count
        if args in queued:
            already += 1
            continue
        queue.schedule_rule(rule, *args, frequency=BATCH_RETRY)
        queued.add(args)
        scheduled += 1
    return BatchReport(scheduled, already, objects)


def queue_once(queue: DelayQueue, user: str, rule: str, *args: str, delay: str,
               frequency: str) -> bool:
    """Queue a call of ``rule`` unless one is queued for ``user`` (any user's when ''); True
    when queued now. The periodic rules (retries, pending work) are queued this way."""
    if any(not user or call.user == user for call in queue.delayed_calls(rule)):
        return False
    queue.schedule_rule(rule, *args, delay=delay, frequency=frequency)
    return True
