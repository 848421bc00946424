"""The utility rules kept by their B2SAFE names, called with PREP's rule_args lists."""

from __future__ import annotations

import base64
import hashlib

import pytest

from b2safe import __version__, errors

HOME = "/zoneA/home/alice"
PATH = f"{HOME}/data.csv"
CONTENT = b"a,b,c\n1,2,3\n"
SHA = "sha2:" + base64.b64encode(hashlib.sha256(CONTENT).digest()).decode()


@pytest.fixture
def data(world):
    world.client().iput(PATH, CONTENT)
    return PATH


def catalog(world, zone="zoneA"):
    return world.sb.zone(zone).catalog


# --- AVUs -----------------------------------------------------------------------------------------


def test_create_avu_and_get_last_avu(world, data):
    assert world.call("EUDATgetLastAVU", data, "colour", "")[2] == "None"
    world.call("EUDATCreateAVU", "colour", "blue", data)
    world.call("EUDATCreateAVU", "colour", "it's 100% red", data)  # set: replaces
    assert world.avus(data)["colour"] == ["it's 100% red"]
    assert world.call("EUDATgetLastAVU", data, "colour", "") == [data, "colour", "it's 100% red"]
    world.call("EUDATCreateAVU", "kind", "set", HOME)
    assert world.call("EUDATgetLastAVU", HOME, "kind", "")[2] == "set"


def test_avu_rules_bad_input(world, data):
    for args, code in (
        (("EUDATCreateAVU", "k", "v", "rel/path"), errors.USER_INPUT_PATH_ERR),
        (("EUDATCreateAVU", "k", "v", f"{HOME}/missing"), errors.USER_FILE_DOES_NOT_EXIST),
        (("EUDATCreateAVU", "", "v", data), errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATCreateAVU", "k", "", data), errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATCreateAVU", "bad\nkey", "v", data), errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATgetLastAVU", "rel", "k", ""), errors.USER_INPUT_PATH_ERR),
        (("EUDATgetLastAVU", f"{HOME}/missing", "k", ""), errors.USER_FILE_DOES_NOT_EXIST),
        (("EUDATgetLastAVU", data, "", ""), errors.SYS_INVALID_INPUT_PARAM),
    ):
        assert world.fails(*args).code == code, args
    assert world.avus(data) == {}


def test_create_avu_needs_write_access(world, data):
    world.client().ichmod("read", "rods#zoneA", data)
    err = world.fails("EUDATCreateAVU", "k", "v", data, user="rods#zoneB")
    assert err.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.USER_FILE_DOES_NOT_EXIST)
    assert world.avus(data) == {}


# --- checksums ------------------------------------------------------------------------------------


def test_checksum_get_computes_and_records_the_date(world, data):
    assert catalog(world).data_get(data)[0].checksum == ""
    args = world.call("EUDATiCHECKSUMget", data, "", "")
    modified = str(catalog(world).data_get(data)[0].modify_time)
    assert args == [data, SHA, modified]
    assert catalog(world).data_get(data)[0].checksum == SHA
    assert world.avus(data) == {"eudat_dpm_checksum_date:demoResc": [modified]}


def test_checksum_get_with_resource(world, data):
    args = world.call("EUDATiCHECKSUMget", data, "", "", "demoResc")
    assert args[1] == SHA and args[3] == "demoResc"
    assert list(world.avus(data)) == ["eudat_dpm_checksum_date:demoResc"]


def test_checksum_retrieve_does_not_compute(world, data):
    """4.x (eudat.re 459-482): "" and false before a checksum exists, the checksum and true
    after; the 5-argument form carries 4.x's return value."""
    out = world.call("EUDATiCHECKSUMretrieve", data, "", "", "demoResc", "")
    assert out[1] == "" and out[4] == "false" and out[2].isdigit()
    assert catalog(world).data_get(data)[0].checksum == ""
    assert world.avus(data) == {}
    world.client().ichksum(data)
    out = world.call("EUDATiCHECKSUMretrieve", data, "", "", "demoResc", "")
    assert out[1] == SHA and out[4] == "true"
    assert world.call("EUDATiCHECKSUMretrieve", data, "", "", "demoResc")[1] == SHA


