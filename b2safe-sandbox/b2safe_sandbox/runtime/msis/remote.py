"""py_remote and remoteExec: run rule text on another zone's server.

``remoteExec(host, condition, rule_text, recovery)`` (irods server/re/src/nre.systemMS.cpp,
registered in reAction.hpp, so any engine and any user may call it) runs ``remExec{rule_text}``
in the rule language on that server as the same client (the registered rule-language engine,
:mod:`b2safe_sandbox.runtime.engines`): an unknown host fails; errors of the text are logged
there, not returned.

``py_remote(host, hint, python_text, recovery)`` (PREP src/main.cpp@5.0.1 L60-89
``remote_exec_msvc``): ``host`` is parsed as ``host[:port]`` (parseHostAddrStr, lib/core/src/
rcMisc.cpp@5.0.2 L3658-3690) and the text sent, as ``@external\n`` + text, to rsExecMyRule
(:mod:`b2safe_sandbox.runtime.ruletext`), with the instance name only when ``hint`` holds
``<INST_NAME>...</INST_NAME>``. resolveHost makes ``localhost`` and the server's own host
name local (server/core/src/initServer.cpp@5.0.2 L224-227): the text runs on this server with
the same rsComm; another zone's host runs it there (remoteExecMyRule). Without an instance name
every engine runs it, errors are only logged and py_remote succeeds (irods_re_plugin.hpp
L644-656); with one, that engine's error (SYS_NO_API_PRIV for a user below
REMOTE_PRIV_USER_AUTH, RULE_ENGINE_ERROR for an exception) is returned. Upstream:
test_rule_engine_plugin_framework.py test_remote_python_rule_engine_plugin_instance_6465
(``localhost`` with ``<INST_NAME>``).

Guess: on another zone the client user keeps the auth flag that zone gives it (a rodsadmin of
its home zone: REMOTE_PRIV_USER_AUTH; others less, so PREP refuses them), and the proxy of the
server-to-server connection counts as privileged.
"""

from __future__ import annotations

import re

from b2safe_sandbox.errors import SYS_SOCK_CONNECT_ERR, IrodsCallError
from b2safe_sandbox.runtime import engines, ruletext
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice


@microservice("py_remote", 4, inputs={0: "str", 1: "str", 2: "str", 3: "str"},
              origin="prep")
def py_remote(call: MsiCall) -> dict:
    """py_remote(host, instance_xml, python_text, recovery); see the module docstring."""
    host = call.args[0].split(":", 1)[0] if ":" in call.args[0] else call.args[0]
    instance = _tagged(call.args[1], "INST_NAME")
    here = call.sandbox.zone(call.ctx.zone)
    if host in ("localhost", here.host):
        ctx = call.ctx.derive(kind="remote", stdout=None)
    else:
        zone = call.sandbox.zone_by_connection(call.args[0]) or \
            call.sandbox.zone_by_connection(host)
        if zone is None:
            raise IrodsCallError(f"cannot connect to {host}", code=SYS_SOCK_CONNECT_ERR)
        call.sandbox.reachable_zone(zone.name)
        # Guess (see the module docstring): the client keeps its auth flag there.
        ctx = call.ctx.derive(zone=zone.name, kind="remote", stdout=None,
                              proxy_user=call.ctx.client_user)
    outcome = ruletext.run(ctx, call.args[2], instance)
    if outcome.code < 0:
        raise IrodsCallError(f"py_remote on {host} failed", code=outcome.code)
    return {}


def _tagged(text: str, tag: str) -> str:
    """The first ``<tag>value</tag>`` of ``text`` (getTaggedValues), or ''."""
    match = re.search(f"<{tag}>(.*?)</{tag}>", text, re.S)
    return match.group(1) if match else ""


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
