"""Upload routes (b2safe_sandbox.routes): the PEPs each fires, in order, with their arguments.

Sources per route are in the routes module's docstring; the sequence comments below name the
lines that decide each step. The same sequences hold for 4.3 and 5.0 (see routes).
"""

from __future__ import annotations

import json

import pytest
from b2safe_sandbox import routes
from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM
from rt_helpers import api_and_static

HOME = "/zoneA/home/alice"
DATA = b"0123456789" * 3

RECORDING_CORE = '''
import json

def _log(callback, text):
    callback.writeLine("serverLog", text)

def pep_api_replica_close_pre(rule_args, callback, rei):
    data = json.loads(bytes(rule_args[2].get_bytes()).rstrip(b"\\0").decode())
    info = json.loads(callback.msi_get_file_descriptor_info(data["fd"], "")["arguments"][1])
    _log(callback, "CLOSE " + json.dumps(data, sort_keys=True) + " " +
         info["data_object_info"]["object_path"] + " open_type=" + str(info["open_type"]) +
         " flags=" + str(info["data_object_input"]["open_flags"]) +
         " written=" + str(info["bytes_written"]) + " token=" + str(bool(info["replica_token"])))

def pep_api_touch_post(rule_args, callback, rei):
    _log(callback, "TOUCH " + bytes(rule_args[2].get_bytes()).rstrip(b"\\0").decode())

def acBulkPutPostProcPolicy(rule_args, callback, rei):
    callback.msiSetBulkPutPostProcPolicy("on")

def acPostProcForPut(rule_args, callback, rei):
    _log(callback, "PUT " + str(rei.doi.objPath))

def acPostProcForFilePathReg(rule_args, callback, rei):
    _log(callback, "REG " + str(rei.doi.objPath))

def pep_api_data_obj_copy_post(rule_args, callback, rei):
    _log(callback, "COPY " + str(rule_args[2].destDataObjInp.objPath))

def pep_api_data_obj_rsync_post(rule_args, callback, rei):
    _log(callback, "RSYNC " + rule_args[2].condInput["rsyncDestPath"])
'''

PUT = ["pep_api_data_obj_put_pre", "acSetRescSchemeForCreate", "acSetVaultPathPolicy",
       "pep_resource_modified_post",
       "acPostProcForCreate", "acPostProcForPut", "pep_api_data_obj_put_post",
       "pep_api_data_obj_put_finally"]


#: Opening a new object: hierarchy for CREATE (irods_resource_redirect.cpp L62-105), then the
#: new replica's vault path (rsDataObjOpen.cpp L286, physPath.cpp L262-280).
NEW = ("acSetRescSchemeForCreate", "acSetVaultPathPolicy")


def api(op):
    return [f"pep_api_{op}_pre", f"pep_api_{op}_post", f"pep_api_{op}_finally"]


def around(op, *inside):
    return [f"pep_api_{op}_pre", *inside, f"pep_api_{op}_post", f"pep_api_{op}_finally"]


@pytest.fixture
def rsb(make_sb):
    sb = make_sb(RECORDING_CORE)
    sb.client("alice#zoneA").imkdir(f"{HOME}/src")
    sb.client("alice#zoneA").iput(f"{HOME}/src/s.dat", DATA)
    return sb


def fired(sb, action):
    mark, logged = len(sb.events), len(sb.server_log["zoneA"])
    action(sb.client("alice#zoneA"))
    lines = [x.split("inString = ", 1)[1] for x in sb.server_log["zoneA"][logged:]
             if "inString = " in x]
    return api_and_static(e.name for e in sb.events[mark:]), lines


