"""User, group and collection administration microservices (irods
server/re/src/icatAdminMS.cpp@5.0.2, the same at 4.3.5) over the catalog routines of
plugins/database/src/db_plugin.cpp@5.0.2.

msiCreateUser, msiDeleteUser, msiAddUserToGroup, msiCreateCollByAdmin and msiDeleteCollByAdmin
act on ``rei.uoio``, the user an administrative PEP is about (the sandbox's
``ExecContext.other_user``). Only acPreProcForModifyUserGroup/acPostProcForModifyUserGroup set
it on 4.3/5.0 (rsGeneralAdmin.cpp L983-988); irule and every other PEP leave it NULL
(rsExecMyRule.cpp L69-74), where the first two fail with CAT_INVALID_ARGUMENT ("null parameter")
and the other three dereference NULL: the agent dies (:class:`AgentCrash`).

"Admin" below is authFlag >= LOCAL_PRIV_USER_AUTH for the client and the proxy: a rodsadmin
of the zone running the rule. The sandbox has no groupadmin users, so cmlCheckGroupAdminAccess
(mid_level_routines.cpp@5.0.2 L1676-1718) always answers CAT_INSUFFICIENT_PRIVILEGE_LEVEL.
"""

from __future__ import annotations

from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_USER,
    CAT_NO_ACCESS_PERMISSION,
    CAT_UNKNOWN_COLLECTION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.faults import AgentCrash
from b2safe_sandbox.runtime.registry import microservice
from b2safe_sandbox.runtime.rei import rei_for

CAT_INVALID_USER_TYPE = CODES["CAT_INVALID_USER_TYPE"]
CAT_INVALID_ZONE = CODES["CAT_INVALID_ZONE"]
CAT_INVALID_GROUP = CODES["CAT_INVALID_GROUP"]
CAT_COLLECTION_NOT_EMPTY = CODES["CAT_COLLECTION_NOT_EMPTY"]
USER_NOT_IN_GROUP = CODES["USER_NOT_IN_GROUP"]
NOT_A_COLLECTION = CODES["NOT_A_COLLECTION"]
OBJ_PATH_DOES_NOT_EXIST = CODES["OBJ_PATH_DOES_NOT_EXIST"]
SYS_NOT_SUPPORTED = CODES["SYS_NOT_SUPPORTED"]
#: The R_TOKN_MAIN user types of a new catalog (scripts/irods/database_connect.py); the sandbox
#: has no 'groupadmin' users (its catalog refuses the type).
USER_TYPE_TOKENS = ("rodsgroup", "rodsadmin", "rodsuser", "groupadmin")


def _catalog(call: MsiCall) -> Any:
    return call.sandbox.zone(call.ctx.zone).catalog


def _require_admin(call: MsiCall) -> None:
    """CAT_INSUFFICIENT_PRIVILEGE_LEVEL unless client and proxy are local rodsadmins."""
    cat = _catalog(call)
    if not (cat.is_admin(call.actor) and cat.is_admin(call.ctx.proxy_user)):
        raise IrodsCallError(f"{call.name} needs a rodsadmin",
                             code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)


def _other_user(call: MsiCall, crash: bool) -> Any:
    """rei.uoio; when NULL: CAT_INVALID_ARGUMENT, or the agent dies for the microservices that
    dereference it (``crash``)."""
    uoio = rei_for(call.ctx).uoio
    if uoio is None:
        if crash:
            raise AgentCrash(f"{call.name} dereferenced a NULL rei->uoio in {call.ctx.zone}")
        raise IrodsCallError(f"{call.name}: null parameter (no rei.uoio)",
                             code=CAT_INVALID_ARGUMENT)
    return uoio


def _name_and_zone(call: MsiCall, name: str, zone: str) -> tuple[str, str]:
    """validateAndParseUserName: 'name#zone' overrides ``zone``; '' is the local zone."""
    if "#" in name:
        name, zone = name.split("#", 1)
    return name.strip(), zone or call.ctx.zone


