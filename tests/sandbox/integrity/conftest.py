"""Fixtures for integrity tests: a source tree in zoneA replicated to zoneB, sweep config helpers.

Builds on the ``world`` fixture of tests/sandbox/conftest.py (three zones, Handle servers).
"""

from __future__ import annotations

import json

import pytest

SRC = "/zoneA/home/alice/data"
DST = "/zoneB/home/alice/replica"
FILES = {"a.txt": b"alpha", "b.txt": b"bravo", "sub/c.txt": b"charlie", "sub/d.txt": b"delta"}


def replicate(world, src: str = SRC, dst: str = DST) -> None:
    """Copy ``src`` to ``dst`` as B2SAFE does (msiCollRsync as alice#zoneA)."""
    sb = world.sb
    with sb.toplevel():
        sb.callback("zoneA", "alice#zoneA").msiCollRsync(src, dst, "null", "IRODS_TO_IRODS", 0)


@pytest.fixture
def tree(world):
    """alice's tree in zoneA (checksummed) and its rsync'ed replica in zoneB."""
    cat_b = world.sb.zone("zoneB").catalog
    cat_b.acl_set("/zoneB/home/alice", "alice#zoneA", "own", None)
    cat_b.acl_set("/zoneB/home/alice", "rods#zoneA", "own", None)
    cat_b.acl_inherit("/zoneB/home/alice", True, None)
    client = world.client()
    client.imkdir(SRC + "/sub", parents=True)
    for rel, data in FILES.items():
        client.iput(f"{SRC}/{rel}", data)
    replicate(world)
    return world


def add_sweep(world, zone: str = "zoneA", **sweep) -> None:
    """Configure one sweep (plus a report collection) in ``zone``'s b2safe.json."""
    sweep.setdefault("collection", SRC)
    sweep.setdefault("period", "1d")
    path = world.sb.zone(zone).config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data["integrity"] = {"report_collection": f"/{zone}/b2safe/reports", "sweeps": [sweep]}
    path.write_text(json.dumps(data))


def sweep_rules(world, zone: str = "zoneA") -> list:
    """Queued delay rules of ``zone`` that run a sweep."""
    return [r for r in world.sb.zone(zone).catalog.delay_list()
            if "EUDATIntegritySweepRun" in r.name]


def run_sweep(world, collection: str = SRC, zone: str = "zoneA") -> dict:
    """Run one sweep step directly (as the delay rule does) and return its JSON response."""
    args = world.call("EUDATIntegritySweepRun", collection, "", zone=zone,
                      user=f"rods#{zone}")
    return json.loads(args[1])


def read_json(world, path: str) -> dict:
    """A JSON data object's content."""
    zone = path.split("/")[1]
    return json.loads(world.sb.zone(zone).catalog.data_read(path))


SECOND_RESC = "replResc"


@pytest.fixture
def two_replicas(world):
    """alice's tree in zoneA, checksummed, every object also replicated onto ``replResc``
    (replica 0 on demoResc, replica 1 on replResc; no federated copy)."""
    world.sb.zone("zoneA").catalog.add_resource(SECOND_RESC)
    client = world.client()
    client.imkdir(SRC + "/sub", parents=True)
    for rel, data in FILES.items():
        client.iput(f"{SRC}/{rel}", data)
        client.ichksum(f"{SRC}/{rel}")
        client.irepl(f"{SRC}/{rel}", SECOND_RESC)  # the copy is registered with the checksum
    return world
