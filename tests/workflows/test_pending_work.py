"""The pending-work rule's order (workflows/pending_work.py): marks, PIDs, then replications."""

from __future__ import annotations

import pytest

from b2safe.errors import PidError
from b2safe.workflows import pending_work

from .conftest import ALICE, make_config


def recorder(done):
    """``step(name, result)``: a pending-work step that records (name, limit) in ``done``."""

    def step(name, result):
        def run(limit):
            done.append((name, limit))
            return result
        return run

    return step


def test_replications_wait_while_pids_remain_pending():
    done: list[tuple[str, int]] = []
    step = recorder(done)
    with pytest.raises(PidError, match="pending PIDs remain") as caught:
        pending_work.run(5, step("marks", (1, 0)), step("pids", (2, 1)), step("repl", (3, 0)))
    assert done == [("marks", 5), ("pids", 5)]
    assert "marked=1 marks_failed=0 pids_created=2 pids_failed=1" in str(caught.value)


def test_failed_marks_fail_the_run_after_the_replications():
    done: list[tuple[str, int]] = []
    step = recorder(done)
    with pytest.raises(PidError, match="removal marks remain"):
        pending_work.run(5, step("marks", (0, 2)), step("pids", (0, 0)), step("repl", (1, 1)))
    assert [name for name, _ in done] == ["marks", "pids", "repl"]
    assert pending_work.run(5, step("marks", (0, 0)), step("pids", (1, 0)),
                            step("repl", (2, 0))) == (
        "marked=0 marks_failed=0 pids_created=1 pids_failed=0 replicated=2 "
        "replication_failed=0 renamed=0 renames_failed=0")


def test_the_pending_rule_is_queued_once_per_user(catalog):
    config = make_config(replication={"retry_period": "10m", "max_attempts": 3})
    assert pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    assert not pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    [queued] = catalog.queue
    assert (queued.rule, queued.args, queued.delay, queued.frequency) == (
        pending_work.PENDING_RULE, ("256", ""), "30s", "10m REPEAT UNTIL SUCCESS OR 3 TIMES")


@pytest.mark.parametrize(("steps", "follows"), [
    ({"pids": (2, 0)}, True),              # a full batch of PIDs: more may be pending
    ({"repl": (1, 1)}, True),              # a full batch of replications, one done
    ({"repl": (0, 2)}, False),             # only failures (backoff): another run would loop
    ({"pids": (1, 0), "repl": (1, 0)}, False),  # below the limit: all done
])
def test_a_run_that_reached_its_limit_queues_the_next(steps, follows):
    step = recorder([])
    queued: list[str] = []
    marks, pids, repl, renames = (step(name, steps.get(name, (0, 0)))
                                  for name in ("marks", "pids", "repl", "renames"))
    stats = pending_work.run(2, marks, pids, repl, renames,
                             follow_up=lambda: queued.append("next"))
    assert queued == (["next"] if follows else [])
    assert stats.endswith(" follow_up=queued") is follows


def test_a_failed_run_queues_no_follow_up_as_the_delay_server_repeats_it():
    step = recorder([])
    queued: list[str] = []
    with pytest.raises(PidError):
        pending_work.run(2, step("marks", (0, 0)), step("pids", (1, 1)), step("repl", (0, 0)),
                         follow_up=lambda: queued.append("next"))
    assert queued == []


def test_the_follow_up_is_queued_although_the_running_rule_is_listed(catalog):
    config = make_config(replication={"retry_period": "10m", "max_attempts": 3})
    assert pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())  # running
    pending_work.queue_follow_up(catalog, config, 7)
    assert [(q.args, q.delay) for q in catalog.queue] == [(("256", ""), "30s"), (("7", ""), "1s")]


def test_work_recorded_while_the_queued_run_is_due_queues_one_more(catalog):
    """A due run may be running past reading its work (the delay server lists it until it
    succeeded): work recorded then gets a run of its own, but the queue does not grow with
    every upload while the delay server is stopped."""
    config = make_config(replication={"retry_period": "10m", "max_attempts": 3})
    assert pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    catalog.clock += 30  # due: the delay server may be running it
    assert pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    assert not pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    catalog.clock += 30  # both due, none run: the delay server is stopped
    assert not pending_work.ensure_pending_rule(catalog, ALICE, config, catalog.now())
    assert len(catalog.queue) == 2