@microservice("msiCreateUser", 0)
def msi_create_user(call: MsiCall) -> dict:
    """msiCreateUser(): register rei.uoio (icatAdminMS.cpp L66-88, chlRegUserRE:
    db_plugin.cpp L8078-8300): empty name or type CAT_INVALID_ARGUMENT; not an admin
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL; an unknown type CAT_INVALID_USER_TYPE; an unknown zone
    CAT_INVALID_ZONE; an existing user CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME. No collections
    (msiCreateCollByAdmin makes them)."""
    uoio = _other_user(call, crash=False)
    name, typ = str(uoio.userName).strip(), str(uoio.userType).strip()
    if not name or not typ:
        raise IrodsCallError("msiCreateUser: user type or user name empty",
                             code=CAT_INVALID_ARGUMENT)
    _require_admin(call)
    if typ not in USER_TYPE_TOKENS or typ == "groupadmin":
        raise IrodsCallError(f"user_type '{typ}' is not valid", code=CAT_INVALID_USER_TYPE)
    name, zone = _name_and_zone(call, name, str(uoio.rodsZone))
    cat = _catalog(call)
    if cat.get_zone(zone) is None:
        raise IrodsCallError(f"zone '{zone}' does not exist", code=CAT_INVALID_ZONE)
    if cat.get_user(name, zone) is not None:
        raise IrodsCallError(f"user {name}#{zone} exists",
                             code=CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME)
    cat.add_user(name, zone, typ, create_home=False)
    return {}


@microservice("msiDeleteUser", 0)
def msi_delete_user(call: MsiCall) -> dict:
    """msiDeleteUser(): remove rei.uoio with its ACLs, memberships and AVUs (icatAdminMS.cpp
    L271-292, chlDelUserRE: db_plugin.cpp L4155-4340): not an admin
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL; oneself or an unknown user CAT_INVALID_USER."""
    uoio = _other_user(call, crash=False)
    _require_admin(call)
    name, zone = _name_and_zone(call, str(uoio.userName), str(uoio.rodsZone))
    if (name, zone) == (call.ctx.user_name, call.ctx.user_zone):
        raise IrodsCallError("Cannot remove your own admin account", code=CAT_INVALID_USER)
    _catalog(call).remove_user(name, zone)
    return {}


def _mod_group(call: MsiCall, group: str, option: str, user: str, zone: str) -> None:
    """chlModGroup (db_plugin.cpp@5.0.2 L7210-7370): empty arguments CAT_INVALID_ARGUMENT,
    not an admin CAT_INSUFFICIENT_PRIVILEGE_LEVEL, an unknown user (groups excluded)
    CAT_INVALID_USER, an unknown local group CAT_INVALID_GROUP; remove of a non-member
    USER_NOT_IN_GROUP, add of a member CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME (the unique
    key)."""
    if not group or not option or not user:
        raise IrodsCallError("argument is empty", code=CAT_INVALID_ARGUMENT)
    _require_admin(call)
    name, zone = _name_and_zone(call, user, zone)
    cat = _catalog(call)
    row = cat.get_user(name, zone)
    if row is None or row.type == "rodsgroup":
        raise IrodsCallError(f"user {name}#{zone} not found", code=CAT_INVALID_USER)
    grp = cat.get_user(group, call.ctx.zone)
    if grp is None or grp.type != "rodsgroup":
        raise IrodsCallError(f"invalid group {group}", code=CAT_INVALID_GROUP)
    members = {(m.name, m.zone) for m in cat.group_members(f"{group}#{call.ctx.zone}")}
    member = f"{name}#{zone}"
    if option == "remove":
        if (name, zone) not in members:
            raise IrodsCallError(f"{member} is not in {group}", code=USER_NOT_IN_GROUP)
        cat.group_remove_member(f"{group}#{call.ctx.zone}", member)
    elif option == "add":
        if (name, zone) in members:
            raise IrodsCallError(f"{member} is in {group}",
                                 code=CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME)
        cat.group_add_member(f"{group}#{call.ctx.zone}", member)
    else:
        raise IrodsCallError(f"invalid option {option}", code=CAT_INVALID_ARGUMENT)


