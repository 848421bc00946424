"""The one batching helper (workflows/batching.py) over the fake delay queue."""

from __future__ import annotations

from b2safe.workflows.batching import BATCH_RETRY, queue_once, schedule_batches


def test_batches_are_queued_once(catalog):
    batches = [(("/zoneA/p", "-d", "1", "5"), 5), (("/zoneA/p", "-d", "6", "7"), 2)]
    first = schedule_batches(catalog, "EUDATSomeBatch", batches)
    assert str(first) == "scheduled=2 queued=0 objects=7"
    more = [*batches, (("/zoneA/p", "-d", "8", "8"), 1)]
    again = schedule_batches(catalog, "EUDATSomeBatch", more)
    assert str(again) == "scheduled=1 queued=2 objects=8"
    assert [(q.args[-1], q.frequency) for q in catalog.queue] == [
        ("5", BATCH_RETRY), ("7", BATCH_RETRY), ("8", BATCH_RETRY)]


def test_queue_once_is_per_user(catalog):
    assert queue_once(catalog, "alice", "EUDATRetry", "256", delay="1h", frequency="1h")
    assert not queue_once(catalog, "alice", "EUDATRetry", "256", delay="1h", frequency="1h")
    catalog.user = "bob"
    assert queue_once(catalog, "bob", "EUDATRetry", "256", delay="1h", frequency="1h")
    assert not queue_once(catalog, "", "EUDATRetry", "256", delay="1h", frequency="1h")
    assert len(catalog.queue) == 2
