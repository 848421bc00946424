"""Policy PEPs and the pending-work rule: bindings of :mod:`b2safe.workflows.upload`,
:mod:`b2safe.workflows.removal` and :mod:`b2safe.workflows.pending_work`.

**Upload policies** apply when a data object arrives in a policy collection, whatever the route:
:mod:`b2safe.ruleset.ingest` binds each route's PEP (docs/policies.md: route x hook, with the
iRODS sources) to :func:`uploads`. ``acPostProcForPut`` covers ``iput`` single-buffer and
parallel alike (for the latter it fires from ``rsDataObjClose`` once the data arrived, and
``pep_api_data_obj_put_post`` fires after it, irods#4404), python-irodsclient ``put`` with one
or several streams (the initial stream's DATA_OBJ_CLOSE; its other streams close with
REPLICA_CLOSE without finalizing) and every open/create-write-close client; ``replica_close``
clients (HTTP API, S3 API, istream), registration, touch, client copies and moves need hooks of
their own. ``pep_resource_modified_post`` is not hooked: it fires for every copy and replication
too (maybe once per resource of a hierarchy), so it cannot tell an upload from a replica.

**Removal** (``deletion.mode``): the pre-PEPs refuse (SYS_NOT_ALLOWED) or remember, the
post-PEPs mark; see :mod:`b2safe.workflows.removal`. Rename: see :mod:`b2safe.ruleset.events`
(``pid.update_url_on_rename``).
"""

from __future__ import annotations

import logging
from typing import Optional

from b2safe.errors import SYS_NOT_ALLOWED, B2SafeError
from b2safe.prep import RuleContext, pep, rule, to_count
from b2safe.prep.pepargs import CollPathArgs, ObjPathArgs
from b2safe.ruleset._wiring import removals, renames, uploads
from b2safe.ruleset.guard import authorize
from b2safe.workflows import pending_work

PENDING_RULE = pending_work.PENDING_RULE
logger = logging.getLogger("b2safe.policy")


@rule(PENDING_RULE, forms=[("limit",), ("limit", "OUT stats")],
      errors=("InvalidInput", "PidError"))
def policy_pending(ctx: RuleContext, limit: str) -> str:
    """Do the work policies left pending: mark the PID records of removed objects
    (``keep_and_mark`` while the PID service was down), create pending PIDs (``pid: deferred``
    or a PID service that was down), then retry due replications from the fail log.

    Queued by the upload and removal PEPs, run as that user (a rodsadmin does everyone's). At
    most ``limit`` of each per run. Fails while PIDs or marks remain pending (the delay server
    then runs it again); replications wait for pending PIDs, and those that fail stay in the
    fail log with their backoff; then PID URLs of renames an agent did not finish are repointed
    (``pid.update_url_on_rename``). A run that reached ``limit`` for some kind queues the next
    run itself. Stats: ``marked=N marks_failed=N pids_created=N pids_failed=N replicated=N
    replication_failed=N renamed=N renames_failed=N`` (`` follow_up=queued`` when it did).
    """
    from b2safe.ruleset.replication import replicator

    count = to_count(limit, "limit")
    upload = uploads(ctx)
    return pending_work.run(
        count, removals(ctx).process_pending,
        lambda n: upload.process_pending(n, lambda a, p: authorize(ctx, a, p)),
        lambda n: replicator(ctx).retry(n), renames(ctx).process_pending,
        lambda: pending_work.queue_follow_up(upload.catalog, ctx.config, count))


def _before_removal(ctx: RuleContext, path: str, is_collection: bool) -> Optional[int]:
    from b2safe.workflows.removal import Decision  # with removals(): not at every agent's start

    decision = removals(ctx).before(path, is_collection)
    if decision is Decision.REFUSE:
        return SYS_NOT_ALLOWED
    from b2safe.ruleset.replication import replicator

    try:  # pending replications of what is removed are given up visibly, not lost
        replicator(ctx).give_up_removed(path, is_collection)
    except B2SafeError as exc:
        logger.error("removal of %s: its pending replications were not kept: %s", path, exc)
    try:  # and so are its pending PIDs
        uploads(ctx).give_up_removed(path, is_collection)
    except B2SafeError as exc:
        logger.error("removal of %s: its pending PIDs were not kept: %s", path, exc)
    return None


@pep("pep_api_data_obj_unlink_pre", on_error="deny", args=ObjPathArgs)
def on_unlink_pre(ctx: RuleContext, unlink: ObjPathArgs) -> Optional[int]:
    """Before a data object is removed: refuse FIXED_CONTENT data (``refuse_fixed``), or
    remember its PID for the post-PEP (``keep_and_mark``). Denies when the check fails."""
    return _before_removal(ctx, unlink.path, False)


@pep("pep_api_data_obj_unlink_post", args=ObjPathArgs)
def on_unlink_post(ctx: RuleContext, unlink: ObjPathArgs) -> None:
    """After a data object was removed (``keep_and_mark``): add EUDAT/DELETED to its PID; when
    the PID service is down, keep the mark for ``EUDATPolicyPending``."""
    removals(ctx).after(unlink.path)


@pep("pep_api_rm_coll_pre", on_error="deny", args=CollPathArgs)
def on_rm_coll_pre(ctx: RuleContext, rmcoll: CollPathArgs) -> Optional[int]:
    """Before a collection is removed: refuse when it holds FIXED_CONTENT data
    (``refuse_fixed``), or remember the PIDs of the collection and of everything below it, and
    the pending removal marks kept below it, for the post-PEP (``keep_and_mark``). Denies when
    the check fails."""
    return _before_removal(ctx, rmcoll.path, True)


@pep("pep_api_rm_coll_post", args=CollPathArgs)
def on_rm_coll_post(ctx: RuleContext, rmcoll: CollPathArgs) -> None:
    """After a collection was removed (``keep_and_mark``): add EUDAT/DELETED to the PIDs of the
    collection and of everything that was below it (pooled HTTP); when the PID service is down,
    keep the marks on the parent collection for ``EUDATPolicyPending``."""
    # Guess: the sandbox removes a collection at once; a server without -f moves it to the
    # trash first, and the records are marked then, as for data objects.
    removals(ctx).after(rmcoll.path)
