"""Invariants the crash-point harness and the multi-process tests check (issue 15).

* every object and replica has exactly one PID AVU, its record points at it, and no other
  handle points at it;
* a parent's EUDAT/REPLICA (record and catalog mirror) lists each child exactly once;
* the replica holds the source's bytes (nothing overwritten or lost);
* no pending record is left behind (fail log, pending removal marks, pending renames).
"""

from __future__ import annotations

from b2safe.domain.profile import object_url, parse_replicas
from tests.sandbox.replication.repl_helpers import fail_log

SERVER = {"zoneA": "irods://zonea.sandbox:1247", "zoneB": "irods://zoneb.sandbox:1247"}
ADMIN = "rods#zoneA"


def one_pid(world, path, problems):
    """The path's single PID (its record pointing at it, no other handle for it), or None."""
    zone = path.split("/")[1]
    pids = world.avus(path).get("PID", [])
    if len(pids) != 1:
        problems.append(f"{path} has {len(pids)} PID AVUs")
        return None
    url = object_url(path, server_id=SERVER[zone])
    record = world.record(pids[0])
    if record.url != url:
        problems.append(f"PID {pids[0]} of {path} points at {record.url}")
    handles = world.reader(zone).search({"URL": url})
    if [h.upper() for h in handles] != [pids[0].upper()]:
        problems.append(f"handles for {path}: {handles}")
    return pids[0]


def replica_ok(world, source, target, problems):
    """``target`` is the registered replica of ``source``: one PID each, linked both ways,
    listed once (record and mirror), the same bytes."""
    parent = one_pid(world, source, problems)
    child = one_pid(world, target, problems)
    if parent is None or child is None:
        return
    if world.record(child).parent != parent:
        problems.append(f"{target}: EUDAT/PARENT is not {parent}")
    listed = [p.upper() for p in world.record(parent).replicas]
    if listed != [child.upper()]:
        problems.append(f"{source}: EUDAT/REPLICA {listed}")
    mirrored = [p.upper() for v in world.avus(source).get("EUDAT/REPLICA", [])
                for p in parse_replicas(v)]
    if mirrored != [child.upper()]:
        problems.append(f"{source}: mirror {mirrored}")
    zone = source.split("/")[1]
    if world.client(f"rods#{zone}").iget(source) != \
            world.client("rods#zoneB").iget(target):
        problems.append(f"{target} does not hold the bytes of {source}")


def no_pending(world, problems, zone="zoneA"):
    """No fail-log record, pending removal mark, pending rename or pending PID is left."""
    left = fail_log(world, zone)
    if left:
        problems.append(f"fail log not empty: {left}")
    for kind, column in (("COLL", "META_COLL_ATTR_NAME"), ("DATA", "META_DATA_ATTR_NAME")):
        rows = world.client(f"rods#{zone}").iquest(
            f"SELECT COLL_NAME, {column} WHERE {column} like 'eudat_pending:%'")
        if rows:
            problems.append(f"pending {kind} records left: {rows}")


def retry(world):
    """The rodsadmin's fail-log retry (the periodic EUDATTransferUsingFailLog), due now."""
    world.sb.clock.advance(3 * 3600)
    world.call("EUDATTransferUsingFailLog", "100", "", user=ADMIN)
