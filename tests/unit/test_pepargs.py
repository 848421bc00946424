"""Typed PEP arguments (prep/pepargs.py): PREP's positional arguments become one value per PEP
family at the boundary; odd or missing fields give '' / None, never an exception, except where
a protective PEP must see the problem."""

from __future__ import annotations

from types import SimpleNamespace

from b2safe.prep import pepargs


class BytesBuf:
    """PREP's BytesBuf: ``len`` and ``get_bytes()``."""

    def __init__(self, data: bytes) -> None:
        self.buf, self.len = data, len(data)

    def get_bytes(self) -> bytes:
        return self.buf


def api(*inputs):
    return ["instance", "plugin context", *inputs]


def test_data_object_paths_of_api_inputs():
    assert pepargs.ObjPathArgs.from_prep(api(SimpleNamespace(objPath="/z/a")), None).path == "/z/a"
    assert pepargs.ObjPathArgs.from_prep(api(), None).path == ""
    assert pepargs.CollPathArgs.from_prep(api(SimpleNamespace(collName="/z/c")), None).path == \
        "/z/c"
    copy = SimpleNamespace(destDataObjInp=SimpleNamespace(objPath="/z/b"))
    assert pepargs.CopyArgs.from_prep(api(copy), None).destination == "/z/b"
    rsync = SimpleNamespace(condInput={"rsyncMode": "IRODS_TO_IRODS", "rsyncDestPath": "/z/d"})
    assert pepargs.RsyncArgs.from_prep(api(rsync), None) == \
        pepargs.RsyncArgs("IRODS_TO_IRODS", "/z/d")


def test_static_peps_read_the_data_object_of_rei():
    rei = SimpleNamespace(doi=SimpleNamespace(objPath="/z/a", replNum="1"))
    assert pepargs.DataObjectArgs.from_prep([], rei) == pepargs.DataObjectArgs("/z/a", 1)
    assert pepargs.DataObjectArgs.from_prep([], SimpleNamespace()) == \
        pepargs.DataObjectArgs("", None)


def test_json_inputs():
    close = pepargs.ReplicaCloseArgs.from_prep(api(BytesBuf(b'{"fd": 3}\0')), None)
    assert close == pepargs.ReplicaCloseArgs(3, True)
    assert pepargs.ReplicaCloseArgs.from_prep(
        api(BytesBuf(b'{"fd": true, "update_status": false}')), None) == \
        pepargs.ReplicaCloseArgs(None, False)
    assert pepargs.ReplicaCloseArgs.from_prep(api(BytesBuf(b"not json")), None).fd is None
    touch = BytesBuf(b'{"logical_path": "/z/t"}')
    assert pepargs.TouchArgs.from_prep(api(touch), None).path == "/z/t"


def test_rename_takes_the_first_two_arguments():
    assert pepargs.RenameArgs.from_prep(["/z/a", "/z/b", "x"], None) == \
        pepargs.RenameArgs("/z/a", "/z/b")
    assert pepargs.RenameArgs.from_prep(["/z/a"], None) == pepargs.RenameArgs("", "")


def test_metadata_requests_say_why_they_cannot_be_read():
    """Shapes PREP really passes: the server's serialization of ModAVUMetadataInp (a dict,
    irods_re_serialization.cpp serialize_modAVUMetaInp_ptr) and a BytesBuf for the atomic
    API (rodsDef.cpp); anything else is a problem (the guard refuses)."""
    mod = pepargs.ModAvuArgs.from_prep(api({"arg0": "add", "arg1": "-d", "arg2": "/z/a"}), None)
    assert (mod.operation, mod.args[:2], mod.problem) == ("add", ("-d", "/z/a"), "")
    assert pepargs.ModAvuArgs.from_prep(api(), None).problem
    assert pepargs.ModAvuArgs.from_prep(api({"modAVUMetaInp_ptr": "nullptr"}), None).problem
    assert pepargs.ModAvuArgs.from_prep(api(SimpleNamespace(arg0="add")), None).problem
    atomic = pepargs.AtomicMetadataArgs.from_prep(
        api(BytesBuf(b'{"entity_name": "/z/a", "operations": []}\0junk')), None)
    assert atomic.request == {"entity_name": "/z/a", "operations": []} and not atomic.problem
    for odd in (BytesBuf(b"\xff"), BytesBuf(b"[]"), BytesBuf(b'{"operations": [1]}'),
                {"buf": b'{"operations": []}'}, BytesBuf(b" " * (64 * 1024 + 1))):
        assert pepargs.AtomicMetadataArgs.from_prep(api(odd), None).problem, odd
    assert pepargs.AtomicMetadataArgs.from_prep(api(), None).problem
