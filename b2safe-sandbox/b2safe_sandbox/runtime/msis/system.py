"""System microservices: sleeping, buffers and time formats (irods
server/re/src/nre.systemMS.cpp@5.0.2; the table entries are server/re/include/irods/reAction.hpp).

The sandbox server's local time is UTC (as msiGetSystemTime's "human" format,
:func:`b2safe_sandbox.delayspec.format_time`) and its clock is the sandbox clock.
"""

from __future__ import annotations

import calendar
import re
import time

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.registry import microservice

USER_PARAM_TYPE_ERR = CODES["USER_PARAM_TYPE_ERR"]
USER__NULL_INPUT_ERR = CODES["USER__NULL_INPUT_ERR"]


def _atoi(text: object) -> int:
    """C ``atoi``: the leading integer of ``text``, 0 when there is none."""
    match = re.match(r"\s*([+-]?\d+)", str(text))
    return int(match.group(1)) if match else 0


@microservice("msiSleep", 2, inputs={0: "str", 1: "str"})
def msi_sleep(call: MsiCall) -> dict:
    """msiSleep(seconds, microseconds): both strings read with ``atoi`` (L551-560).

    The sandbox does not block: it moves the sandbox clock on by the time slept (whole
    seconds, microseconds rounded down), which is what a rule can observe of the sleep.
    """
    seconds = _atoi(call.args[0]) + _atoi(call.args[1]) // 1_000_000
    if seconds > 0:
        call.sandbox.clock.advance(seconds)
    return {}


@microservice("msiFreeBuffer", 1, inputs={0: "any"})
def msi_free_buffer(call: MsiCall) -> dict:
    """msiFreeBuffer(param): 0 always; "stdout"/"stderr" empty ruleExecOut's buffers
    (L477-518). Other values own no server memory in the sandbox."""
    target = call.args[0]
    if target == "stdout" and call.ctx.stdout is not None:
        call.ctx.stdout.clear()
    elif target == "stderr" and call.ctx.stderr is not None:
        call.ctx.stderr.clear()
    return {}


def _now_str(call: MsiCall) -> str:
    return f"{call.sandbox.clock.now():011d}"  # getNowStr: "%011d" of the epoch


@microservice("msiGetFormattedSystemTime", 3, inputs={1: "str", 2: "str"}, outputs={0: "STR"})
def msi_get_formatted_system_time(call: MsiCall) -> dict:
    """msiGetFormattedSystemTime(out, 'human'|other, format): with "human" the printf
    ``format`` receives year, month, day, hour, minute, second in that order; anything else
    gives the epoch as "%011d" (L1046-1079; upstream rule texts clients/icommands/test/rules/
    rulemsiGetFormattedSystemTime*.r). Guess: a format that does not take six integers is
    filled with as many as it takes (C ignores extra arguments)."""
    if call.args[1] != "human":
        return {0: _now_str(call)}
    stamp = time.gmtime(call.sandbox.clock.now())
    fields = (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min,
              stamp.tm_sec)
    fmt = str(call.args[2])
    wanted = len(re.findall(r"%(?!%)", fmt.replace("%%", "")))
    try:
        return {0: fmt % fields[:wanted]}
    except (TypeError, ValueError):
        raise IrodsCallError(f"msiGetFormattedSystemTime: unusable format {fmt!r}",
                             code=USER_PARAM_TYPE_ERR) from None


@microservice("msiGetDiffTime", 4, inputs={0: "str", 1: "str", 2: "str"}, outputs={3: "STR"})
def msi_get_diff_time(call: MsiCall) -> dict:
    """msiGetDiffTime(t1, t2, 'human'|other, out): t2 - t1 in seconds as "%011ld", or
    "Hh Mm Ss" with "human" (L598-652)."""
    seconds = _atoi(call.args[1]) - _atoi(call.args[0])
    if call.args[2] == "human":
        # C's / and % truncate towards zero.
        hours = int(seconds / 3600)
        rest = seconds - hours * 3600
        minutes = int(rest / 60)
        return {3: f"{hours}h {minutes}m {rest - minutes * 60}s"}
    return {3: f"{seconds:011d}"}


@microservice("msiHumanToSystemTime", 2, inputs={0: "str"}, outputs={1: "STR"})
def msi_human_to_system_time(call: MsiCall) -> dict:
    """msiHumanToSystemTime('YYYY-MM-DD.hh:mm:ss', out): "0" followed by the epoch
    (L751-785, localToUnixTime). Guess: a string that does not parse leaves the output
    unset and succeeds, as the C code does when localToUnixTime fails."""
    try:
        parsed = time.strptime(str(call.args[0]), "%Y-%m-%d.%H:%M:%S")
    except ValueError:
        return {}
    return {1: "0" + str(calendar.timegm(parsed))}


@microservice("msiStrToBytesBuf", 2, inputs={0: "str"}, outputs={1: "BUF"})
def msi_str_to_bytes_buf(call: MsiCall) -> dict:
    """msiStrToBytesBuf(str, BytesBuf_out): the string's bytes, without the NUL (L822-844)."""
    return {1: T._make_bytes_buf(str(call.args[0]).encode("utf-8"))}


@microservice("msiBytesBufToStr", 2, inputs={0: "any"}, outputs={1: "STR"})
def msi_bytes_buf_to_str(call: MsiCall) -> dict:
    """msiBytesBufToStr(BytesBuf, str_out): the buffer as a string (L887-913); anything but
    a BytesBuf is USER_PARAM_TYPE_ERR."""
    buf = call.args[0]
    if not isinstance(buf, T.BytesBuf):
        raise IrodsCallError("msiBytesBufToStr needs a BytesBuf", code=USER_PARAM_TYPE_ERR)
    return {1: T._bytes_of(buf).split(b"\0", 1)[0].decode("utf-8", errors="replace")}
