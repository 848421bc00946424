"""Federation: remote paths, permissions of user#homeZone, cross-zone copy/rsync, routing."""

from __future__ import annotations

import pytest
from b2safe_sandbox.errors import SYS_SOCK_CONNECT_ERR, IrodsCallError
from b2safe_sandbox.runtime import irods_types as T
from rt_helpers import code_of

SRC = "/zoneA/home/alice/a.txt"


@pytest.fixture
def fsb(make_sb):
    core = '''
def acPostProcForCopy(rule_args, callback, rei):
    callback.writeLine("serverLog", "copied here " + str(rei.doi.objPath))
'''
    sb = make_sb(core, zones=("zoneA", "zoneB"))
    sb.client("alice#zoneA").iput(SRC, b"payload")
    return sb


def test_remote_write_needs_acl(fsb):
    cb = fsb.callback("zoneA", "alice#zoneA")
    dst = "/zoneB/home/alice/a.txt"
    with pytest.raises(RuntimeError) as err:
        cb.msiDataObjCopy(SRC, dst, "null", 0)
    assert code_of(err.value) == -818000
    fsb.client("alice#zoneB").ichmod("write", "alice#zoneA", "/zoneB/home/alice")
    cb.msiDataObjCopy(SRC, dst, "null", 0)
    assert fsb.zone("zoneB").catalog.data_read(dst) == b"payload"
    assert any("copied here /zoneB/home/alice/a.txt" in x for x in fsb.server_log["zoneB"])
    assert not any("copied here" in x for x in fsb.server_log["zoneA"])


def test_cross_zone_rsync_and_chksum(fsb):
    fsb.client("alice#zoneB").ichmod("own", "alice#zoneA", "/zoneB/home/alice")
    cb = fsb.callback("zoneA", "alice#zoneA")
    dst = "/zoneB/home/alice/r.txt"
    assert cb.msiDataObjRsync(SRC, "IRODS_TO_IRODS", "null", dst, 0)["arguments"][4] == 99999992
    assert cb.msiDataObjRsync(SRC, "IRODS_TO_IRODS", "null", dst, 0)["arguments"][4] == 0
    remote = cb.msiDataObjChksum(dst, "", "")["arguments"][2]
    local = cb.msiDataObjChksum(SRC, "", "")["arguments"][2]
    assert remote == local
    stat = cb.msiObjStat(dst, T.RodsObjStat())["arguments"][1]
    assert stat.objSize == 7


def test_genquery_routing(fsb):
    fsb.client("alice#zoneB").iput("/zoneB/home/alice/b1", b"1")
    fsb.client("alice#zoneB").ichmod("read", "alice#zoneA", "/zoneB/home/alice/b1")
    cb = fsb.callback("zoneA", "alice#zoneA")
    gqi = cb.msiMakeGenQuery("DATA_NAME", "COLL_NAME = '/zoneB/home/alice'",
                             T.GenQueryInp())["arguments"][2]
    gqo = cb.msiExecGenQuery(gqi, T.GenQueryOut())["arguments"][1]
    assert [gqo.sqlResult[0].row(r) for r in range(gqo.rowCnt)] == ["b1"]
    rows = fsb.client("alice#zoneA").iquest(
        "SELECT DATA_NAME WHERE COLL_NAME = '/zoneA/home/alice'")
    assert rows == [["a.txt"]]
    st = fsb.stats()
    assert st["zoneB"]["genquery_round_trips"] == 1 and st["zoneA"]["genquery_round_trips"] == 1


def test_unreachable_zone(fsb):
    fsb.faults.set_unreachable("zoneB", True)
    cb = fsb.callback("zoneA", "alice#zoneA")
    with pytest.raises(RuntimeError) as err:
        cb.msiDataObjCopy(SRC, "/zoneB/home/alice/x", "null", 0)
    assert code_of(err.value) == SYS_SOCK_CONNECT_ERR
    with pytest.raises(IrodsCallError) as e2:
        fsb.client("alice#zoneB").iput("/zoneB/home/alice/y", b"1")
    assert e2.value.code == SYS_SOCK_CONNECT_ERR
    fsb.faults.set_unreachable("zoneB", False)
    fsb.client("alice#zoneB").iput("/zoneB/home/alice/y", b"1")


def test_cross_zone_icp_fires_destination_peps(fsb):
    fsb.client("alice#zoneB").ichmod("write", "alice#zoneA", "/zoneB/home/alice")
    fsb.client("alice#zoneA").icp(SRC, "/zoneB/home/alice/c.txt")
    zones = {(e.zone, e.name) for e in fsb.events}
    assert ("zoneB", "acPostProcForCopy") in zones
