"""Microservices on replicas' files: msiPhyPathReg, msiTarFileExtract, msi_replica_truncate and
msiSetReplComment (irods server/re/src/reDataObjOpr.cpp@5.0.2 L2199-2268, L3041-3144,
L3312-3372; reSysDataObjOpr.cpp L1198-1277).

The sandbox keeps every replica in its own vault: a registered file is copied in (as the
sandbox's ``ireg`` does, :func:`b2safe_sandbox.routes.register`), not pointed at.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any, Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_NO_ACCESS_PERMISSION,
    SYS_INVALID_INPUT_PARAM,
    SYS_REPLICA_DOES_NOT_EXIST,
    SYS_RESC_DOES_NOT_EXIST,
    USER_FILE_DOES_NOT_EXIST,
    USER_PARAM_TYPE_ERR,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops, peps
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis import keywords
from b2safe_sandbox.runtime.msis.policy import DISALLOW_PATH_REG, NO_CHK_PATH_PERM
from b2safe_sandbox.runtime.registry import RETURN_CODE, microservice

USER__NULL_INPUT_ERR = CODES["USER__NULL_INPUT_ERR"]
OBJ_PATH_DOES_NOT_EXIST = CODES["OBJ_PATH_DOES_NOT_EXIST"]
REPLICA_NOT_IN_RESC = CODES["REPLICA_NOT_IN_RESC"]
SYS_COPY_ALREADY_IN_RESC = CODES["SYS_COPY_ALREADY_IN_RESC"]
SYS_REPLICA_INACCESSIBLE = CODES["SYS_REPLICA_INACCESSIBLE"]
UNIX_FILE_TRUNCATE_ERR = CODES["UNIX_FILE_TRUNCATE_ERR"]
UNIX_FILE_STAT_ERR = CODES["UNIX_FILE_STAT_ERR"]
PATH_REG_NOT_ALLOWED = CODES["PATH_REG_NOT_ALLOWED"]
SYS_NOT_SUPPORTED = CODES["SYS_NOT_SUPPORTED"]
SYS_PATH_IS_NOT_A_FILE = CODES["SYS_PATH_IS_NOT_A_FILE"]
EINVAL, ENOENT = 22, 2


def _given(value: object) -> Optional[str]:
    """A string argument, None for 'null' or ''."""
    text = "" if value is None else str(value)
    return None if text in ("", "null") else text


def _is_admin(call: MsiCall) -> bool:
    return bool(call.sandbox.zone(call.ctx.zone).catalog.is_admin(call.actor))


# ------------------------------------------------------------------------- msi_replica_truncate
def _truncate_target(cat: Any, path: str, opts: dict) -> Any:
    """The replica rs_replica_truncate resolves for writing: ``replNum``, the one on
    ``rescName`` (none there: SYS_REPLICA_INACCESSIBLE), else the good one on the zone's default
    resource or the first good one (Guess: the sandbox's stand-in for the WRITE hierarchy
    resolution, rs_replica_truncate.cpp L60-110)."""
    rows = cat.data_get(path)
    if "replNum" in opts:
        row = next((r for r in rows if str(r.repl_num) == opts["replNum"].strip()), None)
        if row is None:
            raise IrodsCallError(f"{path} has no replica {opts['replNum']}",
                                 code=SYS_REPLICA_DOES_NOT_EXIST)
        return row
    if "rescName" in opts:
        row = next((r for r in rows if r.resc_name == opts["rescName"]), None)
        if row is None:
            raise IrodsCallError(f"{path} has no replica on {opts['rescName']}",
                                 code=SYS_REPLICA_INACCESSIBLE)
        return row
    good = [r for r in rows if r.status == 1] or rows
    return next((r for r in good if r.resc_name == cat.default_resource), good[0])


@microservice("msi_replica_truncate", 2, inputs={0: "any"}, outputs={1: "STR"})
def msi_replica_truncate(call: MsiCall) -> dict:
    """msi_replica_truncate('path++++dataSize=N[++++replNum=|rescName=|irodsAdmin=]', out):
    rs_replica_truncate (server/api/src/rs_replica_truncate.cpp@5.0.2 L172-334): ``out`` the
    JSON {"message", "resource_hierarchy", "replica_number"}. Not a string
    USER_PARAM_TYPE_ERR; an unknown keyword USER_BAD_KEYWORD_ERR; no or a missing object
    OBJ_PATH_DOES_NOT_EXIST; rescName with replNum SYS_INVALID_INPUT_PARAM; irodsAdmin from a
    non-admin CAT_INSUFFICIENT_PRIVILEGE_LEVEL; no dataSize UNIX_FILE_TRUNCATE_ERR - EINVAL; a
    replica of that size already: nothing done; else the file is truncated, the replica good
    without checksum and the others stale. Upstream: test_all_rules.py@5.0.2 L2352-2470."""
    if not isinstance(call.args[0], str):
        raise IrodsCallError("msi_replica_truncate needs a string", code=USER_PARAM_TYPE_ERR)
    opts = keywords.for_msi("msi_replica_truncate", call.args[0], "objPath")
    path = opts.get("objPath", "")

    if "rescName" in opts and "replNum" in opts:
        raise IrodsCallError("rescName and replNum cannot be used together",
                             code=SYS_INVALID_INPUT_PARAM)
    admin = "irodsAdmin" in opts
    if admin and not _is_admin(call):
        raise IrodsCallError("irodsAdmin used by a non-admin",
                             code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)
    if not path.startswith("/"):
        raise IrodsCallError(f"{path!r} does not exist", code=OBJ_PATH_DOES_NOT_EXIST)
    _, cat = dataops.catalog_for(call.ctx, path)
    if not cat.data_exists(path):
        raise IrodsCallError(f"{path} does not exist", code=OBJ_PATH_DOES_NOT_EXIST)
    actor = None if admin else call.actor
    if actor is not None and not cat.check_access(path, actor, "modify_object"):
        raise IrodsCallError(f"no permission to write {path}", code=CAT_NO_ACCESS_PERMISSION)
    zone = call.sandbox.zone_of_path(path)
    # L248 (get_data_object_info_and_resolve_hierarchy, L60-126): the hierarchy for WRITE.
    peps.resolve_for(call.ctx, zone, path, peps.WRITE)
    row = _truncate_target(cat, path, opts)
    try:
        size = int(opts.get("dataSize", "-1"))
    except ValueError:
        size = 0  # Guess: atoll of a non-number
    message = ""
    if size < 0:
        raise IrodsCallError(f"cannot truncate {path} to {size}",
                             code=UNIX_FILE_TRUNCATE_ERR - EINVAL)
    if size != row.size:
        # truncate_replica (L128-145): rsFileTruncate -> fileTruncate between the truncate PEPs.
        peps.resource_op(call.ctx, zone, "truncate", path, row.resc_name, row.repl_num,
                         body=lambda: cat.data_truncate(path, row.repl_num, size, actor))
    else:
        message = (f"rs_replica_truncate: Replica of [{path}] on [{row.resc_hier or row.resc_name}]"
                   f" already has size [{size}].")
    out = {"message": message, "resource_hierarchy": row.resc_hier or row.resc_name,
           "replica_number": row.repl_num}
    return {1: json.dumps(out)}


# --------------------------------------------------------------------------- msiSetReplComment
@microservice("msiSetReplComment", 4, inputs={0: "any", 1: "any", 2: "any", 3: "any"})
def msi_set_repl_comment(call: MsiCall) -> dict:
    """msiSetReplComment(dataId, path, replNum, comment): DATA_COMMENTS of the replica through
    rsModDataObjMeta (reSysDataObjOpr.cpp@5.0.2 L1198-1277): neither id nor path, or no
    comment, USER__NULL_INPUT_ERR; the replica's status is returned. Guess: the sandbox finds
    the object by its path only (an id alone: USER_FILE_DOES_NOT_EXIST); write access is
    needed (CAT_NO_ACCESS_PERMISSION)."""
    path = _given(call.args[1])
    comment = _given(call.args[3])
    if (_given(call.args[0]) is None and path is None) or comment is None:
        raise IrodsCallError("msiSetReplComment: no object or no comment",
                             code=USER__NULL_INPUT_ERR)
    if path is None:
        raise IrodsCallError("the sandbox finds objects by path", code=USER_FILE_DOES_NOT_EXIST)
    try:
        repl = int(str(call.args[2]).strip() or 0)
    except ValueError:
        repl = 0
    _, cat = dataops.catalog_for(call.ctx, path)
    cat.data_set_comment(path, repl, comment, call.actor)
    return {}


# ------------------------------------------------------------------------------ msiTarFileExtract
@microservice("msiTarFileExtract", 4, inputs={0: "any", 1: "any", 2: "any"},
              outputs={3: "INT"})
def msi_tar_file_extract(call: MsiCall) -> dict:
    """msiTarFileExtract(tarPath, collection, resc | 'null', status_out): every file of the tar
    data object registered below ``collection`` (reDataObjOpr.cpp L3041-3144,
    rsStructFileExtAndReg: server/api/src/rsStructFileExtAndReg.cpp@5.0.2 L110-253): a missing
    tar REPLICA_NOT_IN_RESC; a missing collection is made (rsMkCollR, L257-283), then 'own' is
    needed on it (ACCESS_DELETE_OBJECT, L294-310); an object already there
    SYS_COPY_ALREADY_IN_RESC (regSubFile L463-474). Arguments that are not strings
    UNKNOWN_PARAM_IN_RULE_ERR. Guess: the tar is read with Python's tarfile; members that are
    not files are skipped."""
    for index in (0, 1):
        if not isinstance(call.args[index], str):
            raise IrodsCallError("msiTarFileExtract needs strings",
                                 code=CODES["UNKNOWN_PARAM_IN_RULE_ERR"])
    tar_path, coll = call.text(0), call.text(1).rstrip("/")
    resc = _given(call.args[2]) if isinstance(call.args[2], str) else None
    _, tar_cat = dataops.catalog_for(call.ctx, tar_path)
    if not tar_cat.data_exists(tar_path):
        raise IrodsCallError(f"{tar_path} does not exist", code=REPLICA_NOT_IN_RESC)
    if resc is not None and tar_cat.get_resource(resc) is None:
        raise IrodsCallError(f"no resource {resc}", code=SYS_RESC_DOES_NOT_EXIST)
    data = dataops.read_bytes(call.ctx, tar_path)
    _, cat = dataops.catalog_for(call.ctx, coll)
    if cat.coll_get(coll) is None:
        cat.coll_create(coll, call.actor, recursive=True)
    if not cat.check_access(coll, call.actor, "own"):
        raise IrodsCallError(f"no permission to write {coll}", code=CAT_NO_ACCESS_PERMISSION)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for member in members:
            target = f"{coll}/{member.name.lstrip('./')}"
            if cat.data_exists(target):
                raise IrodsCallError(f"{target} is already in use",
                                     code=SYS_COPY_ALREADY_IN_RESC)
        for member in members:
            target = f"{coll}/{member.name.lstrip('./')}"
            parent = target.rsplit("/", 1)[0]
            if cat.coll_get(parent) is None:
                cat.coll_create(parent, call.actor, recursive=True)
            extracted = tar.extractfile(member)
            content = extracted.read() if extracted is not None else b""
            cat.data_put(target, content, call.actor, resc=resc)
    return {3: 0}


# ---------------------------------------------------------------------------------- msiPhyPathReg
def _path_check(call: MsiCall, path: str) -> int:
    """getchkPathPerm (server/core/src/physPath.cpp@5.0.2 L418-475): NO_CHK_PATH_PERM for a
    local rodsadmin; otherwise acSetChkFilePathPerm decides through rei.status (default
    DISALLOW_PATH_REG)."""
    if _is_admin(call):
        return NO_CHK_PATH_PERM
    outcome = peps.fire_static(call.ctx, call.ctx.zone, "acSetChkFilePathPerm", path,
                               rei_doi=False)
    return outcome.rei_status if outcome is not None else DISALLOW_PATH_REG


@microservice("msiPhyPathReg", 5, inputs={0: "any", 1: "any", 2: "any", 3: "any"},
              outputs={4: "INT"})
def msi_phy_path_reg(call: MsiCall) -> dict:
    """msiPhyPathReg(path, resc, filePath, 'null'|'collection'|..., status_out): register a
    file of the server's disk as data object ``path`` (rs_register_physical_path:
    plugins/api/src/register_physical_path.cpp@5.0.2 L1117-1330, filePathReg L345-445,
    dirPathReg L448-660 for 'collection'). A non-admin needs acSetChkFilePathPerm to allow it
    (DISALLOW_PATH_REG: PATH_REG_NOT_ALLOWED, server/core/src/fileOpr.cpp L380-425); an empty
    name USER_INPUT_PATH_ERR; a missing file UNIX_FILE_STAT_ERR - ENOENT; a directory without
    'collection' SYS_PATH_IS_NOT_A_FILE. Gap: mountPoint, linkPoint and unmount
    (SYS_NOT_SUPPORTED), DO_CHK_PATH_PERM's vault test; Guess: the file is copied into the
    vault."""
    path = call.text(0)
    opts = keywords.parse(call.args[1], {"destRescName"}, "destRescName")
    resc = opts.get("destRescName") or None
    file_path = _given(call.args[2]) or ""
    mode = _given(call.args[3]) if isinstance(call.args[3], str) else None
    if not isinstance(call.args[3], str):
        raise IrodsCallError("msiPhyPathReg: bad option", code=USER_PARAM_TYPE_ERR)
    if mode in ("mountPoint", "linkPoint", "unmount"):
        raise IrodsCallError(f"{mode} is not emulated", code=SYS_NOT_SUPPORTED)
    if not path.rstrip("/").rsplit("/", 1)[-1]:
        raise IrodsCallError(f"{path!r} has no object name", code=CODES["USER_INPUT_PATH_ERR"])
    check = _path_check(call, path)
    if check == DISALLOW_PATH_REG:
        raise IrodsCallError("path registration not allowed", code=PATH_REG_NOT_ALLOWED)
    source = Path(file_path)
    if not source.exists():
        raise IrodsCallError(f"{file_path} does not exist", code=UNIX_FILE_STAT_ERR - ENOENT)
    _, cat = dataops.catalog_for(call.ctx, path)
    if resc is not None and cat.get_resource(resc) is None:
        raise IrodsCallError(f"no resource {resc}", code=SYS_RESC_DOES_NOT_EXIST)
    if mode == "collection":
        _register_tree(call, cat, path, source, resc)
        return {4: 0, RETURN_CODE: 0}
    if source.is_dir():
        raise IrodsCallError(f"{file_path} is a directory", code=SYS_PATH_IS_NOT_A_FILE)
    if cat.data_exists(path):
        raise IrodsCallError(f"{path} exists", code=CODES["CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME"])
    row = cat.data_put(path, source.read_bytes(), call.actor, resc=resc)
    peps.fire_static(call.ctx, call.ctx.zone, "acPostProcForFilePathReg", path, row.repl_num)
    return {4: 0}


def _register_tree(call: MsiCall, cat: Any, coll: str, root: Path,
                   resc: Optional[str]) -> None:
    """dirPathReg: the directory's files below ``coll`` (collections made as needed)."""
    if not root.is_dir():
        raise IrodsCallError(f"{root} is not a directory", code=USER_FILE_DOES_NOT_EXIST)
    for directory, _, files in sorted(os.walk(root)):
        rel = os.path.relpath(directory, root)
        target_coll = coll if rel == "." else f"{coll}/{rel}"
        if cat.coll_get(target_coll) is None:
            cat.coll_create(target_coll, call.actor, recursive=True)
        for name in sorted(files):
            target = f"{target_coll}/{name}"
            row = cat.data_put(target, (Path(directory) / name).read_bytes(), call.actor,
                               resc=resc)
            peps.fire_static(call.ctx, call.ctx.zone, "acPostProcForFilePathReg", target,
                             row.repl_num)
