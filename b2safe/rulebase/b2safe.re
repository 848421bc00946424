################################################################################
# b2safe for the iRODS rule language: B2SAFE 4.x's functions for native callers.
#
# Installed by `b2safe install` as /etc/irods/b2safe.re and named in the rule
# language engine's "re_rulebase_set" (server_config.json). It gives site rules
# and the 4.x rule files the 4.x names, argument types (booleans, integers, OUT
# variables that are not set yet) and return values (booleans, values), and
# runs the Python rules of b2safe underneath, with the caller's rights.
#
# How: the rule language runs its own rules first, and forwards a call to the
# Python engine only when every argument is a string (returning the error
# code). So each function here turns its arguments into strings and calls
#     b2safe_native_call(rule, *status, *message, arguments...)
# which runs the Python rule and reports "0" or the error code in *status and
# the error text in *message, instead of failing.
################################################################################

# --- helpers ------------------------------------------------------------------

# The boolean outcome of one b2safe call; a failure is logged and its message
# becomes *response (4.x rules returned false with the reason).
b2safeOutcome(*rule, *status, *message, *response) {
    *ok = *status == "0";
    if (!*ok) {
        *response = *message;
        logError("[*rule] *message (*status)");
    }
    *ok;
}

# Fail with the Python rule's error code and message (4.x rules that failed).
b2safeCheck(*rule, *status, *message) {
    if (*status != "0") {
        logError("[*rule] *message (*status)");
        failmsg(int(*status), *message);
    }
}

# --- logging (eudat.re) -------------------------------------------------------

logVerbose(*msg) { getEUDATLoggerLevel(*level); if (*level == 3) { logWithLevel("verbose", *msg); } }
logDebug(*msg) { getEUDATLoggerLevel(*level); if (*level >= 2) { logWithLevel("debug", *msg); } }
logInfo(*msg) { getEUDATLoggerLevel(*level); if (*level >= 1) { logWithLevel("info", *msg); } }
logError(*msg) { logWithLevel("error", *msg); }

logWithLevel(*levelstring, *msg) {
    if (*levelstring == "info") { writeLine("serverLog", "INFO: *msg"); }
    else if (*levelstring == "debug") { writeLine("serverLog", "DEBUG: *msg"); }
    else if (*levelstring == "error") { writeLine("serverLog", "ERROR: *msg"); }
    else if (*levelstring == "verbose") { writeLine("serverLog", "VERBOSE: *msg"); }
}

# --- local.re getters ---------------------------------------------------------

# The b2safe version (b2safe.json has no 4.x version; this is b2safe's own).
getB2SAFEVersion(*version) {
    *status = ""; *message = ""; *version = "";
    b2safe_native_call("getB2SAFEVersion", *status, *message, *version);
    b2safeCheck("getB2SAFEVersion", *status, *message);
}

# A setting of b2safe.json (b2safe_setting answers only non-secret ones).
b2safeSetting(*name) {
    *status = ""; *message = ""; *value = "";
    b2safe_native_call("b2safe_setting", *status, *message, *name, *value);
    b2safeCheck("b2safe_setting", *status, *message);
    *value;
}

# 0 error .. 3 verbose: logging.level of b2safe.json (0 when logging is off).
getEUDATLoggerLevel(*level) { *level = int(b2safeSetting("logging.level")); }

# "os", the PID credentials file, no EPIC API URL (b2safe talks to the Handle server
# named in the credentials), this zone's irods:// server id, debug 0. 4.x also
# checked EUDATAuthZ here; b2safe authorizes each rule itself.
getEpicApiParameters(*credStoreType, *credStorePath, *epicApi, *serverID, *epicDebug) {
    *credStoreType = "os";
    *credStorePath = b2safeSetting("pid.credentials_file");
    *epicApi = "";
    *serverID = b2safeSetting("zone.server_id");
    *epicDebug = 0;
}

# The HTTP API bases for registered and public URLs; without the HTTP API, the
# irods:// server id for both (the base of b2safe's PID URLs then).
getHttpApiParameters(*serverApireg, *serverApipub) {
    if (b2safeSetting("http_api.enabled") == "true") {
        *serverApireg = b2safeSetting("http_api.registered_base");
        *serverApipub = b2safeSetting("http_api.public_base");
    }
    else {
        *serverApireg = b2safeSetting("zone.server_id");
        *serverApipub = *serverApireg;
    }
}