@microservice("msiAddUserToGroup", 1, inputs={0: "str"})
def msi_add_user_to_group(call: MsiCall) -> dict:
    """msiAddUserToGroup(group): add rei.uoio to ``group`` (icatAdminMS.cpp L327-355): 0 at once
    when rei.uoio is a group, otherwise chlModGroup 'add' (see :func:`_mod_group`)."""
    uoio = _other_user(call, crash=True)
    if str(uoio.userType).startswith("rodsgroup"):
        return {}
    _mod_group(call, call.text(0), "add", str(uoio.userName), str(uoio.rodsZone))
    return {}


@microservice("msiRemoveUserFromGroup", 3, inputs={0: "str", 1: "str", 2: "str"})
def msi_remove_user_from_group(call: MsiCall) -> dict:
    """msiRemoveUserFromGroup(group, user, zone) (since 4.3.1, so in the 4.3 profile, which is
    4.3.5; icatAdminMS.cpp L372-423):
    through rsGeneralAdmin 'modify group remove' (lib/administration/user/src/
    user_administration.cpp@5.0.2 L205-238), which fires acPreProcForModifyUserGroup and
    acPostProcForModifyUserGroup with rei.uoio the user (rsGeneralAdmin.cpp L983-1020) around
    chlModGroup (:func:`_mod_group`); a failing pre-PEP stops it."""
    from b2safe_sandbox.runtime import peps

    group, user, zone = call.text(0), call.text(1), call.text(2)
    args = [group, "remove", user, zone]
    other = (user, zone, "")
    pre = peps.fire(call.ctx, call.ctx.zone, "acPreProcForModifyUserGroup", list(args),
                    "static_pep", rei_doi=False, other_user=other)
    if pre is not None and pre.code < 0:
        raise IrodsCallError("acPreProcForModifyUserGroup failed",
                             code=pre.rei_status if pre.rei_status < 0 else pre.code)
    _mod_group(call, group, "remove", user, zone)
    peps.fire_static(call.ctx, call.ctx.zone, "acPostProcForModifyUserGroup", None, None,
                     list(args), propagate=True, rei_doi=False, other_user=other)
    return {}


def _child_path(call: MsiCall) -> str:
    return f"{call.text(0)}/{call.text(1)}"


@microservice("msiCreateCollByAdmin", 2, inputs={0: "str", 1: "str"})
def msi_create_coll_by_admin(call: MsiCall) -> dict:
    """msiCreateCollByAdmin(parent, name): collection parent/name owned by rei.uoio
    (icatAdminMS.cpp L123-158, chlRegCollByAdmin: db_plugin.cpp L4342-4520): not an admin
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL, an unknown parent CAT_UNKNOWN_COLLECTION, an existing
    name CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME."""
    uoio = _other_user(call, crash=True)
    _require_admin(call)
    path = _child_path(call)
    cat = _catalog(call)
    if cat.coll_get(call.text(0)) is None:
        raise IrodsCallError(f"collection {call.text(0)} is unknown",
                             code=CAT_UNKNOWN_COLLECTION)
    if cat.coll_get(path) is not None or cat.data_exists(path):
        raise IrodsCallError(f"{path} exists", code=CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME)
    cat.namespace.insert_coll(path, str(uoio.userName), str(uoio.rodsZone) or call.ctx.zone)
    return {}