CASES = {
    # rsDataObjPut.cpp L74-84, L414.
    "iput": (lambda c: routes.iput(c, f"{HOME}/t", DATA), PUT, [f"PUT {HOME}/t"]),
    # rsDataObjPut.cpp L449-520: rcOprComplete (rsDataObjClose) inside, the put post-PEP last.
    "iput-parallel": (
        lambda c: routes.iput_parallel(c, f"{HOME}/t", DATA),
        # miscServerFunct.cpp L173-177: getNumThreads for the portal (acSetNumThreads).
        ["pep_api_data_obj_put_pre", "acSetRescSchemeForCreate", "acSetVaultPathPolicy",
         "acSetNumThreads", "acPostProcForParallelTransferReceived",
         *around("opr_complete", "pep_resource_modified_post", "acPostProcForCreate",
                 "acPostProcForPut"),
         "pep_api_data_obj_put_post", "pep_api_data_obj_put_finally"],
        [f"PUT {HOME}/t"]),
    # rsBulkDataObjPut.cpp L842-852, L930-966: acPostProcForPut per object once "on".
    "iput-bulk": (
        lambda c: routes.iput_bulk(c, [(f"{HOME}/t", DATA), (f"{HOME}/u", DATA)]),
        around("bulk_data_obj_put", "pep_resource_registered_post",
               "pep_resource_registered_post", "acBulkPutPostProcPolicy", "acPostProcForPut",
               "acPostProcForPut"),
        [f"PUT {HOME}/t", f"PUT {HOME}/u"]),
    # rsDataObjClose.cpp L76-104: CREATE_TYPE -> Create, then Put.
    "prc-put": (
        lambda c: routes.open_write_close(c, f"{HOME}/t", DATA),
        [*around("data_obj_open", *NEW), *api("data_obj_write"),
         *around("data_obj_close", "pep_resource_modified_post", "acPostProcForCreate",
                 "acPostProcForPut")],
        [f"PUT {HOME}/t"]),
    "create-write-close": (
        lambda c: routes.open_write_close(c, f"{HOME}/t", DATA, api="data_obj_create"),
        [*around("data_obj_create", *NEW), *api("data_obj_write"),
         *around("data_obj_close", "pep_resource_modified_post", "acPostProcForCreate",
                 "acPostProcForPut")],
        [f"PUT {HOME}/t"]),
    # replica_close.cpp L323-470: no static PEP; file_modified for the finalizing close.
    "http-write": (
        lambda c: routes.replica_stream(c, f"{HOME}/t", DATA),
        [*around("replica_open", *NEW), *api("data_obj_write"),
         *around("replica_close", "pep_resource_modified_post")],
        [f'CLOSE {{"fd": 3}} {HOME}/t open_type=1 flags=577 written=30 token=True']),
    # HTTP API op_parallel_write_shutdown L1586-1613: secondaries (reverse) with all flags
    # false, the first stream last with the defaults.
    "http-parallel-write": (
        lambda c: routes.http_parallel_write(c, f"{HOME}/t", DATA),
        [*around("replica_open", *NEW),
         *around("replica_open", "acPreprocForDataObjOpen"),
         *around("replica_open", "acPreprocForDataObjOpen"),
         *(api("data_obj_lseek") + api("data_obj_write")) * 3,
         *api("replica_close"), *api("replica_close"),
         *around("replica_close", "pep_resource_modified_post")],
        [f'CLOSE {json.dumps({"fd": 5, **routes.ALL_FLAGS_OFF}, sort_keys=True)} {HOME}/t '
         "open_type=3 flags=1 written=10 token=True",
         f'CLOSE {json.dumps({"fd": 4, **routes.ALL_FLAGS_OFF}, sort_keys=True)} {HOME}/t '
         "open_type=3 flags=1 written=10 token=True",
         f'CLOSE {{"fd": 3}} {HOME}/t open_type=1 flags=577 written=10 token=True']),
    # python-irodsclient parallel.py L480-500, L595-605; data_object.py L231-265.
    "prc-parallel-put": (
        lambda c: routes.prc_parallel_put(c, f"{HOME}/t", DATA),
        [*around("data_obj_open", *NEW), *api("get_file_descriptor_info"),
         *(around("data_obj_open", "acPreprocForDataObjOpen") + api("data_obj_lseek") +
           api("data_obj_write") + api("replica_close")) * 2,
         *api("data_obj_write"),
         *around("data_obj_close", "pep_resource_modified_post", "acPostProcForCreate",
                 "acPostProcForPut")],
        [f'CLOSE {json.dumps({"fd": 4, **routes.PRC_AUX_CLOSE}, sort_keys=True)} {HOME}/t '
         "open_type=3 flags=1 written=10 token=True",
         f'CLOSE {json.dumps({"fd": 4, **routes.PRC_AUX_CLOSE}, sort_keys=True)} {HOME}/t '
         "open_type=3 flags=1 written=10 token=True",
         f"PUT {HOME}/t"]),
    # S3 putobject.cpp L160-235, L318-332; completemultipartupload.cpp L440-458: every part
    # after the first finalizes with the default close, the first stream closes last.
    "s3-multipart": (
        lambda c: routes.s3_multipart(c, f"{HOME}/t", DATA),
        [*around("replica_open", *NEW), *api("data_obj_write"),
         *(around("replica_open", "acPreprocForDataObjOpen") + api("data_obj_lseek") +
           api("data_obj_write") + around("replica_close", "pep_resource_modified_post")) * 2,
         *around("replica_close", "pep_resource_modified_post")],
        [f'CLOSE {{"fd": 4}} {HOME}/t open_type=3 flags=2 written=10 token=True',
         f'CLOSE {{"fd": 4}} {HOME}/t open_type=3 flags=2 written=10 token=True',
         f'CLOSE {{"fd": 3}} {HOME}/t open_type=1 flags=577 written=10 token=True']),
    # rsDataObjCopy.cpp L315-325 opens the source, then the destination; rsDataObjClose of
    # the COPY_DEST replica: Create, then Copy; the source's read-only close last (L374-375).
    "icp": (
        lambda c: routes.copy(c, f"{HOME}/src/s.dat", f"{HOME}/t"),
        around("data_obj_copy", "acPreprocForDataObjOpen", "acSetRescSchemeForCreate",
               "acSetVaultPathPolicy", "pep_resource_modified_post", "acPostProcForCreate",
               "acPostProcForCopy", "acPostProcForOpen"),
        [f"COPY {HOME}/t"]),
    # touch.cpp L277-331: the server-side odstream fires no API PEP.
    "touch": (
        lambda c: routes.touch(c, f"{HOME}/t"),
        around("touch", *NEW, "pep_resource_modified_post"),
        [f'TOUCH {{"logical_path": "{HOME}/t", "options": {{}}}}']),
    # register_physical_path.cpp L416-440.
    "ireg": (
        lambda c: routes.register(c, f"{HOME}/t", DATA),
        around("phy_path_reg", "acSetRescSchemeForCreate", "pep_resource_registered_post",
               "acPostProcForFilePathReg"),
        [f"REG {HOME}/t"]),
    # rsyncUtil.cpp L725-730: a missing target is put.
    "irsync": (lambda c: routes.irsync_put(c, f"{HOME}/t", DATA), PUT, [f"PUT {HOME}/t"]),
    # rsDataObjRsync.cpp L334: IRODS_TO_IRODS is a server-side copy.
    "irsync-i2i": (
        lambda c: routes.irsync_copy(c, f"{HOME}/src/s.dat", f"{HOME}/t"),
        around("data_obj_rsync", "acPreprocForDataObjOpen", "acSetRescSchemeForCreate",
               "acSetVaultPathPolicy", "pep_resource_modified_post", "acPostProcForCreate",
               "acPostProcForCopy", "acPostProcForOpen"),
        [f"RSYNC {HOME}/t"]),
    # rsDataObjRename.cpp L197-205, L280-290.
    "imv": (
        lambda c: routes.move(c, f"{HOME}/src/s.dat", f"{HOME}/t"),
        around("data_obj_rename", "acPreProcForObjRename", "acPostProcForObjRename"),
        []),
}


