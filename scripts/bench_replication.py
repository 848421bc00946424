#!/usr/bin/env python3
"""Benchmark: registered replication of a collection across two sandbox zones.

For each N of ``--sizes``, builds N objects in 10 sub-collections of zoneA whose sources already
have PIDs, then runs EUDATReplication (registered, recursive) as a rodsadmin. Prints, per
replicated path (N objects, the root and 10 sub-collections): wall time, process CPU,
b2safe-only CPU, Handle requests (both servers; the floor is 2: the child's PUT and the parent's
EUDAT/REPLICA PUT), microservice calls, GenQuery round trips (both zones), peak RSS and the ratio
to the floor (two stdlib PUTs + two raw SQLite AVU writes per path, measured in the same run);
how each is measured is in ``scripts/bench_common.py``. The rule engine is started first by a
registered replication of 3 objects (its CPU is the ``start`` column, per run).

    python scripts/bench_replication.py [--sizes 1000 5000 20000] [--json FILE]
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

SOURCE = "/zoneA/home/rods/bench"
DESTINATION = "/zoneB/replicas/bench"
ZONES = ("zoneA", "zoneB")
WARM = "/zoneA/home/rods/warm-up"


def build(directory: Path, objects: int, profiler: Optional[LayerProfiler]
          ) -> tuple[Sandbox, Any, dict[str, Any]]:
    """A two-zone sandbox with ``objects`` small files in 10 sub-collections, PIDs on sources;
    returns it, its Handle servers (:func:`bench_common.open_handles`) and the start of the
    rule engine (:func:`bench_common.start_cost`: the first rule call of the run, a registered
    replication of 3 objects, timed on its own, in a split run by layer too)."""
    sb = site.create(directory, zones=ZONES)
    handles = open_handles(sb)
    catalog = sb.zone("zoneA").catalog
    with catalog.batch():
        for sub in range(10):
            catalog.coll_create(f"{SOURCE}/d{sub}", "rods#zoneA", recursive=True)
        for i in range(objects):
            catalog.data_put(f"{SOURCE}/d{i % 10}/f{i:06d}.dat", f"object {i}".encode(),
                             "rods#zoneA", checksum=True)
        catalog.coll_create(WARM, "rods#zoneA", recursive=True)
        for i in range(3):
            catalog.data_put(f"{WARM}/f{i}.dat", f"warm-up {i}".encode(), "rods#zoneA",
                             checksum=True)
    remote = sb.client("rods#zoneB")
    remote.imkdir("/zoneB/replicas", parents=True)
    remote.ichmod("own", "rods#zoneA", "/zoneB/replicas")
    remote.inherit("/zoneB/replicas", True)
    start = start_cost(sb, profiler, "zoneA", "EUDATReplication",
                       [WARM, "/zoneB/replicas/warm-up", "true", "true", ""], "rods#zoneA")
    result = sb.exec_rule("zoneA", "EUDATPidsForColl", [SOURCE, "false"], "rods#zoneA")
    if result.code != 0:
        raise SystemExit(f"source PIDs could not be created: {result.traceback}")
    return sb, handles, start


def workload(n: int, tmp: Path, profiler: Optional[LayerProfiler]) -> dict[str, Any]:
    """Build, replicate once, count; plain runs also measure the floor."""
    sb, handles, start = build(tmp / "sb", n, profiler)
    try:
        row, _ = run_once(sb, handles, profiler, ZONES, "zoneA", "EUDATReplication",
                          [SOURCE, DESTINATION, "true", "true", ""], "rods#zoneA")
        replicated = n + 11  # objects, the root and 10 sub-collections
        row.update(start, objects=n, units=replicated)
        if profiler is None:
            row.update(floor_seconds(sb, "zoneB", tmp, replicated, puts=2, avus=2))
        return row
    finally:
        close_sandbox(sb, handles)


if __name__ == "__main__":
    sys.exit(bench_main("replication", __file__, workload, __doc__ or ""))
