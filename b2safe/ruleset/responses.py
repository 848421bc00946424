"""B2SAFE 4.x response strings, rendered at the rule edge from the workflows' values.

Integrity verdicts (:class:`~b2safe.workflows.integrity.Verdict`) are rendered in
integrity.re's ``EUDATCheckIntegrityDO`` wording by :func:`integrity`; a sweep's report takes the
same function (the rule passes it to :class:`~b2safe.workflows.sweeps.SweepRunner`), so the
workflows hold values and the wording lives here only.

4.x rules answered with ``source::destination::<true|false>::<cause>`` messages (replication.re's
``EUDATUpdateLogging`` and the fail-log queue; integrity.re's collection checks), several of them
joined by commas. The workflows return :class:`~b2safe.workflows.replication.Failure` values and
raise :class:`~b2safe.errors.ReplicationFailed` with them; the rules render them
here, and only here.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import singledispatch
from typing import Iterator, Optional, Sequence

from b2safe.errors import ReplicationFailed
from b2safe.workflows.integrity import (
    Checksums,
    Disagreeing,
    Finding,
    PidChecksum,
    PidUrl,
    SizesDiffer,
    Statement,
    Verdict,
)
from b2safe.workflows.replication import Failure


def transfer(source: str, destination: str, ok: bool, cause: str) -> str:
    """``source::destination::true|false::cause``."""
    return f"{source}::{destination}::{'true' if ok else 'false'}::{cause}"


def failures(listed: Sequence[Failure], shown: Optional[int] = None) -> str:
    """The 4.x failure response: one ``source::destination::false::cause`` per failure, joined
    by commas (only the first ``shown`` when given, then ``(and N more)``)."""
    head = listed if shown is None else listed[:shown]
    more = len(listed) - len(head)
    return ",".join(transfer(f.source, f.destination, False, f.cause) for f in head) + \
        (f" (and {more} more)" if more else "")


@contextmanager
def failures_in_4x_form(shown: Optional[int] = None) -> Iterator[None]:
    """Let a :class:`ReplicationFailed` out with the 4.x failure response as its message (the
    text the client sees after the error code); its failures and code are kept."""
    try:
        yield
    except ReplicationFailed as exc:
        raise ReplicationFailed(exc.failures, exc.code, failures(exc.failures, shown)) from None


def integrity(verdict: Verdict) -> str:
    """A verdict in EUDATCheckIntegrityDO's words (``missing replicated object``,
    ``size(a:r:):1 != size(b:r:):2``, ``checksum(a):X = checksum(b):Y``, ...), then the port's
    additions (PID witness, ``disagreeing witness: ...``), joined by ", "."""
    return ", ".join(_statement(item) for item in verdict.statements)


@singledispatch
def _statement(item: Statement) -> str:
    raise TypeError(f"no wording for {type(item).__name__}")


@_statement.register
def _(item: Finding) -> str:
    return item.detail


@_statement.register
def _(item: SizesDiffer) -> str:
    return (f"size({item.source}:{item.source_resource}:):{item.source_size} != "
            f"size({item.destination}:{item.replica_resource}:):{item.replica_size}")


@_statement.register
def _(item: Checksums) -> str:
    src, dst = item.source, item.destination
    if item.agree:
        return f"checksum({src}):{item.source_checksum} = checksum({dst}):{item.replica_checksum}"
    return (f"checksum({src}):{item.source_checksum} != checksum({dst}):{item.replica_checksum}"
            f", checksum({src}) modification time: {item.modify_times[0]}, checksum({dst}) "
            f"modification time: {item.modify_times[1]}")


@_statement.register
def _(item: PidChecksum) -> str:
    if item.agree:
        return f"EUDAT/CHECKSUM({item.pid}):{item.pid_checksum}"
    return f"EUDAT/CHECKSUM({item.pid}):{item.pid_checksum} != checksum({item.source}):" \
        f"{item.source_checksum}"


@_statement.register
def _(item: PidUrl) -> str:
    return f"URL({item.pid}):{item.url} does not point at {item.source}"


@_statement.register
def _(item: Disagreeing) -> str:
    return "disagreeing witness: " + ",".join(item.witnesses)
