"""EUDATrp_* rules: the ADMIN_Status ingest workflow of repository packages."""

from __future__ import annotations

PKG = "/zoneA/home/alice/pkg.tar"


def status(world, path=PKG):
    return world.avus(path).get("ADMIN_Status")


def test_transfer_and_ingest_workflow(world):
    client = world.client("alice#zoneA")
    client.iput(PKG, b"package")
    world.call("EUDATrp_transferInitiated", PKG)
    assert status(world) == ["TransferStarted"] and world.avus(PKG)["INFO_TimeOfStart"]
    world.call("EUDATrp_transferFinished", PKG, "")
    assert status(world) == ["TransferFinished"] and world.avus(PKG)["INFO_TimeOfTransfer"]
    client.imeta("set", "-d", PKG, "OTHER_original_checksum", client.ichksum(PKG))
    # Anything but ADMIN_Status=ReadyToArchive does nothing.
    assert world.call("EUDATrp_checkMeta", PKG, "n:ADMIN_Status", "v:Other", "")[-1] == "None"
    assert "PID" not in world.avus(PKG)
    assert world.call("EUDATrp_checkMeta", PKG, "n:ADMIN_Status", "v:ReadyToArchive",
                      "")[-1] == "Archive_ok"
    assert status(world) == ["Archive_ok"]
    assert len(world.avus(PKG)["PID"]) == 1 and len(world.handles("zoneA")) == 1
    assert world.avus(PKG)["INFO_Checksum"] == [client.ichksum(PKG)]


def test_checksum_mismatch_gives_error_checksum(world):
    world.client("alice#zoneA").iput(PKG, b"package")
    world.client("alice#zoneA").imeta("set", "-d", PKG, "OTHER_original_checksum", "sha2:AAAA")
    assert world.call("EUDATrp_ingestObject", PKG, "")[-1] == "ErrorChecksum"
    assert "PID" not in world.avus(PKG) and world.handles("zoneA") == []


def test_pid_failure_gives_error_pid(world):
    client = world.client("alice#zoneA")
    client.iput(PKG, b"package")
    client.imeta("set", "-d", PKG, "OTHER_original_checksum", client.ichksum(PKG))
    world.sb.handle_server("zoneA").faults.fail_next(1000, 503)
    assert world.call("EUDATrp_ingestObject", PKG, "")[-1] == "ErrorPID"
    assert status(world) == ["ErrorPID"]


def test_archive_owner_takes_ownership(world):
    world.configure("zoneA", repository_packages={"archive_owner": "rods#zoneA"})
    client = world.client("alice#zoneA")
    client.iput(PKG, b"package")
    client.imeta("set", "-d", PKG, "OTHER_original_checksum", client.ichksum(PKG))
    world.call("EUDATrp_ingestObject", PKG)
    catalog = world.sb.zone("zoneA").catalog
    assert catalog.check_access(PKG, "rods#zoneA", "own")
    assert catalog.check_access(PKG, "alice#zoneA", "read_object")
    assert not catalog.check_access(PKG, "alice#zoneA", "modify_object")
