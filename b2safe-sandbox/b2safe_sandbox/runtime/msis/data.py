"""Data-object and collection microservices (prep-runtime.md §7).

Argument order and option keys follow the iRODS documentation; ``"null"`` means not given.
Each output declares its msParam type so the callback applies the placeholder rules.
"""

from __future__ import annotations

import contextlib
from typing import Any, Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_NO_ACCESS_PERMISSION,
    CAT_NO_ROWS_FOUND,
    INVALID_OBJECT_TYPE,
    NO_LOCAL_FILE_RSYNC_IN_MSI,
    SYS_INVALID_INPUT_PARAM,
    SYS_NO_GOOD_REPLICA,
    SYS_REPLICA_DOES_NOT_EXIST,
    USER_FILE_DOES_NOT_EXIST,
    USER_INCOMPATIBLE_PARAMS,
    USER_RSYNC_NO_MODE_INPUT_ERR,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops, descriptors, peps, tbridge
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis import keywords
from b2safe_sandbox.runtime.registry import microservice

OBJ_PATH_DOES_NOT_EXIST = CODES["OBJ_PATH_DOES_NOT_EXIST"]
USER_INCOMPATIBLE_OPEN_FLAGS = CODES["USER_INCOMPATIBLE_OPEN_FLAGS"]
USER_INPUT_PATH_ERR = CODES["USER_INPUT_PATH_ERR"]

_LOCAL_RSYNC_MODES = ("LOCAL_TO_IRODS", "IRODS_TO_LOCAL")


def _opt_int(opts: dict, key: str) -> Optional[int]:
    value = opts.get(key)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise IrodsCallError(f"bad integer for {key}: {value}",
                             code=SYS_INVALID_INPUT_PARAM) from None


def _l1(call: MsiCall) -> dict:
    return descriptors.table(call.sandbox)


def _fd(call: MsiCall, index: int) -> dict:
    try:
        fd = int(call.args[index])
    except (TypeError, ValueError):
        raise IrodsCallError("bad descriptor", code=SYS_INVALID_INPUT_PARAM) from None
    entry = _l1(call).get(fd)
    if entry is None:
        from b2safe_sandbox.errors import SYS_INTERNAL_ERR

        # Guess: iRODS returns SYS_BAD_FILE_DESCRIPTOR (-4000 range); the sandbox uses -154000.
        raise IrodsCallError(f"no open descriptor {fd}", code=SYS_INTERNAL_ERR)
    return entry


def _new_fd(call: MsiCall, entry: dict) -> int:
    return descriptors.new_fd(call.sandbox, entry)


@microservice("msi_get_file_descriptor_info", 2, inputs={0: "any"}, outputs={1: "STR"},
              origin="plugin")
def msi_get_file_descriptor_info(call: MsiCall) -> dict:
    """msi_get_file_descriptor_info(fd, json_out): the JSON description of an open L1
    descriptor of this agent (irods plugins/microservices/src/get_file_descriptor_info.cpp@5.0.2
    L21-49: an INT_MS_T input, else SYS_INVALID_INPUT_PARAM; plugins/api/src/
    get_file_descriptor_info.cpp L259-318). A descriptor that is not open is refused.

    Guess: the real API indexes L1desc without a range or in-use check; the sandbox refuses
    with SYS_INVALID_INPUT_PARAM (what the API returns for any exception) instead of reading
    a stale slot.
    """
    fd = call.args[0]
    if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
        raise IrodsCallError("msi_get_file_descriptor_info: the descriptor must be an integer",
                             code=SYS_INVALID_INPUT_PARAM)
    text = descriptors.info_json(call.sandbox, fd)
    if not text:
        raise IrodsCallError(f"msi_get_file_descriptor_info: descriptor {fd} is not open",
                             code=SYS_INVALID_INPUT_PARAM)
    return {1: text}


