"""The native engine's operations as the server calls them (irods
``irods_rule_language/src/irods_rule_language.cpp``): ``rule_exists``, ``exec_rule`` (a rule by
name, from another engine or the framework), ``exec_rule_text`` (irule) and
``exec_rule_expression`` (the delay server), plus the remote execution of ``remote{}``.

The zone's rule base is the ``re_rulebase_set`` of the native engine's stanza in the zone's
``server_config.json`` (each name ``N`` is the file ``/etc/irods/N.re``); without one it is
``["core"]``, the server's default.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from b2safe_sandbox.native import grammar
from b2safe_sandbox.native.interp import Frame, Interp
from b2safe_sandbox.native.values import (
    RE_PARSER_ERROR,
    UNSPEC,
    RuleError,
    to_str,
)
from b2safe_sandbox.runtime import engines

PLUGIN_NAME = "irods_rule_engine_plugin-irods_rule_language"
DEFAULT_RULEBASE_SET = ("core",)
#: Parsed rule bases by file content: every sandbox a test suite creates installs the same
#: b2safe.re, which is parsed once per process instead of once per zone (a parse is ~0.3 s).
_PARSED: dict[str, list] = {}
_PARSED_MAX = 32
#: Per server_config.json: (mtime_ns, size) when last read, and its rule base set.
_FILES: dict[Path, tuple[tuple[int, int], list]] = {}


@dataclass
class TextOutcome:
    """Result of running rule text: code, message, and the variables at the end."""

    code: int
    message: str = ""
    variables: dict = field(default_factory=dict)


def rulebase_set(config_dir: Path) -> list[str]:
    """The ``re_rulebase_set`` names of the native engine in ``server_config.json``."""
    path = Path(config_dir) / "server_config.json"
    key = _stat_key(path)
    if key is None:
        return list(DEFAULT_RULEBASE_SET)
    cached = _FILES.get(path)
    if cached is None or cached[0] != key:
        cached = (key, _read_rulebase_set(path))
        _FILES[path] = cached
    return list(cached[1])


def _stat_key(path: Path) -> Optional[tuple[int, int]]:
    """(mtime_ns, size) of ``path``, None when it does not exist."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _read_rulebase_set(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for stanza in data.get("plugin_configuration", {}).get("rule_engines", []):
        if stanza.get("plugin_name") == PLUGIN_NAME:
            names = stanza.get("plugin_specific_configuration", {}).get("re_rulebase_set", [])
            return [n if isinstance(n, str) else str(n.get("filename", "")) for n in names]
    return []


def zone_rules(ctx: Any, zone_name: Optional[str] = None) -> list:
    """The parsed rule base of a zone (cached per file until it changes).

    Raises:
        RuleError: RE_PARSER_ERROR naming the file with the syntax error.
    """
    return list(_rule_base(ctx, zone_name).rules)


@dataclass(frozen=True)
class _RuleBase:
    """A zone's parsed rule base and the (name, file stat) it was read from."""

    files: tuple
    rules: tuple
    names: frozenset


_BASES: dict[Path, _RuleBase] = {}
#: Per config dir: the top-level operation (``Sandbox.operation``) that last found its rule
#: base current.
_CHECKED: dict[Path, object] = {}


def _rule_base(ctx: Any, zone_name: Optional[str] = None) -> _RuleBase:
    """The zone's rule base, re-read when ``server_config.json`` or one of its files changed.

    As an agent does, this looks at the files once per top-level operation (an agent's
    connection): the rule-language plugin loads the rule base in ``setup``, when the agent
    instantiates it (irods/irods plugins/rule_engines/irods_rule_language/src/
    irods_rule_language.cpp ``setup`` -> ``initRuleEngine``), comparing the files' modification
    times with the shared cache's (configuration.cpp ``loadRuleFromCacheOrFile``); a change
    made while an agent runs reaches the agents started after it. Outside an operation every
    call looks (two or three ``stat`` calls; the framework asks ``rule_exists`` on every
    callback)."""
    config_dir = ctx.sandbox.zone(zone_name or ctx.zone).config_dir
    operation = ctx.sandbox.operation()
    cached = _BASES.get(config_dir)
    if cached is not None and operation is not None and _CHECKED.get(config_dir) is operation:
        return cached
    files = tuple((name, _stat_key(config_dir / f"{name}.re"))
                  for name in rulebase_set(config_dir))
    if cached is not None and cached.files == files:
        _CHECKED[config_dir] = operation
        return cached
    rules: list = []
    for name, key in files:
        if key is not None:
            path = config_dir / f"{name}.re"
            rules.extend(_parsed(path.read_text(encoding="utf-8"), str(path)))
    base = _RuleBase(files, tuple(rules), frozenset(rule.name for rule in rules))
    _BASES[config_dir] = base
    _CHECKED[config_dir] = operation
    return base


def _parsed(text: str, where: str) -> list:
    """The rule definitions of a rule base file's ``text`` (parsed once per content; a syntax
    error is not cached and names ``where``)."""
    rules = _PARSED.get(text)
    if rules is None:
        rules = grammar.parse(text, where=where)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[text] = rules
    return rules


def rule_exists(ctx: Any, name: str) -> bool:
    """True if the zone's rule base defines ``name`` (the framework's ``rule_exists``)."""
    try:
        return name in _rule_base(ctx).names
    except RuleError:
        return False


