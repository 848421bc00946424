"""``session_vars.get_map(rei)``: the session state of a rule as plain dicts.

Written for the b2safe sandbox from the documented behaviour of PREP's ``session_vars.py``
(prep-runtime.md §4), reading only ``rei`` fields, so it works with the real ``rei`` too. It is
copied into each zone's config directory and imported there as the top-level module
``session_vars``; it must not import b2safe.
"""


def _user_map(user):
    """The dict of one ``userInfo_t`` (client, proxy or other user)."""
    auth = user.authInfo
    other = user.userOtherInfo
    return {
        "user_name": str(user.userName),
        "irods_zone": str(user.rodsZone),
        "user_type": str(user.userType),
        "system_uid": user.sysUid,
        "authentication_info": {
            "authentication_scheme": str(auth.authScheme),
            "privilege_level": auth.authFlag,
            "flag": auth.flag,
            "ppid": auth.ppid,
            "host": str(auth.host),
            "authentication_string": str(auth.authStr),
        },
        "info": str(other.userInfo),
        "comments": str(other.userComments),
        "create_time": str(other.userCreate),
        "modify_time": str(other.userModify),
    }


def _connection_map(comm):
    if comm is None:
        return None
    return {
        "client_address": str(comm.clientAddr),
        "connection_count": comm.connectCnt,
        "socket": comm.sock,
        "option": str(comm.option),
        "status": comm.status,
        "api_number": comm.apiInx,
    }


def _data_object_map(doi, doinp):
    """From ``rei.doi`` when present; else only path and size from ``rei.doinp``; else None."""
    if doi is None and doinp is None:
        return None
    if doi is None:
        keys = ("type", "checksum", "file_path", "replica_number", "replication_status",
                "write_flag", "owner", "owner_zone", "expiry", "comments", "create_time",
                "modify_time", "access_time", "id", "collection_id", "status_string",
                "destination_resource_name", "backup_resource_name", "resource_name")
        result = {"object_path": str(doinp.objPath), "size": doinp.dataSize}
        result.update(dict.fromkeys(keys))
        return result
    return {
        "object_path": str(doi.objPath),
        "size": doi.dataSize,
        "type": str(doi.dataType),
        "checksum": str(doi.chksum),
        "file_path": str(doi.filePath),
        "replica_number": doi.replNum,
        "replication_status": doi.replStatus,
        "write_flag": doi.writeFlag,
        "owner": str(doi.dataOwnerName),
        "owner_zone": str(doi.dataOwnerZone),
        "expiry": str(doi.dataExpiry),
        "comments": str(doi.dataComments),
        "create_time": str(doi.dataCreate),
        "modify_time": str(doi.dataModify),
        "access_time": str(doi.dataAccess),
        "id": doi.dataId,
        "collection_id": doi.collId,
        "status_string": str(doi.statusString),
        "destination_resource_name": str(doi.destRescName),
        "backup_resource_name": str(doi.backupRescName),
        "resource_name": str(doi.rescName),
    }


def _collection_map(coi):
    if coi is None:
        return None
    return {
        "id": coi.collId,
        "name": str(coi.collName),
        "parent_collection_name": str(coi.collParentName),
        "owner": str(coi.collOwnerName),
        "expiry": str(coi.collExpiry),
        "comments": str(coi.collComments),
        "create_time": str(coi.collCreate),
        "modify_time": str(coi.collModify),
        "access_time": str(coi.collAccess),
        "inheritance": str(coi.collInheritance),
    }


def _pick_user(direct, comm, attribute):
    """``rei.uoic``-style user, falling back to the connection's user; None if neither."""
    if direct is not None:
        return _user_map(direct)
    if comm is not None and getattr(comm, attribute) is not None:
        return _user_map(getattr(comm, attribute))
    return None


def get_map(rei):
    """The session of ``rei`` as nested dicts of str/int/None.

    Keys: plugin_instance_name, status, operation_type, connection, data_object, collection,
    client_user, proxy_user, other_user, key_value_pairs. As in PREP, the keys and values of
    ``key_value_pairs`` are c_string objects, not str.
    """
    comm = rei.rsComm
    kvp = rei.condInputData
    return {
        "plugin_instance_name": str(rei.pluginInstanceName),
        "status": rei.status,
        "operation_type": rei.doinp.oprType if rei.doinp is not None else None,
        "connection": _connection_map(comm),
        "data_object": _data_object_map(rei.doi, rei.doinp),
        "collection": _collection_map(rei.coi),
        "client_user": _pick_user(rei.uoic, comm, "clientUser"),
        "proxy_user": _pick_user(rei.uoip, comm, "proxyUser"),
        "other_user": _user_map(rei.uoio) if rei.uoio is not None else None,
        "key_value_pairs": (
            {kvp.key[i]: kvp.value[i] for i in range(kvp.len)} if kvp is not None else None),
    }
