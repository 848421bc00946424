"""Work a rodsadmin's retry carries out for a user is authorized for that user when it is done:
she must still own the source and may write the destination (signed work names its requester,
and a signature proves only what was allowed when it was queued).
"""

from __future__ import annotations

from attack_helpers import REPLICAS_B, exists, user_file, victim_file

from b2safe.workflows import integrity

RETRY = "EUDATTransferUsingFailLog"


def _retry_as_admin(world):
    world.sb.clock.advance(3600)
    return world.call(RETRY, "100", "", user="rods#zoneA")[1]


def test_update_logging_cannot_make_the_admin_overwrite_a_file_she_may_not_write(fed):
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat", content=b"alice's bytes")
    fed.call("EUDATUpdateLogging", "false", source, victim, "please retry", user="alice#zoneA")
    _retry_as_admin(fed)
    assert fed.client("rods#zoneB").iget(victim) == b"precious"


def test_pid_registration_cannot_make_the_admin_overwrite_a_file_she_may_not_write(fed):
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat", content=b"alice's bytes")
    fed.sb.exec_rule("zoneA", "EUDATPIDRegistration", [source, victim, "", ""], "alice#zoneA")
    _retry_as_admin(fed)
    assert fed.client("rods#zoneB").iget(victim) == b"precious"
    rows = fed.client("rods#zoneB").iquest(
        "SELECT META_DATA_ATTR_VALUE WHERE COLL_NAME = '/zoneB/private' AND "
        "DATA_NAME = 'victim.dat' AND META_DATA_ATTR_NAME = 'EUDAT/PARENT'")
    assert rows == []  # no registration linked her PID to the victim


def test_integrity_logging_cannot_make_the_admin_repair_onto_a_file_she_may_not_write(fed):
    victim = victim_file(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat", content=b"alice's bytes")
    fed.sb.exec_rule("zoneA", "EUDATCheckIntegrityDO", [source, victim, "true", ""],
                     "alice#zoneA")
    assert fed.avus(source).get(integrity.PENDING_AVU)  # a signed record naming alice
    _retry_as_admin(fed)
    assert fed.client("rods#zoneB").iget(victim) == b"precious"


def test_a_right_lost_after_queuing_stops_the_admin_retry(fed):
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    target = f"{REPLICAS_B}/f.dat"
    fed.call("EUDATUpdateLogging", "false", source, target, "down", user="alice#zoneA")
    fed.client("rods#zoneB").ichmod("null", "alice#zoneA", REPLICAS_B)
    stats = _retry_as_admin(fed)
    assert stats == "# of successes:0, # of failures:1"
    assert not exists(fed, target)


def test_legitimate_work_of_a_user_is_still_done_by_the_admin_retry(fed):
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    target = f"{REPLICAS_B}/f.dat"
    fed.call("EUDATUpdateLogging", "false", source, target, "down", user="alice#zoneA")
    stats = _retry_as_admin(fed)
    assert stats == "# of successes:1, # of failures:0"
    assert fed.client("rods#zoneB").iget(target) == b"data"


def test_an_object_of_someone_else_added_later_stops_a_collection_retry(fed):
    """A registered replication of a collection: bob's object appears in it after queuing."""
    alice = fed.client("alice#zoneA")
    alice.imkdir("/zoneA/home/alice/shared", parents=True)
    alice.iput("/zoneA/home/alice/shared/a.dat", b"a")
    fed.call("EUDATUpdateLogging", "false", "/zoneA/home/alice/shared",
             f"{REPLICAS_B}/shared", "down", user="alice#zoneA")
    alice.ichmod("own", "bob#zoneA", "/zoneA/home/alice/shared")
    fed.client("bob#zoneA").iput("/zoneA/home/alice/shared/bob.dat", b"bob's")
    _retry_as_admin(fed)
    assert not exists(fed, f"{REPLICAS_B}/shared/bob.dat")


def test_ownership_lost_after_queuing_stops_the_admin_retry(fed):
    """bob let alice co-own his object when she queued its replication, then took that back:
    the admin's retry must not copy bob's object into alice's area."""
    bobs = "/zoneA/home/bob/shared.dat"
    fed.client("bob#zoneA").iput(bobs, b"bob's bytes")
    fed.client("bob#zoneA").ichmod("own", "alice#zoneA", bobs)
    target = f"{REPLICAS_B}/shared.dat"
    fed.call("EUDATUpdateLogging", "false", bobs, target, "down", user="alice#zoneA")
    fed.client("bob#zoneA").ichmod("null", "alice#zoneA", bobs)
    stats = _retry_as_admin(fed)
    assert stats == "# of successes:0, # of failures:1"
    assert not exists(fed, target)


TEAM_AREA = "/zoneB/team"


def _team_area(world):
    """zoneB's group ``team`` (alice#zoneA a member) may write /zoneB/team; alice herself holds
    no ACL there (the zone's rodsadmin copies, so it owns the area as in the replica area)."""
    catalog = world.sb.zone("zoneB").catalog
    catalog.add_user("team", "zoneB", "rodsgroup")
    catalog.group_add_member("team", "alice#zoneA")
    b = world.client("rods#zoneB")
    b.imkdir(TEAM_AREA, parents=True)
    b.ichmod("own", "rods#zoneA", TEAM_AREA)
    b.ichmod("write", "team#zoneB", TEAM_AREA)
    return catalog


def test_write_access_through_a_group_is_honoured(fed):
    """As iRODS checks rights (checkPermissionByObjType walks the user's groups): a right held
    through a group counts when the admin's retry re-authorizes her."""
    _team_area(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, f"{TEAM_AREA}/f.dat", "down",
             user="alice#zoneA")
    assert _retry_as_admin(fed) == "# of successes:1, # of failures:0"
    assert exists(fed, f"{TEAM_AREA}/f.dat")


def test_a_group_membership_removed_after_queuing_stops_the_admin_retry(fed):
    catalog = _team_area(fed)
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    fed.call("EUDATUpdateLogging", "false", source, f"{TEAM_AREA}/f.dat", "down",
             user="alice#zoneA")
    catalog.group_remove_member("team", "alice#zoneA")
    assert _retry_as_admin(fed) == "# of successes:0, # of failures:1"
    assert not exists(fed, f"{TEAM_AREA}/f.dat")
