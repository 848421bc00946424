"""Helpers shared by the replication tests: build trees, replicate, check invariants."""

from __future__ import annotations

from b2safe.domain.profile import parse_replicas
from b2safe.state import faillog

SRC = "/zoneA/home/alice/project"
DST = "/zoneB/replicas/project"


def make_tree(world, root=SRC, user="alice#zoneA", files=3, subdirs=("sub", "sub/deep")):
    client = world.client(user)
    client.imkdir(root, parents=True)
    paths = []
    for sub in ("", *subdirs):
        coll = f"{root}/{sub}".rstrip("/")
        client.imkdir(coll, parents=True)
        for i in range(files):
            path = f"{coll}/f{i}.dat"
            client.iput(path, f"{path} content".encode())
            paths.append(path)
    return paths


def replicate(world, src, dst, registered="true", recursive="true", resc=None,
              user="rods#zoneA", zone="zoneA"):
    args = [src, dst] + ([resc] if resc is not None else []) + [registered, recursive, ""]
    return world.call("EUDATReplication", *args, zone=zone, user=user)[-1]


def fail_log(world, zone="zoneA"):
    """Fail-log records of a zone, found the way operators find them: by GenQuery."""
    rows = world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE "
        f"META_DATA_ATTR_NAME like '{faillog.AVU_PREFIX}%'")
    rows += world.client(f"rods#{zone}").iquest(
        "SELECT COLL_NAME, META_COLL_ATTR_VALUE WHERE "
        f"META_COLL_ATTR_NAME like '{faillog.AVU_PREFIX}%'")
    return rows


def all_rows(catalog, columns, conditions):
    """Every row of a GenQuery, page by page."""
    rows, offset = [], 0
    while True:
        result = catalog.genquery(columns, conditions, None, offset=offset)
        rows += result.rows
        if not result.has_more:
            return rows
        offset += len(result.rows)


def assert_consistent(world, src_root=SRC, dst_root=DST, src_zone="zoneA", dst_zone="zoneB"):
    """Every replica has exactly one PID, linked both ways, no duplicates anywhere."""
    src_cat = world.sb.zone(src_zone).catalog
    dst_cat = world.sb.zone(dst_zone).catalog
    rows = all_rows(src_cat, ["COLL_NAME", "DATA_NAME"],
                    f"COLL_NAME = '{src_root}' || like '{src_root}/%'")
    sources = [f"{c}/{n}" for c, n in rows] + [src_root] + [
        c for (c,) in all_rows(src_cat, ["COLL_NAME"], f"COLL_NAME like '{src_root}/%'")]
    child_pids = []
    for source in sources:
        target = dst_root + source[len(src_root):]
        src_avus = world.avus(source)
        dst_avus = world.avus(target)
        assert len(src_avus.get("PID", [])) == 1, source
        assert len(dst_avus.get("PID", [])) == 1, target
        parent, child = src_avus["PID"][0], dst_avus["PID"][0]
        child_pids.append(child.upper())
        record = world.record(child)
        assert record.parent == parent
        assert record.url.endswith(target.replace(" ", "%20"))
        parent_record = world.record(parent)
        replicas = [p.upper() for p in parent_record.replicas]
        assert replicas.count(child.upper()) == 1, (source, parent_record.replicas)
        assert len(replicas) == len(set(replicas))
        mirrored = [p.upper() for value in src_avus["EUDAT/REPLICA"]
                    for p in parse_replicas(value)]
        assert mirrored.count(child.upper()) == 1
        assert dst_cat.coll_get(target) is not None or dst_cat.data_get(target)
    assert len(child_pids) == len(set(child_pids))
    assert sorted(h.upper() for h in world.handles(dst_zone)) == sorted(child_pids)
    assert fail_log(world, src_zone) == []
