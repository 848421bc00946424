"""Every upload route, on iRODS 4.3 and 5.0: one PID, one registered replica per target, linked
both ways, after the delay queue; nothing outside the policy collection; no cost without one."""

from __future__ import annotations

import pytest
from b2safe_sandbox import routes
from b2safe_sandbox.pytest_plugin import ZONES
from ingest_routes import (
    OTHER_ZONE_ROUTES,
    PLAIN,
    ROUTES,
    STAGING,
    ZONE_B_SITE,
    federation,
    site_of,
)
from policy_support import (
    ARCHIVE,
    REPLICAS_B,
    archive_policy,
    fail_log_rows,
    pending_pid_rows,
    run_pending_work,
)

from b2safe.workflows import pending_work

VERSIONS = ("4.3", "5.0")
OBJECTS = {f"{ARCHIVE}/a.dat": b"alpha" * 300, f"{ARCHIVE}/sub/b c.dat": b"bravo" * 7}


@pytest.fixture(params=VERSIONS, ids=[f"irods-{v}" for v in VERSIONS])
def versioned(request, tmp_path):
    """The federation of ``fed`` on the emulated iRODS version, with the staging collections."""
    world = federation(tmp_path / "sandbox", request.param)
    yield world
    world.close()


@pytest.fixture
def run_version(tmp_path):
    """The federation on the iRODS version of the test run (CI runs both: ``--irods-version``)."""
    world = federation(tmp_path / "sandbox", None)
    yield world
    world.close()


def handle_requests(world):
    return sum(world.sb.handle_server(zone).stats.total for zone in ZONES)


def pep_writes(world, since):
    return sum(event.writes for event in world.sb.events[since:] if event.ran)


@pytest.mark.parametrize("route", sorted(ROUTES) + sorted(OTHER_ZONE_ROUTES))
def test_every_route_gets_one_pid_and_one_linked_replica(versioned, route):
    world = versioned
    where = site_of(route)
    world.configure(where.zone, policies=[where.policy()])
    alice = world.client("alice#zoneA")
    upload = {**ROUTES, **OTHER_ZONE_ROUTES}[route]
    objects = {where.archive + path[len(ARCHIVE):]: data for path, data in OBJECTS.items()}

    # No policy: the route costs no Handle request and no catalog write by a PEP.
    requests, first = handle_requests(world), len(world.sb.events)
    upload(alice, f"{where.plain}/x.dat", b"plain")
    assert any(event.ran for event in world.sb.events[first:])  # b2safe's PEPs did run
    assert handle_requests(world) == requests
    assert pep_writes(world, first) == 0

    for path, data in objects.items():
        upload(alice, path, data)
    run_pending_work(world, where.zone)
    world.call("EUDATTransferUsingFailLog", "256", "", zone=where.zone,
               user=f"rods#{where.zone}")
    world.sb.run_delayed(advance=3700)

    parents, children = [], []
    replica_admin = world.client(f"rods#{where.replica_zone}")
    for path, data in objects.items():
        assert alice.iget(path) == data
        [pid] = world.avus(path)["PID"]
        replica = where.replica_of(path)
        assert replica_admin.iget(replica) == data
        [child] = world.avus(replica)["PID"]
        record = world.record(pid)
        assert record.replicas == (child,)
        assert world.record(child).parent == pid
        assert record.url.endswith(path.replace(" ", "%20"))
        checksum = world.sb.zone(where.zone).catalog.data_checksum(path)
        assert record.checksum == checksum  # the PID describes the complete object
        parents.append(pid)
        children.append(child)
    assert sorted(world.handles(where.zone)) == sorted(parents)
    assert sorted(world.handles(where.replica_zone)) == sorted(children)
    assert [world.handles(z) for z in ZONES if z not in (where.zone, where.replica_zone)] == [[]]
    assert [n for _, n in replica_admin.ils(f"{where.replicas}/archive")] == ["a.dat", "sub"]
    assert fail_log_rows(world, where.zone) == [] and pending_pid_rows(world, where.zone) == []
    # Nothing outside the policy collection.
    for collection in (PLAIN, STAGING, where.plain):
        for _kind, name in alice.ils(collection):
            assert world.avus(f"{collection}/{name}") == {}


@pytest.fixture
def one_zone_policy(versioned):
    versioned.configure("zoneA", policies=[archive_policy(replicate=[])])
    return versioned


def test_a_touched_object_gets_its_pid_from_the_delay_queue(one_zone_policy):
    world = one_zone_policy
    routes.touch(world.client("alice#zoneA"), f"{ARCHIVE}/empty.dat")
    assert "PID" not in world.avus(f"{ARCHIVE}/empty.dat")
    assert pending_pid_rows(world) == [[ARCHIVE, "empty.dat"]]
    world.sb.run_delayed(advance=31)
    [pid] = world.avus(f"{ARCHIVE}/empty.dat")["PID"]
    assert world.handles("zoneA") == [pid]


