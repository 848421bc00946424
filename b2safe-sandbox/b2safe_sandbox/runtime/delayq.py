"""The delay server: run due delayed rules in ``exe_time`` order (prep-runtime.md §6).

* ``INST_NAME`` = the Python instance (or none: every REP tries; PREP runs it): the text runs
  through ``exec_rule_expression`` (``def expressionFcn(rule_args, callback, rei):`` + body).
* ``INST_NAME`` = the NREP instance: the text runs in the zone's rule-language engine
  (:func:`b2safe_sandbox.native.entry.exec_rule_expression`); a call of a Python rule with
  string arguments is forwarded to core.py as the NREP does.
* Success = no exception and no negative int. ``EF`` repeats are computed by
  :func:`b2safe_sandbox.delayspec.next_run`; a finished rule is removed. Failures are recorded
  in RULE_EXEC_STATUS (the error code) and RULE_EXEC_LAST_EXE_TIME.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Optional

from b2safe_sandbox.errors import RULE_ENGINE_ERROR
from b2safe_sandbox.runtime import engine, engines
from b2safe_sandbox.runtime.context import NREP_INSTANCE, PYTHON_INSTANCE, ExecContext

MAX_PASSES = 20


@dataclass
class DelayRunResult:
    """One executed delayed rule."""

    zone: str
    rule_id: Any
    rule_text: str
    user: str
    code: int
    succeeded: bool
    next_time: Optional[int]


def _runs_file(sandbox: Any) -> Path:
    return Path(sandbox.directory) / "delay_runs.json"


def _load_runs(sandbox: Any) -> dict:
    path = _runs_file(sandbox)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _save_runs(sandbox: Any, runs: dict) -> None:
    """Replace the run counts in one step: a reader never sees a half-written file."""
    path = _runs_file(sandbox)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(runs), encoding="utf-8")
    os.replace(part, path)


def _context(row: Any) -> dict:
    try:
        data = json.loads(row.context or "{}")
        return data if isinstance(data, dict) else {}
    except ValueError:
        return {}


def run_one(sandbox: Any, zone: str, row: Any) -> int:
    """Execute one delayed rule row; returns PREP's code."""
    info = _context(row)
    user = f"{row.user_name}#{row.user_zone}"
    ctx = ExecContext(sandbox=sandbox, zone=zone, client_user=user,
                      proxy_user=info.get("proxy_user") or user, kind="delay")
    inst = info.get("inst_name", "")
    if inst in ("", PYTHON_INSTANCE):
        outcome = engine.exec_rule_expression(ctx, row.name)
        return outcome.code
    if inst == NREP_INSTANCE:
        nrep_ctx = ctx.derive(instance_name=NREP_INSTANCE)
        return engines.native().exec_rule_expression(nrep_ctx, row.name)
    sandbox.log(zone, f"delay: unknown rule engine instance {inst!r}")
    return RULE_ENGINE_ERROR


def run_due(sandbox: Any, claim: Optional[Callable[[str, Any], bool]] = None,
            release: Optional[Callable[[str, Any], None]] = None,
            runs_lock: Optional[Callable[[], ContextManager]] = None) -> list[DelayRunResult]:
    """Run every rule whose exe_time <= now, highest priority first, all zones.

    The 5.0 delay server selects the due, unlocked rules with
    ``order_desc(RULE_EXEC_PRIORITY)`` (irodsDelayServer.cpp@5.0.2 L729-732); the column is
    ``priority varchar(32)`` (icatSysTables.sql.pp.in@5.0.2 L105), so the order is the text's,
    descending. Guess: rules of equal priority come in the database's order, which nothing
    fixes; here, by exe_time and then id (the order they were queued in).

    Rules queued while running that are already due run in the same call (a later pass);
    a rule runs at most once per call. With several executors (:mod:`.executors`), ``claim``
    locks a rule for this one (False: another runs it), ``release`` unlocks it afterwards and
    ``runs_lock`` guards the shared run counts.
    """
    from b2safe_sandbox.delayspec import next_run

    results: list[DelayRunResult] = []
    done: set = set()
    # With several executors the counts are read under ``runs_lock`` only, just before each
    # update: another executor may be writing them now.
    runs = _load_runs(sandbox) if runs_lock is None else {}
    for _ in range(MAX_PASSES):
        now = sandbox.clock.now()
        due = []
        for zone in sandbox.zone_names:
            if sandbox.faults.is_unreachable(zone):
                continue
            for row in sandbox.zone(zone).catalog.delay_list():
                if int(row.exe_time) <= now and (zone, row.id) not in done:
                    due.append((int(row.exe_time), str(row.priority or "5"), int(row.id), zone,
                                row))
        if not due:
            break
        due.sort(key=lambda item: (item[0], item[2]))
        due.sort(key=lambda item: item[1], reverse=True)  # stable: ties keep (exe_time, id)
        for _exe, _prio, _rid, zone, row in due:
            done.add((zone, row.id))
            cat = sandbox.zone(zone).catalog
            if claim is not None:
                if not claim(zone, row):
                    continue
                fresh = cat.delay_get(row.id)  # another executor may have run it meanwhile
                if fresh is None or int(fresh.exe_time) > now:
                    if release is not None:
                        release(zone, row)
                    continue
            try:
                with sandbox.toplevel():
                    code = run_one(sandbox, zone, row)
                ok = code >= 0
                with runs_lock() if runs_lock is not None else contextlib.nullcontext():
                    if runs_lock is not None:
                        runs = _load_runs(sandbox)
                    key = f"{zone}:{row.id}"
                    count = int(runs.get(key, 0)) + 1
                    now = sandbox.clock.now()
                    nxt = next_run(row.frequency or None, now, ok, count)
                    if not ok:
                        sandbox.log(zone, f"delay: rule {row.id} failed with status {code}")
                    if nxt is None:
                        cat.delay_remove(row.id)
                        runs.pop(key, None)
                    else:
                        cat.delay_update(row.id, exe_time=nxt, last_exe_time=now,
                                         status="" if ok else str(code))
                        runs[key] = count
                    if runs_lock is not None:
                        _save_runs(sandbox, runs)
            finally:
                if release is not None:
                    release(zone, row)
            results.append(DelayRunResult(zone, row.id, row.name, f"{row.user_name}#"
                                          f"{row.user_zone}", code, ok, nxt))
    if runs_lock is None:
        _save_runs(sandbox, runs)
    return results
