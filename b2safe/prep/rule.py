"""The rule decorator: one declaration per rule, PREP's calling convention handled once.

A rule body is ``f(ctx, **inputs) -> outputs``; the decorator makes it PREP's
``entry(rule_args, callback, rei)``:

* inputs are taken from ``rule_args`` by position; overloaded rules declare several forms and the
  form is chosen by the number of arguments (as B2SAFE's rule-language overloads did);
* called as ``irule ... RULE_NAME '*path="/x"' ruleExecOut`` (``rule_args`` empty), inputs come
  from ``irods_rule_vars`` and outputs are printed to ``ruleExecOut``;
* parameters declared ``name:bool`` are converted from "true"/"false"/"None"... strings;
* outputs are written back into ``rule_args`` by index, as strings (PREP writes back only ``str``);
* a :class:`~b2safe.errors.B2SafeError` becomes ``RuntimeError("[iRods__Error__Code:N] ...")``
  raised ``from None`` after one log line; any other exception becomes SYS_INTERNAL_ERR with its
  traceback in the server log;
* PEPs (:func:`pep`) never fail the client's operation: they log and return RULE_ENGINE_CONTINUE.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import logging
from typing import Any, Callable, Iterable, Optional, Protocol, Sequence, Union

from b2safe.errors import SYS_NOT_ALLOWED, AdminRequired, B2SafeError, InvalidInput
from b2safe.prep import log as serverlog
from b2safe.prep.boundary import raise_for_prep
from b2safe.prep.context import RuleContext
from b2safe.prep.convert import strip_rule_var, to_bool, to_output
from b2safe.prep.registry import Form, RuleSpec, register

logger = logging.getLogger("b2safe.prep")

RULE_ENGINE_CONTINUE = 5000000

FormSpec = Sequence[str]


def _slot(text: str) -> tuple[str, bool, bool]:
    """``"name"``, ``"name:bool"`` or ``"OUT name"`` -> (name, is_output, is_boolean)."""
    is_out = text.startswith("OUT ")
    name, _, kind = text[4:].strip().partition(":") if is_out else text.partition(":")
    if kind not in ("", "bool") or (is_out and kind):
        raise ValueError(f"bad parameter declaration {text!r}")
    return name, is_out, kind == "bool"


def _forms(params: Sequence[str], outputs: Sequence[str],
           forms: Optional[Iterable[FormSpec]]) -> tuple[Form, ...]:
    specs = [list(f) for f in forms] if forms is not None else \
        [list(params) + [f"OUT {o}" for o in outputs]]
    built = tuple(Form(tuple(_slot(text) for text in spec)) for spec in specs)
    arities = [f.arity for f in built]
    if len(set(arities)) != len(arities):
        raise ValueError("overloaded forms must differ in argument count")
    return built


def _signature_text(name: str, form: Form) -> str:
    return f"{name}({form.signature()})"


def _usage(spec: RuleSpec) -> str:
    return " or ".join(_signature_text(spec.name, f) for f in spec.forms)


def _rule_vars() -> Optional[dict[str, str]]:
    """PREP's ``irods_rule_vars`` builtin (irule and delay execution only), if present."""
    return getattr(builtins, "irods_rule_vars", None)


def _inputs_from_args(spec: RuleSpec, rule_args: list) -> tuple[Form, dict[str, Any], bool]:
    """Choose the form and read the inputs. Returns (form, inputs, outputs_to_stdout)."""
    form = spec.form_for(len(rule_args))
    if form is not None:
        values = {p.name: rule_args[form.position(p.name)] for p in form.params}
        return form, values, False
    rule_vars = _rule_vars() if not rule_args else None
    if rule_vars is not None:
        # With equal inputs, prefer the form with outputs: they are what irule prints.
        for candidate in sorted(spec.forms, key=lambda f: (-len(f.params), -len(f.outputs))):
            keys = [f"*{p.name}" for p in candidate.params]
            if all(k in rule_vars for k in keys):
                values = {p.name: strip_rule_var(str(rule_vars[f"*{p.name}"]))
                          for p in candidate.params}
                return candidate, values, True
    raise InvalidInput(
        f"{spec.name} takes {_usage(spec)}; called with {len(rule_args)} argument(s)"
    )


