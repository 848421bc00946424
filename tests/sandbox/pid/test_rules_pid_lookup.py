"""Looking PIDs up: EUDATSearchPID, EUDATSearchPIDchecksum, EUDATGeteValPid and
EUDATUpdatePIDWithNewChild, called with PREP's rule_args lists."""

from __future__ import annotations

import base64
import hashlib

import pytest

from b2safe import errors

PATH = "/zoneA/home/alice/data.csv"
CONTENT = b"a,b,c\n1,2,3\n"
SHA = "sha2:" + base64.b64encode(hashlib.sha256(CONTENT).digest()).decode()


@pytest.fixture
def pid(world):
    world.client().iput(PATH, CONTENT)
    return world.call("EUDATCreatePID", "None", PATH, "None", "None", "false", "")[5]


def put_count(world, zone="zoneA"):
    return world.sb.handle_server(zone).stats["PUT"]


# --- EUDATSearchPID -------------------------------------------------------------------------------


def test_search_finds_the_pid_avu_without_a_handle_request(world, pid):
    server = world.sb.handle_server("zoneA")
    server.stats.reset()
    assert world.call("EUDATSearchPID", PATH, "") == [PATH, pid]
    assert server.stats.total == 0


def test_search_falls_back_to_reverse_lookup(world, pid):
    world.client("rods#zoneA").imeta("rm", "-d", PATH, "PID", pid)  # users may not (guard)
    assert world.call("EUDATSearchPID", PATH, "")[1] == pid
    assert "PID" not in world.avus(PATH)  # a search does not write


def test_search_reverse_lookup_with_special_characters(world):
    path = "/zoneA/home/alice/50% #1 & it's.txt"
    world.client().iput(path, b"x")
    pid = world.call("EUDATCreatePID", "None", path, "None", "None", "false", "")[5]
    world.client("rods#zoneA").imeta("rm", "-d", path, "PID", pid)
    assert world.call("EUDATSearchPID", path, "")[1] == pid


def test_search_gives_empty_when_there_is_no_pid(world):
    world.client().iput(PATH, CONTENT)
    assert world.call("EUDATSearchPID", PATH, "")[1] == "empty"
    assert world.call("EUDATSearchPID", "/zoneA/home/alice/missing", "")[1] == "empty"
    assert world.handles() == []


@pytest.mark.parametrize("path,code", [
    ("data.csv", errors.USER_INPUT_PATH_ERR),
    ("", errors.USER_INPUT_PATH_ERR),
    ("/zoneA/home//alice", errors.USER_INPUT_PATH_ERR),
    ("/zoneB/home/alice/data.csv", errors.SYS_INVALID_ZONE_NAME),
    ("/nowhere/x", errors.SYS_INVALID_ZONE_NAME),
])
def test_search_bad_paths(world, path, code):
    assert world.fails("EUDATSearchPID", path, "").code == code


# --- EUDATSearchPIDchecksum -----------------------------------------------------------------------


def test_search_by_checksum_works(world, pid):
    copy = "/zoneA/home/alice/copy.csv"
    world.client().iput(copy, CONTENT)  # same content, no PID
    args = world.call("EUDATSearchPIDchecksum", copy, "", "")
    assert args == [copy, pid, "irods://zonea.sandbox:1247" + PATH]


def test_search_by_checksum_finds_nothing(world):
    world.client().iput(PATH, CONTENT)
    assert world.call("EUDATSearchPIDchecksum", PATH, "", "")[1:] == ["empty", "None"]
    assert world.handles() == []


@pytest.mark.parametrize("path,code", [
    ("rel", errors.USER_INPUT_PATH_ERR),
    ("/zoneA/home/alice/missing", errors.USER_FILE_DOES_NOT_EXIST),
    ("/zoneA/home/alice", errors.SYS_INVALID_INPUT_PARAM),
    ("/zoneC/home/alice/x", errors.SYS_INVALID_ZONE_NAME),
])
def test_search_by_checksum_bad_input(world, path, code):
    assert world.fails("EUDATSearchPIDchecksum", path, "", "").code == code


# --- EUDATGeteValPid ------------------------------------------------------------------------------


def test_get_value(world, pid):
    assert world.call("EUDATGeteValPid", pid, "URL", "")[2] == "irods://zonea.sandbox:1247" + PATH
    assert world.call("EUDATGeteValPid", pid, "EUDAT/CHECKSUM", "")[2] == SHA
    assert world.call("EUDATGeteValPid", pid, "EUDAT/FIXED_CONTENT", "")[2] == "False"
    assert world.call("EUDATGeteValPid", pid, "EUDAT/ROR", "")[2] == "None"
    assert world.call("EUDATGeteValPid", pid.lower(), "EUDAT/REPLICA", "")[2] == "None"
    # 4.x (epicclient2 read): an absent record reads as "None", like an absent type.
    assert world.call("EUDATGeteValPid", "21.T90001/DOES-NOT-EXIST", "URL", "")[2] == "None"


@pytest.mark.parametrize("value,key,code", [
    ("", "URL", errors.SYS_INVALID_INPUT_PARAM),
    ("None", "URL", errors.SYS_INVALID_INPUT_PARAM),
    ("no-slash", "URL", errors.SYS_INVALID_INPUT_PARAM),
    ("21.T90001/has space", "URL", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", "", errors.SYS_INVALID_INPUT_PARAM),
])
def test_get_value_bad_input(world, pid, value, key, code):
    assert world.fails("EUDATGeteValPid", value.format(pid=pid), key, "").code == code


# --- EUDATUpdatePIDWithNewChild -------------------------------------------------------------------


def test_new_child_is_added_once_in_any_case(world, pid):
    child = "21.T90002/CHILD-1"
    assert world.call("EUDATUpdatePIDWithNewChild", pid, child) == [pid, child]
    assert world.record(pid).replicas == (child,)
    puts = put_count(world)
    args = world.call("EUDATUpdatePIDWithNewChild", pid, child.lower(), "")
    assert args == [pid, child.lower(), child]
    assert world.call("EUDATUpdatePIDWithNewChild", pid.lower(), child.upper(), "")[2] == child
    assert put_count(world) == puts  # nothing written again
    second = "21.T90003/child-2"
    assert world.call("EUDATUpdatePIDWithNewChild", pid, second, "")[2] == f"{child},{second}"
    assert world.call("EUDATGeteValPid", pid, "EUDAT/REPLICA", "")[2] == f"{child},{second}"


@pytest.mark.parametrize("parent,child,code", [
    ("", "21.T90002/C", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", "", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", "not a pid", errors.SYS_INVALID_INPUT_PARAM),
    ("21.T90001/MISSING", "21.T90002/C", errors.USER_FILE_DOES_NOT_EXIST),
])
def test_new_child_bad_input(world, pid, parent, child, code):
    err = world.fails("EUDATUpdatePIDWithNewChild", parent.format(pid=pid), child, "")
    assert err.code == code
    assert world.record(pid).replicas == ()
