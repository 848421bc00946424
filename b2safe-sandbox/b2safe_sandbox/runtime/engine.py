"""The PREP engine of a sandbox zone: ``callback`` dispatch and the three ways Python runs.

* :class:`Callback`: the object rules receive. Any attribute is a callable (``hasattr`` is always
  true); a call goes to a rule of the zone's ``core`` first, then to a microservice, else
  NO_MICROSERVICE_FOUND_ERR (prep-runtime.md §2.1).
* :func:`exec_rule`: PREP's ``exec_rule``: ``core.<name>(rule_args, callback, rei)``, str entries
  written back by index, int return codes, exception -> first embedded code or -1 (§1.2).
* :func:`exec_rule_text` (irule -F, py_remote) and :func:`exec_rule_expression` (delay server):
  any exception -> RULE_ENGINE_ERROR (§1.2, §6).
"""

from __future__ import annotations

import builtins
import contextlib
import sys
import threading
import traceback
from typing import Any, Iterator, Optional

from b2safe_sandbox.errors import (
    ACTION_ARG_COUNT_MISMATCH,
    CAT_NO_ROWS_FOUND,
    CAT_SUCCESS_BUT_WITH_NO_INFO,
    NO_MICROSERVICE_FOUND_ERR,
    RULE_ENGINE_ERROR,
    SandboxError,
)
from b2safe_sandbox.runtime import engines, errtext, msparam, registry
from b2safe_sandbox.runtime.context import NREP_INSTANCE, ExecContext, MsiCall
from b2safe_sandbox.runtime.registry import MsiSpec
from b2safe_sandbox.runtime.types import RuleOutcome
from b2safe_sandbox.runtime.zoneenv import CoreImportError

_PLUGIN = "irods_rule_engine_plugin_python"


class Callback:
    """PREP's ``CallbackWrapper``: ``callback.<anything>(*args)`` dispatches in the zone."""

    __slots__ = ("_sb_ctx",)

    def __init__(self, ctx: ExecContext) -> None:
        object.__setattr__(self, "_sb_ctx", ctx)

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__") or name == "_sb_ctx":
            return object.__getattribute__(self, name)
        ctx = object.__getattribute__(self, "_sb_ctx")

        def call(*args: Any, **kwargs: Any) -> dict:
            # Keyword arguments are accepted and ignored, as by PREP's raw_function.
            return dispatch(ctx, name, args)

        call.__name__ = name
        return call

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("callback attributes are read-only")

    def __repr__(self) -> str:
        ctx = object.__getattribute__(self, "_sb_ctx")
        return f"<callback zone={ctx.zone} user={ctx.client_user}>"


def call_rule_code(fn: Any, rule_args: list, callback: Callback, rei: Any) -> Any:
    """``fn(rule_args, callback, rei)``: the one place the emulator runs rule code (a core.py
    rule, irule text's ``main``, a delayed rule's body). With :func:`dispatch`, the way back
    from rule code into the server, it is the boundary between the ruleset's work and the
    server's; the benchmarks wrap both to measure each side's CPU (scripts/bench_common.py
    ``BoundaryClock``)."""
    return fn(rule_args, callback, rei)


def _raise_status(ctx: ExecContext, code: int, message: str, function: str) -> dict:
    """Turn a failed call into PREP's behaviour: raise, or a status-False dict for no-rows."""
    silent = {CAT_NO_ROWS_FOUND}
    if ctx.sandbox.irods_version < (5, 0):
        silent.add(CAT_SUCCESS_BUT_WITH_NO_INFO)
    if code in silent:
        return {"status": False, "code": code}
    raise errtext.runtime_error(code, message, function)


def dispatch(ctx: ExecContext, name: str, args: tuple) -> dict:
    """One ``callback.name(*args)`` call in ``ctx``; returns PREP's result dict.

    Raises:
        RuntimeError: as PREP does (embedded code; bad_any_cast; marshalling; wrong thread).
    """
    if threading.get_ident() != ctx.thread_id:
        raise RuntimeError("callback called from a thread other than the rule's thread; "
                           "the Python rule engine plugin does not allow this")
    msparam.check_marshallable(args)
    sandbox = ctx.sandbox
    zone = sandbox.zone(ctx.zone)
    with zone.env.active():
        try:
            core = zone.env.core()
        except CoreImportError as exc:
            sandbox.log(ctx.zone, f"failed to import core: {exc.text}")
            raise errtext.runtime_error(RULE_ENGINE_ERROR, "rule_exists failed: cannot import "
                                        "core", "rule_exists") from None
        if hasattr(core, name):
            return _call_rule(ctx, name, list(args))
    if sandbox.nrep_loaded:
        if engines.native().rule_exists(ctx, name):
            return _call_native_rule(ctx, name, list(args))
    return _call_msi(ctx, name, list(args))


