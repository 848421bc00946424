"""Typed PEP arguments: one small value per PEP family, parsed from PREP's positional arguments.

``@pep(name, args=Family)`` parses ``rule_args`` (and ``rei`` for static PEPs) with
``Family.from_prep`` before the body runs, so a body receives a value, never PREP's structs. A
parser never raises for a missing or odd field (it gives '' or None) unless the family says so
(:class:`ModAvuArgs`, :class:`AtomicMetadataArgs`: a protective PEP that cannot read its input
denies). Sources of each layout are on the classes; the struct readers are in
:mod:`b2safe.prep.apiargs`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from b2safe.prep.apiargs import (
    MAX_JSON_BYTES,
    api_input,
    bytes_input,
    cond_value,
    doi_path,
    json_input,
    text_field,
)


@dataclass(frozen=True)
class NoArgs:
    """A PEP whose body needs none of its arguments."""

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> NoArgs:
        """Nothing to read."""
        return cls()


@dataclass(frozen=True)
class DataObjectArgs:
    """A static data-object PEP (``acPostProcForPut``, ``acPostProcForFilePathReg``): the object
    and replica ``rei.doi`` describes (path '' and repl None when there is none)."""

    path: str
    repl: Optional[int]

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> DataObjectArgs:
        """From ``rei.doi`` (objPath, replNum)."""
        return cls(*doi_path(rei))


@dataclass(frozen=True)
class ObjPathArgs:
    """An API PEP whose input is a DataObjInp (``pep_api_data_obj_unlink_*``): its objPath."""

    path: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> ObjPathArgs:
        """From ``rule_args[2].objPath``."""
        return cls(text_field(api_input(rule_args), "objPath"))


@dataclass(frozen=True)
class CollPathArgs:
    """An API PEP whose input is a CollInp (``pep_api_rm_coll_*``): its collName.

    Guess: like the other collection APIs, ``rule_args[2]`` is the CollInp (collName,
    condInput); ``rule_args[3]`` is rsRmColl's CollOprStat output, unused here.
    """

    path: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> CollPathArgs:
        """From ``rule_args[2].collName``."""
        return cls(text_field(api_input(rule_args), "collName"))


@dataclass(frozen=True)
class CopyArgs:
    """``pep_api_data_obj_copy_*``: the destination of a DataObjCopyInp."""

    destination: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> CopyArgs:
        """From ``rule_args[2].destDataObjInp.objPath``."""
        return cls(text_field(api_input(rule_args), "destDataObjInp", "objPath"))


@dataclass(frozen=True)
class RsyncArgs:
    """``pep_api_data_obj_rsync_*``: the rsync mode and destination of the DataObjInp's
    condInput (``rsyncMode``, ``rsyncDestPath``)."""

    mode: str
    destination: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> RsyncArgs:
        """From ``rule_args[2].condInput``."""
        inp = api_input(rule_args)
        return cls(cond_value(inp, "rsyncMode"), cond_value(inp, "rsyncDestPath"))


@dataclass(frozen=True)
class ReplicaCloseArgs:
    """``pep_api_replica_close_*``: the JSON input's descriptor (None when absent or not an
    integer) and whether the close finalizes the replica (``update_status``, default true;
    irods/irods server/api/src/replica_close.cpp L355, L429)."""

    fd: Optional[int]
    finalizing: bool

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> ReplicaCloseArgs:
        """From the JSON in ``rule_args[2]`` (a BytesBuf)."""
        data = json_input(rule_args)
        fd = data.get("fd")
        valid = isinstance(fd, int) and not isinstance(fd, bool)
        return cls(fd if valid else None, data.get("update_status", True) is not False)


@dataclass(frozen=True)
class DataObjCloseArgs:
    """``pep_api_data_obj_close_*``: the OpenedDataObjInp's descriptor (``l1descInx``; None
    when absent or below 3, irods server/api/src/rsDataObjClose.cpp@5.0.2 L585-590)."""

    fd: Optional[int]

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> DataObjCloseArgs:
        """From ``rule_args[2].l1descInx``."""
        text = text_field(api_input(rule_args), "l1descInx")
        fd = int(text) if text.isdigit() else None
        return cls(fd if fd is not None and fd >= 3 else None)


@dataclass(frozen=True)
class TouchArgs:
    """``pep_api_touch_*``: the JSON input's ``logical_path`` ('' when absent)."""

    path: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> TouchArgs:
        """From the JSON in ``rule_args[2]`` (a BytesBuf)."""
        return cls(str(json_input(rule_args).get("logical_path") or ""))