def _convert(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for param in form.params:
        raw = values[param.name]
        if not isinstance(raw, str):
            raw = str(raw)
        converted[param.name] = to_bool(raw, param.name) if param.boolean else raw
    return converted


def _outputs(form: Form, result: Any) -> list[str]:
    """Map a body's return value onto the form's outputs (as strings)."""
    count = len(form.outputs)
    if count == 0:
        return []
    if isinstance(result, dict):
        return [to_output(result.get(name)) for name in form.outputs]
    if count == 1:
        return [to_output(result)]
    if not isinstance(result, (tuple, list)) or len(result) != count:
        raise TypeError(f"rule body must return {count} outputs {form.outputs}")
    return [to_output(v) for v in result]


def _check_admin(spec: RuleSpec, ctx: RuleContext) -> None:
    if spec.admin_only:
        caller = ctx.caller
        if caller is None or not caller.is_admin:
            who = str(caller) if caller else "an unknown user"
            raise AdminRequired(f"{spec.name} may only be called by a rodsadmin, not {who}")


def _setup_logging(ctx: RuleContext) -> None:
    """Load the configuration (a bad one stops the call here) and set the log level from it."""
    try:
        config = ctx.config
    except B2SafeError:
        serverlog.install_handler(1)  # keep logging usable to report the bad configuration
        raise
    serverlog.install_handler(config.logging.level if config.logging.enabled else 0)


def rule(name: Optional[str] = None, *, params: Sequence[str] = (), outputs: Sequence[str] = (),
         forms: Optional[Iterable[FormSpec]] = None, admin_only: bool = False,
         errors: Sequence[str] = (), returns_into: str = "") -> Callable[[Callable], Callable]:
    """Declare a PREP rule.

    Args:
        name: the rule name PREP calls (default: the function name).
        params: input parameter names in ``rule_args`` order; ``"fixed:bool"`` converts booleans.
        outputs: OUT parameter names, after the inputs.
        forms: instead of params/outputs, one or more full signatures such as
            ``("path", "OUT checksum", "OUT modtime", "resource")``; overloads must differ in
            argument count.
        admin_only: refuse callers that are not rodsadmin (CAT_INSUFFICIENT_PRIVILEGE_LEVEL).
        errors: names of the error classes the rule documents (for the rule reference).
        returns_into: for B2SAFE 4.x functions whose value was their return value: in a form
            without OUT arguments, the body's value is written over this input (Python callers
            read it there; PREP has no return values).

    The body is called as ``body(ctx, **inputs)``; inputs missing from a shorter form take the
    body's defaults. Its return value becomes the outputs (a value, a tuple, or a dict by name).
    """

    def decorate(body: Callable) -> Callable:
        rule_name = name or body.__name__
        built = _forms(params, outputs, forms)
        body_params = inspect.signature(body).parameters

        @functools.wraps(body)
        def entry(rule_args: list, callback: Any, rei: Any) -> None:
            ctx = RuleContext(callback, rei, rule_name)
            with serverlog.rule_call(callback, rule_name):
                try:
                    _setup_logging(ctx)
                    _check_admin(spec, ctx)
                    form, values, to_stdout = _inputs_from_args(spec, rule_args)
                    inputs = _convert(form, values)
                    unknown = [k for k in inputs if k not in body_params]
                    if unknown:
                        raise TypeError(f"body of {rule_name} lacks parameters {unknown}")
                    result = body(ctx, **inputs)
                    rendered = _outputs(form, result)
                    if not form.outputs and returns_into and not to_stdout and any(
                            p.name == returns_into for p in form.params):
                        rule_args[form.position(returns_into)] = to_output(result)
                    if to_stdout:
                        for out_name, text in zip(form.outputs, rendered):
                            callback.writeLine("stdout", f"{out_name} = {text}")
                    else:
                        for out_name, text in zip(form.outputs, rendered):
                            rule_args[form.position(out_name)] = text
                except Exception as exc:
                    raise_for_prep(rule_name, exc)
            return None

        spec = RuleSpec(name=rule_name, forms=built, entry=entry,
                        doc=inspect.getdoc(body) or "", admin_only=admin_only,
                        errors=tuple(errors))
        register(spec)
        entry.b2safe_rule = spec  # type: ignore[attr-defined]
        return entry

    return decorate


class PepArgs(Protocol):
    """A PEP family's argument parser (the classes of :mod:`b2safe.prep.pepargs`)."""

    def from_prep(self, rule_args: list, rei: Any) -> Any:
        """The typed value of ``rule_args`` (and ``rei``)."""


#: ``@pep`` error modes: a helpful PEP lets the operation go on when it fails; a protective
#: (veto) pre-PEP denies it, so that a check that could not be made never lets it through.
CONTINUE, DENY = "continue", "deny"


def pep(name: str, *, on_error: str = CONTINUE, args: Optional[PepArgs] = None,
        when: Optional[Callable[[RuleContext], bool]] = None,
        doc: str = "") -> Callable[[Callable], Callable]:
    """Declare a policy enforcement point handler.

    The body is ``body(ctx, value)`` where ``value`` is ``args.from_prep(rule_args, rei)``, a
    typed value of the PEP's family (:mod:`b2safe.prep.pepargs`), or PREP's ``rule_args`` list
    when ``args`` is None. A body that vetoes returns a negative iRODS error code (pre-PEPs
    only), anything else lets the operation go on (RULE_ENGINE_CONTINUE, so that other rule
    engines still run). When parsing or the body raises, ``on_error`` decides:
    :data:`CONTINUE` logs and lets the operation go on (policies that leave durable pending
    work), :data:`DENY` logs and fails the operation with SYS_NOT_ALLOWED (protective checks:
    they fail closed). ``when``: a cheap test of whether the PEP has anything to do in this
    call (``when(ctx)``, after the configuration is loaded); when it is false the arguments are
    not parsed and the body is not called (an agent fires some PEPs once per object it copies).
    """
    if on_error not in (CONTINUE, DENY):
        raise ValueError(f"on_error must be {CONTINUE!r} or {DENY!r}, not {on_error!r}")

    def decorate(body: Callable) -> Callable:
        @functools.wraps(body)
        def entry(rule_args: list, callback: Any, rei: Any) -> Union[int, None]:
            ctx = RuleContext(callback, rei, name)
            with serverlog.rule_call(callback, name):
                try:
                    _setup_logging(ctx)
                    if when is not None and not when(ctx):
                        return RULE_ENGINE_CONTINUE
                    value = rule_args if args is None else args.from_prep(rule_args, rei)
                    result = body(ctx, value)
                except Exception:
                    if on_error == DENY:
                        logger.exception("%s: policy check failed; the operation is refused",
                                         name)
                        return SYS_NOT_ALLOWED
                    logger.exception("%s: policy failed; the operation continues", name)
                    return RULE_ENGINE_CONTINUE
            if isinstance(result, int) and result < 0:
                return result
            return RULE_ENGINE_CONTINUE

        spec = RuleSpec(name=name, forms=(Form(()),), entry=entry,
                        doc=doc or inspect.getdoc(body) or "", kind="pep")
        register(spec)
        entry.b2safe_rule = spec  # type: ignore[attr-defined]
        return entry

    return decorate
