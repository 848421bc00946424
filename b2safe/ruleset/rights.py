"""With whose rights each rule acts (docs/rules.md and docs/security.md show it).

Three kinds of power are involved: the **caller's** iRODS rights (every microservice a rule
calls runs as the client user), the zone's **Handle credentials** (any PID of the prefix), and a
**rodsadmin's** rights in delay rules (retries, sweeps). A rule that uses the last two decides
first, for the user on whose behalf it acts, what that user may do. A test checks that every
registered rule and PEP is listed here.
"""

from __future__ import annotations

_READ = "caller's rights (reads only)"
_PID_OWN = ("caller's rights; Handle credentials for a record whose URL names data the caller "
            "may write (the record is the witness)")

RIGHTS: dict[str, str] = {
    "EUDATAuthZ": "caller's rights; only a rodsadmin may ask about another user",
    "EUDATCheckIntegrity": "caller's rights; a recorded problem is signed for the caller",
    "EUDATCheckIntegrityBatch": "caller's rights (delay rule of the caller); recorded problems "
                                "are signed for the caller",
    "EUDATCheckIntegrityBatched": "caller's rights; queues batches run as the caller",
    "EUDATCheckIntegrityColl": "caller's rights; recorded problems are signed for the caller",
    "EUDATCheckIntegrityDO": "caller's rights; a recorded problem is signed for the caller, "
                             "and a later repair re-checks the caller's rights",
    "EUDATCreateAVU": "caller's rights (metadata she may write)",
    "EUDATCreatePID": "caller's rights (must write the object); Handle credentials to mint",
    "EUDATGetZoneHostFromZoneName": _READ,
    "EUDATGetZoneNameFromPath": _READ,
    "EUDATGeteValPid": "Handle credentials, read only",
    "EUDATePIDcreate": "caller's rights (write on the path, authorization 'pid'); Handle "
                       "credentials to create the record",
    "EUDATePIDsearch": "Handle reverse lookup (read only)",
    "EUDATMessage": "the zone's messaging token (messaging.credentials_file), for callers the "
                    "authorization map allows 'message' on the topic (4.x did not ask)",
    "EUDATLog": "caller's rights; the server log, for callers the map allows 'message' on 'log'",
    "EUDATQueue": "as EUDATUpdateLogging (push); pop and queuesize: the caller's own fail-log "
                  "records (a rodsadmin's: all), with the caller's rights; the map's 'message' "
                  "on 'queue'",
    "EUDATGetPAMusers": "the service account reads the PAM user map for callers the "
                        "authorization map allows 'read' on 'users' (asked even when "
                        "authorization is off, as 4.x)",
    "EUDATIntegritySweepInstall": "this zone's rodsadmin; the sweep state is signed",
    "EUDATIntegritySweepList": _READ,
    "EUDATIntegritySweepPause": "this zone's rodsadmin; the sweep state is signed",
    "EUDATIntegritySweepRemove": "this zone's rodsadmin; the sweep state is signed",
    "EUDATIntegritySweepResume": "this zone's rodsadmin; the sweep state is signed",
    "EUDATIntegritySweepRun": "rodsadmin (delay rule); follows only signed sweep state, else "
                              "the configuration",
    "EUDATObjExist": _READ,
    "EUDATPIDRegistration": "caller's rights (must own the source); what is deferred is signed "
                            "for the caller and re-authorized when a rodsadmin's retry does it",
    "EUDATPidsForColl": "caller's rights (must write every object); Handle credentials to mint",
    "EUDATPidsForCollBatch": "caller's rights (delay rule of the caller); Handle credentials",
    "EUDATPidsForCollBatched": "caller's rights; queues batches run as the caller",
    "EUDATPolicyPending": "caller's rights (her own pending PIDs and marks; a rodsadmin's run "
                          "does all); marks only records whose URL names the removed path",
    "EUDATRegDataRepl": "as EUDATReplication",
    "EUDATRegisterReplicas": "caller's rights (must write every replica; the source zone's "
                             "rodsadmin through remote execution); Handle credentials",
    "EUDATReplication": "caller's rights (must own the source); Handle credentials for PIDs; "
                        "links only to a parent record that names the source",
    "EUDATReplicationBatch": "caller's rights (delay rule of the caller)",
    "EUDATReplicationBatched": "caller's rights; queues batches run as the caller",
    "EUDATRetryInstall": "this zone's rodsadmin (queues the zone's retry rule)",
    "b2safe_import_4x_failure": "this zone's rodsadmin (b2safe migrate); the record is signed "
                                "for the source's owner once the owner is authorized",
    "EUDATSearchPID": "caller's rights; Handle reverse lookup (read only)",
    "EUDATSearchPIDchecksum": "caller's rights; Handle reverse lookup (read only)",
    "EUDATTransferUsingFailLog": "caller's rights for her own signed records; a rodsadmin's run "
                                 "carries out signed records of others after re-checking "
                                 "that user's rights (source owned, destination writable)",
    "EUDATUpdateLogging": "caller's rights (must own the source); the record is signed for her",
    "EUDATUpdatePIDWithNewChild": _PID_OWN,
    "EUDATeCHECKSUMupdate": _PID_OWN,
    "EUDATeFIOupdate": _PID_OWN,
    "EUDATePIDremove": "caller's rights (must own the object); Handle credentials to delete a "
                       "record that names the object",
    "EUDATeRORupdate": _PID_OWN,
    "EUDATeURLupdate": _PID_OWN + "; the new URL must name data she may write",
    "EUDATeURLupdateColl": _PID_OWN + "; records below are repointed only from the old path",
    "EUDATfileInPath": _READ,
    "EUDATgetLastAVU": _READ,
    "EUDATgetObjectAge": _READ,
    "EUDATgetObjectTimeDiff": _READ,
    "EUDATiCHECKSUMdate": "caller's rights (metadata she may write)",
    "EUDATiCHECKSUMget": _READ,
    "EUDATiCHECKSUMretrieve": "caller's rights (may compute and register a checksum)",
    "EUDATiFIOupdate": "caller's rights (metadata she may write)",
    "EUDATiPIDcreate": "caller's rights (metadata she may write)",
    "EUDATiRORupdate": "caller's rights (metadata she may write)",
    "EUDATrp_checkMeta": _READ,
    "EUDATrp_ingestObject": "caller's rights; Handle credentials for PIDs of her objects",
    "EUDATrp_transferFinished": "caller's rights (metadata she may write)",
    "EUDATrp_transferInitiated": "caller's rights (metadata she may write)",
    "EUDATtoBoolean": "none (pure)",
    "getB2SAFEVersion": "none (pure)",
    "b2safe_native_call": "caller's rights (the rule-language bridge to the rules above; each "
                          "acts as listed for it)",
    "b2safe_setting": "caller's rights (reads the configuration)",
    "acPostProcForObjRename": "uploader's rights; Handle credentials to repoint only records "
                              "that named the old path",
    "acPreProcForObjRename": "renaming user's rights (writes the pending rename on her object; "
                             "never refuses)",
    "acPostProcForPut": "uploader's rights; Handle credentials for her new object's PID; "
                        "failures leave signed pending work for her",
    "acBulkPutPostProcPolicy": "uploader's rights (sets the bulk-put policy flag only)",
    "acPostProcForFilePathReg": "registering user's rights; Handle credentials for her new "
                                "object's PID",
    "pep_api_data_obj_copy_post": "copying user's rights; Handle credentials for the new "
                                  "copy's PID (ingest policy)",
    "pep_api_data_obj_rsync_post": "rsync user's rights; Handle credentials for the new "
                                   "object's PID (ingest policy)",
    "pep_api_replica_close_post": "writer's rights; Handle credentials for her finished "
                                  "object's PID (ingest policy)",
    "pep_api_replica_close_pre": "writer's rights (reads the descriptor only)",
    "pep_api_data_obj_close_post": "copying user's rights (of another zone: writes the signed "
                                   "pending mark on her copy; the PID and replicas come from "
                                   "her pending-work rule)",
    "pep_api_data_obj_close_pre": "closing user's rights (reads the descriptor only)",
    "pep_api_touch_post": "toucher's rights; Handle credentials for her new object's PID",
    "pep_api_touch_pre": "toucher's rights (reads only)",
    "pep_api_atomic_apply_metadata_operations_pre": "a veto: refuses non-admins' changes of "
                                                    "b2safe's attributes (fails closed)",
    "pep_api_data_obj_unlink_post": "remover's rights; Handle credentials to mark records that "
                                    "name the removed path",
    "pep_api_data_obj_unlink_pre": "a veto (refuse_fixed, fails closed); reads the PID record",
    "pep_api_mod_avu_metadata_pre": "a veto: refuses non-admins' changes of b2safe's attributes "
                                    "(fails closed)",
    "pep_api_rm_coll_post": "remover's rights; Handle credentials to mark records that name "
                            "the removed paths",
    "pep_api_rm_coll_pre": "a veto (refuse_fixed, fails closed); reads the PID records",
}


def rights_of(name: str) -> str:
    """The statement for rule ``name`` ('' when missing: the registry test then fails)."""
    return RIGHTS.get(name, "")
