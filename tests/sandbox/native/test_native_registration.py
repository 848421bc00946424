"""Registered replication by an ordinary user completes at once: the replica's PID is minted in
the destination zone by a rule-language call any user may make (remoteExec running
EUDATCreatePID, as B2SAFE 4.x's EUDATPIDRegistration did), so a 4.x partner zone works too."""

from __future__ import annotations

import pytest

ALICE = "alice#zoneA"
SOURCE = "/zoneA/home/alice/r.txt"


@pytest.fixture
def chain(world):
    """Replica areas in zoneB and zoneC that alice#zoneA owns (ACLs inherited)."""
    for zone in ("zoneB", "zoneC"):
        admin = world.client(f"rods#{zone}")
        admin.imkdir(f"/{zone}/replicas", parents=True)
        admin.ichmod("own", ALICE, f"/{zone}/replicas")
        admin.inherit(f"/{zone}/replicas", True)
    world.client(ALICE).iput(SOURCE, b"data")
    return world


def replicate(world, source, destination, zone="zoneA"):
    return world.call("EUDATReplication", source, destination, "true", "false", "",
                      zone=zone, user=ALICE)[-1]


def test_an_ordinary_users_chain_a_b_c_gets_every_pid_and_link(chain):
    replicate(chain, SOURCE, "/zoneB/replicas/r.txt")
    replicate(chain, "/zoneB/replicas/r.txt", "/zoneC/replicas/r.txt", zone="zoneB")
    (a,), (b,), (c,) = chain.handles("zoneA"), chain.handles("zoneB"), chain.handles("zoneC")
    assert chain.avus(SOURCE)["PID"] == [a]
    assert chain.avus("/zoneB/replicas/r.txt")["PID"] == [b]
    assert chain.avus("/zoneC/replicas/r.txt")["PID"] == [c]
    assert chain.record(a).replicas == (b,)
    assert chain.record(b).replicas == (c,)
    assert (chain.record(b).parent, chain.record(b).ror, chain.record(b).fio) == (a, a, a)
    assert (chain.record(c).parent, chain.record(c).ror) == (b, a)
    for zone in ("zoneA", "zoneB"):
        assert chain.sb.zone(zone).catalog.delay_list() == []  # no retry queued


def test_without_b2safe_re_in_the_destination_the_registration_is_left_for_retry(chain):
    # The defence is the remote EUDATCreatePID: without it nothing mints the replica PID and
    # the failure stays in the fail log.
    (chain.sb.zone("zoneB").config_dir / "b2safe.re").write_text("")
    result = chain.sb.exec_rule("zoneA", "EUDATReplication", [
        SOURCE, "/zoneB/replicas/r.txt", "true", "false", ""], ALICE)
    assert result.code < 0 and "PID of destination" in (result.traceback or "")
    assert chain.handles("zoneB") == []
    assert chain.sb.zone("zoneA").catalog.delay_list() != []


LEGACY_4X = '''
# What a B2SAFE 4.x zone offers: EUDATCreatePID(parent, path, ror, fio, fixed, *newPID) in the
# rule language, minting with its own credentials and writing the PID AVUs (pid-service.re).
EUDATCreatePID(*parent_pid, *path, *ror, *fio, *fixed, *newPID) {
    msiSplitPath(*path, *coll, *name);
    *newPID = "21.T90002/LEGACY-" ++ *name;
    msiString2KeyValPair("PID=*newPID%EUDAT/PARENT=*parent_pid%EUDAT/ROR=*ror", *kvp);
    msiSetKeyValuePairsToObj(*kvp, *path, "-d");
}
'''


@pytest.mark.parametrize("user", [ALICE, "rods#zoneA"])
def test_replication_to_a_zone_running_4x_create_pid(chain, user):
    zone_b = chain.sb.zone("zoneB")
    zone_b.install_core("")  # no b2safe Python rules there: not even EUDATRegisterReplicas
    (zone_b.config_dir / "b2safe.re").write_text(LEGACY_4X)
    if user != ALICE:
        chain.client("rods#zoneB").ichmod("own", user, "/zoneB/replicas")
    chain.call("EUDATReplication", SOURCE, "/zoneB/replicas/r.txt", "true", "false", "",
               user=user)
    (parent,) = chain.handles("zoneA")
    assert chain.avus("/zoneB/replicas/r.txt")["PID"] == ["21.T90002/LEGACY-r.txt"]
    assert chain.avus("/zoneB/replicas/r.txt")["EUDAT/PARENT"] == [parent]
    assert chain.record(parent).replicas == ("21.T90002/LEGACY-r.txt",)
    assert chain.avus(SOURCE)["EUDAT/REPLICA"] == ["21.T90002/LEGACY-r.txt"]


def test_paths_with_rule_language_characters_reach_the_remote_call_intact(chain):
    # nativecalls.literal escapes " \ * $: unescaped, *name would be read as a variable.
    odd = '/zoneA/home/alice/we*ird "$name".txt'
    chain.client(ALICE).iput(odd, b"x")
    replicate(chain, odd, '/zoneB/replicas/we*ird "$name".txt')
    (child,) = chain.avus('/zoneB/replicas/we*ird "$name".txt')["PID"]
    assert chain.record(chain.avus(odd)["PID"][0]).replicas == (child,)


def test_an_admin_refused_py_remote_by_the_partner_registers_through_the_rule_language(chain):
    """A partner that does not give this zone's rodsadmin remote privileges (PREP's py_remote:
    SYS_NO_API_PRIV) is asked as for any user (remoteExec + EUDATCreatePID): registered at once,
    not deferred to a retry that would meet the same refusal."""
    admin = "rods#zoneA"
    chain.client("rods#zoneB").ichmod("own", admin, "/zoneB/replicas")
    chain.sb.faults.fail_next("zoneA", "py_remote", -13000)  # SYS_NO_API_PRIV
    chain.call("EUDATReplication", SOURCE, "/zoneB/replicas/r.txt", "true", "false", "",
               user=admin)
    (parent,), (child,) = chain.handles("zoneA"), chain.handles("zoneB")
    assert chain.avus("/zoneB/replicas/r.txt")["PID"] == [child]
    assert chain.record(parent).replicas == (child,)
    assert not [a for a in chain.avus(SOURCE) if a.startswith("eudat_fail_log")]
