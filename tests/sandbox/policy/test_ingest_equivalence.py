"""500 objects uploaded by every route in turn (object i by route i mod the number of routes)
end in the same state as the same objects uploaded by ``iput``: catalogs (objects, replicas,
AVUs) and Handle records, with PIDs compared by the path that carries them.

Two federations of 500 objects each, replicated and registered: a few minutes (``slow``).
"""

from __future__ import annotations

import dataclasses

import pytest
from ingest_routes import ROUTES, federation
from policy_support import ARCHIVE, REPLICAS_B, archive_policy, fail_log_rows, pending_pid_rows

COUNT = 500
OBJECTS = [(f"{ARCHIVE}/c{i % 5}/obj {i:03d}.dat", f"object {i};".encode() * (1 + i % 7))
           for i in range(COUNT)]


def build(tmp_path, route):
    """A fresh federation where ``route`` (or every route in turn: "all") uploaded OBJECTS,
    after the delay queue ran."""
    world = federation(tmp_path / route, "5.0", [f"c{n}" for n in range(5)])
    alice = world.client("alice#zoneA")
    world.configure("zoneA", policies=[archive_policy()])
    names = sorted(ROUTES)
    for i, (path, data) in enumerate(OBJECTS):
        ROUTES[names[i % len(names)] if route == "all" else route](alice, path, data)
    world.sb.run_delayed(advance=31)
    world.call("EUDATTransferUsingFailLog", "1000", "", zone="zoneA", user="rods#zoneA")
    world.sb.run_delayed(advance=3700)
    return world


def rows(world, zone, columns, conditions):
    catalog, out, offset = world.sb.zone(zone).catalog, [], 0
    while True:
        page = catalog.genquery(columns, conditions, None, offset=offset)
        out += [tuple(r) for r in page.rows]
        if not page.has_more:
            return out
        offset += len(page.rows)


def state(world):
    """Objects, AVUs and Handle records of the policy collection and its replica area, with
    every PID replaced by ``pid<path of its object>``."""
    names = {}
    areas = (("zoneA", ARCHIVE), ("zoneB", REPLICAS_B))
    for zone, area in areas:
        for coll, name, value in rows(world, zone, ["COLL_NAME", "DATA_NAME",
                                                     "META_DATA_ATTR_VALUE"],
                                      f"COLL_NAME like '{area}%' and "
                                      "META_DATA_ATTR_NAME = 'PID'"):
            names[value] = f"pid<{coll}/{name}>"

    def canon(value):
        text = str(value)
        for pid, name in names.items():
            text = text.replace(pid, name)
        return text

    out = {}
    for zone, area in areas:
        out[(zone, "data")] = sorted(rows(world, zone, [
            "COLL_NAME", "DATA_NAME", "DATA_REPL_NUM", "DATA_SIZE", "DATA_CHECKSUM",
            "DATA_OWNER_NAME", "DATA_REPL_STATUS"], f"COLL_NAME like '{area}%'"))
        out[(zone, "avus")] = sorted((c, n, a, canon(v)) for c, n, a, v in rows(world, zone, [
            "COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE"],
            f"COLL_NAME like '{area}%'"))
        out[(zone, "handles")] = sorted(
            (names.get(pid, pid), canon(dataclasses.asdict(world.record(pid))))
            for pid in world.handles(zone))
    assert len(out[("zoneA", "handles")]) == COUNT and len(out[("zoneB", "handles")]) == COUNT
    assert fail_log_rows(world) == [] and pending_pid_rows(world) == []
    return out


def built_state(tmp_path, route):
    world = build(tmp_path, route)
    try:
        return state(world)
    finally:
        world.close()


@pytest.mark.slow
def test_every_route_in_turn_ends_in_the_state_of_iput(tmp_path):
    baseline = built_state(tmp_path, "iput")
    got = built_state(tmp_path, "all")
    for key in baseline:
        assert got[key] == baseline[key], key
