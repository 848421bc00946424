"""A collection's integrity check as delay-rule batches, each leaving a completion record.

``EUDATCheckIntegrityBatched`` cuts the source tree's data objects into id ranges
(:func:`b2safe.workflows.batching.id_ranges`) and queues one ``EUDATCheckIntegrityBatch`` per
range, as the PID and replication batches are queued. Each batch compares its objects with their
twins under the destination (:meth:`IntegrityChecker.check`), records every problem as
``eudat_pending:integrity`` on the source (as a check with ``logEnabled``: that is where the
result of work nobody waits for can be found) and writes one completion record on the source
collection::

    name   eudat_check_batch:<12 hex digits of sha1(destination)>:<first id>
    value  <run>::<last id>::<checked>::<failed>

``run`` is the epoch at which the check was queued: it is passed to every batch of that check, a
new check (nothing of it queued any more) first removes the records of the previous one, and
the follower (``b2safe check --batch``) counts only records of its run. A batch that is retried
replaces its own record. A delay rule that used up its retries leaves no record, so the follower
knows that part was not checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterator, Optional

from b2safe.errors import InvalidInput
from b2safe.ports import IntegrityCatalog
from b2safe.workflows.batching import id_ranges
from b2safe.workflows.integrity import IntegrityChecker, object_facts, relative

#: The rule each batch runs (queued by ``EUDATCheckIntegrityBatched``).
BATCH_RULE = "EUDATCheckIntegrityBatch"
DONE_PREFIX = "eudat_check_batch:"


def done_prefix(destination: str) -> str:
    """The name prefix of the completion records of checks against ``destination``."""
    digest = hashlib.sha1(destination.encode("utf-8")).hexdigest()[:12]  # noqa: S324
    return f"{DONE_PREFIX}{digest}:"


@dataclass(frozen=True)
class BatchDone:
    """One batch's completion record: its run, id range and counts."""

    run: str
    first: str
    last: str
    checked: int
    failed: int

    @property
    def value(self) -> str:
        """The AVU value."""
        return f"{self.run}::{self.last}::{self.checked}::{self.failed}"

    @classmethod
    def parse(cls, name: str, value: str) -> Optional[BatchDone]:
        """The record of an AVU (None when it is not one)."""
        first = name.rpartition(":")[2]
        parts = value.split("::")
        if not name.startswith(DONE_PREFIX) or len(parts) != 4 or \
                not all(p.isdigit() for p in (parts[0], parts[2], parts[3])):
            return None
        return cls(parts[0], first, parts[1], int(parts[2]), int(parts[3]))


def plan(catalog: IntegrityCatalog, source: str, destination: str, size: int
         ) -> tuple[str, Iterator[tuple[tuple[str, ...], int]]]:
    """The run and the batches (rule arguments, objects) of checking ``source`` against
    ``destination`` in batches of ``size`` data objects.

    A check of this pair still queued is joined (its run is reused, so nothing is queued twice);
    otherwise a new run starts and the previous run's completion records are removed.
    """
    if size < 1:
        raise InvalidInput("batch_size must be a positive number of objects")
    runs = {call.args[2] for call in catalog.delayed_calls(BATCH_RULE)
            if call.args[:2] == (source, destination) and len(call.args) == 5}
    if runs:
        run = min(runs)
    else:
        run = str(catalog.now())
        prefix = done_prefix(destination)
        for avu in catalog.avus(source, "-C"):
            if avu.name.startswith(prefix):
                catalog.remove_avu(source, "-C", avu.name, avu.value, avu.units)
    batches = (((source, destination, run, first, last), count)
               for first, last, count in id_ranges(catalog.object_ids(source, "-d"), size))
    return run, batches


def check_range(checker: IntegrityChecker, source: str, destination: str, run: str,
                first: str, last: str) -> BatchDone:
    """Check the data objects of ``source``'s tree with ids ``first`` .. ``last`` against their
    twins under ``destination``; record each object's problems (or clear them when it passes)
    and then the batch's completion record. Returns that record."""
    catalog = checker.catalog
    checked = failed = 0
    for item in catalog.walk_ids(source, "-d", first, last):
        facts = object_facts(catalog, item.path)
        if facts is None:
            continue  # removed since the batch was queued
        twin = f"{destination.rstrip('/')}/{relative(item.path, source)}"
        verdict = checker.check(facts, object_facts(catalog, twin), twin)
        checker.record(verdict)
        checked += 1
        failed += not verdict.ok
    done = BatchDone(run, first, last, checked, failed)
    catalog.set_avu(source, "-C", done_prefix(destination) + first, done.value)
    return done
