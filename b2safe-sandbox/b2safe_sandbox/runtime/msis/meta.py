"""Metadata (AVU) and key-value-pair microservices (prep-runtime.md §7)."""

from __future__ import annotations

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


def avu_target(call: MsiCall, kind: str, name: str) -> tuple:
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
    cat, target = avu_target(call, kind, name)
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
