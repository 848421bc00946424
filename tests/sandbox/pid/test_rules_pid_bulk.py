"""EUDATPidsForColl and its delay-rule batches on large trees: counts, idempotency, a Handle
outage mid-run, names that GenQuery and URLs find hard."""

from __future__ import annotations

import pytest

from b2safe import errors
from b2safe.domain import profile

BASE = "/zoneA/home/alice/tree"
#: names with a quote, a backslash, LIKE wildcards, URL specials, spaces and non-ASCII
NAMES = ("it's", "back\\slash", "100%_done", "a&b", "#tag", "two  spaces", "ünïcødé €")


def pid_avus(world, base=BASE):
    """{path: [PID values]} of everything in or below ``base`` (from the zone catalog)."""
    catalog = world.sb.zone("zoneA").catalog
    found = {}
    for path in world.tree_paths:
        found[path] = [a.value for a in catalog.avu_list(_kind(catalog, path), path, "PID")]
    return found


def _kind(catalog, path):
    return "-C" if catalog.coll_get(path) is not None else "-d"


@pytest.fixture
def big_tree(world):
    world.tree_paths = world.tree(BASE, 2000, names=NAMES, fanout=6, depth=2)
    return world.tree_paths


def test_tree_of_2000_objects(world, big_tree):
    server = world.sb.handle_server("zoneA")
    server.stats.reset()
    world.sb.reset_stats()
    args = world.call("EUDATPidsForColl", BASE, "true", "")
    total = len(big_tree)
    assert total == 2043
    assert args == [BASE, "true", f"created={total} existing=0 failed=0"]
    # one Handle request per new PID (plus at most the login GET of a new client)
    assert server.stats["PUT"] == total
    assert server.stats.total <= total + 1
    # GenQuery pages, not queries per object
    assert world.sb.stats()["zoneA"]["genquery_round_trips"] < 60
    # the PID and its mirrors in one atomic metadata call per object
    msi = world.sb.stats()["zoneA"]["msi"]
    assert msi["msi_atomic_apply_metadata_operations"] == total
    assert not {"msiModAVUMetadata", "msiSetKeyValuePairsToObj", "msiString2KeyValPair"} & \
        set(msi)

    pids = pid_avus(world)
    assert all(len(v) == 1 for v in pids.values()), [p for p, v in pids.items() if len(v) != 1]
    assert len({v[0] for v in pids.values()}) == total
    assert sorted(h.upper() for h in world.handles()) == \
        sorted(v[0].upper() for v in pids.values())

    # the hard names: URL encoded, checksum present, AVU mirrors
    for path in [p for p in big_tree if "it's" in p.rsplit("/", 1)[1]][:2] + \
            [p for p in big_tree if "ünï" in p][-1:] + [BASE]:
        record = world.record(pids[path][0])
        assert record.url == profile.object_url(path, server_id="irods://zonea.sandbox:1247")
        assert record.fixed_content is True
        assert record.ror is None and record.parent is None
        if path.endswith(".dat"):
            assert record.checksum and record.checksum.startswith("sha2:")
        else:
            assert record.checksum is None
        assert world.avus(path)["EUDAT/FIXED_CONTENT"] == ["True"]

    # second run: nothing new, no Handle request at all; the 2-argument form has no OUT
    server.stats.reset()
    assert world.call("EUDATPidsForColl", BASE, "true") == [BASE, "true"]
    assert server.stats.total == 0
    args = world.call("EUDATPidsForColl", BASE + "/" + big_tree[1].rsplit("/", 1)[1], "true", "")
    assert args[2].startswith("created=0 existing=")
    assert len(world.handles()) == total


def test_outage_mid_run_then_rerun_converges(world, big_tree):
    server = world.sb.handle_server("zoneA")

    def outage():
        server.faults.drop_next(3, after=True, methods=("PUT",))  # created, answer lost
        server.faults.fail_next(60, 503)

    world.after_requests("zoneA", "PUT", 700, outage)
    err = world.fails("EUDATPidsForColl", BASE, "false", "")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR
    assert "failed=" in err.text and "first failure" in err.text
    done = {p: v for p, v in pid_avus(world).items() if v}
    assert 650 < len(done) < len(big_tree)
    assert all(len(v) == 1 for v in done.values())

    args = world.call("EUDATPidsForColl", BASE, "false", "")
    created = int(args[2].split()[0].split("=")[1])
    assert args[2] == f"created={created} existing={len(done)} failed=0"
    assert created == len(big_tree) - len(done)
    pids = pid_avus(world)
    assert all(len(v) == 1 for v in pids.values())
    # exactly one handle per path: answers lost during the outage were re-adopted, not re-minted
    assert sorted(h.upper() for h in world.handles()) == \
        sorted(v[0].upper() for v in pids.values())


