"""Checksums and replication: msiDataObjChksum and msiDataObjRepl (prep-runtime.md §7).

Both parse their keyword string as the server does (:mod:`.keywords`: an unknown keyword is
USER_BAD_KEYWORD_ERR) and give the codes of irods server/api/src/rsDataObjChksum.cpp and
rsDataObjRepl.cpp (5.0.2; 4.3.4 behaves the same for what a rule can see). Failures on a missing
object are CAT_NO_ROWS_FOUND, which PREP returns as ``status False`` instead of raising.
"""

from __future__ import annotations

from typing import Any, Optional

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_NO_ROWS_FOUND,
    CHECK_VERIFICATION_RESULTS,
    SYS_INVALID_INPUT_PARAM,
    SYS_NO_GOOD_REPLICA,
    SYS_NOT_ALLOWED,
    SYS_REPLICA_DOES_NOT_EXIST,
    SYS_RESC_DOES_NOT_EXIST,
    USER_INCOMPATIBLE_PARAMS,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis import keywords
from b2safe_sandbox.runtime.registry import microservice

CAT_NO_CHECKSUM_FOR_REPLICA = CODES["CAT_NO_CHECKSUM_FOR_REPLICA"]
SYS_REPLICA_INACCESSIBLE = CODES["SYS_REPLICA_INACCESSIBLE"]
SYS_USER_NO_PERMISSION = CODES["SYS_USER_NO_PERMISSION"]


def _replica_number(opts: dict) -> Optional[int]:
    value = opts.get("replNum")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise IrodsCallError(f"bad replica number {value!r}",
                             code=SYS_INVALID_INPUT_PARAM) from None


def _rows_or_no_rows(cat: object, path: str, repl: Optional[int]) -> list:
    """The replicas of ``path``; CAT_NO_ROWS_FOUND when there is no such object, and
    SYS_REPLICA_DOES_NOT_EXIST for a named replica that is not there (irods
    server/core/src/irods_file_object.cpp@5.0.2 L335-358, file_object_factory)."""
    rows = cat.data_get(path)  # type: ignore[attr-defined]
    _require_replicas(path, repl, [r.repl_num for r in rows])
    return rows


def _require_replicas(path: str, repl: Optional[int], numbers: list[int]) -> None:
    """:func:`_rows_or_no_rows`' checks on the replica numbers of ``path``."""
    if not numbers:
        raise IrodsCallError(f"{path}: no such data object", code=CAT_NO_ROWS_FOUND)
    if repl is not None and repl not in numbers:
        raise IrodsCallError(f"{path} has no replica {repl}", code=SYS_REPLICA_DOES_NOT_EXIST)


@microservice("msiDataObjChksum", 3, inputs={0: "str", 1: "str"}, outputs={2: "STR"})
def msi_data_obj_chksum(call: MsiCall) -> dict:
    """msiDataObjChksum(path, 'forceChksum=++++verifyChksum=++++ChksumAll=++++replNum=n
    ++++irodsAdmin=', checksum_out).

    Without ``verifyChksum`` the registered checksum comes back (computed and registered when
    missing or with ``forceChksum``; a named replica may be stale; with ``ChksumAll`` every good
    replica, and '' when they differ). With ``verifyChksum`` (any value) the replicas are
    verified (:meth:`Data.data_verify`): any finding is CHECK_VERIFICATION_RESULTS, a clean
    result gives '' (irods test_all_rules.py@5.0.2 L1772-1807, issue 7859). ``forceChksum``
    with ``verifyChksum``, and ``ChksumAll`` with ``replNum``: USER_INCOMPATIBLE_PARAMS
    (rsDataObjChksum.cpp@5.0.2 L246-264, L391-403); the admin keyword from a non-rodsadmin:
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL (L267-271).
    """
    path = str(call.args[0])
    opts = keywords.for_msi("msiDataObjChksum", call.args[1], keywords.KEY_WORD)
    repl = _replica_number(opts)
    _, cat = dataops.catalog_for(call.ctx, path)
    # resolve_resource_hierarchy first (L554-563); the rows read here serve the rest too.
    rows = cat.replica_rows(path)
    _require_replicas(path, repl, [row["repl_num"] for row in rows])
    all_repl, admin = "ChksumAll" in opts, "irodsAdmin" in opts
    if all_repl and repl is not None:
        raise IrodsCallError("ChksumAll with replNum", code=USER_INCOMPATIBLE_PARAMS)
    if "verifyChksum" in opts:
        if "forceChksum" in opts:
            raise IrodsCallError("verifyChksum with forceChksum", code=USER_INCOMPATIBLE_PARAMS)
        actor = dataops.acting_user(call.ctx, cat, admin)
        findings = cat.data_verify(path, actor=actor, repl_num=repl, rows=rows)
        if findings:
            for severity, code, text in findings:
                call.sandbox.log(call.ctx.zone,
                                 f"msiDataObjChksum {path}: {severity} {code} {text}")
            raise IrodsCallError(f"{path}: verification found {len(findings)} problem(s)",
                                 code=CHECK_VERIFICATION_RESULTS)
        return {2: ""}
    value = dataops.checksum(call.ctx, path, force="forceChksum" in opts,
                             all_replicas=all_repl, repl_num=repl, admin=admin, rows=rows)
    if all_repl and not value:
        call.sandbox.log(call.ctx.zone, f"msiDataObjChksum: USER_CHKSUM_MISMATCH for {path}")
    return {2: value}