def exec_rule(ctx: Any, name: str, args: list) -> int:
    """Run rule ``name`` of the zone's rule base for another engine; ``args`` are updated in
    place with the parameters' string values after the rule (``exec_rule``: only strings come
    back). Returns 0 or the error code.
    """
    interp = Interp(ctx, zone_rules(ctx), remote=remote_exec)
    values = [a if isinstance(a, str) else _from_python(a) for a in args]
    try:
        _, after = interp.call_rule(name, values, {})
    except RuleError as exc:
        _log(ctx, f"exec_rule {name} failed with {exc.code}: {exc.message}")
        return exc.code
    for index, value in enumerate(after):
        if isinstance(args[index], str) and value is not UNSPEC:
            args[index] = to_str(value)
    return 0


def _from_python(value: Any) -> Any:
    return value


def parse_text(text: str) -> list:
    """Rule definitions of irule text; bare actions are wrapped in one rule, as irule's
    ``@external rule { ... }`` does for text that is not a rule definition.

    Raises:
        RuleError: RE_PARSER_ERROR.
    """
    try:
        rules = grammar.parse(text)
    except RuleError as first:
        try:
            rules = grammar.parse("irule_text {\n" + text + "\n}")
        except RuleError:
            raise first from None
    if not rules:
        raise RuleError(RE_PARSER_ERROR, "the rule text defines no rule")
    return rules


def exec_rule_text(ctx: Any, text: str, inputs: dict, outputs: tuple = ()) -> TextOutcome:
    """irule: run the first rule of ``text`` with ``inputs`` as global variables.

    The other rules of the text are visible to it, before the zone's rule base
    (``parseAndComputeRule`` adds them to the ext rule set and runs the first). The ``outputs``
    labels are global variables too, unset until the rule sets them (``appendOutputToInput``).
    """
    try:
        rules = parse_text(text)
        interp = Interp(ctx, rules + zone_rules(ctx), remote=remote_exec)
    except RuleError as exc:
        return TextOutcome(exc.code, exc.message, dict(inputs))
    globals_ = {label: UNSPEC for label in outputs if label.startswith("*")}
    globals_.update(inputs)
    try:
        interp.run_rule(rules[0], [], globals_)
    except RuleError as exc:
        _log(ctx, f"rule text failed with {exc.code}: {exc.message}")
        return TextOutcome(exc.code, exc.message, globals_)
    return TextOutcome(0, "", globals_)


def exec_rule_expression(ctx: Any, text: str, variables: Optional[dict] = None) -> int:
    """The delay server: run ``{text}`` (``computeExpression``); returns 0 or the error code."""
    outcome = exec_rule_text(ctx, "delayed_rule {\n" + text + "\n}", dict(variables or {}))
    return outcome.code


def remote_exec(ctx: Any, host: str, body: str, frame: Frame) -> int:
    """``remote(host, ...) { body }``: :func:`run_remote` with the caller's variables, whose
    values come back (``carryOverMsParam``)."""
    passed = {k: v for k, v in frame.visible().items() if v is not UNSPEC}
    after = run_remote(ctx, host, body, passed)
    for name in passed:
        if name in after:
            frame.assign(name, after[name])
    return 0


def run_remote(ctx: Any, host: str, body: str, variables: dict) -> dict:
    """Run ``remExec{body}`` on the zone serving ``host`` as the same client with
    ``variables``; returns the variables after it (``remoteExec``, nre.systemMS.cpp).

    Raises:
        RuleError: SYS_INVALID_SERVER_HOST for an unknown host, the connection error for an
            unreachable zone. Errors of the body itself are logged there, not returned: the
            server runs it through ``rsExecMyRule`` with no rule engine named, which logs each
            engine's error and reports success (irods_re_plugin.hpp ``exec_rule_text``).
    """
    from b2safe_sandbox.errors import SandboxError
    from b2safe_sandbox.runtime.context import ExecContext
    from b2safe_sandbox.runtime.irods_errors import _all_codes

    sandbox = ctx.sandbox
    zone = sandbox.zone_by_connection(host.strip())
    if zone is None:
        raise RuleError(_all_codes()["SYS_INVALID_SERVER_HOST"], f"unknown host {host!r}")
    try:
        sandbox.reachable_zone(zone.name)
    except SandboxError as exc:
        raise RuleError(exc.code, f"remote host {host} unreachable") from None
    remote_ctx = ExecContext(sandbox=sandbox, zone=zone.name, client_user=ctx.client_user,
                             proxy_user=ctx.proxy_user, kind="remote", stdout=ctx.stdout)
    outcome = exec_rule_text(remote_ctx, "remExec {\n" + body + "\n}", dict(variables))
    if outcome.code < 0:
        _log(remote_ctx, f"remote execution failed with {outcome.code}: {outcome.message}")
    return outcome.variables


def remote_exec_text(ctx: Any, host: str, text: str) -> None:
    """The ``remoteExec`` microservice: :func:`run_remote` with no variables.

    Raises:
        IrodsCallError: unknown or unreachable host.
    """
    from b2safe_sandbox.errors import IrodsCallError

    try:
        run_remote(ctx, host, text, {})
    except RuleError as exc:
        raise IrodsCallError(f"remoteExec on {host}: {exc.message}", code=exc.code) from None


def _log(ctx: Any, text: str) -> None:
    ctx.sandbox.log(ctx.zone, f"{PLUGIN_NAME}: {text}")


# This module is the rule-language engine the Python engine hands names and delayed rules to.
engines.register_native(sys.modules[__name__])  # type: ignore[arg-type]
