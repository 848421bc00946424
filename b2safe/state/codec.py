"""One codec for pending work: versioned key=value units, and signatures that bind the work.

Every kind of pending work (a replication to redo, an integrity repair, a PID to create, a
removal to mark) is an AVU whose *units* hold its state in one format::

    v2;<key>=<value>;...;sig=<key id>.<32 hex>

Values are percent-encoded (``%``, ``;``, ``=`` and every character outside printable ASCII), so
any text round-trips and no value can smuggle in a key. What a record asks b2safe to do is a
:class:`Work`: its kind, the **requester** (``name#zone``), the object it acts on, the operation,
the destination and the parameters that change what is done. The signature covers exactly that
(:meth:`Work.message`), never the retry bookkeeping (attempts, next try, cause), and is made only
after the requester was authorized (:mod:`b2safe.state.signing`).

:func:`check` sorts a read record into one of four outcomes, without raising: ``VALID`` (b2safe
signed this work), ``FORGED`` (no or a wrong signature, or it names an object other than the one
holding it), ``MALFORMED`` (not this format at all) and ``UNVERIFIABLE`` (this server has no
usable key: nothing is done, nothing is moved). FORGED and MALFORMED records are moved aside by
:mod:`b2safe.state.quarantine` so that they never block valid work.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence
from urllib.parse import quote, unquote

from b2safe.errors import InvalidInput
from b2safe.state.signing import Signer

VERSION = "v2"
VALID, FORGED, MALFORMED = "valid", "forged", "malformed"
UNVERIFIABLE = "unverifiable"  # no usable signing key here: left alone, retried once there is
_SAFE = "!\"#$&'()*+,-./:<>?@[\\]^_`{|}~"  # printable ASCII except %, ;, = and space
#: R_META_MAIN.meta_attr_unit is varchar(250) (irods/irods plugins/database/src/
#: icatSysTables.sql.pp.in@5.0.2 L81, the same at 4.3.5): a real catalog refuses longer units.
MAX_UNITS = 250
#: The free-text fields :func:`encode_units` shortens to fit: outside every signature.
SHORTENED = ("cause",)


class Kind(str, enum.Enum):
    """The kinds of pending-work record (:attr:`Work.kind`); the value is what is signed."""

    REPLICATION = "replication"  # b2safe.state.faillog
    INTEGRITY = "integrity"      # eudat_pending:integrity (b2safe.workflows.integrity)
    SWEEP = "sweep"              # sweep state (b2safe.workflows.sweeps)
    PID = "pid"                  # pending policy PIDs (b2safe.state.pending)
    REMOVAL = "removal"          # pending removal marks (b2safe.state.pending)


def quote_value(text: str) -> str:
    """``text`` with ``%``, ``;``, ``=``, spaces and non-printable or non-ASCII characters
    percent-encoded (UTF-8)."""
    return quote(text, safe=_SAFE)


def _join(encoded: Mapping[str, str]) -> str:
    return ";".join([VERSION] + [f"{k}={v}" for k, v in encoded.items()])


def _shortened(text: str, room: int) -> str:
    """``text`` percent-encoded in at most ``room`` characters: whole as long as it fits, else
    its longest prefix of whole characters (never half an escape or half a UTF-8 sequence)
    followed by :data:`CUT_MARK`; '' when not even the mark fits."""
    encoded = quote_value(text)
    if len(encoded) <= room:
        return encoded
    if room < len(CUT_MARK):
        return ""
    kept, used = [], len(CUT_MARK)
    for char in text:
        piece = quote_value(char)
        if used + len(piece) > room:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + CUT_MARK


#: What ends a shortened value: an ellipsis (percent-encoded, as every non-ASCII character).
CUT_MARK = quote_value("\u2026")


def encode_units(fields: Mapping[str, str], shorten: Sequence[str] = SHORTENED) -> str:
    """``v2;k=v;...`` of ``fields`` in their order (keys are b2safe's own identifiers), at most
    :data:`MAX_UNITS` characters: the free-text fields named in ``shorten`` (unsigned) are cut,
    the first first, with :data:`CUT_MARK` at the cut.

    Raises:
        InvalidInput: (SYS_INVALID_INPUT_PARAM) the other fields alone are longer than the
            catalog holds (very long user, zone, resource or policy names); nothing is written.
    """
    encoded = {k: quote_value(str(v)) for k, v in fields.items()}
    units = _join(encoded)
    for key in shorten:
        if len(units) <= MAX_UNITS:
            return units
        if key in encoded:
            room = max(len(encoded[key]) - (len(units) - MAX_UNITS), 0)
            encoded[key] = _shortened(str(fields[key]), room)
            units = _join(encoded)
    if len(units) > MAX_UNITS:
        longest = sorted(encoded, key=lambda k: -len(encoded[k]))[:2]
        named = ", ".join(f"{k} ({len(encoded[k])} characters)" for k in longest)
        raise InvalidInput(
            f"pending-work record for {fields.get('user', '')!r} needs {len(units)} characters "
            f"of AVU units, more than the {MAX_UNITS} an iRODS catalog stores "
            f"(R_META_MAIN.meta_attr_unit), even with its cause left out; longest: {named}. "
            "Use shorter user, zone, resource or policy names (or a shorter signing key id)")
    return units


def decode_units(units: str) -> Optional[dict[str, str]]:
    """The fields of ``v2`` units, or None when ``units`` is not in this format."""
    if units == VERSION:
        return {}
    if not isinstance(units, str) or not units.startswith(VERSION + ";"):
        return None
    fields: dict[str, str] = {}
    for item in units[len(VERSION) + 1:].split(";"):
        key, sep, value = item.partition("=")
        if not sep or not key or key in fields:
            return None
        try:
            fields[key] = unquote(value, errors="strict")
        except UnicodeDecodeError:
            return None
    return fields


@dataclass(frozen=True)
class Work:
    """What a pending record asks b2safe to do, as the signature binds it.

    Args:
        kind: the record type.
        requester: ``name#zone`` of the user on whose behalf it is done.
        obj: the path (or PID) the work acts on; the record is kept on this object.
        operation: what is done (``replicate``, ``repair``, ...).
        destination: where the result goes ('' when nowhere).
        params: other values that change what is done (resource, flags).
    """

    kind: Kind
    requester: str
    obj: str
    operation: str
    destination: str = ""
    params: Mapping[str, str] = field(default_factory=dict)

    def message(self) -> bytes:
        """The bytes signed: every field, unambiguously (JSON), parameters sorted."""
        return json.dumps([VERSION, self.kind, self.requester, self.obj, self.operation,
                           self.destination, sorted(self.params.items())],
                          ensure_ascii=True, separators=(",", ":")).encode("ascii")


def seal(signer: Optional[Signer], work: Work) -> str:
    """The signature of ``work`` ('' without a signer: such a record is never carried out)."""
    return signer.sign(work.message()) if signer is not None else ""


def check(signer: Optional[Signer], work: Optional[Work], signature: str,
          holder: str = "") -> str:
    """``VALID``, ``FORGED``, ``MALFORMED`` (``work`` None) or ``UNVERIFIABLE`` (no signer:
    the key file is missing or unusable, so nothing can be judged) for a record read back.

    ``holder``, when given, is the object the record was found on: a genuine record copied onto
    another object is FORGED there (it would act on behalf of the wrong object).
    """
    if work is None:
        return MALFORMED
    if holder and holder != work.obj:
        return FORGED
    if signer is None:
        return UNVERIFIABLE
    if not signer.verify(signature, work.message()):
        return FORGED
    return VALID
