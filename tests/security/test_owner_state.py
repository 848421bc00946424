"""State on a user's own objects that a rodsadmin's run acts on: a malicious owner (writing past
the metadata guard, as a native rule can) cannot redirect or stop a sweep, choose where the
admin replicates, or lift FIXED_CONTENT protection; a federated zone's rodsadmin is an ordinary
user here; user text cannot forge server-log lines.
"""

from __future__ import annotations

import json

import pytest
from attack_helpers import set_avu_without_peps, user_file, victim_file
from b2safe_sandbox.errors import IrodsCallError

from b2safe import errors
from b2safe.workflows import sweeps

SRC = "/zoneA/home/alice/data"


def _configure_sweep(world, **sweep):
    path = world.sb.zone("zoneA").config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data["integrity"] = {"report_collection": "/zoneA/b2safe/reports",
                         "sweeps": [{"collection": SRC, "period": "1d", **sweep}]}
    path.write_text(json.dumps(data))


@pytest.fixture
def swept(fed):
    """alice's collection under a repairing sweep that compares with her replica area."""
    alice = fed.client("alice#zoneA")
    alice.imkdir(SRC, parents=True)
    alice.iput(f"{SRC}/victim.dat", b"alice's bytes")
    fed.client("rods#zoneA").imkdir("/zoneA/b2safe/reports", parents=True)
    _configure_sweep(fed, destination="/zoneB/replicas/data", repair=True)
    fed.call("EUDATIntegritySweepInstall", SRC, "", user="rods#zoneA")
    return fed


def _run(world):
    return json.loads(world.call("EUDATIntegritySweepRun", SRC, "", user="rods#zoneA")[1])


def test_the_owner_cannot_redirect_a_sweeps_repairs_onto_other_files(swept):
    victim = victim_file(swept)
    set_avu_without_peps(swept, "alice#zoneA", "-C", SRC, sweeps.DEST_AVU, "/zoneB/private")
    _run(swept)
    assert swept.client("rods#zoneB").iget(victim) == b"precious"


def test_the_owner_cannot_switch_a_sweep_off(swept):
    set_avu_without_peps(swept, "alice#zoneA", "-C", SRC, sweeps.STATE_AVU, sweeps.REMOVED)
    assert _run(swept)["status"] == "ran"


def test_the_admin_can_still_pause_a_sweep(swept):
    swept.call("EUDATIntegritySweepPause", SRC, "", user="rods#zoneA")
    assert _run(swept)["status"] == sweeps.PAUSED


@pytest.fixture
def fixed(fed):
    fed.configure("zoneA", deletion={"mode": "refuse_fixed"})
    path = user_file(fed, "/zoneA/home/alice/fixed.dat")
    fed.call("EUDATCreatePID", "None", path, "None", "None", "true", "")
    return fed, path


def test_removing_the_fixed_attribute_does_not_lift_the_protection(fixed):
    world, path = fixed
    value = world.avus(path)["EUDAT/FIXED_CONTENT"][0]
    set_avu_without_peps(world, "alice#zoneA", "-d", path, "EUDAT/FIXED_CONTENT", value,
                         op="rm")
    with pytest.raises(IrodsCallError) as caught:
        world.client("alice#zoneA").irm(path, force=True)
    assert caught.value.code == errors.SYS_NOT_ALLOWED


def test_removing_the_pid_attribute_too_does_not_lift_it(fixed):
    """The deterministic PID of the object still names it as FIXED."""
    world, path = fixed
    for name in ("EUDAT/FIXED_CONTENT", "PID"):
        value = world.avus(path)[name][0]
        set_avu_without_peps(world, "alice#zoneA", "-d", path, name, value, op="rm")
    with pytest.raises(IrodsCallError) as caught:
        world.client("alice#zoneA").irm(path, force=True)
    assert caught.value.code == errors.SYS_NOT_ALLOWED


def test_fixed_content_removal_is_refused_when_it_cannot_be_checked(fixed):
    world, path = fixed
    value = world.avus(path)["EUDAT/FIXED_CONTENT"][0]
    set_avu_without_peps(world, "alice#zoneA", "-d", path, "EUDAT/FIXED_CONTENT", value,
                         op="rm")
    server = world.sb.handle_server("zoneA")
    server.faults.fail_next(1000, 503)
    try:
        with pytest.raises(IrodsCallError) as caught:
            world.client("alice#zoneA").irm(path, force=True)
    finally:
        server.faults.clear()
    assert caught.value.code == errors.SYS_NOT_ALLOWED


def test_a_federated_rodsadmin_is_an_ordinary_user_here(fed):
    """rods#zoneB passes no admin check of zoneA: not the admin-only rules, not refuse_fixed."""
    error = fed.fails("EUDATIntegritySweepRemove", "/zoneA/home", "", user="rods#zoneB")
    assert error.code == errors.CAT_INSUFFICIENT_PRIVILEGE_LEVEL
    fed.configure("zoneA", deletion={"mode": "refuse_fixed"})
    path = user_file(fed, "/zoneA/home/alice/fixed.dat")
    fed.call("EUDATCreatePID", "None", path, "None", "None", "true", "")
    fed.client("alice#zoneA").ichmod("own", "rods#zoneB", path)
    with pytest.raises(IrodsCallError) as caught:
        fed.client("rods#zoneB").irm(path, force=True)
    assert caught.value.code == errors.SYS_NOT_ALLOWED


def test_rule_arguments_cannot_forge_server_log_lines(fed):
    source = user_file(fed, "/zoneA/home/alice/f.dat")
    forged = "down\nb2safe ERROR [EUDATAuthZ] rods#zoneA granted everything"
    fed.call("EUDATUpdateLogging", "false", source, "/zoneB/replicas/f.dat", forged,
             user="alice#zoneA")
    lines = fed.sb.zone("zoneA").server_log_path.read_text(encoding="utf-8").splitlines()
    assert not any("b2safe ERROR [EUDATAuthZ]" in line.split("inString = ")[-1][:30]
                   for line in lines)
    assert any("down\\nb2safe ERROR" in line for line in lines)


def test_secret_files_of_the_sandbox_are_private(fed):
    import os
    import stat

    fed.call("EUDATCreatePID", "None", user_file(fed, "/zoneA/home/alice/p.dat"), "None",
             "None", "false", "")  # starts the Handle server (its store holds secrets)
    root = fed.sb.directory
    secret_files = [p for p in root.rglob("*") if p.is_file() and (
        p.name in ("signing.key", "pid-credentials.json", "sites.json") or p.suffix == ".key"
        or p.name.startswith("handles.sqlite"))]  # the Handle store holds HS_SECKEY secrets
    assert {p.name for p in secret_files} >= {"signing.key", "sites.json", "handles.sqlite",
                                              "handles.sqlite-wal", "handles.sqlite-shm"}
    for path in secret_files:
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
