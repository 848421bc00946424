"""The resource properties a server puts into ``rei.condInputData`` for a static PEP.

Before most static data PEPs the server calls ``irods::get_resc_properties_as_kvp(rescHier,
rei.condInputData)`` (irods/irods server/core/src/irods_resource_backport.cpp@5.0.2 L494-531):
it takes the *leaf* of the hierarchy and adds, through ``resource_to_kvp`` (L15-231, the
``addKeyVal`` calls at L213-228), these keys in this order (names from
lib/core/include/irods/rodsKeyWdDef.h L17, L146-164):

``rescId``, ``quotaLimit``, ``rescStatus``, ``freeSpace``, ``zoneName``, ``rescName``,
``rescLoc``, ``rescType``, ``rescClass``, ``rescVaultPath``, ``rescInfo``, ``rescComments``,
``rescCreate``, ``rescModify``.

The values come from the resource manager's cache (server/core/src/irods_resource_manager.cpp
@5.0.2 L286-305): the quota is ``RESC_QUOTA_UNINIT`` (-1, lib/api/include/irods/getRescQuota.h
L9), the status ``INT_RESC_STATUS_UP`` (0) unless the catalog says ``down`` (then 1,
rodsDef.h L262-263), the rest are the catalog's columns as text. Callers: apply_static_post_pep
(server/core/src/finalize_utilities.cpp L253-270), acPreprocForDataObjOpen (rsDataObjOpen.cpp
L812-840), acDataDeletePolicy (rsDataObjUnlink.cpp L120-150, rsRmColl.cpp L690-700),
acSetVaultPathPolicy (physPath.cpp L262-280), acSetNumThreads (objDesc.cpp L398-430), bulk put's
acPostProcForPut (rsBulkDataObjPut.cpp L955), acPostProcForFilePathReg
(register_physical_path.cpp L433). Other PEPs get an empty list (initReiWithDataObjInp,
server/re/src/irods_re_structs.cpp L168-183) or none (initReiWithCollInp, L185-210).
"""

from __future__ import annotations

from typing import Any, Dict

#: RESC_QUOTA_UNINIT (getRescQuota.h L9).
RESC_QUOTA_UNINIT = -1


def resource_kvp(sandbox: Any, zone: str, resc_hier: str) -> Dict[str, str]:
    """The condInputData pairs for the leaf of ``resc_hier`` in ``zone``; {} if unknown.

    An unknown leaf leaves the list empty, as get_resc_properties_as_kvp's failed resolve does
    (the caller only logs it).
    """
    leaf = resc_hier.split(";")[-1] if resc_hier else ""
    record = sandbox.zone(zone).catalog.resource_record(leaf) if leaf else None
    if record is None:
        return {}
    down = str(record.get("status") or "").lower() == "down"
    return {
        "rescId": str(record["resc_id"]),
        "quotaLimit": str(RESC_QUOTA_UNINIT),
        "rescStatus": "1" if down else "0",
        # Guess: the sandbox keeps no free space; the catalog column is empty by default.
        "freeSpace": str(record.get("free_space") or ""),
        "zoneName": str(record["zone_name"]),
        "rescName": str(record["resc_name"]),
        "rescLoc": str(record["location"]),
        "rescType": str(record["resc_type"]),
        "rescClass": str(record["resc_class"]),
        "rescVaultPath": str(record["vault_path"]),
        # Guess: the sandbox's resources carry no info string (R_RESC_INFO is empty by default).
        "rescInfo": str(record.get("info") or ""),
        "rescComments": str(record["comment"]),
        "rescCreate": str(record["create_ts"]),
        "rescModify": str(record["modify_ts"]),
    }