def test_pending_work_beyond_one_batch_is_all_done(run_version, monkeypatch):
    """More arrivals left to the delay queue than one EUDATPolicyPending run takes (its batch,
    256, is 2 here so that 5 objects overflow it): each full run queues the next, and all
    objects end with PID and replica. Before, a full run just ended: at 50 objects per route
    (6 deferring routes, 300 PIDs) the equivalence check found 44 touched objects pending."""
    monkeypatch.setattr(pending_work, "BATCH", 2)
    world = run_version
    world.configure("zoneA", policies=[archive_policy()])
    alice = world.client("alice#zoneA")
    names = [f"{ARCHIVE}/t{i}.dat" for i in range(5)]
    for path in names:
        ROUTES["touch"](alice, path, path.encode())
    run_pending_work(world)
    assert pending_pid_rows(world) == [] and fail_log_rows(world) == []
    for path in names:
        [pid] = world.avus(path)["PID"]
        [child] = world.avus(f"{REPLICAS_B}/archive{path[len(ARCHIVE):]}")["PID"]
        assert world.record(pid).replicas == (child,)
    assert len(world.handles("zoneA")) == len(world.handles("zoneB")) == 5


def test_touching_an_existing_object_is_no_arrival(one_zone_policy):
    world = one_zone_policy
    world.configure("zoneA", policies=[archive_policy(replicate=[], pid="off")])
    alice = world.client("alice#zoneA")
    alice.iput(f"{ARCHIVE}/x.dat", b"x")
    world.configure("zoneA", policies=[archive_policy(replicate=[])])
    routes.touch(alice, f"{ARCHIVE}/x.dat")
    assert pending_pid_rows(world) == [] and world.handles("zoneA") == []


def test_repeated_finalizing_closes_write_nothing_more(one_zone_policy):
    world = one_zone_policy
    first = len(world.sb.events)
    routes.s3_multipart(world.client("alice#zoneA"), f"{ARCHIVE}/m.dat", b"m" * 50, parts=5)
    closes = [e for e in world.sb.events[first:] if e.name == "pep_api_replica_close_post"]
    assert len(closes) == 5
    assert closes[0].writes > 0 and [e.writes for e in closes[1:]] == [0, 0, 0, 0]
    world.sb.run_delayed(advance=31)
    assert len(world.avus(f"{ARCHIVE}/m.dat")["PID"]) == 1 and len(world.handles("zoneA")) == 1


def test_moves_into_a_policy_collection_are_ingest_only_with_on_move(versioned):
    world = versioned
    alice = world.client("alice#zoneA")
    world.configure("zoneA", policies=[archive_policy(replicate=[], on_move=False)])
    routes.move(alice, _stage(alice, "a.dat"), f"{ARCHIVE}/a.dat")
    assert world.avus(f"{ARCHIVE}/a.dat") == {} and world.handles("zoneA") == []
    world.configure("zoneA", policies=[archive_policy(replicate=[])])
    routes.move(alice, _stage(alice, "b.dat"), f"{ARCHIVE}/b.dat")
    assert len(world.avus(f"{ARCHIVE}/b.dat")["PID"]) == 1
    # Within the policy collection a move is no new arrival.
    routes.move(alice, f"{ARCHIVE}/b.dat", f"{ARCHIVE}/sub/b.dat")
    assert len(world.handles("zoneA")) == 1


def test_moving_a_collection_in_ingests_every_object_below(versioned):
    world = versioned
    alice = world.client("alice#zoneA")
    world.configure("zoneA", policies=[archive_policy(replicate=[])])
    alice.imkdir(f"{STAGING}/tree/deep", parents=True)
    alice.iput(f"{STAGING}/tree/one.dat", b"1")
    alice.iput(f"{STAGING}/tree/deep/two.dat", b"2")
    alice.imv(f"{STAGING}/tree", f"{ARCHIVE}/tree")
    for path in (f"{ARCHIVE}/tree/one.dat", f"{ARCHIVE}/tree/deep/two.dat"):
        assert len(world.avus(path)["PID"]) == 1
    assert len(world.handles("zoneA")) == 2


def _stage(client, name):
    client.iput(f"{STAGING}/{name}", name.encode())
    return f"{STAGING}/{name}"


def test_a_replica_from_another_zone_is_no_arrival_there(run_version):
    """zoneA replicates into zoneB's policy collection: zoneB sees the same copy-in as an icp
    from zoneA, leaves it to its delay queue, and there finds the replica's EUDAT/PARENT: no
    PID of its own, no replica in zoneC."""
    world = run_version
    world.configure("zoneB", policies=[ZONE_B_SITE.policy()])
    world.configure("zoneA", policies=[archive_policy(replicate=[
        {"destination": f"{ZONE_B_SITE.archive}/from-a", "registered": True}])])
    world.client("alice#zoneA").iput(f"{ARCHIVE}/a.dat", b"alpha")
    for _ in range(3):
        run_pending_work(world, "zoneA")
        run_pending_work(world, "zoneB")
    [pid] = world.avus(f"{ARCHIVE}/a.dat")["PID"]
    replica = f"{ZONE_B_SITE.archive}/from-a/archive/a.dat"
    [child] = world.avus(replica)["PID"]
    assert world.record(pid).replicas == (child,) and world.record(child).parent == pid
    assert world.handles("zoneB") == [child] and world.handles("zoneC") == []
    assert pending_pid_rows(world, "zoneB") == [] and fail_log_rows(world, "zoneB") == []
