"""Server-side data operations shared by microservices and client sessions.

They route the path to its zone (federation: the zone's catalog, its permissions for
``user#homeZone``), do the catalog work and fire the *static* and *resource* PEPs in the zone
that holds the data. API PEPs are fired only by client sessions (microservices call the ``rs*``
functions directly, prep-runtime.md §5.2).
"""

from __future__ import annotations

from typing import Any, Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_NAME_EXISTS_AS_COLLECTION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    USER_FILE_DOES_NOT_EXIST,
    IrodsCallError,
    SandboxError,
)
from b2safe_sandbox.runtime import descriptors as L1
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime import peps, structs
from b2safe_sandbox.runtime.context import ExecContext
from b2safe_sandbox.runtime.descriptors import GOOD_REPLICA

#: SYS_DELETE_DISALLOWED: acDataDeletePolicy's refusal (as its status it does not stop the
#: delete; as rei.status, set by msiDeleteDisallowed, it does).
SYS_DELETE_DISALLOWED = CODES["SYS_DELETE_DISALLOWED"]
#: NO_TRASH_CAN (lib/core/include/irods/objInfo.h@5.0.2 L263): msiNoTrashCan's rei.status.
NO_TRASH_CAN = 1
#: SYS_RSYNC_TARGET_MODIFIED: rsync's positive "copied" status (rsDataObjRsync.cpp).
SYS_RSYNC_TARGET_MODIFIED = 99999992


def catalog_for(ctx: ExecContext, path: str) -> tuple[str, Any]:
    """(zone name, catalog) serving ``path``; unreachable/unknown zones raise IrodsCallError."""
    zone = ctx.sandbox.zone_for_path(path)
    return zone.name, zone.catalog


def exists_data(ctx: ExecContext, path: str) -> bool:
    """True if a data object exists at ``path``."""
    _, cat = catalog_for(ctx, path)
    return bool(cat.data_exists(path))


def ensure_parents(ctx: ExecContext, coll: str) -> None:
    """Create ``coll`` and missing ancestors as the client user (mkdir -p)."""
    _, cat = catalog_for(ctx, coll)
    if cat.coll_get(coll) is None:
        cat.coll_create(coll, ctx.client_user, recursive=True)


def read_bytes(ctx: ExecContext, path: str, repl_num: Optional[int] = None) -> bytes:
    """The bytes of a good replica of ``path`` (read permission of the client user)."""
    _, cat = catalog_for(ctx, path)
    if not cat.data_exists(path):
        if cat.coll_get(path) is not None:
            raise IrodsCallError(f"{path} is a collection", code=CAT_NAME_EXISTS_AS_COLLECTION)
        raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    return cat.data_read(path, repl_num=repl_num, actor=ctx.client_user)


def note_read_open(ctx: ExecContext, zone: str, path: str, repl_num: int) -> None:
    """An open of an existing replica that is not write-only (rsDataObjOpen.cpp@5.0.2
    L1295-1298): on an iRODS 5 zone its access time may move (DATA_ACCESS_TIME,
    :meth:`b2safe_sandbox.catalog.data.Data.data_note_access`); 4.3 has no access time."""
    if ctx.sandbox.irods_version >= (5, 0):
        ctx.sandbox.zone(zone).catalog.data_note_access(path, repl_num)


def get(ctx: ExecContext, path: str) -> bytes:
    """rsDataObjGet of a single-buffer object (server/api/src/rsDataObjGet.cpp@5.0.2 L276-305):
    rsDataObjOpen O_RDONLY (acPreprocForDataObjOpen), the read, rsDataObjClose of a read-only
    open (acPostProcForOpen, rsDataObjClose.cpp L598-612)."""
    zone, cat = catalog_for(ctx, path)
    good = [r for r in cat.data_get(path) if r.status == GOOD_REPLICA] \
        if cat.data_exists(path) else []
    if not good:
        return read_bytes(ctx, path)  # the missing object's or replica's error
    row = good[0]
    # rsDataObjGet.cpp@5.0.2 L247: the hierarchy for OPEN; then the open (L1144), l3Read, close.
    peps.resolve_for(ctx, zone, path, peps.OPEN)
    peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, row.repl_num)
    peps.resource_op(ctx, zone, "open", path, row.resc_name, row.repl_num)
    data = read_bytes(ctx, path)
    note_read_open(ctx, zone, path, row.repl_num)
    data = peps.resource_op(ctx, zone, "read", path, row.resc_name, row.repl_num,
                            (None, len(data)), body=lambda: data) or b""
    peps.resource_op(ctx, zone, "close", path, row.resc_name, row.repl_num)
    peps.fire_static(ctx, zone, "acPostProcForOpen", path, row.repl_num)
    return data


