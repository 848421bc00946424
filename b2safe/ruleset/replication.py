"""Replication rules with B2SAFE's names, argument forms and responses (replication.re).

Rules that returned a boolean in 4.x (``EUDATReplication``, ``EUDATRegDataRepl``) cannot return
one under PREP: on success they write the 4.x response into the OUT argument; on failure they
fail with an iRODS error whose message is the 4.x failure response (rendered from the
workflow's failures by :mod:`b2safe.ruleset.responses`), and the work stays in the fail log
(``EUDATTransferUsingFailLog`` and the periodic retry rule redo it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from b2safe.domain import authz, paths
from b2safe.errors import SYS_INTERNAL_ERR, AccessDenied, InvalidInput, ReplicationFailed
from b2safe.prep import RuleContext, rule, to_bool, to_count
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.guard import authorize

if TYPE_CHECKING:
    from b2safe.workflows.replication import Replicator

# The replication workflow and the response wording (which imports the integrity workflow) are
# imported inside the rules: every agent imports every rule module when it loads core.py, and
# most of its calls replicate nothing (issue 19, start cost per rule call).

logger = logging.getLogger("b2safe.workflows.replication")

_ERRORS = ("InvalidPath", "UnknownZone", "NotFound", "InvalidInput", "AccessDenied",
           "ReplicationFailed")


def replicator(ctx: RuleContext) -> Replicator:
    """The Replicator for this call (catalog over PREP, PIDs over the PID service)."""
    from b2safe.workflows.replication import Replicator, copy_verifier

    workflow = pid_workflow(ctx)
    return Replicator(workflow, ctx.config, ctx.caller, verify=copy_verifier(workflow.catalog))


@rule("EUDATReplication",
      forms=[("source", "destination", "registered", "recursive", "OUT response"),
             ("source", "destination", "dest_res", "registered", "recursive", "OUT response")],
      errors=_ERRORS)
def eudat_replication(ctx: RuleContext, source: str, destination: str, registered: str,
                      recursive: str, dest_res: str = "") -> str:
    """Replicate a data object or collection to ``destination`` (usually another zone).

    ``registered`` = true: the source gets a PID if it has none, the copy and (``recursive``)
    everything below it get PIDs in the destination zone linked to their parents. Otherwise a
    plain rsync, verified when it changed something. Response on success:
    ``source::destination::dest_res::registered=..::recursive=..``. Needs ownership of the
    source (and of everything below a collection), or rodsadmin.
    """
    from b2safe.ruleset import responses
    from b2safe.workflows.replication import Request

    request = Request(source, destination, _resource(dest_res), to_bool(registered, "registered"),
                      to_bool(recursive, "recursive"))
    with responses.failures_in_4x_form():
        replicator(ctx).replicate(request)
    return (f"{source}::{destination}::{request.resource or 'null'}"
            f"::registered={registered}::recursive={recursive}")


@rule("EUDATRegDataRepl",
      forms=[("source", "destination", "recursive:bool", "OUT response"),
             ("source", "destination", "dest_res", "recursive:bool", "OUT response")],
      errors=_ERRORS)
def eudat_reg_data_repl(ctx: RuleContext, source: str, destination: str, recursive: bool,
                        dest_res: str = "") -> str:
    """Registered replication (see EUDATReplication); the response is empty on success."""
    from b2safe.ruleset import responses
    from b2safe.workflows.replication import Request

    with responses.failures_in_4x_form():
        replicator(ctx).replicate(Request(source, destination, _resource(dest_res), True,
                                          recursive))
    return ""


BATCH_RULE = "EUDATReplicationBatch"


@rule("EUDATReplicationBatched",
      forms=[("source", "destination", "registered:bool", "batch_size", "OUT report"),
             ("source", "destination", "dest_res", "registered:bool", "batch_size",
              "OUT report")],
      errors=_ERRORS)
def eudat_replication_batched(ctx: RuleContext, source: str, destination: str,
                              registered: bool, batch_size: str, dest_res: str = "") -> str:
    """EUDATReplication of a large collection cut into delay-rule batches of ``batch_size``
    objects (``EUDATReplicationBatch``, retried up to 6 times 10 minutes apart while it fails),
    so the delay server spreads the work and a failed batch does not redo the others.

    Checks and authorization happen now, for the whole tree. Batches already queued are not
    queued again. Report: ``scheduled=N queued=N objects=N``. Objects a batch cannot finish are
    left in the fail log.
    """
    from b2safe.workflows.batching import schedule_batches
    from b2safe.workflows.replication import Request

    size = to_count(batch_size, "batch_size")
    rep = replicator(ctx)
    request = Request(source, destination, _resource(dest_res), registered, True)
    args = (source, destination, request.resource or "null", "true" if registered else "false")
    batches = (((*args, kind, first, last), count)
               for kind, first, last, count in rep.batches(request, size))
    return str(schedule_batches(rep.catalog, BATCH_RULE, batches))


@rule(BATCH_RULE,
      forms=[("source", "destination", "dest_res", "registered:bool", "kind", "first_id",
              "last_id")],
      errors=_ERRORS)
def eudat_replication_batch(ctx: RuleContext, source: str, destination: str, dest_res: str,
                            registered: bool, kind: str, first_id: str, last_id: str) -> None:
    """One batch queued by EUDATReplicationBatched: the ``kind`` (``-C`` collections, ``-d``
    data objects) of the tree with ids ``first_id`` .. ``last_id``. Fails (so the delay server
    retries) when some objects could not be finished; they are also in the fail log."""
    from b2safe.ruleset import responses
    from b2safe.workflows.replication import Request

    request = Request(source, destination, _resource(dest_res), registered, True)
    failures = replicator(ctx).replicate_range(request, kind, first_id, last_id)
    if failures:
        raise ReplicationFailed(failures, SYS_INTERNAL_ERR, responses.failures(failures, 20))


@rule("EUDATPIDRegistration",
      params=("source", "destination", "notification"), outputs=("response",),
      errors=("InvalidPath", "UnknownZone", "NotFound", "AccessDenied"))
def eudat_pid_registration(ctx: RuleContext, source: str, destination: str,
                           notification: str) -> str:
    """Register an existing replica: source PID (created if missing), the replica's PID in the
    destination zone (EUDAT/PARENT, ROR, FIO, FIXED_CONTENT from the source), the child added to
    the parent's EUDAT/REPLICA. Response "None" on success, else the reason (also recorded in
    the fail log). ``notification`` is accepted for compatibility and ignored."""
    from b2safe.workflows.replication import Request

    request = Request(source, destination, registered=True, recursive=False)
    failure = replicator(ctx).register_existing(request)
    return "None" if failure is None else failure.cause


@rule("EUDATTransferUsingFailLog", params=("buffer_length",), outputs=("stats",),
      errors=("InvalidInput",))
def eudat_transfer_using_fail_log(ctx: RuleContext, buffer_length: str) -> str:
    """Retry up to ``buffer_length`` due replications from the fail log.

    A rodsadmin retries everyone's; other users their own. Stats:
    ``# of successes:S, # of failures:F``.
    """
    try:
        limit = int(buffer_length)
    except ValueError:
        raise InvalidInput(f"buffer_length must be a number, not {buffer_length[:20]!r}") \
            from None
    if not 1 <= limit <= 100000:
        raise InvalidInput("buffer_length must be between 1 and 100000")
    successes, failures = replicator(ctx).retry(limit)
    return f"# of successes:{successes}, # of failures:{failures}"


@rule("EUDATRetryInstall", forms=[("OUT response",)], admin_only=True)
def eudat_retry_install(ctx: RuleContext) -> str:
    """Queue the repeating fail-log retry (every ``replication.retry_period``, for ever) unless
    the caller has one queued. Queued by a rodsadmin it retries every user's records; the rule
    a failing replication queues for its own user retries only that user's. Response:
    ``queued`` or ``already queued``.
    """
    return "queued" if replicator(ctx).ensure_retry_rule() else "already queued"


@rule("EUDATUpdateLogging", params=("status", "source", "destination", "cause"),
      errors=("InvalidPath", "NotFound"))
def eudat_update_logging(ctx: RuleContext, status: str, source: str, destination: str,
                         cause: str) -> None:
    """Log a transfer result; a failure (status false) goes into the fail log for retry."""
    log_transfer(ctx, status, source, destination, cause)


def log_transfer(ctx: RuleContext, status: str, source: str, destination: str,
                 cause: str) -> None:
    """``EUDATUpdateLogging``'s work: log the result; a failure goes into the fail log."""
    from b2safe.ruleset import responses

    ok = to_bool(status, "status")
    message = responses.transfer(source, destination, ok, cause)
    if ok:
        logger.info("%s", message)
        return
    paths.validate_path(destination, "destination")
    authorize(ctx, authz.REPLICATE, source)
    rep = replicator(ctx)
    info = rep.workflow.stat(source, "source")
    rep.record_failure(info, destination, cause or "unknown", recursive=True)
    logger.error("%s", message)