@microservice("msiSetBulkPutPostProcPolicy", 1, inputs={0: "str"})
def msi_set_bulk_put_post_proc_policy(call: MsiCall) -> dict:
    """msiSetBulkPutPostProcPolicy('on'|...): whether a bulk put (``iput -b``) then fires
    acPostProcForPut per object: "on" sets rei->status POLICY_ON, anything else POLICY_OFF
    (irods server/re/src/reSysDataObjOpr.cpp@5.0.2 L1301-1315, read by rsBulkDataObjPut.cpp
    L842-852). The sandbox keeps the answer for the bulk put that fired
    acBulkPutPostProcPolicy."""
    value = "on" if call.text(0) == "on" else "off"
    call.sandbox.__dict__["bulk_put_post_proc_policy"] = value
    return {}


# --------------------------------------------------------------------- create / open / rw / close
@microservice("msiDataObjCreate", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_data_obj_create(call: MsiCall) -> dict:
    """msiDataObjCreate(path, 'destRescName=x++++forceFlag=' | resc | 'null', fd_out)."""
    path = call.args[0]
    opts = keywords.for_msi("msiDataObjCreate", call.args[1], "destRescName")
    return {2: _create(call, path, opts.get("destRescName") or None, "forceFlag" in opts)}


def _create(call: MsiCall, path: str, resc: Optional[str], force: bool) -> int:
    """rsDataObjCreate of ``path`` (an intermediate replica open for writing); its L1
    descriptor. The hierarchy is resolved for CREATE (acSetRescSchemeForCreate,
    pep_resource_resolve_hierarchy); a new replica gets its vault path and l3Create
    (pep_resource_create; its failure unregisters the replica), an existing one with
    ``forceFlag`` is opened (acPreprocForDataObjOpen, pep_resource_open) and truncated
    (rsDataObjOpen.cpp@5.0.2 L189-520, L640-720, L1144). acPostProcForCreate fires at the close
    (rsDataObjClose.cpp L76-104)."""
    ctx = call.ctx
    zone, cat = dataops.catalog_for(ctx, path)
    existed = cat.data_exists(path)
    resc = peps.resolve_for(ctx, zone, path, peps.CREATE, resc)
    if existed and force:
        good = [r for r in cat.data_get(path) if r.status == descriptors.GOOD_REPLICA]
        if good:
            peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, good[0].repl_num)
            peps.resource_op(ctx, zone, "open", path, good[0].resc_name, good[0].repl_num)
    row = cat.data_create(path, call.actor, resc=resc, force=force)
    if not existed:
        peps.vault_path(ctx, zone, path, row.repl_num)
        peps.create_replica_file(ctx, zone, path, row)
    open_type = descriptors.OPEN_FOR_WRITE_TYPE if existed else descriptors.CREATE_TYPE
    return _new_fd(call, {"zone": zone, "path": path, "repl": row.repl_num, "offset": 0,
                          "write": True, "written": False, "resc": row.resc_name,
                          "open_type": open_type, "bytes_written": 0})