@microservice("msiDeleteCollByAdmin", 2, inputs={0: "str", 1: "str"})
def msi_delete_coll_by_admin(call: MsiCall) -> dict:
    """msiDeleteCollByAdmin(parent, name): remove the empty collection parent/name
    (icatAdminMS.cpp L193-237, chlDelCollByAdmin: db_plugin.cpp L5601-5720): not an admin
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL, not empty CAT_COLLECTION_NOT_EMPTY; an unknown
    collection is success (L229-234)."""
    _other_user(call, crash=True)
    _require_admin(call)
    path = _child_path(call)
    cat = _catalog(call)
    if cat.coll_get(path) is None:
        return {}
    if any(True for _ in cat.coll_list(path)):
        raise IrodsCallError(f"collection {path} is not empty", code=CAT_COLLECTION_NOT_EMPTY)
    cat.coll_remove(path, None)
    return {}


@microservice("msiRenameCollection", 2, inputs={0: "str", 1: "str"})
def msi_rename_collection(call: MsiCall) -> dict:
    """msiRenameCollection(old, new): a rename with the client's rights (icatAdminMS.cpp
    L520-567: fs::server::rename, i.e. rsDataObjRename with its PEPs): ``old`` not a
    collection, or ``new`` an existing data object, NOT_A_COLLECTION; a relative ``new``
    OBJ_PATH_DOES_NOT_EXIST; then the rename's own errors (no 'own': CAT_NO_ACCESS_PERMISSION,
    ...). Upstream: test_all_rules.py@5.0.2 L771-838 (issues 4597, 5452)."""
    old, new = call.text(0), call.text(1)
    _, cat = dataops.catalog_for(call.ctx, old)
    if cat.coll_get(old) is None:
        raise IrodsCallError(f"{old} is not a collection", code=NOT_A_COLLECTION)
    if not new.startswith("/"):
        raise IrodsCallError(f"{new} does not exist", code=OBJ_PATH_DOES_NOT_EXIST)
    if cat.data_exists(new):
        raise IrodsCallError(f"{new} is not a collection", code=NOT_A_COLLECTION)
    dataops.rename(call.ctx, old, new)
    return {}


@microservice("msiRenameLocalZone", 2, inputs={0: "str", 1: "str"})
def msi_rename_local_zone(call: MsiCall) -> dict:
    """msiRenameLocalZone(old, new) (icatAdminMS.cpp L459-485, chlRenameLocalZone:
    db_plugin.cpp L5322-5420): not an admin CAT_INSUFFICIENT_PRIVILEGE_LEVEL, ``old`` not the
    local zone CAT_INVALID_ARGUMENT. Gap: the sandbox cannot rename a zone; it answers
    SYS_NOT_SUPPORTED where the server would rename it."""
    _require_admin(call)
    if call.text(0) != call.ctx.zone:
        raise IrodsCallError(f"{call.text(0)} is not the local zone", code=CAT_INVALID_ARGUMENT)
    raise IrodsCallError("the sandbox cannot rename a zone", code=SYS_NOT_SUPPORTED)


@microservice("msiRenameLocalZoneCollection", 1, inputs={0: "str"})
def msi_rename_local_zone_collection(call: MsiCall) -> dict:
    """msiRenameLocalZoneCollection(new) (since 4.2.9; icatAdminMS.cpp L581-634): the zone's
    own name 0; an existing /new CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME; then chlRenameColl,
    which wants 'own' on /zone (db_plugin.cpp L5198-5262, cmlCheckDir:
    CAT_NO_ACCESS_PERMISSION). Gap: the sandbox cannot rename it; SYS_NOT_SUPPORTED."""
    new = call.text(0)
    zone = call.ctx.zone
    if new == zone:
        return {}
    cat = _catalog(call)
    if cat.coll_get(f"/{new}") is not None or cat.data_exists(f"/{new}"):
        raise IrodsCallError(f"/{new} exists", code=CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME)
    if not cat.check_access(f"/{zone}", call.actor, "own"):
        raise IrodsCallError(f"no 'own' on /{zone}", code=CAT_NO_ACCESS_PERMISSION)
    raise IrodsCallError("the sandbox cannot rename the zone collection", code=SYS_NOT_SUPPORTED)

