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
from typing import Mapping, Optional
from urllib.parse import quote, unquote

from b2safe.state.signing import Signer

VERSION = "v2"
VALID, FORGED, MALFORMED = "valid", "forged", "malformed"
UNVERIFIABLE = "unverifiable"  # no usable signing key here: left alone, retried once there is
_SAFE = "!\"#$&'()*+,-./:<>?@[\\]^_`{|}~"  # printable ASCII except %, ;, = and space


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


def encode_units(fields: Mapping[str, str]) -> str:
    """``v2;k=v;...`` of ``fields`` in their order (keys are b2safe's own identifiers)."""
    return ";".join([VERSION] + [f"{k}={quote_value(str(v))}" for k, v in fields.items()])


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