@rule("b2safe_import_4x_failure", params=("source", "destination", "cause"),
      outputs=("requester",), admin_only=True,
      errors=("InvalidPath", "NotFound", "AccessDenied"))
def import_4x_failure(ctx: RuleContext, source: str, destination: str, cause: str) -> str:
    """Put one record of a B2SAFE 4.x fail queue into the fail log (the migrate command); the
    requester (the output) is the source's owner.

    A 4.x record (``source::destination::status::cause``) names no requester, and any 4.x user
    could push one (``EUDATQueue`` ran ``logmanager.py`` for whoever called it), so its text is
    a claim. It is signed neither for the importing rodsadmin (a retry would then copy with
    admin rights whatever the queue said) nor for a user the text names, but for the owner of
    the source in the catalog, the user 4.x's ``EUDATReplication`` required to own it, and only
    after that owner was authorized now: read (own) the source, write the destination (or the
    nearest existing collection above it), the authorization map. The retry authorizes the
    owner again when it acts.

    Raises:
        AccessDenied: the caller is not a rodsadmin, or the owner may not do this replication
            (nothing is recorded). NotFound: the source is gone.
    """
    paths.validate_path(destination, "destination")
    rep = replicator(ctx)
    info = rep.workflow.stat(source, "source")
    owner = f"{info.owner}#{info.owner_zone}"
    rep.on_behalf = owner
    rep.record_failure(info, destination, cause or "imported from B2SAFE 4.x", recursive=True)
    return owner