def copy(ctx: ExecContext, src: str, dst: str, resc: Optional[str] = None,
         force: bool = False, verify: bool = False, reg_chksum: Optional[str] = None,
         data_type: str = "generic") -> Any:
    """Copy ``src`` to ``dst`` (same or another zone); fires acPostProcForCopy in dst's zone.

    Returns the new ReplicaRow. ``reg_chksum`` registers that checksum on the destination
    (rsync's ``regChksum``); ``verify`` computes and registers the destination checksum.

    Across zones (the source's server copies into another zone: icp, irsync, msiDataObjCopy and
    msiDataObjRsync with the destination in a federated zone) the destination zone serves three
    API calls of the source's server, each between its API PEPs there: DATA_OBJ_OPEN_AND_STAT
    with oprType COPY_DEST (rsDataObjCopy.cpp@5.0.2 L136-139 open_destination_data_obj ->
    rsDataObjOpen.cpp L960-969, remote_open L881-892 -> rcDataObjOpenAndStat; the remote L1
    descriptor keeps oprType, objDesc.cpp L314-316), DATA_OBJ_WRITE (rsDataObjRepl.cpp L1291-1318
    dataObjCopy COPY_TO_REM_OPR -> miscServerFunct.cpp L1305 singleRemLocCopy -> L2345-2383
    singleLocToRemCopy, rsDataObjWrite of the remote descriptor) and DATA_OBJ_CLOSE
    (rsDataObjClose.cpp L795-797 rcDataObjClose; the remote
    rsDataObjClose, whose COPY_DEST fires acPostProcForCopy there). The same in 4.3.4.
    Guess: the sandbox stores the bytes at the open (the write call only carries the count);
    objects above the single-buffer limit would go through a portal instead (preProcParaPut),
    with one write call here all the same.
    """
    data = read_bytes(ctx, src)
    src_zone, src_cat = catalog_for(ctx, src)
    src_repl = next(r.repl_num for r in src_cat.data_get(src) if r.status == GOOD_REPLICA)
    # rsDataObjCopy.cpp@5.0.2 L315-325: the source is opened (acPreprocForDataObjOpen), then
    # the destination (O_CREAT: hierarchy for CREATE, then a new replica or an open).
    peps.resolve_for(ctx, src_zone, src, peps.OPEN)
    peps.fire_static(ctx, src_zone, "acPreprocForDataObjOpen", src, src_repl)
    src_row = next(r for r in src_cat.data_get(src) if r.repl_num == src_repl)
    peps.resource_op(ctx, src_zone, "open", src, src_row.resc_name, src_repl)
    note_read_open(ctx, src_zone, src, src_repl)
    dst_zone, dst_cat = catalog_for(ctx, dst)
    remote = dst_zone != src_zone
    flags = L1.O_CREAT | L1.O_WRONLY | L1.O_TRUNC
    cond = {k: v for k, v in (("destRescName", resc), ("forceFlag", "" if force else None))
            if v is not None}

    def open_destination(inner: ExecContext) -> int:
        existed = dst_cat.data_exists(dst)
        # COPY_DEST is a logical operation: an existing object resolves for WRITE
        # (irods_resource_redirect.cpp@5.0.2 L347-358).
        chosen = peps.resolve_for(inner, dst_zone, dst, peps.CREATE, resc, logical=True)
        if existed:
            old = next((r for r in dst_cat.data_get(dst) if r.status == GOOD_REPLICA), None)
            if old is not None:
                peps.fire_static(inner, dst_zone, "acPreprocForDataObjOpen", dst, old.repl_num)
        row = dst_cat.data_put(dst, data, inner.client_user, resc=chosen or None, force=force,
                               checksum=bool(verify), data_type=data_type or "generic")
        if not existed:
            peps.vault_path(inner, dst_zone, dst, row.repl_num)
            peps.create_replica_file(inner, dst_zone, dst, row)
        else:
            peps.resource_op(inner, dst_zone, "open", dst, row.resc_name, row.repl_num)
        return L1.new_fd(inner.sandbox, {
            "zone": dst_zone, "path": dst, "repl": row.repl_num, "resc": row.resc_name,
            "offset": 0, "write": True, "written": False, "open_flags": flags,
            "opr_type": L1.COPY_DEST, "bytes_written": 0, "data_size": len(data), "cond": cond,
            "open_type": L1.OPEN_FOR_WRITE_TYPE if existed else L1.CREATE_TYPE})

    def write_destination(inner: ExecContext, fd: int) -> None:
        entry = L1.table(inner.sandbox)[fd]
        # rsDataObjWrite: fileNotify(WRITE), then l3Write. Gap: a skipped write still copies.
        peps.resource_op(inner, dst_zone, "notify", dst, entry["resc"], entry["repl"],
                         (peps.WRITE,))
        peps.resource_op(inner, dst_zone, "write", dst, entry["resc"], entry["repl"],
                         (None, len(data)))
        entry.update(written=True, bytes_written=len(data), offset=len(data))

    def close_destination(inner: ExecContext, fd: int) -> Any:
        entry = L1.table(inner.sandbox).pop(fd)
        repl = entry["repl"]
        # rsDataObjClose: fileNotify(WRITE), l3Close, getSizeInVault (fileStat).
        peps.resource_op(inner, dst_zone, "notify", dst, entry["resc"], repl, (peps.WRITE,))
        peps.resource_op(inner, dst_zone, "close", dst, entry["resc"], repl)
        peps.stat_replica(inner, dst_zone, dst, entry["resc"], repl)
        if reg_chksum:
            dst_cat.data_set_checksum(dst, repl, reg_chksum)
        if inner.sandbox.faults.take_transfer_corruption(dst_zone):
            dst_cat.corrupt_replica(dst, repl_num=repl, mode="flip")
        # The destination's rsDataObjClose finalizes (file_modified), then fires Create (or
        # Open for an overwrite) and Copy (rsDataObjClose.cpp@5.0.2 L76-104, L612).
        peps.fire_resource_modified(inner, dst_zone, dst, entry["resc"], repl)
        peps.fire_static(inner, dst_zone, "acPostProcForCreate"
                         if entry["open_type"] == L1.CREATE_TYPE else "acPostProcForOpen",
                         dst, repl)
        peps.fire_static(inner, dst_zone, "acPostProcForCopy", dst, repl)
        return next(r for r in dst_cat.data_get(dst) if r.repl_num == repl)

    if remote:
        inp = structs.data_obj_inp(dst, cond, openFlags=flags, oprType=L1.COPY_DEST,
                                   dataSize=len(data), createMode=0o600)
        fd = peps.api_call(ctx, dst_zone, "data_obj_open_and_stat", [inp, None],
                           open_destination)
    else:
        fd = open_destination(ctx)
    peps.resource_op(ctx, src_zone, "read", src, src_row.resc_name, src_repl, (None, len(data)))
    if remote:
        opened = structs.new(T.OpenedDataObjInp, l1descInx=fd, len=len(data))
        peps.api_call(ctx, dst_zone, "data_obj_write", [opened, structs.bytes_buf(data)],
                      lambda inner: write_destination(inner, fd))
        row = peps.api_call(ctx, dst_zone, "data_obj_close",
                            [structs.new(T.OpenedDataObjInp, l1descInx=fd)],
                            lambda inner: close_destination(inner, fd))
    else:
        write_destination(ctx, fd)
        row = close_destination(ctx, fd)
    # The source closes last (L374-375), a read-only open with nothing written
    # (rsDataObjClose.cpp L598-612, bytesWritten starts at -1, objDesc.cpp L277).
    peps.resource_op(ctx, src_zone, "close", src, src_row.resc_name, src_repl)
    peps.fire_static(ctx, src_zone, "acPostProcForOpen", src, src_repl)
    return row


