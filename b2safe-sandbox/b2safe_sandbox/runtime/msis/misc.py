"""Miscellaneous microservices: writeLine, times, msiSplitPath, delayExec, msiExecCmd."""

from __future__ import annotations

import json

from b2safe_sandbox.errors import (
    SYS_INVALID_INPUT_PARAM,
    USER_FILE_DOES_NOT_EXIST,
    IrodsCallError,
)
from b2safe_sandbox.runtime import dataops
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

#: MAX_ACTION_SIZE: the buffer delayExec copies the rule text into.
MAX_ACTION_SIZE = 5440


@microservice("writeLine", 2, inputs={0: "str"}, origin="nrep")
def write_line(call: MsiCall) -> dict:
    """writeLine('serverLog'|'stdout'|'stderr'|<data object path>, text)."""
    write_text(call, call.args[0], call.text(1) + "\n")
    return {}


def write_text(call: MsiCall, target: str, text: str) -> None:
    """``_writeString``: ``text`` to ruleExecOut's stdout or stderr buffer, the server log, or
    the end of a data object (printMS.cpp@5.0.2)."""
    if target == "serverLog":
        call.sandbox.log(call.ctx.zone, f"{call.name}: inString = {text.rstrip(chr(10))}")
    elif target == "stdout":
        if call.ctx.stdout is not None:
            call.ctx.stdout.append(text)
    elif target == "stderr":
        # ruleExecOut's stderr buffer, which irule prints to its stderr (irods_client_icommands
        # src/irule.cpp@5.0.2 L500-511); outside irule it is dropped.
        if call.ctx.stderr is not None:
            call.ctx.stderr.append(text)
    elif target.startswith("/"):
        _, cat = dataops.catalog_for(call.ctx, target)
        old = cat.data_read(target, actor=call.actor) if cat.data_exists(target) else b""
        cat.data_put(target, old + text.encode("utf-8"), call.actor, force=True)
    else:
        raise IrodsCallError(f"{call.name}: unknown target {target}",
                             code=USER_FILE_DOES_NOT_EXIST)


def _format_time(call: MsiCall, fmt: str) -> str:
    now = call.sandbox.clock.now()
    if fmt == "human":
        from b2safe_sandbox.delayspec import format_time

        return format_time(now)
    return f"{now:011d}"


@microservice("msiGetSystemTime", 2, inputs={1: "str"}, outputs={0: "STR"})
def msi_get_system_time(call: MsiCall) -> dict:
    """msiGetSystemTime(out, 'unix'|'human'): '%011d' epoch or YYYY-MM-DD.hh:mm:ss."""
    return {0: _format_time(call, call.args[1])}


@microservice("msiGetIcatTime", 2, inputs={1: "str"}, outputs={0: "STR"})
def msi_get_icat_time(call: MsiCall) -> dict:
    """msiGetIcatTime(out, 'unix'|'human'): as msiGetSystemTime (catalog clock = sandbox)."""
    return {0: _format_time(call, call.args[1])}


@microservice("msiSplitPath", 3, inputs={0: "str"}, outputs={1: "STR", 2: "STR"},
              nrep_only=True, origin="nrep")
def msi_split_path(call: MsiCall) -> dict:
    """msiSplitPath(path, coll_out, name_out); registered by the NREP only (Guess)."""
    path = call.args[0]
    if "/" not in path:
        raise IrodsCallError(f"bad path {path}", code=SYS_INVALID_INPUT_PARAM)
    coll, name = path.rsplit("/", 1)
    return {1: coll or "/", 2: name}


@microservice("delayExec", 3, inputs={0: "str", 1: "str", 2: "str"})
def delay_exec(call: MsiCall) -> dict:
    """delayExec(condition, rule_text, recovery): queue the rule; the id is not returned."""
    from b2safe_sandbox.delayspec import parse_condition

    cond = parse_condition(call.args[0])
    text = call.args[1]
    if len(text.encode("utf-8")) >= MAX_ACTION_SIZE:
        # Guess: iRODS' rstrcpy refuses strings that do not fit MAX_ACTION_SIZE.
        raise IrodsCallError("delayed rule text longer than MAX_ACTION_SIZE",
                             code=SYS_INVALID_INPUT_PARAM)
    now = call.sandbox.clock.now()
    context = json.dumps({"inst_name": cond.inst_name, "recovery": call.args[2],
                          "proxy_user": call.ctx.proxy_user, "zone": call.ctx.zone,
                          "runs": 0, "condition": call.args[0]})
    cat = call.sandbox.zone(call.ctx.zone).catalog
    cat.delay_add(text, call.actor, cond.due_time(now), cond.frequency, cond.priority, context)
    return {}


@microservice("msiExecCmd", 6, inputs={i: "str" for i in range(5)}, outputs={5: "EXECCMDOUT"})
def msi_exec_cmd(call: MsiCall) -> dict:
    """msiExecCmd(cmd, args, host, hintPath, addPath, out): unusable from PREP (§2.4).

    A str placeholder gives boost::bad_any_cast after the call; any other placeholder gives
    "Unknown type in msParam". Guess: the sandbox never spawns the command.
    """
    call.sandbox.log(call.ctx.zone, f"msiExecCmd: {call.args[0]} {call.args[1]} (not run)")
    if not isinstance(call.args[5], str):
        raise RuntimeError("Unknown type in msParam: ExecCmdOut_PI cannot be converted")
    return {5: None}