@rule("EUDATRegisterReplicas", params=("request",), outputs=("result",),
      errors=("InvalidInput", "AccessDenied"))
def eudat_register_replicas(ctx: RuleContext, request: str) -> str:
    """Create PIDs for replicas in this zone (called by the source zone through remote
    execution). ``request``: JSON ``[[path, parent_pid, ror, fio, fixed], ...]``; result: JSON
    ``{path: pid or "error: ..."}``."""
    import json

    from b2safe.workflows.replication import register_replicas

    workflow = pid_workflow(ctx)
    try:
        targets = [str(item[0]) for item in json.loads(request)]
    except (ValueError, TypeError, IndexError, KeyError):
        targets = []  # register_replicas reports the malformed request
    checked = False
    if targets:
        authorize(ctx, authz.PID, *targets)
        caller = ctx.caller
        if caller is None or not caller.is_admin:
            for target in targets:  # PIDs are made with the zone's Handle credentials
                paths.validate_path(target, "replica")
            writable = workflow.catalog.check_access_many(targets, "modify_object")
            for target in targets:
                if target not in writable:
                    raise AccessDenied(f"{caller or 'an unknown user'} may not write {target} "
                                       "(or it does not exist): no PID is registered for it")
            checked = True  # every target, just now: the workflow need not ask again
    return json.dumps(register_replicas(workflow, request, access_checked=checked))


def _resource(text: str) -> str:
    return "" if text in ("", "None", "null") else text