def checksum(ctx: ExecContext, path: str, force: bool = False, verify: bool = False,
             all_replicas: bool = False, repl_num: Optional[int] = None,
             admin: bool = False, rows: Optional[list] = None) -> str:
    """The (possibly computed) checksum of ``path`` via its zone's catalog (``rows``: its
    replica rows when the caller has just read them, ``catalog.replica_rows``)."""
    _, cat = catalog_for(ctx, path)
    actor = acting_user(ctx, cat, admin)
    return cat.data_checksum(path, actor=actor, repl_num=repl_num, force=force, verify=verify,
                             all_replicas=all_replicas, rows=rows)


def acting_user(ctx: ExecContext, cat: Any, admin: bool) -> Optional[str]:
    """Whom the catalog checks ACLs for: the client, or nobody with the admin keyword.

    ADMIN_KW (``irodsAdmin=``) is refused with CAT_INSUFFICIENT_PRIVILEGE_LEVEL unless the
    client is a rodsadmin of the zone that holds the object (irods server/api/src/
    rsDataObjChksum.cpp@5.0.2 L267-271, rsDataObjUnlink.cpp L164-168, rsRmColl.cpp L317-319,
    rsDataObjRepl.cpp L1175); with it, getDataObjInfo skips the ACL check
    (plugins/database/src/general_query.cpp@5.0.2 L2090 checkCondInputAccess).
    """
    if not admin:
        return ctx.client_user
    if not cat.is_admin(ctx.client_user):
        from b2safe_sandbox.errors import CAT_INSUFFICIENT_PRIVILEGE_LEVEL

        raise IrodsCallError(f"irodsAdmin: {ctx.client_user} is not a rodsadmin of this zone",
                             code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)
    return None