# EPIC API v2 credentials (obsolete in 4.x already): 4.2's local.re gave these
# placeholders, after asking the authorization map when it is enabled. b2safe has
# no EPIC API v2 client; the PID credentials stay in pid.credentials_file.
parseCredentials(*baseuri, *username, *prefix, *password) {
    *baseuri = "https://epic3.storage.surfsara.nl/v2_test/handles/";
    *username = "<username>";
    *password = "<password>";
    *prefix = "<prefix>";
    getConfParameters(*authzEnabled);
    if (*authzEnabled) {
        EUDATAuthZ("$userNameClient#$rodsZoneClient", "read", "EPIC credentials", *response);
    }
}

getAuthZParameters(*authZMapPath) { *authZMapPath = b2safeSetting("authorization.map_file"); }

# b2safe has no log manager configuration (it logs to the server log).
getLogParameters(*logConfPath) { *logConfPath = ""; }

getMessageParameters(*msgConfPath, *controlQueueName, *enabled) {
    *msgConfPath = "";
    *controlQueueName = "B2SAFE";
    *enabled = b2safeSetting("messaging.enabled") == "true";
}

getConfParameters(*authzEnabled) {
    *authzEnabled = b2safeSetting("authorization.enabled") == "true";
}

rp_getRpIngestParameters(*protectArchive, *archiveOwner) {
    *archiveOwner = b2safeSetting("repository_packages.archive_owner");
    *protectArchive = *archiveOwner != "";
}

# --- utility (eudat.re) -------------------------------------------------------

# A user without a zone (as 4.x callers often passed $userNameClient) is of the client's zone.
EUDATAuthZ(*user, *action, *target, *response) {
    *status = ""; *message = ""; *response = "";
    *who = str(*user);
    if (*who not like "*#*") { *who = *who ++ "#" ++ $rodsZoneClient; }
    b2safe_native_call("EUDATAuthZ", *status, *message, *who, str(*action),
                       str(*target), *response);
    if (*status != "0") {
        logError("[EUDATAuthZ] *message");
        msiExit("-1", "user is not allowed to perform the requested action");
    }
    *response = "True";
}

EUDATObjExist(*path, *response) {
    *res = true;
    *response = "*path exists and it is an object";
    if (errormsg(msiObjStat(*path, *out), *errmsg) < 0) {
        *response = "*path does not exist or it is not readable or it is not an object";
        logError("[EUDATObjExist] *response");
        *res = false;
    }
    *res;
}

EUDATtoBoolean(*var) {
    *value = str(*var);
    *value != "None" && *value != "" && *value != "False" && *value != "false" && *value != "FALSE";
}

# '#', '%' and '&' become '*' wildcards for a reverse lookup (runs of them and
# leading or trailing ones collapse, as 4.x's split/join did).
EUDATReplaceHash(*path, *out) {
    *out = *path;
    foreach (*char in list("#", "%", "&")) {
        *n = "";
        foreach (*t in split(*out, *char)) {
            if (*n == "") { *n = *t; } else { *n = *n ++ "\*" ++ *t; }
        }
        *out = *n;
    }
}

EUDATGetZoneNameFromPath(*path, *out) {
    *status = ""; *message = ""; *out = "";
    b2safe_native_call("EUDATGetZoneNameFromPath", *status, *message, str(*path), *out);
    b2safeCheck("EUDATGetZoneNameFromPath", *status, *message);
}

# "" for a zone this server does not know (4.x).
EUDATGetZoneHostFromZoneName(*zoneName, *conn) {
    *status = ""; *message = ""; *conn = "";
    b2safe_native_call("EUDATGetZoneHostFromZoneName", *status, *message, str(*zoneName), *conn);
    if (*status != "0") { *conn = ""; }
}

EUDATiCHECKSUMdate(*coll, *name, *resc, *modTime) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATiCHECKSUMdate", *status, *message, str(*coll), str(*name),
                       str(*resc), str(*modTime));
    b2safeCheck("EUDATiCHECKSUMdate", *status, *message);
}

