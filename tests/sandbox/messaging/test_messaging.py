"""B2SAFE 4.x's messaging rules against the sandbox ARGO endpoint (b2safe_sandbox.argo_server):
EUDATMessage and EUDATPush*Metadata publish when messaging is on, and behave as 4.x with it off;
EUDATQueue keeps 4.x's form over the catalog fail log."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from b2safe_sandbox.argo_server import ArgoServer

from b2safe import errors

PATH = "/zoneA/home/alice/f.txt"


@pytest.fixture
def argo():
    server = ArgoServer(key="s3cret-token")
    server.add_topic("B2SAFE")
    server.add_topic("events")
    yield server
    server.close()


def enable(world, argo, tmp_path, key=None, mode=0o600):
    creds = tmp_path / "argo.json"
    creds.write_text(json.dumps({"endpoint": argo.endpoint, "key": key or argo.key}))
    os.chmod(creds, mode)
    world.configure("zoneA", messaging={"enabled": True, "credentials_file": str(creds)})


def native(world, body, user="alice#zoneA"):
    result = world.client(user).irule_native("t {\n" + body + "\n}\nINPUT null\n"
                                             "OUTPUT ruleExecOut\n")
    assert result.code == 0, result.error
    return result.stdout.splitlines()


def test_off_nothing_is_sent_and_none_returned(world, argo):
    assert world.call("EUDATMessage", "events", "hello", "") == ["events", "hello", "None"]
    assert world.call("EUDATMessage", "events", "hello") == ["events", "None"]  # 4.x form
    assert native(world, 'writeLine("stdout", EUDATMessage("events", "hello"));') == ["None"]
    assert argo.messages("events") == [] and argo.requests == []


def test_on_publishes_to_the_topic_from_python_and_native(world, argo, tmp_path):
    enable(world, argo, tmp_path)
    assert world.call("EUDATMessage", "events", "héllo", "")[2] == "None"
    assert native(world, 'writeLine("stdout", EUDATMessage("events", "second"));') == ["None"]
    assert argo.messages("events") == ["héllo", "second"]
    assert ("POST", f"/v1/projects/{argo.project}/topics/events:publish", 200) in argo.requests


def test_queue_none_creates_a_topic_and_notifies_the_control_topic(world, argo, tmp_path):
    """4.x: topic = md5 of the message, subscription <topic>_NOTIFY, message to B2SAFE."""
    enable(world, argo, tmp_path)
    topic = hashlib.md5(b"new data").hexdigest()  # noqa: S324
    assert world.call("EUDATMessage", "None", "new data", "")[2] == topic
    assert topic in argo.topics()
    assert argo.subscriptions() == {f"{topic}_NOTIFY": topic}
    assert argo.messages("B2SAFE") == ["new data"]
    # again: the topic and subscription exist (409), the message is sent again
    assert world.call("EUDATMessage", "None", "new data", "")[2] == topic
    assert argo.messages("B2SAFE") == ["new data", "new data"]


def test_push_metadata_rules_publish_4x_messages(world, argo, tmp_path):
    enable(world, argo, tmp_path)
    client = world.client()
    client.iput(PATH, b"hello")
    client.imeta("add", "-d", PATH, "colour", "blue")
    native(world, f'EUDATPushObjMetadata("{PATH}", "events");')
    native(world, 'EUDATPushCollMetadata("/zoneA/home/alice", "events");')
    obj, coll = argo.messages("events")
    assert obj.startswith("{ /zoneA/home/alice:{ objects: [f.txt=:=resource=:=")
    assert "f.txt=:=owner=:=alice" in obj and "f.txt=:=colour=:=blue" in obj
    assert coll == "{ /zoneA/home/alice:{ owner:alice, objects: [] } }"


def test_refusals_name_the_host_never_the_key(world, argo, tmp_path):
    enable(world, argo, tmp_path, key="wrong-token")
    err = world.fails("EUDATMessage", "events", "x", "")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR
    assert "HTTP 401" in err.text and "check the key" in err.text
    assert "wrong-token" not in err.text
    enable(world, argo, tmp_path)
    err = world.fails("EUDATMessage", "no-such-topic", "x", "")
    assert "HTTP 404" in err.text
    err = world.fails("EUDATMessage", "bad topic/../x", "x", "")
    assert err.code == errors.SYS_INVALID_INPUT_PARAM
    argo.close()
    err = world.fails("EUDATMessage", "events", "x", "")
    assert err.code == errors.SYS_SOCK_CONNECT_ERR and "could not be reached" in err.text
    assert argo.key not in err.text


def test_credentials_readable_by_others_are_refused(world, argo, tmp_path):
    enable(world, argo, tmp_path, mode=0o644)
    err = world.fails("EUDATMessage", "events", "x", "")
    assert err.code == errors.SYS_CONFIG_FILE_ERR and "chmod 600" in err.text
    assert argo.requests == []


def test_4x_argo_conf_is_read(world, argo, tmp_path):
    conf = tmp_path / "argo.conf"
    conf.write_text(f"[Logging]\nlog_level=INFO\n[Connector]\nkey={argo.key}\n"
                    f"endpoint={argo.endpoint}\n")
    os.chmod(conf, 0o600)
    world.configure("zoneA", messaging={"enabled": True, "credentials_file": str(conf)})
    world.call("EUDATMessage", "events", "from argo.conf", "")
    assert argo.messages("events") == ["from argo.conf"]


def test_queue_push_splits_at_double_colons_only(fed):
    """4.x's records are source::destination::status::cause; a ':' in a path stays in it."""
    path = "/zoneA/home/alice/a:b.dat"
    fed.client().iput(path, b"x")
    record = f"{path}::/zoneB/replicas/a:b.dat::false::copy failed: disk full"
    assert fed.call("EUDATQueue", "push", record, "0")[1] == record
    rows = fed.client("rods#zoneA").iquest(
        "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE "
        "META_DATA_ATTR_NAME like 'eudat_fail_log:%'")
    assert [r[:2] for r in rows] == [["/zoneA/home/alice", "a:b.dat"]]
    assert "/zoneB/replicas/a:b.dat" in rows[0][2]
    assert fed.call("EUDATQueue", "queuesize", "", "0")[1] == "1"
    out = native(fed, f'''
        EUDATQueue("push", "{path}::/zoneB/replicas/c:d.dat::false::x", 0);
        EUDATQueue("queuesize", *size, 0); EUDATQueue("pop", *msgs, 5);
        EUDATQueue("queuesize", *after, 0);
        writeLine("stdout", "*size|*after");
        writeLine("stdout", *msgs);''')
    # 4.x: pop with number > 1 printed a Python list, and EUDATQueue cut its brackets off.
    assert out[0] == "2|0"
    assert sorted(out[1].split(", ")) == [
        f"'{path}::/zoneB/replicas/a:b.dat::false::copy failed: disk full'",
        f"'{path}::/zoneB/replicas/c:d.dat::false::x'"]
    assert fed.client("rods#zoneA").iquest(
        "SELECT META_DATA_ATTR_NAME WHERE META_DATA_ATTR_NAME like 'eudat_fail_log:%'") == []
    assert fed.fails("EUDATQueue", "push", "no-separator", "0").code == \
        errors.SYS_INVALID_INPUT_PARAM


