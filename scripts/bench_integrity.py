#!/usr/bin/env python3
"""Benchmark EUDATCheckIntegrityColl in the sandbox.

For each N of ``--sizes``, builds N checksummed objects in zoneA (4 sub-collections) and their
copies (same checksums) in zoneB, then times one ``EUDATCheckIntegrityColl`` run as PREP calls it.
Prints, per object: wall time, process CPU, b2safe-only CPU, Handle requests (0 expected),
microservice calls, GenQuery round trips (should be about 3/256: three paged streams), peak RSS
and the ratio to the floor (one raw SQLite AVU write per object, measured in the same run: the
check records nothing per object, so this floor is generous); how each is measured is in
``scripts/bench_common.py``. The rule engine is started first by the same check of a pair of
3-object trees (its CPU is the ``start`` column, per run).

    python scripts/bench_integrity.py [--sizes 1000 5000 20000] [--json FILE]
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

SRC = "/zoneA/home/alice/bench"
DST = "/zoneB/home/alice/bench"
ZONES = ("zoneA", "zoneB")


def build(sb: Sandbox, count: int, src: str = SRC, dst: str = DST) -> None:
    """N objects in zoneA and their copies (same checksums) in zoneB, via the catalogs."""
    for zone, root, owner in (("zoneA", src, "alice#zoneA"), ("zoneB", dst, "alice#zoneB")):
        cat = sb.zone(zone).catalog
        with cat.batch():
            for d in range(4):
                cat.coll_create(f"{root}/d{d}", owner, recursive=True)
            for i in range(count):
                cat.data_put(f"{root}/d{i % 4}/f{i:06d}", b"%d" % i, owner, checksum=True)
    cat_b = sb.zone("zoneB").catalog
    cat_b.acl_set(dst, "alice#zoneA", "read", None, recursive=True)


def workload(n: int, tmp: Path, profiler: Optional[LayerProfiler]) -> dict[str, Any]:
    """Build, check once, count; plain runs also measure the floor."""
    sb = site.create(tmp / "sb", zones=ZONES)
    handles = open_handles(sb)
    try:
        build(sb, n)
        build(sb, 3, SRC + "-warm-up", DST + "-warm-up")
        start = start_cost(sb, profiler, "zoneA", "EUDATCheckIntegrityColl",
                           [SRC + "-warm-up", DST + "-warm-up", "false", "", ""], "alice#zoneA")
        row, outcome = run_once(sb, handles, profiler, ZONES, "zoneA", "EUDATCheckIntegrityColl",
                                [SRC, DST, "false", "", ""], "alice#zoneA")
        if outcome.rule_args[4] != "true":
            raise SystemExit(f"check failed for N={n}: {outcome.rule_args[3:]}")
        row.update(start, objects=n)
        if profiler is None:
            row.update(floor_seconds(sb, "zoneA", tmp, n, puts=0, avus=1))
        return row
    finally:
        close_sandbox(sb, handles)


if __name__ == "__main__":
    sys.exit(bench_main("integrity", __file__, workload, __doc__ or ""))
