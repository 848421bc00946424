"""PID records B2SAFE 4.x wrote whose PID AVU is missing: EUDATCreatePID (one and in bulk) and
EUDATePIDremove find them by reverse lookup under 4.x's URL forms and never mint a second PID.

4.x's EUDATePIDcreate wrote ``serverApireg + path`` unencoded (pid-service.re) and searched with
``#``, ``%`` and ``&`` as ``*`` wildcards (EUDATReplaceHash); b2safe writes the path
percent-encoded. Records are put into the sandbox Handle server as 4.x left them.
"""

from __future__ import annotations

import json

from b2safe.domain.profile import PidRecord, object_url

SERVER = "irods://zonea.sandbox:1247"
ODD = "/zoneA/home/alice/a b#1%&.txt"
PLAIN = "/zoneA/home/alice/plain.txt"


def legacy_record(world, url, key):
    return world.reader().create(PidRecord(url=url, fixed_content=True), key)


def test_create_pid_adopts_4x_records_raw_and_encoded(world):
    world.configure("zoneA", pid={"reverse_lookup_fallback": True})
    client = world.client()
    for path in (ODD, PLAIN, "/zoneA/home/alice/enc oded.txt"):
        client.iput(path, b"x")
    raw = legacy_record(world, SERVER + ODD, "legacy-raw")
    plain = legacy_record(world, SERVER + PLAIN, "legacy-plain")
    encoded = legacy_record(world, object_url("/zoneA/home/alice/enc oded.txt",
                                              server_id=SERVER), "legacy-enc")
    # a record of another object that the 4.x wildcard search also matches: never adopted
    decoy = legacy_record(world, SERVER + "/zoneA/home/alice/a bX1%&.txt", "decoy")
    before = set(world.handles())
    assert world.call("EUDATCreatePID", "None", ODD, "None", "None", "false", "")[5] == raw
    assert world.call("EUDATCreatePID", "None", PLAIN, "None", "None", "false", "")[5] == plain
    assert world.call("EUDATCreatePID", "None", "/zoneA/home/alice/enc oded.txt", "None", "None",
                      "false", "")[5] == encoded
    assert set(world.handles()) == before  # nothing minted
    assert world.avus(ODD)["PID"] == [raw]
    assert decoy != raw


def test_a_wildcard_hit_naming_another_object_is_not_adopted(world):
    world.configure("zoneA", pid={"reverse_lookup_fallback": True})
    path = "/zoneA/home/alice/b#2.txt"
    world.client().iput(path, b"x")
    decoy = legacy_record(world, SERVER + "/zoneA/home/alice/bX2.txt", "decoy")
    pid = world.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[5]
    assert pid != decoy
    assert world.record(pid).url == object_url(path, server_id=SERVER)


def test_bulk_pids_adopt_4x_records(world):
    world.configure("zoneA", pid={"reverse_lookup_fallback": True})
    client = world.client()
    client.imkdir("/zoneA/home/alice/old")
    client.iput("/zoneA/home/alice/old/x y.txt", b"x")
    client.iput("/zoneA/home/alice/old/new.txt", b"y")
    old = legacy_record(world, SERVER + "/zoneA/home/alice/old/x y.txt", "legacy-bulk")
    world.call("EUDATPidsForColl", "/zoneA/home/alice/old", "false")
    assert world.avus("/zoneA/home/alice/old/x y.txt") == {"PID": [old]}
    assert world.avus("/zoneA/home/alice/old/new.txt")["PID"] != [old]
    assert len(world.handles()) == 3  # the 4.x record, the collection's and new.txt's


def test_the_lookup_is_on_when_the_configuration_does_not_say(world):
    """The safe default: a b2safe.json without ``reverse_lookup_fallback`` (hand-written, or
    kept from an upgrade) finds 4.x PIDs instead of minting duplicates."""
    path = world.sb.zone("zoneA").config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    del data["pid"]["reverse_lookup_fallback"]
    path.write_text(json.dumps(data))
    world.client().iput(PLAIN, b"x")
    plain = legacy_record(world, SERVER + PLAIN, "legacy-plain")
    before = set(world.handles())
    assert world.call("EUDATCreatePID", "None", PLAIN, "None", "None", "false", "")[5] == plain
    assert set(world.handles()) == before


def test_without_the_fallback_a_second_pid_is_minted(world):
    """The switch matters: a fresh site (b2safe install without 4.x, as the sandbox's zones)
    has it off and pays no Handle search per new PID; then a 4.x record is not found."""
    world.client().iput(PLAIN, b"x")
    plain = legacy_record(world, SERVER + PLAIN, "legacy-plain")
    assert world.call("EUDATCreatePID", "None", PLAIN, "None", "None", "false", "")[5] != plain


def test_remove_finds_the_4x_record(world):
    world.configure("zoneA", pid={"reverse_lookup_fallback": True})
    world.client().iput(ODD, b"x")
    raw = legacy_record(world, SERVER + ODD, "legacy-raw")
    world.call("EUDATePIDremove", ODD, "false")
    assert raw not in world.handles()


def test_public_url_when_anonymous_has_an_acl(world):
    """4.x (pid-service.re EUDATePIDcreate): the public HTTP API base for a data object that
    user anonymous may access, the registered base otherwise."""
    world.sb.zone("zoneA").catalog.add_user("anonymous", "zoneA", "rodsuser")
    world.configure("zoneA", http_api={"enabled": True,
                                       "registered_base": "https://a.example/api/registered",
                                       "public_base": "https://a.example/api/public"})
    client = world.client()
    client.iput(PLAIN, b"x")
    client.iput(PLAIN + ".open", b"y")
    client.ichmod("read", "anonymous#zoneA", PLAIN + ".open")
    closed = world.call("EUDATCreatePID", "None", PLAIN, "None", "None", "false", "")[5]
    opened = world.call("EUDATCreatePID", "None", PLAIN + ".open", "None", "None", "false",
                        "")[5]
    assert world.record(closed).url == "https://a.example/api/registered" + PLAIN
    assert world.record(opened).url == "https://a.example/api/public" + PLAIN + ".open"
