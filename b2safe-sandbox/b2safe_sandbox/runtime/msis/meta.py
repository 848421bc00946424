"""Metadata (AVU) and key-value-pair microservices (prep-runtime.md §7)."""

from __future__ import annotations

import json
from typing import Any

from b2safe_sandbox.errors import (
    SYS_INVALID_INPUT_PARAM,
    UNMATCHED_KEY_OR_INDEX,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

_KINDS = {"-d": "-d", "-D": "-d", "-C": "-C", "-c": "-C", "-R": "-R", "-r": "-R",
          "-u": "-u", "-U": "-u"}


def object_kind(text: str) -> str:
    """imeta's object type flag (``-d``, ``-C``, ``-R``, ``-u``) from any spelling iRODS accepts.

    Raises:
        IrodsCallError: SYS_INVALID_INPUT_PARAM for another flag.
    """
    kind = _KINDS.get(str(text))
    if kind is None:
        raise IrodsCallError(f"unknown object type {text}", code=SYS_INVALID_INPUT_PARAM)
    return kind


def _target(call: MsiCall, kind: str, name: str) -> tuple:
    """(catalog, target) for an AVU operation: paths route by zone, users get '#zone'."""
    if kind in ("-d", "-C"):
        _, cat = dataops.catalog_for(call.ctx, name)
        return cat, name
    cat = call.sandbox.zone(call.ctx.zone).catalog
    if kind == "-u" and "#" not in name:
        name = f"{name}#{call.ctx.zone}"
    return cat, name


def _check_write(call: MsiCall, cat: object, kind: str, target: str) -> None:
    """AVUs on objects/collections need 'modify object'; -R/-u need a rodsadmin."""
    from b2safe_sandbox.errors import CAT_INSUFFICIENT_PRIVILEGE_LEVEL, CAT_NO_ACCESS_PERMISSION

    if kind in ("-d", "-C"):
        exists = cat.data_exists(target) if kind == "-d" else cat.coll_get(target) is not None
        if exists and not cat.check_access(target, call.actor, "modify_object"):
            raise IrodsCallError(f"no permission on {target}", code=CAT_NO_ACCESS_PERMISSION)
    elif not cat.is_admin(call.actor):
        raise IrodsCallError("only a rodsadmin may do this",
                             code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)


def modify_avu(call: MsiCall, kind: str, name: str, op: str, a: str, v: str, u: str) -> None:
    """add / set / rm one AVU on ``name`` (the catalog checks existence).

    ``call`` supplies the context (client user, zone); client sessions pass a MsiCall too.
    """
    cat, target = _target(call, kind, name)
    if op not in ("add", "set", "rm", "remove", "adda"):
        raise IrodsCallError(f"unknown operation {op}", code=SYS_INVALID_INPUT_PARAM)
    _check_write(call, cat, kind, target)
    if op in ("add", "adda"):
        cat.avu_add(kind, target, a, v, u)
    elif op == "set":
        cat.avu_set(kind, target, a, v, u)
    else:
        cat.avu_rm(kind, target, a, v, u)


@microservice("msiModAVUMetadata", 6, inputs={i: "str" for i in range(6)})
def msi_mod_avu_metadata(call: MsiCall) -> dict:
    """msiModAVUMetadata(-d|-C|-R|-u, name, add|set|rm, attr, value, units)."""
    kind, name, op, a, v, u = call.args
    modify_avu(call, object_kind(kind), name, op, a, v, u)
    return {}


@microservice("msiAddKeyVal", 3, inputs={0: "kvp", 1: "str", 2: "str"}, outputs={0: "KVP"})
def msi_add_key_val(call: MsiCall) -> dict:
    """msiAddKeyVal(kvp, key, value): returns the updated KVP in arguments[0]."""
    kvp = T._copy(call.args[0])
    T._kvp_add(kvp, call.args[1], call.args[2])
    return {0: kvp}


@microservice("msiString2KeyValPair", 2, inputs={0: "str"}, outputs={1: "KVP"})
def msi_string2_key_val_pair(call: MsiCall) -> dict:
    """msiString2KeyValPair('a=1%b=2', kvp_out): split on '%' and on the first '='."""
    kvp = T.KeyValPair()
    text = call.args[0]
    if text:
        for part in text.split("%"):
            if not part:
                continue
            key, _, value = part.partition("=")
            T._kvp_add(kvp, key, value)
    return {1: kvp}


def _kvp_msi(call: MsiCall, op: str) -> dict:
    kvp, name, kind_text = call.args
    kind = object_kind(kind_text)
    for key, value in T._kvp_items(kvp):
        modify_avu(call, kind, name, op, key, value, "")
    return {}


@microservice("msiAssociateKeyValuePairsToObj", 3, inputs={0: "kvp", 1: "str", 2: "str"})
def msi_associate_kvp(call: MsiCall) -> dict:
    """msiAssociateKeyValuePairsToObj(kvp, name, type): add each pair as an AVU."""
    return _kvp_msi(call, "add")


@microservice("msiSetKeyValuePairsToObj", 3, inputs={0: "kvp", 1: "str", 2: "str"})
def msi_set_kvp(call: MsiCall) -> dict:
    """msiSetKeyValuePairsToObj(kvp, name, type): set each attribute to its value."""
    return _kvp_msi(call, "set")


@microservice("msiRemoveKeyValuePairsFromObj", 3, inputs={0: "kvp", 1: "str", 2: "str"})
def msi_remove_kvp(call: MsiCall) -> dict:
    """msiRemoveKeyValuePairsFromObj(kvp, name, type): remove each AVU."""
    return _kvp_msi(call, "rm")


@microservice("msiGetValByKey", 3, inputs={0: "kvp", 1: "str"}, outputs={2: "STR"})
def msi_get_val_by_key(call: MsiCall) -> dict:
    """msiGetValByKey(kvp, key, value_out); a missing key gives UNMATCHED_KEY_OR_INDEX."""
    value = T._kvp_get(call.args[0], call.args[1])
    if value is None:
        raise IrodsCallError(f"key {call.args[1]} not found", code=UNMATCHED_KEY_OR_INDEX)
    return {2: value}


#: INVALID_OPERATION (irods lib/core/include/irods/rodsErrorTable.h).
_INVALID_OPERATION = -1811000
#: entity_type of msi_atomic_apply_metadata_operations -> imeta kind.
_ENTITY_KINDS = {"data_object": "-d", "collection": "-C", "resource": "-R", "user": "-u"}


@microservice("msi_atomic_apply_metadata_operations", 2, inputs={0: "str"}, outputs={1: "STR"},
              origin="plugin")
def msi_atomic_apply_metadata_operations(call: MsiCall) -> dict:
    """msi_atomic_apply_metadata_operations(json_in, json_out): every operation or none.

    Input ``{"admin_mode": bool, "entity_name", "entity_type": data_object|collection|resource|
    user, "operations": [{"operation": add|remove, "attribute", "value", "units"}]}``; output
    ``{}`` on success (irods plugins/microservices/src/atomic_apply_metadata_operations.cpp and
    plugins/api/src/atomic_apply_metadata_operations.cpp@5.0.2):
    - bad JSON: INPUT_ARG_NOT_WELL_FORMED_ERR (L470-485); unknown entity or type (the lookup is
      a GenQuery as the client): SYS_INVALID_INPUT_PARAM (L490-503);
    - ``admin_mode`` by a non-rodsadmin: CAT_INSUFFICIENT_PRIVILEGE_LEVEL; without it, no
      permission to modify: CAT_NO_ACCESS_PERMISSION (L515-531; admin_mode since 4.3.1);
    - an empty attribute or value: SYS_INVALID_INPUT_PARAM (L375-381); 'add' of an attached
      AVU and 'remove' of a missing one do nothing (L389-409); another operation:
      INVALID_OPERATION; after any error everything is rolled back.
    """
    from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR

    try:
        request = json.loads(call.args[0])
        name = str(request["entity_name"])
        kind = _ENTITY_KINDS[str(request["entity_type"])]
        operations = list(request.get("operations", []))
    except (ValueError, TypeError) as exc:
        raise IrodsCallError(f"input is not JSON: {exc}",
                             code=INPUT_ARG_NOT_WELL_FORMED_ERR) from None
    except KeyError as exc:
        raise IrodsCallError(f"bad entity: {exc}", code=SYS_INVALID_INPUT_PARAM) from None
    cat, target = _target(call, kind, name)
    object_id = _entity_id(call, cat, kind, name, target, bool(request.get("admin_mode")))
    with cat.batch():
        for op in operations:
            attr, value = str(op.get("attribute", "")), str(op.get("value", ""))
            units = str(op.get("units", ""))
            if not attr or not value:  # before the operation's name is read (L375-381)
                raise IrodsCallError("Empty metadata attribute name or value",
                                     code=SYS_INVALID_INPUT_PARAM)
            if op.get("operation") == "add":
                cat.avu_attach(object_id, kind, attr, value, units)
            elif op.get("operation") == "remove":
                cat.avu_detach(object_id, attr, value, units)
            else:
                raise IrodsCallError("Invalid metadata operation.", code=_INVALID_OPERATION)
    return {1: "{}"}


def _entity_id(call: MsiCall, cat: Any, kind: str, name: str, target: str,
               admin_mode: bool) -> int:
    """The id of entity ``name`` (``target`` in its catalog) that
    msi_atomic_apply_metadata_operations changes, once the caller may:
    SYS_INVALID_INPUT_PARAM when it is not there or not visible to the caller (the lookup is a
    GenQuery as the client), then CAT_INSUFFICIENT_PRIVILEGE_LEVEL for ``admin_mode`` without
    being a rodsadmin, else CAT_NO_ACCESS_PERMISSION without 'modify object' on a data object
    or collection, CAT_INSUFFICIENT_PRIVILEGE_LEVEL on a resource or user for a non-admin
    (as :func:`_check_write`)."""
    from b2safe_sandbox.errors import CAT_INSUFFICIENT_PRIVILEGE_LEVEL, CAT_NO_ACCESS_PERMISSION

    nothing = (0, False, False)
    if kind in ("-d", "-C"):
        # One lookup and one ACL query answer both the visibility and the permission.
        object_id, visible, may_modify = \
            cat.entity_rights(target, kind == "-C", call.actor) or nothing
    else:
        entity = cat.get_resource(target) if kind == "-R" else cat.get_user(target)
        object_id, visible, may_modify = (entity.id, True, False) if entity else nothing
    if not visible:
        raise IrodsCallError(f"Entity does not exist [entity_name={name}]",
                             code=SYS_INVALID_INPUT_PARAM)
    if admin_mode:
        dataops.acting_user(call.ctx, cat, True)
    elif kind in ("-d", "-C"):
        if not may_modify:
            raise IrodsCallError(f"no permission on {target}", code=CAT_NO_ACCESS_PERMISSION)
    elif not cat.is_admin(call.actor):
        raise IrodsCallError("only a rodsadmin may do this",
                             code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)
    return int(object_id)