def _call_native_rule(ctx: ExecContext, name: str, args: list) -> dict:
    """A rule of the zone's rule-language rule base called through the callback: the framework
    asks the next engine (irods_re_plugin.hpp ``control``); the native engine's ``exec_rule``
    gives back only string parameters (irods_rule_language.cpp ``exec_rule``)."""
    rule_args = list(args)
    code = engines.native().exec_rule(ctx.derive(instance_name=NREP_INSTANCE), name, rule_args)
    if code < 0:
        result = _raise_status(ctx, code, f"{name} failed in the rule language engine",
                               "exec_rule")
        result["arguments"] = list(args)
        return result
    return {"arguments": rule_args, "code": code, "status": True}


def _call_rule(ctx: ExecContext, name: str, args: list) -> dict:
    """A rule of core.py called through the callback (nested exec_rule)."""
    rule_args = list(args)
    outcome = exec_rule(ctx.derive(), name, rule_args)
    if outcome.code < 0:
        result = _raise_status(
            ctx, outcome.code,
            f"{_PLUGIN}::{name} Caught Python exception.\n{outcome.traceback}"
            if outcome.traceback else f"{name} returned {outcome.code}",
            "exec_rule")
        result["arguments"] = list(args)
        return result
    arguments = []
    for given, after in zip(args, rule_args):
        if isinstance(given, str):
            arguments.append(after if isinstance(after, str) else given)
        else:
            arguments.append(after)
    return {"arguments": arguments, "code": outcome.code, "status": True}


def run_microservice(ctx: ExecContext, spec: MsiSpec, args: list) -> dict:
    """Count the call, take an injected fault, check the inputs and run ``spec`` on ``args``.

    Returns the microservice's outputs ({arg index: value}). Raises SandboxError (the injected
    fault's code, or the microservice's).
    """
    sandbox = ctx.sandbox
    sandbox.counters.count_msi(ctx.zone, spec.name)
    injected = sandbox.faults.take(ctx.zone, spec.name)
    if injected is not None:
        raise SandboxError(f"injected fault in {spec.name}", code=injected)
    msparam.check_inputs(spec, args)
    return spec.fn(MsiCall(spec.name, args, ctx)) or {}


def lookup_msi(sandbox: Any, name: str) -> Optional[MsiSpec]:
    """The microservice ``name`` as the sandbox's server version has it, or None."""
    return registry.lookup(name, sandbox.nrep_loaded, sandbox.irods_version)


def _call_msi(ctx: ExecContext, name: str, args: list) -> dict:
    """A microservice call with PREP's conversions and error semantics."""
    sandbox = ctx.sandbox
    spec = lookup_msi(sandbox, name)
    if spec is None:
        raise errtext.runtime_error(NO_MICROSERVICE_FOUND_ERR, f"microservice {name} not found",
                                    "exec_microservice_adapter")
    if len(args) != spec.nargs:
        raise errtext.runtime_error(
            ACTION_ARG_COUNT_MISMATCH,
            f"{name} takes {spec.nargs} arguments, {len(args)} given")
    try:
        outputs = run_microservice(ctx, spec, args)
    except SandboxError as exc:
        result = _raise_status(ctx, exc.code, f"{name}: {exc.message}", name)
        result["arguments"] = list(args)
        return result
    code = int(outputs.pop(registry.RETURN_CODE, 0))
    arguments = msparam.apply_outputs(spec, args, outputs)
    return {"arguments": arguments, "code": code, "status": True}


def _inject_builtins(core: Any) -> None:
    """``irods_types`` and ``irods_errors`` as PREP puts them into core's namespace (the ones
    ZoneEnv.active registered for the zone's version)."""
    core.irods_types = sys.modules["irods_types"]
    core.irods_errors = sys.modules["irods_errors"]


def _code_of(result: Any) -> int:
    """PREP's ``to_irods_error_object``: ints are codes, anything else is success (0)."""
    if isinstance(result, int):
        return int(result)
    return 0


def rule_defined(sandbox: Any, zone: str, name: str) -> Optional[bool]:
    """Whether ``zone``'s core.py has a rule ``name``; None when core.py does not import (the
    caller then runs :func:`exec_rule`, which reports it)."""
    env = sandbox.zone(zone).env
    imported = env.imported_core()
    if imported is not None:
        return hasattr(imported, name)
    with env.active():
        try:
            return hasattr(env.core(), name)
        except CoreImportError:
            return None


