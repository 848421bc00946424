"""Integrity rules: B2SAFE's EUDATCheckIntegrity* (names, argument forms, responses) and sweeps.

PREP rules cannot return a value, so the original boolean result is given two ways: every form
keeps the original arguments and writes ``response`` (B2SAFE's wording: ``missing replicated
object``, ``size(a:r:):1 != size(b:r:):2``, ``checksum(a):X != checksum(b):Y, ...``, and for
collections ``src::dst::false::reason`` joined by commas), and each rule has one more form with a
trailing ``OUT status`` ("true"/"false"). The port adds the PID record as a third witness and
names the witness that disagrees at the end of a failing response.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from b2safe.domain import authz
from b2safe.domain.paths import validate_path
from b2safe.errors import InvalidInput, NotFound
from b2safe.prep import RuleContext, rule, to_count
from b2safe.ruleset._wiring import integrity_catalog, lazy_pid_service
from b2safe.ruleset.guard import authorize

if TYPE_CHECKING:
    from b2safe.ports import IntegrityCatalog
    from b2safe.workflows.integrity import IntegrityChecker, Report, Verdict

# The integrity workflows, the sweeps and the signing of their records are imported inside the
# rules that use them: every agent imports every rule module when it loads core.py, and most of
# its calls are not integrity checks (issue 19, start cost per rule call).

#: ``b2safe.workflows.check_batches.BATCH_RULE`` (a test checks they are the same); named here
#: so that declaring the rule does not import the integrity workflow.
BATCH_RULE = "EUDATCheckIntegrityBatch"
_CHECK_ERRORS = ("InvalidPath", "NotFound", "IrodsCallError")


def checker(ctx: RuleContext) -> IntegrityChecker:
    """The integrity checker of the zone running the rule (PID witness when PIDs are on)."""
    from b2safe.state.signing import once, signer_for
    from b2safe.workflows.integrity import IntegrityChecker
    from b2safe.workflows.pids import PidWorkflow

    catalog = integrity_catalog(ctx)
    pids = lazy_pid_service(ctx)
    urls = PidWorkflow(catalog, None, ctx.config).candidate_urls
    return IntegrityChecker(catalog, pids, urls, signer=signer_for(ctx.config, once(catalog.now)),
                            requester=str(ctx.caller or ""))


def _res(value: str) -> str:
    return "" if value in ("", "null", "None", "%") else value


def _check_do(ctx: RuleContext, source: str, destination: str, source_res: str,
              dest_res: str, log_enabled: bool) -> Verdict:
    validate_path(source, "source")
    validate_path(destination, "destination")
    if log_enabled:
        authorize(ctx, authz.INTEGRITY, source)
    from b2safe.workflows.integrity import object_facts

    check = checker(ctx)
    src = object_facts(check.catalog, source)
    if src is None:
        raise NotFound(f"source {source} does not exist or is not visible to you")
    verdict = check.check(src, object_facts(check.catalog, destination), destination,
                          source_res=_res(source_res), dest_res=_res(dest_res))
    if log_enabled:
        check.record(verdict)
    return verdict


def _result(ok: bool, response: str) -> dict[str, str]:
    return {"response": response, "status": "true" if ok else "false"}


@rule("EUDATCheckIntegrityDO", forms=[
    ("source", "destination", "log_enabled:bool", "OUT response"),
    ("source", "destination", "log_enabled:bool", "OUT response", "OUT status"),
    ("source", "source_res", "destination", "dest_res", "log_enabled:bool", "OUT response"),
    ("source", "source_res", "destination", "dest_res", "log_enabled:bool", "OUT response",
     "OUT status"),
], errors=_CHECK_ERRORS)
def check_integrity_do(ctx: RuleContext, source: str, destination: str, log_enabled: bool,
                       source_res: str = "null", dest_res: str = "null") -> dict[str, str]:
    """Compare a data object with its replica: existence, size, checksum, PID record.

    Missing checksums are computed (and dated with ``eudat_dpm_checksum_date:<resc>``). With
    ``logEnabled`` a failure is recorded as AVU ``eudat_pending:integrity`` on the source (and a
    pass clears it). ``status`` is "true" when every witness agrees.
    """
    from b2safe.ruleset import responses

    verdict = _check_do(ctx, source, destination, source_res, dest_res, log_enabled)
    return _result(verdict.ok, responses.integrity(verdict))


def _collections(ctx: RuleContext, catalog: IntegrityCatalog, s_coll: str, d_coll: str, *,
                 authorized: bool) -> tuple[str, str]:
    """Source and destination collection paths, validated, the caller authorized for integrity
    work on the source when ``authorized``, both existing; without a trailing slash."""
    validate_path(s_coll, "source collection")
    validate_path(d_coll, "destination collection")
    if authorized:
        authorize(ctx, authz.INTEGRITY, s_coll)
    for path, what in ((s_coll, "source"), (d_coll, "destination")):
        info = catalog.stat(path)
        if info is None or not info.is_collection:
            raise InvalidInput(f"{what} path {path} is not a collection")
    return s_coll.rstrip("/"), d_coll.rstrip("/")


def _check_coll(ctx: RuleContext, s_coll: str, d_coll: str, source_res: str, dest_res: str,
                log_enabled: bool) -> Report:
    from b2safe.workflows.integrity import Report

    check = checker(ctx)
    source, destination = _collections(ctx, check.catalog, s_coll, d_coll,
                                       authorized=log_enabled)
    return check.check_collection(source, destination,
                                  source_res=_res(source_res), dest_res=_res(dest_res),
                                  record=log_enabled,
                                  report=Report(root=s_coll, destination=d_coll,
                                                keep=10_000))


def _coll_response(report: Report) -> str:
    from b2safe.ruleset import responses

    return ",".join(responses.transfer(v.source, v.destination, False, responses.integrity(v))
                    for v in report.failures)


@rule("EUDATCheckIntegrityColl", forms=[
    ("s_coll", "d_coll", "log_enabled:bool", "OUT response"),
    ("s_coll", "d_coll", "log_enabled:bool", "OUT response", "OUT status"),
    ("s_coll", "source_res", "d_coll", "dest_res", "log_enabled:bool", "OUT response"),
    ("s_coll", "source_res", "d_coll", "dest_res", "log_enabled:bool", "OUT response",
     "OUT status"),
], errors=(*_CHECK_ERRORS, "InvalidInput"))
def check_integrity_coll(ctx: RuleContext, s_coll: str, d_coll: str, log_enabled: bool,
                         source_res: str = "null", dest_res: str = "null") -> dict[str, str]:
    """Compare every object under ``s_coll`` with its twin under ``d_coll``.

    Uses three GenQuery streams merged in sorted order (N/256 round trips each). ``response``
    lists failures as ``src::dst::false::reason`` joined by commas ('' when all agree).
    """
    report = _check_coll(ctx, s_coll, d_coll, source_res, dest_res, log_enabled)
    return _result(report.failed == 0, _coll_response(report))


@rule("EUDATCheckIntegrity", forms=[
    ("source", "destination", "log_enabled:bool", "notification", "OUT response"),
    ("source", "destination", "log_enabled:bool", "notification", "OUT response",
     "OUT status"),
    ("source", "source_res", "destination", "dest_res", "log_enabled:bool", "notification",
     "OUT response"),
    ("source", "source_res", "destination", "dest_res", "log_enabled:bool", "notification",
     "OUT response", "OUT status"),
], errors=(*_CHECK_ERRORS, "InvalidInput"))
def check_integrity(ctx: RuleContext, source: str, destination: str, log_enabled: bool,
                    notification: str, source_res: str = "null",
                    dest_res: str = "null") -> dict[str, str]:
    """Check a data object or a collection against its replica (dispatch on the source type).

    ``notification`` is accepted for compatibility (B2SAFE's messaging was disabled).
    """
    validate_path(source, "source")
    info = integrity_catalog(ctx).stat(source)
    if info is None:
        raise NotFound(f"source {source} does not exist or is not visible to you")
    if info.is_collection:
        report = _check_coll(ctx, source, destination, source_res, dest_res, log_enabled)
        return _result(report.failed == 0, _coll_response(report))
    from b2safe.ruleset import responses

    verdict = _check_do(ctx, source, destination, source_res, dest_res, log_enabled)
    return _result(verdict.ok, responses.integrity(verdict))


@rule("EUDATCheckIntegrityBatched", forms=[("s_coll", "d_coll", "batch_size"),
                                          ("s_coll", "d_coll", "batch_size", "OUT report")],
      errors=(*_CHECK_ERRORS, "InvalidInput", "AccessDenied"))
def check_integrity_batched(ctx: RuleContext, s_coll: str, d_coll: str,
                            batch_size: str) -> str:
    """``EUDATCheckIntegrityColl`` with logging, split into delay-rule batches, for large trees.

    Cuts the source tree's data objects into id ranges of ``batch_size`` and queues one
    ``EUDATCheckIntegrityBatch`` per range (retried up to 6 times 10 minutes apart while it
    fails). A check of the same pair still queued is joined, not queued twice. Each batch
    records its objects' problems as ``eudat_pending:integrity`` and a completion record
    ``eudat_check_batch:...`` on ``s_coll`` (:mod:`b2safe.workflows.check_batches`). The
    optional OUT gets ``scheduled=N queued=N objects=N run=EPOCH``.
    """
    from b2safe.workflows import check_batches
    from b2safe.workflows.batching import schedule_batches

    size = to_count(batch_size, "batch_size")
    catalog = integrity_catalog(ctx)
    source, destination = _collections(ctx, catalog, s_coll, d_coll, authorized=True)
    run, batches = check_batches.plan(catalog, source, destination, size)
    return f"{schedule_batches(catalog, BATCH_RULE, batches)} run={run}"


@rule(BATCH_RULE, forms=[
    ("s_coll", "d_coll", "run", "first_id", "last_id"),
    ("s_coll", "d_coll", "run", "first_id", "last_id", "OUT report"),
], errors=(*_CHECK_ERRORS, "InvalidInput", "AccessDenied"))
def check_integrity_batch(ctx: RuleContext, s_coll: str, d_coll: str, run: str,
                          first_id: str, last_id: str) -> str:
    """One batch queued by ``EUDATCheckIntegrityBatched``: check the data objects of
    ``s_coll``'s tree with ids ``first_id`` .. ``last_id`` against their twins in ``d_coll``,
    record problems, then the batch's completion record. OUT: ``checked=N failed=N``.
    """
    from b2safe.workflows import check_batches

    check = checker(ctx)
    source, destination = _collections(ctx, check.catalog, s_coll, d_coll, authorized=True)
    done = check_batches.check_range(check, source, destination, run, first_id, last_id)
    return f"checked={done.checked} failed={done.failed}"


# --- sweeps --------------------------------------------------------------------------------------


@rule("EUDATIntegritySweepInstall", forms=[
    ("OUT response",),
    ("collection", "OUT response"),
    ("collection", "destination", "OUT response"),
], admin_only=True, errors=("NotFound", "InvalidInput"))
def sweep_install(ctx: RuleContext, collection: str = "",
                  destination: Optional[str] = None) -> str:
    """Queue the configured sweep of ``collection`` (all configured sweeps without one).

    Idempotent: a sweep already queued (RULE_EXEC_NAME) is not queued again. ``destination``
    ("" clears it) is the replica collection the sweep compares with. Response: JSON
    ``{collection: "installed" | "already installed"}``.
    """
    from b2safe.state.signing import once, signer_for
    from b2safe.workflows.sweeps import find_sweep, install

    integrity = ctx.config.integrity
    catalog = integrity_catalog(ctx)
    if destination not in (None, "", "None", "null"):
        validate_path(destination, "destination")
    elif destination is not None:
        destination = ""
    if collection:
        sweeps = [find_sweep(integrity, validate_path(collection, "collection"))]
    else:
        sweeps = list(integrity.sweeps)
    signer, requester = signer_for(ctx.config, once(catalog.now)), str(ctx.caller or "")
    return json.dumps({s.collection: install(catalog, s, destination, signer, requester)
                       for s in sweeps}, sort_keys=True)


@rule("EUDATIntegritySweepList", forms=[("OUT sweeps",)])
def sweep_list(ctx: RuleContext) -> str:
    """JSON list of configured and queued sweeps: state, queued copies, next run, progress."""
    from b2safe.workflows.sweeps import listing

    return json.dumps(listing(integrity_catalog(ctx), ctx.config.integrity), sort_keys=True)


def _set(ctx: RuleContext, collection: str, status: str) -> str:
    from b2safe.state.signing import once, signer_for
    from b2safe.workflows.sweeps import set_status

    catalog = integrity_catalog(ctx)
    set_status(catalog, validate_path(collection, "collection").rstrip("/"), status,
               signer_for(ctx.config, once(catalog.now)), str(ctx.caller or ""))
    return status


@rule("EUDATIntegritySweepPause", forms=[("collection", "OUT response")], admin_only=True,
      errors=("InvalidPath", "NotFound"))
def sweep_pause(ctx: RuleContext, collection: str) -> str:
    """Pause a sweep: its runs keep re-arming but check nothing until resumed."""
    from b2safe.workflows.sweeps import PAUSED

    return _set(ctx, collection, PAUSED)


@rule("EUDATIntegritySweepResume", forms=[("collection", "OUT response")], admin_only=True,
      errors=("InvalidPath", "NotFound"))
def sweep_resume(ctx: RuleContext, collection: str) -> str:
    """Resume a paused sweep (re-install it with EUDATIntegritySweepInstall after a remove)."""
    from b2safe.workflows.sweeps import ACTIVE

    return _set(ctx, collection, ACTIVE)


@rule("EUDATIntegritySweepRemove", forms=[("collection", "OUT response")], admin_only=True,
      errors=("InvalidPath", "NotFound"))
def sweep_remove(ctx: RuleContext, collection: str) -> str:
    """Remove a sweep without iqdel: its next run does not re-arm, so it leaves the queue."""
    from b2safe.workflows.sweeps import REMOVED

    return _set(ctx, collection, REMOVED)


@rule("EUDATIntegritySweepRun", forms=[("collection",), ("collection", "OUT response")],
      admin_only=True, errors=("NotFound", "IrodsCallError"))
def sweep_run(ctx: RuleContext, collection: str) -> str:
    """One bounded run of the sweep of ``collection`` (what the delay rule calls).

    Response: JSON ``{"status": "ran"|"paused"|"removed", "report": path, "checked": n, ...}``.
    A sweep no longer in the configuration is treated as removed.
    """
    from b2safe.ruleset import responses
    from b2safe.workflows.sweeps import REMOVED, SweepRunner, find_sweep

    coll = validate_path(collection, "collection").rstrip("/")
    try:
        sweep = find_sweep(ctx.config.integrity, coll)
    except NotFound:
        return json.dumps({"status": REMOVED, "reason": "not configured"})
    outcome = SweepRunner(checker(ctx), ctx.config.integrity, sweep, responses.integrity).run()
    data: dict[str, Any] = {"status": outcome.status, "report": outcome.report_path,
                            "rearmed": outcome.rearmed}
    if outcome.report is not None:
        data.update(checked=outcome.report.checked, failed=outcome.report.failed,
                    verified=outcome.report.verified, repaired=outcome.report.repaired,
                    complete=outcome.report.complete)
    return json.dumps(data, sort_keys=True)
