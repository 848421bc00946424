"""The policy microservices a PEP calls to steer the server: they set ``rei.status`` (and
``rei.rescName``), which the server reads after the PEP (irods
server/re/src/reSysDataObjOpr.cpp@5.0.2; the same at 4.3.5).

* msiNoTrashCan (in acTrashPolicy) and msiDeleteDisallowed (in acDataDeletePolicy) change
  what ``irm`` does (:func:`b2safe_sandbox.runtime.dataops.unlink`, rsDataObjUnlink.cpp
  L134-139, L398-412);
* msiSetDefaultResc (acSetRescSchemeForCreate) sets ``rei.rescName``, the create's resource;
  msiSetNumThreads
  (acSetNumThreads) the thread count; the other setters only their status: the sandbox has no
  vault path schemes, parallel transfers, path registration checks or API permission table to
  steer, so their effect on later operations is not emulated (docs/sandbox.md).

A setter returns its status (PREP's ``code`` of the call); a negative one is an error.
"""

from __future__ import annotations

import re
from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import RETURN_CODE, microservice
from b2safe_sandbox.runtime.rei import rei_for

SYS_DELETE_DISALLOWED = CODES["SYS_DELETE_DISALLOWED"]
MSI_OPERATION_NOT_ALLOWED = CODES["MSI_OPERATION_NOT_ALLOWED"]
SYS_INPUT_PERM_OUT_OF_RANGE = CODES["SYS_INPUT_PERM_OUT_OF_RANGE"]
USER_DIRECT_RESC_INPUT_ERR = CODES["USER_DIRECT_RESC_INPUT_ERR"]
USER_NO_RESC_INPUT_ERR = CODES["USER_NO_RESC_INPUT_ERR"]
SYS_RESC_DOES_NOT_EXIST = CODES["SYS_RESC_DOES_NOT_EXIST"]
SYS_NO_API_PRIV = CODES["SYS_NO_API_PRIV"]
ACTION_FAILED_ERR = CODES["ACTION_FAILED_ERR"]
SYS_INTERNAL_NULL_INPUT_ERR = CODES["SYS_INTERNAL_NULL_INPUT_ERR"]

#: lib/core/include/irods/objInfo.h@5.0.2 L245-263.
DISALLOW_PATH_REG, NO_CHK_PATH_PERM, DO_CHK_PATH_PERM, CHK_NON_VAULT_PATH_PERM = 0, 1, 2, 3
NO_TRASH_CAN = 1
#: RESC_QUOTA_OFF/ON (lib/api/include/irods/getRescQuota.h@5.0.2 L10-11).
RESC_QUOTA_OFF, RESC_QUOTA_ON = 0, 1
#: MAX_NUM_CONFIG_TRAN_THR (lib/core/include/irods/rodsDef.h@5.0.2 L79); the defaults of
#: default_number_of_transfer_threads and transfer_buffer_size_for_parallel_transfer_in_megabytes
#: (packaging/server_config.json.template.in@5.0.2 L6, L26).
MAX_NUM_CONFIG_TRAN_THR = 64
DEFAULT_TRANSFER_THREADS = 4
TRANSFER_BUFFER_MB = 4
MB = 1024 * 1024


def set_status(call: MsiCall, status: int) -> dict:
    """Put ``status`` into the caller's ``rei.status`` and return it as the call's status.

    Raises:
        IrodsCallError: ``status`` when it is negative (the microservice failed).
    """
    rei = rei_for(call.ctx)
    rei._v["status"] = int(status)
    if status < 0:
        raise IrodsCallError(f"{call.name} returned {status}", code=status)
    return {RETURN_CODE: int(status)}


def _is_local_admin(call: MsiCall, user: str) -> bool:
    """authFlag >= LOCAL_PRIV_USER_AUTH: a rodsadmin of the zone running the rule."""
    return bool(call.sandbox.zone(call.ctx.zone).catalog.is_admin(user))


def _atoi(text: Any) -> int:
    match = re.match(r"\s*([+-]?\d+)", str(text))
    return int(match.group(1)) if match else 0


