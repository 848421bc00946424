"""Several delay-rule executor processes (runtime/executors.py): they run due rules at the same
time, and they have loaded the zone's rule base before they are released.

Concurrency is shown without timing: two delayed rules meet (each wakes the other through a
FIFO and waits to be woken), which only succeeds when both run at once; executors that ran one
rule after the other would leave the first waiting until its deadline, failing it.
"""

from __future__ import annotations

import os

from b2safe_sandbox.runtime.executors import ExecutorPool

#: A rule ``meet(mine, other)``: open this rule's FIFO, wake the other rule (if it listens
#: yet), wait to be woken, wake the other again. Fails when not woken within the deadline.
CORE = '''
import os
import select

def _wake(fifo):
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: the other rule does not listen yet; it wakes us when it does
        return
    os.write(fd, b"x")
    os.close(fd)

def meet(rule_args, callback, rei):
    mine, other = rule_args
    fd = os.open(mine, os.O_RDONLY | os.O_NONBLOCK)
    try:
        _wake(other)
        if not select.select([fd], [], [], 20)[0]:
            raise RuntimeError("the other rule did not run meanwhile")
        _wake(other)
    finally:
        os.close(fd)
    return 0

def note_pid(rule_args, callback, rei):
    with open(rule_args[0], "a") as log:
        log.write(f"{os.getpid()}\\n")

def record_import():
    with open(os.environ["B2SAFE_TEST_IMPORTS"], "a") as log:
        log.write(f"{os.getpid()}\\n")

if os.environ.get("B2SAFE_TEST_IMPORTS"):
    record_import()
'''


def test_two_executors_run_two_rules_at_the_same_time(make_sb, tmp_path):
    sb = make_sb(CORE)
    fifos = [tmp_path / "a.fifo", tmp_path / "b.fifo"]
    for fifo in fifos:
        os.mkfifo(fifo)
    catalog = sb.zone("zoneA").catalog
    now = sb.clock.now()
    catalog.delay_add(f"callback.meet('{fifos[0]}', '{fifos[1]}')", "rods#zoneA", now)
    catalog.delay_add(f"callback.meet('{fifos[1]}', '{fifos[0]}')", "rods#zoneA", now)

    results = sb.run_delayed(advance=1, executors=2)

    assert [r.code for r in results] == [0, 0]
    assert catalog.delay_list() == []


def test_executors_load_the_rule_base_before_they_are_released(make_sb, tmp_path,
                                                                monkeypatch):
    log = tmp_path / "imports.log"
    monkeypatch.setenv("B2SAFE_TEST_IMPORTS", str(log))
    sb = make_sb(CORE)
    log.unlink(missing_ok=True)  # imports by this process, if any

    pool = ExecutorPool(sb, 2)
    imported = log.read_text().split() if log.exists() else []
    results = pool.run()

    assert len(set(imported)) == 2 and str(os.getpid()) not in imported
    assert results == []  # nothing was due


def test_executors_run_the_warm_up_rules_before_they_are_released(make_sb, tmp_path):
    log = tmp_path / "warm.log"
    sb = make_sb(CORE)

    pool = ExecutorPool(sb, 2, warm_rules=[("zoneA", f"callback.note_pid('{log}')",
                                            "rods#zoneA")])
    warmed = log.read_text().split()
    results = pool.run()

    assert len(set(warmed)) == 2 and str(os.getpid()) not in warmed
    assert results == []


def test_run_counts_are_read_under_the_lock_only(make_sb, tmp_path):
    """An executor starting while another rewrites the shared run counts: it reads them only
    under ``runs_lock`` (where the other's write is complete), not at its start, where it would
    meet the half-written file and fail before running anything."""
    from contextlib import contextmanager

    from b2safe_sandbox.runtime.delayq import run_due

    sb = make_sb(CORE)
    counts = sb.directory / "delay_runs.json"
    counts.write_text('{"zoneA:', encoding="utf-8")  # another executor is writing it now
    log = tmp_path / "ran.log"
    catalog = sb.zone("zoneA").catalog
    catalog.delay_add(f"callback.note_pid('{log}')", "rods#zoneA", sb.clock.now())

    @contextmanager
    def runs_lock():
        counts.write_text("{}", encoding="utf-8")  # the other executor's write is done
        yield

    results = run_due(sb, runs_lock=runs_lock)

    assert [r.code for r in results] == [0] and log.exists()
    assert catalog.delay_list() == []
    assert list(sb.directory.glob("delay_runs.json.*")) == []  # the new counts replaced it