def rsync(ctx: ExecContext, src: str, dst: str, resc: Optional[str] = None) -> int:
    """rsync one object: 0 if checksums agree, else copy (forced, regChksum) and 99999992."""
    src_sum = checksum(ctx, src)
    if exists_data(ctx, dst):
        dst_sum = checksum(ctx, dst)
        if dst_sum and dst_sum == src_sum:
            return 0
    copy(ctx, src, dst, resc=resc, force=True, reg_chksum=src_sum)
    return SYS_RSYNC_TARGET_MODIFIED


def replicate(ctx: ExecContext, path: str, dest_resc: Optional[str],
              src_repl: Optional[int] = None, update: bool = False,
              admin: bool = False, replicate_opr: bool = False,
              num_threads: int = 0) -> Any:
    """rsDataObjRepl of ``path`` to ``dest_resc`` in its zone, with the PEPs the server fires.

    ``replicate_opr``: the client sent oprType REPLICATE_OPR (rcDataObjRepl.cpp@5.0.2 L68, i.e.
    ``irepl``); ``msiDataObjRepl`` parses a string path into a zeroed DataObjInp
    (lib/core/src/msParam.cpp L735-760), so oprType is 0. Sequence (server/api/src/
    rsDataObjRepl.cpp@5.0.2 replicate_data_object L744-932, replicate_data L534-741; the same
    since 4.3.2, see docs/sandbox.md):

    1. the destination's hierarchy is resolved for CREATE: acSetRescSchemeForRepl for
       REPLICATE_OPR, else acSetRescSchemeForCreate (irods_resource_redirect.cpp L62-105, L370);
    2. a destination replica that is already good, or on the source's resource, is not copied:
       only fileModified fires (L875-907: ``pep_resource_modified``), no static PEP;
    3. otherwise the source is opened (acPreprocForDataObjOpen, rsDataObjOpen.cpp L1144), the
       destination created (acSetVaultPathPolicy via getFilePathName, rsDataObjOpen.cpp L286,
       physPath.cpp L262-280) or, when stale, opened (acPreprocForDataObjOpen again);
       getNumThreads (acSetNumThreads, objDesc.cpp L360-430, only above 1 MiB or with threads
       asked for); the copy; the destination is published (fileModified, L264-276), then
       acPostProcForCreate (new) or acPostProcForOpen (stale) and the legacy acPostProcForPut
       (L92-104, L737-739). acPostProcForRepl is only fired by rsDataObjClose (L88-90), which
       replication does not call.
    """
    zone, cat = catalog_for(ctx, path)
    actor = acting_user(ctx, cat, admin)
    if not cat.data_exists(path):
        raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    resc = dest_resc or cat.default_resource
    # L752, L812: the source's hierarchy for OPEN, the destination's for CREATE.
    peps.resolve_for(ctx, zone, path, peps.OPEN)
    peps.resolve_for(ctx, zone, path, peps.CREATE, resc, replicate=replicate_opr)
    rows = cat.data_get(path)
    source = next((r for r in rows if (src_repl is None and r.status == GOOD_REPLICA)
                   or r.repl_num == src_repl), None)
    dest = next((r for r in rows if r.resc_name == resc), None)
    if dest is not None and source is not None and (
            dest.status == GOOD_REPLICA or dest.resc_name == source.resc_name):
        # Permission and source checks still apply (catalog); nothing is copied.
        row = cat.data_replicate(path, resc, actor, src_repl=src_repl, update=update)
        peps.fire_resource_modified(ctx, zone, path, row.resc_name, row.repl_num)
        return row
    if source is not None:
        peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, source.repl_num)
        peps.resource_op(ctx, zone, "open", path, source.resc_name, source.repl_num)
    row = cat.data_replicate(path, resc, actor, src_repl=src_repl, update=update)
    if source is not None:
        note_read_open(ctx, zone, path, source.repl_num)
    if dest is None:
        peps.vault_path(ctx, zone, path, row.repl_num)
        peps.create_replica_file(ctx, zone, path, row)
    else:
        peps.fire_static(ctx, zone, "acPreprocForDataObjOpen", path, row.repl_num)
        peps.resource_op(ctx, zone, "open", path, row.resc_name, row.repl_num)
    peps.num_threads(ctx, zone, int(row.size), num_threads, 0, row.resc_hier or row.resc_name)
    # dataObjCopy, then both replicas closed without a catalog update (L632-660).
    size = (None, int(row.size))
    if source is not None:
        peps.resource_op(ctx, zone, "read", path, source.resc_name, source.repl_num, size)
    peps.resource_op(ctx, zone, "write", path, row.resc_name, row.repl_num, size)
    if source is not None:
        peps.resource_op(ctx, zone, "close", path, source.resc_name, source.repl_num)
    peps.resource_op(ctx, zone, "close", path, row.resc_name, row.repl_num)
    peps.fire_resource_modified(ctx, zone, path, row.resc_name, row.repl_num)
    peps.fire_static(ctx, zone, "acPostProcForCreate" if dest is None else "acPostProcForOpen",
                     path, row.repl_num)
    peps.fire_static(ctx, zone, "acPostProcForPut", path, row.repl_num)
    return row