@pytest.mark.parametrize(
    "path,code",
    [
        ("home/alice/tree", errors.USER_INPUT_PATH_ERR),
        ("/zoneA/home/alice/tree/", errors.USER_INPUT_PATH_ERR),
        ("/elsewhere/home/alice", errors.SYS_INVALID_ZONE_NAME),
        ("/zoneB/home/alice", errors.SYS_INVALID_ZONE_NAME),
        ("/zoneA/home/alice/no-such-collection", errors.USER_FILE_DOES_NOT_EXIST),
        ("/zoneA/home/alice/file.txt", errors.SYS_INVALID_INPUT_PARAM),
        ("", errors.USER_INPUT_PATH_ERR),
    ],
)
def test_bad_input_creates_nothing(world, path, code):
    world.client().iput("/zoneA/home/alice/file.txt", b"x")
    err = world.fails("EUDATPidsForColl", path, "false", "")
    assert err.code == code
    assert world.handles() == []
    assert "PID" not in world.avus("/zoneA/home/alice/file.txt")
    assert "PID" not in world.avus("/zoneA/home/alice")


def test_collection_of_another_user_is_refused(world):
    world.client("rods#zoneA").imkdir("/zoneA/home/rods/private")
    world.client("rods#zoneA").ichmod("read", "alice#zoneA", "/zoneA/home/rods/private")
    err = world.fails("EUDATPidsForColl", "/zoneA/home/rods/private", "false", "")
    assert err.code == errors.CAT_NO_ACCESS_PERMISSION
    assert world.handles() == []


def test_bad_boolean_and_argument_count(world):
    world.client().imkdir("/zoneA/home/alice/set")
    assert world.fails("EUDATPidsForColl", "/zoneA/home/alice/set", "perhaps").code == \
        errors.SYS_INVALID_INPUT_PARAM
    assert world.fails("EUDATPidsForColl", "/zoneA/home/alice/set").code == \
        errors.SYS_INVALID_INPUT_PARAM
    assert world.handles() == []


# --- delay-rule batches ---------------------------------------------------------------------------


def queued(world, zone="zoneA"):
    return [r.name for r in world.sb.zone(zone).catalog.delay_list()]


