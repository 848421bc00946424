"""Where the rule language meets the rest of the sandbox zone: the rule engine framework (the
zone's Python rules and microservices), the microservice table, and GenQuery.

Marshalling follows what a server does:

* Calls the language forwards to the framework (``execAction3``) carry strings only; the strings
  after the call are written back and the value is the framework's error code, an integer
  (``newIntRes(r, err.code())``). The framework asks each engine ``rule_exists`` in order
  (``irods_re_plugin.hpp`` ``control``): the Python rules of ``core.py``, then microservices.
* Direct microservice calls (``execMicroService3``) take the language's values; an unset variable
  becomes an empty output parameter of the microservice's output type.
"""

from __future__ import annotations

from typing import Any, Iterator

from b2safe_sandbox.native.values import (
    NO_RULE_OR_MSI_FUNCTION_FOUND_ERR,
    UNSPEC,
    RuleError,
    to_str,
)
from b2safe_sandbox.runtime import engine, registry
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.msis.templates import StrArray, TagStruct

_PLACEHOLDERS = {"STR": str, "INT": int, "KVP": T.KeyValPair, "OBJSTAT": T.RodsObjStat,
                 "GQI": T.GenQueryInp, "GQO": T.GenQueryOut, "BUF": T.BytesBuf}

#: Microservice structures the language keeps as they are (StrArray_MS_T, TagStruct_MS_T).
MS_STRUCTS = (StrArray, TagStruct)


def _core(ctx: Any) -> Any:
    zone = ctx.sandbox.zone(ctx.zone)
    with zone.env.active():
        return zone.env.core()


def python_rule_exists(ctx: Any, name: str) -> bool:
    """True if the zone's ``core.py`` has rule ``name`` (PREP's ``rule_exists``)."""
    try:
        return hasattr(_core(ctx), name)
    except Exception:  # a core that does not import has no rules
        return False


def framework_call(ctx: Any, name: str, values: list[str]) -> tuple[bool, int, list[str]]:
    """Forward an all-string call to the framework: (found, code, strings after the call).

    Raises:
        RuleError: the code the rule or microservice failed with.
    """
    args = list(values)
    if python_rule_exists(ctx, name):
        outcome = engine.exec_rule(ctx.derive(), name, args)
        if outcome.code < 0:
            raise RuleError(outcome.code, f"{name} failed in the Python rule engine")
        return True, outcome.code, [a if isinstance(a, str) else v for a, v in zip(args, values)]
    spec = engine.lookup_msi(ctx.sandbox, name)
    if spec is None:
        return False, 0, values
    result = _run_msi(ctx, name, args)
    after = [a if isinstance(a, str) else v for a, v in zip(result, values)]
    return True, 0, after


def has_microservice(ctx: Any, name: str) -> bool:
    """True if ``name`` is in the microservice table."""
    return engine.lookup_msi(ctx.sandbox, name) is not None


def microservice_call(ctx: Any, name: str, values: list) -> dict:
    """Call microservice ``name`` with the language's values; its outputs by index.

    Raises:
        RuleError: NO_RULE_OR_MSI_FUNCTION_FOUND_ERR if unknown, else the microservice's code.
    """
    spec = engine.lookup_msi(ctx.sandbox, name)
    if spec is None:
        raise RuleError(NO_RULE_OR_MSI_FUNCTION_FOUND_ERR, f"no microservice {name}")
    args = []
    for index, value in enumerate(values):
        if value is UNSPEC:
            value = _PLACEHOLDERS.get(spec.outputs.get(index, "STR"), str)()
        elif isinstance(value, (bool, list, tuple)) and not isinstance(value, MS_STRUCTS):
            value = to_str(value)
        args.append(value)
    after = _run_msi(ctx, name, args)
    return {index: after[index] for index in spec.outputs if index < len(after)}


def _run_msi(ctx: Any, name: str, args: list) -> list:
    """Run a microservice on msParams built from ``args``; the arguments after the call.

    Unlike PREP (``runtime.msparam.apply_outputs``), the language has no typed placeholders to
    violate: an output replaces whatever value the argument had.
    """
    from b2safe_sandbox.errors import ACTION_ARG_COUNT_MISMATCH, SandboxError

    sandbox = ctx.sandbox
    spec = engine.lookup_msi(sandbox, name)
    if spec is None:
        raise RuleError(NO_RULE_OR_MSI_FUNCTION_FOUND_ERR, f"no microservice {name}")
    if len(args) != spec.nargs:
        raise RuleError(ACTION_ARG_COUNT_MISMATCH,
                        f"{name} takes {spec.nargs} arguments, {len(args)} given")
    try:
        outputs = engine.run_microservice(ctx, spec, args)
    except SandboxError as exc:
        raise RuleError(exc.code, f"{name}: {exc.message}") from None
    outputs.pop(registry.RETURN_CODE, None)  # a status above 0 is success to the language
    after = list(args)
    for index, value in outputs.items():
        after[index] = value
    return after


def query_rows(ctx: Any, columns: list[str], conditions: str) -> Iterator[list[str]]:
    """Rows of a GenQuery1 query as the client user, routed by its zone hint, page by page."""
    from b2safe_sandbox.runtime.msis import query as msi_query

    sandbox = ctx.sandbox
    zone_name = msi_query.zone_hint(sandbox, conditions, ctx.zone)
    offset = 0
    while True:
        zone = sandbox.reachable_zone(zone_name)
        sandbox.counters.count_genquery(zone_name)
        try:
            page = zone.catalog.genquery(columns, conditions, ctx.client_user,
                                         max_rows=msi_query.MAX_SQL_ROWS, offset=offset)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code is None:
                raise
            raise RuleError(int(code), f"query failed: {exc}") from None
        yield from (list(row) for row in page.rows)
        if not page.has_more:
            return
        offset += len(page.rows)