def _multi(text: str) -> list[str]:
    """parseMultiStr: the '%'-separated items (empty items dropped)."""
    return [item for item in str(text).split("%") if item]


@microservice("msiNoTrashCan", 0)
def msi_no_trash_can(call: MsiCall) -> dict:
    """msiNoTrashCan(): rei.status NO_TRASH_CAN (L812-816); in acTrashPolicy an ``irm``
    unlinks instead of moving to the trash."""
    return set_status(call, NO_TRASH_CAN)


@microservice("msiDeleteDisallowed", 0)
def msi_delete_disallowed(call: MsiCall) -> dict:
    """msiDeleteDisallowed(): rei.status SYS_DELETE_DISALLOWED and that error (L639-646); in
    acDataDeletePolicy the delete is refused."""
    return set_status(call, SYS_DELETE_DISALLOWED)


@microservice("msiOprDisallowed", 0)
def msi_opr_disallowed(call: MsiCall) -> dict:
    """msiOprDisallowed(): rei.status and error MSI_OPERATION_NOT_ALLOWED (L678-685)."""
    return set_status(call, MSI_OPERATION_NOT_ALLOWED)


@microservice("msiNoChkFilePathPerm", 0)
def msi_no_chk_file_path_perm(call: MsiCall) -> dict:
    """msiNoChkFilePathPerm(): rei.status NO_CHK_PATH_PERM (L719-723)."""
    return set_status(call, NO_CHK_PATH_PERM)


_PATH_PERM = {"doChkPathPerm": DO_CHK_PATH_PERM, "noChkPathPerm": NO_CHK_PATH_PERM,
              "chkNonVaultPathPerm": CHK_NON_VAULT_PATH_PERM,
              "disallowPathReg": DISALLOW_PATH_REG}


@microservice("msiSetChkFilePathPerm", 1, inputs={0: "str"})
def msi_set_chk_file_path_perm(call: MsiCall) -> dict:
    """msiSetChkFilePathPerm(type): rei.status from doChkPathPerm, noChkPathPerm,
    chkNonVaultPathPerm or disallowPathReg; anything else DISALLOW_PATH_REG (L756-780)."""
    return set_status(call, _PATH_PERM.get(call.text(0), DISALLOW_PATH_REG))


@microservice("msiSetRescQuotaPolicy", 1, inputs={0: "str"})
def msi_set_resc_quota_policy(call: MsiCall) -> dict:
    """msiSetRescQuotaPolicy('on'|other): RESC_QUOTA_ON or _OFF (L1146-1161)."""
    return set_status(call, RESC_QUOTA_ON if call.text(0) == "on" else RESC_QUOTA_OFF)


@microservice("msiSetRandomScheme", 0)
def msi_set_random_scheme(call: MsiCall) -> dict:
    """msiSetRandomScheme(): the RANDOM vault path scheme for acSetVaultPathPolicy, status 0
    (L1084-1113). The sandbox's vault paths do not follow a scheme."""
    return set_status(call, 0)


@microservice("msiSetGraftPathScheme", 2, inputs={0: "str", 1: "str"})
def msi_set_graft_path_scheme(call: MsiCall) -> dict:
    """msiSetGraftPathScheme('yes'|'no', trimDirCnt): SYS_INPUT_PERM_OUT_OF_RANGE for another
    word or a count not starting with a digit, else status 0 (L989-1051)."""
    add_user, trim = call.text(0), call.text(1)
    if add_user not in ("yes", "no") or not trim[:1].isdigit():
        return set_status(call, SYS_INPUT_PERM_OUT_OF_RANGE)
    return set_status(call, 0)


@microservice("msiSetPublicUserOpr", 1, inputs={0: "str"})
def msi_set_public_user_opr(call: MsiCall) -> dict:
    """msiSetPublicUserOpr('read%query'): status 0 for 'null' or nothing; otherwise the client
    must be a rodsadmin (SYS_NO_API_PRIV, returned without touching rei.status) (L851-919).
    The sandbox has no user 'public' API table to open."""
    opr = call.text(0)
    if not opr or opr == "null":
        return set_status(call, 0)
    rei_for(call.ctx)._v["status"] = 0
    if not _is_local_admin(call, call.actor):
        raise IrodsCallError("msiSetPublicUserOpr needs a rodsadmin", code=SYS_NO_API_PRIV)
    return {}