# true when the catalog has a checksum ("" and false otherwise, as 4.x).
EUDATiCHECKSUMretrieve(*path, *checksum, *modtime, *resource) {
    *status = ""; *message = ""; *checksum = ""; *modtime = "";
    b2safe_native_call("EUDATiCHECKSUMretrieve", *status, *message, str(*path), *checksum,
                       *modtime, str(*resource));
    b2safeCheck("EUDATiCHECKSUMretrieve", *status, *message);
    *checksum != "";
}

EUDATiCHECKSUMget(*path, *checksum, *modtime, *resource) {
    *status = ""; *message = ""; *checksum = ""; *modtime = "";
    b2safe_native_call("EUDATiCHECKSUMget", *status, *message, str(*path), *checksum,
                       *modtime, str(*resource));
    b2safeCheck("EUDATiCHECKSUMget", *status, *message);
}

# -1 when the object is missing or the mode unknown (4.x).
EUDATgetObjectTimeDiff(*filePath, *mode, *age) {
    *status = ""; *message = ""; *out = "";
    b2safe_native_call("EUDATgetObjectTimeDiff", *status, *message, str(*filePath), str(*mode),
                       *out);
    *age = -1;
    if (*status == "0") { *age = int(*out); } else { logError("[EUDATgetObjectTimeDiff] *message"); }
}

EUDATgetObjectAge(*filePath, *age) {
    EUDATgetObjectTimeDiff(*filePath, "2", *age);
}

# true if the data object *path is in a collection matching *subColl (LIKE
# wildcards). 4.x's query ignored *path's collection (a 4.x bug, docs/migration.md).
EUDATfileInPath(*path, *subColl) {
    *status = ""; *message = ""; *result = "";
    b2safe_native_call("EUDATfileInPath", *status, *message, str(*path), str(*subColl), *result);
    if (*status != "0") { logError("[EUDATfileInPath] *message"); }
    *result == "true";
}

EUDATCreateAVU(*Key, *Value, *Path) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATCreateAVU", *status, *message, str(*Key), str(*Value), str(*Path));
    b2safeCheck("EUDATCreateAVU", *status, *message);
}

EUDATgetLastAVU(*Path, *Key, *Value) {
    *status = ""; *message = ""; *Value = "";
    b2safe_native_call("EUDATgetLastAVU", *status, *message, str(*Path), str(*Key), *Value);
    b2safeCheck("EUDATgetLastAVU", *status, *message);
}

EUDATcountMetaKeys(*Path, *Key, *Value) {
    msiSplitPath(*Path, *parent, *child);
    *Value = "0";
    foreach (*B in SELECT count(META_DATA_ATTR_VALUE) WHERE META_DATA_ATTR_NAME = '*Key'
             AND COLL_NAME = '*parent' AND DATA_NAME = '*child') {
        *Value = *B.META_DATA_ATTR_VALUE;
    }
}

# --- repository packages (eudat.re) -------------------------------------------

EUDATrp_checkMeta(*source, *AName, *AValue) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATrp_checkMeta", *status, *message, str(*source), str(*AName),
                       str(*AValue));
    b2safeCheck("EUDATrp_checkMeta", *status, *message);
}

EUDATrp_ingestObject(*source) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATrp_ingestObject", *status, *message, str(*source));
    b2safeCheck("EUDATrp_ingestObject", *status, *message);
}

EUDATrp_transferInitiated(*source) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATrp_transferInitiated", *status, *message, str(*source));
    b2safeCheck("EUDATrp_transferInitiated", *status, *message);
}

EUDATrp_transferFinished(*source) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATrp_transferFinished", *status, *message, str(*source));
    b2safeCheck("EUDATrp_transferFinished", *status, *message);
}

# --- PIDs (pid-service.re) ----------------------------------------------------

EUDATCreatePID(*parent_pid, *path, *ror, *fio, *fixed, *newPID) {
    *status = ""; *message = ""; *newPID = "";
    b2safe_native_call("EUDATCreatePID", *status, *message, str(*parent_pid), str(*path),
                       str(*ror), str(*fio), str(*fixed), *newPID);
    b2safeCheck("EUDATCreatePID", *status, *message);
}

