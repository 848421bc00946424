"""The bridge the rule-language file (``b2safe/rulebase/b2safe.re``) calls the Python rules through.

The native rule engine runs its own rules first, so its ``EUDATReplication`` cannot reach the
Python rule of the same name by calling it; and the engine forwards a call to Python only when
every argument is a string, returning the error code as the call's value. This rule takes the
Python rule's name and its arguments (all strings), runs it with the caller's identity exactly
as a direct call would, and reports its outcome in two OUT strings instead of failing, so the
native side can give 4.x's boolean results and messages:

    b2safe_native_call(rule, OUT status, OUT message, arg1, ..., argN)

``status`` is "0" or the rule's iRODS error code; ``message`` is the rule's error text ("" on
success). The rule's OUT arguments are written back in place. It acts with the caller's rights
only: it adds none, and calls only registered rules (not PEPs or itself).
"""

from __future__ import annotations

from typing import Any

from b2safe.errors import SYS_INVALID_INPUT_PARAM, InvalidInput, code_from_text
from b2safe.prep import RuleContext, rule
from b2safe.prep.registry import REGISTRY, Form, RuleSpec, register

NAME = "b2safe_native_call"
#: Largest argument count of a registered rule form (EUDATCheckIntegrity/8) plus headroom.
MAX_RULE_ARGS = 12


def native_call(rule_args: list, callback: Any, rei: Any) -> None:
    """PREP entry of ``b2safe_native_call``; see the module docstring."""
    if len(rule_args) < 3:
        raise RuntimeError(f"[iRods__Error__Code:{SYS_INVALID_INPUT_PARAM}] {NAME} takes "
                           "(rule, OUT status, OUT message, arguments...)")
    target = str(rule_args[0])
    spec = REGISTRY.get(target)
    args = [str(a) for a in rule_args[3:]]
    if spec is None or spec.kind != "rule" or target == NAME:
        rule_args[1] = str(SYS_INVALID_INPUT_PARAM)
        rule_args[2] = f"{NAME}: {target!r} is not a b2safe rule"
        return
    try:
        spec.entry(args, callback, rei)
    except RuntimeError as exc:
        code = code_from_text(str(exc))
        rule_args[1] = str(code if code is not None else -1)
        rule_args[2] = _message(str(exc))
        return
    for index, value in enumerate(args):
        rule_args[3 + index] = value
    rule_args[1] = "0"
    rule_args[2] = ""


def _message(text: str) -> str:
    first = text.split("]", 1)[-1].strip().splitlines()
    return first[0] if first else ""


def _forms() -> tuple[Form, ...]:
    head = (("rule", False, False), ("status", True, False), ("message", True, False))
    return tuple(Form(head + tuple((f"arg{i}", False, False) for i in range(1, n + 1)))
                 for n in range(MAX_RULE_ARGS + 1))


register(RuleSpec(name=NAME, forms=_forms(), entry=native_call,
                  doc=(__doc__ or "").split("\n\n")[1].strip(),
                  errors=("InvalidInput",)))


#: The settings the rule-language getters of 4.x's local.re answer from (none is a secret).
SETTINGS = {
    "zone.name": lambda c: c.zone.name,
    "zone.server_id": lambda c: c.zone.server_id,
    "http_api.enabled": lambda c: c.http_api.enabled,
    "http_api.registered_base": lambda c: c.http_api.registered_base,
    "http_api.public_base": lambda c: c.http_api.public_base,
    "logging.level": lambda c: c.logging.level if c.logging.enabled else 0,
    "pid.credentials_file": lambda c: c.pid.credentials_file,
    "authorization.enabled": lambda c: c.authorization.enabled,
    "authorization.map_file": lambda c: c.authorization.map_file,
    "messaging.enabled": lambda c: c.messaging.enabled,
    "repository_packages.archive_owner": lambda c: c.repository_packages.archive_owner,
}


@rule("b2safe_setting", params=("name",), outputs=("value",), errors=("InvalidInput",))
def b2safe_setting(ctx: RuleContext, name: str) -> str:
    """One setting of b2safe.json for the rule-language getters of 4.x's local.re
    (``getEUDATLoggerLevel``, ``getHttpApiParameters`` ...): booleans as "true"/"false".
    Only the names in ``SETTINGS`` are answered (no secrets)."""
    getter = SETTINGS.get(name)
    if getter is None:
        raise InvalidInput(f"unknown setting {name[:64]!r}; known: {', '.join(sorted(SETTINGS))}")
    value = getter(ctx.config)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