@microservice("msiDataObjOpen", 2, inputs={0: "str"}, outputs={1: "INT"})
def msi_data_obj_open(call: MsiCall) -> dict:
    """msiDataObjOpen('objPath=/z/x++++replNum=0++++openFlags=O_RDWRO_CREAT' | path, fd_out).

    ``openFlags`` is read by substring (keywords.open_flags); without it the object is opened
    read-only. O_RDONLY with O_TRUNC is USER_INCOMPATIBLE_OPEN_FLAGS (irods
    server/api/src/rsDataObjOpen.cpp@5.0.2 L1317-1319); a missing object is
    OBJ_PATH_DOES_NOT_EXIST (L782-791) unless O_CREAT creates it (L1003-1008, as
    msiDataObjCreate; into a missing collection CAT_UNKNOWN_COLLECTION); O_CREAT on an existing
    object opens it.
    """
    opts = keywords.for_msi("msiDataObjOpen", call.args[0], "objPath")
    path = opts.get("objPath", "")
    flags = keywords.open_flags(opts.get("openFlags", ""))
    write = flags["write"]
    if flags["trunc"] and not write:
        raise IrodsCallError("O_TRUNC on a read-only open", code=USER_INCOMPATIBLE_OPEN_FLAGS)
    zone, cat = dataops.catalog_for(call.ctx, path)
    rows = cat.data_get(path)
    if not rows:
        if flags["create"]:
            return {1: _create(call, path, opts.get("rescName") or None, False)}
        raise IrodsCallError(f"{path} does not exist", code=OBJ_PATH_DOES_NOT_EXIST)
    level = "modify_object" if write else "read_object"
    if not cat.check_access(path, call.actor, level):
        raise IrodsCallError(f"no access to {path}", code=CAT_NO_ACCESS_PERMISSION)
    repl = _opt_int(opts, "replNum")
    if repl is None:
        good = [r for r in rows if r.status == 1]
        if not good:
            raise IrodsCallError(f"no good replica of {path}", code=SYS_NO_GOOD_REPLICA)
        repl = good[0].repl_num
    # rsDataObjOpen.cpp@5.0.2 L760-777 (hierarchy for WRITE or OPEN), L1144
    # (acPreprocForDataObjOpen), open_replica L640-720 (l3Open, then the catalog truncation).
    ctx = call.ctx
    row = next((r for r in rows if r.repl_num == repl), rows[0])
    peps.resolve_for(ctx, zone, path, peps.WRITE if write else peps.OPEN)
    peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, repl)
    peps.resource_op(ctx, zone, "open", path, row.resc_name, repl)
    if flags["trunc"] and write:
        cat.data_create(path, call.actor, force=True)
    if not flags["write_only"]:
        dataops.note_read_open(ctx, zone, path, repl)
    open_type = descriptors.OPEN_FOR_WRITE_TYPE if write else descriptors.OPEN_FOR_READ_TYPE
    return {1: _new_fd(call, {"zone": zone, "path": path, "repl": repl, "offset": 0,
                              "write": write, "written": False, "resc": row.resc_name,
                              "open_type": open_type, "bytes_written": 0})}


@microservice("msiDataObjRead", 3, inputs={0: "intstr", 1: "intstr"}, outputs={2: "BUF"})
def msi_data_obj_read(call: MsiCall) -> dict:
    """msiDataObjRead(fd, length, buf_out)."""
    entry = _fd(call, 0)
    length = int(call.args[1])
    cat = call.sandbox.zone(entry["zone"]).catalog

    def read() -> bytes:
        return bytes(cat.data_read(entry["path"], repl_num=entry["repl"],
                                   offset=entry["offset"], length=length, actor=call.actor))

    # rsDataObjRead -> l3Read -> fileRead between the read PEPs (a skipped read reads nothing).
    data = peps.resource_op(call.ctx, entry["zone"], "read", entry["path"], _resc(call, entry),
                            entry["repl"], (None, length), body=read) or b""
    entry["offset"] += len(data)
    return {2: T._make_bytes_buf(data)}


def _resc(call: MsiCall, entry: dict) -> str:
    """The resource of the replica an L1 entry has open."""
    if entry.get("resc"):
        return str(entry["resc"])
    rows = call.sandbox.zone(entry["zone"]).catalog.data_get(entry["path"], entry["repl"])
    return rows[0].resc_name if rows else ""


@microservice("msiDataObjWrite", 3, inputs={0: "intstr"}, outputs={2: "INT"})
def msi_data_obj_write(call: MsiCall) -> dict:
    """msiDataObjWrite(fd, str | BytesBuf, length_out)."""
    entry = _fd(call, 0)
    value = call.args[1]
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, T.BytesBuf):
        data = T._bytes_of(value)
    else:
        from b2safe_sandbox.errors import USER_PARAM_TYPE_ERR

        raise IrodsCallError("msiDataObjWrite needs a str or BytesBuf", code=USER_PARAM_TYPE_ERR)
    cat = call.sandbox.zone(entry["zone"]).catalog
    zone, path, repl, resc = entry["zone"], entry["path"], entry["repl"], _resc(call, entry)

    def write() -> int:
        return int(cat.data_write(path, entry["offset"], data, repl))

    # rsDataObjWrite.cpp@5.0.2 L95-135: fileNotify(WRITE), then l3Write between the write PEPs.
    peps.resource_op(call.ctx, zone, "notify", path, resc, repl, (peps.WRITE,))
    count = peps.resource_op(call.ctx, zone, "write", path, resc, repl, (None, len(data)),
                             body=write) or 0
    entry["offset"] += count
    entry["bytes_written"] = entry.get("bytes_written", 0) + count
    entry["written"] = entry["written"] or count > 0
    return {2: count}


