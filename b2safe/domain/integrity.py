"""The vocabulary of integrity checks: which witness disagrees and what kind of problem it is.

Both are text enums: a member is its value wherever text is needed (the
``eudat_pending:integrity`` AVU value ``<epoch>::<problem>::<witness>::<destination>``, JSON
reports), and code compares members, never prose.
"""

from __future__ import annotations

import enum


class _Text(str, enum.Enum):
    """A str enum that formats as its value (``f"{member}"`` is ``member.value``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Witness(_Text):
    """A witness of one object's content."""

    SOURCE = "source"    # the source object's catalog values (and stored bytes)
    REPLICA = "replica"  # the destination copy's catalog values
    PID = "pid"          # the PID record's EUDAT/CHECKSUM and URL
    UNKNOWN = "unknown"  # all three differ: no majority names one


class Problem(_Text):
    """What a finding says is wrong."""

    MISSING = "missing"                # the replica does not exist
    SIZE = "size"                      # sizes differ
    CHECKSUM = "checksum"              # checksums differ
    STORAGE = "storage"                # stored bytes do not match the catalog checksum
    SOURCE_CHANGED = "source_changed"  # the source changed after replication (not FIXED)
    PID_CHECKSUM = "pid_checksum"      # the PID record's checksum is stale
    PID_URL = "pid_url"                # the PID record does not point at the source
    PID_ERROR = "pid_error"            # the PID record could not be read

    @classmethod
    def named(cls, text: str) -> Problem | None:
        """The problem named by ``text`` (None when it names none)."""
        try:
            return cls(text)
        except ValueError:
            return None
