"""PrepCatalog.verify_stored on a real server's verification semantics: a stale sibling replica
makes a whole-object ``verifyChksum=`` fail (irods server/api/src/rsDataObjChksum.cpp@5.0.2
L167-178, L329-334: skipped replicas are a finding), which is no damage; damaged bytes of a good
replica still are."""

from __future__ import annotations

from b2safe.adapters.prep.catalog import PrepCatalog

PATH = "/zoneA/home/alice/verify.dat"


def verify(world) -> bool:
    with world.sb.toplevel(), world.sb.zone("zoneA").env.active():
        return PrepCatalog(world.sb.callback("zoneA", "alice#zoneA"), "zoneA").verify_stored(PATH)


def test_a_stale_sibling_is_not_a_mismatch_but_damaged_bytes_are(world):
    cat = world.sb.zone("zoneA").catalog
    cat.add_resource("otherResc")
    world.client("alice#zoneA").iput(PATH, b"some content")
    world.client("alice#zoneA").irepl(PATH, "otherResc")
    cat.data_checksum(PATH, actor=None, force=True, all_replicas=True)
    cat.data_set_status(PATH, 1, 0)  # replica 1 stale, replica 0 good with its checksum
    assert verify(world) is True
    world.sb.faults.corrupt(PATH, repl_num=0)
    assert verify(world) is False
