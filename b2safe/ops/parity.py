"""The B2SAFE 4.2 rule base, rule by rule, for the parity table of docs/migration.md.

Each entry: the 4.x rule name, its arities, what it did in 4.2 (in our words, from the 4.2.0
rulebase/*.re), and a note where b2safe deliberately differs. Where b2safe answers the name
(b2safe.re for native callers, the Python registry for Python callers) is computed by
:func:`rows`, so the table follows the code.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from b2safe import rulebase


class Rule4x(NamedTuple):
    """One 4.2 rule name: arities, 4.x behaviour, note on b2safe's difference ("" if none)."""

    name: str
    arities: tuple[int, ...]
    behaviour: str
    note: str = ""


RULES_4X: tuple[Rule4x, ...] = (
    # catchError.re
    Rule4x("EUDATCatchErrorChecksum", (5, 3), "true when two objects' catalog checksums agree"),
    Rule4x("EUDATCatchErrorSize", (5, 3), "true when two objects' catalog sizes agree"),
    Rule4x("EUDATCatchErrorDataOwner", (2,), "fails unless the user has an ACL on the path and "
           "everything below"),
    Rule4x("EUDATCheckOwnershipObj", (1,), "1 if the user has read/write/own on the object"),
    Rule4x("EUDATCheckOwnershipColl", (1,), "1 if the user has read/write/own on the collection"),
    # eudat.re
    Rule4x("logVerbose", (1,), "server log line at level 3"),
    Rule4x("logDebug", (1,), "server log line at level >= 2"),
    Rule4x("logInfo", (1,), "server log line at level >= 1"),
    Rule4x("logError", (1,), "server log line"),
    Rule4x("logWithLevel", (2,), "server log line with a level prefix"),
    Rule4x("EUDATAuthZ", (4,), "authorization map check; msiExit -1 when denied",
           "non-admins may ask only about themselves"),
    Rule4x("EUDATObjExist", (2,), "true if msiObjStat succeeds; response sentence"),
    Rule4x("EUDATPushMetadata", (2,), "metadata of a collection tree to the message queue",
           "published through EUDATMessage"),
    Rule4x("EUDATPushCollMetadata", (2,), "metadata of one collection to the message queue",
           "published through EUDATMessage"),
    Rule4x("EUDATPushObjMetadata", (2,), "metadata of one object to the message queue",
           "published through EUDATMessage"),
    Rule4x("EUDATMessage", (2,), "publish to ARGO/dweepy when messaging is enabled",
           "ARGO-compatible endpoint of messaging.credentials_file; dweepy not supported; "
           "authorization action message"),
    Rule4x("EUDATLog", (2,), "line in LOG_DIR/b2safe.log",
           "goes to the server log; authorization action message"),
    Rule4x("EUDATQueue", (3,), "push/pop/queuesize on the 4.x file fail queue",
           "the queue is b2safe's signed fail log (a user's: her own records); authorization "
           "action message"),
    Rule4x("EUDATtoBoolean", (1,), "false only for None, \"\", False/false/FALSE"),
    Rule4x("EUDATReplaceHash", (2,), "#, %, & become * for reverse lookups"),
    Rule4x("EUDATGetZoneNameFromPath", (2,), "first path element"),
    Rule4x("EUDATGetZoneHostFromZoneName", (2,), "ZONE_CONNECTION, \"\" if unknown"),
    Rule4x("EUDATiCHECKSUMdate", (4,), "sets eudat_dpm_checksum_date:<resc> once"),
    Rule4x("EUDATiCHECKSUMretrieve", (4,), "catalog checksum without computing; true if found"),
    Rule4x("EUDATiCHECKSUMget", (4,), "catalog checksum, computed when missing"),
    Rule4x("EUDATgetObjectTimeDiff", (3,), "modify-create (1) or now-modify (2); -1 if absent"),
    Rule4x("EUDATgetObjectAge", (2,), "now - modify time"),
    Rule4x("EUDATfileInPath", (2,), "true if an object of that name is in a matching collection",
           "only the path itself counts (4.x ignored its collection: a 4.x bug)"),
    Rule4x("EUDATCreateAVU", (3,), "sets an AVU",
           "needs write access and the metadata authorization"),
    Rule4x("EUDATgetLastAVU", (3,), "last value of an AVU or \"None\""),
    Rule4x("EUDATgetCollAVU", (2,), "owner and AVUs of a collection as text"),
    Rule4x("EUDATgetBulkMetadata", (2,), "resource/owner/checksum/AVUs of a collection's objects"),
    Rule4x("EUDATgetObjMetadata", (2,), "resource/owner/checksum/AVUs of one object"),
    Rule4x("EUDATcountMetaKeys", (3,), "number of AVUs with a key"),
    Rule4x("EUDATGetPAMusers", (1,), "OAuth2 PAM user map (pam_user_reader.py)",
           "authorization.pam_user_map; the map is asked even when authorization is off, "
           "as 4.x"),
    Rule4x("EUDATrp_checkMeta", (3,), "runs the ingest when ADMIN_Status is ReadyToArchive"),
    Rule4x("EUDATrp_ingestObject", (1,), "checksum check, PID, ADMIN_Status"),
    Rule4x("EUDATrp_transferInitiated", (1,), "ADMIN_Status TransferStarted"),
    Rule4x("EUDATrp_transferFinished", (1,), "ADMIN_Status TransferFinished"),
    # local.re
    Rule4x("getEUDATLoggerLevel", (1,), "log level 0..3", "logging.level of b2safe.json"),
    Rule4x("getEpicApiParameters", (5,), "credentials type/path, EPIC URL, server id, debug; "
           "authorization gate", "answers from b2safe.json; each rule authorizes itself"),
    Rule4x("getHttpApiParameters", (2,), "registered and public URL bases",
           "http_api bases, else the irods:// server id"),
    Rule4x("parseCredentials", (4,), "EPIC API v2 credentials (obsolete): placeholders",
           "4.x's placeholders; b2safe has no EPIC API v2 client"),
    Rule4x("getAuthZParameters", (1,), "authorization map path"),
    Rule4x("getLogParameters", (1,), "log manager configuration", "\"\": no log manager"),
    Rule4x("getMessageParameters", (3,), "messaging configuration and switch"),
    Rule4x("getConfParameters", (1,), "authorization on/off (default on)",
           "authorization.enabled, default off"),
    Rule4x("getB2SAFEVersion", (1,), "\"4.2-0\"", "b2safe's version"),
    Rule4x("rp_getRpIngestParameters", (2,), "archive protection and owner"),
    # pid-service.re
    Rule4x("EUDATCreatePID", (6,), "PID by AVU or reverse lookup, else a new record",
           "reverse lookup (raw and encoded 4.x URLs) unless pid.reverse_lookup_fallback is "
           "false (a fresh site's starter configuration)"),
    Rule4x("EUDATSearchPID", (2,), "reverse lookup of the path's URL; true if found"),
    Rule4x("EUDATSearchPIDchecksum", (3,), "reverse lookup by EUDAT/CHECKSUM",
           "works (4.2's client refused the key)"),
    Rule4x("EUDATUpdatePIDWithNewChild", (2,), "adds a child to EUDAT/REPLICA; the new list"),
    Rule4x("EUDATGeteValPid", (2,), "one field of a record, \"None\" if absent"),
    Rule4x("EUDATiPIDcreate", (2,), "writes the PID AVU; false and kept if another is there"),
    Rule4x("EUDATePIDcreate", (3,), "creates a record for a path (no search)",
           "a retry gives the same handle"),
    Rule4x("EUDATePIDsearch", (3,), "reverse lookup by any field"),
    Rule4x("EUDATeCHECKSUMupdate", (2,), "record CHECKSUM from the catalog",
           "writes EUDAT/CHECKSUM (4.x wrote type CHECKSUM)"),
    Rule4x("EUDATeURLupdate", (2,), "modifies a record's URL",
           "non-admins only for records of data they may write"),
    Rule4x("EUDATeURLupdateColl", (2,), "URL update of every PID under a moved collection"),
    Rule4x("EUDATePIDremove", (2,), "deletes the record unless it lists replicas (or force)",
           "also removes the PID AVUs; only records naming the path"),
    Rule4x("EUDATiRORupdate", (2,), "copies the record's EUDAT/ROR into the AVU"),
    Rule4x("EUDATeRORupdate", (2,), "modifies EUDAT/ROR"),
    Rule4x("EUDATeFIOupdate", (2,), "modifies EUDAT/FIO"),
    Rule4x("EUDATPidsForColl", (2,), "PIDs for a collection tree", "needs write access"),
    # replication.re
    Rule4x("EUDATUpdateLogging", (4,), "log line; failures into the fail queue",
           "fail log in the catalog"),
    Rule4x("EUDATCheckIntegrity", (7, 5), "object or collection check; true if coherent"),
    Rule4x("EUDATReplication", (6, 5), "ownership check, copy, verify, register; true on success"),
    Rule4x("EUDATTransferUsingFailLog", (2,), "retries N failed transfers"),
    Rule4x("EUDATRegDataRepl", (5, 4), "source PID, copy, verify, replica registration"),
    Rule4x("EUDATPIDRegistration", (4,), "replica PID by remote EUDATCreatePID, linked to the "
           "parent", "remote call through remoteExec, as 4.x; py_remote for rodsadmins"),
    Rule4x("EUDATSearchAndCreatePID", (2,), "PID AVU, else a new PID"),
    Rule4x("EUDATSearchAndDefineField", (3,), "a field from the AVU, else from the record"),
    Rule4x("EUDATCheckIntegrityColl", (6, 4), "every object against its twin"),
    Rule4x("EUDATCheckIntegrityDO", (6, 4), "exists, size, checksum; true if coherent",
           "the PID record is a third witness"),
)

_DEFINITION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*[{=]", re.M)


def native_forms() -> dict[str, set[int]]:
    """The rule names b2safe.re defines, with their arities."""
    forms: dict[str, set[int]] = {}
    for name, params in _DEFINITION.findall(rulebase.text()):
        arity = len([p for p in params.split(",") if p.strip()])
        forms.setdefault(name, set()).add(arity)
    return forms


def rows(python_names: set[str]) -> list[tuple[str, str, str, str]]:
    """(rule with arities, 4.x behaviour, b2safe behaviour, note) for every 4.2 rule."""
    native = native_forms()
    out = []
    for rule in RULES_4X:
        arities = "/".join(str(a) for a in rule.arities)
        have = native.get(rule.name, set())
        if set(rule.arities) <= have:
            where = "same forms, native (b2safe.re)"
        elif have:
            where = "partly: native forms " + "/".join(str(a) for a in sorted(have))
        else:
            where = "**missing**"
        if rule.name in python_names:
            where += "; Python rule of that name"
        out.append((f"`{rule.name}`/{arities}", rule.behaviour, where, rule.note))
    return out
