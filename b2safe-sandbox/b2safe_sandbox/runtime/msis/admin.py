"""Administrative microservices: msiSetQuota and msiDeleteUnusedAVUs.

Quotas are recorded in the zone's catalog settings (``quota:<type>:<name>#<zone>:<resource>``);
the sandbox does not enforce them. AVUs are stored per object in the sandbox catalog
(catalog/schema.py ``avus``), so no AVU is ever left unattached.
"""

from __future__ import annotations

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_INVALID_RESOURCE,
    CAT_INVALID_USER,
    SYS_INVALID_INPUT_PARAM,
    SYS_NOT_ALLOWED,
    IrodsCallError,
)
from b2safe_sandbox.runtime import tbridge
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis import keywords
from b2safe_sandbox.runtime.registry import microservice

USER_PARAM_TYPE_ERR = CODES["USER_PARAM_TYPE_ERR"]


@microservice("msiSetQuota", 4, inputs={0: "str", 1: "str", 2: "str", 3: "intstr"})
def msi_set_quota(call: MsiCall) -> dict:
    """msiSetQuota('user'|'group', name, resource | 'total', limit).

    A rodsadmin only (CAT_INSUFFICIENT_PRIVILEGE_LEVEL); another type is USER_BAD_KEYWORD_ERR
    (irods server/re/src/icatAdminMS.cpp@5.0.2 L674-745). The catalog then wants a known
    resource (CAT_INVALID_RESOURCE), an integer limit (SYS_INVALID_INPUT_PARAM) and, for a
    user, the limit 0 (SYS_NOT_ALLOWED; the same in 4.3.4) (plugins/database/src/
    db_plugin.cpp@5.0.2 L11483-11600, chlSetQuota). Guess: an unknown user or group is
    CAT_INVALID_USER.
    """
    kind, name, resource, limit = (str(call.args[i]) for i in range(4))
    cat = call.sandbox.zone(call.ctx.zone).catalog
    if not cat.is_admin(call.actor):
        raise IrodsCallError("msiSetQuota needs a rodsadmin", code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)
    if kind not in ("user", "group"):
        raise IrodsCallError(f"msiSetQuota: type {kind!r}", code=keywords.USER_BAD_KEYWORD_ERR)
    if resource not in ("total", "") and cat.get_resource(resource) is None:
        raise IrodsCallError(f"no resource {resource}", code=CAT_INVALID_RESOURCE)
    try:
        value = int(limit)
    except ValueError:
        raise IrodsCallError(f"quota limit {limit!r}", code=SYS_INVALID_INPUT_PARAM) from None
    user, zone = tbridge.split_user(name, call.ctx.zone)
    row = cat.get_user(user, zone)
    if row is None or (row.type == "rodsgroup") != (kind == "group"):
        raise IrodsCallError(f"no {kind} {name}", code=CAT_INVALID_USER)
    if kind == "user" and value != 0:
        raise IrodsCallError("a user quota other than 0", code=SYS_NOT_ALLOWED)
    cat.db.set_setting(f"quota:{kind}:{user}#{zone}:{resource or 'total'}", str(value))
    return {}


@microservice("msiDeleteUnusedAVUs", 0)
def msi_delete_unused_avus(call: MsiCall) -> dict:
    """msiDeleteUnusedAVUs(): remove AVUs no object uses (irods server/re/src/
    icatGeneralMS.cpp@5.0.2 L553-575, chlDelUnusedAVUs). Nothing to do in the sandbox."""
    del call
    return {}
