#!/usr/bin/env python3
"""Benchmark: registered replication of a collection across two sandbox zones.

For N objects (default 1,000) in a nested collection whose sources already have PIDs, runs
EUDATReplication (registered, recursive) as a rodsadmin and reports, per replicated object:
microservice calls and GenQuery round trips (both zones), Handle requests (both Handle
servers; the floor is 2: the child's PUT and the parent's EUDAT/REPLICA PUT), and wall time, at
each injected Handle latency. Prints a table, or JSON with --json.

    python scripts/bench_replication.py [--objects 1000] [--latency 0 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2safe_sandbox import site  # noqa: E402
from b2safe_sandbox.sandbox import Sandbox  # noqa: E402

SOURCE = "/zoneA/home/rods/bench"
DESTINATION = "/zoneB/replicas/bench"


def build(directory: Path, objects: int) -> Sandbox:
    """A two-zone sandbox with ``objects`` small files in 10 sub-collections, PIDs on sources."""
    sb = site.create(directory, zones=("zoneA", "zoneB"))
    catalog = sb.zone("zoneA").catalog
    with catalog.batch():
        for sub in range(10):
            catalog.coll_create(f"{SOURCE}/d{sub}", "rods#zoneA", recursive=True)
        for i in range(objects):
            catalog.data_put(f"{SOURCE}/d{i % 10}/f{i:06d}.dat", f"object {i}".encode(),
                             "rods#zoneA", checksum=True)
    remote = sb.client("rods#zoneB")
    remote.imkdir("/zoneB/replicas", parents=True)
    remote.ichmod("own", "rods#zoneA", "/zoneB/replicas")
    remote.inherit("/zoneB/replicas", True)
    result = sb.exec_rule("zoneA", "EUDATPidsForColl", [SOURCE, "false"], "rods#zoneA")
    if result.code != 0:
        raise SystemExit(f"source PIDs could not be created: {result.traceback}")
    return sb


def measure(objects: int, latency_ms: int) -> dict:
    """One run: build, replicate once, count."""
    with tempfile.TemporaryDirectory(prefix="b2safe-bench-") as tmp:
        sb = build(Path(tmp) / "sb", objects)
        servers = [sb.handle_server(z) for z in ("zoneA", "zoneB")]
        for server in servers:
            server.stats.reset()
            server.faults.latency_ms = latency_ms
        sb.reset_stats()
        start = time.perf_counter()
        result = sb.exec_rule("zoneA", "EUDATReplication",
                              [SOURCE, DESTINATION, "true", "true", ""], "rods#zoneA")
        elapsed = time.perf_counter() - start
        if result.code != 0:
            raise SystemExit(f"replication failed: {result.traceback}")
        stats = sb.stats()
        msi = sum(sum(z["msi"].values()) for z in stats.values())
        genquery = sum(z["genquery_round_trips"] for z in stats.values())
        handle = sum(server.stats.total for server in servers)
        replicated = objects + 11  # objects, the root and 10 sub-collections
        sb.close()
    return {"objects": objects, "latency_ms": latency_ms, "seconds": round(elapsed, 2),
            "msi_per_object": round(msi / replicated, 2),
            "genquery_per_object": round(genquery / replicated, 3),
            "handle_requests_per_object": round(handle / replicated, 2),
            "objects_per_second": round(replicated / elapsed, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--latency", type=int, nargs="+", default=[0, 20],
                        help="injected Handle latency per request, ms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [measure(args.objects, latency) for latency in args.latency]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    header = ("objects", "latency_ms", "seconds", "objects_per_second", "msi_per_object",
              "genquery_per_object", "handle_requests_per_object")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        print(" | ".join(str(row[key]) for key in header))
    print("\nHandle floor per registered object: 2 (child PUT + parent EUDAT/REPLICA PUT)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