def test_checksum_retrieve_of_what_is_not_there_is_false(world):
    """4.x's query finds no row for a missing path or a collection: "", "" and false."""
    for path in (HOME + "/missing", HOME):
        assert world.call("EUDATiCHECKSUMretrieve", path, "", "", "", "")[1:] == \
            ["", "", "", "false"]


def test_checksum_retrieve_for_others_is_false_and_dates_nothing(world, data):
    """Users who cannot see the object get 4.x's answer for no row ("", "", false); a reader
    gets the checksum but only a writer records when it was first seen."""
    world.sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    world.client().ichksum(data)
    for user in ("bob#zoneA", "alice#zoneB", "rods#zoneB"):
        out = world.call("EUDATiCHECKSUMretrieve", data, "", "", "", "", user=user)
        assert out[1:] == ["", "", "", "false"], user
    world.client().ichmod("read", "bob#zoneA", data)
    assert world.call("EUDATiCHECKSUMretrieve", data, "", "", "", "", user="bob#zoneA")[1] == SHA
    assert world.avus(data) == {}
    world.call("EUDATiCHECKSUMretrieve", data, "", "", "", "")
    assert list(world.avus(data)) == ["eudat_dpm_checksum_date:demoResc"]


def test_checksum_of_a_collection_is_empty(world):
    assert world.call("EUDATiCHECKSUMget", HOME, "", "")[1:] == ["", ""]


def test_checksum_date(world, data):
    world.call("EUDATiCHECKSUMdate", HOME, "data.csv", "demoResc", "1700000123")
    world.call("EUDATiCHECKSUMdate", HOME, "data.csv", "demoResc", "1800000000")  # kept
    assert world.avus(data) == {"eudat_dpm_checksum_date:demoResc": ["1700000123"]}


