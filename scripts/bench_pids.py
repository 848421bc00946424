#!/usr/bin/env python3
"""Benchmark EUDATPidsForColl in the sandbox (a script, not a test).

For each N of ``--sizes``, builds a sandbox in a temporary directory, loads N small data objects
(in sub-collections of 250) straight into the zone catalog, and runs ``EUDATPidsForColl`` as PREP
would. Prints, per new PID: wall time, process CPU, b2safe-only CPU, Handle requests,
microservice calls, GenQuery round trips, peak RSS and the ratio to the floor (one stdlib PUT +
one raw SQLite AVU write per PID, measured in the same run); how each is measured is in
``scripts/bench_common.py``. The rule engine is started first by the same rule on a tree of
3 objects (its CPU is the ``start`` column, per run: :func:`bench_common.start_cost`).

Usage::

    python scripts/bench_pids.py                               # N = 1000
    python scripts/bench_pids.py --sizes 1000 5000 20000 --json pids.json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

from bench_common import (
    LayerProfiler,
    Sandbox,
    bench_main,
    close_sandbox,
    floor_seconds,
    open_handles,
    run_once,
    site,
    start_cost,
)

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


def workload(n: int, tmp: Path, profiler: Optional[LayerProfiler]) -> dict[str, Any]:
    """Build, run EUDATPidsForColl once, count; plain runs also measure the floor."""
    sb = site.create(tmp / "sandbox", zones=(ZONE, "zoneB"))
    handles = open_handles(sb)
    try:
        base, warm = f"/{ZONE}/home/alice/bench", f"/{ZONE}/home/alice/warm-up"
        load_tree(sb, base, n)
        load_tree(sb, warm, 3)
        start = start_cost(sb, profiler, ZONE, "EUDATPidsForColl",
                           [warm, "false", ""], USER)
        row, outcome = run_once(sb, handles, profiler, (ZONE,), ZONE, "EUDATPidsForColl",
                                [base, "false", ""], USER)
        created = int(outcome.rule_args[2].split()[0].split("=")[1])
        row.update(start, objects=n, units=max(created, 1), report=outcome.rule_args[2])
        if profiler is None:
            row.update(floor_seconds(sb, ZONE, tmp, created, puts=1, avus=1))
        return row
    finally:
        close_sandbox(sb, handles)


if __name__ == "__main__":
    sys.exit(bench_main("pids", __file__, workload, __doc__ or ""))
