"""Microservices about the server itself: the catalog transaction, quotas, the microservice
list, host access control, and the ones 4.3 had and 5.0 dropped (msiAclPolicy, msiSendMail,
msiSetResource, msiServerMonPerf, msiDigestMonStat, msiFlushMonStat; irods
server/re/include/irods/reAction.hpp at 4.3.5 and 5.0.2).

Each zone's settings come from its ``etc/irods/server_config.json``; a setting it lacks has the
server's default (packaging/server_config.json.template.in@5.0.2).
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    SYS_NOT_ALLOWED,
    IrodsCallError,
)
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime import registry
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice
from b2safe_sandbox.runtime.rei import rei_for

CONNECTION_REFUSED = CODES["CONNECTION_REFUSED"]
SYS_INTERNAL_NULL_INPUT_ERR = CODES["SYS_INTERNAL_NULL_INPUT_ERR"]
USER_INPUT_STRING_ERR = CODES["USER_INPUT_STRING_ERR"]
#: The 4.3-only microservices: 5.0.0 removed them from the table.
UNTIL_5 = (5, 0)
#: The client address every sandbox client connects from.
CLIENT_ADDRESS = "127.0.0.1"


def server_config(call: MsiCall) -> dict:
    """The zone's server_config.json ({} when it has none or it does not parse)."""
    path = Path(call.sandbox.zone(call.ctx.zone).config_dir) / "server_config.json"
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _is_admin(call: MsiCall) -> bool:
    return bool(call.sandbox.zone(call.ctx.zone).catalog.is_admin(call.actor))


@microservice("msiCommit", 0)
def msi_commit(call: MsiCall) -> dict:
    """msiCommit(): chlCommit (server/re/src/icatGeneralMS.cpp@5.0.2 L313-335). Every sandbox
    catalog change is committed when made, so there is nothing left to commit."""
    del call
    return {}


@microservice("msiRollback", 0)
def msi_rollback(call: MsiCall) -> dict:
    """msiRollback(): chlRollback (icatGeneralMS.cpp L369-391). Gap: the sandbox has committed
    every change already, so nothing is undone (on a server the changes since the last commit
    of this agent's session are)."""
    del call
    return {}


@microservice("msiQuota", 0)
def msi_quota(call: MsiCall) -> dict:
    """msiQuota(): chlCalcUsageAndQuota, a rodsadmin only (CAT_INSUFFICIENT_PRIVILEGE_LEVEL;
    icatGeneralMS.cpp L99-113, plugins/database/src/db_plugin.cpp@5.0.2 L11407-11433). The
    sandbox records quotas without usage, so an admin's call changes nothing."""
    if not _is_admin(call):
        raise IrodsCallError("msiQuota needs a rodsadmin", code=CAT_INSUFFICIENT_PRIVILEGE_LEVEL)
    return {}


@microservice("msiListEnabledMS", 1, outputs={0: "KVP"})
def msi_list_enabled_ms(call: MsiCall) -> dict:
    """msiListEnabledMS(KeyValPair_out): every microservice of the server's table (sorted, as
    its std::map) with the value "core", then the microservice plugins with "plugin"
    (server/re/src/nre.systemMS.cpp@5.0.2 L953-1007). Guess: the plugins in name order."""
    version = call.sandbox.irods_version
    pairs = [(name, "core") for name in registry.names(version, "core")]
    pairs += [(name, "plugin") for name in registry.names(version, "plugin")]
    return {0: T._make_kvp(pairs)}


def _access_allowed(entries: Any, user: str, groups: list[str], host: str) -> bool:
    """checkHostAccessControl's loop (server/re/src/reIn2p3SysRule.cpp@5.0.2 L28-110): an entry
    whose user (or 'all') or group (or 'all') matches and whose address/mask covers ``host``;
    entries with unreadable fields are skipped."""
    client = int(ipaddress.IPv4Address(host))
    for entry in entries if isinstance(entries, list) else []:
        try:
            address = int(ipaddress.IPv4Address(str(entry["address"])))
            mask = int(ipaddress.IPv4Address(str(entry["mask"])))
            user_ok = entry["user"] in (user, "all")
            group_ok = entry["group"] == "all" or entry["group"] in groups
        except (KeyError, TypeError, ValueError):
            continue
        if (user_ok or group_ok) and ((client ^ address) & ~mask & 0xFFFFFFFF) == 0:
            return True
    return False


@microservice("msiCheckHostAccessControl", 0)
def msi_check_host_access_control(call: MsiCall) -> dict:
    """msiCheckHostAccessControl(): the client (user, its groups, address) against
    server_config's host_access_control.access_entries (reIn2p3SysRule.cpp@5.0.2 L155-202);
    no entry allows it: rei.status CONNECTION_REFUSED, returned. The server's default has
    no entries, so everyone is refused."""
    control = server_config(call).get("host_access_control", {"access_entries": []})
    entries = control.get("access_entries", []) if isinstance(control, dict) else []
    cat = call.sandbox.zone(call.ctx.zone).catalog
    name = call.ctx.user_name
    groups = cat.groups_of(f"{name}#{call.ctx.user_zone}")
    if _access_allowed(entries, name, groups, CLIENT_ADDRESS):
        return {}
    rei_for(call.ctx)._v["status"] = CONNECTION_REFUSED
    raise IrodsCallError(f"access to {name} from {CLIENT_ADDRESS} refused",
                         code=CONNECTION_REFUSED)