def _checksum_mode(opts: dict) -> str:
    """'verify', 'register', 'none' (verifyChksum=0) or '' from msiDataObjRepl's keywords;
    USER_INCOMPATIBLE_PARAMS for a computing keyword with verifyChksum=0 or forceChksum with
    verifyChksum (reDataObjOpr.cpp@5.0.2 L995-1027; test_all_rules.py@5.0.2 L1868-2040,
    issue 5927)."""
    verify_value = opts.get("verifyChksum")
    verify = verify_value is not None and verify_value != "0"
    register = "forceChksum" in opts
    no_compute = verify_value == "0"
    if ((verify or register) and no_compute) or (verify and register):
        raise IrodsCallError("incompatible checksum keywords", code=USER_INCOMPATIBLE_PARAMS)
    return "verify" if verify else "register" if register else "none" if no_compute else ""


def _source(cat: object, path: str, rows: list, opts: dict, repl: Optional[int]) -> Optional[int]:
    """The source replica number (None: the server's choice among good replicas).

    A named source resource must exist (SYS_RESC_DOES_NOT_EXIST) and hold a replica
    (SYS_REPLICA_INACCESSIBLE); the source must be good (SYS_NOT_ALLOWED) (irods
    server/core/src/irods_resource_redirect.cpp@5.0.2 L23-47; rsDataObjRepl.cpp@5.0.2
    L786-806, L968-993; test_irepl.py@5.0.2 L866-877).
    """
    source_resc = opts.get("rescName") or None
    if source_resc is not None:
        if cat.get_resource(source_resc) is None:  # type: ignore[attr-defined]
            raise IrodsCallError(f"no resource {source_resc}", code=SYS_RESC_DOES_NOT_EXIST)
        match = [r for r in rows if r.resc_name == source_resc]
        if not match:
            raise IrodsCallError(f"{path} has no replica on {source_resc}",
                                 code=SYS_REPLICA_INACCESSIBLE)
        repl = match[0].repl_num
    if repl is not None:
        row = next(r for r in rows if r.repl_num == repl)
        if row.status != 1:
            raise IrodsCallError("source replica is not good", code=SYS_NOT_ALLOWED)
    elif not any(r.status == 1 for r in rows):
        raise IrodsCallError(f"no good replica of {path}", code=SYS_NO_GOOD_REPLICA)
    return repl


@microservice("msiDataObjRepl", 3, inputs={0: "str", 1: "str"}, outputs={2: "INT"})
def msi_data_obj_repl(call: MsiCall) -> dict:
    """msiDataObjRepl(path, 'destRescName=r++++rescName=s++++replNum=n++++numThreads=1
    ++++verifyChksum=++++forceChksum=++++irodsAdmin=++++all=' | resc, status_out).

    A missing (or unreadable) object is CAT_NO_ROWS_FOUND (PREP: ``status False``); an unknown
    source or destination resource SYS_RESC_DOES_NOT_EXIST; a client without ``modify_object``
    SYS_USER_NO_PERMISSION (rsDataObjRepl.cpp@5.0.2 L484-531, L757-770; irodsAdmin skips it).
    A good replica on the destination is left as it is. Checksums: the new replica gets the
    source's checksum (verified) if it has one; ``verifyChksum=`` needs one
    (CAT_NO_CHECKSUM_FOR_REPLICA, L550-564); ``forceChksum=`` computes one and needs the source
    to have none (SYS_NOT_ALLOWED, L566-580); ``verifyChksum=0`` registers none. ``all=``
    updates every stale replica and makes none (:func:`_update_all`).
    """
    replicate_one(call, str(call.args[0]), call.args[1])
    return {2: 0}