# true and the PID when found; "empty" and false otherwise.
EUDATSearchPID(*path, *existing_pid) {
    *status = ""; *message = ""; *existing_pid = "";
    b2safe_native_call("EUDATSearchPID", *status, *message, str(*path), *existing_pid);
    b2safeCheck("EUDATSearchPID", *status, *message);
    *existing_pid != "empty";
}

EUDATSearchPIDchecksum(*path, *existing_pid, *existing_url) {
    *status = ""; *message = ""; *existing_pid = ""; *existing_url = "";
    b2safe_native_call("EUDATSearchPIDchecksum", *status, *message, str(*path), *existing_pid,
                       *existing_url);
    b2safeCheck("EUDATSearchPIDchecksum", *status, *message);
}

# The new EUDAT/REPLICA value, or "None" when it could not be written.
EUDATUpdatePIDWithNewChild(*parentPID, *childPID) {
    *status = ""; *message = ""; *replicas = "";
    b2safe_native_call("EUDATUpdatePIDWithNewChild", *status, *message, str(*parentPID),
                       str(*childPID), *replicas);
    if (*status != "0") { logError("[EUDATUpdatePIDWithNewChild] *message"); *replicas = "None"; }
    *replicas;
}

# The value of one field of a PID record; "None" if the record or field is absent.
EUDATGeteValPid(*pid, *key) {
    if (*pid == "") { failmsg(-1, "Trying to read values from PID when no PID provided."); }
    *status = ""; *message = ""; *val = "";
    b2safe_native_call("EUDATGeteValPid", *status, *message, str(*pid), str(*key), *val);
    if (*status == "-310000") { *val = "None"; }
    else { b2safeCheck("EUDATGeteValPid", *status, *message); }
    *val;
}

# Writes AVU PID unless a different PID is there already (then false, kept).
EUDATiPIDcreate(*path, *PID) {
    *status = ""; *message = ""; *result = "";
    b2safe_native_call("EUDATiPIDcreate", *status, *message, str(*path), str(*PID), *result);
    b2safeCheck("EUDATiPIDcreate", *status, *message);
    *result == "true";
}

# Creates a PID record for *path with the "TYPE=value;..." values of *extraType (no search).
EUDATePIDcreate(*path, *extraType, *PID) {
    *status = ""; *message = ""; *PID = "";
    b2safe_native_call("EUDATePIDcreate", *status, *message, str(*path), str(*extraType), *PID);
    b2safeCheck("EUDATePIDcreate", *status, *message);
}

# true and the first PID whose *field is *value; "empty" and false when there is none.
EUDATePIDsearch(*field, *value, *PID) {
    *status = ""; *message = ""; *PID = "";
    b2safe_native_call("EUDATePIDsearch", *status, *message, str(*field), str(*value), *PID);
    b2safeCheck("EUDATePIDsearch", *status, *message);
    *PID != "empty";
}

EUDATeCHECKSUMupdate(*PID, *path) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATeCHECKSUMupdate", *status, *message, str(*PID), str(*path));
    b2safeCheck("EUDATeCHECKSUMupdate", *status, *message);
}

EUDATeURLupdate(*PID, *newURL) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATeURLupdate", *status, *message, str(*PID), str(*newURL));
    b2safeCheck("EUDATeURLupdate", *status, *message);
}

EUDATeURLupdateColl(*PID, *newURL) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATeURLupdateColl", *status, *message, str(*PID), str(*newURL));
    b2safeCheck("EUDATeURLupdateColl", *status, *message);
}

# Deletes the PID record; when it lists replicas and *force is not true, does
# nothing (4.x).
EUDATePIDremove(*path, *force) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATePIDremove", *status, *message, str(*path), str(*force));
    b2safeCheck("EUDATePIDremove", *status, *message);
}

# Copies EUDAT/ROR of the PID record into the AVU (4.x; nothing when the record has none).
EUDATiRORupdate(*source, *pid) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATiRORupdate", *status, *message, str(*source), str(*pid));
    b2safeCheck("EUDATiRORupdate", *status, *message);
}

EUDATeRORupdate(*PID, *newRor) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATeRORupdate", *status, *message, str(*PID), str(*newRor));
    b2safeCheck("EUDATeRORupdate", *status, *message);
}