@microservice("msiSetNoDirectRescInp", 1, inputs={0: "str"})
def msi_set_no_direct_resc_inp(call: MsiCall) -> dict:
    """msiSetNoDirectRescInp('r1%r2'): USER_DIRECT_RESC_INPUT_ERR when a non-admin proxy named
    one of them (destRescName, defRescName or rescName of rei.doinp) (L120-175)."""
    listed = call.text(0)
    rei = rei_for(call.ctx)
    rei._v["status"] = 0
    if not listed or listed == "null" or _is_local_admin(call, call.ctx.proxy_user):
        return {}
    named = _named_resource(rei)
    if named is not None and named in _multi(listed):
        return set_status(call, USER_DIRECT_RESC_INPUT_ERR)
    return {}


def _named_resource(rei: Any) -> Any:
    """The resource the client named in rei.doinp's condInput (destRescName, defRescName,
    rescName in that order), or None."""
    doinp = rei.doinp
    if doinp is None:
        return None
    items = dict(T._kvp_items(doinp.condInput)) if doinp.condInput is not None else {}
    for key in ("destRescName", "defRescName", "rescName"):
        if key in items:
            return items[key].strip()
    return None


@microservice("msiSetDataObjPreferredResc", 1, inputs={0: "str"})
def msi_set_data_obj_preferred_resc(call: MsiCall) -> dict:
    """msiSetDataObjPreferredResc('r1%r2'): reorders rei.doi's replica list; status 1 when a
    listed resource holds one of several replicas, else 0 (L212-253). The sandbox's rei.doi
    is a single replica, so the status is 0."""
    return set_status(call, 0)


@microservice("msiSetDataObjAvoidResc", 1, inputs={0: "str"})
def msi_set_data_obj_avoid_resc(call: MsiCall) -> dict:
    """msiSetDataObjAvoidResc(resc): moves replicas on ``resc`` to the end of rei.doi's list;
    status 1 if one moved (L285-305). Guess: with the sandbox's single-replica rei.doi it is
    moved only when it is on ``resc`` and there are others (never), so 0."""
    return set_status(call, 0)


@microservice("msiSetDefaultResc", 2, inputs={0: "str", 1: "str"})
def msi_set_default_resc(call: MsiCall) -> dict:
    """msiSetDefaultResc('r1%r2', 'null'|'forced'|'preferred'): irods::set_default_resource
    (server/core/src/irods_resource_backport.cpp@5.0.2 L298-427): the last live resource of
    the list, unless the client named a live one (rei.doinp) and the option is not 'forced' for
    a non-admin; the choice goes to rei.rescName (reSysDataObjOpr.cpp L58-83). No list and no doinp:
    USER_NO_RESC_INPUT_ERR; nothing live: SYS_RESC_DOES_NOT_EXIST.

    The create (put, open with O_CREAT, copy) then uses rei.rescName
    (:func:`b2safe_sandbox.runtime.peps.resc_scheme`). Gap: acSetRescSchemeForRepl's choice is
    not read.
    """
    listed, option = call.text(0), call.text(1)
    rei = rei_for(call.ctx)
    cat = call.sandbox.zone(call.ctx.zone).catalog

    def live(name: str) -> bool:
        return bool(name) and cat.get_resource(name) is not None

    if not listed and rei.doinp is None:
        return _choose(call, rei, "", USER_NO_RESC_INPUT_ERR)
    named = "" if (listed != "null" and option == "forced"
                   and not _is_local_admin(call, call.ctx.proxy_user)) else (
        _named_resource(rei) or "")
    default = ""
    for name in listed.split("%"):
        if live(name):
            default = name
    if option == "preferred" and named and live(named):
        return _choose(call, rei, named, 0)
    if option == "forced" and not _is_local_admin(call, call.actor):
        return _choose(call, rei, default, 0)
    if live(named):
        return _choose(call, rei, named, 0)
    if live(default):
        return _choose(call, rei, default, 0)
    return _choose(call, rei, "", SYS_RESC_DOES_NOT_EXIST)