def exec_rule(ctx: ExecContext, name: str, rule_args: list,
              rule_vars: Optional[dict] = None) -> RuleOutcome:
    """Run ``core.<name>(rule_args, callback, rei)`` in ``ctx.zone`` (PREP ``exec_rule``).

    ``rule_args`` is mutated by the rule (the caller reads str entries back by index).
    ``rule_vars`` (irule RULE's inputs) become ``irods_rule_vars`` and ``core.global_vars``.
    A missing rule gives ``ran=False`` and code 0; a broken core gives RULE_ENGINE_ERROR.
    """
    from b2safe_sandbox.runtime import rei as rei_mod

    sandbox = ctx.sandbox
    sandbox.start_services()  # rule code may call the zones' Handle servers
    zone = sandbox.zone(ctx.zone)
    with zone.env.active():
        try:
            core = zone.env.core()
        except CoreImportError as exc:
            sandbox.log(ctx.zone, f"failed to import core: {exc.text}")
            return RuleOutcome(RULE_ENGINE_ERROR, exc.text)
        if not hasattr(core, name):
            return RuleOutcome(0, None, ran=False)
        fn = getattr(core, name)
        _inject_builtins(core)
        sandbox.counters.count_rule(ctx.zone, name)
        rei = rei_mod.rei_for(ctx)
        callback = Callback(ctx)
        try:
            if rule_vars is None:
                result = call_rule_code(fn, rule_args, callback, rei)
            else:
                with irule_vars(core.__dict__, rule_vars):
                    result = call_rule_code(fn, rule_args, callback, rei)
        except Exception as exc:  # PREP catches every Python exception
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            sandbox.log(ctx.zone, f"{_PLUGIN}::exec_rule: Caught Python exception in {name}.\n"
                        f"{text}")
            code = errtext.code_in(text)
            return RuleOutcome(code if code is not None else -1, text)
    return RuleOutcome(_code_of(result))


def _run_text(ctx: ExecContext, source: str, entry: str, rule_vars: dict,
              filename: str) -> RuleOutcome:
    """Exec ``source`` in a fresh ``__main__``-like namespace and call ``entry([], cb, rei)``."""
    from b2safe_sandbox.runtime import rei as rei_mod

    sandbox = ctx.sandbox
    sandbox.start_services()  # rule code may call the zones' Handle servers
    zone = sandbox.zone(ctx.zone)
    with zone.env.active():
        try:
            zone.env.core()
        except CoreImportError as exc:
            sandbox.log(ctx.zone, f"failed to import core: {exc.text}")
            return RuleOutcome(RULE_ENGINE_ERROR, exc.text)
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins,
                                     "irods_types": sys.modules["irods_types"],
                                     "irods_errors": sys.modules["irods_errors"]}
        with irule_vars(namespace, rule_vars):
            try:
                exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - as PREP does
                result = call_rule_code(namespace[entry], [], Callback(ctx),
                                        rei_mod.rei_for(ctx))
            except Exception as exc:
                text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                sandbox.log(ctx.zone, f"{_PLUGIN}: Caught Python exception.\n{text}")
                return RuleOutcome(RULE_ENGINE_ERROR, text)
    return RuleOutcome(_code_of(result))


@contextlib.contextmanager
def irule_vars(namespace: dict, rule_vars: dict) -> Iterator[None]:
    """irule's variables for one call: the ``irods_rule_vars`` builtin and its deprecated alias
    ``global_vars`` in the rule's namespace (``__main__`` for -F, ``core`` for irule RULE;
    PREP src/main.cpp@5.0.1 L781-825, still there in 5.0.1)."""
    had_vars = hasattr(builtins, "irods_rule_vars")
    old_vars = getattr(builtins, "irods_rule_vars", None)
    had_alias, old_alias = "global_vars" in namespace, namespace.get("global_vars")
    values = dict(rule_vars)
    builtins.irods_rule_vars = values  # type: ignore[attr-defined]
    namespace["global_vars"] = values
    try:
        yield
    finally:
        if had_vars:
            builtins.irods_rule_vars = old_vars  # type: ignore[attr-defined]
        else:
            del builtins.irods_rule_vars  # type: ignore[attr-defined]
        if had_alias:
            namespace["global_vars"] = old_alias
        else:
            namespace.pop("global_vars", None)


def exec_rule_text(ctx: ExecContext, text: str, rule_vars: Optional[dict] = None) -> RuleOutcome:
    """PREP ``exec_rule_text``: exec ``text`` and call its ``main([], callback, rei)``."""
    return _run_text(ctx, text, "main", rule_vars or {}, "<irule>")


def expression_source(text: str) -> str:
    """PREP's delayed-rule wrapping: a function whose body is ``text`` (one extra space)."""
    return ("def expressionFcn(rule_args, callback, rei):\n" + text).replace("\n", "\n ")


def exec_rule_expression(ctx: ExecContext, text: str,
                         rule_vars: Optional[dict] = None) -> RuleOutcome:
    """PREP ``exec_rule_expression`` (delay server): run ``text`` as a function body."""
    return _run_text(ctx, expression_source(text), "expressionFcn", rule_vars or {},
                     "<expression>")
