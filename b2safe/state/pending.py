"""Pending policy PIDs, kept in the catalog: uploads whose PID is still to be created.

A PID that a policy could not create at upload time (the PID service was down), or that the
policy defers on purpose (``pid: deferred``), is recorded as an AVU on the data object::

    name   eudat_pending:pid
    value  <policy name>
    units  v1;user=<name#zone>;since=<epoch>;attempts=<n>;cause=<one line>

``EUDATPolicyPending`` (a delay rule queued by the upload, run as the uploader) creates the PIDs
and removes the marks; a mark whose PID fails stays, and the rule fails so the delay server runs
it again. Replications wait in :mod:`b2safe.state.faillog`, the same durable state the replication
rules use.

**Pending removal marks** (``deletion.mode: keep_and_mark``). When the PID record of a removed
object cannot be marked ``EUDAT/DELETED`` at removal time (the Handle service was down), the mark
is kept for a retry. The removed object's own AVUs are gone, so the mark lives on the nearest
collection that survives the removal: the parent of the removed data object or collection (the
*holder*). When the remover may not change the holder's metadata the mark is lost (an error in
the server log; no other collection is used, see below). One AVU per PID::

    name   eudat_pending:deleted:<pid>
    value  <path of the removed object>
    units  v1;user=<name#zone>;deleted=<epoch of the removal>;attempts=<n>;cause=<one line>

The name carries the PID so that ``set`` replaces exactly one mark; ``deleted`` is the time the
record is marked with (the removal, not the retry). ``EUDATPolicyPending`` retries the marks (its
caller's; a rodsadmin's run does all). Because a user can write such an AVU on any collection
whose metadata they may change, the retry only marks a record when the removed path is below
the holder, the record's URL points at that path, and no object of the zone that the caller
can see still carries the PID; otherwise the mark is dropped (logged). Removing a holder
collection under ``keep_and_mark`` carries its marks over to the new holder (checked by the
retry like any other).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Optional

from b2safe.domain.paths import validate_path, validate_pid
from b2safe.errors import B2SafeError
from b2safe.ports import Metadata

PENDING_PID_AVU = "eudat_pending:pid"
PENDING_MARK_PREFIX = "eudat_pending:deleted:"
_VERSION = "v1"


@dataclass(frozen=True)
class PendingPid:
    """One pending PID creation."""

    path: str
    policy: str
    user: str = ""
    since: int = 0
    attempts: int = 0
    cause: str = ""

    @property
    def units(self) -> str:
        """The AVU units holding the retry state."""
        cause = " ".join(self.cause.replace(";", ",").split())[:200]
        return (f"{_VERSION};user={self.user};since={self.since};attempts={self.attempts};"
                f"cause={cause}")

    def failed(self, cause: str) -> PendingPid:
        """The mark after one more failed attempt."""
        return replace(self, attempts=self.attempts + 1, cause=cause)


def _flags(units: str) -> dict[str, str]:
    """``key=value`` items of versioned units ({} for unknown units); the last item (cause)
    may itself contain ``=``."""
    flags: dict[str, str] = {}
    if units.startswith(_VERSION + ";"):
        for item in units.split(";")[1:]:
            key, _, text = item.partition("=")
            flags[key] = text
    return flags


def _number(flags: dict[str, str], key: str) -> int:
    text = flags.get(key, "0")
    return int(text) if text.isdigit() else 0


def parse(path: str, value: str, units: str) -> PendingPid:
    """A mark from its AVU value and units (unknown units give an empty retry state)."""
    flags = _flags(units)
    return PendingPid(path=path, policy=value, user=flags.get("user", ""),
                      since=_number(flags, "since"), attempts=_number(flags, "attempts"),
                      cause=flags.get("cause", ""))


class PendingPids:
    """Read and write pending-PID marks through a PREP catalog (data objects only)."""

    def __init__(self, catalog: Metadata) -> None:
        self.catalog = catalog

    def write(self, mark: PendingPid) -> None:
        """Create or replace the mark on its data object."""
        self.catalog.set_avu(mark.path, "-d", PENDING_PID_AVU, mark.policy, mark.units)

    def clear(self, path: str) -> None:
        """Remove every mark of ``path`` (absent is fine)."""
        for avu in self.catalog.avus(path, "-d", PENDING_PID_AVU):
            self.catalog.remove_avu(path, "-d", avu.name, avu.value, avu.units)

    def marks(self, user: str = "") -> Iterator[PendingPid]:
        """Every mark of the zone visible to the client (only ``user``'s when given)."""
        for path, avu in self.catalog.find_avus("-d", PENDING_PID_AVU):
            mark = parse(path, avu.value, avu.units)
            if user and mark.user != user:
                continue
            try:
                validate_path(mark.path)
            except B2SafeError:
                continue
            yield mark


# --- pending removal marks ---------------------------------------------------------------------


def _one_line(text: str, limit: int = 150) -> str:
    return " ".join(text.replace(";", ",").split())[:limit]


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

    @property
    def name(self) -> str:
        """The AVU name (one per PID)."""
        return PENDING_MARK_PREFIX + self.pid

    @property
    def units(self) -> str:
        """The AVU units holding the retry state."""
        return (f"{_VERSION};user={self.user};deleted={self.deleted};attempts={self.attempts};"
                f"cause={_one_line(self.cause)}")

    def failed(self, cause: str) -> PendingMark:
        """The mark after one more failed attempt."""
        return replace(self, attempts=self.attempts + 1, cause=cause)


def parse_mark(holder: str, name: str, value: str, units: str) -> Optional[PendingMark]:
    """A mark from its AVU, or None when the name does not hold a valid PID."""
    if not name.startswith(PENDING_MARK_PREFIX):
        return None
    pid = name[len(PENDING_MARK_PREFIX):]
    try:
        validate_pid(pid)
    except B2SafeError:
        return None
    flags = _flags(units)
    return PendingMark(pid=pid, removed=value, holder=holder, user=flags.get("user", ""),
                       deleted=_number(flags, "deleted"), attempts=_number(flags, "attempts"),
                       cause=flags.get("cause", ""))


class PendingMarks:
    """Read and write pending removal marks (collection AVUs) through a PREP catalog."""

    def __init__(self, catalog: Metadata) -> None:
        self.catalog = catalog

    def write(self, mark: PendingMark) -> None:
        """Create or replace the mark on its holder collection (raises when not permitted)."""
        self.catalog.set_avu(mark.holder, "-C", mark.name, mark.removed, mark.units)

    def clear(self, mark: PendingMark) -> None:
        """Remove the mark of ``mark.pid`` from its holder (absent is fine)."""
        for avu in self.catalog.avus(mark.holder, "-C", mark.name):
            self.catalog.remove_avu(mark.holder, "-C", avu.name, avu.value, avu.units)

    def marks(self, user: str = "", below: str = "") -> Iterator[PendingMark]:
        """Every mark of the zone visible to the client, one streamed query (only ``user``'s
        when given; only those held at or below collection ``below`` when given)."""
        for holder, avu in self.catalog.find_avus("-C", PENDING_MARK_PREFIX, prefix=True,
                                                  below=below):
            mark = parse_mark(holder, avu.name, avu.value, avu.units)
            if mark is None or (user and mark.user != user):
                continue
            try:
                validate_path(mark.removed)
            except B2SafeError:
                continue
            yield mark