def test_batches_are_scheduled_once_and_run_by_the_delay_server(world):
    paths = world.tree(BASE, 230, names=NAMES, fanout=3, depth=2)
    world.tree_paths = paths
    first = paths[len(paths) // 2]
    world.call("EUDATCreatePID", "None", first, "None", "None", "false", "")
    server = world.sb.handle_server("zoneA")
    server.stats.reset()

    args = world.call("EUDATPidsForCollBatched", BASE, "false", "50", "")
    missing = len(paths) - 1
    assert first.endswith(".dat") and len(paths) == 13 + 230
    batches = 1 + 5  # 13 collections; 229 data objects in batches of 50
    assert args[3] == f"scheduled={batches} queued=0 objects={missing}"
    assert server.stats.total == 0  # scheduling makes no Handle request
    texts = queued(world)
    assert len(texts) == batches
    assert all(t.startswith("callback.EUDATPidsForCollBatch(") for t in texts)

    # idempotent: a second call queues nothing new; the 3-argument form has no OUT
    assert world.call("EUDATPidsForCollBatched", BASE, "false", "50") == [BASE, "false", "50"]
    again = world.call("EUDATPidsForCollBatched", BASE, "false", "50", "")
    assert again[3] == f"scheduled=0 queued={batches} objects={missing}"
    assert len(queued(world)) == batches

    results = world.sb.run_delayed(advance=5)
    assert len(results) == batches and all(r.succeeded for r in results)
    assert queued(world) == []
    pids = pid_avus(world)
    assert all(len(v) == 1 for v in pids.values())
    assert len(world.handles()) == len(paths)
    assert server.stats["PUT"] == missing

    # nothing left to do: nothing scheduled
    assert world.call("EUDATPidsForCollBatched", BASE, "false", "50", "")[3] == \
        "scheduled=0 queued=0 objects=0"


def test_failed_batch_is_retried_by_the_delay_server(world):
    paths = world.tree(BASE, 12, names=NAMES, fanout=2, depth=1)
    world.tree_paths = paths
    world.configure("zoneA", pid={"retries": 0})
    server = world.sb.handle_server("zoneA")
    world.call("EUDATPidsForCollBatched", BASE, "false", "100", "")
    server.faults.fail_next(1000, 503)
    results = world.sb.run_delayed(advance=5)
    assert results and not any(r.succeeded for r in results)
    assert len(queued(world)) == len(results)  # kept for a retry
    assert world.handles() == []
    server.faults.clear()
    results = world.sb.run_delayed(advance=600)
    assert results and all(r.succeeded for r in results)
    assert queued(world) == []
    assert all(len(v) == 1 for v in pid_avus(world).values())


@pytest.mark.parametrize("size", ["0", "-5", "many", "", "1000001"])
def test_batched_bad_batch_size(world, size):
    world.client().imkdir("/zoneA/home/alice/set")
    err = world.fails("EUDATPidsForCollBatched", "/zoneA/home/alice/set", "false", size, "")
    assert err.code == errors.SYS_INVALID_INPUT_PARAM
    assert queued(world) == []


def test_batched_bad_path(world):
    for path, code in (("rel/path", errors.USER_INPUT_PATH_ERR),
                       ("/zoneB/home/alice", errors.SYS_INVALID_ZONE_NAME),
                       ("/zoneA/home/alice/none", errors.USER_FILE_DOES_NOT_EXIST)):
        assert world.fails("EUDATPidsForCollBatched", path, "false", "10", "").code == code
    assert queued(world) == []


def test_batch_rule_rejects_bad_ranges(world):
    world.client().imkdir("/zoneA/home/alice/set")
    for kind, first, last in (("-x", "1", "2"), ("-d", "a", "2"), ("-d", "9", "2")):
        err = world.fails("EUDATPidsForCollBatch", "/zoneA/home/alice/set", "false", kind,
                          first, last)
        assert err.code == errors.SYS_INVALID_INPUT_PARAM
    assert world.handles() == []


def test_checksums_of_the_listing_are_used_only_when_the_good_replicas_agree(world):
    """msiDataObjChksum without forceChksum returns the registered checksum of the replica the
    server picks to read, a good one (irods server/api/src/rsDataObjChksum.cpp L412-430:
    sortObjInfoForOpen on the resolved hierarchy; server/core/src/dataObjOpr.cpp L416), so
    EUDATPidsForColl takes the listing's DATA_CHECKSUM instead of calling it only when every
    good replica lists the same one; a stale replica's checksum never reaches a record."""
    catalog = world.sb.zone("zoneA").catalog
    base = "/zoneA/home/alice/sums"
    catalog.add_resource("second")
    catalog.coll_create(base, "alice#zoneA")
    plain, mixed, bare = f"{base}/plain.dat", f"{base}/mixed.dat", f"{base}/bare.dat"
    catalog.data_put(plain, b"plain", "alice#zoneA", checksum=True)
    catalog.data_put(mixed, b"old", "alice#zoneA", checksum=True)
    catalog.data_replicate(mixed, "second", "alice#zoneA")
    # the copy on "second" is rewritten: it is the good replica, replica 0 is stale
    catalog.data_put(mixed, b"new content", "alice#zoneA", resc="second", force=True,
                     checksum=True)
    catalog.data_put(bare, b"bare", "alice#zoneA")
    good = {r.repl_num: r for r in catalog.data_get(mixed)}
    assert good[0].status == 0 and good[1].status == 1 and good[0].checksum != good[1].checksum
    world.sb.reset_stats()
    args = world.call("EUDATPidsForColl", base, "false", "")
    assert args[2] == "created=4 existing=0 failed=0"
    assert world.sb.stats()["zoneA"]["msi"].get("msiDataObjChksum") == 1  # bare.dat only
    assert world.record(world.avus(mixed)["PID"][0]).checksum == good[1].checksum
    assert world.record(world.avus(plain)["PID"][0]).checksum == \
        catalog.data_get(plain)[0].checksum
    assert world.record(world.avus(bare)["PID"][0]).checksum == \
        catalog.data_get(bare)[0].checksum


def test_existing_pids_come_from_one_stream_per_kind_not_a_query_per_page(world):
    """603 paths (three 256-path pages): the objects that already have a PID are read by one
    tree-wide query per kind, merged with the listing by id; per page only the query that
    detects concurrent creators remains. GenQueries: 2 listings + 2 AVU streams + 4 checks
    (page 1 holds both kinds) = 8; a query per page and kind for existing PIDs made it 10."""
    catalog = world.sb.zone("zoneA").catalog
    base = "/zoneA/home/alice/paged"
    with catalog.batch():
        catalog.coll_create(base, "alice#zoneA")
        for part in range(2):
            catalog.coll_create(f"{base}/part {part}", "alice#zoneA")
        for i in range(600):
            catalog.data_put(f"{base}/part {i % 2}/o {i:04d}", b"x%d" % i, "alice#zoneA",
                             checksum=True)
    had = [f"{base}/part 1/o 0001", f"{base}/part 0/o 0300", f"{base}/part 1/o 0599",
           f"{base}/part 0"]
    before = {path: world.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[5]
              for path in had}
    server = world.sb.handle_server("zoneA")
    server.stats.reset()
    world.sb.reset_stats()
    args = world.call("EUDATPidsForColl", base, "false", "")
    assert args[2] == "created=599 existing=4 failed=0"
    assert server.stats["PUT"] == 599
    msi = world.sb.stats()["zoneA"]["msi"]
    assert msi["msiMakeGenQuery"] == 8, msi
    assert msi["msi_atomic_apply_metadata_operations"] == 599
    for path, pid in before.items():
        assert world.avus(path)["PID"] == [pid]
    assert world.avus(f"{base}/part 1/o 0003")["PID"]
