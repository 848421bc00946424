"""EUDATCreatePID under the sandbox: record per profile, AVU mirrors, idempotency, bad input."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys

import pytest

from b2safe import errors

PATH = "/zoneA/home/alice/data.csv"
CONTENT = b"a,b,c\n1,2,3\n"
SHA = "sha2:" + base64.b64encode(hashlib.sha256(CONTENT).digest()).decode()
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def data(world):
    world.client().iput(PATH, CONTENT)
    return PATH


def create(world, path, parent="None", ror="None", fio="None", fixed="false", **kw):
    return world.call("EUDATCreatePID", parent, path, ror, fio, fixed, "", **kw)[5]


def test_record_follows_the_profile(world, data):
    pid = create(world, data, ror="pid", fixed="true")
    assert pid.startswith("21.T90001/")
    record = world.record(pid)
    assert record.url == "irods://zonea.sandbox:1247" + PATH
    assert record.checksum == SHA  # whole, padding kept
    assert ISO.match(record.checksum_timestamp)
    assert record.ror == pid
    assert record.fio is None and record.parent is None
    assert record.fixed_content is True
    assert record.profile_version == "1"
    assert record.admin is not None and record.admin.handle == "0.NA/21.T90001"
    assert world.avus(data) == {"PID": [pid], "EUDAT/ROR": [pid],
                                "EUDAT/FIXED_CONTENT": ["True"]}


def test_checksum_is_computed_when_missing(world, data):
    catalog = world.sb.zone("zoneA").catalog
    assert catalog.data_get(data)[0].checksum == ""
    pid = create(world, data)
    assert catalog.data_get(data)[0].checksum == SHA
    assert world.record(pid).checksum == SHA


def test_parent_and_fio_are_recorded(world, data):
    pid = create(world, data, parent="21.T90002/PARENT-1", ror="21.T90003/ROOT", fio="pid")
    record = world.record(pid)
    assert (record.parent, record.ror, record.fio) == ("21.T90002/PARENT-1", "21.T90003/ROOT", pid)
    avus = world.avus(data)
    assert avus["EUDAT/PARENT"] == ["21.T90002/PARENT-1"]
    assert avus["EUDAT/FIO"] == [pid]
    assert avus["EUDAT/FIXED_CONTENT"] == ["False"]


def test_second_call_creates_nothing(world, data):
    first = create(world, data)
    server = world.sb.handle_server("zoneA")
    before = server.stats.snapshot()
    assert create(world, data) == first
    after = server.stats.snapshot()
    assert after.get("PUT", 0) == before.get("PUT", 0)
    assert world.handles() == [first.upper()] or world.handles() == [first]
    assert world.avus(data)["PID"] == [first]


def test_collection_gets_no_checksum(world):
    world.client().imkdir("/zoneA/home/alice/set")
    pid = create(world, "/zoneA/home/alice/set")
    record = world.record(pid)
    assert record.checksum is None and record.checksum_timestamp is None
    assert world.avus("/zoneA/home/alice/set")["PID"] == [pid]


def test_http_api_urls_registered_and_public(world, data):
    world.configure("zoneA", http_api={"enabled": True,
                                       "registered_base": "https://b2safe.example/api/registered",
                                       "public_base": "https://b2safe.example/api/public"})
    pid = create(world, data)
    assert world.record(pid).url == "https://b2safe.example/api/registered" + PATH


def test_special_characters_are_encoded_and_quotes_work(world):
    path = "/zoneA/home/alice/it's 100% #1 & more.txt"
    world.client().iput(path, b"x")
    pid = create(world, path)
    assert world.record(pid).url == \
        "irods://zonea.sandbox:1247/zoneA/home/alice/it's%20100%25%20%231%20&%20more.txt"
    assert world.avus(path)["PID"] == [pid]
    assert create(world, path) == pid  # found again through the quote-safe query


def test_rodsuser_without_write_access_is_refused(world, data):
    world.client("alice#zoneA").ichmod("read", "rods#zoneA", data)
    err = world.fails("EUDATCreatePID", "None", data, "None", "None", "false", "",
                      user="alice#zoneB")
    assert err.code in (errors.USER_FILE_DOES_NOT_EXIST, errors.CAT_NO_ACCESS_PERMISSION)
    assert world.handles() == []


@pytest.mark.parametrize(
    "path,parent,code",
    [
        ("relative/path", "None", errors.USER_INPUT_PATH_ERR),
        ("/zoneA/home/alice/", "None", errors.USER_INPUT_PATH_ERR),
        ("/zoneA/home/alice/../rods", "None", errors.USER_INPUT_PATH_ERR),
        ("/noSuchZone/home/x", "None", errors.SYS_INVALID_ZONE_NAME),
        ("/zoneB/home/alice/x", "None", errors.SYS_INVALID_ZONE_NAME),
        ("/zoneA/home/alice/missing.txt", "None", errors.USER_FILE_DOES_NOT_EXIST),
        ("", "None", errors.USER_INPUT_PATH_ERR),
        (PATH, "not-a-pid", errors.SYS_INVALID_INPUT_PARAM),
        (PATH, "21.T1/has space", errors.SYS_INVALID_INPUT_PARAM),
    ],
)
def test_bad_input_creates_nothing(world, data, path, parent, code):
    err = world.fails("EUDATCreatePID", parent, path, "None", "None", "false", "")
    assert err.code == code
    assert "EUDATCreatePID" in err.text
    assert world.handles() == []
    assert "PID" not in world.avus(data)


def test_bad_boolean_is_refused(world, data):
    err = world.fails("EUDATCreatePID", "None", data, "None", "None", "maybe", "")
    assert err.code == errors.SYS_INVALID_INPUT_PARAM
    assert "fixed" in err.text
    assert world.handles() == []


def test_pid_service_down_fails_cleanly_and_retry_succeeds(world, data):
    server = world.sb.handle_server("zoneA")
    server.faults.fail_next(10, 503)
    err = world.fails("EUDATCreatePID", "None", data, "None", "None", "false", "")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR
    assert "PID" not in world.avus(data)
    server.faults.clear() if hasattr(server.faults, "clear") else None
    pid = create(world, data)
    assert world.avus(data)["PID"] == [pid]
    assert len(world.handles()) == 1


RACE = r"""
import sys
from b2safe_sandbox.sandbox import Sandbox
sb = Sandbox.open(sys.argv[1])
r = sb.exec_rule("zoneA", "EUDATCreatePID", ["None", sys.argv[2], "None", "None", "true", ""],
                 "alice#zoneA")
print(r.code, r.rule_args[5])
sb.close()
"""


def test_concurrent_agents_converge_on_one_pid(world, data):
    """Two agent processes create the PID of the same path at the same time."""
    procs = [subprocess.Popen([sys.executable, "-c", RACE, str(world.sb.directory), data],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    results = [out.split() for out, _ in outputs]
    assert all(r[0] == "0" for r in results), outputs
    assert results[0][1] == results[1][1]
    assert world.avus(data)["PID"] == [results[0][1]]
    assert len(world.handles()) == 1
