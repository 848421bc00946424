"""The microservice table: name -> implementation with argument count, input and output types.

Each microservice declares, per argument index, what it reads (``inputs``) and what it writes
(``outputs``). Output types follow iRODS msParam types (prep-runtime.md §2.2/§2.4):
``STR`` (STR_MS_T), ``INT`` (INT_MS_T), ``KVP`` (KeyValPair_MS_T), ``OBJSTAT`` (RodsObjStat_MS_T),
``GQI`` / ``GQO`` (GenQueryInp/Out), ``BUF`` (BUF_LEN_MS_T), ``EXECCMDOUT`` (ExecCmdOut_MS_T),
``LSEEKOUT`` (DataObjLseekOut_MS_T).
Input kinds: ``str``, ``intstr`` (an int or a numeric string), ``kvp``, ``gqi``, ``gqo``, ``any``.

The table is a leaf: the modules of :mod:`b2safe_sandbox.runtime.msis` register into it when
imported (the sandbox facade imports that package).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:  # pragma: no cover
    from b2safe_sandbox.runtime.context import MsiCall

#: An implementation takes the call and returns {arg index: output value} (or None).
MsiFunction = Callable[["MsiCall"], Optional[dict]]

OUTPUT_TYPES = ("STR", "INT", "KVP", "OBJSTAT", "GQI", "GQO", "BUF", "EXECCMDOUT", "LSEEKOUT")
INPUT_KINDS = ("str", "intstr", "kvp", "gqi", "gqo", "any")


@dataclass(frozen=True)
class MsiSpec:
    """One microservice: ``nargs`` arguments, input kinds and output types by index."""

    name: str
    nargs: int
    fn: MsiFunction
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    nrep_only: bool = False


_TABLE: dict[str, MsiSpec] = {}


def microservice(
    name: str,
    nargs: int,
    inputs: Optional[dict[int, str]] = None,
    outputs: Optional[dict[int, str]] = None,
    nrep_only: bool = False,
) -> Callable[[MsiFunction], MsiFunction]:
    """Decorator registering ``fn`` as microservice ``name``.

    Raises:
        ValueError: on an unknown input kind/output type or a duplicate name.
    """
    inputs = dict(inputs or {})
    outputs = dict(outputs or {})
    for kind in inputs.values():
        if kind not in INPUT_KINDS:
            raise ValueError(f"unknown input kind {kind!r} for {name}")
    for typ in outputs.values():
        if typ not in OUTPUT_TYPES:
            raise ValueError(f"unknown output type {typ!r} for {name}")

    def register(fn: MsiFunction) -> MsiFunction:
        if name in _TABLE:
            raise ValueError(f"microservice {name} registered twice")
        _TABLE[name] = MsiSpec(name, nargs, fn, inputs, outputs, nrep_only)
        return fn

    return register


def lookup(name: str, nrep_loaded: bool = True) -> Optional[MsiSpec]:
    """The spec of microservice ``name``, or None (NREP-only ones need ``nrep_loaded``)."""
    spec = _TABLE.get(name)
    if spec is None or (spec.nrep_only and not nrep_loaded):
        return None
    return spec


def names() -> list[str]:
    """All registered microservice names, sorted."""
    return sorted(_TABLE)


def describe(spec: MsiSpec) -> dict[str, Any]:
    """A plain description of ``spec`` (for docs and the CLI)."""
    return {"name": spec.name, "nargs": spec.nargs, "inputs": dict(spec.inputs),
            "outputs": dict(spec.outputs), "nrep_only": spec.nrep_only}
