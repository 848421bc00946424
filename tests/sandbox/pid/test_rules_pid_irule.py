"""The PID rules called through irule: the command-line form (inputs in irods_rule_vars, outputs
printed), every rules/*.r file with overrides, and the refusal for non-admin users."""

from __future__ import annotations

from pathlib import Path

import pytest

from b2safe import errors

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "rules"
HOME = "/zoneA/home/rods"
PATH = f"{HOME}/file.txt"


@pytest.fixture
def data(world):
    world.client("rods#zoneA").iput(PATH, b"irule data")
    return PATH


def run_file(world, name, *overrides, user="rods#zoneA"):
    return world.client(user).irule_file(RULES / name, overrides)


def test_irule_rule_name_with_rule_vars(world, data):
    out = world.irule_rule("EUDATCreatePID", parent_pid="None", path=data, ror="pid",
                           fio="None", fixed="true")
    assert out.code == 0, out.error
    assert out.stdout.startswith("new_pid = 21.T90001/")
    pid = out.stdout.split(" = ", 1)[1].strip()
    assert world.avus(data)["PID"] == [pid]
    assert world.record(pid).ror == pid

    out = world.irule_rule("EUDATSearchPID", path=data)
    assert out.stdout.strip() == f"pid = {pid}"
    out = world.irule_rule("EUDATGeteValPid", pid=pid, key="EUDAT/FIXED_CONTENT")
    assert out.stdout.strip() == "value = True"
    out = world.irule_rule("getB2SAFEVersion")
    assert out.code == 0 and out.stdout.startswith("version = ")


def test_irule_rule_overloaded_form_by_inputs(world, data):
    world.client("rods#zoneA").imkdir(f"{HOME}/set")
    world.client("rods#zoneA").iput(f"{HOME}/set/a", b"a")
    out = world.irule_rule("EUDATPidsForColl", coll_path=f"{HOME}/set", fixed="false")
    assert out.code == 0, out.error
    assert out.stdout.strip() == "report = created=2 existing=0 failed=0"
    out = world.irule_rule("EUDATiCHECKSUMget", path=data, resource="demoResc")
    assert out.code == 0, out.error
    assert "checksum = sha2:" in out.stdout and "modtime = " in out.stdout


def test_irule_rule_failure_is_reported(world):
    out = world.irule_rule("EUDATCreatePID", parent_pid="None", path="relative", ror="None",
                           fio="None", fixed="false")
    assert out.code < 0
    assert world.handles() == []
    out = world.irule_rule("EUDATCreatePID", path=PATH)  # inputs of no form
    assert out.code < 0


def test_rodsuser_may_not_run_irule(world):
    world.client().iput("/zoneA/home/alice/x", b"x")
    out = world.irule_rule("EUDATCreatePID", user="alice#zoneA", parent_pid="None",
                           path="/zoneA/home/alice/x", ror="None", fio="None", fixed="false")
    assert out.code == errors.SYS_NO_API_PRIV
    out = run_file(world, "create_pid.r", '*path="/zoneA/home/alice/x"', user="alice#zoneA")
    assert out.code == errors.SYS_NO_API_PRIV
    assert world.handles() == []
    # the NREP route: alice calls the rule herself (PREP exec_rule), which works
    pid = world.call("EUDATCreatePID", "None", "/zoneA/home/alice/x", "None", "None", "false",
                     "")[5]
    assert world.avus("/zoneA/home/alice/x")["PID"] == [pid]


PID_FILES = ("create_pid.r", "pids_for_collection.r", "search_pid.r", "remove_pid.r")


def test_rule_files_are_documented(world):
    for path in (RULES / name for name in PID_FILES):
        text = path.read_text(encoding="utf-8")
        assert "irule -r irods_rule_engine_plugin-python-instance -F" in text, path.name
        assert "irods_rule_engine_plugin-irods_rule_language-instance" in text, path.name


def test_rule_files_create_search_remove(world, data):
    out = run_file(world, "create_pid.r", f'*path="{data}"', '*fixed="true"', '*ror="pid"')
    assert out.code == 0, out.error
    pid = out.stdout.strip()
    assert world.avus(data)["PID"] == [pid]
    record = world.record(pid)
    assert record.fixed_content is True and record.ror == pid

    out = run_file(world, "create_pid.r", f'*path="{data}"')
    assert out.stdout.strip() == pid  # idempotent
    assert len(world.handles()) == 1

    out = run_file(world, "search_pid.r", f'*path="{data}"')
    assert out.code == 0, out.error
    lines = out.stdout.splitlines()
    assert lines[0] == f"PID = {pid}"
    assert f"URL = irods://zonea.sandbox:1247{data}" in lines
    assert "EUDAT/PARENT = None" in lines

    out = run_file(world, "remove_pid.r", f'*path="{data}"')
    assert out.code == 0, out.error
    assert world.handles() == []
    assert "PID" not in world.avus(data)
    out = run_file(world, "search_pid.r", f'*path="{data}"')
    assert out.stdout.strip() == "PID = empty"


def test_rule_file_pids_for_collection(world):
    client = world.client("rods#zoneA")
    client.imkdir(f"{HOME}/coll/sub", parents=True)
    for name in ("a", "b", "sub/c"):
        client.iput(f"{HOME}/coll/{name}", name.encode())
    out = run_file(world, "pids_for_collection.r", f'*collection="{HOME}/coll"')
    assert out.code == 0, out.error
    assert out.stdout.strip() == "created=5 existing=0 failed=0"
    out = run_file(world, "pids_for_collection.r", f'*collection="{HOME}/coll"')
    assert out.stdout.strip() == "created=0 existing=5 failed=0"


def test_rule_file_with_bad_input_fails_cleanly(world, data):
    # PREP's exec_rule_text answers RULE_ENGINE_ERROR for any exception; the rule's own code
    # is in the message
    out = run_file(world, "create_pid.r", '*path="/zoneA/home/rods/missing"')
    assert out.code == errors.RULE_ENGINE_ERROR
    assert f"[iRods__Error__Code:{errors.USER_FILE_DOES_NOT_EXIST}]" in out.error
    out = run_file(world, "remove_pid.r", f'*path="{data}"', '*force="sometimes"')
    assert out.code == errors.RULE_ENGINE_ERROR
    assert f"[iRods__Error__Code:{errors.SYS_INVALID_INPUT_PARAM}]" in out.error
    assert world.handles() == []