@dataclass(frozen=True)
class RenameArgs:
    """``acPreProcForObjRename``, ``acPostProcForObjRename``: the old and the new path
    (``rule_args[0]``, ``[1]``; both '' when the PEP was called with fewer arguments)."""

    source: str
    destination: str

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> RenameArgs:
        """From the first two positional arguments."""
        if len(rule_args) < 2:
            return cls("", "")
        return cls(str(rule_args[0]), str(rule_args[1]))


def _field(inp: Any, index: int) -> str:
    """``arg<index>`` of a ModAVUMetadataInp (modAVUMetadataInp_t: arg0 the operation .. arg9).

    PREP has no Python type for modAVUMetadataInp_t (it is not in ``list_of_irods_types``,
    irods_rule_engine_plugin_python include/irods/private/re/python/irods_types.hpp), so
    ``object_from_any`` (include/irods/private/re/python.hpp) hands over a dict of strings made
    by the server's ``serialize_modAVUMetaInp_ptr`` (irods/irods
    server/re/src/irods_re_serialization.cpp): keys ``arg0``..``arg9``, each present only when
    that argument is not null (imeta sets all ten, clients/icommands/src/imeta.cpp).
    """
    value = inp.get(f"arg{index}", "")
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ModAvuArgs:
    """``pep_api_mod_avu_metadata_*``: the operation (``arg0``) and its arguments (``arg1`` ..
    ``arg9``) of the ModAVUMetadataInp; ``problem`` says why there are none (no input: a guard
    then refuses an ordinary user's request)."""

    operation: str
    args: tuple[str, ...]
    problem: str = ""

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> ModAvuArgs:
        """From ``rule_args[2]``."""
        inp = api_input(rule_args)
        if not isinstance(inp, dict) or "modAVUMetaInp_ptr" in inp:
            return cls("", (), "no ModAVUMetadataInp (a dict of arg0..arg9) in the PEP "
                               "arguments")
        return cls(_field(inp, 0), tuple(_field(inp, i) for i in range(1, 10)))


@dataclass(frozen=True)
class AtomicMetadataArgs:
    """``pep_api_atomic_apply_metadata_operations_*``: the JSON request (irods/irods
    plugins/api/src/atomic_apply_metadata_operations.cpp: ``entity_name``, ``entity_type``,
    ``operations``), or None with ``problem`` saying why it could not be read (a guard then
    refuses an ordinary user's request).

    The API's input is a ``bytesBuf_t*``, a type PREP wraps (``list_of_irods_types``), so the
    PEP gets an ``irods_types.BytesBuf``: its bytes come from ``get_bytes()``
    (irods_rule_engine_plugin_python src/types/irods/rodsDef.cpp, :func:`bytes_input`).
    """

    request: Any
    problem: str = ""

    @classmethod
    def from_prep(cls, rule_args: list, rei: Any) -> AtomicMetadataArgs:
        """From ``rule_args[2]``."""
        data = bytes_input(rule_args)
        if data is None:
            return cls(None, "no request (a BytesBuf of at most "
                             f"{MAX_JSON_BYTES} bytes) in the PEP arguments")
        try:
            request = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return cls(None, f"the request is not JSON: {exc}")
        if not isinstance(request, dict) or not isinstance(request.get("operations"), list) \
                or not all(isinstance(op, dict) for op in request["operations"]):
            return cls(None, "the request is not an object with a list of operations")
        return cls(request)
