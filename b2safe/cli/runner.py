"""The generic rule runner: any registered rule, by name, with inputs given in order or by name.

The registry (:mod:`b2safe.prep.registry`) says which positions of ``rule_args`` are inputs and
which are OUT. A call picks the form whose inputs match what was given, fills OUT positions with
``""`` (PREP writes back only ``str``), runs the rule on a backend and returns the OUT values by
name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from b2safe.cli.backends import Backend
from b2safe.cli.common import EXIT_USAGE, CliError


def registry() -> Mapping[str, Any]:
    """The rule registry, filled by importing the ruleset (as core.py does)."""
    import b2safe.ruleset  # noqa: F401 - registers every rule
    from b2safe.prep.registry import REGISTRY

    return REGISTRY


def require_rule(name: str, verb: str = "") -> Any:
    """The RuleSpec of ``name``; CliError (exit 2) naming close matches when it is unknown.

    ``verb`` names the friendly command that needs the rule, for a clearer message.
    """
    rules = registry()
    spec = rules.get(name)
    if spec is not None:
        return spec
    if verb:
        raise CliError(f"'b2safe {verb}' needs the rule {name}, which this b2safe installation "
                       "does not provide yet ('b2safe rule --list' shows the rules it has)",
                       EXIT_USAGE)
    close = difflib.get_close_matches(name, list(rules), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else \
        " ('b2safe rule --list' shows them)"
    raise CliError(f"no rule named {name}{hint}", EXIT_USAGE)


@dataclass
class RuleResult:
    """A finished rule call: the rule, the form used and its OUT values by name."""

    rule: str
    signature: str
    inputs: dict[str, str]
    outputs: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"rule": self.rule, "signature": self.signature, "inputs": self.inputs,
                "outputs": self.outputs}


def choose_form(spec: Any, count: int) -> Any:
    """The form of ``spec`` taking ``count`` inputs (the one with most OUTs on a tie).

    Raises CliError (exit 2) listing the forms when none fits.
    """
    fitting = [f for f in spec.forms if len(f.params) == count]
    if not fitting:
        forms = " or ".join(f"{spec.name}({f.signature()})" for f in spec.forms)
        raise CliError(f"{spec.name} takes {forms} (inputs only on the command line); "
                       f"got {count} argument(s)", EXIT_USAGE)
    return max(fitting, key=lambda f: len(f.outputs))


def choose_named_form(spec: Any, given: Mapping[str, str],
                      defaults: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """The form whose inputs are best covered by ``given`` values (then ``defaults``).

    A form qualifies when every input has a value; among those the one using most given values,
    then fewest defaults, then most OUTs wins. Every given value must be used, so a verb option
    the rule has no parameter for is an error rather than silently ignored.

    Returns (form, inputs by name). Raises CliError (exit 2) otherwise.
    """
    best: Optional[tuple[tuple[int, int, int], Any, dict[str, str]]] = None
    for form in spec.forms:
        names = [p.name for p in form.params]
        if not all(n in given or n in defaults for n in names):
            continue
        used = sum(1 for n in names if n in given)
        from_defaults = sum(1 for n in names if n not in given)
        score = (used, -from_defaults, len(form.outputs))
        if best is None or score > best[0]:
            values = {n: (given[n] if n in given else defaults[n]) for n in names}
            best = (score, form, values)
    forms = " or ".join(f"{spec.name}({f.signature()})" for f in spec.forms)
    if best is None:
        raise CliError(f"cannot map the command's options onto {forms}", EXIT_USAGE)
    unused = [n for n in given if n not in best[2]]
    if unused:
        raise CliError(f"{spec.name} has no parameter for {', '.join(sorted(unused))} "
                       f"(it takes {forms})", EXIT_USAGE)
    return best[1], best[2]


def resolve_aliases(spec: Any, values: Mapping[str, Optional[str]],
                    aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Rename verb option values to the rule's parameter names.

    ``aliases`` maps an option to the parameter names it may be called in the rule (e.g.
    ``"destination": ("destination", "dest", "target")``); the first name any form of ``spec``
    declares wins. Options whose value is None are dropped.
    """
    declared = {p.name for f in spec.forms for p in f.params}
    out: dict[str, str] = {}
    for option, value in values.items():
        if value is None:
            continue
        names = aliases.get(option, (option,))
        target = next((n for n in names if n in declared), names[0])
        out[target] = value
    return out


def run_form(backend: Backend, spec: Any, form: Any, inputs: Mapping[str, str]) -> RuleResult:
    """Run ``spec`` in ``form`` with ``inputs`` (by name) on ``backend``.

    Raises RuleFailed from the backend when the rule fails.
    """
    rule_args = ["" if out else str(inputs[name]) for name, out, _ in form.slots]
    after = backend.run(spec.name, rule_args)
    outputs = {name: after[i] if i < len(after) else ""
               for i, (name, out, _) in enumerate(form.slots) if out}
    return RuleResult(spec.name, f"{spec.name}({form.signature()})",
                      {p.name: str(inputs[p.name]) for p in form.params}, outputs)


def run_positional(backend: Backend, name: str, args: Sequence[str]) -> RuleResult:
    """``b2safe rule NAME ARG...``: inputs in order."""
    spec = require_rule(name)
    form = choose_form(spec, len(args))
    inputs = {p.name: value for p, value in zip(form.params, args)}
    return run_form(backend, spec, form, inputs)


def run_named(backend: Backend, name: str, values: Mapping[str, Optional[str]], *,
              aliases: Optional[Mapping[str, Sequence[str]]] = None,
              defaults: Optional[Mapping[str, str]] = None, verb: str = "") -> RuleResult:
    """Run ``name`` with inputs given by (aliased) parameter name; see choose_named_form."""
    spec = require_rule(name, verb)
    given = resolve_aliases(spec, values, aliases or {})
    form, inputs = choose_named_form(spec, given, defaults or {})
    return run_form(backend, spec, form, inputs)


def render(result: RuleResult) -> str:
    """OUT values as ``name = value`` lines (as irule prints them); "" when there are none."""
    return "\n".join(f"{name} = {value}" for name, value in result.outputs.items())


def rule_listing() -> list[str]:
    """One line per registered rule: signature(s) and who may call it."""
    lines = []
    for name in sorted(registry()):
        spec = registry()[name]
        forms = " | ".join(f"{name}({f.signature()})" for f in spec.forms)
        who = " [rodsadmin]" if spec.admin_only else ""
        kind = f" [{spec.kind}]" if spec.kind != "rule" else ""
        lines.append(forms + who + kind)
    return lines
