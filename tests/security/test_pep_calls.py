"""A PEP is an ordinary rule to PREP: any user may call one by name with arguments she chose.
Called so, the ingest PEPs act with her rights only: naming someone else's object in a policy
collection gets that object no PID (Handle credentials) and queues no work for it.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from attack_helpers import REPLICAS_B, avu_rows

ARCHIVE = "/zoneA/archive"
BOBS = f"{ARCHIVE}/bob.dat"


#: PEP -> its API inputs naming bob's object (pep_api_touch_post acts only on an object its
#: pre-PEP saw created, so it cannot be aimed at an existing one).
CALLS = {
    "pep_api_data_obj_copy_post": lambda: [
        SimpleNamespace(srcDataObjInp=SimpleNamespace(objPath=BOBS),
                        destDataObjInp=SimpleNamespace(objPath=BOBS)), None],
    "pep_api_data_obj_rsync_post": lambda: [
        SimpleNamespace(objPath=BOBS, condInput={"rsyncMode": "IRODS_TO_IRODS",
                                                 "rsyncDestPath": BOBS}), None],
}


@pytest.fixture
def archive(fed):
    """An archive policy collection (PID now, a replica in zoneB) holding bob's object, which
    alice may read but not write."""
    fed.configure("zoneA", policies=[{"name": "archive", "collection": ARCHIVE, "pid": "now",
                                      "replicate": [{"destination": REPLICAS_B,
                                                     "registered": True}]}])
    rods = fed.client("rods#zoneA")
    rods.imkdir(ARCHIVE, parents=True)
    rods.ichmod("own", "bob#zoneA", ARCHIVE, admin=True)
    fed.configure("zoneA", policies=[])  # bob's upload itself gets no PID
    fed.client("bob#zoneA").iput(BOBS, b"bob's")
    fed.client("bob#zoneA").ichmod("read", "alice#zoneA", BOBS)
    fed.configure("zoneA", policies=[{"name": "archive", "collection": ARCHIVE, "pid": "now",
                                      "replicate": [{"destination": REPLICAS_B,
                                                     "registered": True}]}])
    return fed


@pytest.mark.parametrize("pep", sorted(CALLS))
def test_an_ingest_pep_called_as_a_rule_gives_others_objects_nothing(archive, pep):
    handles, before = archive.handles("zoneA"), avu_rows(archive, BOBS)
    queued = len(archive.sb.zone("zoneA").catalog.delay_list())
    archive.sb.exec_rule("zoneA", pep, ["instance", None, *CALLS[pep]()], "alice#zoneA")
    assert archive.handles("zoneA") == handles
    assert avu_rows(archive, BOBS) == before
    assert len(archive.sb.zone("zoneA").catalog.delay_list()) == queued


@pytest.mark.parametrize("pep", sorted(CALLS))
def test_the_same_call_by_the_owner_does_apply_the_policy(archive, pep):
    """The control of the test above: the call is well formed and the policy applies."""
    handles = archive.handles("zoneA")
    archive.sb.exec_rule("zoneA", pep, ["instance", None, *CALLS[pep]()], "bob#zoneA")
    assert archive.handles("zoneA") != handles
    assert "PID" in archive.avus(BOBS)
