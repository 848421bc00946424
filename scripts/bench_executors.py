#!/usr/bin/env python3
"""Benchmark: scale-out through the delay server (a script, not a test).

For each workflow of ``--workflows`` and each N of ``--sizes``, and for each executor count of
``--executors`` (default 1 and 4), builds a fresh sandbox and queues the tree's work as
delay-rule batches of ``--batch`` objects:

* ``pids``: N objects without PIDs, ``EUDATPidsForCollBatched`` (as in ``bench_pids.py``);
* ``replication``: N objects with PIDs in 10 sub-collections of zoneA, registered replication
  to zoneB with ``EUDATReplicationBatched`` (as in ``bench_replication.py``).

Then it sets the Handle servers' latency (``--latency``, default 20 ms per request) and lets
that many delay-rule executor processes run the batches (iRODS 5's
``number_of_concurrent_delay_rule_executors``; ``b2safe_sandbox/runtime/executors.py``). The
executors are started and warmed up before the clock starts, one executor the same way as K:
rule bases loaded and one PID lookup per zone run (:func:`warm_rules`), so the timed run holds
the batches only.
Prints per run: batches, Handle requests, the wall time the Handle latency alone would take
(requests x latency / (executors x workers)), the wall time of the run, the CPU seconds of the
executors and of the Handle servers' process in it and the cores they kept busy (CPU / wall),
paths per second, the speed-up against the first executor count, and the 1-minute load average
before the run. On a shared 2-core machine a run whose busy cores reach the cores left free by
other work is CPU-bound: its speed-up is the machine's, not the delay server's.
``--json FILE`` writes the rows. The sweeps (integrity checks) have a batched rule too
(``EUDATCheckIntegrityBatched``) but no Handle requests to wait for, so they are not run here.

    python scripts/bench_executors.py [--workflows pids replication] [--sizes 2000]
        [--executors 1 4] [--latency 20] [--batch 250] [--workers 4] [--json FILE]

Issue 19's case is ``--workflows pids --sizes 20000`` (about 5 minutes on 2 shared cores);
replication of 20,000 objects with one executor takes 10 minutes or more.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT), str(ROOT / "b2safe-sandbox")]  # this checkout

import bench_replication  # noqa: E402
from b2safe_sandbox import handle_sites, site  # noqa: E402
from b2safe_sandbox.runtime.executors import ExecutorPool  # noqa: E402
from bench_common import LocalHandles, close_sandbox, open_handles, write_json  # noqa: E402
from bench_pids import USER, ZONE, load_tree  # noqa: E402

USERS = {"pids": USER, "replication": "rods#zoneA"}


def _configure(sb: Any, zones: tuple[str, ...], workers: int) -> None:
    """Log level 1 (info) and ``workers`` PID workers in each zone's b2safe.json."""
    for zone in zones:
        config = sb.zone(zone).config_dir / "b2safe.json"
        data = json.loads(config.read_text(encoding="utf-8"))
        data.setdefault("logging", {})["level"] = 1
        data.setdefault("pid", {})["workers"] = workers
        config.write_text(json.dumps(data), encoding="utf-8")


def _build(workflow: str, tmp: Path, n: int, batch: int
           ) -> tuple[Any, LocalHandles, tuple[str, ...], int, str, list[str]]:
    """A sandbox for ``workflow`` with an N-object tree: (sandbox, its Handle servers, the
    zones counted, paths the batches cover, the batched rule, its arguments)."""
    if workflow == "replication":
        sb, handles = bench_replication.build(tmp / "sandbox", n)
        return (sb, handles, bench_replication.ZONES, n + 11, "EUDATReplicationBatched",
                [bench_replication.SOURCE, bench_replication.DESTINATION, "true", str(batch),
                 ""])
    sb = site.create(tmp / "sandbox", zones=(ZONE, "zoneB"))
    handles = open_handles(sb)  # the Handle servers in a process of their own
    base = f"/{ZONE}/home/alice/bench"
    paths = load_tree(sb, base, n)
    return sb, handles, (ZONE,), paths, "EUDATPidsForCollBatched", [base, "false", str(batch), ""]


