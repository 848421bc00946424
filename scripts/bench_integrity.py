#!/usr/bin/env python3
"""Benchmark EUDATCheckIntegrityColl in the sandbox: GenQuery round trips, wall time, memory.

For each N, builds N checksummed objects in zoneA (4 sub-collections), replicates them to zoneB,
then times one ``EUDATCheckIntegrityColl`` run as PREP calls it. Prints a table and JSON.

    python scripts/bench_integrity.py                 # N = 1000, 2500, 5000, 10000
    python scripts/bench_integrity.py --sizes 10000 --json-only

Round trips should grow with N/256 (three streams), time linearly, and peak Python memory
(tracemalloc, during the check only) should stay flat.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from b2safe_sandbox import site
from b2safe_sandbox.sandbox import Sandbox

SRC = "/zoneA/home/alice/bench"
DST = "/zoneB/home/alice/bench"


def build(sb: Sandbox, count: int) -> None:
    """N objects in zoneA and their copies (same checksums) in zoneB, via the catalogs."""
    for zone, root, owner in (("zoneA", SRC, "alice#zoneA"), ("zoneB", DST, "alice#zoneB")):
        cat = sb.zone(zone).catalog
        with cat.batch():
            for d in range(4):
                cat.coll_create(f"{root}/d{d}", owner, recursive=True)
            for i in range(count):
                cat.data_put(f"{root}/d{i % 4}/f{i:06d}", b"%d" % i, owner, checksum=True)
    cat_b = sb.zone("zoneB").catalog
    cat_b.acl_set(DST, "alice#zoneA", "read", None, recursive=True)


def run(count: int) -> dict:
    """Build a sandbox with ``count`` objects and measure one collection check."""
    with tempfile.TemporaryDirectory() as tmp:
        sb = site.create(Path(tmp) / "sb", zones=("zoneA", "zoneB"))
        build(sb, count)
        sb.reset_stats()
        tracemalloc.start()
        start = time.perf_counter()
        result = sb.exec_rule("zoneA", "EUDATCheckIntegrityColl",
                              [SRC, DST, "false", "", ""], "alice#zoneA")
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        stats = sb.stats()
        sb.close()
    if result.code != 0 or result.rule_args[4] != "true":
        raise SystemExit(f"check failed for N={count}: {result.code} {result.rule_args[3:]}")
    trips = sum(z["genquery_round_trips"] for z in stats.values())
    msi = sum(sum(z["msi"].values()) for z in stats.values())
    return {"objects": count, "genquery_round_trips": trips, "expected_3xN_over_256":
            3 * (count // 256 + 1), "msi_calls": msi, "seconds": round(elapsed, 3),
            "us_per_object": round(elapsed / count * 1e6, 1),
            "peak_python_kib": round(peak / 1024, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 5000, 10000])
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    rows = [run(n) for n in args.sizes]
    if not args.json_only:
        head = ("objects", "genquery_round_trips", "expected_3xN_over_256", "msi_calls",
                "seconds", "us_per_object", "peak_python_kib")
        print(" | ".join(f"{h:>21}" for h in head))
        for row in rows:
            print(" | ".join(f"{row[h]!s:>21}" for h in head))
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
