"""Pending policy PIDs and pending removal marks, kept in the catalog as signed records.

Both are records of the one pending-work codec (:mod:`b2safe.state.codec`): each names its
requester, is signed once the requester was authorized, and is carried out only when its
signature verifies. A record that is malformed or forged (no or a wrong signature, copied onto
another object, relabelled) is moved aside (:mod:`b2safe.state.quarantine`, listed by ``b2safe
status``) by a run of its requester or of a rodsadmin, and never stops a run.

**Pending PIDs.** A PID that a policy could not create at upload time (the PID service was down),
or that the policy defers on purpose (``pid: deferred``), is recorded as an AVU on the data
object::

    name   eudat_pending:pid
    value  <policy name>
    units  v2;user=<name#zone>;since=<epoch>;attempts=<n>;cause=<one line>;sig=<signature>

A mark with ``replicate=1`` in its units (an object another zone's server copied in, whose
policy work is all left to the delay queue) also asks for the policy's replications, queued by the
run that creates the PID. The signature binds requester, object, ``create_pid``, the policy and
that flag. ``EUDATPolicyPending`` (a
delay rule queued by the upload, run as the uploader) creates the PIDs and removes the marks; a
mark whose PID fails stays, and the rule fails so the delay server runs it again. Replications
wait in :mod:`b2safe.state.faillog`, the same durable state the replication rules use.

**Given-up pending PIDs.** A mark lives on its data object, so removing the object (or a
collection above it) would make it vanish silently. The removal pre-PEP keeps each signed mark
on the collection that survives the removal (the *holder*), given up, never retried, listed by
``b2safe status`` with its reason (one AVU per removed object)::

    name   eudat_pending:pid_gave_up:<12 hex digits of sha1(path of the removed object)>
    value  <path of the removed object>
    units  v2;user=<name#zone>;since=<epoch>;policy=<policy name>;state=gave_up;
           cause=<one line>;sig=<signature>

Removing a holder carries its given-up records to the next holder.

**Pending removal marks** (``deletion.mode: keep_and_mark``). When the PID record of a removed
object cannot be marked ``EUDAT/DELETED`` at removal time (the Handle service was down), the mark
is kept for a retry. The removed object's own AVUs are gone, so the mark lives on the nearest
collection that survives the removal: the parent of the removed data object or collection (the
*holder*). When the remover may not change the holder's metadata the mark is lost (an error in
the server log; no other collection is used, see below). One AVU per PID::

    name   eudat_pending:deleted:<pid>
    value  <path of the removed object>
    units  v2;user=<name#zone>;deleted=<epoch of the removal>;attempts=<n>;cause=<one line>;
           sig=<signature>

The name carries the PID so that ``set`` replaces exactly one mark; ``deleted`` is the time the
record is marked with (the removal, not the retry). The signature binds requester, holder,
``mark_deleted``, the PID, the removed path and that time. ``EUDATPolicyPending`` retries the
marks (its caller's; a rodsadmin's run does all). Even a signed mark is checked again by the
retry: it only marks a record when the removed path is below the holder, the record's URL
points at that path, and no object of the zone that the caller can see still carries the PID;
otherwise the mark is dropped (logged). Removing a holder collection under ``keep_and_mark``
carries its signed marks over to the new holder, signed again for the remover.

**Marks of the unsigned ``v1`` format** (written before pending work was signed) cannot be told
from forgeries: a run moves them aside like any malformed record, with the reason ``unsigned v1
mark``; docs/security.md says how to queue that work again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Iterator, Optional

from b2safe.domain.paths import validate_path, validate_pid
from b2safe.errors import B2SafeError
from b2safe.ports import Avu, Catalog
from b2safe.state import codec, quarantine
from b2safe.state.codec import Kind
from b2safe.state.signing import Signer

PENDING_PID_AVU = "eudat_pending:pid"
GAVE_UP_PID_PREFIX = "eudat_pending:pid_gave_up:"
GAVE_UP = "gave_up"
PENDING_MARK_PREFIX = "eudat_pending:deleted:"
CREATE_PID, MARK_DELETED, GIVE_UP_PID = "create_pid", "mark_deleted", "give_up_pid"
_V1 = "v1;"


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def _number(fields: dict[str, str], key: str) -> int:
    text = fields.get(key, "0")
    return int(text) if text.isdigit() else 0


def _reason(units: str, what: str, verdict: str) -> str:
    """Why a record is moved aside (v1 marks are named as such: see the module docstring)."""
    if units.startswith(_V1):
        return f"unsigned v1 {what} (re-queue it: docs/security.md)"
    return f"{verdict} {what}"


@dataclass(frozen=True)
class PendingPid:
    """One pending PID creation of data object ``path`` under ``policy`` for ``user``."""

    path: str
    policy: str
    user: str = ""
    since: int = 0
    attempts: int = 0
    cause: str = ""
    signature: str = ""
    replicate: bool = False

    @property
    def units(self) -> str:
        """The AVU units: retry state, requester and signature."""
        fields = {"user": self.user, "since": str(self.since), "attempts": str(self.attempts),
                  "cause": _one_line(self.cause, 200)}
        if self.replicate:
            fields["replicate"] = "1"
        return codec.encode_units({**fields, "sig": self.signature})

    def work(self) -> codec.Work:
        """What the signature covers (not the retry bookkeeping)."""
        params = {"policy": self.policy, **({"replicate": "1"} if self.replicate else {})}
        return codec.Work(Kind.PID, self.user, self.path, CREATE_PID, "", params)

    def failed(self, cause: str) -> PendingPid:
        """The mark after one more failed attempt."""
        return replace(self, attempts=self.attempts + 1, cause=cause)


@dataclass(frozen=True)
class GivenUpPid:
    """A pending PID of data object ``path`` given up because the object was removed, kept on
    the surviving collection ``holder`` with the reason (never retried)."""

    path: str
    policy: str
    holder: str
    user: str = ""
    since: int = 0
    cause: str = ""
    signature: str = ""

    @property
    def name(self) -> str:
        """The AVU name (one per removed object)."""
        digest = hashlib.sha1(self.path.encode("utf-8")).hexdigest()[:12]  # noqa: S324
        return GAVE_UP_PID_PREFIX + digest

    @property
    def units(self) -> str:
        """The AVU units: requester, policy, state, reason and signature."""
        return codec.encode_units({"user": self.user, "since": str(self.since),
                                   "policy": self.policy, "state": GAVE_UP,
                                   "cause": _one_line(self.cause, 300), "sig": self.signature})

    def work(self) -> codec.Work:
        """What the signature covers."""
        return codec.Work(Kind.PID, self.user, self.holder, GIVE_UP_PID, self.path,
                          {"policy": self.policy})


def parse_given_up(holder: str, value: str, units: str) -> Optional[GivenUpPid]:
    """A given-up record from its AVU (None when the units are not of this format)."""
    fields = codec.decode_units(units)
    if fields is None or fields.get("state") != GAVE_UP:
        return None
    return GivenUpPid(path=value, policy=fields.get("policy", ""), holder=holder,
                      user=fields.get("user", ""), since=_number(fields, "since"),
                      cause=fields.get("cause", ""), signature=fields.get("sig", ""))


def parse(path: str, value: str, units: str) -> Optional[PendingPid]:
    """The mark on ``path`` from its AVU value and units, or None when not of this format."""
    fields = codec.decode_units(units)
    if fields is None:
        return None
    return PendingPid(path=path, policy=value, user=fields.get("user", ""),
                      since=_number(fields, "since"), attempts=_number(fields, "attempts"),
                      cause=fields.get("cause", ""), signature=fields.get("sig", ""),
                      replicate=fields.get("replicate") == "1")


class _Store:
    """What both stores share: the catalog, the signer and the triage of records read back."""

    def __init__(self, catalog: Catalog, signer: Optional[Signer]) -> None:
        self.catalog = catalog
        self.signer = signer

    def _trusted(self, record: Optional[PendingPid | PendingMark], holder: str, kind: str,
                 avu: Avu, user: str, what: str, move_aside: bool) -> bool:
        """Whether ``record`` (read from ``avu`` of ``holder``) is b2safe's own signed work.

        A malformed or forged one is moved aside when ``move_aside`` (a forged one only by a
        run for its own requester, or for everyone: ``user`` ''); one that cannot be judged
        here (no signing key) is left alone.
        """
        work = record.work() if record is not None else None
        verdict = codec.check(self.signer, work, record.signature if record else "", holder)
        if verdict == codec.VALID:
            return True
        if move_aside and quarantine.should_move(verdict, record.user if record else None,
                                                 user):
            quarantine.move_aside(self.catalog, holder, kind, avu.name, avu.value, avu.units,
                                  _reason(avu.units, what, verdict))
        return False


class PendingPids(_Store):
    """Read and write pending-PID marks (data objects only); ``signer`` signs what is written
    and checks what is read (without one nothing is signed or carried out)."""

    def write(self, mark: PendingPid) -> None:
        """Create or replace the mark on its data object, signed. Call it only once the
        requester (``mark.user``) was authorized for it."""
        mark = replace(mark, signature=codec.seal(self.signer, mark.work()))
        self.catalog.set_avu(mark.path, "-d", PENDING_PID_AVU, mark.policy, mark.units)

    def clear(self, path: str) -> None:
        """Remove every mark of ``path`` (absent is fine)."""
        for avu in self.catalog.avus(path, "-d", PENDING_PID_AVU):
            self.catalog.remove_avu(path, "-d", avu.name, avu.value, avu.units)

    def marks(self, user: str = "", below: str = "", *,
              move_aside: bool = True) -> Iterator[PendingPid]:
        """Every signed mark of the zone visible to the client (only ``user``'s when given;
        only those of data objects below collection ``below`` when given); malformed and
        forged ones met on the way are moved aside when ``move_aside``."""
        for path, avu in self.catalog.find_avus("-d", PENDING_PID_AVU, below=below):
            mark = parse(path, avu.value, avu.units)
            if not self._trusted(mark, path, "-d", avu, user, "pending-PID mark", move_aside):
                continue
            assert mark is not None
            if user and mark.user != user:
                continue
            try:
                validate_path(mark.path)
            except B2SafeError:
                continue
            yield mark


    def of(self, path: str) -> list[PendingPid]:
        """The signed marks of data object ``path`` (nothing is moved aside)."""
        found = []
        for avu in self.catalog.avus(path, "-d", PENDING_PID_AVU):
            mark = parse(path, avu.value, avu.units)
            if self._trusted(mark, path, "-d", avu, "", "pending-PID mark", False):
                assert mark is not None
                found.append(mark)
        return found

    def give_up(self, record: GivenUpPid) -> None:
        """Keep ``record`` on its holder collection, signed (raises when not permitted)."""
        record = replace(record, signature=codec.seal(self.signer, record.work()))
        self.catalog.set_avu(record.holder, "-C", record.name, record.path, record.units)

    def given_up(self, below: str) -> Iterator[GivenUpPid]:
        """The signed given-up records held at or below collection ``below``."""
        for holder, avu in self.catalog.find_avus("-C", GAVE_UP_PID_PREFIX, prefix=True,
                                                  below=below):
            record = parse_given_up(holder, avu.value, avu.units)
            verdict = codec.check(self.signer, record.work() if record else None,
                                  record.signature if record else "", holder)
            if verdict == codec.VALID and record is not None:
                yield record


# --- pending removal marks ---------------------------------------------------------------------


@dataclass(frozen=True)
class PendingMark:
    """One PID record still to be marked EUDAT/DELETED (``holder``: the collection keeping it)."""

    pid: str
    removed: str
    holder: str = ""
    user: str = ""
    deleted: int = 0
    attempts: int = 0
    cause: str = ""
    signature: str = ""

    @property
    def name(self) -> str:
        """The AVU name (one per PID)."""
        return PENDING_MARK_PREFIX + self.pid

    @property
    def units(self) -> str:
        """The AVU units: retry state, requester and signature."""
        return codec.encode_units({"user": self.user, "deleted": str(self.deleted),
                                   "attempts": str(self.attempts),
                                   "cause": _one_line(self.cause, 150), "sig": self.signature})

    def work(self) -> codec.Work:
        """What the signature covers (not the retry bookkeeping)."""
        return codec.Work(Kind.REMOVAL, self.user, self.holder, MARK_DELETED, self.pid,
                          {"removed": self.removed, "deleted": str(self.deleted)})

    def failed(self, cause: str) -> PendingMark:
        """The mark after one more failed attempt."""
        return replace(self, attempts=self.attempts + 1, cause=cause)


def parse_mark(holder: str, name: str, value: str, units: str) -> Optional[PendingMark]:
    """A mark from its AVU, or None when the name does not hold a valid PID or the units are
    not of this format."""
    if not name.startswith(PENDING_MARK_PREFIX):
        return None
    pid = name[len(PENDING_MARK_PREFIX):]
    fields = codec.decode_units(units)
    try:
        validate_pid(pid)
    except B2SafeError:
        return None
    if fields is None:
        return None
    return PendingMark(pid=pid, removed=value, holder=holder, user=fields.get("user", ""),
                       deleted=_number(fields, "deleted"), attempts=_number(fields, "attempts"),
                       cause=fields.get("cause", ""), signature=fields.get("sig", ""))


class PendingMarks(_Store):
    """Read and write pending removal marks (collection AVUs); ``signer`` as for
    :class:`PendingPids`."""

    def write(self, mark: PendingMark) -> None:
        """Create or replace the mark on its holder collection, signed (raises when not
        permitted). Call it only once the requester (``mark.user``) was authorized for it."""
        mark = replace(mark, signature=codec.seal(self.signer, mark.work()))
        self.catalog.set_avu(mark.holder, "-C", mark.name, mark.removed, mark.units)

    def clear(self, mark: PendingMark) -> None:
        """Remove the mark of ``mark.pid`` from its holder (absent is fine)."""
        for avu in self.catalog.avus(mark.holder, "-C", mark.name):
            self.catalog.remove_avu(mark.holder, "-C", avu.name, avu.value, avu.units)

    def marks(self, user: str = "", below: str = "", *,
              move_aside: bool = True) -> Iterator[PendingMark]:
        """Every signed mark of the zone visible to the client, one streamed query (only
        ``user``'s when given; only those held at or below collection ``below`` when given).
        Malformed and forged ones met on the way are moved aside when ``move_aside``."""
        for holder, avu in self.catalog.find_avus("-C", PENDING_MARK_PREFIX, prefix=True,
                                                  below=below):
            mark = parse_mark(holder, avu.name, avu.value, avu.units)
            if not self._trusted(mark, holder, "-C", avu, user, "pending removal mark",
                                 move_aside):
                continue
            assert mark is not None
            if user and mark.user != user:
                continue
            try:
                validate_path(mark.removed)
            except B2SafeError:
                continue
            yield mark