@pytest.mark.parametrize("version", ["4.3", "5.0"])
@pytest.mark.parametrize("route", sorted(CASES))
def test_route_fires_the_servers_peps(make_sb, route, version):
    sb = make_sb(RECORDING_CORE, irods_version=version)
    client = sb.client("alice#zoneA")
    client.imkdir(f"{HOME}/src")
    client.iput(f"{HOME}/src/s.dat", DATA)
    action, expected, logged = CASES[route]
    names, lines = fired(sb, action)
    assert names == expected
    assert lines == logged
    assert client.iget(f"{HOME}/t") == (b"" if route == "touch" else DATA)


def test_rename_peps_get_source_and_destination(rsb):
    routes.move(rsb.client("alice#zoneA"), f"{HOME}/src/s.dat", f"{HOME}/t")
    args = {e.name: e.args for e in rsb.events[-4:]}
    assert args["acPreProcForObjRename"] == [f"{HOME}/src/s.dat", f"{HOME}/t"]
    assert args["acPostProcForObjRename"] == [f"{HOME}/src/s.dat", f"{HOME}/t"]


def test_bulk_put_fires_no_put_pep_by_default(make_sb):
    sb = make_sb("")  # no acBulkPutPostProcPolicy: the server's default policy says "off"
    names, _ = fired(sb, lambda c: routes.iput_bulk(c, [(f"{HOME}/t", DATA)]))
    assert "acPostProcForPut" not in names


def test_file_descriptor_info_needs_an_integer_of_an_open_descriptor(rsb):
    callback = rsb.callback("zoneA", "alice#zoneA")
    for bad in ("3", 99):
        with pytest.raises(RuntimeError) as caught:
            callback.msi_get_file_descriptor_info(bad, "")
        assert str(SYS_INVALID_INPUT_PARAM) in str(caught.value)


def test_file_descriptor_info_json_has_the_servers_keys(rsb):
    seen = {}

    def capture(client):
        stream = routes._Client(client, f"{HOME}/t")
        fd = stream.open(routes.WRITE_NEW, api="replica_open")
        stream.write(fd, DATA)
        seen.update(stream.fd_info(fd))
        stream.replica_close(fd)

    fired(rsb, capture)
    # plugins/api/src/get_file_descriptor_info.cpp@5.0.2 L196-230 (to_json(l1desc)).
    assert {"l3descInx", "in_use", "operation_type", "open_type", "operation_status",
            "data_object_input_replica_flag", "data_object_input", "data_object_info",
            "other_data_object_info", "copies_needed", "bytes_written", "data_size",
            "replica_status", "checksum_flag", "source_l1_descriptor_index", "checksum",
            "remote_l1_descriptor_index", "stage_flag", "purge_cache_flag",
            "lock_file_descriptor", "plugin_data", "replication_data_object_info",
            "remote_zone_host", "in_pdmo", "replica_token"} == set(seen)
    assert seen["data_object_info"]["object_path"] == f"{HOME}/t"
    assert seen["data_object_info"]["replica_status"] == 2  # intermediate while open
    assert seen["open_type"] == 1 and seen["bytes_written"] == len(DATA)
    assert seen["data_object_input"]["open_flags"] == routes.WRITE_NEW