EUDATeFIOupdate(*PID, *newFio) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATeFIOupdate", *status, *message, str(*PID), str(*newFio));
    b2safeCheck("EUDATeFIOupdate", *status, *message);
}

EUDATPidsForColl(*collPath, *fixed) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATPidsForColl", *status, *message, str(*collPath), str(*fixed));
    b2safeCheck("EUDATPidsForColl", *status, *message);
}

# --- replication (replication.re) ---------------------------------------------

EUDATUpdateLogging(*status_transfer_success, *source, *destination, *cause) {
    *status = ""; *message = "";
    b2safe_native_call("EUDATUpdateLogging", *status, *message, str(*status_transfer_success),
                       str(*source), str(*destination), str(*cause));
    b2safeCheck("EUDATUpdateLogging", *status, *message);
}

EUDATCheckIntegrity(*source, *source_res, *destination, *dest_res, *logEnabled, *notification,
                    *response) {
    *status = ""; *message = ""; *response = ""; *ok = "";
    b2safe_native_call("EUDATCheckIntegrity", *status, *message, str(*source), str(*source_res),
                       str(*destination), str(*dest_res), str(*logEnabled), str(*notification),
                       *response, *ok);
    b2safeOutcome("EUDATCheckIntegrity", *status, *message, *response) && *ok == "true";
}

EUDATCheckIntegrity(*source, *destination, *logEnabled, *notification, *response) {
    EUDATCheckIntegrity(*source, "null", *destination, "null", *logEnabled, *notification,
                        *response);
}

EUDATCheckIntegrityDO(*source, *source_res, *destination, *dest_res, *logEnabled, *response) {
    *status = ""; *message = ""; *response = ""; *ok = "";
    b2safe_native_call("EUDATCheckIntegrityDO", *status, *message, str(*source),
                       str(*source_res), str(*destination), str(*dest_res), str(*logEnabled),
                       *response, *ok);
    b2safeOutcome("EUDATCheckIntegrityDO", *status, *message, *response) && *ok == "true";
}

EUDATCheckIntegrityDO(*source, *destination, *logEnabled, *response) {
    EUDATCheckIntegrityDO(*source, "null", *destination, "null", *logEnabled, *response);
}

EUDATCheckIntegrityColl(*sCollPath, *source_res, *dCollPath, *dest_res, *logEnabled, *response) {
    *status = ""; *message = ""; *response = ""; *ok = "";
    b2safe_native_call("EUDATCheckIntegrityColl", *status, *message, str(*sCollPath),
                       str(*source_res), str(*dCollPath), str(*dest_res), str(*logEnabled),
                       *response, *ok);
    b2safeOutcome("EUDATCheckIntegrityColl", *status, *message, *response) && *ok == "true";
}

EUDATCheckIntegrityColl(*sCollPath, *dCollPath, *logEnabled, *response) {
    EUDATCheckIntegrityColl(*sCollPath, "null", *dCollPath, "null", *logEnabled, *response);
}

EUDATReplication(*source, *destination, *dest_res, *registered, *recursive, *response) {
    *status = ""; *message = ""; *response = "";
    b2safe_native_call("EUDATReplication", *status, *message, str(*source), str(*destination),
                       str(*dest_res), str(*registered), str(*recursive), *response);
    b2safeOutcome("EUDATReplication", *status, *message, *response);
}

EUDATReplication(*source, *destination, *registered, *recursive, *response) {
    *status = ""; *message = ""; *response = "";
    b2safe_native_call("EUDATReplication", *status, *message, str(*source), str(*destination),
                       str(*registered), str(*recursive), *response);
    b2safeOutcome("EUDATReplication", *status, *message, *response);
}

EUDATRegDataRepl(*source, *destination, *dest_res, *recursive, *response) {
    *status = ""; *message = ""; *response = "";
    b2safe_native_call("EUDATRegDataRepl", *status, *message, str(*source), str(*destination),
                       str(*dest_res), str(*recursive), *response);
    b2safeOutcome("EUDATRegDataRepl", *status, *message, *response);
}

