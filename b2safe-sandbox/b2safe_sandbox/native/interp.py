"""Evaluation of rule-language trees in a sandbox zone.

Semantics and their sources (irods ``plugins/rule_engines/irods_rule_language/src``):

* Rule selection (``arithmetics.cpp`` ``execRule``/``execRuleNodeRes``): every definition of the
  name with the right number of parameters is tried in rule-base order; an ``on`` condition that
  is false or a body that fails makes the next definition run (unless ``cut`` was reached); no
  definition at all is NO_RULE_FOUND_ERR. Parameters are copied back to the caller's variables
  (``copyFromEnv``). The value of a rule is the value of its last action.
* Calls (``execAction3``): built-in functions, then rules of this engine, then - when every
  argument is a string - the rule engine framework (the Python rule of ``core.py``, else a
  microservice) with the strings written back and the *error code* (an integer) as the value;
  otherwise the microservice table; else NO_RULE_OR_MSI_FUNCTION_FOUND_ERR.
* Variables (``evaluateVar3``): reading an unset ``*x`` is RE_UNABLE_TO_READ_LOCAL_VAR; a variable
  passed to a rule or microservice may be unset (an output). Assignment updates the variable where
  it is visible (rule locals, then the irule inputs), else creates a local.
* Strings (``parser.cpp`` ``nextStringBase``/``StringExpression``): ``*var`` and ``$var`` inside
  "..." and '...' are replaced by ``str(var)``; backslash escapes ``\\n \\t \\r \\0 \\x``.
* ``remote(host, hint) { ... }`` (``nre.systemMS.cpp`` ``remoteExec``): the body runs as
  ``remExec{...}`` on that host through ``rsExecMyRule`` with the caller's variables; values
  come back (``carryOverMsParam``). With no rule engine named, ``rsExecMyRule`` logs the
  body's errors and reports success (``irods_re_plugin.hpp`` ``exec_rule_text``).
* ``delay(cond) { ... }``: the body text is queued with ``delayExec``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from lark import Token, Tree

from b2safe_sandbox.native import functions
from b2safe_sandbox.native.grammar import RuleDef
from b2safe_sandbox.native.values import (
    ACTION_FAILED_ERR,
    CUT_ACTION_PROCESSED_ERR,
    FAIL_ACTION_ENCOUNTERED_ERR,
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    NO_RULE_FOUND_ERR,
    NO_RULE_OR_MSI_FUNCTION_FOUND_ERR,
    RE_DIVISION_BY_ZERO,
    RE_RUNTIME_ERROR,
    RE_TYPE_ERROR,
    RE_UNABLE_TO_READ_LOCAL_VAR,
    RE_UNABLE_TO_READ_SESSION_VAR,
    RE_UNSUPPORTED_OP_OR_TYPE,
    RULE_FAILED_ERR,
    UNSPEC,
    BreakLoop,
    Row,
    RuleError,
    Succeed,
    condition,
    to_number,
    to_str,
    type_name,
)

#: Nesting limit of rule calls (Guess: the real engine is bounded by its stack; this keeps a
#: runaway recursion a rule error rather than a Python crash).
MAX_DEPTH = 200

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


@dataclass
class Frame:
    """The variables one rule body sees: its own locals and the irule inputs (globals)."""

    interp: Interp
    local: dict
    globals: dict
    source: str = ""
    cut: bool = False

    def get(self, name: str) -> Any:
        """The value of ``*name`` (UNSPEC when unset)."""
        if name in self.local:
            return self.local[name]
        return self.globals.get(name, UNSPEC)

    def read(self, name: str) -> Any:
        """The value of ``*name``; RE_UNABLE_TO_READ_LOCAL_VAR when unset."""
        value = self.get(name)
        if value is UNSPEC:
            raise RuleError(RE_UNABLE_TO_READ_LOCAL_VAR, f"unable to read local variable {name}")
        return value

    def assign(self, name: str, value: Any) -> None:
        """Set ``*name`` where it is visible, else as a local."""
        if name not in self.local and name in self.globals:
            self.globals[name] = value
        else:
            self.local[name] = value

    def visible(self) -> dict:
        """Every variable this frame sees (locals over globals)."""
        merged = dict(self.globals)
        merged.update(self.local)
        return merged


@dataclass
class Interp:
    """Runs rules of one zone for one client (``ctx`` is the sandbox ExecContext)."""

    ctx: Any
    rules: list = field(default_factory=list)
    depth: int = 0
    #: Runs ``remote(host, ...) { body }``: ``remote(ctx, host, body, frame)`` -> code (given by
    #: :mod:`.entry`, which runs rule text; passed in so that this module does not import it).
    remote: Optional[Callable[[Any, str, str, Frame], int]] = None

    # ------------------------------------------------------------------ rules
    def definitions(self, name: str) -> list[RuleDef]:
        """Every definition of ``name`` in rule-base order."""
        return [r for r in self.rules if r.name == name]

    def has_rule(self, name: str) -> bool:
        """True if this engine defines ``name`` (the plugin's ``rule_exists``)."""
        return any(r.name == name for r in self.rules)

    def call_rule(self, name: str, values: list, globals_: dict) -> tuple[Any, list]:
        """Apply rule ``name`` to ``values``; returns its value and the parameters after it.

        Raises:
            RuleError: NO_RULE_FOUND_ERR when no definition has this arity, else the error of
                the last definition tried.
        """
        last: Optional[RuleError] = None
        for rule in self.definitions(name):
            if len(rule.params) != len(values):
                continue
            try:
                return self.run_rule(rule, values, globals_)
            except RuleError as exc:
                last = exc
                if exc.code == CUT_ACTION_PROCESSED_ERR:
                    raise
        if last is None:
            raise RuleError(NO_RULE_FOUND_ERR, f"no rule {name} with {len(values)} parameters")
        raise last

    def run_rule(self, rule: RuleDef, values: list, globals_: dict) -> tuple[Any, list]:
        """Run one definition (each of its on/or bodies in turn) on ``values``.

        Raises:
            RuleError: RULE_FAILED_ERR when no condition held, else the last body's error
                (CUT_ACTION_PROCESSED_ERR when the failing body had reached ``cut``).
        """
        if self.depth >= MAX_DEPTH:
            raise RuleError(RE_RUNTIME_ERROR, f"rule nesting deeper than {MAX_DEPTH} at "
                            f"{rule.name}")
        last = RuleError(RULE_FAILED_ERR, f"no condition of {rule.name} holds")
        for cond, body in _bodies(rule.node):
            frame = Frame(self, dict(zip(rule.params, values)), globals_, source=rule.source)
            self.depth += 1
            try:
                if cond is not None and not condition(self.eval(cond, frame)):
                    continue
                try:
                    value = self.eval(body, frame)
                except Succeed:
                    value = 0
                return value, [frame.local.get(p, v) for p, v in zip(rule.params, values)]
            except RuleError as exc:
                if frame.cut:
                    raise RuleError(CUT_ACTION_PROCESSED_ERR, exc.message) from None
                last = exc
            finally:
                self.depth -= 1
        raise last

    # ------------------------------------------------------------------ evaluation
    def eval(self, node: Any, frame: Frame) -> Any:
        """The value of ``node`` in ``frame``."""
        if isinstance(node, Token):
            return str(node)
        method = getattr(self, "_" + node.data, None)
        if method is None:
            raise RuleError(RE_UNSUPPORTED_OP_OR_TYPE, f"unsupported construct {node.data}")
        return method(node, frame)

    def _actions(self, node: Tree, frame: Frame) -> Any:
        value: Any = 0
        recoveries: list = []
        for action in node.children:
            try:
                value = self.eval(action.children[0], frame)
            except RuleError:
                for recovery in reversed(recoveries):
                    try:
                        self.eval(recovery, frame)
                    except RuleError:
                        pass
                raise
            if len(action.children) > 1:
                recoveries.append(action.children[1])
        return value

    _plain_body = _actions
    _raw_actions = _actions

    def _block(self, node: Tree, frame: Frame) -> Any:
        return self.eval(node.children[0], frame)

    def _assign(self, node: Tree, frame: Frame) -> Any:
        value = self.eval(node.children[1], frame)
        frame.assign(str(node.children[0]), value)
        return value

    def _var(self, node: Tree, frame: Frame) -> Any:
        return frame.read(str(node.children[0]))

    def _svar(self, node: Tree, frame: Frame) -> Any:
        return self.session_var(str(node.children[0]))

    def _int_(self, node: Tree, frame: Frame) -> int:
        return int(str(node.children[0]))

    def _double(self, node: Tree, frame: Frame) -> float:
        return float(str(node.children[0]))

    def _true_(self, node: Tree, frame: Frame) -> bool:
        return True

    def _false_(self, node: Tree, frame: Frame) -> bool:
        return False

    def _string(self, node: Tree, frame: Frame) -> str:
        return self.interpolate(str(node.children[0])[1:-1], frame)

    def _tuple_(self, node: Tree, frame: Frame) -> tuple:
        return tuple(self.eval(c, frame) for c in node.children)

    def _neg(self, node: Tree, frame: Frame) -> Any:
        return -to_number(self.eval(node.children[0], frame))

    def _not_(self, node: Tree, frame: Frame) -> bool:
        return not condition(self.eval(node.children[0], frame))

    def _and_(self, node: Tree, frame: Frame) -> bool:
        if not condition(self.eval(node.children[0], frame)):
            return False
        return condition(self.eval(node.children[1], frame))

    def _key(self, node: Tree, frame: Frame) -> Any:
        """``*row.COLUMN`` (the ``.`` operator on a query row or key-value pair)."""
        container = self.eval(node.children[0], frame)
        key = str(node.children[1])
        if isinstance(container, dict):
            if key not in container:
                raise RuleError(RE_RUNTIME_ERROR, f"no key {key} in the row")
            return container[key]
        getter = getattr(container, "__getitem__", None)
        if getter is not None and type(container).__name__ == "KeyValPair":
            try:
                return str(getter(key))
            except KeyError:
                raise RuleError(RE_RUNTIME_ERROR, f"no key {key}") from None
        raise RuleError(RE_TYPE_ERROR, f". needs a row, got {type_name(container)}")

    def _binop(self, node: Tree, frame: Frame) -> Any:
        lhs_node, op_node, rhs_node = node.children
        op = " ".join(str(t) for t in op_node.children)
        if op in ("||", "%%"):
            if condition(self.eval(lhs_node, frame)):
                return True
            return condition(self.eval(rhs_node, frame))
        return binary(op, self.eval(lhs_node, frame), self.eval(rhs_node, frame))

    def _if_(self, node: Tree, frame: Frame) -> Any:
        cond, actions, *rest = node.children
        if condition(self.eval(cond, frame)):
            return self.eval(actions, frame)
        if rest:
            return self.eval(rest[0], frame)
        return 0

    def _else_if(self, node: Tree, frame: Frame) -> Any:
        return self.eval(node.children[0], frame)

    def _else_block(self, node: Tree, frame: Frame) -> Any:
        return self.eval(node.children[0], frame)

    def _while_(self, node: Tree, frame: Frame) -> Any:
        cond, body = node.children
        while condition(self.eval(cond, frame)):
            try:
                self.eval(body, frame)
            except BreakLoop:
                break
        return 0

    def _for_(self, node: Tree, frame: Frame) -> Any:
        init, cond, step, body = node.children
        self.eval(init, frame)
        while condition(self.eval(cond, frame)):
            try:
                self.eval(body, frame)
            except BreakLoop:
                break
            self.eval(step, frame)
        return 0

    def _foreach_in(self, node: Tree, frame: Frame) -> Any:
        var, collection, body = node.children
        return self._loop(str(var), self.iterate(self.eval(collection, frame)), body, frame)

    def _foreach_var(self, node: Tree, frame: Frame) -> Any:
        var, body = node.children
        return self._loop(str(var), self.iterate(frame.read(str(var))), body, frame)

    def _loop(self, var: str, items: Iterator, body: Tree, frame: Frame) -> Any:
        for item in items:
            frame.assign(var, item)
            try:
                self.eval(body, frame)
            except BreakLoop:
                break
        return 0

    def iterate(self, value: Any) -> Iterator:
        """The elements ``foreach`` visits: list items or query rows."""
        if isinstance(value, (list, tuple)):
            return iter(list(value))
        if isinstance(value, QueryResult):
            return value.rows()
        raise RuleError(RE_TYPE_ERROR, f"foreach needs a list or a query, got {type_name(value)}")

    def _select(self, node: Tree, frame: Frame) -> QueryResult:
        columns: list[str] = []
        conditions: list[str] = []
        for child in node.children:
            if child.data == "column":
                columns.append(str(child.children[0]))
            elif child.data == "agg_column":
                columns.append(f"{str(child.children[0]).upper()}({child.children[1]})")
            else:
                conditions.append(self._qcond(child, frame))
        return QueryResult(self, columns, " AND ".join(conditions))

    def _qcond(self, node: Tree, frame: Frame) -> str:
        column = str(node.children[0])
        parts = []
        for term in node.children[1:]:
            value = self.eval(term.children[-1], frame)
            text = to_str(value)
            if "'" in text:
                raise RuleError(INPUT_ARG_NOT_WELL_FORMED_ERR,
                                f"a query value with a single quote cannot be expressed: {text!r}")
            if term.data == "qlike":
                op = "like"
            elif term.data == "qnotlike":
                op = "not like"
            else:
                op = str(term.children[0].children[0])
                op = "=" if op == "==" else ("<>" if op == "!=" else op)
            parts.append(f"{op} '{text}'")
        return f"{column} " + " || ".join(parts)

    def _remote(self, node: Tree, frame: Frame) -> Any:
        host = to_str(self.eval(node.children[0], frame))
        body = self.source_of(node.children[2], frame)
        if self.remote is None:
            raise RuleError(RE_RUNTIME_ERROR, "remote execution is not available here")
        return self.remote(self.ctx, host, body, frame)

    def _delay(self, node: Tree, frame: Frame) -> Any:
        cond = to_str(self.eval(node.children[0], frame))
        body = self.source_of(node.children[1], frame)
        if "<INST_NAME>" not in cond:
            # The body is rule-language text: name this engine, so that the delay server gives
            # it to us (rsExecRuleExpression: no INST_NAME means every engine tries it).
            from b2safe_sandbox.runtime.context import NREP_INSTANCE

            cond = f"<INST_NAME>{NREP_INSTANCE}</INST_NAME>{cond}"
        self.microservice("delayExec", [cond, body, ""])
        return 0

    def source_of(self, node: Tree, frame: Frame) -> str:
        """The text a ``remote``/``delay`` body was written as."""
        meta = node.meta
        if getattr(meta, "empty", True):
            return ""
        return frame.source[meta.start_pos:meta.end_pos]

    # ------------------------------------------------------------------ calls
    def _nullary(self, node: Tree, frame: Frame) -> Any:
        return self.apply(str(node.children[0]), [], frame)

    def _call(self, node: Tree, frame: Frame) -> Any:
        return self.apply(str(node.children[0]), list(node.children[1:]), frame)

    def apply(self, name: str, arg_nodes: list, frame: Frame) -> Any:
        """Call ``name`` on the argument trees (see the module docstring for the order)."""
        special = _SPECIAL.get(name)
        if special is not None:
            return special(self, arg_nodes, frame)
        builtin = functions.lookup(name, len(arg_nodes))
        if builtin is not None:
            return builtin(frame, [self.eval(a, frame) for a in arg_nodes])
        refs = [_var_name(a) for a in arg_nodes]
        values = [frame.get(r) if r else self.eval(a, frame) for r, a in zip(refs, arg_nodes)]
        if self.has_rule(name):
            try:
                value, after = self.call_rule(name, values, frame.globals)
            except RuleError as exc:
                if exc.code != NO_RULE_FOUND_ERR:
                    raise
            else:
                _write_back(frame, refs, after)
                return value
        from b2safe_sandbox.native import bridge

        if all(isinstance(v, str) for v in values):
            found, code, after = bridge.framework_call(self.ctx, name, values)
            if found:
                _write_back(frame, refs, after)
                return code
        if bridge.has_microservice(self.ctx, name):
            outputs = bridge.microservice_call(self.ctx, name, values)
            for index, value in outputs.items():
                if refs[index]:
                    frame.assign(refs[index], value)
            return 0
        raise RuleError(NO_RULE_OR_MSI_FUNCTION_FOUND_ERR,
                        f"cannot find rule for action \"{name}\" with {len(values)} arguments")

    def microservice(self, name: str, args: list) -> dict:
        """Run microservice ``name`` on plain values (outputs by index)."""
        from b2safe_sandbox.native import bridge

        return bridge.microservice_call(self.ctx, name, args)

    # ------------------------------------------------------------------ names
    def session_var(self, name: str) -> str:
        """``$userNameClient`` and friends (irods ``reVariableMap.gen.cpp``)."""
        ctx = self.ctx
        client_name, _, client_zone = ctx.client_user.partition("#")
        proxy_name, _, proxy_zone = (ctx.proxy_user or ctx.client_user).partition("#")
        table = {
            "$userNameClient": client_name, "$rodsZoneClient": client_zone or ctx.zone,
            "$userNameProxy": proxy_name, "$rodsZoneProxy": proxy_zone or ctx.zone,
            "$objPath": ctx.doi_path,
        }
        value = table.get(name)
        if value is None:
            raise RuleError(RE_UNABLE_TO_READ_SESSION_VAR,
                            f"unable to read session variable {name}")
        return value

    def interpolate(self, text: str, frame: Frame) -> str:
        """A string literal's value: escapes applied, ``*var``/``$var`` replaced."""
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
                i += 2
                continue
            if ch in "*$" and i + 1 < len(text) and text[i + 1].isalpha():
                match = _NAME_TAIL.match(text, i + 1)
                end = match.end() if match else i + 2
                name = text[i:end]
                value = frame.read(name) if ch == "*" else self.session_var(name)
                out.append(to_str(value))
                i = end
                continue
            out.append(ch)
            i += 1
        return "".join(out)


_NAME_TAIL = re.compile(r"[A-Za-z0-9_]+")


def _var_name(node: Any) -> Optional[str]:
    if isinstance(node, Tree) and node.data == "var":
        return str(node.children[0])
    return None


def _write_back(frame: Frame, refs: list, values: list) -> None:
    for ref, value in zip(refs, values):
        if ref and value is not UNSPEC:
            frame.assign(ref, value)


def _bodies(node: Tree) -> list[tuple[Any, Any]]:
    """(condition or None, body) pairs of one definition, in order (on/or bodies are rules)."""
    if node.data == "func_def":
        return [(None, node.children[-1])]
    bodies = node.children[-1]
    if bodies.data == "plain_body":
        return [(None, bodies.children[0])]
    pairs = []
    for body in bodies.children:
        if body.data == "on_body":
            pairs.append((body.children[0], body.children[1]))
        else:
            pairs.append((None, body.children[0]))
    return pairs


# --- operators (arithmetics.cpp / functions.cpp smsi_* for + - * / % ^ ++ == < like ...) ----------
def binary(op: str, lhs: Any, rhs: Any) -> Any:
    """Apply binary operator ``op``.

    Guess: comparisons between a string and a number compare numerically when the string is
    numeric (the engine's dynamic coercion); ``++`` concatenates the ``str()`` of its operands.
    """
    if op == "++":
        return to_str(lhs) + to_str(rhs)
    if op in ("like", "not like"):
        matched = _glob(to_str(rhs)).fullmatch(to_str(lhs)) is not None
        return matched if op == "like" else not matched
    if op in ("like regex", "not like regex"):
        matched = re.fullmatch(to_str(rhs), to_str(lhs)) is not None
        return matched if op == "like regex" else not matched
    if op in ("==", "!=", "<", ">", "<=", ">="):
        left, right = _comparable(lhs, rhs)
        result = {"==": left == right, "!=": left != right, "<": left < right,
                  ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        return result
    a, b = to_number(lhs), to_number(rhs)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in ("/", "%"):
        if b == 0:
            raise RuleError(RE_DIVISION_BY_ZERO, "division by zero")
        if op == "%":
            return int(a) % int(b)
        return a / b
    if op == "^":
        return a ** b
    if op == "^^":
        return a ** (1.0 / b)
    raise RuleError(RE_UNSUPPORTED_OP_OR_TYPE, f"unsupported operator {op}")


def _comparable(lhs: Any, rhs: Any) -> tuple:
    if isinstance(lhs, bool) or isinstance(rhs, bool):
        if isinstance(lhs, bool) and isinstance(rhs, bool):
            return lhs, rhs
        from b2safe_sandbox.native.values import to_bool

        return to_bool(lhs), to_bool(rhs)
    if isinstance(lhs, str) and isinstance(rhs, str):
        return lhs, rhs
    if isinstance(lhs, (int, float)) or isinstance(rhs, (int, float)):
        return to_number(lhs), to_number(rhs)
    return to_str(lhs), to_str(rhs)


def _glob(pattern: str) -> re.Pattern:
    """``like``: ``*`` any run, ``?`` one character (functions.cpp ``smsi_like`` wildcards)."""
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(out), re.S)


# --- special forms: arguments seen unevaluated, or control flow (functions.cpp) ------------------
def _errorcode(interp: Interp, args: list, frame: Frame) -> int:
    """errorcode(expr): 0 if expr succeeds, else its error code (smsi_errorcode)."""
    try:
        interp.eval(args[0], frame)
    except RuleError as exc:
        return exc.code
    return 0


def _errormsg(interp: Interp, args: list, frame: Frame) -> int:
    """errormsg(expr, *msg): as errorcode, and the message into *msg (smsi_errormsg)."""
    try:
        interp.eval(args[0], frame)
    except RuleError as exc:
        if len(args) > 1 and _var_name(args[1]):
            frame.assign(_var_name(args[1]) or "", exc.message)
        return exc.code
    if len(args) > 1 and _var_name(args[1]):
        frame.assign(_var_name(args[1]) or "", "")
    return 0


def _fail(interp: Interp, args: list, frame: Frame) -> Any:
    code = int(to_number(interp.eval(args[0], frame))) if args else FAIL_ACTION_ENCOUNTERED_ERR
    raise RuleError(code, "fail")


def _failmsg(interp: Interp, args: list, frame: Frame) -> Any:
    code = int(to_number(interp.eval(args[0], frame)))
    raise RuleError(code, to_str(interp.eval(args[1], frame)))


def _msi_exit(interp: Interp, args: list, frame: Frame) -> Any:
    """msiExit(code, message): fail the rule with ``code`` (reSysDataObjOpr/nre msiExit)."""
    code = int(to_number(interp.eval(args[0], frame))) if args else ACTION_FAILED_ERR
    message = to_str(interp.eval(args[1], frame)) if len(args) > 1 else ""
    raise RuleError(code, message)


def _succeed(interp: Interp, args: list, frame: Frame) -> Any:
    raise Succeed()


def _break(interp: Interp, args: list, frame: Frame) -> Any:
    raise BreakLoop()


def _cut(interp: Interp, args: list, frame: Frame) -> Any:
    frame.cut = True
    return 0


_SPECIAL = {
    "errorcode": _errorcode, "errormsg": _errormsg, "fail": _fail, "failmsg": _failmsg,
    "msiExit": _msi_exit, "succeed": _succeed, "break": _break, "cut": _cut,
}


class QueryResult:
    """The value of ``SELECT ...``: rows fetched page by page as ``foreach`` asks."""

    def __init__(self, interp: Interp, columns: list[str], conditions: str) -> None:
        self.interp = interp
        self.columns = columns
        self.conditions = conditions

    def rows(self) -> Iterator[Row]:
        from b2safe_sandbox.native import bridge

        names = [re.sub(r"^\w+\((\w+)\)$", r"\1", c) for c in self.columns]
        for values in bridge.query_rows(self.interp.ctx, self.columns, self.conditions):
            yield Row(zip(names, values))
