"""Upload policies: what happens when a data object arrives in a policy collection.

The PEPs that report an arrival, one per upload route, are bound in
:mod:`b2safe.ruleset.ingest` (docs/policies.md has the route x hook table with sources).

**Fire once per upload.** Several PEPs may describe one arrival (several finalizing
``replica_close`` calls of an S3 multipart upload; iRODS's legacy ``acPostProcForPut`` after a
replication (``irepl``, ``msiDataObjRepl``, phymv), recognised because another good replica of
the object exists besides the one the PEP describes, :func:`is_replication_event`). Everything
the policy does is idempotent, and a repeated event writes nothing: one PID per path (its PID
AVU), one pending mark per object, one fail-log record per source and destination, one queued
pending-work rule per user.

**Never fail the upload.** A PID is created at once (``pid: now``) in this zone, unless the route
may still be writing the object (``defer_pid``: a replica_close can finalize before an S3
multipart upload is complete; a touch usually precedes the write), so that the PID records the
checksum of the complete object. Then, for ``pid: deferred``, and when the PID service is down
(a retry can fix it), the object gets a pending mark (:mod:`b2safe.state.pending`); replications
are always written to the fail log (:mod:`b2safe.state.faillog`) and done by the delay queue, as
cross-zone work in PEPs breaks parallel transfers across federation (irods#5017). The
pending-work rule (:mod:`b2safe.workflows.pending_work`) does both in batches.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from typing import Callable, Optional, Sequence

from b2safe.config import Config
from b2safe.domain import access, authz, paths
from b2safe.errors import AccessDenied, B2SafeError, NotFound, PidError
from b2safe.ports import Caller, ReplicaRow
from b2safe.state.faillog import FailLog, FailRecord, Stage
from b2safe.state.pending import PENDING_PID_AVU, GivenUpPid, PendingPid, PendingPids
from b2safe.state.signing import once, signer_for
from b2safe.workflows import policies
from b2safe.workflows.pending_work import ensure_pending_rule, owner_filter
from b2safe.workflows.pids import PARENT_AVU, PID_AVU, PidWorkflow

logger = logging.getLogger("b2safe.workflows.upload")

QUEUED_CAUSE = "queued by upload policy"

#: ``authorize(action, path)``: the authorization map's verdict for the caller (raises).
Authorize = Callable[[str, str], None]


def is_replication_event(replicas: Sequence[ReplicaRow], repl: Optional[int]) -> bool:
    """True when ``acPostProcForPut`` fired for a replication (the legacy quirk): another good
    replica than ``repl`` exists."""
    if repl is None or repl < 0:
        return False
    return any(r.repl_num != repl and r.status == 1 for r in replicas)


class Uploads:
    """Upload policies on behalf of ``caller`` in the zone of ``workflow``."""

    def __init__(self, workflow: PidWorkflow, config: Config, caller: Optional[Caller]) -> None:
        self.workflow = workflow
        self.catalog = workflow.catalog
        self.config = config
        self.caller = caller

    def apply(self, path: str, repl: Optional[int] = None, *,
              defer_pid: bool = False, from_other_zone: bool = False) -> policies.Plan:
        """Apply the upload policies to the data object ``path`` that just arrived.

        ``repl``: the replica a static PEP describes (filters the legacy acPostProcForPut after
        a replication); ``defer_pid``: the route may still be writing, so a ``pid: now`` PID is
        left to the delay queue; ``from_other_zone``: another zone's server copied the object
        in (icp, irsync, or that zone's replication), so all of the work is left to the delay
        queue (:meth:`_leave_to_delay_queue`). Returns the plan that was followed. Costs
        nothing (no catalog or PID request) for a path no policy covers. Raises only for
        failures of the catalog itself.
        """
        config, catalog = self.config, self.catalog
        if not config.policies or not path:
            return policies.Plan(path)
        try:
            paths.validate_path(path)
        except B2SafeError:
            return policies.Plan(path, skipped="not a valid path")
        if paths.zone_of(path) != catalog.zone or not policies.matching(config.policies, path):
            return policies.Plan(path)
        if is_replication_event(catalog.replicas_of(path), repl):
            return policies.Plan(path, skipped="acPostProcForPut after a replication")
        is_replica = bool(catalog.avus(path, "-d", PARENT_AVU))
        plan = policies.plan(config.policies, path, catalog.zone, is_replica=is_replica)
        if plan.skipped:
            logger.info("upload policy for %s skipped: %s", path, plan.skipped)
            return plan
        policy = plan.policies[0]
        if from_other_zone:
            self._leave_to_delay_queue(path, policy)
            return plan
        need_rule = False
        if plan.pid == policies.PID_NOW and not defer_pid:
            try:
                pid = self._create_pid(path, plan)
                logger.info("policy %s: PID %s for %s", policy, pid, path)
            except PidError as exc:
                logger.warning("policy %s: PID for %s deferred (%s)", policy, path, exc)
                self._mark_pending(path, policy, str(exc))
                need_rule = True
        elif plan.pid != policies.PID_OFF and not catalog.avus(path, "-d", PID_AVU):
            cause = "deferred by policy" if plan.pid == policies.PID_DEFERRED else \
                "deferred until the upload is complete"
            self._mark_pending(path, policy, cause)
            need_rule = True
        for replica in plan.replicas:
            self._queue_replica(path, replica)
            need_rule = True
        if need_rule:
            ensure_pending_rule(catalog, self.caller, config, catalog.now())
        return plan

    def _leave_to_delay_queue(self, path: str, policy: str) -> None:
        """An object another zone's server copied in: one mark asking for its PID and its
        replications, all done by the pending-work rule. That zone's own b2safe replication
        arrives the same way, and its replica carries EUDAT/PARENT only once that zone
        registered it, after the copy: the rule, which runs later, tells the two apart
        (:meth:`process_pending`)."""
        if any(a.value == policy for a in self.catalog.avus(path, "-d", PENDING_PID_AVU)):
            return  # a repeated event: the mark is there
        now = self.catalog.now()
        self._pending().write(PendingPid(
            path=path, policy=policy, user=str(self.caller or ""), since=now,
            cause="copied in from another zone", replicate=True))
        ensure_pending_rule(self.catalog, self.caller, self.config, now)

    def process_pending(self, limit: int, authorize: Authorize) -> tuple[int, int]:
        """Create up to ``limit`` pending policy PIDs (the caller's own; all for a rodsadmin),
        and queue the replications a mark asks for (``replicate``).

        An object that is a replica by now (EUDAT/PARENT, or in a replica area of this zone's
        policies) gets neither: its PID comes from the replication that made it. Returns
        (created, failed); a failed mark stays with its cause.
        """
        store = self._pending()
        created = failed = 0
        for mark in list(itertools.islice(store.marks(owner_filter(self.caller)), limit)):
            info = self.catalog.stat(mark.path)
            if info is None or info.is_collection:
                store.clear(mark.path)
                continue
            is_replica = bool(self.catalog.avus(mark.path, "-d", PARENT_AVU))
            plan = policies.plan(self.config.policies, mark.path, self.catalog.zone,
                                 is_replica=is_replica)
            if plan.skipped:
                logger.info("pending policy work of %s dropped: %s", mark.path, plan.skipped)
                store.clear(mark.path)
                continue
            if plan.pid == policies.PID_OFF:  # the policy changed since, or never had PIDs
                self._queue_replicas(mark, plan)  # re-authorized when they are done
                store.clear(mark.path)
                continue
            try:
                authorize(authz.PID, mark.path)
                self._authorize_requester(mark)
                self._queue_replicas(mark, plan)
                self._create_pid(mark.path, plan)
            except (PidError, AccessDenied, NotFound) as exc:
                failed += 1
                logger.error("pending PID for %s not created: %s", mark.path, exc)
                store.write(mark.failed(str(exc)))
                continue
            store.clear(mark.path)
            created += 1
        return created, failed

    def give_up_removed(self, path: str, is_collection: bool) -> int:
        """Before ``path`` is removed: its pending PIDs (for a collection, those of the data
        objects below it) would vanish with their objects, silently. Each signed mark is kept
        on the surviving parent collection, given up, with the reason (``b2safe status`` lists
        it; it is never retried); given-up records held in a removed collection move to that
        parent too. Returns how many were kept; failures are logged (the removal goes ahead).
        """
        holder = paths.split(path)[0]
        if holder == "/" or paths.zone_of(path) != self.catalog.zone or \
                not self.config.policies:  # marks come from policies (none: none are kept)
            return 0
        if not is_collection and not policies.matching(self.config.policies, path):
            return 0
        store = self._pending()
        if is_collection:
            marks = list(store.marks(below=path, move_aside=False))
            records = [replace(r, holder=holder) for r in store.given_up(path)]
        else:
            marks, records = store.of(path), []
        records += [GivenUpPid(path=m.path, policy=m.policy, holder=holder, user=m.user,
                               since=m.since,
                               cause="its data object was removed before its PID was "
                                     f"created (last cause: {m.cause}): not created")
                    for m in marks]
        kept = 0
        for record in records:
            try:
                store.give_up(record)
                kept += 1
            except B2SafeError as exc:
                logger.error("pending PID of %s is lost with it: %s", record.path, exc)
                continue
            logger.warning("pending PID of %s given up: %s (kept on %s)", record.path,
                           record.cause, holder)
        return kept

    def _queue_replicas(self, mark: PendingPid, plan: policies.Plan) -> None:
        """The replications a ``replicate`` mark asks for, on behalf of its requester."""
        if mark.replicate:
            for replica in plan.replicas:
                self._queue_replica(mark.path, replica, mark.user)

    def _authorize_requester(self, mark: PendingPid) -> None:
        """A run by someone else (a rodsadmin's) creates the PID on behalf of the mark's
        requester, so it is authorized for her, now: she may still write the object (ACLs as of
        this moment, groups included) and the authorization map lets her create PIDs.

        Raises:
            AccessDenied: she lost the right since the upload (the mark stays, with the cause).
        """
        if not mark.user or mark.user == str(self.caller or ""):
            return
        user = access.split_user(mark.user)
        if user is None:
            raise AccessDenied(f"pending PID of {mark.path}: requester {mark.user!r} is not "
                               "a valid user name#zone")
        name, zone = user
        held = self.catalog.access_of(mark.path, name, zone, False)
        if not access.allows(held, access.WRITE):
            raise AccessDenied(f"{mark.user} (on whose behalf the PID of {mark.path} is pending) "
                               "may no longer write it")
        settings = self.config.authorization
        authz.check(settings.enabled, settings.map_file, mark.user, authz.PID, [mark.path])

    def _create_pid(self, path: str, plan: policies.Plan) -> str:
        return self.workflow.create(path, ror=plan.ror or None, fio=plan.fio or None,
                                    fixed=plan.fixed_content)

    def _pending(self) -> PendingPids:
        return PendingPids(self.catalog, signer_for(self.config, once(self.catalog.now)))

    def _mark_pending(self, path: str, policy: str, cause: str) -> None:
        if any(a.value == policy for a in self.catalog.avus(path, "-d", PENDING_PID_AVU)):
            return  # a repeated event: the mark is there
        self._pending().write(PendingPid(
            path=path, policy=policy, user=str(self.caller or ""), since=self.catalog.now(),
            cause=cause))

    def _queue_replica(self, path: str, replica: policies.Replica,
                       user: Optional[str] = None) -> None:
        """A fail-log record for ``replica`` of ``path`` on behalf of ``user`` (default: the
        caller), unless one exists."""
        now = self.catalog.now()
        log = FailLog(self.catalog, signer_for(self.config, once(self.catalog.now)))
        existing = log.get(path, "-d", replica.destination)
        if existing is not None:
            return  # queued by a repeated event, or waiting for its retry: it copies the latest
        log.write(FailRecord(source=path, destination=replica.destination,
                             cause=f"{QUEUED_CAUSE} {replica.policy}",
                             resource=replica.resource, registered=replica.registered,
                             recursive=False,
                             user=str(self.caller or "") if user is None else user,
                             next_time=now,
                             first_time=now, stage=Stage.QUEUED, kind="-d"))