EUDATRegDataRepl(*source, *destination, *recursive, *response) {
    *status = ""; *message = ""; *response = "";
    b2safe_native_call("EUDATRegDataRepl", *status, *message, str(*source), str(*destination),
                       str(*recursive), *response);
    b2safeOutcome("EUDATRegDataRepl", *status, *message, *response);
}

EUDATPIDRegistration(*source, *destination, *notification, *registration_response) {
    *status = ""; *message = ""; *registration_response = "";
    b2safe_native_call("EUDATPIDRegistration", *status, *message, str(*source),
                       str(*destination), str(*notification), *registration_response);
    if (*status != "0") { *registration_response = *message; }
}

EUDATTransferUsingFailLog(*buffer_length, *stats) {
    *status = ""; *message = ""; *stats = "";
    b2safe_native_call("EUDATTransferUsingFailLog", *status, *message, str(*buffer_length),
                       *stats);
    b2safeCheck("EUDATTransferUsingFailLog", *status, *message);
}

# The PID of *path from its AVU, minted when there is none (4.x).
EUDATSearchAndCreatePID(*path, *pid) {
    EUDATgetLastAVU(*path, "PID", *pid);
    if (*pid == "None") {
        EUDATCreatePID("None", *path, "None", "None", "false", *pid);
    }
}

# The value of field *key: the AVU, else the PID record's (then kept as AVU).
EUDATSearchAndDefineField(*path, *pid, *key) {
    EUDATgetLastAVU(*path, *key, *value);
    if (*value == "None") {
        *value = EUDATGeteValPid(*pid, *key);
        if (*value != "None" && *value != "") { EUDATCreateAVU(*key, *value, *path); }
    }
    *value;
}

# --- ownership and error checks (catchError.re) --------------------------------

# 1 if the client has read, write or own on the object (4.2 and 4.3+ spellings), else 0.
EUDATCheckOwnershipObj(*path) {
    msiSplitPath(*path, *coll, *name);
    *owner = 0;
    foreach (*Row in SELECT USER_NAME, DATA_ACCESS_NAME WHERE COLL_NAME = '*coll' AND DATA_NAME = '*name') {
        if (*Row.USER_NAME == $userNameClient && b2safeGrants(*Row.DATA_ACCESS_NAME)) { *owner = 1; break; }
    }
    *owner;
}

# 1 if the client has read, write or own on the collection, else 0.
EUDATCheckOwnershipColl(*path) {
    *owner = 0;
    foreach (*Row in SELECT USER_NAME, DATA_ACCESS_NAME WHERE COLL_NAME = '*path') {
        if (*Row.USER_NAME == $userNameClient && b2safeGrants(*Row.DATA_ACCESS_NAME)) { *owner = 1; break; }
    }
    *owner;
}

b2safeGrants(*perm) {
    *perm == "own" || *perm == "write" || *perm == "read" || *perm == "modify_object"
        || *perm == "read_object" || *perm == "modify object" || *perm == "read object";
}

# Fails unless the client owns (or has an ACL on) *path and everything below it.
EUDATCatchErrorDataOwner(*path, *msg) {
    if (!EUDATObjExist(*path, *response)) { failmsg(-1, *response); }
    *msg = "ownership check passed";
    msiGetObjType(*path, *type);
    if (*type == "-c") {
        b2safeOwnsColl(*path, *msg);
        foreach (*Row in SELECT DATA_NAME, COLL_NAME WHERE COLL_NAME = '*path' || like '*path/%') {
            if (*Row.COLL_NAME != *path) { b2safeOwnsColl(*Row.COLL_NAME, *msg); }
            b2safeOwnsObj(*Row.COLL_NAME ++ "/" ++ *Row.DATA_NAME, *msg);
        }
    }
    else if (*type == "-d") { b2safeOwnsObj(*path, *msg); }
}

b2safeOwnsColl(*path, *msg) {
    msiCheckAccess(*path, "own", *result);
    if (*result != 1 && EUDATCheckOwnershipColl(*path) != 1) {
        *msg = "ownership check failed on path: *path";
        failmsg(-1, *msg);
    }
}

b2safeOwnsObj(*path, *msg) {
    msiCheckAccess(*path, "own", *result);
    if (*result != 1 && EUDATCheckOwnershipObj(*path) != 1) {
        *msg = "ownership check failed on path: *path";
        failmsg(-1, *msg);
    }
}

