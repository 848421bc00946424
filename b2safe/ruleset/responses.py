"""B2SAFE 4.x response strings, rendered at the rule edge from the workflows' values.

4.x rules answered with ``source::destination::<true|false>::<cause>`` messages (replication.re's
``EUDATUpdateLogging`` and the fail-log queue; integrity.re's collection checks), several of them
joined by commas. The workflows return :class:`~b2safe.workflows.replication.Failure` values and
raise :class:`~b2safe.errors.ReplicationFailed` with them; the rules render them
here, and only here.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional, Sequence

from b2safe.errors import ReplicationFailed
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