def replicate_one(call: MsiCall, path: str, options: object) -> None:
    """msiDataObjRepl's work for one object (also msiCollRepl's, per object)."""
    opts = keywords.for_msi("msiDataObjRepl", options, "destRescName")
    mode = _checksum_mode(opts)
    dest = opts.get("destRescName") or None
    if (dest is not None and "all" in opts) or ("rescName" in opts and "replNum" in opts):
        raise IrodsCallError("incompatible keywords", code=USER_INCOMPATIBLE_PARAMS)
    _, cat = dataops.catalog_for(call.ctx, path)
    actor = dataops.acting_user(call.ctx, cat, "irodsAdmin" in opts)
    repl = _replica_number(opts)
    rows = _rows_or_no_rows(cat, path, repl)
    if actor is not None and not cat.check_access(path, actor, "read_object"):
        # getDataObjInfo filters by ACL (a rodsadmin too, unless irodsAdmin).
        raise IrodsCallError(f"{path}: no such readable data object", code=CAT_NO_ROWS_FOUND)
    src_repl = _source(cat, path, rows, opts, repl)
    if actor is not None and not cat.check_access(path, actor, "modify_object"):
        raise IrodsCallError(f"{actor} may not replicate {path}", code=SYS_USER_NO_PERMISSION)
    source = next((r for r in rows if r.repl_num == src_repl), None) if src_repl is not None \
        else next(r for r in rows if r.status == 1)
    if "all" in opts:
        _update_all(call, cat, path, rows, source, opts, mode)
        return
    target = cat.default_resource if dest is None else dest
    if cat.get_resource(target) is None:
        raise IrodsCallError(f"no resource {target}", code=SYS_RESC_DOES_NOT_EXIST)
    existing = next((r for r in rows if r.resc_name == target), None)
    if existing is not None and existing.status == 1:
        dataops.replicate(call.ctx, path, target, src_repl=src_repl, admin="irodsAdmin" in opts)
        return
    _copy_onto(call, cat, path, target, source, src_repl, opts, mode)


def _copy_onto(call: MsiCall, cat: Any, path: str, target: str, source: Any,
               src_repl: Optional[int], opts: dict, mode: str) -> None:
    """replicate_data from ``source`` onto resource ``target`` with the checksum keywords."""
    if mode == "verify" and not source.checksum:
        raise IrodsCallError(f"{path}: the source replica has no checksum to verify",
                             code=CAT_NO_CHECKSUM_FOR_REPLICA)
    if mode == "register" and source.checksum:
        raise IrodsCallError(f"{path}: forceChksum on a source replica with a checksum",
                             code=SYS_NOT_ALLOWED)
    row = dataops.replicate(call.ctx, path, target, src_repl=src_repl,
                            update="updateRepl" in opts, admin="irodsAdmin" in opts)
    if mode == "none":
        cat.data_set_checksum(path, row.repl_num, "")
    elif mode == "register":
        cat.data_checksum(path, actor=None, repl_num=row.repl_num, force=True)


def _update_all(call: MsiCall, cat: Any, path: str, rows: list, source: Any, opts: dict,
                mode: str) -> None:
    """``all=`` (ALL_KW): update_all_existing_replicas (rsDataObjRepl.cpp@5.0.2 L935-1079,
    chosen at L1209-1211): no new replica; from a good source (else SYS_NOT_ALLOWED) every
    stale replica on another resource is replicated over; good ones are skipped without
    fileModified (L1046-1057), intermediate or locked ones too (L1058-1066). The first error
    is the call's, after the rest were tried."""
    if source.status != 1:
        raise IrodsCallError(f"source replica of {path} is not good", code=SYS_NOT_ALLOWED)
    first_error: Optional[IrodsCallError] = None
    for row in rows:
        if row.resc_name == source.resc_name or row.status != 0:
            continue
        try:
            _copy_onto(call, cat, path, row.resc_name, source, source.repl_num, opts, mode)
        except IrodsCallError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
