"""Upload routes: how each real client delivers a data object, as the server sees it.

Each function takes a :class:`~b2safe_sandbox.client.ClientSession` and uploads by one route,
firing the API, static and resource PEPs the iRODS server fires for it, in its order and with its
arguments (docs/policies.md has the table). The sequences are the same for iRODS 4.3.4 and
5.0.2: ``git diff 4.3.4 5.0.2`` of rsDataObjPut/Close/Copy, rsBulkDataObjPut, replica_close,
touch and register_physical_path changes only query escaping and the registration's struct set-up.

Sources (irods/irods @5.0.2 unless named):

* put, single buffer: server/api/src/rsDataObjPut.cpp L74-84 (Create|Open, then Put), L414
  (after the replica is finalized, which triggers file_modified -> pep_resource_modified_post);
  acSetRescSchemeForCreate: server/core/src/irods_resource_redirect.cpp L62-105, L370-395.
* put, parallel: rsDataObjPut.cpp L449-520 waits in sendAndRecvBranchMsg for the client's
  rcOprComplete (whose rsDataObjClose fires the static PEPs) and returns
  SYS_NO_HANDLER_REPLY_MSG, which lib/core/include/irods/apiHandler.hpp L64-69, L227-260 accept:
  the put post-PEP fires *after* the transfer (irods#4404).
* open/create/write/close clients: rsDataObjClose.cpp L76-104 (Create|Open|Repl, then Copy for
  COPY_DEST, else Put for PUT_OPR, a create, or a write open with bytes written), L585-640.
* replica_open/replica_close clients: plugins/api/src/replica_close.cpp L323-470 (never a static
  PEP; only a close with update_status absent or true finalizes; send_notifications decides
  file_modified); lib/core/include/irods/transport/default_transport.hpp L173-195 (close sends
  ``{"fd": N}``, or all five flags when given), transport.hpp L50-57 (their defaults).
* python-irodsclient (v3.x, irods/parallel.py L480-500, L595-605; irods/data_object.py
  L195-265): a parallel put opens the initial stream with O_CREAT, the other streams with the
  replica token, closes those with REPLICA_CLOSE ``{"fd", "send_notification": false,
  "update_size": false, "update_status": false, "compute_checksum": false}`` (sic: the key the
  server reads is send_notifications) and the initial stream last with DATA_OBJ_CLOSE.
* HTTP API (irods_client_http_api endpoints/data_objects/src/main.cpp): op_write L1032-1329 (one
  odstream, default close); op_parallel_write_init L1331-1549 (first stream creates, the others
  join with its replica token); op_parallel_write_shutdown L1586-1613 (secondary streams closed
  in reverse order with all five flags false, the first stream last with the defaults).
* S3 API (irods_client_s3_api endpoints/s3/src/putobject.cpp L160-235, L318-332): PutObject is
  one odstream; UploadPart with a known offset: the first part's stream creates and stays open,
  the other parts join with the replica token and close with the defaults (each finalizes);
  completemultipartupload.cpp L440-458 closes the first stream. CopyObject: copyobject.cpp
  L75-92 -> rcDataObjCopy.
* bulk put: server/api/src/rsBulkDataObjPut.cpp L823-852 (acBulkPutPostProcPolicy; the default
  policy, plugins/rule_engines/src/cpp_default_policy.cpp L675, answers "off"), L930-966
  (acPostProcForPut per object with rei.doi when "on"); rsBulkDataObjReg.cpp L243 (fileRegistered).
* touch: plugins/api/src/touch.cpp L277-331 (a missing object is created through a server-side
  odstream: no API PEP besides touch's own).
* registration: plugins/api/src/register_physical_path.cpp L1269-1335 (hierarchy resolution
  unless a standalone or leaf resource is named with DEST_RESC_NAME_KW, ``ireg -R``), L416-440
  (svrRegDataObj, then acPostProcForFilePathReg with rei.doi).
* rename: server/api/src/rsDataObjRename.cpp L202-290 (acPreProcForObjRename,
  acPostProcForObjRename(src, dst)).
* irsync: lib/core/src/rsyncUtil.cpp L725-730 (a missing target is put), server/api/src/
  rsDataObjRsync.cpp L334 (iRODS to iRODS: a server-side copy).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM, IrodsCallError, SandboxError
from b2safe_sandbox.runtime import dataops, peps, structs
from b2safe_sandbox.runtime import descriptors as L1
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import ExecContext

WRITE_NEW = L1.O_WRONLY | L1.O_CREAT | L1.O_TRUNC
#: What default_transport sends when on_close_success is given with every flag off.
ALL_FLAGS_OFF = {"update_size": False, "update_status": False, "compute_checksum": False,
                 "send_notifications": False, "preserve_replica_state_table": False}
#: python-irodsclient's non-finalizing REPLICA_CLOSE (data_object.py L231-245).
PRC_AUX_CLOSE = {"send_notification": False, "update_size": False, "update_status": False,
                 "compute_checksum": False}


# --- server side ---------------------------------------------------------------------------------


def _catalog(session: Any, zone: str) -> Any:
    return session.sandbox.zone(zone).catalog


def _fire_resource(ctx: ExecContext, zone: str, op: str, path: str, row: Any,
                   extra: tuple = ()) -> None:
    """``pep_resource_<op>_pre``/``_post`` for the replica ``row`` (errors only logged)."""
    peps.resource_op(ctx, zone, op, path, row.resc_name, row.repl_num, extra)


def _open(ctx: ExecContext, zone: str, path: str, flags: int, *, opr_type: int = 0,
          token: str = "", cond: Optional[dict] = None, resc: Optional[str] = None) -> int:
    """rsDataObjOpen / replica_open inside the server: returns the L1 descriptor."""
    cat = ctx.sandbox.zone(zone).catalog
    exists = cat.data_exists(path)
    writing = flags & 3 != L1.O_RDONLY
    entry = {"zone": zone, "path": path, "offset": 0, "write": writing, "written": False,
             "open_flags": flags, "opr_type": opr_type, "bytes_written": 0,
             "cond": dict(cond or {})}
    if token:
        joined = next((e for e in L1.table(ctx.sandbox).values()
                       if e.get("replica_token") == token and e["path"] == path), None)
        if joined is None:
            # Guess: the replica access table refuses an unknown token; the code is a guess.
            raise IrodsCallError(f"no open replica of {path} with that token",
                                 code=SYS_INVALID_INPUT_PARAM)
        peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, joined["repl"])
        peps.resource_op(ctx, zone, "open", path, joined["resc"], joined["repl"])
        entry.update(repl=joined["repl"], resc=joined["resc"],
                     open_type=L1.OPEN_FOR_WRITE_TYPE, replica_token=token)
        return L1.new_fd(ctx.sandbox, entry)
    # rsDataObjOpen.cpp@5.0.2 L760-777: the hierarchy for CREATE (O_CREAT), WRITE or OPEN.
    oper = peps.CREATE if flags & L1.O_CREAT else peps.WRITE if writing else peps.OPEN
    resc = peps.resolve_for(ctx, zone, path, oper, resc,
                            logical=opr_type in (L1.PUT_OPR, L1.COPY_DEST))
    if not exists:
        if not flags & L1.O_CREAT:
            from b2safe_sandbox.errors import USER_FILE_DOES_NOT_EXIST

            raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
        row = cat.data_create(path, ctx.client_user, resc=resc)
        # create_new_replica -> getFilePathName (rsDataObjOpen.cpp@5.0.2 L286; physPath.cpp
        # L262-280): rei.doi is the new replica, no doinp; then l3Create (L489-502).
        peps.vault_path(ctx, zone, path, row.repl_num)
        peps.create_replica_file(ctx, zone, path, row)
        open_type = L1.CREATE_TYPE
    else:
        row = next(r for r in cat.data_get(path) if r.status == L1.GOOD_REPLICA)
        peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, row.repl_num)
        # open_replica (L640-720): l3Open, and only then the catalog's truncation.
        _fire_resource(ctx, zone, "open", path, row)
        if writing and flags & L1.O_TRUNC:
            row = cat.data_create(path, ctx.client_user, resc=resc, force=True)
        if flags & 3 != L1.O_WRONLY:
            dataops.note_read_open(ctx, zone, path, row.repl_num)
        open_type = L1.OPEN_FOR_WRITE_TYPE if writing else L1.OPEN_FOR_READ_TYPE
    entry.update(repl=row.repl_num, resc=row.resc_name, open_type=open_type,
                 replica_token=f"{zone}:{row.data_id}:{row.repl_num}")
    return L1.new_fd(ctx.sandbox, entry)


def _write(ctx: ExecContext, fd: int, data: bytes) -> int:
    """rsDataObjWrite of open descriptor ``fd`` (see :func:`_write_entry`)."""
    return _write_entry(ctx, L1.table(ctx.sandbox)[fd], data)


def _write_entry(ctx: ExecContext, entry: dict, data: bytes, *, notify: bool = True) -> int:
    """rsDataObjWrite (server/api/src/rsDataObjWrite.cpp@5.0.2 L95-135): fileNotify(WRITE)
    (not for a portal stream, which writes with l3Write alone: ``notify`` False), then l3Write
    between the write PEPs; a skipped write writes nothing (0 bytes).

    Raises:
        IrodsCallError: a failing notify or write PEP (nothing written).
    """
    zone, path, resc, repl = entry["zone"], entry["path"], entry["resc"], entry["repl"]
    if notify:
        peps.resource_op(ctx, zone, "notify", path, resc, repl, (peps.WRITE,))

    def write() -> int:
        return int(ctx.sandbox.zone(zone).catalog.data_write(path, entry["offset"], data, repl))

    count = peps.resource_op(ctx, zone, "write", path, resc, repl, (None, len(data)),
                             body=write) or 0
    entry["offset"] += count
    entry["bytes_written"] += count
    entry["written"] = entry["written"] or count > 0
    return count


def _finalize(ctx: ExecContext, entry: dict, notify: bool = True) -> Any:
    """Publish a written replica: its size from the vault (getSizeInVault -> fileStat,
    finalize_utilities.cpp@5.0.2 L166-200: ``pep_resource_stat``), good; file_modified if
    ``notify``."""
    zone, path = entry["zone"], entry["path"]
    peps.stat_replica(ctx, zone, path, entry["resc"], entry["repl"])
    row = ctx.sandbox.zone(zone).catalog.data_finalize(path, entry["repl"])
    if notify:
        _fire_resource(ctx, zone, "modified", path, row)
    return row


def _close(ctx: ExecContext, fd: int) -> Any:
    """rsDataObjClose (rsDataObjClose.cpp@5.0.2 L700-745, L588-635): fileNotify(WRITE) for a
    write open, the physical close, a written replica finalized, then the static PEPs
    (L76-104)."""
    entry = L1.table(ctx.sandbox).pop(fd)
    zone, path, repl = entry["zone"], entry["path"], entry["repl"]
    if entry["write"]:
        peps.resource_op(ctx, zone, "notify", path, entry["resc"], repl, (peps.WRITE,))
    peps.resource_op(ctx, zone, "close", path, entry["resc"], repl)
    row = _finalize(ctx, entry) if entry["write"] else None
    open_type = entry["open_type"]
    if open_type == L1.CREATE_TYPE:
        peps.fire_static(ctx, zone, "acPostProcForCreate", path, repl)
    elif open_type in (L1.OPEN_FOR_READ_TYPE, L1.OPEN_FOR_WRITE_TYPE):
        peps.fire_static(ctx, zone, "acPostProcForOpen", path, repl)
    if entry["opr_type"] == L1.COPY_DEST:
        peps.fire_static(ctx, zone, "acPostProcForCopy", path, repl)
    elif entry["opr_type"] == L1.PUT_OPR or open_type == L1.CREATE_TYPE or (
            open_type == L1.OPEN_FOR_WRITE_TYPE and entry["bytes_written"] > 0):
        peps.fire_static(ctx, zone, "acPostProcForPut", path, repl)
    return row


def _replica_close(ctx: ExecContext, fd: int, flags: dict) -> Any:
    """rs_replica_close (L323-470): finalizes only when update_status is absent or true."""
    entry = L1.table(ctx.sandbox).pop(fd)
    peps.resource_op(ctx, entry["zone"], "close", entry["path"], entry["resc"], entry["repl"])
    if not entry["write"] or not flags.get("update_status", True):
        return None
    return _finalize(ctx, entry, notify=flags.get("send_notifications", True))


# --- client API calls (each between its API PEPs) ------------------------------------------------


class _Client:
    """The API calls one client connection makes, each between its API PEPs."""

    def __init__(self, session: Any, path: str) -> None:
        self.session = session
        self.path = path
        self.zone = session._zone(path)

    def call(self, op: str, args: list, body: Callable[[ExecContext], Any]) -> Any:
        return self.session._api(self.zone, op, args, body)

    def open(self, flags: int, *, api: str = "data_obj_open", opr_type: int = 0,
             token: str = "", size: int = -1) -> int:
        cond = {"replicaToken": token} if token else {}
        inp = structs.data_obj_inp(self.path, cond, openFlags=flags, oprType=opr_type,
                                   dataSize=size, createMode=0o600)
        args = [inp, None] if api == "replica_open" else [inp]
        return self.call(api, args, lambda ctx: _open(ctx, self.zone, self.path, flags,
                                                      opr_type=opr_type, token=token, cond=cond))

    def seek(self, fd: int, offset: int) -> None:
        inp = structs.new(T.OpenedDataObjInp, l1descInx=fd, offset=offset, whence=0)

        def body(ctx: ExecContext) -> None:
            L1.table(ctx.sandbox)[fd]["offset"] = offset

        self.call("data_obj_lseek", [inp, structs.new(T.FileLseekOut)], body)

    def write(self, fd: int, data: bytes) -> None:
        inp = structs.new(T.OpenedDataObjInp, l1descInx=fd, len=len(data))
        self.call("data_obj_write", [inp, structs.bytes_buf(data)],
                  lambda ctx: _write(ctx, fd, data))

    def close(self, fd: int) -> Any:
        inp = structs.new(T.OpenedDataObjInp, l1descInx=fd)
        return self.call("data_obj_close", [inp], lambda ctx: _close(ctx, fd))

    def replica_close(self, fd: int, flags: Optional[dict] = None) -> Any:
        text = json.dumps({"fd": fd, **(flags or {})})
        return self.call("replica_close", [structs.bytes_buf(text.encode())],
                         lambda ctx: _replica_close(ctx, fd, flags or {}))

    def fd_info(self, fd: int) -> dict:
        """GET_FILE_DESCRIPTOR_INFO (python-irodsclient's replica_access_info)."""
        buf = structs.bytes_buf(json.dumps({"fd": fd}).encode())
        return json.loads(self.call("get_file_descriptor_info", [buf, None],
                                    lambda ctx: L1.info_json(ctx.sandbox, fd)))


def _parts(data: bytes, count: int) -> list[tuple[int, bytes]]:
    """``data`` cut into ``count`` (offset, bytes) pieces (the last takes the rest)."""
    size = max(1, -(-len(data) // count)) if data else 0
    pieces = [(i * size, data[i * size:(i + 1) * size]) for i in range(count)]
    return [(offset, piece) for offset, piece in pieces if piece or offset == 0]


def _result(session: Any, path: str) -> Any:
    zone = session._zone(path)
    rows = _catalog(session, zone).data_get(path)
    return next((r for r in rows if r.status == L1.GOOD_REPLICA), rows[0] if rows else None)


# --- routes --------------------------------------------------------------------------------------


def iput(session: Any, path: str, data: bytes, *, force: bool = False,
         resc: Optional[str] = None) -> Any:
    """``iput`` of a file up to the single-buffer limit: one DataObjPut carrying the data."""
    zone = session._zone(path)
    cond = {"dataType": "generic", "dataIncluded": ""}
    if resc:
        cond["destRescName"] = resc
    if force:
        cond["forceFlag"] = ""
    inp = structs.data_obj_inp(path, cond, dataSize=len(data), oprType=L1.PUT_OPR,
                               createMode=0o600, openFlags=L1.O_WRONLY)
    cat = _catalog(session, zone)

    def body(ctx: ExecContext) -> Any:
        existed = cat.data_exists(path)
        # rsDataObjPut.cpp@5.0.2 L620-640: the hierarchy for CREATE (a put is logical: an
        # existing object is resolved for WRITE), then single_buffer_put (L252-414): an
        # rsDataObjOpen with O_CREAT of that hierarchy, one rsDataObjWrite, the close and the
        # finalize (getSizeInVault: fileStat; fileModified), then the static PEPs.
        chosen = peps.resolve_for(ctx, zone, path, peps.CREATE, resc, logical=True)
        # An existing object is opened (acPreprocForDataObjOpen, rsDataObjOpen.cpp L1144; l3Open
        # before the catalog's truncation), a new one created (acSetVaultPathPolicy, L286;
        # l3Create after the registration). Guess: an overwrite without -f is refused after the
        # open's static PEP, as OVERWRITE_WITHOUT_FORCE_FLAG comes from the put.
        good = [r for r in cat.data_get(path) if r.status == L1.GOOD_REPLICA] if existed else []
        if good:
            peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, good[0].repl_num)
            if force:
                _fire_resource(ctx, zone, "open", path, good[0])
        row = cat.data_create(path, session.user, resc=chosen, force=force)
        if not existed:
            peps.vault_path(ctx, zone, path, row.repl_num)
            peps.create_replica_file(ctx, zone, path, row)
        entry = {"zone": zone, "path": path, "repl": row.repl_num, "resc": row.resc_name,
                 "offset": 0, "bytes_written": 0, "written": False}
        try:
            _write_entry(ctx, entry, data)
        except SandboxError:
            # bytes_written < 0: closed without a catalog update, finalized as failed
            # (rsDataObjPut.cpp L352-366): the replica is left stale.
            cat.data_set_status(path, row.repl_num, 0)
            raise
        _fire_resource(ctx, zone, "close", path, row)
        row = _finalize(ctx, entry)
        peps.fire_static(ctx, zone, "acPostProcForOpen" if existed else "acPostProcForCreate",
                         path, row.repl_num)
        peps.fire_static(ctx, zone, "acPostProcForPut", path, row.repl_num)
        return row

    return session._api(zone, "data_obj_put", [inp, structs.bytes_buf(data), None], body)


def iput_parallel(session: Any, path: str, data: bytes, *, force: bool = False,
                  resc: Optional[str] = None, threads: int = 4) -> Any:
    """``iput`` above the single-buffer limit: DataObjPut answers with a portal, the data flows
    through it, the client's rcOprComplete closes the replica; the put's post-PEP comes last."""
    zone = session._zone(path)
    cond = {"dataType": "generic"}
    if resc:
        cond["destRescName"] = resc
    if force:
        cond["forceFlag"] = ""
    inp = structs.data_obj_inp(path, cond, dataSize=len(data), oprType=L1.PUT_OPR,
                               createMode=0o600, openFlags=L1.O_WRONLY, numThreads=threads)
    portal = structs.new(T.PortalOprOut, numThreads=threads)
    client = _Client(session, path)

    def body(ctx: ExecContext) -> Any:
        cat = ctx.sandbox.zone(zone).catalog
        if cat.data_exists(path) and not force:
            from b2safe_sandbox.errors import OVERWRITE_WITHOUT_FORCE_FLAG

            raise IrodsCallError(f"{path} exists", code=OVERWRITE_WITHOUT_FORCE_FLAG)
        fd = _open(ctx, zone, path, WRITE_NEW, opr_type=L1.PUT_OPR, resc=resc)
        # preProcParaPut -> setupSrvPortalForParaOpr (miscServerFunct.cpp@5.0.2 L173-177).
        peps.num_threads(ctx, zone, len(data), threads, L1.PUT_OPR,
                         resc or ctx.sandbox.zone(zone).catalog.default_resource)
        for offset, piece in _parts(data, threads):  # the portal streams (no API calls)
            L1.table(ctx.sandbox)[fd]["offset"] = offset
            _write_entry(ctx, L1.table(ctx.sandbox)[fd], piece, notify=False)
        peps.fire_static(ctx, zone, "acPostProcForParallelTransferReceived", path)
        client.call("opr_complete", [fd], lambda inner: _close(inner, fd))
        return _result(session, path)

    return session._api(zone, "data_obj_put", [inp, T.BytesBuf(), portal], body)


def iput_bulk(session: Any, paths_and_data: list[tuple[str, bytes]]) -> list:
    """``iput -b``: one BulkDataObjPut per batch of files of one collection (a tar in the
    buffer); acPostProcForPut fires per object only when acBulkPutPostProcPolicy says "on"."""
    collection = paths_and_data[0][0].rsplit("/", 1)[0]
    zone = session._zone(collection)
    cat = _catalog(session, zone)
    inp = structs.new(T.BulkOprInp, objPath=collection,
                 attriArray=structs.gen_query_out([[p, str(len(d))] for p, d in paths_and_data]))

    def body(ctx: ExecContext) -> list:
        rows = []
        for path, data in paths_and_data:
            row = cat.data_put(path, data, session.user)
            _fire_resource(ctx, zone, "registered", path, row)
            rows.append(row)
        sandbox = ctx.sandbox
        sandbox.__dict__["bulk_put_post_proc_policy"] = "off"
        peps.fire_static(ctx, zone, "acBulkPutPostProcPolicy")
        if sandbox.__dict__.get("bulk_put_post_proc_policy") == "on":
            for row in rows:
                peps.fire_static(ctx, zone, "acPostProcForPut", row.path, row.repl_num)
        return rows

    return session._api(zone, "bulk_data_obj_put", [inp, structs.bytes_buf(b"")], body)


def open_write_close(session: Any, path: str, data: bytes, *, api: str = "data_obj_open"
                     ) -> Any:
    """A client that opens (``data_obj_open`` with O_CREAT, as python-irodsclient's ``put`` of
    one stream) or creates (``data_obj_create``: C API, DavRODS, Jargon), writes and closes."""
    client = _Client(session, path)
    fd = client.open(WRITE_NEW, api=api, size=len(data))
    client.write(fd, data)
    return client.close(fd)


def prc_parallel_put(session: Any, path: str, data: bytes, *, threads: int = 3) -> Any:
    """python-irodsclient's parallel put: the initial stream creates, the others join with its
    replica token and close without finalizing; the initial stream closes last."""
    client = _Client(session, path)
    first = client.open(WRITE_NEW, size=len(data))
    token = client.fd_info(first)["replica_token"]
    parts = _parts(data, threads)
    for offset, piece in parts[1:]:
        fd = client.open(L1.O_WRONLY, token=token)
        client.seek(fd, offset)
        client.write(fd, piece)
        client.replica_close(fd, PRC_AUX_CLOSE)
    client.write(first, parts[0][1])
    return client.close(first)


def replica_stream(session: Any, path: str, data: bytes, *, checksum: bool = False) -> Any:
    """One replica_open / write / replica_close stream: the HTTP API's ``write``, the S3 API's
    PutObject, ``istream write`` (``checksum``: ``-k``, all five flags sent)."""
    client = _Client(session, path)
    fd = client.open(WRITE_NEW, api="replica_open")
    client.write(fd, data)
    flags = {"update_size": True, "update_status": True, "compute_checksum": True,
             "send_notifications": True, "preserve_replica_state_table": False}
    client.replica_close(fd, flags if checksum else None)
    return _result(session, path)


def http_parallel_write(session: Any, path: str, data: bytes, *, streams: int = 3) -> Any:
    """The HTTP API's parallel_write_init / write per stream / parallel_write_shutdown."""
    client = _Client(session, path)
    first = client.open(WRITE_NEW, api="replica_open")
    token = L1.table(session.sandbox)[first]["replica_token"]
    fds = [first] + [client.open(L1.O_WRONLY, api="replica_open", token=token)
                     for _ in range(streams - 1)]
    for fd, (offset, piece) in zip(fds, _parts(data, streams)):
        client.seek(fd, offset)
        client.write(fd, piece)
    for fd in reversed(fds[1:]):
        client.replica_close(fd, ALL_FLAGS_OFF)
    client.replica_close(first)
    return _result(session, path)


def s3_multipart(session: Any, path: str, data: bytes, *, parts: int = 3) -> Any:
    """S3 CreateMultipartUpload / UploadPart (known offsets) / CompleteMultipartUpload: every
    part after the first closes its own stream with the defaults, which finalizes."""
    client = _Client(session, path)
    pieces = _parts(data, parts)
    first = client.open(WRITE_NEW, api="replica_open")
    client.write(first, pieces[0][1])
    token = L1.table(session.sandbox)[first]["replica_token"]
    for offset, piece in pieces[1:]:
        fd = client.open(L1.O_RDWR, api="replica_open", token=token)
        client.seek(fd, offset)
        client.write(fd, piece)
        client.replica_close(fd)
    client.replica_close(first)
    return _result(session, path)


def copy(session: Any, src: str, dst: str, *, force: bool = False) -> Any:
    """``icp`` and the S3 API's CopyObject: one DataObjCopy; the server creates the destination
    as COPY_DEST (acPostProcForCopy, not acPostProcForPut)."""
    zone = session._zone(src)
    session._zone(dst)
    inp = structs.data_obj_copy_inp(src, dst, {"forceFlag": ""} if force else {})
    return session._api(zone, "data_obj_copy", [inp, None],
                        lambda ctx: dataops.copy(ctx, src, dst, force=force))


def touch(session: Any, path: str) -> Any:
    """``itouch`` / the HTTP API's touch of a missing object: an empty object, created inside
    the server (no API PEP of its own)."""
    zone = session._zone(path)
    buf = structs.bytes_buf(json.dumps({"logical_path": path, "options": {}}).encode())

    def body(ctx: ExecContext) -> Any:
        cat = ctx.sandbox.zone(zone).catalog
        if cat.data_exists(path):
            cat.set_modify_time(path, ctx.sandbox.clock.now())
            return _result(session, path)
        fd = _open(ctx, zone, path, WRITE_NEW)
        # Guess (CR): the server-side odstream closes with the defaults, so file_modified fires.
        return _replica_close(ctx, fd, {})

    return session._api(zone, "touch", [buf], body)


def register(session: Any, path: str, data: bytes, physical_path: str = "",
             resc: Optional[str] = None) -> Any:
    """``ireg`` (and python-irodsclient's ``register``, the automated ingest tool's register
    modes): PhyPathReg of a file already on the server's storage; ``resc``: ``ireg -R <resc>``
    (DEST_RESC_NAME_KW).

    register_physical_path.cpp@5.0.2 (L1269-1335; 4.3.4 L1216-1282): without a resource the
    hierarchy is resolved for a CREATE (resolve_resource_hierarchy, which fires
    acSetRescSchemeForCreate: irods_resource_redirect.cpp L62-105, L370-395); a named
    standalone or leaf resource is taken as it is (no hierarchy resolution, so no
    acSetRescSchemeForCreate; the sandbox's resources are all standalone). Then filePathReg
    (L345-446; 4.3.4 L292-393): svrRegDataObj (fileRegistered -> pep_resource_registered_post) and
    acPostProcForFilePathReg with rei.doi the new replica.

    Guess: the sandbox copies the file into its vault instead of pointing at ``physical_path``.
    """
    zone = session._zone(path)
    cond = {"filePath": physical_path or f"/unixfs{path}"}
    if resc:
        cond["destRescName"] = resc
    inp = structs.data_obj_inp(path, cond)
    cat = _catalog(session, zone)

    def body(ctx: ExecContext) -> Any:
        if not resc:
            peps.resc_scheme(ctx, zone, path)
        elif cat.get_resource(resc) is None:  # resc_mgr.resolve fails (L1277-1280)
            from b2safe_sandbox.errors import SYS_RESC_DOES_NOT_EXIST

            raise IrodsCallError(f"resource {resc} does not exist",
                                 code=SYS_RESC_DOES_NOT_EXIST)
        row = cat.data_put(path, data, session.user, resc=resc)
        _fire_resource(ctx, zone, "registered", path, row)
        peps.fire_static(ctx, zone, "acPostProcForFilePathReg", path, row.repl_num)
        return row

    return session._api(zone, "phy_path_reg", [inp], body)


def irsync_put(session: Any, path: str, data: bytes) -> Any:
    """``irsync`` from a local file: a missing target is put; an existing one is compared
    through DataObjRsync (LOCAL_TO_IRODS) and put again only when its checksum differs."""
    zone = session._zone(path)
    cat = _catalog(session, zone)
    if not cat.data_exists(path):
        return iput(session, path, data)
    from b2safe_sandbox import checksums

    local = checksums.compute(data, session.sandbox.hash_scheme)
    cond = {"rsyncMode": "LOCAL_TO_IRODS", "rsyncChksum": local}
    inp = structs.data_obj_inp(path, cond)
    same = session._api(zone, "data_obj_rsync", [inp, None],
                        lambda ctx: dataops.checksum(ctx, path) == local)
    return _result(session, path) if same else iput(session, path, data, force=True)


def irsync_copy(session: Any, src: str, dst: str) -> Any:
    """``irsync i:src i:dst``: one DataObjRsync (IRODS_TO_IRODS); the server copies (the copy's
    static PEPs, no API PEP of its own) when the checksums differ."""
    zone = session._zone(src)
    session._zone(dst)
    inp = structs.data_obj_inp(src, {"rsyncMode": "IRODS_TO_IRODS", "rsyncDestPath": dst})
    session._api(zone, "data_obj_rsync", [inp, None], lambda ctx: dataops.rsync(ctx, src, dst))
    return _result(session, dst)


def move(session: Any, src: str, dst: str) -> Any:
    """``imv``: one DataObjRename; acPostProcForObjRename(src, dst) inside."""
    session.imv(src, dst)
    return _result(session, dst)


__all__ = [
    "copy", "http_parallel_write", "iput", "iput_bulk", "iput_parallel", "irsync_copy",
    "irsync_put", "move", "open_write_close", "prc_parallel_put", "register", "replica_stream",
    "s3_multipart", "touch",
]
