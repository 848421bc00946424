"""The pending-work rule ``EUDATPolicyPending``: work the policies could not finish at once.

Upload policies leave PIDs to create (``pid: deferred``, or a PID service that was down) and
replications in the fail log; ``keep_and_mark`` leaves removal marks when the PID service was
down. One delay rule per user does it all in batches; it is queued unless one is queued. A run
that did a full batch of some kind queues the next run itself (:func:`queue_follow_up`); an
upload or removal while a run is due or running queues one more (:func:`ensure_pending_rule`).
"""

from __future__ import annotations

from typing import Callable, Optional

from b2safe.config import Config
from b2safe.errors import PidError
from b2safe.ports import Caller, DelayQueue

PENDING_RULE = "EUDATPolicyPending"
#: How long uploads collect before the pending-work rule runs (one rule per user per window).
PENDING_DELAY = "30s"
#: How soon the next run follows a run that left work because it reached its limit.
FOLLOW_UP_DELAY = "1s"
BATCH = 256


def _frequency(config: Config) -> str:
    replication = config.replication
    return f"{replication.retry_period} REPEAT UNTIL SUCCESS OR {replication.max_attempts} TIMES"


def ensure_pending_rule(queue: DelayQueue, caller: Optional[Caller], config: Config,
                        now: int) -> bool:
    """Queue ``EUDATPolicyPending`` for ``caller`` unless a queued run will still see the work
    just recorded; True when queued now. ``now`` is the server's clock.

    A queued run that is not yet due will see it. One that is due may already be running and
    past reading its work (the delay server keeps a rule listed while it runs and deletes it
    after success: server/delay_server/src/irodsDelayServer.cpp@5.0.2 L462-593), so then
    another run is queued, unless two are queued already (a stopped delay server does not
    make the queue grow with every upload).
    """
    user = caller.name if caller else ""
    queued = [call for call in queue.delayed_calls(PENDING_RULE) if not user or call.user == user]
    if len(queued) >= 2 or any(call.exe_time > now for call in queued):
        return False
    queue.schedule_rule(PENDING_RULE, str(BATCH), "", delay=PENDING_DELAY,
                        frequency=_frequency(config))
    return True


def queue_follow_up(queue: DelayQueue, config: Config, limit: int) -> None:
    """Queue the next ``EUDATPolicyPending`` run (with the same ``limit``) of the calling user,
    from inside a run that reached its limit: more work may remain.

    Queued whatever the queue holds: the delay server deletes the running rule only after it
    succeeded (server/delay_server/src/irodsDelayServer.cpp@5.0.2 L462-593 and
    update_entry_for_repeat L306-412; the same in 4.3.4), so :func:`ensure_pending_rule` would
    find the running rule and queue nothing, and what remains beyond the limit would wait for
    the user's next upload.
    """
    queue.schedule_rule(PENDING_RULE, str(limit), "", delay=FOLLOW_UP_DELAY,
                        frequency=_frequency(config))


def owner_filter(caller: Optional[Caller]) -> str:
    """Whose pending work a run does: '' (everyone's) for a rodsadmin, else the caller's."""
    return "" if caller is not None and caller.is_admin else str(caller or "")


def run(limit: int, marks: Callable[[int], tuple[int, int]],
        pids: Callable[[int], tuple[int, int]],
        replications: Callable[[int], tuple[int, int]],
        renames: Optional[Callable[[int], tuple[int, int]]] = None,
        follow_up: Optional[Callable[[], None]] = None) -> str:
    """Do up to ``limit`` of each kind of pending work, in order: removal ``marks``, pending
    ``pids``, due ``replications``, then pending ``renames`` (each a function of the limit
    returning (done, failed)); when a kind reached ``limit`` with at least one done and the
    run succeeds, call ``follow_up`` (which queues the next run: :func:`queue_follow_up`).

    Returns the stats ``marked=N marks_failed=N pids_created=N pids_failed=N replicated=N
    replication_failed=N renamed=N renames_failed=N``, plus `` follow_up=queued`` when called.

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
    counts = [(marked, marks_failed), (created, failed), (done, not_done),
              (renamed, renames_failed)]
    # A full batch with progress: more may remain (a batch of failures only would loop).
    if follow_up is not None and any(ok and ok + bad >= limit for ok, bad in counts):
        follow_up()
        stats += " follow_up=queued"
    return stats
