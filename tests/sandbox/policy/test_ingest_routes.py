"""Every upload route, on iRODS 4.3 and 5.0: one PID, one registered replica per target, linked
both ways, after the delay queue; nothing outside the policy collection; no cost without one."""

from __future__ import annotations

import pytest
from b2safe_sandbox import site
from b2safe_sandbox.pytest_plugin import ZONES, World
from ingest_routes import PLAIN, ROUTES, STAGING, prepare
from policy_support import ARCHIVE, REPLICAS_B, archive_policy, fail_log_rows, pending_pid_rows

VERSIONS = ("4.3", "5.0")
OBJECTS = {f"{ARCHIVE}/a.dat": b"alpha" * 300, f"{ARCHIVE}/sub/b c.dat": b"bravo" * 7}


@pytest.fixture(params=VERSIONS, ids=[f"irods-{v}" for v in VERSIONS])
def versioned(request, tmp_path):
    """The federation of ``fed`` on the emulated iRODS version, with the staging collections."""
    world = World(site.create(tmp_path / "sandbox", zones=ZONES, irods_version=request.param))
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    b.ichmod("own", "alice#zoneA", REPLICAS_B)
    b.ichmod("own", "rods#zoneA", REPLICAS_B)
    b.inherit(REPLICAS_B, True)
    alice = world.client("alice#zoneA")
    alice.imkdir(f"{ARCHIVE}/sub", parents=True)
    prepare(world)
    yield world
    world.close()


def handle_requests(world):
    return sum(world.sb.handle_server(zone).stats.total for zone in ZONES)


def pep_writes(world, since):
    return sum(event.writes for event in world.sb.events[since:] if event.ran)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_gets_one_pid_and_one_linked_replica(versioned, route):
    world = versioned
    world.configure("zoneA", policies=[archive_policy()])
    alice = world.client("alice#zoneA")
    upload = ROUTES[route]

    # No policy: the route costs no Handle request and no catalog write by a PEP.
    requests, first = handle_requests(world), len(world.sb.events)
    upload(alice, f"{PLAIN}/x.dat", b"plain")
    assert any(event.ran for event in world.sb.events[first:])  # b2safe's PEPs did run
    assert handle_requests(world) == requests
    assert pep_writes(world, first) == 0

    for path, data in OBJECTS.items():
        upload(alice, path, data)
    world.sb.run_delayed(advance=31)
    world.call("EUDATTransferUsingFailLog", "256", "", zone="zoneA", user="rods#zoneA")
    world.sb.run_delayed(advance=3700)

    parents, children = [], []
    for path, data in OBJECTS.items():
        assert alice.iget(path) == data
        [pid] = world.avus(path)["PID"]
        replica = f"{REPLICAS_B}/archive{path[len(ARCHIVE):]}"
        assert world.client("rods#zoneB").iget(replica) == data
        [child] = world.avus(replica)["PID"]
        record = world.record(pid)
        assert record.replicas == (child,)
        assert world.record(child).parent == pid
        assert record.url.endswith(path.replace(" ", "%20"))
        checksum = world.sb.zone("zoneA").catalog.data_checksum(path)
        assert record.checksum == checksum  # the PID describes the complete object
        parents.append(pid)
        children.append(child)
    assert sorted(world.handles("zoneA")) == sorted(parents)
    assert sorted(world.handles("zoneB")) == sorted(children)
    assert world.handles("zoneC") == []
    assert [n for _, n in world.client("rods#zoneB").ils(f"{REPLICAS_B}/archive")] == \
        ["a.dat", "sub"]
    assert fail_log_rows(world) == [] and pending_pid_rows(world) == []
    # Nothing outside the policy collection.
    for collection in (PLAIN, STAGING):
        for _kind, name in alice.ils(collection):
            assert world.avus(f"{collection}/{name}") == {}
