"""Pending policy PIDs, kept in the catalog: uploads whose PID is still to be created.

A PID that a policy could not create at upload time (the PID service was down), or that the
policy defers on purpose (``pid: deferred``), is recorded as an AVU on the data object::

    name   eudat_pending:pid
    value  <policy name>
    units  v1;user=<name#zone>;since=<epoch>;attempts=<n>;cause=<one line>

``EUDATPolicyPending`` (a delay rule queued by the upload, run as the uploader) creates the PIDs
and removes the marks; a mark whose PID fails stays, and the rule fails so the delay server runs
it again. Replications wait in :mod:`b2safe.faillog`, the same durable state the replication rules
use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterator

from b2safe.errors import B2SafeError
from b2safe.paths import validate_path

PENDING_PID_AVU = "eudat_pending:pid"
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


def parse(path: str, value: str, units: str) -> PendingPid:
    """A mark from its AVU value and units (unknown units give an empty retry state)."""
    flags: dict[str, str] = {}
    if units.startswith(_VERSION + ";"):
        for item in units.split(";")[1:]:
            key, _, text = item.partition("=")
            flags[key] = text

    def number(key: str) -> int:
        text = flags.get(key, "0")
        return int(text) if text.isdigit() else 0

    return PendingPid(path=path, policy=value, user=flags.get("user", ""),
                      since=number("since"), attempts=number("attempts"),
                      cause=flags.get("cause", ""))


class PendingPids:
    """Read and write pending-PID marks through a PREP catalog (data objects only)."""

    def __init__(self, catalog: Any) -> None:
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
        rows = self.catalog.query(
            ["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"],
            f"META_DATA_ATTR_NAME = '{PENDING_PID_AVU}'")
        for coll, name, value, units in rows:
            mark = parse(f"{coll}/{name}", value, units)
            if user and mark.user != user:
                continue
            try:
                validate_path(mark.path)
            except B2SafeError:
                continue
            yield mark
