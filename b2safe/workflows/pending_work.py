"""The pending-work rule ``EUDATPolicyPending``: work the policies could not finish at once.

Upload policies leave PIDs to create (``pid: deferred``, or a PID service that was down) and
replications in the fail log; ``keep_and_mark`` leaves removal marks when the PID service was
down. One delay rule per user does it all in batches; it is queued unless one is queued.
"""

from __future__ import annotations

from typing import Callable, Optional

from b2safe.config import Config
from b2safe.errors import PidError
from b2safe.ports import Caller, DelayQueue
from b2safe.workflows.batching import queue_once

PENDING_RULE = "EUDATPolicyPending"
#: How long uploads collect before the pending-work rule runs (one rule per user per window).
PENDING_DELAY = "30s"
BATCH = 256


def ensure_pending_rule(queue: DelayQueue, caller: Optional[Caller], config: Config) -> bool:
    """Queue ``EUDATPolicyPending`` for ``caller`` unless one is queued; True when queued now."""
    replication = config.replication
    return queue_once(queue, caller.name if caller else "", PENDING_RULE, str(BATCH), "",
                      delay=PENDING_DELAY,
                      frequency=f"{replication.retry_period} REPEAT UNTIL SUCCESS OR "
                                f"{replication.max_attempts} TIMES")


def owner_filter(caller: Optional[Caller]) -> str:
    """Whose pending work a run does: '' (everyone's) for a rodsadmin, else the caller's."""
    return "" if caller is not None and caller.is_admin else str(caller or "")


def run(limit: int, marks: Callable[[int], tuple[int, int]],
        pids: Callable[[int], tuple[int, int]],
        replications: Callable[[int], tuple[int, int]],
        renames: Optional[Callable[[int], tuple[int, int]]] = None) -> str:
    """Do up to ``limit`` of each kind of pending work, in order: removal ``marks``, pending
    ``pids``, due ``replications``, then pending ``renames`` (each a function of the limit
    returning (done, failed)).

    Returns the stats ``marked=N marks_failed=N pids_created=N pids_failed=N replicated=N
    replication_failed=N renamed=N renames_failed=N``.

    Raises:
        PidError: PIDs remain pending (replications then wait: they would create the source
            PIDs without the policy's values), or removal marks or renames remain.
    """
    marked, marks_failed = marks(limit)
    created, failed = pids(limit)
    stats = (f"marked={marked} marks_failed={marks_failed} "
             f"pids_created={created} pids_failed={failed}")
    if failed:
        raise PidError(f"{stats}; pending PIDs remain (see the server log)")
    done, not_done = replications(limit)
    renamed, renames_failed = renames(limit) if renames is not None else (0, 0)
    stats = (f"{stats} replicated={done} replication_failed={not_done} "
             f"renamed={renamed} renames_failed={renames_failed}")
    if marks_failed:
        raise PidError(f"{stats}; pending removal marks remain (see the server log)")
    if renames_failed:
        raise PidError(f"{stats}; pending renames remain (see the server log)")
    return stats
