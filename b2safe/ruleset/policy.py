"""Policy enforcement: upload policies, removal and the pending-work rule.

**Which PEP is "upload complete".** ``acPostProcForPut``. It fires once the data is in place for
both single-buffer and parallel (portal) ``iput`` (for the latter from ``rsDataObjClose``, after
the data arrived; ``pep_api_data_obj_put_post`` fires *before* a parallel transfer and is not
used), and it does **not** fire for copies, so replicas that ``msiDataObjRsync`` writes into a
policy collection of the destination zone do not trigger that zone's policies. Being a static
PEP, its errors are only logged. ``pep_resource_modified_post`` also fires for ``replica_close``
clients (HTTP API, S3, PRC parallel put), but equally for every copy and replication (maybe once
per resource of a hierarchy), so it cannot tell an upload from a replica arriving; it is not
hooked, and nothing is done twice. Guess: sites whose users upload only through replica_close
clients run ``EUDATPidsForCollBatched``/``EUDATReplication`` periodically instead.

**Fire once per upload.** iRODS keeps a legacy call of ``acPostProcForPut`` after a replication
(``irepl``, ``msiDataObjRepl``, phymv). That call is recognised because another good replica of
the object exists besides the one the PEP describes (a put leaves the other replicas stale) and
ignored. Everything the policy does is idempotent besides (one PID per path; one fail-log record
per source and destination).

**Never fail the upload.** A PID is created at once (``pid: now``) in this zone. When that fails
for a reason a retry can fix (PID service down), and for ``pid: deferred``, the object gets a
pending mark (:mod:`b2safe.state.pending`); replications are always written to the fail log
(:mod:`b2safe.state.faillog`) and done by the delay queue, as cross-zone work in PEPs breaks
parallel transfers across federation (irods#5017). One delay rule per user, ``EUDATPolicyPending``,
does both in batches; it is queued unless one is already queued (RULE_EXEC_NAME).

**Removal** (``deletion.mode``): ``refuse_fixed`` refuses (pre-PEP, SYS_NOT_ALLOWED) to remove a
data object whose EUDAT/FIXED_CONTENT AVU is True, or a collection holding one, unless the caller
is a rodsadmin; ``keep_and_mark`` keeps the PID record of a removed object and adds
``EUDAT/DELETED`` (ISO 8601 time of the removal) to it; ``ignore`` does nothing. For ``irm -r``
the pre-PEP (``pep_api_rm_coll_pre``) remembers the PIDs of the collection and of everything
below it (one streamed GenQuery per kind) and the post-PEP marks them through the PID service's
worker pool. A mark that fails for a reason a retry can fix (PID service down) never fails the
removal: it is kept as a pending removal mark on the surviving parent collection
(:mod:`b2safe.state.pending`) and done by ``EUDATPolicyPending``. Rename: see
:mod:`b2safe.ruleset.events` (``pid.update_url_on_rename``).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

from b2safe.domain import authz, paths, profile
from b2safe.errors import (
    SYS_NOT_ALLOWED,
    AccessDenied,
    B2SafeError,
    InvalidInput,
    NotFound,
    PidError,
    PidNotFound,
)
from b2safe.prep import RuleContext, pep, rule
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.guard import authorize
from b2safe.state.faillog import FailLog, FailRecord
from b2safe.state.pending import PendingMark, PendingMarks, PendingPid, PendingPids
from b2safe.state.signing import signer_for
from b2safe.workflows import policies
from b2safe.workflows.pids import FIXED_AVU, PARENT_AVU, PID_AVU, PidWorkflow

logger = logging.getLogger("b2safe.policy")

PENDING_RULE = "EUDATPolicyPending"
#: How long uploads collect before the pending-work rule runs (one rule per user per window).
PENDING_DELAY = "30s"
BATCH = 256
DELETED_KEY = "EUDAT/DELETED"
_QUEUED_CAUSE = "queued by upload policy"
_MAX_REMEMBERED = 1024



@dataclass
class _Removal:
    """What a removal pre-PEP remembers for its post-PEP: ``{pid: path}`` of the removed
    object(s) and the pending removal marks held below a removed collection."""

    pids: dict[str, str]
    carried: list[PendingMark] = field(default_factory=list)


#: Removals in progress, remembered by the pre-PEPs for the post-PEPs (per agent), by path.
_removing: dict[str, _Removal] = {}


# --- helpers -------------------------------------------------------------------------------------


def _doi_path(ctx: RuleContext) -> tuple[str, Optional[int]]:
    """(path, replica number) of the data object a static PEP describes (rei.doi)."""
    doi = getattr(ctx.rei, "doi", None)
    if doi is None:
        return "", None
    path = str(getattr(doi, "objPath", "") or "")
    try:
        repl: Optional[int] = int(getattr(doi, "replNum", -1))
    except (TypeError, ValueError):
        repl = None
    return path, repl


def _is_replication_event(catalog: Any, path: str, repl: Optional[int]) -> bool:
    """True when ``acPostProcForPut`` fired for a replication (the legacy quirk): another good
    replica of ``path`` exists besides replica ``repl``."""
    if repl is None or repl < 0:
        return False
    parent, name = paths.split(path)
    coll_cond, coll_ok = paths.gq_equals("COLL_NAME", parent)
    name_cond, name_ok = paths.gq_equals("DATA_NAME", name)
    rows = catalog.query(["COLL_NAME", "DATA_NAME", "DATA_REPL_NUM", "DATA_REPL_STATUS"],
                         f"{coll_cond} and {name_cond}",
                         lambda r: coll_ok(r[0]) and name_ok(r[1]))
    others = [r for r in rows if r[2] != str(repl) and r[3] == "1"]
    return bool(others)


def ensure_pending_rule(ctx: RuleContext, catalog: Any) -> bool:
    """Queue ``EUDATPolicyPending`` for the caller unless one is queued; True when queued now."""
    name = ctx.caller.name if ctx.caller else ""
    queued = [r for r in catalog.delayed_rules(f"%{PENDING_RULE}(%")
              if not name or r.user == name]
    if queued:
        return False
    replication = ctx.config.replication
    catalog.schedule_rule(PENDING_RULE, str(BATCH), "", delay=PENDING_DELAY,
                          frequency=f"{replication.retry_period} REPEAT UNTIL SUCCESS OR "
                                    f"{replication.max_attempts} TIMES")
    return True


def _mark_pending(ctx: RuleContext, catalog: Any, path: str, policy: str, cause: str) -> None:
    PendingPids(catalog).write(PendingPid(path=path, policy=policy, user=str(ctx.caller or ""),
                                          since=catalog.now(), cause=cause))


def _queue_replica(ctx: RuleContext, catalog: Any, path: str,
                   replica: policies.Replica) -> None:
    now = catalog.now()
    log = FailLog(catalog, signer_for(ctx.config))
    existing = log.get(path, "-d", replica.destination)
    log.write(FailRecord(source=path, destination=replica.destination,
                         cause=f"{_QUEUED_CAUSE} {replica.policy}", resource=replica.resource,
                         registered=replica.registered, recursive=False,
                         user=str(ctx.caller or ""), next_time=now,
                         first_time=existing.first_time if existing else now, kind="-d"))


def _create_pid(workflow: PidWorkflow, path: str, plan: policies.Plan) -> str:
    return workflow.create(path, ror=plan.ror or None, fio=plan.fio or None,
                           fixed=plan.fixed_content)


# --- upload complete -----------------------------------------------------------------------------


def apply_upload_policy(ctx: RuleContext, path: str, repl: Optional[int]) -> policies.Plan:
    """Apply the upload policies to the data object ``path`` (see the module docstring).

    Returns the plan that was followed. Raises only for failures of the catalog itself.
    """
    config = ctx.config
    if not config.policies or not path:
        return policies.Plan(path)
    try:
        paths.validate_path(path)
    except B2SafeError:
        return policies.Plan(path, skipped="not a valid path")
    workflow = pid_workflow(ctx)
    catalog = workflow.catalog
    if paths.zone_of(path) != catalog.zone or not policies.matching(config.policies, path):
        return policies.Plan(path)
    if _is_replication_event(catalog, path, repl):
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
            pid = _create_pid(workflow, path, plan)
            logger.info("policy %s: PID %s for %s", policy, pid, path)
        except PidError as exc:
            logger.warning("policy %s: PID for %s deferred (%s)", policy, path, exc)
            _mark_pending(ctx, catalog, path, policy, str(exc))
            need_rule = True
    elif plan.pid == policies.PID_DEFERRED:
        if not catalog.avus(path, "-d", PID_AVU):
            _mark_pending(ctx, catalog, path, policy, "deferred by policy")
            need_rule = True
    for replica in plan.replicas:
        _queue_replica(ctx, catalog, path, replica)
        need_rule = True
    if need_rule:
        ensure_pending_rule(ctx, catalog)
    return plan


@pep("acPostProcForPut")
def on_put(ctx: RuleContext, rule_args: list) -> None:
    """Upload complete (single-buffer and parallel put): apply the upload policies."""
    path, repl = _doi_path(ctx)
    apply_upload_policy(ctx, path, repl)


# --- the pending-work rule -----------------------------------------------------------------------


def process_pending_pids(ctx: RuleContext, workflow: PidWorkflow, limit: int
                         ) -> tuple[int, int]:
    """Create up to ``limit`` pending policy PIDs (the caller's own; all for a rodsadmin).

    Returns (created, failed); a failed mark stays with its cause.
    """
    caller = ctx.caller
    user = "" if caller is not None and caller.is_admin else str(caller or "")
    store = PendingPids(workflow.catalog)
    created = failed = 0
    marks = []
    for mark in store.marks(user):
        marks.append(mark)
        if len(marks) >= limit:
            break
    for mark in marks:
        info = workflow.catalog.stat(mark.path)
        if info is None or info.is_collection:
            store.clear(mark.path)
            continue
        plan = policies.plan(ctx.config.policies, mark.path, workflow.catalog.zone)
        if plan.pid == policies.PID_OFF:
            store.clear(mark.path)  # the policy changed since the upload
            continue
        try:
            authorize(ctx, authz.PID, mark.path)
            _create_pid(workflow, mark.path, plan)
        except (PidError, AccessDenied, NotFound) as exc:
            failed += 1
            logger.error("pending PID for %s not created: %s", mark.path, exc)
            store.write(mark.failed(str(exc)))
            continue
        store.clear(mark.path)
        created += 1
    return created, failed


@rule(PENDING_RULE, forms=[("limit",), ("limit", "OUT stats")],
      errors=("InvalidInput", "PidError"))
def policy_pending(ctx: RuleContext, limit: str) -> str:
    """Do the work policies left pending: mark the PID records of removed objects
    (``keep_and_mark`` while the PID service was down), create pending PIDs (``pid: deferred``
    or a PID service that was down), then retry due replications from the fail log.

    Queued by the upload and removal PEPs, run as that user (a rodsadmin does everyone's). At
    most ``limit`` of each per run. Fails while PIDs or marks remain pending (the delay server
    then runs it again); replications wait for pending PIDs, and those that fail stay in the
    fail log with their backoff. Stats: ``marked=N marks_failed=N pids_created=N pids_failed=N
    replicated=N replication_failed=N``.
    """
    text = limit.strip()
    if not text.isdigit() or not 1 <= int(text) <= 100000:
        raise InvalidInput(f"limit must be a number from 1 to 100000, not {text[:20]!r}")
    workflow = pid_workflow(ctx)
    marked, marks_failed = process_pending_marks(ctx, workflow, int(text))
    created, failed = process_pending_pids(ctx, workflow, int(text))
    stats = (f"marked={marked} marks_failed={marks_failed} "
             f"pids_created={created} pids_failed={failed}")
    if failed:
        # Replications would create the source PIDs without the policy's values: wait.
        raise PidError(f"{stats}; pending PIDs remain (see the server log)")
    from b2safe.ruleset.replication import replicator

    done, not_done = replicator(ctx).retry(int(text))
    stats = f"{stats} replicated={done} replication_failed={not_done}"
    if marks_failed:
        raise PidError(f"{stats}; pending removal marks remain (see the server log)")
    return stats


# --- removal -------------------------------------------------------------------------------------


def _fixed(catalog: Any, path: str) -> bool:
    return any(a.value.lower() == "true" for a in catalog.avus(path, "-d", FIXED_AVU))


def _fixed_below(catalog: Any, collection: str) -> int:
    cond, ok = paths.gq_below("COLL_NAME", collection)
    rows = catalog.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_VALUE"],
                         f"{cond} and META_DATA_ATTR_NAME = '{FIXED_AVU}'",
                         lambda r: ok(r[0]) and r[2].lower() == "true")
    return sum(1 for _ in rows)


def _api_path(rule_args: list, attribute: str) -> str:
    if len(rule_args) < 3 or rule_args[2] is None:
        return ""
    return str(getattr(rule_args[2], attribute, "") or "")


def _refusal(ctx: RuleContext) -> bool:
    caller = ctx.caller
    return ctx.config.deletion.mode == "refuse_fixed" and not (caller and caller.is_admin)


def _remember(path: str, removal: _Removal) -> None:
    if len(_removing) >= _MAX_REMEMBERED:
        _removing.clear()
    _removing[path] = removal


def _pids_in_use(catalog: Any, pids: list[str]) -> set[str]:
    """Which of ``pids`` some object or collection of the zone still carries as its PID AVU:
    one query per kind per 256 PIDs (a PID with a quote is looked up on its own)."""
    found: set[str] = set()
    plain = sorted({p for p in pids if "'" not in p})
    quoted = sorted({p for p in pids if "'" in p})
    # Guess: GenQuery shows a rodsuser every object's AVUs unless the zone runs a strict ACL
    # policy; with one, a PID of an object the retrying user cannot read is not seen as in use.
    for attr, value in (("META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE"),
                        ("META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE")):
        conditions = []
        for start in range(0, len(plain), 256):
            listed = ",".join(f"'{p}'" for p in plain[start:start + 256])
            conditions.append(f"{attr} = '{PID_AVU}' and {value} in ({listed})")
        for pid in quoted:
            cond, _ = paths.gq_equals(value, pid)
            conditions.append(f"{attr} = '{PID_AVU}' and {cond}")
        for condition in conditions:
            found.update(row[1] for row in catalog.query([attr, value], condition)
                         if row[1] in pids)
    return found


def _mark_records(workflow: PidWorkflow, marks: list[PendingMark],
                  check: Optional[Callable[[PendingMark], None]] = None
                  ) -> tuple[list[PendingMark], list[tuple[PendingMark, BaseException]],
                             list[tuple[PendingMark, BaseException]]]:
    """Add EUDAT/DELETED (the mark's removal time) to each record, through the PID service's
    worker pool (the workers only do HTTP; ``check`` too, before the update).

    Returns (marked, retry: failures a retry can fix, dropped: failures it cannot). A record
    that is gone (PidNotFound) is dropped; any other PidError (service down, refused
    credentials) is kept for a retry.
    """
    marked: list[PendingMark] = []
    retry: list[tuple[PendingMark, BaseException]] = []
    dropped: list[tuple[PendingMark, BaseException]] = []
    if not marks:
        return marked, retry, dropped
    service = workflow.pids
    bulk, update = service.bulk, service.update  # resolved here, on the rule's thread

    def mark(item: PendingMark) -> None:
        if check is not None:
            check(item)
        # Guess: "mark" = a DELETED value next to the profile values; URL and checksum are kept.
        update(item.pid, {DELETED_KEY: profile.iso8601_utc(item.deleted)})

    for item, result in bulk(mark, marks):
        if not isinstance(result, BaseException):
            marked.append(item)
        elif isinstance(result, PidError) and not isinstance(result, PidNotFound):
            retry.append((item, result))
        else:
            dropped.append((item, result))
    return marked, retry, dropped


def _keep_pending(ctx: RuleContext, catalog: Any, removed: str,
                  marks: list[PendingMark]) -> int:
    """Store pending marks (as the caller's) on the parent of ``removed``; returns how many
    were kept (none when the caller may not change the parent's metadata: then logged)."""
    store = PendingMarks(catalog)
    user = str(ctx.caller or "")
    holder = paths.split(removed)[0]
    kept = 0
    for mark in marks:
        try:
            store.write(replace(mark, user=user, holder=holder))
            kept += 1
        except B2SafeError as error:
            logger.error("PID %s of removed %s was not marked %s (%s) and the mark could not "
                         "be kept on %s for a retry: %s", mark.pid, mark.removed, DELETED_KEY,
                         mark.cause, holder, error)
    return kept


def mark_removed(ctx: RuleContext, removed: str, removal: _Removal) -> tuple[int, int]:
    """``keep_and_mark`` after ``removed`` is gone: mark the remembered records; keep those a
    retry can fix as pending marks, move the carried pending marks (held below a removed
    collection, checked only by the retry) to the new holder, and queue the pending rule.

    Returns (marked, kept pending). Raises only for failures of the catalog itself.
    """
    workflow = pid_workflow(ctx)
    catalog = workflow.catalog
    now = catalog.now()
    user = str(ctx.caller or "")
    marks = [PendingMark(pid=pid, removed=path, user=user, deleted=now)
             for pid, path in removal.pids.items()]
    marked, retry, dropped = _mark_records(workflow, marks)
    for mark, exc in dropped:
        logger.warning("PID %s of removed %s not marked: %s", mark.pid, mark.removed, exc)
    pending = [mark.failed(str(exc)) for mark, exc in retry]
    pending += [m for m in removal.carried if m.pid not in removal.pids]
    kept = _keep_pending(ctx, catalog, removed, pending) if pending else 0
    if kept:
        ensure_pending_rule(ctx, catalog)
    logger.info("removal of %s: %d PID record(s) kept and marked %s, %d left for a retry",
                removed, len(marked), DELETED_KEY, kept)
    return len(marked), kept


def process_pending_marks(ctx: RuleContext, workflow: PidWorkflow, limit: int
                          ) -> tuple[int, int]:
    """Retry up to ``limit`` pending removal marks (the caller's own; all for a rodsadmin).

    A mark is done only when the removed path is below the collection holding the mark, the
    record's URL points at that path and no object of the zone visible to the caller carries
    the PID any more (see :mod:`b2safe.state.pending`); otherwise it is dropped. Returns
    (marked, failed); a failed mark stays with its cause.
    """
    caller = ctx.caller
    user = "" if caller is not None and caller.is_admin else str(caller or "")
    catalog = workflow.catalog
    store = PendingMarks(catalog)
    marks = list(itertools.islice(store.marks(user), limit))
    if not marks:
        return 0, 0
    in_use = _pids_in_use(catalog, [m.pid for m in marks])
    urls: dict[str, set[str]] = {}
    todo = []
    for mark in marks:
        try:
            if not mark.removed.startswith(mark.holder.rstrip("/") + "/"):
                raise InvalidInput(f"{mark.removed} is not below {mark.holder}, which holds it")
            if mark.pid in in_use:
                raise InvalidInput("an object of the zone carries it again")
            urls[mark.pid] = set(workflow.candidate_urls(mark.removed))
        except B2SafeError as exc:
            logger.warning("pending mark of PID %s dropped: %s", mark.pid, exc)
            store.clear(mark)
            continue
        todo.append(mark)
    get = workflow.pids.get

    def check(mark: PendingMark) -> None:
        url = get(mark.pid).url
        if url not in urls[mark.pid]:
            raise InvalidInput(f"its URL {url[:200]} is not that of {mark.removed}")

    marked, retry, dropped = _mark_records(workflow, todo, check)
    for mark in marked:
        store.clear(mark)
    for mark, exc in dropped:
        logger.warning("pending mark of PID %s (removed %s) dropped: %s", mark.pid,
                       mark.removed, exc)
        store.clear(mark)
    for mark, exc in retry:
        logger.error("PID %s of removed %s still not marked: %s", mark.pid, mark.removed, exc)
        store.write(mark.failed(str(exc)))
    return len(marked), len(retry)


@pep("pep_api_data_obj_unlink_pre")
def on_unlink_pre(ctx: RuleContext, rule_args: list) -> Optional[int]:
    """Before a data object is removed: refuse FIXED_CONTENT data (``refuse_fixed``), or
    remember its PID for the post-PEP (``keep_and_mark``)."""
    mode = ctx.config.deletion.mode
    path = _api_path(rule_args, "objPath")
    if mode == "ignore" or not path:
        return None
    paths.validate_path(path)
    catalog = pid_workflow(ctx).catalog
    if paths.zone_of(path) != catalog.zone:
        return None
    _removing.pop(path, None)
    if _refusal(ctx) and _fixed(catalog, path):
        logger.error("refusing to remove %s: it is registered with EUDAT/FIXED_CONTENT=True "
                     "(deletion.mode refuse_fixed)", path)
        return SYS_NOT_ALLOWED
    if mode == "keep_and_mark":
        pids = {a.value: path for a in catalog.avus(path, "-d", PID_AVU)}
        if pids:
            _remember(path, _Removal(pids))
    return None


@pep("pep_api_data_obj_unlink_post")
def on_unlink_post(ctx: RuleContext, rule_args: list) -> None:
    """After a data object was removed (``keep_and_mark``): add EUDAT/DELETED to its PID; when
    the PID service is down, keep the mark for ``EUDATPolicyPending``."""
    path = _api_path(rule_args, "objPath")
    removal = _removing.pop(path, None)
    if removal is None or ctx.config.deletion.mode != "keep_and_mark":
        return
    mark_removed(ctx, path, removal)


@pep("pep_api_rm_coll_pre")
def on_rm_coll_pre(ctx: RuleContext, rule_args: list) -> Optional[int]:
    """Before a collection is removed: refuse when it holds FIXED_CONTENT data
    (``refuse_fixed``), or remember the PIDs of the collection and of everything below it, and
    the pending removal marks kept below it, for the post-PEP (``keep_and_mark``)."""
    # Guess: like the other collection APIs, rule_args[2] is the CollInp (collName,
    # condInput); rule_args[3] is rsRmColl's CollOprStat output, unused here.
    mode = ctx.config.deletion.mode
    path = _api_path(rule_args, "collName")
    if mode == "ignore" or not path:
        return None
    paths.validate_path(path)
    catalog = pid_workflow(ctx).catalog
    if paths.zone_of(path) != catalog.zone:
        return None
    _removing.pop(path, None)
    if _refusal(ctx):
        count = _fixed_below(catalog, path)
        if count:
            logger.error("refusing to remove %s: it holds %d object(s) registered with "
                         "EUDAT/FIXED_CONTENT=True (deletion.mode refuse_fixed)", path, count)
            return SYS_NOT_ALLOWED
    if mode == "keep_and_mark":
        # One streamed query per kind; replicas repeat a data object's rows (dict dedupes).
        pids = {pid: where for where, pid in catalog.paths_with_avu(path, PID_AVU)}
        carried = list(PendingMarks(catalog).marks(below=path))
        if pids or carried:
            _remember(path, _Removal(pids, carried))
    return None


@pep("pep_api_rm_coll_post")
def on_rm_coll_post(ctx: RuleContext, rule_args: list) -> None:
    """After a collection was removed (``keep_and_mark``): add EUDAT/DELETED to the PIDs of the
    collection and of everything that was below it (pooled HTTP); when the PID service is down,
    keep the marks on the parent collection for ``EUDATPolicyPending``."""
    # Guess: the sandbox removes a collection at once; a server without -f moves it to the
    # trash first, and the records are marked then, as for data objects.
    path = _api_path(rule_args, "collName")
    removal = _removing.pop(path, None)
    if removal is None or ctx.config.deletion.mode != "keep_and_mark":
        return
    mark_removed(ctx, path, removal)
