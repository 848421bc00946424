"""``b2safe migrate`` imports 4.x fail-queue records (text any 4.x user could push) as work of
the source's owner, authorized at import and again at retry; never as the importing admin's."""

from __future__ import annotations

from attack_helpers import avu_rows, user_file, victim_file

from b2safe import errors
from b2safe.state import faillog

RETRY = "EUDATTransferUsingFailLog"
IMPORT = "b2safe_import_4x_failure"


def _records(world, path):
    return [faillog.parse(value, units) for name, value, units in avu_rows(world, path)
            if name.startswith(faillog.AVU_PREFIX)]


def test_a_queue_record_aimed_at_a_file_the_owner_may_not_write_is_not_imported(fed):
    """4.x queue text naming alice's file and a zoneB file only rods may write: importing it as
    rods's work would let the retry overwrite that file with admin rights."""
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/q.dat", content=b"alice's bytes")
    err = fed.fails(IMPORT, source, victim, "rsync failed", "", user="rods#zoneA")
    assert err.code == errors.CAT_NO_ACCESS_PERMISSION and "alice#zoneA" in err.text
    assert _records(fed, source) == []
    fed.call(RETRY, "10", "", user="rods#zoneA")
    assert fed.client("rods#zoneB").iget(victim) == b"precious"


def test_an_imported_record_is_the_owners_work_and_the_retry_does_it(fed):
    source = user_file(fed, "/zoneA/home/alice/q2.dat", content=b"alice's bytes")
    replica = "/zoneB/replicas/q2.dat"
    assert fed.call(IMPORT, source, replica, "rsync failed", "", user="rods#zoneA")[3] == \
        "alice#zoneA"
    [record] = _records(fed, source)
    assert record.user == "alice#zoneA" and record.destination == replica
    stats = fed.call(RETRY, "10", "", user="rods#zoneA")[1]
    assert stats == "# of successes:1, # of failures:0"
    assert fed.client("rods#zoneB").iget(replica) == b"alice's bytes"
    assert "PID" in fed.avus(replica)


def test_only_a_rodsadmin_imports(fed):
    source = user_file(fed, "/zoneA/home/alice/q3.dat")
    err = fed.fails(IMPORT, source, "/zoneB/replicas/q3.dat", "x", "")
    assert err.code == errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL
    assert _records(fed, source) == []
