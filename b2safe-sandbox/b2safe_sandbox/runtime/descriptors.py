"""Open data-object descriptors (the server's L1 descriptor table) and their JSON description.

An entry is a dict: ``zone``, ``path``, ``repl`` (replica number), ``offset``, ``write`` (opened
for writing), ``written`` (bytes were written), and for client streams ``open_type``
(CREATE_TYPE 1, OPEN_FOR_READ_TYPE 2, OPEN_FOR_WRITE_TYPE 3), ``opr_type`` (PUT_OPR 1,
COPY_DEST 9, ...), ``open_flags``, ``bytes_written``, ``data_size``, ``replica_token`` and
``cond`` (the open's condInput). Numbers: irods lib/api/include/irods/dataObjInpOut.h@5.0.2
L158-186. Descriptors start at 3 (replica_close.cpp@5.0.2 L347 refuses ``fd < 3``).
"""

from __future__ import annotations

import json
from typing import Any

CREATE_TYPE, OPEN_FOR_READ_TYPE, OPEN_FOR_WRITE_TYPE = 1, 2, 3
PUT_OPR, COPY_DEST = 1, 9
O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC = 0, 1, 2, 0o100, 0o1000
GOOD_REPLICA = 1


def table(sandbox: Any) -> dict:
    """The sandbox's descriptor table ``{fd: entry}`` (one table: agents run one at a time)."""
    return sandbox.__dict__.setdefault("l1_descriptors", {})


def new_fd(sandbox: Any, entry: dict) -> int:
    """Store ``entry`` under the lowest free descriptor from 3 on; returns it."""
    descriptors = table(sandbox)
    fd = 3
    while fd in descriptors:
        fd += 1
    descriptors[fd] = entry
    return fd


def info_json(sandbox: Any, fd: int) -> str:
    """What ``rs_get_file_descriptor_info`` returns for ``fd`` (the keys of ``to_json(l1desc)``
    and of its data_object_input / data_object_info, irods plugins/api/src/
    get_file_descriptor_info.cpp@5.0.2 L61-230), or "" for a descriptor that is not open.

    Guess: fields the sandbox does not model (l3descInx, lock descriptors, resource ids, the
    zone host) are zero or null.
    """
    entry = table(sandbox).get(fd)
    if entry is None:
        return ""
    catalog = sandbox.zone(entry["zone"]).catalog
    row = next((r for r in catalog.data_get(entry["path"]) if r.repl_num == entry["repl"]), None)
    cond = [{"key": k, "value": v} for k, v in dict(entry.get("cond") or {}).items()]
    flags = int(entry.get("open_flags", O_RDWR if entry.get("write") else O_RDONLY))
    size = int(entry.get("data_size", -1))
    inp = {"object_path": entry["path"], "create_mode": 0o600, "open_flags": flags,
           "offset": 0, "data_size": size, "number_of_threads": 0,
           "operation_type": int(entry.get("opr_type", 0)), "special_collection": None,
           "condition_input": cond}
    info = None
    if row is not None:
        info = {"object_path": entry["path"], "resource_name": row.resc_name,
                "resource_hierarchy": row.resc_hier or row.resc_name,
                "data_type": row.data_type, "data_size": int(row.size),
                "checksum": row.checksum or "", "version": "", "file_path": row.phys_path,
                "data_owner_name": row.owner_name, "data_owner_zone": row.owner_zone,
                "replica_number": int(row.repl_num),
                "is_replica_current": int(row.status) == GOOD_REPLICA,
                "replica_status": int(row.status), "status_string": "",
                "data_id": int(row.data_id), "collection_id": 0, "data_map_id": 0, "flags": 0,
                "data_comments": "", "data_mode": str(row.mode or ""), "data_expiry": "",
                "data_create": row.create_time, "data_modify": row.modify_time,
                "data_access": "", "data_access_index": 0, "write_flag": 0,
                "destination_resource_name": "", "sub_path": "", "special_collection": None,
                "registering_user_id": 0, "other_flags": 0, "condition_input": cond,
                "in_pdmo": "", "next": None, "resource_id": 0}
    return json.dumps({
        "l3descInx": 0, "in_use": True, "operation_type": int(entry.get("opr_type", 0)),
        "open_type": int(entry.get("open_type", OPEN_FOR_WRITE_TYPE if entry.get("write")
                                   else OPEN_FOR_READ_TYPE)),
        "operation_status": 0, "data_object_input_replica_flag": 0,
        "data_object_input": inp, "data_object_info": info, "other_data_object_info": None,
        "copies_needed": 0, "bytes_written": int(entry.get("bytes_written", 0)),
        "data_size": size, "replica_status": int(row.status) if row is not None else 0,
        "checksum_flag": 0, "source_l1_descriptor_index": 0, "checksum": "",
        "remote_l1_descriptor_index": 0, "stage_flag": 0, "purge_cache_flag": 0,
        "lock_file_descriptor": 0, "plugin_data": None, "replication_data_object_info": None,
        "remote_zone_host": None, "in_pdmo": "", "replica_token": entry.get("replica_token", ""),
    })
