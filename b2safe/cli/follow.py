"""Long work queued as delay-rule batches, then followed until the delay server has done it.

``b2safe pids --batch N``, ``b2safe replicate --batch N`` and ``b2safe check --batch N`` call
the ruleset's ``...Batched`` rule, which queues one delay rule per ``N`` objects
(``EUDATPidsForCollBatch`` / ``EUDATReplicationBatch`` / ``EUDATCheckIntegrityBatch``, retried
``10m REPEAT UNTIL SUCCESS OR 6 TIMES``) and returns at once with
``scheduled=N queued=N objects=N``. No socket is held while the work runs: the command then
reads the delay queue (R_RULE_EXEC through GenQuery) every ``--poll`` seconds and shows how many
batches are done and how many failed once and wait for their retry.

A batch leaves the queue when it succeeded *or* when its retries are used up (iRODS's delay
server deletes a ``REPEAT UNTIL SUCCESS OR n TIMES`` rule after its last failure,
server/delay_server/src/irodsDelayServer.cpp ``update_entry_for_repeat``), so an empty queue is
not success: the command then checks the state the rules leave (objects still without a PID;
fail-log records; for a check, one completion record per batch,
:mod:`b2safe.workflows.check_batches`) and exits 1 when work is missing. The server records no
failure status for a delay rule it will retry, only ``RULE_EXEC_LAST_EXE_TIME`` (same
function): a queued batch with a last execution time has failed at least once.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from b2safe.adapters.prep.calls import DelayedCall
from b2safe.cli.backends import Backend
from b2safe.cli.common import EXIT_ERROR, EXIT_OK, Progress, print_json
from b2safe.cli.runner import RuleResult
from b2safe.ruleset.pid import BATCH_RULE as PIDS_BATCH
from b2safe.ruleset.replication import BATCH_RULE as REPLICATION_BATCH
from b2safe.workflows.batching import BatchReport
from b2safe.workflows.check_batches import BATCH_RULE as CHECK_BATCH
from b2safe.workflows.check_batches import BatchDone, done_prefix
from b2safe.workflows.integrity import PENDING_AVU, parse_pending
from b2safe.workflows.pids import PID_AVU

__all__ = ["CHECK_BATCH", "PIDS_BATCH", "REPLICATION_BATCH", "BatchReport", "QueueState",
           "Summary", "check_summary", "follow", "objects_without_pid", "queued_batches",
           "run_batched"]


@dataclass(frozen=True)
class QueueState:
    """Batches of one piece of work still queued, and how many of them failed at least once."""

    remaining: int
    retrying: int


def queued_batches(backend: Backend, rule: str, key: tuple[str, ...]) -> QueueState:
    """The queued calls of ``rule`` whose first arguments are ``key`` (the work's collection,
    destination), read from the delay queue with GenQuery."""
    rows = backend.query(["RULE_EXEC_NAME", "RULE_EXEC_LAST_EXE_TIME"],
                         [("RULE_EXEC_NAME", "like", f"%{rule}(%")])
    remaining = retrying = 0
    for text, last_run in rows:
        call = DelayedCall.from_text(text)
        if call is None or call.rule != rule or call.args[:len(key)] != key:
            continue
        remaining += 1
        if last_run.strip() not in ("", "0"):
            retrying += 1
    return QueueState(remaining, retrying)


def follow(backend: Backend, watch: Callable[[], QueueState], total: int, label: str, *,
           poll: float, wait: Optional[float] = None, quiet: bool = False) -> QueueState:
    """Read the queue (``watch``) every ``poll`` seconds until no batch is left or ``wait``
    seconds of waiting have passed; progress (done/total, rate, ETA) on a terminal.

    Returns the last state read. Between reads the backend's delay server works
    (``backend.wait_for_queue``: a live server's own; a sandbox's is run for that long).
    """
    progress = Progress(label, total, quiet=quiet, unit="batch")
    waited = 0.0
    try:
        while True:
            state = watch()
            note = f"{state.retrying} failed once, retried later" if state.retrying else ""
            progress.update(max(total - state.remaining, 0), note)
            if state.remaining == 0 or (wait is not None and waited >= wait):
                return state
            step = poll if wait is None else max(min(poll, wait - waited), 0.0)
            backend.wait_for_queue(step)
            waited += step
    finally:
        progress.finish()


def _tree_rows(backend: Backend, columns: list[str], collection: str,
               extra: list[Any]) -> list[list[str]]:
    """Rows of ``columns`` for ``collection`` and everything below it (two GenQuery1 reads:
    conditions are ANDed)."""
    top = collection.rstrip("/") or "/"
    rows = backend.query(columns, [("COLL_NAME", "=", top), *extra])
    rows += backend.query(columns, [("COLL_NAME", "like", f"{top.rstrip('/')}/%"), *extra])
    return rows


def objects_without_pid(backend: Backend, collection: str) -> list[str]:
    """Paths of the tree at ``collection`` (itself, sub-collections, data objects) that have no
    PID AVU: what a finished ``pids --batch`` must have left none of."""
    objects = {f"{c}/{n}" for c, n in _tree_rows(backend, ["COLL_NAME", "DATA_NAME"],
                                                    collection, [])}
    objects -= {f"{c}/{n}" for c, n in _tree_rows(
        backend, ["COLL_NAME", "DATA_NAME"], collection,
        [("META_DATA_ATTR_NAME", "=", PID_AVU)])}
    colls = {c for (c,) in _tree_rows(backend, ["COLL_NAME"], collection, [])}
    colls -= {c for (c,) in _tree_rows(backend, ["COLL_NAME"], collection,
                                       [("META_COLL_ATTR_NAME", "=", PID_AVU)])}
    return sorted(objects | colls)


@dataclass(frozen=True)
class Summary:
    """What finished batched work found: ``fields`` for ``--json``, a ``line`` for the
    terminal, and ``problems`` (each one line; any makes the exit code 1) under ``error``."""

    fields: dict[str, Any] = field(default_factory=dict)
    line: str = ""
    problems: list[str] = field(default_factory=list)
    error: str = ""


def run_of(result: RuleResult) -> str:
    """The ``run=EPOCH`` a ``...Batched`` rule answered ('' when none)."""
    found = re.search(r"\brun=(\d+)\b", next(iter(result.outputs.values()), ""))
    return found.group(1) if found else ""


def check_summary(backend: Backend, source: str, destination: str, run: str,
                  batches: int) -> Summary:
    """The result of a batched check: the completion records of ``run`` on ``source``
    (a batch without one was not checked: its retries were used up) and the objects it found
    failing (``eudat_pending:integrity`` written since the run began)."""
    rows = backend.query(["META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE"],
                         [("COLL_NAME", "=", source),
                          ("META_COLL_ATTR_NAME", "like", done_prefix(destination) + "%")])
    done = [d for d in (BatchDone.parse(n, v) for n, v in rows) if d is not None and d.run == run]
    checked, failed = sum(d.checked for d in done), sum(d.failed for d in done)
    failing = sorted(f"{c}/{n}: {parsed[1]} ({parsed[2]})" for c, n, value in _tree_rows(
        backend, ["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_VALUE"], source,
        [("META_DATA_ATTR_NAME", "=", PENDING_AVU)])
        if (parsed := parse_pending(value)) is not None and parsed[0] >= int(run or 0))
    missing = max(batches - len(done), 0)
    problems = failing + ([f"{missing} batch(es) left no completion record: not checked"]
                          if missing else [])
    error = ""
    if missing:
        error = (f"{missing} of {batches} batch(es) used up their retries; the server log "
                 "says why")
    elif failed:
        error = (f"{failed} object(s) disagree with their replica; recorded as "
                 f"{PENDING_AVU} on the sources (a repairing sweep acts on them)")
    return Summary({"checked": checked, "failed": failed, "batches_checked": len(done),
                    "failing": failing}, f"{checked} object(s) checked, {failed} failed",
                   problems, error)


def run_batched(args: argparse.Namespace, backend: Backend, result: RuleResult, rule: str,
                key: tuple[str, ...], label: str, unfinished: Callable[[], list[str]],
                summary: Optional[Callable[[], Summary]] = None) -> int:
    """Report what a ``...Batched`` rule queued and, unless ``--no-wait``, follow the queue
    until it is empty (or ``--wait`` passed); then check that nothing was left undone and,
    with ``summary``, what the work found.

    Exit 0: queued (``--no-wait``), or every batch done and nothing left (nor found); 1:
    batches still queued when following stopped, work left undone (retries used up), or
    problems the summary found.
    """
    batches = BatchReport.parse(next(iter(result.outputs.values()), ""))
    state = QueueState(batches.total, 0)
    followed = not args.no_wait
    if followed and batches.total:
        state = follow(backend, lambda: queued_batches(backend, rule, key),
                              batches.total, label, poll=args.poll, wait=args.wait,
                              quiet=args.quiet or args.json)
    left = unfinished() if followed and not state.remaining else []
    found = summary() if summary is not None and followed and not state.remaining \
        else Summary()
    done = max(batches.total - state.remaining, 0)
    if args.json:
        print_json({"rule": result.rule, "objects": batches.objects, "batches": batches.total,
                    "scheduled": batches.scheduled, "already_queued": batches.queued,
                    "followed": followed, "done": done, "remaining": state.remaining,
                    "retrying": state.retrying, "unfinished": left, **found.fields})
    else:
        print(f"{batches.objects} object(s) in {batches.total} batch(es) of {args.batch} "
              f"({batches.scheduled} queued now, {batches.queued} already queued)")
        if followed:
            print(f"{done} batch(es) done, {state.remaining} still queued"
                  + (f" ({state.retrying} failed once, retried later)" if state.retrying
                     else ""))
            if found.line:
                print(found.line)
        else:
            print("queued; the delay server does the work: run the same command again (nothing "
                  "is queued twice) to follow it, or see 'b2safe status'")
    if not followed:
        return EXIT_OK
    if state.remaining:
        print(f"ERROR: {state.remaining} batch(es) still queued when following stopped "
              "(--wait); the delay server goes on: run the same command again to follow them",
              file=sys.stderr)
        return EXIT_ERROR
    if left:
        for line in left[:20]:
            print(f"  {line}", file=sys.stderr)
        print(f"ERROR: the queue is empty but {len(left)} item(s) were not done (a batch used "
              "up its retries); 'b2safe status' lists the fail log, the server log says why",
              file=sys.stderr)
        return EXIT_ERROR
    if found.problems:
        for line in found.problems[:20]:
            print(f"  {line}", file=sys.stderr)
        print(f"ERROR: {found.error}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