@microservice("msiDataObjClose", 2, inputs={0: "intstr"}, outputs={1: "INT"})
def msi_data_obj_close(call: MsiCall) -> dict:
    """msiDataObjClose(fd, status_out): finalizes written replicas (resource PEP fires)."""
    entry = _fd(call, 0)
    _l1(call).pop(int(call.args[0]), None)
    ctx, zone, path, repl = call.ctx, entry["zone"], entry["path"], entry["repl"]
    resc = _resc(call, entry)
    # rsDataObjClose.cpp@5.0.2 L700-745 (fileNotify for a write open), L588-635 (l3Close; a
    # written replica: getSizeInVault -> fileStat, finalize -> fileModified), L76-104 (the
    # static PEPs of the open type).
    if entry["write"]:
        peps.resource_op(ctx, zone, "notify", path, resc, repl, (peps.WRITE,))
    peps.resource_op(ctx, zone, "close", path, resc, repl)
    if entry["write"]:
        cat = call.sandbox.zone(zone).catalog
        peps.stat_replica(ctx, zone, path, resc, repl)
        cat.data_finalize(path, repl)
        peps.fire_resource_modified(ctx, zone, path, resc, repl)
    open_type = entry.get("open_type")
    if open_type == descriptors.CREATE_TYPE:
        peps.fire_static(ctx, zone, "acPostProcForCreate", path, repl)
    elif open_type in (descriptors.OPEN_FOR_READ_TYPE, descriptors.OPEN_FOR_WRITE_TYPE):
        peps.fire_static(ctx, zone, "acPostProcForOpen", path, repl)
    if open_type == descriptors.CREATE_TYPE or entry.get("bytes_written", 0) > 0:
        peps.fire_static(ctx, zone, "acPostProcForPut", path, repl)
    return {1: 0}


# --------------------------------------------------------------------- copy / rsync / repl
@microservice("msiDataObjCopy", 4, inputs={0: "str", 1: "str", 2: "str"}, outputs={3: "INT"})
def msi_data_obj_copy(call: MsiCall) -> dict:
    """msiDataObjCopy(src, dst, 'destRescName=r++++forceFlag=++++verifyChksum=', status).

    The source must be a data object and differ from the destination (USER_INPUT_PATH_ERR);
    an existing destination needs ``forceFlag`` (OVERWRITE_WITHOUT_FORCE_FLAG); a missing
    destination collection is created with its parents, as the client (irods
    server/api/src/rsDataObjCopy.cpp@5.0.2 L137-148, L223-247, L308-312; 4.3.4 L141-145).
    """
    src, dst = str(call.args[0]), str(call.args[1])
    opts = keywords.for_msi("msiDataObjCopy", call.args[2], "destRescName")
    _, src_cat = dataops.catalog_for(call.ctx, src)
    if not src_cat.data_exists(src) or not dst.startswith("/") or src == dst:
        raise IrodsCallError(f"cannot copy {src} to {dst}", code=USER_INPUT_PATH_ERR)
    parent = dst.rsplit("/", 1)[0]
    _, dst_cat = dataops.catalog_for(call.ctx, dst)
    if parent and dst_cat.coll_get(parent) is None:
        with contextlib.suppress(IrodsCallError):  # rsMkCollR's status is not checked
            dataops.ensure_parents(call.ctx, parent)
    dataops.copy(call.ctx, src, dst, resc=opts.get("destRescName") or None,
                 force="forceFlag" in opts, verify="verifyChksum" in opts,
                 data_type=opts.get("dataType") or "generic")
    return {3: 0}


