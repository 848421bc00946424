#!/usr/bin/env python3
"""Issue 17's check at full size (a script, not a test): every upload route in turn uploads the
same ``--count`` objects (default 500) into one sandbox federation; after the delay queue ran
until no pending work is queued, each route's catalogs (objects, replicas, AVUs) and Handle
records must equal those ``iput`` left. Prints one line per route and exits 1 if any differs.

The comparison is ``tests/sandbox/policy/ingest_equivalence.py`` (CI runs it with 10 objects
per route); the routes are ``tests/sandbox/policy/ingest_routes.py``.

    python scripts/check_ingest_equivalence.py [--count 500] [--irods-version 4.3|5.0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This checkout's packages and the test helpers, ahead of any installed copy.
sys.path[:0] = [str(ROOT), str(ROOT / "b2safe-sandbox"), str(ROOT / "tests/sandbox/policy")]

from ingest_equivalence import all_routes, build, differences  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="objects per route")
    parser.add_argument("--irods-version", choices=("4.3", "5.0"), default="",
                        help="emulated iRODS version (default: the sandbox's default)")
    parser.add_argument("--routes", nargs="+", help="routes to compare (default: all)")
    args = parser.parse_args(argv)
    routes = ["iput"] + [r for r in (args.routes or all_routes()) if r != "iput"]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="b2safe-ingest-") as tmp:
        world = build(Path(tmp) / "sandbox", routes, args.count, args.irods_version)
        try:
            built = time.perf_counter() - start
            found = differences(world, routes, args.count)
        finally:
            world.close()
    print(f"{len(routes)} routes x {args.count} objects uploaded and replicated in "
          f"{built:.0f} s; compared with iput:")
    for route, parts in found.items():
        print(f"  {route:22} {'same end state' if not parts else 'DIFFERS: ' + ', '.join(parts)}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