# ------------------------------------------------------------------------------- 4.3 only
@microservice("msiAclPolicy", 1, inputs={0: "str"}, until=UNTIL_5)
def msi_acl_policy(call: MsiCall) -> dict:
    """msiAclPolicy('STRICT'|other) (4.3 only; server/re/src/icatAdminMS.cpp@4.3.5 L677-712):
    sets the strict_acl server property to 'on' for a text starting with STRICT, 'off'
    otherwise; 0. Gap: the sandbox's GenQuery does not change with it."""
    call.sandbox.log(call.ctx.zone, f"strict_acl {'on' if call.text(0)[:6] == 'STRICT' else 'off'}")
    return {}


@microservice("msiSetResource", 1, inputs={0: "str"}, until=UNTIL_5)
def msi_set_resource(call: MsiCall) -> dict:
    """msiSetResource(resc) (4.3 only; icatGeneralMS.cpp@4.3.5 L148-158): rei.doi's rescName;
    without a rei.doi SYS_INTERNAL_NULL_INPUT_ERR."""
    doi = rei_for(call.ctx).doi
    if doi is None:
        raise IrodsCallError("Cannot set resource, no DOI attached to REI",
                             code=SYS_INTERNAL_NULL_INPUT_ERR)
    T._fill(doi, rescName=call.text(0))
    return {}


@microservice("msiSendMail", 3, inputs={0: "str", 1: "str", 2: "str"}, until=UNTIL_5)
def msi_send_mail(call: MsiCall) -> dict:
    """msiSendMail(to, subject, body) (4.3 only; server/re/src/mailMS.cpp@4.3.5 L58-144): refused
    with SYS_NOT_ALLOWED unless advanced_settings.enable_deprecated_msiSendMail is true (since
    4.3.2); an address outside [-a-zA-Z0-9,./+*_@] or a subject outside [a-zA-Z0-9,./ ]
    USER_INPUT_STRING_ERR (lib/core/src/stringOpr.cpp@4.3.5 L315-340). Instead of running
    ``mail``, the sandbox writes the message to the server log."""
    advanced = server_config(call).get("advanced_settings", {})
    if not (isinstance(advanced, dict) and advanced.get("enable_deprecated_msiSendMail") is True):
        raise IrodsCallError("msiSendMail is blocked by the local administrator",
                             code=SYS_NOT_ALLOWED)
    to, subject, body = call.text(0), call.text(1), call.text(2)
    if not re.fullmatch(r"[-a-zA-Z0-9,./+*_@]*", to):
        raise IrodsCallError(f"bad mail address {to!r}", code=USER_INPUT_STRING_ERR)
    if not re.fullmatch(r"[a-zA-Z0-9,./ ]*", subject):
        raise IrodsCallError(f"bad mail subject {subject!r}", code=USER_INPUT_STRING_ERR)
    text = body.replace("\\n", "\n")
    call.sandbox.log(call.ctx.zone, f"msiSendMail to {to}: Subject:{subject}\n{text}")
    return {}


@microservice("msiServerMonPerf", 2, inputs={0: "any", 1: "any"}, until=UNTIL_5)
def msi_server_mon_perf(call: MsiCall) -> dict:
    """msiServerMonPerf(verbosity, time) (4.3 only; server/re/src/reIn2p3SysRule.cpp@4.3.5
    L545-720) runs the server monitoring script on every server and stores the loads in
    R_SERVER_LOAD. Guess: the sandbox has no monitoring script; it only logs the call."""
    call.sandbox.log(call.ctx.zone, "msiServerMonPerf: no monitoring script in the sandbox")
    return {}


@microservice("msiFlushMonStat", 2, inputs={0: "str", 1: "str"}, until=UNTIL_5)
def msi_flush_mon_stat(call: MsiCall) -> dict:
    """msiFlushMonStat(hours, 'serverload'|'serverloaddigest') (4.3 only; reIn2p3SysRule.cpp@4.3.5
    L760-835): purges old monitoring rows; every failure is only logged and rei.status (0)
    returned. The sandbox has no monitoring rows."""
    if call.text(1) not in ("serverload", "serverloaddigest"):
        call.sandbox.log(call.ctx.zone, f"msiFlushMonStat: table {call.text(1)} does not exist")
    return {}


@microservice("msiDigestMonStat", 7, inputs={i: "str" for i in range(7)}, until=UNTIL_5)
def msi_digest_mon_stat(call: MsiCall) -> dict:
    """msiDigestMonStat(cpu, mem, swap, runq, disk, netin, netout weights) (4.3 only;
    reIn2p3SysRule.cpp@4.3.5 L892-1068): with no R_SERVER_LOAD rows (the sandbox has none) it
    logs that and returns rei.status (0)."""
    call.sandbox.log(call.ctx.zone, "msiDigestMonStat: Unable to retrieve information from "
                     "R_SERVER_LOAD")
    return {}