def _rsync_target(mode: str, src: str, dest: str) -> str:
    if mode == "IRODS_TO_COLLECTION":
        rest = src.split("/", 2)[2] if src.count("/") >= 2 else ""
        return dest.rstrip("/") + "/" + rest
    return dest


def _check_rsync_mode(mode: str) -> None:
    """Refuse a missing mode and the local-file modes (a microservice has no client files)."""
    if mode in ("", "null"):
        raise IrodsCallError("no rsync mode", code=USER_RSYNC_NO_MODE_INPUT_ERR)
    if mode in _LOCAL_RSYNC_MODES:
        raise IrodsCallError("local rsync modes are not allowed in a microservice",
                             code=NO_LOCAL_FILE_RSYNC_IN_MSI)


@microservice("msiDataObjRsync", 5, inputs={0: "str", 1: "str", 2: "str", 3: "str"},
              outputs={4: "INT"})
def msi_data_obj_rsync(call: MsiCall) -> dict:
    """msiDataObjRsync(src, mode, destResc, destPath, status_out): 0 or 99999992."""
    src, mode, resc, dest = (call.args[i] for i in range(4))
    _check_rsync_mode(mode)
    if mode not in ("IRODS_TO_IRODS", "IRODS_TO_COLLECTION"):
        raise IrodsCallError(f"unknown rsync mode {mode}", code=USER_RSYNC_NO_MODE_INPUT_ERR)
    target = _rsync_target(mode, src, dest)
    if mode == "IRODS_TO_COLLECTION":
        # Guess: rsync into a collection creates the missing parent collections.
        dataops.ensure_parents(call.ctx, target.rsplit("/", 1)[0])
    status = dataops.rsync(call.ctx, src, target, resc=None if resc in ("", "null") else resc)
    return {4: status}


@microservice("msiCollRsync", 5, inputs={0: "str", 1: "str", 2: "str", 3: "str"},
              outputs={4: "INT"})
