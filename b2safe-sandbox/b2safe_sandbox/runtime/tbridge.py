"""Building ``irods_types`` objects for the runtime (a thin layer over its factories)."""

from __future__ import annotations

from typing import Any, Optional

from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import ExecContext


def split_user(user: str, default_zone: str = "") -> tuple[str, str]:
    """('name', 'zone') of 'name#zone'."""
    if "#" in user:
        name, zone = user.split("#", 1)
        return name, zone
    return user, default_zone


def user_type(ctx: ExecContext, user: str) -> str:
    """The type of ``user`` in its home zone's catalog ('rodsuser' if unknown)."""
    name, zone = split_user(user, ctx.zone)
    try:
        row = ctx.sandbox.zone(zone).catalog.get_user(name, zone)
    except Exception:  # an unknown zone or user is just a plain user
        return "rodsuser"
    return row.type if row is not None else "rodsuser"


def user_info(ctx: ExecContext, user: str) -> Any:
    """A UserInfo for ``user`` as the server of ``ctx.zone`` sees it.

    authFlag: 5 (LOCAL_PRIV_USER_AUTH) for a rodsadmin of this zone, 4 (REMOTE_PRIV_USER_AUTH)
    for a rodsadmin of another zone, 3/2 for plain local/remote users.
    """
    name, zone = split_user(user, ctx.zone)
    typ = user_type(ctx, user)
    local = zone == ctx.zone
    if typ == "rodsadmin":
        flag = 5 if local else 4
    else:
        flag = 3 if local else 2
    return T._make_user_info(name, zone, typ, auth_flag=flag)


def plugin_context(ctx: ExecContext, zone: str, path: Optional[str] = None,
                   resc_hier: str = "", repl: Optional[int] = None,
                   extra: Optional[dict] = None) -> Any:
    """A PluginContext whose map() merges object rule vars with the serialized rsComm."""
    client = split_user(ctx.client_user, zone)
    proxy = split_user(ctx.proxy_user, zone)
    values: dict[str, Any] = {
        "user_user_name": client[0], "user_rods_zone": client[1],
        "proxy_user_name": proxy[0], "proxy_rods_zone": proxy[1],
        "client_addr": "127.0.0.1", "auth_scheme": "native",
    }
    if path is not None:
        values.update({"logical_path": path, "resc_hier": resc_hier,
                       "repl_requested": "" if repl is None else str(repl)})
        try:
            cat = ctx.sandbox.zone(zone).catalog
            rows = cat.data_get(path)
            row = next((r for r in rows if repl is None or r.repl_num == repl), None)
            if row is not None:
                values.update({"physical_path": row.phys_path, "dataId": str(row.data_id),
                               "file_size": str(row.size), "dataType": row.data_type,
                               "resc_hier": row.resc_hier or row.resc_name})
        except Exception as exc:  # the context describes what exists
            ctx.sandbox.log(zone, f"plugin context: cannot read {path}: {exc}")
    values.update(extra or {})
    return T._make_plugin_context(values)


def data_obj_info(ctx: ExecContext, zone: str, path: str, repl: Optional[int] = None) -> Any:
    """A DataObjInfo for replica ``repl`` (or the first good one) of ``path``, or None."""
    try:
        rows = ctx.sandbox.zone(zone).catalog.data_get(path)
    except Exception:
        rows = []
    if not rows:
        return T._new(T.DataObjInfo, objPath=path)
    row = next((r for r in rows if r.repl_num == repl), None) if repl is not None else None
    if row is None:
        row = next((r for r in rows if r.status == 1), rows[0])
    coll_id = 0
    try:
        coll = ctx.sandbox.zone(zone).catalog.coll_get(row.coll_path)
        coll_id = int(coll.id) if coll is not None else 0
    except Exception as exc:
        ctx.sandbox.log(zone, f"rei.doi: cannot read collection of {path}: {exc}")
    return T._new(
        T.DataObjInfo, objPath=path, rescName=row.resc_name,
        rescHier=row.resc_hier or row.resc_name, dataType=row.data_type, dataSize=int(row.size),
        chksum=row.checksum, filePath=row.phys_path, dataOwnerName=row.owner_name,
        dataOwnerZone=row.owner_zone, replNum=int(row.repl_num), replStatus=int(row.status),
        dataId=int(row.data_id), collId=coll_id, dataMode=str(row.mode or ""),
        dataCreate=row.create_time, dataModify=row.modify_time)


def bytes_buf(data: bytes) -> Any:
    """A BytesBuf holding ``data``."""
    return T._make_bytes_buf(data)
