#!/usr/bin/env python3
"""Benchmark: scale-out through the delay server (a script, not a test).

For each executor count of ``--executors`` (default 1 and 4), builds a fresh sandbox with N
objects (``--sizes``), queues ``EUDATPidsForCollBatched`` in batches of ``--batch`` objects, sets
the Handle server's latency (``--latency``, default 20 ms per request) and lets the delay
server run the batches with that many executor processes (iRODS 5's
``number_of_concurrent_delay_rule_executors``; ``b2safe_sandbox/runtime/executors.py``). Prints
the wall time of the delay queue run per executor count and the speed-up against the first
count; ``--json FILE`` writes the rows.

    python scripts/bench_executors.py [--sizes 2000] [--executors 1 4] [--latency 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT), str(ROOT / "b2safe-sandbox")]  # this checkout

from b2safe_sandbox import site  # noqa: E402
from b2safe_sandbox.runtime.executors import ExecutorPool  # noqa: E402
from bench_common import close_sandbox, open_handles, write_json  # noqa: E402
from bench_pids import USER, ZONE, load_tree  # noqa: E402


def measure(n: int, executors: int, batch: int, latency_ms: int, workers: int) -> dict[str, Any]:
    """Wall seconds of the delay queue running the PID batches of an N-object tree."""
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        sb = site.create(Path(tmp) / "sandbox", zones=(ZONE, "zoneB"))
        handles = open_handles(sb)  # the Handle servers in a process of their own
        try:
            base = f"/{ZONE}/home/alice/bench"
            paths = load_tree(sb, base, n)
            config = sb.zone(ZONE).config_dir / "b2safe.json"
            data = json.loads(config.read_text(encoding="utf-8"))
            data.setdefault("logging", {})["level"] = 1
            data.setdefault("pid", {})["workers"] = workers
            config.write_text(json.dumps(data), encoding="utf-8")
            result = sb.exec_rule(ZONE, "EUDATPidsForCollBatched",
                                  [base, "false", str(batch), ""], USER)
            if result.code != 0:
                raise SystemExit(f"scheduling failed: {result.traceback}")
            handles.reset((ZONE,), latency_ms)
            sb.clock.advance(5)
            pool = ExecutorPool(sb, executors)  # started and warmed up, as a running server's
            served = handles.cpu_seconds() or 0.0
            started = time.perf_counter()
            runs = pool.run()
            wall = time.perf_counter() - started
            served = (handles.cpu_seconds() or 0.0) - served
            failed = [r for r in runs if not r.succeeded]
            if failed or sb.zone(ZONE).catalog.delay_list():
                raise SystemExit(f"{len(failed)} batches failed; queue not empty")
            return {"objects": n, "paths": paths, "executors": executors, "batch": batch,
                    "latency_ms": latency_ms, "workers": workers, "batches": len(runs),
                    "handle_requests": handles.requests((ZONE,)),
                    "wall_seconds": round(wall, 2),
                    "handle_cpu_seconds": round(served, 2),
                    "executor_cpu_seconds": round(pool.cpu_seconds, 2),
                    "paths_per_second": round(paths / wall, 1)}
        finally:
            close_sandbox(sb, handles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--executors", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch", type=int, default=250, help="objects per delay rule")
    parser.add_argument("--latency", type=int, default=20, help="Handle latency per request, ms")
    parser.add_argument("--workers", type=int, default=4, help="PID worker pool per executor")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        base = None
        for k in args.executors:
            row = measure(n, k, args.batch, args.latency, args.workers)
            base = base or row["wall_seconds"]
            row["speedup"] = round(base / row["wall_seconds"], 2)
            rows.append(row)
            print(f"N={n} executors={k}: {row['wall_seconds']} s, {row['paths_per_second']} "
                  f"paths/s, x{row['speedup']}", file=sys.stderr, flush=True)
    keys = ("objects", "executors", "batches", "latency_ms", "workers", "handle_requests",
            "handle_cpu_seconds", "executor_cpu_seconds",
            "wall_seconds", "paths_per_second", "speedup")
    print("  ".join(keys))
    for row in rows:
        print("  ".join(str(row[k]).rjust(len(k)) for k in keys))
    if args.json:
        write_json(args.json, "executors", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
