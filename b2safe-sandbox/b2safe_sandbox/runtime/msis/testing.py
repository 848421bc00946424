"""The server's test and example microservices (irods server/re/src/testMS.cpp@5.0.2,
miscMS.cpp L30-40, nre.systemMS.cpp L423-425; the same at 4.3.5): they are in the table, so a
rule may call them and expect what they do."""

from __future__ import annotations

from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import IrodsCallError
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import MsiCall
from b2safe_sandbox.runtime.msis.misc import write_text
from b2safe_sandbox.runtime.registry import microservice

USER__NULL_INPUT_ERR = CODES["USER__NULL_INPUT_ERR"]
RETRY_WITHOUT_RECOVERY_ERR = CODES["RETRY_WITHOUT_RECOVERY_ERR"]


@microservice("print_hello", 0)
def print_hello(call: MsiCall) -> dict:
    """print_hello(): "Hello" and a newline to ruleExecOut's stdout, notices in the server log
    (testMS.cpp L4-13)."""
    call.sandbox.log(call.ctx.zone, "TTTTT Hello")
    write_text(call, "stdout", "Hello\n")
    return {}


@microservice("recover_print_hello", 0)
def recover_print_hello(call: MsiCall) -> dict:
    """recover_print_hello(): backspaces to the server's own stdout; nothing a client sees
    (testMS.cpp L15-19)."""
    del call
    return {}


@microservice("print_hello_arg", 1, inputs={0: "str"})
def print_hello_arg(call: MsiCall) -> dict:
    """print_hello_arg(text): the text to the server process's stdout (miscMS.cpp L30-37), which
    the sandbox keeps in the server log; nothing reaches ruleExecOut."""
    call.sandbox.log(call.ctx.zone, call.text(0))
    return {}


@microservice("msiAW1", 2, inputs={0: "str"}, outputs={1: "STR"})
def msi_aw1(call: MsiCall) -> dict:
    """msiAW1(in, out): logs ``in``; ``out`` is "Microservice_1" (testMS.cpp L40-50)."""
    call.sandbox.log(call.ctx.zone, f"ALPHA: ------>  In:{call.text(0)}")
    return {1: "Microservice_1"}


@microservice("msiCutBufferInHalf", 1, inputs={0: "any"}, outputs={0: "BUF"})
def msi_cut_buffer_in_half(call: MsiCall) -> dict:
    """msiCutBufferInHalf(BytesBuf): the buffer's length halved (rounded down); anything but a
    buffer USER__NULL_INPUT_ERR (no inpOutBuf) (testMS.cpp L53-64; PREP hands a BytesBuf over
    as inpOutBuf and returns it, python.hpp@5.0.1 L133-138, L196-207)."""
    buf = call.args[0]
    if not isinstance(buf, T.BytesBuf):
        raise IrodsCallError("msiCutBufferInHalf needs a BytesBuf", code=USER__NULL_INPUT_ERR)
    data = T._bytes_of(buf)
    return {0: T._make_bytes_buf(data[: len(data) // 2])}


@microservice("msiDoSomething", 2, inputs={0: "any"}, outputs={1: "KVP"})
def msi_do_something(call: MsiCall) -> dict:
    """msiDoSomething(in, out): ``out`` an empty KeyValPair (testMS.cpp L112-138)."""
    del call
    return {1: T._make_kvp()}


@microservice("msiTakeThreeArgumentsAndDoNothing", 3, inputs={0: "any", 1: "any", 2: "any"})
def msi_take_three_arguments_and_do_nothing(call: MsiCall) -> dict:
    """msiTakeThreeArgumentsAndDoNothing(a, b, c): 0 (testMS.cpp L141-148)."""
    del call
    return {}


@microservice("msiGoodFailure", 0)
def msi_good_failure(call: MsiCall) -> dict:
    """msiGoodFailure(): fails with RETRY_WITHOUT_RECOVERY_ERR (nre.systemMS.cpp L423-425)."""
    raise IrodsCallError("msiGoodFailure", code=RETRY_WITHOUT_RECOVERY_ERR)
