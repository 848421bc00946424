"""Keeping PID records and catalog AVUs in step: the e*/i* update rules, EUDATePIDremove and the
rename PEP (client imv of objects and collections)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from b2safe import errors

HOME = "/zoneA/home/alice"
PATH = f"{HOME}/data.csv"
CONTENT = b"a,b,c\n1,2,3\n"
SERVER = "irods://zonea.sandbox:1247"
OTHER = "21.T90002/OTHER-1"


def sha(data: bytes) -> str:
    return "sha2:" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def create(world, path, **kw):
    return world.call("EUDATCreatePID", "None", path, "None", "None", "false", "", **kw)[5]


@pytest.fixture
def pid(world):
    world.client().iput(PATH, CONTENT)
    return create(world, PATH)


@pytest.fixture
def tree(world):
    """A collection with a sub-collection and objects, all with PIDs: {path: pid}."""
    client = world.client()
    paths = [f"{HOME}/set", f"{HOME}/set/sub dir", f"{HOME}/set/a.txt",
             f"{HOME}/set/sub dir/it's.txt"]
    client.imkdir(paths[1], parents=True)
    client.iput(paths[2], b"a")
    client.iput(paths[3], b"b")
    world.call("EUDATPidsForColl", paths[0], "false", "")
    return {p: world.avus(p)["PID"][0] for p in paths}


# --- URL ------------------------------------------------------------------------------------------


def test_e_url_update(world, pid):
    url = "https://elsewhere.example/data.csv"
    assert world.call("EUDATeURLupdate", pid, url) == [pid, url]
    assert world.record(pid).url == url


BAD_URL_UPDATES = [
    ("", "https://x.example/a", errors.SYS_INVALID_INPUT_PARAM),
    ("bad", "https://x.example/a", errors.SYS_INVALID_INPUT_PARAM),
    ("21.T90001/MISSING", "https://x.example/a", errors.USER_FILE_DOES_NOT_EXIST),
    ("{pid}", "", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", "has space", errors.SYS_INVALID_INPUT_PARAM),
]


def test_e_url_update_bad_input(world, pid):
    for value, url, code in BAD_URL_UPDATES:
        assert world.fails("EUDATeURLupdate", value.format(pid=pid), url).code == code, value
    assert world.record(pid).url == SERVER + PATH


def test_e_url_update_coll_after_imv(world, tree):
    world.configure("zoneA", pid={"update_url_on_rename": False})
    world.client().imv(f"{HOME}/set", f"{HOME}/moved")
    old = {p: world.record(v).url for p, v in tree.items()}
    assert old[f"{HOME}/set"] == SERVER + f"{HOME}/set"  # the PEP was off
    root_pid = tree[f"{HOME}/set"]
    world.call("EUDATeURLupdateColl", root_pid, SERVER + f"{HOME}/moved")
    for path, value in tree.items():
        new_path = path.replace(f"{HOME}/set", f"{HOME}/moved", 1)
        assert world.record(value).url == SERVER + new_path.replace(" ", "%20")


BAD_COLL_UPDATES = [
    ("{pid}", "https://not.this.zone/zoneA/home/alice/moved", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", SERVER + "/zoneA/home/alice/nowhere", errors.USER_FILE_DOES_NOT_EXIST),
    ("{pid}", "", errors.SYS_INVALID_INPUT_PARAM),
    ("", SERVER + "/zoneA/home/alice/set", errors.SYS_INVALID_INPUT_PARAM),
    ("x y", SERVER + "/zoneA/home/alice/set", errors.SYS_INVALID_INPUT_PARAM),
]


def test_e_url_update_coll_bad_input(world, tree):
    root_pid = tree[f"{HOME}/set"]
    for value, url, code in BAD_COLL_UPDATES:
        err = world.fails("EUDATeURLupdateColl", value.format(pid=root_pid), url)
        assert err.code == code, (value, url)
    assert world.record(root_pid).url == SERVER + f"{HOME}/set"


# --- rename PEP -----------------------------------------------------------------------------------


def test_imv_of_an_object_updates_its_url(world, pid):
    world.client().imv(PATH, f"{HOME}/renamed #1.csv")
    assert world.record(pid).url == SERVER + f"{HOME}/renamed%20%231.csv"
    assert world.avus(f"{HOME}/renamed #1.csv")["PID"] == [pid]


def test_imv_into_a_collection_updates_the_url(world, pid):
    world.client().imkdir(f"{HOME}/folder")
    world.client().imv(PATH, f"{HOME}/folder")
    assert world.record(pid).url == SERVER + f"{HOME}/folder/data.csv"


def test_imv_of_a_collection_updates_every_url_below(world, tree):
    world.client().imv(f"{HOME}/set", f"{HOME}/moved")
    for path, value in tree.items():
        new_path = path.replace(f"{HOME}/set", f"{HOME}/moved", 1)
        assert world.record(value).url == SERVER + new_path.replace(" ", "%20")


def test_rename_updates_nothing_when_switched_off(world, pid, tree):
    world.configure("zoneA", pid={"update_url_on_rename": False})
    server = world.sb.handle_server("zoneA")
    server.stats.reset()
    world.client().imv(PATH, f"{HOME}/renamed.csv")
    world.client().imv(f"{HOME}/set", f"{HOME}/moved")
    assert server.stats.total == 0
    assert world.record(pid).url == SERVER + PATH
    assert world.record(tree[f"{HOME}/set/a.txt"]).url == SERVER + f"{HOME}/set/a.txt"


def test_rename_of_a_path_without_pid_makes_no_request(world):
    world.client().iput(PATH, CONTENT)
    server = world.sb.handle_server("zoneA")
    server.stats.reset()
    world.client().imv(PATH, f"{HOME}/other.csv")
    assert server.stats.total == 0
    assert world.handles() == []


# --- EUDATePIDremove ------------------------------------------------------------------------------


def test_remove_deletes_the_handle_and_the_avus(world):
    world.client().iput(PATH, CONTENT)
    pid = world.call("EUDATCreatePID", "None", PATH, "pid", "pid", "true", "")[5]
    assert set(world.avus(PATH)) == {"PID", "EUDAT/ROR", "EUDAT/FIO", "EUDAT/FIXED_CONTENT"}
    assert world.avus(PATH)["EUDAT/ROR"] == [pid]
    world.call("EUDATePIDremove", PATH, "false")
    assert world.handles() == []
    assert world.avus(PATH) == {}
    # a second call finds nothing to do
    world.call("EUDATePIDremove", PATH, "false")


def test_remove_keeps_a_pid_with_replicas_unless_forced(world, pid):
    world.call("EUDATUpdatePIDWithNewChild", pid, OTHER)
    world.call("EUDATePIDremove", PATH, "false")  # 4.x: "nothing has been deleted", no error
    assert world.handles() == [pid] or world.handles() == [pid.upper()]
    assert world.avus(PATH)["PID"] == [pid]
    world.call("EUDATePIDremove", PATH, "true")
    assert world.handles() == []
    assert "PID" not in world.avus(PATH)


def test_remove_needs_ownership(world, pid):
    world.client().ichmod("write", "rods#zoneA", PATH)
    err = world.fails("EUDATePIDremove", PATH, "true", user="rods#zoneB")
    assert err.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.USER_FILE_DOES_NOT_EXIST)
    assert len(world.handles()) == 1


BAD_REMOVES = [
    ("data.csv", "false", errors.USER_INPUT_PATH_ERR),
    ("/zoneB/home/alice/data.csv", "false", errors.SYS_INVALID_ZONE_NAME),
    ("/zoneA/home/alice/missing", "false", errors.USER_FILE_DOES_NOT_EXIST),
    (PATH, "sometimes", errors.SYS_INVALID_INPUT_PARAM),
]


def test_remove_bad_input(world, pid):
    for path, force, code in BAD_REMOVES:
        assert world.fails("EUDATePIDremove", path, force).code == code, path
    assert len(world.handles()) == 1
    assert world.avus(PATH)["PID"] == [pid]


# --- checksum, ROR, FIO in the record -------------------------------------------------------------


def test_e_checksum_update(world, pid):
    world.client().iput(PATH, b"new content", force=True)
    world.call("EUDATeCHECKSUMupdate", pid, PATH)
    record = world.record(pid)
    assert record.checksum == sha(b"new content")
    assert record.checksum_timestamp


BAD_CHECKSUM_UPDATES = [
    ("{pid}", "/zoneA/home/alice", errors.SYS_INVALID_INPUT_PARAM),
    ("{pid}", "/zoneA/home/alice/missing", errors.USER_FILE_DOES_NOT_EXIST),
    ("{pid}", "relative", errors.USER_INPUT_PATH_ERR),
    ("{pid}", "/zoneB/home/alice/x", errors.SYS_INVALID_ZONE_NAME),
    ("", PATH, errors.SYS_INVALID_INPUT_PARAM),
    ("21.T90001/MISSING", PATH, errors.USER_FILE_DOES_NOT_EXIST),
]


def test_e_checksum_update_bad_input(world, pid):
    for value, path, code in BAD_CHECKSUM_UPDATES:
        err = world.fails("EUDATeCHECKSUMupdate", value.format(pid=pid), path)
        assert err.code == code, (value, path)
    assert world.record(pid).checksum == sha(CONTENT)


def test_e_ror_and_fio_update(world, pid):
    world.call("EUDATeRORupdate", pid, OTHER)
    world.call("EUDATeFIOupdate", pid, "21.T90003/FIO")
    record = world.record(pid)
    assert (record.ror, record.fio) == (OTHER, "21.T90003/FIO")
    world.call("EUDATeRORupdate", pid, "None")
    assert world.record(pid).ror is None
    assert world.call("EUDATGeteValPid", pid, "EUDAT/ROR", "")[2] == "None"


BAD_E_UPDATES = [
    ("", OTHER, errors.SYS_INVALID_INPUT_PARAM),
    ("x", OTHER, errors.SYS_INVALID_INPUT_PARAM),
    ("21.T90001/MISSING", OTHER, errors.USER_FILE_DOES_NOT_EXIST),
    ("{pid}", "not a pid", errors.SYS_INVALID_INPUT_PARAM),
]


def test_e_ror_fio_bad_input(world, pid):
    for rule in ("EUDATeRORupdate", "EUDATeFIOupdate"):
        for value, target, code in BAD_E_UPDATES:
            assert world.fails(rule, value.format(pid=pid), target).code == code, (rule, value)
    record = world.record(pid)
    assert record.ror is None and record.fio is None


# --- AVUs on the path -----------------------------------------------------------------------------


def test_i_fio_update_sets_the_avu(world):
    world.client().iput(PATH, CONTENT)
    world.call("EUDATiFIOupdate", PATH, OTHER)
    assert world.avus(PATH)["EUDAT/FIO"] == [OTHER]
    world.call("EUDATiFIOupdate", PATH, "21.T90002/OTHER-2")  # replaces, no second value
    assert world.avus(PATH)["EUDAT/FIO"] == ["21.T90002/OTHER-2"]
    assert world.handles() == []


def test_i_ror_update_copies_the_records_ror(world):
    """4.x: the AVU gets the record's EUDAT/ROR; a record without one changes nothing."""
    world.client().iput(PATH, CONTENT)
    world.client().iput(PATH + ".2", CONTENT)
    pid = world.call("EUDATCreatePID", "None", PATH + ".2", OTHER, "None", "false", "")[5]
    world.call("EUDATiRORupdate", PATH, pid)
    assert world.avus(PATH)["EUDAT/ROR"] == [OTHER]
    plain = world.call("EUDATCreatePID", "None", PATH, "None", "None", "false", "")[5]
    world.call("EUDATiRORupdate", PATH, plain)
    assert world.avus(PATH)["EUDAT/ROR"] == [OTHER]