def msi_coll_rsync(call: MsiCall) -> dict:
    """msiCollRsync(srcColl, dstColl, destResc, 'IRODS_TO_IRODS', status_out)."""
    src, dst, resc, mode = (call.args[i] for i in range(4))
    _check_rsync_mode(mode)
    _, cat = dataops.catalog_for(call.ctx, src)
    if cat.coll_get(src) is None:
        raise IrodsCallError(f"{src} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    resc_name = None if resc in ("", "null") else resc
    status = 0

    def walk(coll: str, target: str) -> None:
        nonlocal status
        dataops.ensure_parents(call.ctx, target)
        for kind, name in list(cat.coll_list(coll, call.actor)):
            if kind == "C":
                walk(f"{coll}/{name}", f"{target}/{name}")
            else:
                if dataops.rsync(call.ctx, f"{coll}/{name}", f"{target}/{name}",
                                 resc=resc_name):
                    status = dataops.SYS_RSYNC_TARGET_MODIFIED

    walk(src, dst)
    return {4: status}


#: rsDataObjTrim's default minimum number of copies to keep (DEF_MIN_COPY_CNT).
_TRIM_DEFAULT_COPIES = 2


def _given(value: Any) -> Optional[str]:
    """A microservice string argument, None when not given ('', 'null')."""
    text = "" if value is None else str(value).strip()
    return None if text in ("", "null") else text


def _trim_targets(rows: list, repl_num: Optional[int], resc: Optional[str],
                  copies: int, path: str) -> list:
    """The replica rows msiDataObjTrim removes (rsDataObjTrim's selection).

    A named replica is removed unless it is good and no more than ``copies`` good replicas
    exist (USER_INCOMPATIBLE_PARAMS: never the last good replicas). Otherwise the stale
    replicas on ``resc`` go first, then good ones on ``resc`` while more than ``copies`` good
    replicas would remain.
    """
    good = sum(1 for r in rows if r.status == 1)
    if repl_num is not None:
        match = [r for r in rows if r.repl_num == repl_num]
        if not match:
            raise IrodsCallError(f"{path} has no replica {repl_num}",
                                 code=SYS_REPLICA_DOES_NOT_EXIST)
        if match[0].status == 1 and good <= copies:
            raise IrodsCallError(f"cannot remove the last good replica(s) of {path}",
                                 code=USER_INCOMPATIBLE_PARAMS)
        return match
    # Guess: without a resource or replica number nothing matches (rsDataObjTrim compares
    # each replica's root resource with the empty name; its TODO says "use default resource").
    on_resc = [r for r in rows if resc is not None and r.resc_name == resc]
    doomed = [r for r in on_resc if r.status == 0]
    for row in on_resc:
        if row.status == 1 and good - sum(1 for d in doomed if d.status == 1) > copies:
            doomed.append(row)
    return doomed


@microservice("msiDataObjTrim", 6, inputs={0: "str", 1: "str", 2: "str", 3: "str", 4: "str"},
              outputs={5: "INT"})
def msi_data_obj_trim(call: MsiCall) -> dict:
    """msiDataObjTrim(path, resc | 'null', replNum | 'null', minCopies | 'null',
    irodsAdmin | 'null', status_out): 1 when a replica was removed, 0 when none was.

    Resource and replica number together give USER_INCOMPATIBLE_PARAMS; minCopies missing,
    0 or not a number means 2. The admin flag needs a local rodsadmin
    (CAT_INSUFFICIENT_PRIVILEGE_LEVEL); otherwise the client needs 'own' (delete permission,
    CAT_NO_ACCESS_PERMISSION). A good replica is never removed when that would leave fewer than
    minCopies good replicas (at least one).
    """
    path = str(call.args[0])
    resc, repl_text = _given(call.args[1]), _given(call.args[2])
    copies_text, admin = _given(call.args[3]), _given(call.args[4])
    if resc is not None and repl_text is not None:
        raise IrodsCallError("resource and replica number together",
                             code=USER_INCOMPATIBLE_PARAMS)
    repl_num: Optional[int] = None
    if repl_text is not None:
        try:
            repl_num = int(repl_text)
        except ValueError:
            # Guess: SYS_INVALID_INPUT_PARAM; iRODS may answer USER_INVALID_REPLICA_INPUT (-403000).
            raise IrodsCallError(f"bad replica number {repl_text}",
                                 code=SYS_INVALID_INPUT_PARAM) from None
    try:
        copies = int(copies_text) if copies_text is not None else 0
    except ValueError:
        copies = 0
    copies = copies if copies > 0 else _TRIM_DEFAULT_COPIES
    _, cat = dataops.catalog_for(call.ctx, path)
    actor = dataops.acting_user(call.ctx, cat, admin is not None)
    rows = cat.data_get(path)
    if not rows:
        # Guess: as for msiDataObjRepl, a missing object means no catalog rows.
        raise IrodsCallError(f"{path}: no such data object", code=CAT_NO_ROWS_FOUND)
    if actor is not None and not cat.check_access(path, actor, "own"):
        raise IrodsCallError(f"no permission to trim {path}", code=CAT_NO_ACCESS_PERMISSION)
    doomed = _trim_targets(rows, repl_num, resc, copies, path)
    # Guess: trimming unlinks replicas directly (dataObjUnlinkS): no acPostProcForDelete.
    for row in doomed:
        cat.data_unlink(path, actor, repl_num=row.repl_num)
    return {5: 1 if doomed else 0}


# --------------------------------------------------------------------- unlink / rename / colls
@microservice("msiDataObjUnlink", 2, inputs={0: "str"}, outputs={1: "INT"})
def msi_data_obj_unlink(call: MsiCall) -> dict:
    """msiDataObjUnlink('objPath=/z/x++++forceFlag=' | path, status_out).

    Keywords: objPath, forceFlag, irodsRmTrash, irodsAdminRmTrash, unreg (irodsAdmin is not
    one: USER_BAD_KEYWORD_ERR, reDataObjOpr.cpp@5.0.2 L851)."""
    opts = keywords.for_msi("msiDataObjUnlink", call.args[0], "objPath")
    path = opts.get("objPath", "")
    dataops.unlink(call.ctx, path, force="forceFlag" in opts,
                   admin="irodsAdminRmTrash" in opts)
    return {1: 0}


@microservice("msiDataObjRename", 4, inputs={0: "str", 1: "str", 2: "intstr"},
              outputs={3: "INT"})
def msi_data_obj_rename(call: MsiCall) -> dict:
    """msiDataObjRename(src, dst, 0 (data object) | 1 (collection), status_out)."""
    dataops.rename(call.ctx, call.args[0], call.args[1])
    return {3: 0}


@microservice("msiCollCreate", 3, inputs={0: "str", 1: "intstr"}, outputs={2: "INT"})
def msi_coll_create(call: MsiCall) -> dict:
    """msiCollCreate(path, flag, status_out): a flag above 0 creates the missing parents and
    accepts an existing collection (rsMkCollR); otherwise an existing collection is
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, a data object there CAT_NAME_EXISTS_AS_DATAOBJ, a
    missing parent CAT_UNKNOWN_COLLECTION and a parent the client may not write
    CAT_NO_ACCESS_PERMISSION (irods server/re/src/reDataObjOpr.cpp@5.0.2 msiCollCreate
    (parseMspForPosInt); server/api/src/rsCollCreate.cpp@5.0.2 L108-113, L150-154;
    plugins/database/src/db_plugin.cpp@5.0.2 L4603-4641 db_reg_coll_op)."""
    try:
        parents = int(str(call.args[1]).strip()) > 0
    except ValueError:
        parents = False
    dataops.coll_create(call.ctx, call.args[0], parents=parents)
    return {2: 0}


@microservice("msiRmColl", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_rm_coll(call: MsiCall) -> dict:
    """msiRmColl(coll, 'forceFlag=' | 'null', status_out) (recursive)."""
    path = call.args[0]
    keywords.for_msi("msiRmColl", call.args[1], "collName")
    _, cat = dataops.catalog_for(call.ctx, path)
    if cat.coll_get(path) is None:
        raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    dataops.coll_remove(call.ctx, path, recursive=True)
    return {2: 0}


# --------------------------------------------------------------------- stat / type / access
@microservice("msiObjStat", 2, inputs={0: "str"}, outputs={1: "OBJSTAT"})
def msi_obj_stat(call: MsiCall) -> dict:
    """msiObjStat(path, RodsObjStat_out): objType 1 data object, 2 collection."""
    path = call.args[0]
    _, cat = dataops.catalog_for(call.ctx, path)
    rows = cat.data_get(path)
    # rsObjStat is a GenQuery (server/api/src/rsObjStat.cpp@5.0.2 L155-202): what the client's
    # queries see, everything for a local rodsadmin.
    if rows and cat.visible(path, call.actor):
        row = next((r for r in rows if r.status == 1), rows[0])
        stat = T._make_obj_stat(
            1, size=int(row.size), data_id=str(row.data_id), chksum=row.checksum,
            owner_name=row.owner_name, owner_zone=row.owner_zone,
            create_time=row.create_time, modify_time=row.modify_time,
            resc_hier=row.resc_hier or row.resc_name, data_mode=_int_or_zero(row.mode))
        return {1: stat}
    coll = cat.coll_get(path)
    if coll is not None:
        stat = T._make_obj_stat(2, data_id=str(coll.id), owner_name=coll.owner_name,
                                owner_zone=coll.owner_zone, create_time=coll.create_time,
                                modify_time=coll.modify_time)
        return {1: stat}
    raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)


def _int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@microservice("msiGetObjType", 2, inputs={0: "str"}, outputs={1: "STR"})
def msi_get_obj_type(call: MsiCall) -> dict:
    """msiGetObjType(name, type_out): '-d', '-c', '-r' or '-u', tested in that order."""
    name = call.args[0]
    zone = call.ctx.zone
    if name.startswith("/"):
        try:
            _, cat = dataops.catalog_for(call.ctx, name)
            if cat.data_exists(name):
                return {1: "-d"}
            if cat.coll_get(name) is not None:
                return {1: "-c"}
        except IrodsCallError:
            pass
    cat = call.sandbox.zone(zone).catalog
    if cat.get_resource(name) is not None:
        return {1: "-r"}
    user, user_zone = tbridge.split_user(name, zone)
    if cat.get_user(user, user_zone) is not None:
        return {1: "-u"}
    raise IrodsCallError(f"{name}: unknown object type", code=INVALID_OBJECT_TYPE)


#: msiCheckAccess resolves its operation through the catalog's ``access_type`` tokens
#: (server/core/src/objMetaOpr.cpp, checkPermissionByObjType: an unknown token ->
#: SYS_INVALID_INPUT_PARAM). Catalog schema 9 (iRODS 4.3) renamed the tokens with an
#: underscore (scripts/irods/database_upgrade.py, "replace spaces with underscores"), so
#: "modify_object" and "read_object" are unknown on 4.3 and 5.0. Each token maps to the
#: sandbox's three nested levels.
_ACCESS_TOKENS = {
    "read_metadata": "read_object", "read_object": "read_object",
    "create_metadata": "modify_object", "modify_metadata": "modify_object",
    "delete_metadata": "modify_object", "create_object": "modify_object",
    "modify_object": "modify_object", "delete_object": "own", "own": "own",
}


@microservice("msiCheckAccess", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_check_access(call: MsiCall) -> dict:
    """msiCheckAccess(path, 'read_object'|'modify_object'|'own', result_out): 1 or 0.

    Source: server/re/src/icatGeneralMS.cpp (msiCheckAccess) ->
    checkPermissionByObjType; the rule text clients/icommands/test/rules/rulemsiCheckAccess.r."""
    path, perm = call.args[0], call.args[1]
    level = _ACCESS_TOKENS.get(perm)
    if level is None:
        raise IrodsCallError(f"msiCheckAccess: {perm!r} is not an access_type token",
                             code=SYS_INVALID_INPUT_PARAM)
    _, cat = dataops.catalog_for(call.ctx, path)
    if not cat.data_exists(path) and cat.coll_get(path) is None:
        raise IrodsCallError(f"{path} does not exist", code=CAT_NO_ROWS_FOUND)
    # checkPermissionByObjType (objMetaOpr.cpp@5.0.2 L603-700) reads the user's own entries,
    # then each group named for the user, looked up by getUserId(group, the user's zone): a
    # user of another zone finds no group (groups, 'public' too, are this zone's), so only
    # her own entries count; a user of this zone gets her groups' entries as well.
    remote = call.actor is not None and cat.db.split_user(call.actor)[1] != cat.zone_name
    return {2: 1 if cat.check_access(path, call.actor, level, groups=not remote) else 0}


@microservice("msiSetACL", 4, inputs={0: "str", 1: "str", 2: "str", 3: "str"})
def msi_set_acl(call: MsiCall) -> dict:
    """msiSetACL('default'|'recursive', 'own'|'write'|'read'|'null'|'inherit'|'noinherit',
    user, path)."""
    mode, perm, user, path = (call.args[i] for i in range(4))
    recursive = mode == "recursive"
    path_zone, cat = dataops.catalog_for(call.ctx, path)
    # 'admin:<level>' is the admin mode (MOD_ADMIN_MODE_PREFIX, irods server/re/src/
    # icatGeneralMS.cpp@5.0.2 L405-408): a local rodsadmin changes the ACL without owning
    # the object; anyone else gets CAT_INSUFFICIENT_PRIVILEGE_LEVEL.
    admin = perm.startswith("admin:")
    perm = perm[len("admin:"):] if admin else perm
    actor = dataops.acting_user(call.ctx, cat, admin)
    if perm in ("inherit", "noinherit"):
        cat.acl_inherit(path, perm == "inherit", actor, recursive=recursive)
        return {}
    level = {"modify object": "write", "read object": "read", "modify_object": "write",
             "read_object": "read"}.get(perm, perm)
    cat.acl_set(path, user if "#" in user else f"{user}#{path_zone}", level, actor,
                recursive=recursive)
    return {}