# true when the catalog checksums of two objects agree (computed when missing).
EUDATCatchErrorChecksum(*source, *source_res, *destination, *dest_res, *response) {
    if (!EUDATObjExist(*source, *response) || !EUDATObjExist(*destination, *response)) {
        failmsg(-1, *response);
    }
    EUDATiCHECKSUMget(*source, *checksum0, *modtime0, *source_res);
    EUDATiCHECKSUMget(*destination, *checksum1, *modtime1, *dest_res);
    *b = *checksum0 == *checksum1;
    if (*b) { *response = "checksum(*source):*checksum0 = checksum(*destination):*checksum1"; }
    else {
        *response = "checksum(*source):*checksum0 != checksum(*destination):*checksum1,"
                    ++ " checksum(*source) modification time: *modtime0,"
                    ++ " checksum(*destination) modification time: *modtime1";
    }
    logInfo("[EUDATCatchErrorChecksum] *response");
    *b;
}

EUDATCatchErrorChecksum(*source, *destination, *response) {
    EUDATCatchErrorChecksum(*source, "null", *destination, "null", *response);
}

# true when the catalog sizes of two objects agree (on the named resources, if given).
EUDATCatchErrorSize(*source, *source_res, *destination, *dest_res, *response) {
    if (!EUDATObjExist(*source, *response)) { failmsg(-1, *response); }
    if (!EUDATObjExist(*destination, *response)) { failmsg(-1, *response); }
    b2safeSizeOn(*source, *source_res, *size0, *s_res);
    b2safeSizeOn(*destination, *dest_res, *size1, *d_res);
    *b = *size0 == *size1;
    *relation = "=";
    if (!*b) { *relation = "!="; }
    *response = "size(*source:*s_res:):*size0 *relation size(*destination:*d_res:):*size1";
    logInfo("[EUDATCatchErrorSize] *response");
    *b;
}

EUDATCatchErrorSize(*source, *destination, *response) {
    EUDATCatchErrorSize(*source, "null", *destination, "null", *response);
}

b2safeSizeOn(*path, *resc, *size, *used) {
    msiSplitPath(*path, *coll, *name);
    *size = ""; *used = *resc;
    foreach (*R in SELECT DATA_SIZE, DATA_RESC_NAME WHERE COLL_NAME = '*coll' AND DATA_NAME = '*name') {
        *size = *R.DATA_SIZE; *used = *R.DATA_RESC_NAME;
        if (*R.DATA_RESC_NAME == *resc) { break; }
    }
}

# --- metadata for messages (eudat.re) -----------------------------------------

EUDATgetCollAVU(*path, *res) {
    *res = "";
    foreach (*R in SELECT COLL_OWNER_NAME WHERE COLL_NAME = '*path') {
        *res = *res ++ "owner:" ++ *R.COLL_OWNER_NAME;
    }
    foreach (*R in SELECT META_COLL_ATTR_NAME, META_COLL_ATTR_VALUE WHERE COLL_NAME = '*path') {
        *res = *res ++ *R.META_COLL_ATTR_NAME ++ ":" ++ *R.META_COLL_ATTR_VALUE ++ ",";
    }
}

EUDATgetBulkMetadata(*path, *res) {
    *res = ""; *previous = "";
    foreach (*R in SELECT META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE, DATA_CHECKSUM, DATA_NAME,
             DATA_OWNER_NAME, DATA_RESC_NAME WHERE COLL_NAME = '*path' AND DATA_REPL_NUM = '0') {
        if (*previous != *R.DATA_NAME) {
            *res = *res ++ b2safeObjFacts(*R.DATA_NAME, *R.DATA_RESC_NAME, *R.DATA_OWNER_NAME,
                                          *R.DATA_CHECKSUM);
        }
        *res = *res ++ *R.DATA_NAME ++ "=:=" ++ *R.META_DATA_ATTR_NAME ++ "=:="
               ++ *R.META_DATA_ATTR_VALUE ++ ",";
        *previous = *R.DATA_NAME;
    }
    *res = trimr(*res, ",");
}

