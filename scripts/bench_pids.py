#!/usr/bin/env python3
"""Benchmark EUDATPidsForColl in the sandbox (a script, not a test).

Builds a sandbox in a temporary directory, loads N small data objects per run straight into
the zone catalog (one transaction), runs ``EUDATPidsForColl`` as PREP would, once per
(injected Handle latency, worker pool size) combination, each on a fresh tree, and reports:

* Handle requests per new PID, seen by the Handle server and by the PidService (target 1.0);
* GenQuery round trips per 1,000 objects and microservice calls per object (``sb.stats()``);
* wall time of the rule;
* peak memory: Python allocations during the rule (tracemalloc, when ``--tracemalloc``; it
  slows the run down) and the process's maximum resident set size (getrusage).

Usage::

    python scripts/bench_pids.py                     # 10,000 objects, latency 0/20 ms, pool 1/8
    python scripts/bench_pids.py -n 1000 --json out.json
    python scripts/bench_pids.py -n 500 --latency 0 --workers 4
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2safe_sandbox import site  # noqa: E402
from b2safe_sandbox.sandbox import Sandbox  # noqa: E402

from b2safe.adapters.handle import rest  # noqa: E402

ZONE = "zoneA"
USER = "alice#zoneA"


def load_tree(sb: Sandbox, base: str, objects: int, per_collection: int = 250) -> int:
    """Create ``base`` with sub-collections of ``per_collection`` objects; returns the number
    of paths (collections + objects)."""
    catalog = sb.zone(ZONE).catalog
    colls = max(1, -(-objects // per_collection))
    with catalog.batch():
        catalog.coll_create(base, USER, recursive=True)
        for c in range(colls):
            catalog.coll_create(f"{base}/part {c:04d}", USER)
        for i in range(objects):
            catalog.data_put(f"{base}/part {i // per_collection:04d}/object {i:06d}.dat",
                             f"content {i}".encode(), USER)
    return 1 + colls + objects


def set_pid_settings(sb: Sandbox, **pid: Any) -> None:
    """Merge ``pid`` into the zone's b2safe.json (the rule reloads it on change)."""
    path = sb.zone(ZONE).config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data.setdefault("pid", {}).update(pid)
    path.write_text(json.dumps(data))


def service_requests() -> dict[int, int]:
    """``{id(service): HTTP requests}`` of every PidService the rules use in this process."""
    # The process-wide cache of get_pid_service; read-only use for the benchmark. A config
    # change replaces the cached service, so counts are compared per service.
    return {id(service): service.stats.requests for service in list(rest._CACHE.values())}


def requests_since(before: dict[int, int]) -> int:
    """Requests sent by the cached services since ``before``."""
    return sum(count - before.get(key, 0) for key, count in service_requests().items())


def run_one(sb: Sandbox, run: int, objects: int, latency_ms: int, workers: int,
            trace: bool) -> dict[str, Any]:
    base = f"/{ZONE}/home/alice/bench{run}"
    paths = load_tree(sb, base, objects)
    set_pid_settings(sb, workers=workers)
    server = sb.handle_server(ZONE)
    server.faults.clear()
    server.faults.latency_ms = latency_ms
    server.stats.reset()
    sb.reset_stats()
    client_before = service_requests()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = sb.exec_rule(ZONE, "EUDATPidsForColl", [base, "false", ""], USER)
    wall = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    server.faults.latency_ms = 0
    if result.code != 0:
        raise SystemExit(f"EUDATPidsForColl failed ({result.code}): {result.traceback}")
    report = result.rule_args[2]
    created = int(report.split()[0].split("=")[1])
    stats = sb.stats()[ZONE]
    msi_calls = sum(stats["msi"].values())
    return {
        "objects": objects, "paths": paths, "latency_ms": latency_ms, "workers": workers,
        "report": report,
        "handle_requests_per_pid_server": round(server.stats.total / max(created, 1), 3),
        "handle_requests_per_pid_client": round(requests_since(client_before)
                                                / max(created, 1), 3),
        "genquery_per_1000": round(stats["genquery_round_trips"] * 1000 / paths, 2),
        "msi_per_object": round(msi_calls / paths, 2),
        "wall_seconds": round(wall, 2),
        "objects_per_second": round(paths / wall, 1),
        "peak_python_mb": round(peak / 2**20, 1) if peak is not None else None,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


COLUMNS = (("latency_ms", "latency ms"), ("workers", "pool"), ("paths", "paths"),
           ("handle_requests_per_pid_server", "Handle req/PID (server)"),
           ("handle_requests_per_pid_client", "(client)"),
           ("genquery_per_1000", "GQ/1000 obj"), ("msi_per_object", "msi/obj"),
           ("wall_seconds", "wall s"), ("objects_per_second", "obj/s"),
           ("peak_python_mb", "peak py MB"), ("max_rss_mb", "max RSS MB"))


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a fixed-width text table."""
    heads = [title for _, title in COLUMNS]
    cells = [[str(row[key]) for key, _ in COLUMNS] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    line = "  ".join(h.rjust(w) for h, w in zip(heads, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--objects", type=int, default=10000,
                        help="data objects per run (default 10000)")
    parser.add_argument("--latency", default="0,20",
                        help="comma-separated injected Handle latencies in ms (default 0,20)")
    parser.add_argument("--workers", default="1,8",
                        help="comma-separated PID worker pool sizes (default 1,8)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="measure the rule's peak Python allocations (slower)")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="also write the results as JSON (to FILE, or stdout)")
    args = parser.parse_args(argv)
    latencies = [int(x) for x in args.latency.split(",") if x.strip()]
    pools = [int(x) for x in args.workers.split(",") if x.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        sb = site.create(Path(tmp) / "sandbox", zones=(ZONE, "zoneB"))
        try:
            run = 0
            for latency in latencies:
                for workers in pools:
                    run += 1
                    row = run_one(sb, run, args.objects, latency, workers, args.tracemalloc)
                    rows.append(row)
                    print(f"run {run}: latency {latency} ms, pool {workers}: {row['report']} "
                          f"in {row['wall_seconds']} s", file=sys.stderr, flush=True)
        finally:
            sb.close()
    print(table(rows))
    if args.json:
        text = json.dumps({"objects": args.objects, "runs": rows}, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
