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
    """One calling form of a rule: every position of ``rule_args`` is an input or an OUT.

    ``slots`` lists ``(name, is_output, is_boolean)`` in argument order, so inputs and outputs may
    interleave as in B2SAFE's ``EUDATiCHECKSUMget(path, OUT checksum, OUT modtime, resource)``.
    """

    slots: tuple[tuple[str, bool, bool], ...]

    @property
    def arity(self) -> int:
        """Number of ``rule_args`` entries this form takes."""
        return len(self.slots)

    @property
    def params(self) -> tuple[Param, ...]:
        """The inputs, in order."""
        return tuple(Param(n, b) for n, out, b in self.slots if not out)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The OUT names, in order."""
        return tuple(n for n, out, _ in self.slots if out)

    def position(self, name: str) -> int:
        """Index of ``name`` in ``rule_args``."""
        for index, slot in enumerate(self.slots):
            if slot[0] == name:
                return index
        raise KeyError(name)

    def signature(self) -> str:
        """``name, OUT out`` text for messages and docs."""
        return ", ".join(("OUT " if out else "") + n for n, out, _ in self.slots)


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