def test_i_pid_create_keeps_a_different_pid(world):
    world.client().iput(PATH, CONTENT)
    assert world.call("EUDATiPIDcreate", PATH, OTHER, "")[2] == "true"
    assert world.call("EUDATiPIDcreate", PATH, OTHER, "")[2] == "true"
    assert world.call("EUDATiPIDcreate", PATH, "21.T90002/OTHER-2") == [PATH, "false"]
    assert world.avus(PATH)["PID"] == [OTHER]
    assert world.handles() == []


def test_i_pid_create_makes_the_pid_found(world):
    world.client().iput(PATH, CONTENT)
    world.call("EUDATiPIDcreate", PATH, OTHER)
    assert world.call("EUDATSearchPID", PATH, "")[1] == OTHER
    assert world.call("EUDATCreatePID", "None", PATH, "None", "None", "false", "")[5] == OTHER


BAD_I_UPDATES = [
    ("rel/x", OTHER, errors.USER_INPUT_PATH_ERR),
    ("/zoneB/home/alice/data.csv", OTHER, errors.SYS_INVALID_ZONE_NAME),
    ("/zoneA/home/alice/missing", OTHER, errors.USER_FILE_DOES_NOT_EXIST),
    (PATH, "", errors.SYS_INVALID_INPUT_PARAM),
    (PATH, "None", errors.SYS_INVALID_INPUT_PARAM),
    (PATH, "nope", errors.SYS_INVALID_INPUT_PARAM),
]


def test_i_rules_bad_input(world):
    world.client().iput(PATH, CONTENT)
    for rule in ("EUDATiRORupdate", "EUDATiFIOupdate", "EUDATiPIDcreate"):
        for path, value, code in BAD_I_UPDATES:
            assert world.fails(rule, path, value).code == code, (rule, path, value)
    assert world.avus(PATH) == {}


def test_i_rules_need_write_access(world):
    world.client().iput(PATH, CONTENT)
    world.client().ichmod("read", "rods#zoneA", PATH)
    err = world.fails("EUDATiPIDcreate", PATH, OTHER, user="rods#zoneB")
    assert err.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.USER_FILE_DOES_NOT_EXIST)
    assert world.avus(PATH) == {}