def unlink(ctx: ExecContext, path: str, force: bool = False, admin: bool = False) -> None:
    """rsDataObjUnlink of a data object, with the static PEPs the server fires.

    Sources (server/api/src/rsDataObjUnlink.cpp@5.0.2, the same at 4.3.5):

    * ``force`` (or a path in the trash): ``_rsDataObjUnlink`` (L386-393) asks
      acDataDeletePolicy for every replica (chkPreProcDeleteRule L110-152: rei.doi the
      replica, condInputData its resource's properties; an error other than
      SYS_DELETE_DISALLOWED refuses the delete), unlinks, then acPostProcForDelete (L415-433);
    * otherwise acTrashPolicy (L395-407, initReiWithDataObjInp) and rsMvDataObjToTrash
      (L154-190: acDataDeletePolicy per replica, the move) whose status is returned at once:
      a move to the trash fires no acPostProcForDelete.

    The policy microservices act through ``rei.status``: msiNoTrashCan in acTrashPolicy makes
    it a real unlink (``NO_TRASH_CAN != rei.status``, L398-412), msiDeleteDisallowed in
    acDataDeletePolicy refuses the delete with SYS_DELETE_DISALLOWED (chkPreProcDeleteRule
    L134-139), even when the rule caught the microservice's error.
    """
    zone, cat = catalog_for(ctx, path)
    if not cat.data_exists(path):
        raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    actor = acting_user(ctx, cat, admin)
    to_trash = not force and not path.startswith(f"/{zone}/trash/")
    # L328-343: the hierarchy for UNLINK; its error stops the delete unless -f (irods#3154).
    try:
        peps.resolve_for(ctx, zone, path, peps.UNLINK)
    except SandboxError:
        if not force:
            raise
    # getDataObjInfoIncSpecColl (L356-370) checks the client's write access first.
    if actor is not None and not cat.check_access(path, actor, "own") and \
            not cat.check_access(path, actor, "modify_object"):
        from b2safe_sandbox.errors import CAT_NO_ACCESS_PERMISSION

        raise IrodsCallError(f"no permission to remove {path}", code=CAT_NO_ACCESS_PERMISSION)
    if to_trash:
        trash = peps.fire_static(ctx, zone, "acTrashPolicy", path, rei_doi=False, cond_resc="",
                                 propagate=True)
        to_trash = trash is None or trash.rei_status != NO_TRASH_CAN
    for row in cat.data_get(path):
        outcome = peps.fire_static(ctx, zone, "acDataDeletePolicy", path, row.repl_num)
        if outcome is not None and outcome.code < 0 and outcome.code != SYS_DELETE_DISALLOWED:
            raise IrodsCallError(f"acDataDeletePolicy refused to delete {path}",
                                 code=outcome.code)
        if outcome is not None and outcome.rei_status == SYS_DELETE_DISALLOWED:
            raise IrodsCallError(f"acDataDeletePolicy disallowed the delete of {path}",
                                 code=SYS_DELETE_DISALLOWED)
    if not to_trash:
        rows = cat.data_get(path)
        failure = _unlink_replicas(ctx, zone, path, rows)
        # rei.doi is the replica list read before the unlink (L415-420); the sandbox's doi
        # keeps only the path, condInputData the first replica's resource. It fires whatever
        # the unlink's status (L415-433).
        peps.fire_static(ctx, zone, "acPostProcForDelete", path,
                         cond_resc=rows[0].resc_hier or rows[0].resc_name)
        if failure is not None:
            raise failure
        return
    # Guess: the trash keeps the path below /zone/trash/home/<user>/ (iRODS adds a
    # timestamp suffix on collisions; here an existing trash entry is replaced).
    rel = path.split("/", 2)[2]
    if rel.startswith("home/"):
        rel = rel[len("home/"):]
    target = f"/{zone}/trash/home/{rel}"
    parent = target.rsplit("/", 1)[0]
    if cat.coll_get(parent) is None:
        cat.coll_create(parent, None, recursive=True)
    if cat.data_exists(target):
        cat.data_unlink(target, None)
    cat.data_rename(path, target, None)