def warm_rules(sb: Any, workflow: str, zones: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """What each executor runs before the clock starts, per zone: a PID lookup as the batches'
    user (rods in the other zones), so that b2safe's PID client, its libraries and its Handle
    session are loaded in every executor before, not inside the timed run (one executor would
    load them once in the run, K executors K times)."""
    sites = handle_sites.load_sites(sb)
    return [(zone, f"callback.EUDATGeteValPid('{sites[zone]['prefix']}/BENCH-WARM-UP', 'URL', '')",
             USERS[workflow] if zone == zones[0] else f"rods#{zone}") for zone in zones]


def measure(workflow: str, n: int, executors: int, batch: int, latency_ms: int,
            workers: int) -> dict[str, Any]:
    """Wall and CPU seconds of ``executors`` delay executors running the batches of
    ``workflow`` for an N-object tree."""
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        sb, handles, zones, paths, rule, args = _build(workflow, Path(tmp), n, batch)
        try:
            _configure(sb, zones, workers)
            result = sb.exec_rule(zones[0], rule, args, USERS[workflow])
            if result.code != 0:
                raise SystemExit(f"scheduling failed: {result.traceback}")
            sb.clock.advance(5)
            # Started and warmed up, as a running server's; the warm-up's requests are not
            # counted and wait no latency.
            pool = ExecutorPool(sb, executors, warm_rules(sb, workflow, zones))
            handles.reset(zones, latency_ms)
            load = os.getloadavg()[0]
            served = handles.cpu_seconds() or 0.0
            started = time.perf_counter()
            runs = pool.run()
            wall = time.perf_counter() - started
            served = (handles.cpu_seconds() or 0.0) - served
            failed = [r for r in runs if not r.succeeded]
            if failed or any(sb.zone(z).catalog.delay_list() for z in zones):
                raise SystemExit(f"{len(failed)} batches failed; queue not empty")
            return {"workflow": workflow, "objects": n, "paths": paths,
                    "executors": executors, "batch": batch, "latency_ms": latency_ms,
                    "workers": workers, "batches": len(runs),
                    "handle_requests": handles.requests(zones),
                    "wall_seconds": round(wall, 2),
                    "executor_cpu_seconds": round(pool.cpu_seconds, 2),
                    "handle_cpu_seconds": round(served, 2),
                    "paths_per_second": round(paths / wall, 1), "load_1min": round(load, 2),
                    # The wall time if only the Handle latency counted (every executor's
                    # workers busy all the time), and the CPU cores the run kept busy.
                    "latency_bound_seconds": round(handles.requests(zones) * latency_ms
                                                   / 1000 / (executors * workers), 2),
                    "cores_busy": round((pool.cpu_seconds + served) / wall, 2)}
        finally:
            close_sandbox(sb, handles)


KEYS = ("workflow", "objects", "executors", "batches", "latency_ms", "workers",
        "handle_requests", "latency_bound_seconds", "wall_seconds", "executor_cpu_seconds",
        "handle_cpu_seconds", "cores_busy", "paths_per_second", "speedup", "load_1min")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workflows", nargs="+", choices=sorted(USERS),
                        default=["pids", "replication"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--executors", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch", type=int, default=250, help="objects per delay rule")
    parser.add_argument("--latency", type=int, default=20, help="Handle latency per request, ms")
    parser.add_argument("--workers", type=int, default=4, help="PID worker pool per executor")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows = []
    for workflow in args.workflows:
        for n in args.sizes:
            base = None
            for k in args.executors:
                row = measure(workflow, n, k, args.batch, args.latency, args.workers)
                base = base or row["wall_seconds"]
                row["speedup"] = round(base / row["wall_seconds"], 2)
                rows.append(row)
                print(f"{workflow} N={n} executors={k}: {row['wall_seconds']} s, "
                      f"{row['paths_per_second']} paths/s, x{row['speedup']}, load "
                      f"{row['load_1min']}", file=sys.stderr, flush=True)
    print("  ".join(KEYS))
    for row in rows:
        print("  ".join(str(row[k]).rjust(len(k)) for k in KEYS))
    if args.json:
        write_json(args.json, "executors", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