EUDATgetObjMetadata(*path, *res) {
    *res = "";
    msiSplitPath(*path, *parent, *child);
    foreach (*R in SELECT DATA_CHECKSUM, DATA_NAME, DATA_OWNER_NAME, DATA_RESC_NAME
             WHERE COLL_NAME = '*parent' AND DATA_NAME = '*child' AND DATA_REPL_NUM = '0') {
        *res = *res ++ b2safeObjFacts(*R.DATA_NAME, *R.DATA_RESC_NAME, *R.DATA_OWNER_NAME,
                                      *R.DATA_CHECKSUM);
    }
    foreach (*R in SELECT DATA_NAME, META_DATA_ATTR_NAME, META_DATA_ATTR_VALUE
             WHERE COLL_NAME = '*parent' AND DATA_NAME = '*child' AND DATA_REPL_NUM = '0') {
        *res = *res ++ *R.DATA_NAME ++ "=:=" ++ *R.META_DATA_ATTR_NAME ++ "=:="
               ++ *R.META_DATA_ATTR_VALUE ++ ",";
    }
    *res = trimr(*res, ",");
}

b2safeObjFacts(*name, *resc, *owner, *checksum) =
    *name ++ "=:=resource=:=" ++ *resc ++ "," ++ *name ++ "=:=owner=:=" ++ *owner ++ ","
    ++ *name ++ "=:=checksum=:=" ++ *checksum ++ ","

# --- messaging, log and queue (eudat.re) --------------------------------------
# EUDATMessage publishes to the ARGO-compatible endpoint of messaging.credentials_file
# when messaging.enabled; otherwise nothing is sent and "None" returned (4.x).

EUDATMessage(*queue, *message) {
    *status = ""; *message_error = ""; *result = "";
    b2safe_native_call("EUDATMessage", *status, *message_error, str(*queue), str(*message),
                       *result);
    b2safeCheck("EUDATMessage", *status, *message_error);
    *result;
}

EUDATPushMetadata(*path, *queue) {
    foreach (*Row in SELECT COLL_NAME WHERE COLL_NAME = '*path' || like '*path/%') {
        EUDATgetCollAVU(*Row.COLL_NAME, *res_coll);
        EUDATgetBulkMetadata(*Row.COLL_NAME, *res_objs);
        EUDATMessage(*queue, "{ " ++ *Row.COLL_NAME ++ ":{ *res_coll, objects: [*res_objs] } }");
    }
}

EUDATPushCollMetadata(*path, *queue) {
    EUDATgetCollAVU(*path, *res_coll);
    EUDATMessage(*queue, "{ *path:{ *res_coll, objects: [] } }");
}

EUDATPushObjMetadata(*path, *queue) {
    msiSplitPath(*path, *parent, *child);
    EUDATgetObjMetadata(*path, *res_objs);
    EUDATMessage(*queue, "{ *parent:{ objects: [*res_objs] } }");
}

# b2safe logs to the server log (4.x wrote LOG_DIR/b2safe.log).
EUDATLog(*message, *level) {
    *status = ""; *error = "";
    b2safe_native_call("EUDATLog", *status, *error, str(*message), str(*level));
    b2safeCheck("EUDATLog", *status, *error);
}

# The 4.x fail queue, kept in b2safe's fail log (catalog AVUs): "push" records
# "source::destination::status::cause" (split at "::" only); "queuesize" gives the
# number of records, "pop" takes the oldest off (*number > 1: up to that many, as
# "'m1', 'm2'"), as 4.x's logmanager.py did.
EUDATQueue(*action, *message, *number) {
    *status = ""; *error = ""; *text = "";
    if (*action == "push") { *text = str(*message); }
    b2safe_native_call("EUDATQueue", *status, *error, str(*action), *text, str(*number));
    b2safeCheck("EUDATQueue", *status, *error);
    if (*action == "pop" || *action == "queuesize") { *message = *text; }
}

# The OAuth2 PAM user map (authorization.pam_user_map) as JSON, for users the
# authorization map lets "read" target "users" (4.x).
EUDATGetPAMusers(*json_map) {
    *status = ""; *message = ""; *json_map = "";
    b2safe_native_call("EUDATGetPAMusers", *status, *message, *json_map);
    b2safeCheck("EUDATGetPAMusers", *status, *message);
}