def test_checksum_rules_bad_input(world, data):
    for args, code in (
        (("EUDATiCHECKSUMget", "rel", "", ""), errors.USER_INPUT_PATH_ERR),
        (("EUDATiCHECKSUMget", f"{HOME}/missing", "", ""), errors.USER_FILE_DOES_NOT_EXIST),
        (("EUDATiCHECKSUMget", data), errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATiCHECKSUMretrieve", "", "", ""), errors.USER_INPUT_PATH_ERR),
        (("EUDATiCHECKSUMdate", HOME, "missing", "demoResc", "1"), errors.USER_FILE_DOES_NOT_EXIST),
        (("EUDATiCHECKSUMdate", HOME, "data.csv", "demoResc", "yesterday"),
         errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATiCHECKSUMdate", "/zoneA/home", "alice", "demoResc", "1"),
         errors.SYS_INVALID_INPUT_PARAM),
        (("EUDATiCHECKSUMdate", "rel", "data.csv", "demoResc", "1"), errors.USER_INPUT_PATH_ERR),
    ):
        assert world.fails(*args).code == code, args
    assert world.avus(data) == {}


# --- times ----------------------------------------------------------------------------------------


def test_object_age_and_time_diff(world, data):
    assert world.call("EUDATgetObjectAge", data, "")[1] == "0"
    world.sb.clock.advance(120)
    assert world.call("EUDATgetObjectAge", data, "")[1] == "120"
    assert world.call("EUDATgetObjectTimeDiff", data, "2", "")[2] == "120"
    assert world.call("EUDATgetObjectTimeDiff", data, "1", "")[2] == "0"
    world.client().iput(data, b"changed", force=True)
    world.sb.clock.advance(30)
    assert world.call("EUDATgetObjectTimeDiff", data, "1", "")[2] == "120"
    assert world.call("EUDATgetObjectTimeDiff", data, "2", "")[2] == "30"
    assert world.call("EUDATgetObjectAge", HOME + "/missing", "")[1] == "-1"
    assert world.call("EUDATgetObjectTimeDiff", HOME + "/missing", "1", "")[2] == "-1"
    for mode in ("3", ""):  # 4.x: -1 for a mode it does not know
        assert world.call("EUDATgetObjectTimeDiff", data, mode, "")[2] == "-1"


def test_time_rules_bad_input(world, data):
    for args, code in (
        (("EUDATgetObjectAge", "rel", ""), errors.USER_INPUT_PATH_ERR),
        (("EUDATgetObjectTimeDiff", "rel", "1", ""), errors.USER_INPUT_PATH_ERR),
    ):
        assert world.fails(*args).code == code, args


# --- paths and zones ------------------------------------------------------------------------------


def test_file_in_path(world, data):
    assert world.call("EUDATfileInPath", data, HOME, "")[2] == "true"
    assert world.call("EUDATfileInPath", data, "/zoneA/home/%", "")[2] == "true"
    assert world.call("EUDATfileInPath", data, "/zoneA/home", "")[2] == "false"
    assert world.call("EUDATfileInPath", HOME + "/missing", HOME, "")[2] == "false"
    assert world.call("EUDATfileInPath", HOME, "/zoneA/home", "")[2] == "false"  # a collection
    assert world.fails("EUDATfileInPath", data, "home", "").code == errors.SYS_INVALID_INPUT_PARAM
    assert world.fails("EUDATfileInPath", "x", HOME, "").code == errors.USER_INPUT_PATH_ERR


def test_obj_exist(world, data):
    """4.x's sentence in ``response`` (eudat.re 148-157); its return value in ``status``."""
    assert world.call("EUDATObjExist", data, "")[1] == f"{data} exists and it is an object"
    assert world.call("EUDATObjExist", data, "", "")[2] == "true"
    assert world.call("EUDATObjExist", HOME, "", "")[2] == "true"
    missing = HOME + "/missing"
    assert world.call("EUDATObjExist", missing, "", "")[1:] == [
        f"{missing} does not exist or it is not readable or it is not an object", "false"]
    world.client("rods#zoneA").iput("/zoneA/home/rods/secret", b"s")
    assert world.call("EUDATObjExist", "/zoneA/home/rods/secret", "", "")[2] == "false"
    assert world.fails("EUDATObjExist", "rel", "").code == errors.USER_INPUT_PATH_ERR


def test_zone_name_from_path(world):
    assert world.call("EUDATGetZoneNameFromPath", "/zoneB/home/x", "")[1] == "zoneB"
    assert world.call("EUDATGetZoneNameFromPath", "/zoneA", "")[1] == "zoneA"
    assert world.fails("EUDATGetZoneNameFromPath", "zoneA/x", "").code == \
        errors.USER_INPUT_PATH_ERR
    assert world.fails("EUDATGetZoneNameFromPath", "", "").code == errors.USER_INPUT_PATH_ERR


def test_zone_host_from_zone_name(world):
    assert world.call("EUDATGetZoneHostFromZoneName", "zoneA", "")[1] == "zonea.sandbox:1247"
    assert world.call("EUDATGetZoneHostFromZoneName", "zoneC", "")[1] == "zonec.sandbox:1247"
    assert world.call("EUDATGetZoneHostFromZoneName", "zoneA", "", zone="zoneB")[1] == \
        "zonea.sandbox:1247"
    assert world.call("EUDATGetZoneHostFromZoneName", "zoneX", "")[1] == ""  # 4.x: unknown
    assert world.fails("EUDATGetZoneHostFromZoneName", "bad'zone", "").code == \
        errors.SYS_INVALID_INPUT_PARAM


def test_local_zone_host_comes_from_the_configuration(world):
    world.configure("zoneA", zone={"server_id": "irods://icat.example.org:1247"})
    assert world.call("EUDATGetZoneHostFromZoneName", "zoneA", "")[1] == \
        "icat.example.org:1247"


# --- booleans and version -------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("true", "true"), ("True", "true"), ("1", "true"), ("yes", "true"),
    ("false", "false"), ("FALSE", "false"), ("None", "false"), ("", "false"),
    # 4.x (eudat.re): only None, "", False/false/FALSE are false
    ("0", "true"), ("no", "true"), ("maybe", "true"), ("fAlse", "true"),
])
def test_to_boolean(world, text, expected):
    assert world.call("EUDATtoBoolean", text, "") == [text, expected]
    assert world.call("EUDATtoBoolean", text) == [expected]  # the 4.x form: over its argument


def test_version(world):
    assert world.call("getB2SAFEVersion", "") == [__version__]
    assert world.call("getB2SAFEVersion", "", user="rods#zoneA") == [__version__]
