"""Upload policies: what happens when a data object's upload completes (``acPostProcForPut``).

**Fire once per upload.** iRODS keeps a legacy call of ``acPostProcForPut`` after a replication
(``irepl``, ``msiDataObjRepl``, phymv). That call is recognised because another good replica of
the object exists besides the one the PEP describes (a put leaves the other replicas stale) and
ignored (:func:`is_replication_event`). Everything the policy does is idempotent besides (one
PID per path; one fail-log record per source and destination).

**Never fail the upload.** A PID is created at once (``pid: now``) in this zone. When that fails
for a reason a retry can fix (PID service down), and for ``pid: deferred``, the object gets a
pending mark (:mod:`b2safe.state.pending`); replications are always written to the fail log
(:mod:`b2safe.state.faillog`) and done by the delay queue, as cross-zone work in PEPs breaks
parallel transfers across federation (irods#5017). The pending-work rule
(:mod:`b2safe.workflows.pending_work`) does both in batches.
"""

from __future__ import annotations

import itertools
import logging
from typing import Callable, Optional, Sequence

from b2safe.config import Config
from b2safe.domain import authz, paths
from b2safe.errors import AccessDenied, B2SafeError, NotFound, PidError
from b2safe.ports import Caller, ReplicaRow
from b2safe.state.faillog import FailLog, FailRecord
from b2safe.state.pending import PendingPid, PendingPids
from b2safe.state.signing import signer_for
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

    def apply(self, path: str, repl: Optional[int]) -> policies.Plan:
        """Apply the upload policies to the data object ``path`` (replica ``repl``).

        Returns the plan that was followed. Raises only for failures of the catalog itself.
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
        need_rule = False
        if plan.pid == policies.PID_NOW:
            try:
                pid = self._create_pid(path, plan)
                logger.info("policy %s: PID %s for %s", policy, pid, path)
            except PidError as exc:
                logger.warning("policy %s: PID for %s deferred (%s)", policy, path, exc)
                self._mark_pending(path, policy, str(exc))
                need_rule = True
        elif plan.pid == policies.PID_DEFERRED and not catalog.avus(path, "-d", PID_AVU):
            self._mark_pending(path, policy, "deferred by policy")
            need_rule = True
        for replica in plan.replicas:
            self._queue_replica(path, replica)
            need_rule = True
        if need_rule:
            ensure_pending_rule(catalog, self.caller, config)
        return plan

    def process_pending(self, limit: int, authorize: Authorize) -> tuple[int, int]:
        """Create up to ``limit`` pending policy PIDs (the caller's own; all for a rodsadmin).

        Returns (created, failed); a failed mark stays with its cause.
        """
        store = PendingPids(self.catalog)
        created = failed = 0
        for mark in list(itertools.islice(store.marks(owner_filter(self.caller)), limit)):
            info = self.catalog.stat(mark.path)
            if info is None or info.is_collection:
                store.clear(mark.path)
                continue
            plan = policies.plan(self.config.policies, mark.path, self.catalog.zone)
            if plan.pid == policies.PID_OFF:
                store.clear(mark.path)  # the policy changed since the upload
                continue
            try:
                authorize(authz.PID, mark.path)
                self._create_pid(mark.path, plan)
            except (PidError, AccessDenied, NotFound) as exc:
                failed += 1
                logger.error("pending PID for %s not created: %s", mark.path, exc)
                store.write(mark.failed(str(exc)))
                continue
            store.clear(mark.path)
            created += 1
        return created, failed

    def _create_pid(self, path: str, plan: policies.Plan) -> str:
        return self.workflow.create(path, ror=plan.ror or None, fio=plan.fio or None,
                                    fixed=plan.fixed_content)

    def _mark_pending(self, path: str, policy: str, cause: str) -> None:
        PendingPids(self.catalog).write(PendingPid(
            path=path, policy=policy, user=str(self.caller or ""), since=self.catalog.now(),
            cause=cause))

    def _queue_replica(self, path: str, replica: policies.Replica) -> None:
        now = self.catalog.now()
        log = FailLog(self.catalog, signer_for(self.config))
        existing = log.get(path, "-d", replica.destination)
        log.write(FailRecord(source=path, destination=replica.destination,
                             cause=f"{QUEUED_CAUSE} {replica.policy}",
                             resource=replica.resource, registered=replica.registered,
                             recursive=False, user=str(self.caller or ""), next_time=now,
                             first_time=existing.first_time if existing else now, kind="-d"))
