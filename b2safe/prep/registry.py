"""The registry of b2safe rules: every name that ``core.py`` exposes to PREP, and its signature."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Param:
    """One rule parameter: its name and whether it is a B2SAFE boolean string."""

    name: str
    boolean: bool = False


@dataclass(frozen=True)
class Form:
    """One calling form of a rule: inputs then outputs, by position in ``rule_args``."""

    params: tuple[Param, ...]
    outputs: tuple[str, ...]

    @property
    def arity(self) -> int:
        """Number of ``rule_args`` entries this form takes."""
        return len(self.params) + len(self.outputs)


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: name, forms (overloads dispatch on argument count), docs, policy."""

    name: str
    forms: tuple[Form, ...]
    entry: Callable
    doc: str = ""
    admin_only: bool = False
    kind: str = "rule"  # "rule" | "pep" | "delay"
    errors: tuple[str, ...] = field(default_factory=tuple)

    def form_for(self, count: int) -> Form | None:
        """The form taking ``count`` arguments, or None."""
        for form in self.forms:
            if form.arity == count:
                return form
        return None


REGISTRY: dict[str, RuleSpec] = {}


def register(spec: RuleSpec) -> None:
    """Add ``spec``; a second rule with the same name is a programming error."""
    if spec.name in REGISTRY and REGISTRY[spec.name].entry is not spec.entry:
        raise ValueError(f"rule {spec.name} registered twice")
    REGISTRY[spec.name] = spec


def rule_names() -> list[str]:
    """Names of all registered rules, sorted."""
    return sorted(REGISTRY)