def _choose(call: MsiCall, rei: Any, resc: str, status: int) -> dict:
    T._fill(rei, rescName=resc)
    return set_status(call, status)


@microservice("msiSetNumThreads", 3, inputs={0: "str", 1: "str", 2: "str"})
def msi_set_num_threads(call: MsiCall) -> dict:
    """msiSetNumThreads(sizePerThrInMb|'default', maxNumThr|'default', windowSize): rei.status
    the thread count from rei.doinp's dataSize and numThreads (L486-608, with the server
    defaults of 4 threads and 4 MiB buffers): no doinp: the default count; maxNumThr 0: 0;
    a thread count asked for: dataSize / buffer + 1 capped by it; otherwise dataSize /
    sizePerThr + 1; at most maxNumThr (negative: the default; above 64: 64)."""
    size_text, max_text = call.text(0), call.text(1)
    rei = rei_for(call.ctx)
    per_thread = TRANSFER_BUFFER_MB * MB
    if size_text != "default" and _atoi(size_text) * MB > 0:
        per_thread = _atoi(size_text) * MB
    doinp = rei.doinp
    if doinp is None:
        return set_status(call, DEFAULT_TRANSFER_THREADS)
    if max_text == "default":
        max_threads = DEFAULT_TRANSFER_THREADS
    else:
        max_threads = _atoi(max_text)
        if max_threads < 0:
            max_threads = DEFAULT_TRANSFER_THREADS
        elif max_threads == 0:
            return set_status(call, 0)
        max_threads = min(max_threads, MAX_NUM_CONFIG_TRAN_THR)
    size = int(doinp.dataSize)
    if int(doinp.numThreads) > 0:
        count = min(size // (TRANSFER_BUFFER_MB * MB) + 1, int(doinp.numThreads))
    else:
        count = size // per_thread + 1
    return set_status(call, min(count, max_threads))


@microservice("msiSetDataTypeFromExt", 0)
def msi_set_data_type_from_ext(call: MsiCall) -> dict:
    """msiSetDataTypeFromExt(): status 0 without rei.doi or an extension; otherwise the
    catalog's data_type token whose value2 lists the extension (L339-445). Guess: the
    sandbox's catalog has no data_type tokens with extensions, so nothing is registered."""
    return set_status(call, 0)


@microservice("msiCheckOwner", 0)
def msi_check_owner(call: MsiCall) -> dict:
    """msiCheckOwner(): 0 when rei.doi's owner is the client, else ACTION_FAILED_ERR
    (server/re/src/icatGeneralMS.cpp@5.0.2 L43-51). Guess: without a rei.doi (outside a data
    PEP) the server dereferences NULL; the sandbox answers SYS_INTERNAL_NULL_INPUT_ERR."""
    doi = rei_for(call.ctx).doi
    if doi is None:
        raise IrodsCallError("msiCheckOwner: no rei.doi", code=SYS_INTERNAL_NULL_INPUT_ERR)
    user = call.ctx.user_name, call.ctx.user_zone
    if (str(doi.dataOwnerName), str(doi.dataOwnerZone)) != user:
        raise IrodsCallError("msiCheckOwner: not the owner", code=ACTION_FAILED_ERR)
    return {}


@microservice("msiCheckPermission", 1, inputs={0: "str"})
def msi_check_permission(call: MsiCall) -> dict:
    """msiCheckPermission(perm): 0 when ``perm`` is a substring of rei.doi->dataAccess, else
    ACTION_FAILED_ERR (icatGeneralMS.cpp@5.0.2 L52-61). Guess: no rei.doi as for
    msiCheckOwner; the sandbox's rei.doi leaves dataAccess empty (as the server's data PEPs
    do), so only '' matches."""
    doi = rei_for(call.ctx).doi
    if doi is None:
        raise IrodsCallError("msiCheckPermission: no rei.doi", code=SYS_INTERNAL_NULL_INPUT_ERR)
    if call.text(0) not in str(getattr(doi, "dataAccess", "") or ""):
        raise IrodsCallError("msiCheckPermission: no such permission", code=ACTION_FAILED_ERR)
    return {}
