"""Every route uploads the same objects in turn; the end states are compared (issue 17).

Used by ``test_ingest_equivalence.py`` (a few objects per route, in CI) and by
``scripts/check_ingest_equivalence.py`` (500 objects per route, run by hand). One federation:
route R uploads object i to ``ARCHIVE/R/c<i mod 5>/obj <i>.dat``; after the delay queue ran
until no pending work was queued, each route's end state - data rows, AVUs and Handle records
of its policy subtree and of its replicas in zoneB, with every PID replaced by the path that
carries it and the route's name replaced by ``<route>`` - must equal the state ``iput`` left.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from ingest_routes import ROUTES, federation
from policy_support import (
    ARCHIVE,
    REPLICAS_B,
    archive_policy,
    fail_log_rows,
    pending_pid_rows,
    run_pending_work,
)

BASELINE = "iput"
COLLECTIONS = 5


def objects(count: int) -> list[tuple[str, bytes]]:
    """(path below the route's subtree, bytes): sizes vary, names have spaces."""
    return [(f"c{i % COLLECTIONS}/obj {i:03d}.dat", f"object {i};".encode() * (1 + i % 7))
            for i in range(count)]


def build(directory: Any, routes: Sequence[str], count: int, version: str = "") -> Any:
    """A federation where each of ``routes`` (in turn) uploaded :func:`objects` ``(count)``
    below ``ARCHIVE/<route>``, after the delay queue ran until no pending work was queued."""
    world = federation(directory, version or None,
                       [f"{route}/c{n}" for route in routes for n in range(COLLECTIONS)])
    alice = world.client("alice#zoneA")
    world.configure("zoneA", policies=[archive_policy()])
    for route in routes:
        for name, data in objects(count):
            ROUTES[route](alice, f"{ARCHIVE}/{route}/{name}", data)
    # A pending-work run does at most 256 replications (and PIDs): one run per 256, and some.
    run_pending_work(world, rounds=5 + len(routes) * count // 200)
    return world


def _rows(world: Any, zone: str, columns: list[str], conditions: str) -> list[tuple]:
    catalog, out, offset = world.sb.zone(zone).catalog, [], 0
    while True:
        page = catalog.genquery(columns, conditions, None, offset=offset)
        out += [tuple(r) for r in page.rows]
        if not page.has_more:
            return out
        offset += len(page.rows)


def _areas(route: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return (("zoneA", f"{ARCHIVE}/{route}"), ("zoneB", f"{REPLICAS_B}/archive/{route}"))


def _timeless(record: Any) -> dict:
    """A Handle record's fields without the time its PID was made (a run of the delay queue
    may register one route's replicas later than another's)."""
    return {**dataclasses.asdict(record), "checksum_timestamp": "<time>"}


def state(world: Any, route: str) -> dict[tuple[str, str], list]:
    """Objects, AVUs and Handle records of ``route``'s subtree and replica area, canonical:
    PIDs as ``pid<path of its object>``, the route's name as ``<route>``, no PID times."""
    names: dict[str, str] = {}
    for zone, area in _areas(route):
        for coll, name, value in _rows(world, zone, ["COLL_NAME", "DATA_NAME",
                                                      "META_DATA_ATTR_VALUE"],
                                       f"COLL_NAME like '{area}/%' and "
                                       "META_DATA_ATTR_NAME = 'PID'"):
            names[value] = f"pid<{coll}/{name}>"
    marker = f"/{route}/"

    def canon(value: Any) -> str:
        text = str(value)
        for pid, name in names.items():
            text = text.replace(pid, name)
        return text.replace(marker, "/<route>/")

    def canon_rows(rows: Iterable[tuple]) -> list[tuple]:
        return sorted(tuple(canon(cell) for cell in row) for row in rows)

    out: dict[tuple[str, str], list] = {}
    for zone, area in _areas(route):
        out[(zone, "data")] = canon_rows(_rows(world, zone, [
            "COLL_NAME", "DATA_NAME", "DATA_REPL_NUM", "DATA_SIZE", "DATA_CHECKSUM",
            "DATA_OWNER_NAME", "DATA_REPL_STATUS"], f"COLL_NAME like '{area}/%'"))
        out[(zone, "avus")] = canon_rows(_rows(world, zone, [
            "COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE"],
            f"COLL_NAME like '{area}/%'"))
        out[(zone, "handles")] = sorted(
            (canon(names[pid]), canon(_timeless(world.record(pid))))
            for pid in world.handles(zone) if pid in names)
    return out


def differences(world: Any, routes: Sequence[str], count: int) -> dict[str, list[str]]:
    """Per route other than the baseline, the parts of its state that differ from ``iput``'s
    (empty lists when equal); also checks the baseline itself is complete: ``count`` PIDs in
    each zone, no fail-log record and no pending PID left."""
    baseline = state(world, BASELINE)
    for zone in ("zoneA", "zoneB"):
        found = len(baseline[(zone, "handles")])
        assert found == count, f"{BASELINE}: {found} PIDs in {zone}, not {count}"
    assert fail_log_rows(world) == [] and pending_pid_rows(world) == []
    return {route: [f"{zone} {part}" for (zone, part), rows in state(world, route).items()
                    if rows != baseline[(zone, part)]]
            for route in routes if route != BASELINE}


def all_routes() -> list[str]:
    """The baseline first, then every other route of ``ingest_routes.ROUTES``."""
    return [BASELINE, *sorted(r for r in ROUTES if r != BASELINE)]
