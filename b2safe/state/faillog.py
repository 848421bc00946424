"""The fail log, kept in the catalog: replications that must be (re)done, with retry state.

B2SAFE 4.x pushed ``source::destination::false::cause`` messages into a queue file on one
server. Here each pending replication is an AVU on its **source** object or collection, so every
server of the zone sees it and GenQuery finds it::

    name   eudat_fail_log:<12 hex digits of sha1(destination)>
    value  <source>::<destination>::false::<cause>                  (the 4.x message format)
    units  v2;attempts=<n>;next=<epoch>;first=<epoch>;resc=<resource>;registered=<bool>;
           recursive=<bool>;user=<name#zone>;state=<pending|gave_up>;stage=<stage>;
           sig=<key id>.<hmac>

(units in the one pending-work format of :mod:`b2safe.state.codec`). One source may have one
record per destination. A replication writes its record *before* it starts (stage "in
progress"), so a crash leaves a record behind, and removes it when everything (copy,
verification, PIDs, parent links) succeeded. :meth:`FailLog.due` selects records whose ``next``
time has come; a failed retry increments ``attempts`` and pushes ``next`` back exponentially
(``replication.retry_period`` doubling, at most ``replication.max_backoff``); after
``replication.max_attempts`` the record stays with ``state=gave_up`` for an operator to see.
``stage`` (:class:`Stage`) says what the record stands for as a value, so that readers (the CLI)
never compare the cause's prose: a replication under way, one that failed, or a copy whose PID
registration was deferred to the retry.

``user`` is the requester; ``sig`` binds requester, source, ``replicate``, destination and the
parameters (:class:`~b2safe.state.codec.Work`) and is made after the requester was authorized.
Anyone who may write an object's AVUs could otherwise forge work for a retry to carry out: only
records whose signature verifies are ever returned by :meth:`FailLog.due`; the others are moved
aside (:mod:`b2safe.state.quarantine`). A signed record found on another path than its source
(renamed, or copied) is followed only onto an object its requester owns
(:meth:`b2safe.workflows.replication.Replicator.retry`).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Optional

from b2safe.state import codec, quarantine
from b2safe.state.signing import Signer

AVU_PREFIX = "eudat_fail_log:"
IN_PROGRESS = "replication in progress"
PENDING, GAVE_UP = "pending", "gave_up"
KIND = codec.Kind.REPLICATION
OPERATION = "replicate"

_UNITS_KEYS = ("attempts", "next", "first", "resc", "registered", "recursive", "user", "state",
               "stage", "sig")


class Stage(str, enum.Enum):
    """What a fail-log record stands for (units ``stage``; the value is what is stored)."""

    RUNNING = "running"      # written before the work starts: a crash leaves it behind
    FAILED = "failed"        # a step failed; ``cause`` says which and why
    DEFERRED = "deferred"    # copied; the PID registration waits for the retry (a rodsadmin)
    QUEUED = "queued"        # queued by an upload policy for the retry to carry out

    @classmethod
    def parse(cls, text: str) -> Stage:
        """The stage named by ``text`` (FAILED for a record without one or an unknown one)."""
        try:
            return cls(text)
        except ValueError:
            return cls.FAILED


def attribute_for(destination: str) -> str:
    """The AVU name of the record for ``destination``."""
    return AVU_PREFIX + hashlib.sha1(destination.encode("utf-8")).hexdigest()[:12]  # noqa: S324


@dataclass(frozen=True)
class FailRecord:
    """One pending replication."""

    source: str
    destination: str
    cause: str
    resource: str = ""
    registered: bool = True
    recursive: bool = True
    user: str = ""
    attempts: int = 0
    next_time: int = 0
    first_time: int = 0
    state: str = PENDING
    stage: Stage = Stage.FAILED
    kind: str = "-d"
    signature: str = ""
    #: The path the record was found on ('' when not read from the catalog). It differs from
    #: ``source`` when the source was renamed or moved after the record was written: the AVU
    #: travels with the object, the path written in it does not.
    location: str = field(default="", compare=False)

    @property
    def message(self) -> str:
        """The 4.x fail-log message: ``source::destination::false::cause``."""
        cause = " ".join(self.cause.split())  # one line, as the queue file had
        return f"{self.source}::{self.destination}::false::{cause}"

    @property
    def units(self) -> str:
        """The retry state as stored in the AVU units."""
        flags = {"attempts": str(self.attempts), "next": str(self.next_time),
                 "first": str(self.first_time), "resc": self.resource,
                 "registered": "true" if self.registered else "false",
                 "recursive": "true" if self.recursive else "false",
                 "user": self.user, "state": self.state, "stage": self.stage.value,
                 "sig": self.signature}
        return codec.encode_units({k: flags[k] for k in _UNITS_KEYS})

    def work(self) -> codec.Work:
        """What the signature covers: the work itself (not the retry bookkeeping)."""
        return codec.Work(KIND, self.user, self.source, OPERATION, self.destination,
                          {"resource": self.resource, "registered": str(self.registered),
                           "recursive": str(self.recursive), "type": self.kind})

    @property
    def attribute(self) -> str:
        """The AVU name."""
        return attribute_for(self.destination)

    def failed_again(self, cause: str, now: int, period: int, max_backoff: int,
                     max_attempts: int) -> FailRecord:
        """The record after one more failed attempt."""
        attempts = self.attempts + 1
        delay = min(period * (2 ** max(attempts - 1, 0)), max_backoff)
        state = GAVE_UP if attempts >= max_attempts else PENDING
        return replace(self, cause=cause, attempts=attempts, next_time=now + delay, state=state)


def parse(value: str, units: str, kind: str = "-d", location: str = "") -> Optional[FailRecord]:
    """A record from its AVU value and units (None when not a record of this format);
    ``location`` is the path carrying the AVU."""
    parts = value.split("::", 3)
    flags = codec.decode_units(units)
    if len(parts) != 4 or flags is None or kind not in ("-d", "-C"):
        return None

    def number(key: str) -> int:
        text = flags.get(key, "0") or "0"
        return int(text) if text.isdigit() else 0

    return FailRecord(source=parts[0], destination=parts[1], cause=parts[3],
                      resource=flags.get("resc", ""),
                      registered=flags.get("registered", "true") == "true",
                      recursive=flags.get("recursive", "true") == "true",
                      user=flags.get("user", ""), attempts=number("attempts"),
                      next_time=number("next"), first_time=number("first"),
                      state=flags.get("state", PENDING),
                      stage=Stage.parse(flags.get("stage", "")), kind=kind,
                      signature=flags.get("sig", ""), location=location)


class FailLog:
    """Read and write fail-log records through a catalog (:class:`~b2safe.ports.Catalog`).

    ``signer`` (:func:`b2safe.state.signing.signer_for`) signs what is written and checks what is
    read; without one nothing is signed and no record is carried out.
    """

    def __init__(self, catalog: Any, signer: Optional[Signer] = None) -> None:
        self.catalog = catalog
        self.signer = signer

    def write(self, record: FailRecord) -> None:
        """Create or replace the record on its source, signed. Call it only once the
        requester (``record.user``) was authorized for this work."""
        record = replace(record, signature=codec.seal(self.signer, record.work()))
        self.catalog.set_avu(record.source, record.kind, record.attribute, record.message,
                             record.units)

    def verdict(self, record: Optional[FailRecord], holder: str = "") -> str:
        """:func:`b2safe.state.codec.check` of a record found on ``holder``."""
        work = record.work() if record is not None else None
        return codec.check(self.signer, work, record.signature if record else "", holder)

    def authentic(self, record: FailRecord) -> bool:
        """Whether b2safe wrote this record (its signature verifies)."""
        return self.verdict(record) == codec.VALID

    def clear(self, source: str, kind: str, destination: str) -> None:
        """Remove the record of ``source`` -> ``destination`` (absent is fine)."""
        for avu in self.catalog.avus(source, kind, attribute_for(destination)):
            self.catalog.remove_avu(source, kind, avu.name, avu.value, avu.units)

    def get(self, source: str, kind: str, destination: str) -> Optional[FailRecord]:
        """The record of ``source`` -> ``destination``, if any."""
        for avu in self.catalog.avus(source, kind, attribute_for(destination)):
            record = parse(avu.value, avu.units, kind)
            if record is not None:
                return record
        return None

    def records(self) -> Iterator[FailRecord]:
        """Every well-formed record of the zone with the path it sits on, signed or not
        (streamed GenQuery, per kind)."""
        for kind, path, avu in self._avus():
            record = parse(avu.value, avu.units, kind, location=path)
            if record is not None:
                yield record

    def _avus(self) -> Iterator[tuple[str, str, Any]]:
        """(kind, holder path, AVU) of every fail-log AVU of the zone (streamed)."""
        for kind in ("-d", "-C"):
            for path, avu in self.catalog.find_avus(kind, AVU_PREFIX, prefix=True):
                yield kind, path, avu

    def due(self, now: int, limit: int, user: str = "") -> list[FailRecord]:
        """Up to ``limit`` pending records whose time has come and which b2safe signed (only
        those requested by ``user`` when given).

        Malformed and forged records met on the way are moved aside (they never count against
        ``limit``); records that cannot be judged (no signing key here) are skipped.
        """
        out: list[FailRecord] = []
        for kind, path, avu in self._avus():
            record = parse(avu.value, avu.units, kind, location=path)
            verdict = self.verdict(record)  # a record on another path: see Replicator._follow
            if verdict in (codec.MALFORMED, codec.FORGED):
                if quarantine.should_move(verdict, record.user if record else None, user):
                    quarantine.move_aside(self.catalog, path, kind, avu.name, avu.value,
                                          avu.units, f"{verdict} fail-log record")
                continue
            if verdict != codec.VALID or record is None:
                continue
            if record.state != PENDING or record.next_time > now:
                continue
            if user and record.user != user:
                continue
            out.append(record)
            if len(out) >= limit:
                break
        return out

    def queued(self, user: str = "") -> list[FailRecord]:
        """The records b2safe signed, oldest first, as 4.x's fail queue held them (pending or
        given up, due or not); only those requested by ``user`` when given. Records that do
        not verify are left where they are (:meth:`due` moves them aside)."""
        out = [record for record in self.records()
               if self.verdict(record) == codec.VALID and (not user or record.user == user)]
        return sorted(out, key=lambda r: (r.first_time, r.source, r.destination))

