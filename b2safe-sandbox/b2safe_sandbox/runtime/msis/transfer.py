"""Moving data: msiDataObjLseek, msiDataObjPut, msiDataObjGet, msiDataObjPhymv, msiCollRepl and
msiTarFileCreate (irods server/re/src/reDataObjOpr.cpp@5.0.2).

msiDataObjPut and msiDataObjGet do no transfer on the server: they parse their arguments and ask
the client to do an ordinary put or get (SYS_SVR_TO_CLI_MSI_REQUEST, reDataObjOpr.cpp L1268-1356,
L1419-1480), which irule does with ``rcDataObjPut``/``rcDataObjGet`` on the local file
``localPath`` (or the object's name) relative to its working directory (lib/api/src/
rcExecMyRule.cpp@5.0.2 L41-83). The sandbox's irule runs in this process, so the sandbox does the
same: an iput/iget of a local file by the client user (its API PEPs fire), from that process's
working directory.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_NO_ACCESS_PERMISSION,
    CAT_NO_ROWS_FOUND,
    OVERWRITE_WITHOUT_FORCE_FLAG,
    SYS_NOT_ALLOWED,
    SYS_REPLICA_DOES_NOT_EXIST,
    SYS_RESC_DOES_NOT_EXIST,
    USER_FILE_DOES_NOT_EXIST,
    USER_INCOMPATIBLE_PARAMS,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops, descriptors, peps
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis import keywords, replicas
from b2safe_sandbox.runtime.registry import microservice

USER_PARAM_TYPE_ERR = CODES["USER_PARAM_TYPE_ERR"]
USER__NULL_INPUT_ERR = CODES["USER__NULL_INPUT_ERR"]
BAD_INPUT_DESC_INDEX = CODES["BAD_INPUT_DESC_INDEX"]
SYS_SVR_TO_CLI_MSI_NO_EXIST = CODES["SYS_SVR_TO_CLI_MSI_NO_EXIST"]

_WHENCE = {"SEEK_SET": 0, "SEEK_CUR": 1, "SEEK_END": 2}


def _given(value: object) -> Optional[str]:
    """A string argument, None for 'null' or '' (parseMspForCondInp skips MS_NULL_STR)."""
    text = "" if value is None else str(value)
    return None if text in ("", "null") else text


@microservice("msiDataObjLseek", 4, inputs={0: "intstr", 1: "intstr", 2: "intstr"},
              outputs={3: "LSEEKOUT"})
def msi_data_obj_lseek(call: MsiCall) -> dict:
    """msiDataObjLseek(fd, offset, 'SEEK_SET'|'SEEK_CUR'|'SEEK_END'|n, FileLseekOut_out): the
    new offset (reDataObjOpr.cpp@5.0.2 L401-520; "null" keeps offset 0 / whence SEEK_SET);
    another whence is USER_PARAM_TYPE_ERR; a descriptor that is not open BAD_INPUT_DESC_INDEX
    (server/api/src/rsDataObjLseek.cpp@5.0.2 L24-30)."""
    offset_text, whence_text = str(call.args[1]), str(call.args[2])
    try:
        offset = 0 if offset_text == "null" else int(offset_text, 0)
        if whence_text in _WHENCE:
            whence = _WHENCE[whence_text]
        else:
            whence = 0 if whence_text == "null" else int(whence_text)
    except ValueError:
        raise IrodsCallError("msiDataObjLseek: bad offset or whence",
                             code=USER_PARAM_TYPE_ERR) from None
    if whence not in (0, 1, 2):
        raise IrodsCallError(f"msiDataObjLseek: whence {whence}", code=USER_PARAM_TYPE_ERR)
    entry = descriptors.table(call.sandbox).get(int(call.args[0]))
    if entry is None:
        raise IrodsCallError(f"no open descriptor {call.args[0]}", code=BAD_INPUT_DESC_INDEX)
    rows = call.sandbox.zone(entry["zone"]).catalog.data_get(entry["path"], entry["repl"])
    if whence == 2:
        base = int(rows[0].size) if rows else 0
    else:
        base = entry["offset"] if whence == 1 else 0

    def seek() -> None:
        entry["offset"] = base + offset

    # rsDataObjLseek -> _l3Lseek -> rsFileLseek -> fileLseek (rsDataObjLseek.cpp@5.0.2
    # L83-101, rsFileLseek.cpp L96): the lseek PEPs with the offset and whence.
    peps.resource_op(call.ctx, entry["zone"], "lseek", entry["path"],
                     entry.get("resc") or (rows[0].resc_name if rows else ""), entry["repl"],
                     (offset, whence), body=seek)
    out = T.FileLseekOut()
    out._v["offset"] = entry["offset"]
    return {3: out}


def _client_side(call: MsiCall, name: str) -> None:
    """Only irule answers a server-to-client request (rcExecMyRule.cpp@5.0.2 L41-83).

    Guess: elsewhere (a PEP of another API, the delay server) no client waits for the request;
    the sandbox fails with SYS_SVR_TO_CLI_MSI_NO_EXIST, the code a client gives a request it
    does not know.
    """
    if call.ctx.kind != "irule":
        raise IrodsCallError(f"{name}: no client to transfer the file",
                             code=SYS_SVR_TO_CLI_MSI_NO_EXIST)


def _local_path(opts: dict, path: str) -> Path:
    return Path(opts.get("localPath") or path.rsplit("/", 1)[-1])


@microservice("msiDataObjPut", 4, inputs={0: "str", 1: "str", 2: "str"}, outputs={3: "INT"})
def msi_data_obj_put(call: MsiCall) -> dict:
    """msiDataObjPut(path, resc | 'null', 'localPath=f++++forceFlag=...', status_out): irule
    uploads the local file (USER_FILE_DOES_NOT_EXIST when it is missing, lib/api/src/
    rcDataObjPut.cpp@5.0.2 L80-90)."""
    path = str(call.args[0])
    opts = keywords.for_msi("msiDataObjPut", call.args[2], "localPath")
    resc = opts.get("destRescName") or _given(call.args[1])
    _client_side(call, "msiDataObjPut")
    local = _local_path(opts, path)
    if not local.is_file():
        raise IrodsCallError(f"no local file {local}", code=USER_FILE_DOES_NOT_EXIST)
    call.sandbox.client(call.actor).iput(path, local, resc=resc, force="forceFlag" in opts)
    return {3: 0}


@microservice("msiDataObjGet", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_data_obj_get(call: MsiCall) -> dict:
    """msiDataObjGet(path, 'localPath=f++++forceFlag=', status_out): irule downloads the object;
    an existing local file needs forceFlag (OVERWRITE_WITHOUT_FORCE_FLAG, lib/api/src/
    rcDataObjGet.cpp@5.0.2 L88-94)."""
    path = str(call.args[0])
    opts = keywords.for_msi("msiDataObjGet", call.args[1], "localPath")
    _client_side(call, "msiDataObjGet")
    local = _local_path(opts, path)
    if local.exists() and "forceFlag" not in opts:
        raise IrodsCallError(f"{local} exists", code=OVERWRITE_WITHOUT_FORCE_FLAG)
    local.write_bytes(call.sandbox.client(call.actor).iget(path))
    return {2: 0}


@microservice("msiDataObjPhymv", 6, inputs={i: "str" for i in range(5)}, outputs={5: "INT"})
def msi_data_obj_phymv(call: MsiCall) -> dict:
    """msiDataObjPhymv(path, destResc, srcResc | 'null', replNum | 'null', admin | 'null',
    status_out): move one replica to another resource (replicate, then unlink the source).

    A source (resource or replica number) and a destination are required (USER__NULL_INPUT_ERR),
    not both source forms (USER_INCOMPATIBLE_PARAMS); the source replica must exist
    (SYS_REPLICA_DOES_NOT_EXIST) and be deletable by the client (CAT_NO_ACCESS_PERMISSION)
    (server/api/src/rsDataObjPhymv.cpp@5.0.2 L205-330, L725-790). Guess: a destination that
    already holds a replica is SYS_NOT_ALLOWED (irods::replication::is_allowed); the sandbox
    fires no PEP for the move.
    """
    path = str(call.args[0])
    dest, src_resc, repl_text, admin = (_given(call.args[i]) for i in range(1, 5))
    if src_resc is not None and repl_text is not None:
        raise IrodsCallError("rescName with replNum", code=USER_INCOMPATIBLE_PARAMS)
    if src_resc is None and repl_text is None:
        raise IrodsCallError("phymv needs a source resource or replica number",
                             code=USER__NULL_INPUT_ERR)
    _, cat = dataops.catalog_for(call.ctx, path)
    actor = dataops.acting_user(call.ctx, cat, admin is not None)
    rows = cat.data_get(path)
    if not rows:
        raise IrodsCallError(f"{path}: no such data object", code=CAT_NO_ROWS_FOUND)
    match = [r for r in rows if (src_resc is not None and r.resc_name == src_resc) or
             (repl_text is not None and str(r.repl_num) == repl_text)]
    if not match:
        raise IrodsCallError(f"{path}: no such source replica", code=SYS_REPLICA_DOES_NOT_EXIST)
    if actor is not None and not cat.check_access(path, actor, "own"):
        raise IrodsCallError(f"{actor} may not remove replicas of {path}",
                             code=CAT_NO_ACCESS_PERMISSION)
    if dest is None:
        raise IrodsCallError("phymv needs a destination resource", code=USER__NULL_INPUT_ERR)
    if cat.get_resource(dest) is None:
        raise IrodsCallError(f"no resource {dest}", code=SYS_RESC_DOES_NOT_EXIST)
    if any(r.resc_name == dest for r in rows):
        raise IrodsCallError(f"{path} already has a replica on {dest}", code=SYS_NOT_ALLOWED)
    cat.data_replicate(path, dest, None, src_repl=match[0].repl_num)
    cat.data_unlink(path, None, repl_num=match[0].repl_num)
    return {5: 0}


@microservice("msiCollRepl", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_coll_repl(call: MsiCall) -> dict:
    """msiCollRepl(collection, 'destRescName=r++++...', status_out): msiDataObjRepl for every
    data object below the collection (rsCollRepl; keywords reDataObjOpr.cpp@5.0.2 L2928).
    A missing collection is CAT_NO_ROWS_FOUND (Guess: the collection query finds nothing)."""
    coll = str(call.args[0]).rstrip("/")
    options = str(call.args[1])
    keywords.for_msi("msiCollRepl", options, "destRescName")
    _, cat = dataops.catalog_for(call.ctx, coll)
    if cat.coll_get(coll) is None:
        raise IrodsCallError(f"{coll}: no such collection", code=CAT_NO_ROWS_FOUND)
    for path in _data_paths(cat, coll, call.actor):
        replicas.replicate_one(call, path, options)
    return {2: 0}


def _data_paths(cat: object, coll: str, actor: str) -> list[str]:
    """Every data object path below ``coll`` that ``actor`` can list, sorted."""
    found: list[str] = []
    for kind, name in cat.coll_list(coll, actor):  # type: ignore[attr-defined]
        if kind == "C":
            found.extend(_data_paths(cat, f"{coll}/{name}", actor))
        else:
            found.append(f"{coll}/{name}")
    return sorted(found)


@microservice("msiTarFileCreate", 4, inputs={i: "str" for i in range(4)})
def msi_tar_file_create(call: MsiCall) -> dict:
    """msiTarFileCreate(tarPath, collection, resc | 'null', 'force' | other): a tar data object
    holding the collection's data objects by their paths relative to it
    (reDataObjOpr.cpp@5.0.2 L3184-3240: 'force' adds forceFlag; rsStructFileBundle does the
    work). Guess: as for a put, an existing tar without 'force' is
    OVERWRITE_WITHOUT_FORCE_FLAG and a missing collection USER_FILE_DOES_NOT_EXIST; the member
    headers follow Python's tarfile (the server writes its own), so only the member paths and
    bytes are comparable."""
    tar_path, coll = str(call.args[0]), str(call.args[1]).rstrip("/")
    resc, force = _given(call.args[2]), call.args[3] == "force"
    _, cat = dataops.catalog_for(call.ctx, coll)
    if cat.coll_get(coll) is None:
        raise IrodsCallError(f"{coll}: no such collection", code=USER_FILE_DOES_NOT_EXIST)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in _data_paths(cat, coll, call.actor):
            data = dataops.read_bytes(call.ctx, path)
            member = tarfile.TarInfo(path[len(coll) + 1:])
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    _, tar_cat = dataops.catalog_for(call.ctx, tar_path)
    tar_cat.data_put(tar_path, buffer.getvalue(), call.actor, resc=resc, force=force)
    return {}
