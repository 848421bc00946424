"""The microservice table: name -> implementation with argument count, input and output types.

Each microservice declares, per argument index, what it reads (``inputs``) and what it writes
(``outputs``). Output types follow iRODS msParam types (prep-runtime.md §2.2/§2.4):
``STR`` (STR_MS_T), ``INT`` (INT_MS_T), ``KVP`` (KeyValPair_MS_T), ``OBJSTAT`` (RodsObjStat_MS_T),
``GQI`` / ``GQO`` (GenQueryInp/Out), ``BUF`` (BUF_LEN_MS_T), ``EXECCMDOUT`` (ExecCmdOut_MS_T),
``LSEEKOUT`` (DataObjLseekOut_MS_T).
Input kinds: ``str``, ``intstr`` (an int or a numeric string), ``kvp``, ``gqi``, ``gqo``, ``any``.

Each microservice also says where a server has it (``origin``): ``core`` for the server's own
table (irods server/re/include/irods/reAction.hpp), ``plugin`` for the microservice plugins
(plugins/microservices), ``nrep`` for the rule language's own (plugins/rule_engines/
irods_rule_language), ``prep`` for PREP's; and in which versions (``since``, ``until``
exclusive): 5.0 dropped msiAclPolicy, msiSendMail, msiSetResource, msiServerMonPerf,
msiDigestMonStat and msiFlushMonStat. A microservice may return a status other than 0 (the
policy setters do: msiNoTrashCan returns NO_TRASH_CAN) under the key :data:`RETURN_CODE`.

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

OUTPUT_TYPES = ("STR", "INT", "KVP", "OBJSTAT", "GQI", "GQO", "BUF", "EXECCMDOUT", "LSEEKOUT",
                "STRARRAY", "TAGSTRUCT")
INPUT_KINDS = ("str", "intstr", "kvp", "gqi", "gqo", "any")
ORIGINS = ("core", "plugin", "nrep", "prep")
#: Key of an implementation's result holding the status it returns (default 0).
RETURN_CODE = "code"
#: The version every profile has (no lower bound).
ALWAYS: tuple = (0,)


@dataclass(frozen=True)
class MsiSpec:
    """One microservice: ``nargs`` arguments, input kinds and output types by index."""

    name: str
    nargs: int
    fn: MsiFunction
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    nrep_only: bool = False
    origin: str = "core"
    since: tuple = ALWAYS
    until: Optional[tuple] = None

    def in_version(self, irods_version: tuple) -> bool:
        """True if a server of ``irods_version`` (e.g. (4, 3)) has this microservice."""
        return self.since <= irods_version and (self.until is None or irods_version < self.until)


_TABLE: dict[str, MsiSpec] = {}


def microservice(
    name: str,
    nargs: int,
    inputs: Optional[dict[int, str]] = None,
    outputs: Optional[dict[int, str]] = None,
    nrep_only: bool = False,
    origin: str = "core",
    since: tuple = ALWAYS,
    until: Optional[tuple] = None,
) -> Callable[[MsiFunction], MsiFunction]:
    """Decorator registering ``fn`` as microservice ``name`` (``origin``, versions ``since`` to
    ``until`` exclusive: see the module docstring).

    Raises:
        ValueError: on an unknown input kind/output type/origin or a duplicate name.
    """
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r} for {name}")
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
        _TABLE[name] = MsiSpec(name, nargs, fn, inputs, outputs, nrep_only, origin, since, until)
        return fn

    return register


def lookup(name: str, nrep_loaded: bool = True,
           irods_version: Optional[tuple] = None) -> Optional[MsiSpec]:
    """The spec of microservice ``name``, or None (NREP-only ones need ``nrep_loaded``; with
    ``irods_version`` only those a server of that version has)."""
    spec = _TABLE.get(name)
    if spec is None or (spec.nrep_only and not nrep_loaded):
        return None
    if irods_version is not None and not spec.in_version(irods_version):
        return None
    return spec


def names(irods_version: Optional[tuple] = None, origin: Optional[str] = None) -> list[str]:
    """Registered microservice names, sorted (only those of ``irods_version`` and ``origin``
    when given)."""
    return sorted(name for name, spec in _TABLE.items()
                  if (irods_version is None or spec.in_version(irods_version))
                  and (origin is None or spec.origin == origin))


def describe(spec: MsiSpec) -> dict[str, Any]:
    """A plain description of ``spec`` (for docs and the CLI)."""
    return {"name": spec.name, "nargs": spec.nargs, "inputs": dict(spec.inputs),
            "outputs": dict(spec.outputs), "nrep_only": spec.nrep_only, "origin": spec.origin}
