"""py_remote and remoteExec: run rule text on another zone's server.

``remoteExec(host, condition, rule_text, recovery)`` (irods server/re/src/nre.systemMS.cpp,
registered in reAction.hpp, so any engine and any user may call it) runs ``remExec{rule_text}``
in the rule language on that server as the same client (the registered rule-language engine,
:mod:`b2safe_sandbox.runtime.engines`): an unknown host fails; errors of the text are logged
there, not returned.

``py_remote(host, '<INST_NAME>...</INST_NAME>', "def main(rule_args, callback, rei): ...", rec)``
goes through ``exec_rule_text`` on the zone whose ZONE_CONNECTION is ``host[:port]``; the client
user must be privileged there (a rodsadmin of its home zone: REMOTE_PRIV_USER_AUTH), else
SYS_NO_API_PRIV. An exception in the text gives RULE_ENGINE_ERROR.
"""

from __future__ import annotations

from b2safe_sandbox.errors import SYS_NO_API_PRIV, SYS_SOCK_CONNECT_ERR, IrodsCallError
from b2safe_sandbox.runtime import engine, engines, tbridge
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice


@microservice("py_remote", 4, inputs={0: "str", 1: "str", 2: "str", 3: "str"})
def py_remote(call: MsiCall) -> dict:
    """py_remote(host, instance_xml, python_text, recovery)."""
    host = call.args[0]
    zone = call.sandbox.zone_by_connection(host)
    if zone is None:
        raise IrodsCallError(f"cannot connect to {host}", code=SYS_SOCK_CONNECT_ERR)
    call.sandbox.reachable_zone(zone.name)
    if tbridge.user_type(call.ctx, call.actor) != "rodsadmin":
        raise IrodsCallError("Insufficient privileges to run irule in Python rule engine plugin",
                             code=SYS_NO_API_PRIV)
    ctx = call.ctx.derive(zone=zone.name, kind="remote", stdout=None)
    outcome = engine.exec_rule_text(ctx, call.args[2])
    if outcome.code < 0:
        raise IrodsCallError(f"py_remote on {host} failed", code=outcome.code)
    return {}


#: execMyRuleInp.myRule's size (rodsDef.h META_STR_LEN).
META_STR_LEN = 2700


@microservice("remoteExec", 4, inputs={0: "str", 1: "str", 2: "str", 3: "str"})
def remote_exec(call: MsiCall) -> dict:
    """remoteExec(host, condition, rule_text, recovery); see the module docstring."""
    text = call.args[2]
    if len("remExec{" + text + "}") >= META_STR_LEN:
        # snprintf into myRule[META_STR_LEN] cuts the text; the cut text does not parse.
        call.sandbox.log(call.ctx.zone, f"remoteExec: rule text longer than {META_STR_LEN - 10}"
                         " characters was cut and did not parse")
        return {}
    engines.native().remote_exec_text(call.ctx, call.args[0], text)
    return {}