def test_queue_pop_takes_the_oldest_of_the_callers_own_records(fed):
    """4.x (logmanager.py): pop without a number gives one message, "None" when empty; the
    queue of an ordinary user holds only the work that user asked for."""
    for name in ("old", "new"):
        fed.client().iput(f"/zoneA/home/alice/{name}.dat", b"x")
        fed.call("EUDATQueue", "push", f"/zoneA/home/alice/{name}.dat::/zoneB/replicas/"
                 f"{name}.dat::false::c", "0")
        fed.sb.clock.advance(10)
    bob = "bob#zoneA"
    fed.sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    fed.client().ichmod("read", bob, "/zoneA/home/alice/old.dat")  # he sees it, not her work
    assert fed.call("EUDATQueue", "queuesize", "", "0", user=bob)[1] == "0"
    assert fed.call("EUDATQueue", "pop", "", "0", user=bob)[1] == "None"
    assert fed.call("EUDATQueue", "queuesize", "", "0")[1] == "2"
    first = fed.call("EUDATQueue", "pop", "", "1")[1]
    assert first == "/zoneA/home/alice/old.dat::/zoneB/replicas/old.dat::false::c"
    assert fed.call("EUDATQueue", "queuesize", "", "0", user="rods#zoneA")[1] == "1"


MESSAGE_MAP = {"messengers": {"subject": ["alice#zoneA"], "action": ["message"],
                              "target": ["events", "log", "queue"]},
               "others": {"subject": ["*"], "action": ["read", "write", "replicate", "pid",
                                                       "metadata", "integrity"],
                          "target": ["*"]}}


@pytest.mark.parametrize("call", [
    ("EUDATMessage", "events", "hello", ""), ("EUDATLog", "a line", "INFO"),
    ("EUDATQueue", "queuesize", "", "0")])
def test_messaging_rules_follow_the_authorization_map(world, tmp_path, call):
    """The map's ``message`` action: alice is allowed, bob (an ordinary user the map does not
    name for it) is refused, before anything is sent, logged or read."""
    world.sb.zone("zoneA").catalog.add_user("bob", "zoneA", "rodsuser")
    map_file = tmp_path / "authz.map.json"
    map_file.write_text(json.dumps(MESSAGE_MAP))
    world.configure("zoneA", authorization={"enabled": True, "map_file": str(map_file)})
    world.call(*call)
    denied = world.fails(*call, user="bob#zoneA")
    assert denied.code == errors.CAT_NO_ACCESS_PERMISSION, denied.text
    assert native(world, 'EUDATLog("allowed line", "INFO"); writeLine("stdout", "ok");') == ["ok"]
    result = world.client("bob#zoneA").irule_native(
        't {\n*r = errorcode(EUDATMessage("events", "x")); writeLine("stdout", str(*r));\n}\n'
        'INPUT null\nOUTPUT ruleExecOut\n')
    assert result.stdout.splitlines() == [str(errors.CAT_NO_ACCESS_PERMISSION)]
    pushed = world.client("bob#zoneA").irule_native(  # EUDATPush*Metadata send through it
        't {\n*r = errorcode(EUDATPushCollMetadata("/zoneA/home/bob", "events"));\n'
        'writeLine("stdout", str(*r));\n}\nINPUT null\nOUTPUT ruleExecOut\n')
    assert pushed.stdout.splitlines() == [str(errors.CAT_NO_ACCESS_PERMISSION)]


def test_a_missing_map_refuses_messaging(world, tmp_path):
    """Fail closed: authorization on and its map unreadable refuses, it does not allow."""
    world.configure("zoneA", authorization={"enabled": True,
                                            "map_file": str(tmp_path / "none.json")})
    assert world.fails("EUDATLog", "x", "INFO").code == errors.SYS_CONFIG_FILE_ERR