def _unlink_replicas(ctx: ExecContext, zone: str, path: str,
                     rows: list) -> Optional[SandboxError]:
    """dataObjUnlinkS for every replica (rsDataObjUnlink.cpp@5.0.2 L290-300, L560-640): the
    replica is unregistered (rsUnregDataObj: fileUnregistered), then its file unlinked
    (l3Unlink: ``pep_resource_unlink``, whose body removes the vault file). A failure does not
    stop the other replicas; the first is returned (an unlink that failed leaves the file, no
    longer registered)."""
    from b2safe_sandbox import vault

    cat = ctx.sandbox.zone(zone).catalog
    first: Optional[SandboxError] = None
    for row in rows:
        cat.data_unlink(path, None, row.repl_num, keep_files=True)
        try:
            peps.resource_op(ctx, zone, "unregistered", path, row.resc_name, row.repl_num)
            peps.resource_op(ctx, zone, "unlink", path, row.resc_name, row.repl_num,
                             body=lambda phys=row.phys_path: vault.remove(phys))
        except SandboxError as exc:
            first = first or exc
    return first


def rename(ctx: ExecContext, src: str, dst: str) -> None:
    """Rename a data object or collection between acPreProcForObjRename(src, dst) and
    acPostProcForObjRename(src, dst), whose errors propagate."""
    zone, cat = catalog_for(ctx, src)
    dst_zone = ctx.sandbox.zone_of_path(dst)
    if dst_zone != zone:
        from b2safe_sandbox.errors import SYS_NOT_SUPPORTED

        raise IrodsCallError("cannot rename across zones", code=SYS_NOT_SUPPORTED)
    if cat.data_exists(src) or cat.coll_get(src) is not None:
        # rsDataObjRename.cpp@5.0.2 L197-205, L236-245: its error refuses the rename.
        peps.fire_static(ctx, zone, "acPreProcForObjRename", src, args=[src, dst],
                         propagate=True)
    if cat.data_exists(src):
        cat.data_rename(src, dst, ctx.client_user)
    elif cat.coll_get(src) is not None:
        cat.coll_rename(src, dst, ctx.client_user)
    else:
        raise IrodsCallError(f"{src} does not exist", code=USER_FILE_DOES_NOT_EXIST)
    peps.fire_static(ctx, zone, "acPostProcForObjRename", dst, args=[src, dst], propagate=True)


def coll_create(ctx: ExecContext, path: str, parents: bool = False) -> None:
    """Create a collection (``parents``: mkdir -p, no error if it exists)."""
    zone, cat = catalog_for(ctx, path)
    if cat.coll_get(path) is not None:
        if parents:
            return
        raise IrodsCallError(f"{path} exists", code=CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME)
    cat.coll_create(path, ctx.client_user, recursive=parents)
    peps.fire_static(ctx, zone, "acPostProcForCollCreate", None)


def coll_remove(ctx: ExecContext, path: str, recursive: bool = True,
                admin: bool = False) -> None:
    """Remove a collection (and its content when ``recursive``); ``admin``: ADMIN_KW."""
    zone, cat = catalog_for(ctx, path)
    cat.coll_remove(path, acting_user(ctx, cat, admin), recursive=recursive)
    peps.fire_static(ctx, zone, "acPostProcForRmColl", None)
