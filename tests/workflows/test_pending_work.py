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
    assert pending_work.ensure_pending_rule(catalog, ALICE, config)
    assert not pending_work.ensure_pending_rule(catalog, ALICE, config)
    [queued] = catalog.queue
    assert (queued.rule, queued.args, queued.delay, queued.frequency) == (
        pending_work.PENDING_RULE, ("256", ""), "30s", "10m REPEAT UNTIL SUCCESS OR 3 TIMES")
