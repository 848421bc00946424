"""PID rules with B2SAFE's names, argument order and OUT semantics (pid-service.re, eudat.re).

"None" in an OUT argument means "no value", as in B2SAFE 4.x. Errors carry iRODS codes (see
:mod:`b2safe.errors`); nothing is created or changed when an input is rejected.
"""

from __future__ import annotations

import logging
from typing import Optional

from b2safe.domain import authz, profile
from b2safe.domain.paths import validate_path, validate_pid
from b2safe.errors import AccessDenied, InvalidInput, PidError, PidNotFound
from b2safe.prep import RuleContext, rule, to_count
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.guard import authorize, require_pid_access
from b2safe.workflows.batching import schedule_batches
from b2safe.workflows.pids import (
    FIO_AVU,
    PID_AVU,
    ROR_AVU,
    PidsReport,
    PidWorkflow,
    optional_value,
)

logger = logging.getLogger("b2safe.ruleset.pid")

EMPTY = "empty"  # EUDATSearchPID's historical "nothing found"


@rule("EUDATCreatePID", params=("parent_pid", "path", "ror", "fio", "fixed:bool"),
      outputs=("new_pid",),
      errors=("InvalidPath", "UnknownZone", "NotFound", "AccessDenied", "PidError"))
def create_pid(ctx: RuleContext, parent_pid: str, path: str, ror: str, fio: str,
               fixed: bool) -> str:
    """Return the PID of ``path``, minting one if it has none (idempotent).

    The record holds URL, EUDAT/CHECKSUM and EUDAT/CHECKSUM_TIMESTAMP (data objects; the checksum
    is computed when missing), EUDAT/ROR, EUDAT/FIO and EUDAT/PARENT when given ("pid" = the new
    PID itself), EUDAT/FIXED_CONTENT and EUDAT/PROFILE_VERSION. PID, EUDAT/ROR, EUDAT/FIO,
    EUDAT/PARENT and EUDAT/FIXED_CONTENT are mirrored as AVUs. Needs write access to the path.
    """
    authorize(ctx, authz.PID, path)
    return pid_workflow(ctx).create(path, parent=parent_pid, ror=ror, fio=fio, fixed=fixed)


@rule("EUDATPidsForColl", forms=[("coll_path", "fixed:bool"),
                                 ("coll_path", "fixed:bool", "OUT report")],
      errors=("InvalidPath", "UnknownZone", "NotFound", "InvalidInput", "AccessDenied",
              "PidError"))
def pids_for_coll(ctx: RuleContext, coll_path: str, fixed: bool) -> str:
    """Create PIDs for a collection, its sub-collections and data objects (no ROR).

    Paths that already have a PID are skipped, so a re-run resumes. The optional OUT gets
    ``created=N existing=N failed=N``. When some PIDs could not be created the rule fails after
    doing all the others, with the code of the first failure and naming it.
    """
    authorize(ctx, authz.PID, coll_path)
    return _report_or_raise(pid_workflow(ctx).pids_for_collection(coll_path, fixed=fixed))


def _report_or_raise(report: PidsReport) -> str:
    if report.failed:
        raise PidError(f"{report}; first failure: {report.first_error}",
                       code=report.first_error_code or None)
    return str(report)


BATCH_RULE = "EUDATPidsForCollBatch"


@rule("EUDATPidsForCollBatched", forms=[("coll_path", "fixed:bool", "batch_size"),
                                        ("coll_path", "fixed:bool", "batch_size",
                                         "OUT report")],
      errors=("InvalidPath", "UnknownZone", "NotFound", "InvalidInput", "AccessDenied"))
def pids_for_coll_batched(ctx: RuleContext, coll_path: str, fixed: bool,
                          batch_size: str) -> str:
    """``EUDATPidsForColl`` split into delay-rule batches, for large trees.

    Finds the objects of the tree that have no PID yet (GenQuery pages, no Handle request),
    cuts them into id ranges of ``batch_size`` objects and queues one delay rule per range
    (``EUDATPidsForCollBatch``, Python instance, retried up to 6 times 10 minutes apart while
    it fails). Ranges already queued are not queued again, so calling this twice is safe; a
    batch skips paths that got a PID meanwhile. The optional OUT gets
    ``scheduled=N queued=N objects=N`` (new delay rules, rules already in the queue, objects
    without a PID).
    """
    size = to_count(batch_size, "batch_size")
    validate_path(coll_path, "collection")
    authorize(ctx, authz.PID, coll_path)
    workflow = pid_workflow(ctx)
    fixed_text = "true" if fixed else "false"
    batches = (((coll_path, fixed_text, kind, first, last), count)
               for kind, first, last, count in workflow.pending_batches(coll_path, size))
    return str(schedule_batches(workflow.catalog, BATCH_RULE, batches))


@rule(BATCH_RULE, forms=[("coll_path", "fixed:bool", "kind", "first_id", "last_id"),
                         ("coll_path", "fixed:bool", "kind", "first_id", "last_id",
                          "OUT report")],
      errors=("InvalidPath", "NotFound", "InvalidInput", "AccessDenied", "PidError"))
def pids_for_coll_batch(ctx: RuleContext, coll_path: str, fixed: bool, kind: str,
                        first_id: str, last_id: str) -> str:
    """One batch queued by ``EUDATPidsForCollBatched``: PIDs for the ``kind`` (``-C``
    collections, ``-d`` data objects) of the tree with ids ``first_id`` .. ``last_id``.

    Fails (so the delay server retries it) when some PIDs could not be created.
    """
    authorize(ctx, authz.PID, coll_path)
    report = pid_workflow(ctx).pids_for_range(coll_path, kind, first_id, last_id, fixed=fixed)
    return _report_or_raise(report)


@rule("EUDATSearchPID", params=("path",), outputs=("pid",),
      errors=("InvalidPath", "PidError"))
def search_pid(ctx: RuleContext, path: str) -> str:
    """The PID of ``path``: its PID AVU, else a reverse lookup of its URL; "empty" if none.

    Only paths of this zone: another zone's paths have that zone's URL and catalog
    (SYS_INVALID_ZONE_NAME).
    """
    workflow = pid_workflow(ctx)
    workflow.local_path(path)
    info = workflow.catalog.stat(path)
    if info is not None:
        pid = workflow.pid_of(info)
        if pid:
            return pid
    return workflow.search(path) or EMPTY


@rule("EUDATSearchPIDchecksum", params=("path",), outputs=("pid", "url"),
      errors=("InvalidPath", "NotFound", "PidError"))
def search_pid_checksum(ctx: RuleContext, path: str) -> tuple[str, str]:
    """Reverse lookup by EUDAT/CHECKSUM of ``path``'s checksum: (PID, its URL) or ("empty", "None").

    Needs ``EUDAT/CHECKSUM`` among the reverse-lookup server's searchable keys.
    """
    workflow = pid_workflow(ctx)
    info = workflow.stat(path)
    if info.is_collection:
        raise InvalidInput(f"{path} is a collection; collections have no checksum")
    checksum = info.checksum or workflow.catalog.checksum(path)
    found = workflow.pids.search({profile.CHECKSUM: checksum})
    if not found:
        return EMPTY, "None"
    url = workflow.value(found[0], profile.URL)
    return found[0], url or "None"


@rule("EUDATGeteValPid", forms=[("pid", "key"), ("pid", "key", "OUT value")],
      errors=("InvalidPid",), returns_into="key")
def get_value_pid(ctx: RuleContext, pid: str, key: str) -> Optional[str]:
    """One value of a PID record: "None" when the record or the type is absent (4.x).

    The 2-argument 4.x form writes the value over ``key`` (4.x returned it).
    """
    if not key or len(key) > 128:
        raise InvalidInput("key must be a Handle value type such as EUDAT/ROR")
    try:
        return pid_workflow(ctx).value(pid, key)
    except PidNotFound:
        return None


@rule("EUDATePIDcreate", params=("path", "extra_type"), outputs=("pid",),
      errors=("InvalidPath", "NotFound", "AccessDenied", "InvalidInput", "PidError"))
def e_pid_create(ctx: RuleContext, path: str, extra_type: str) -> str:
    """Create a PID record for ``path`` without looking for an existing one (4.x's
    ``EUDATePIDcreate``): URL, EUDAT/CHECKSUM and EUDAT/CHECKSUM_TIMESTAMP (data objects) and
    the ``extra_type`` values, ``"TYPE=value;TYPE=value"`` ("empty" for none; EUDAT/ROR,
    EUDAT/FIO, EUDAT/PARENT, EUDAT/FIXED_CONTENT, EUDAT/PROFILE_VERSION; ROR or FIO "pid" means
    the new PID). No AVU is written (``EUDATiPIDcreate`` does that). Needs write access.

    A retry mints the same handle (deterministic minting), so calling it twice gives one
    record, where 4.x made two.
    """
    authorize(ctx, authz.PID, path)
    return pid_workflow(ctx).create_record(path, parse_extra_type(extra_type))


#: The types 4.x's EUDATCreatePID passed to EUDATePIDcreate in its extra-type string.
EXTRA_TYPES = (profile.ROR, profile.FIO, profile.PARENT, profile.FIXED_CONTENT, profile.VERSION)


def parse_extra_type(text: str) -> dict[str, str]:
    """4.x's ``"TYPE=value;TYPE=value"`` (or "empty"/"None"/"") as a dict.

    Raises:
        InvalidInput: a part is not ``TYPE=value`` or names a type outside :data:`EXTRA_TYPES`.
    """
    values: dict[str, str] = {}
    if text.strip() in ("", "empty", "None"):
        return values
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in EXTRA_TYPES or not value.strip():
            raise InvalidInput(f"extra type {part[:80]!r} is not TYPE=value with TYPE one of "
                               f"{', '.join(EXTRA_TYPES)}")
        values[key] = value.strip()
    return values


@rule("EUDATePIDsearch", params=("field", "value"), outputs=("pid",),
      errors=("InvalidInput", "PidError"))
def e_pid_search(ctx: RuleContext, field: str, value: str) -> str:
    """Reverse lookup: the first PID whose ``field`` (URL, EUDAT/CHECKSUM, ...; ``*`` is a
    wildcard) is ``value``, or "empty" when none (4.x; native callers also get true/false).

    Only types the reverse-lookup server can search answer.
    """
    if not field or len(field) > 128 or any(c.isspace() for c in field):
        raise InvalidInput("field must be a Handle value type such as URL")
    if not value:
        raise InvalidInput("value must not be empty")
    found = pid_workflow(ctx).pids.search({field: value})
    return found[0] if found else EMPTY


@rule("EUDATUpdatePIDWithNewChild", forms=[("parent_pid", "child_pid"),
                                           ("parent_pid", "child_pid", "OUT replicas")],
      errors=("InvalidPid", "PidNotFound"))
def update_pid_with_new_child(ctx: RuleContext, parent_pid: str, child_pid: str) -> str:
    """Append ``child_pid`` to the parent's EUDAT/REPLICA unless already listed (any case).

    The optional OUT gets the resulting comma-separated list.
    """
    workflow = pid_workflow(ctx)
    require_pid_access(ctx, workflow, parent_pid)
    return workflow.add_child(parent_pid, child_pid)


@rule("EUDATeURLupdate", params=("pid", "new_url"), errors=("InvalidPid", "PidNotFound"))
def e_url_update(ctx: RuleContext, pid: str, new_url: str) -> None:
    """Point ``pid`` at ``new_url``."""
    workflow = pid_workflow(ctx)
    require_pid_access(ctx, workflow, pid, new_url)
    workflow.update_url(pid, new_url, [workflow.pids.get_value(pid, profile.URL) or ""])


@rule("EUDATeURLupdateColl", params=("pid", "new_url"),
      errors=("InvalidPid", "InvalidInput", "PidNotFound"))
def e_url_update_coll(ctx: RuleContext, pid: str, new_url: str) -> None:
    """Point a moved collection's PID and every PID below it at their new locations.

    ``new_url`` is the collection's new URL; the path below the zone's URL base is its new
    iRODS location, whose objects' PID AVUs say which records to update.
    """
    workflow = pid_workflow(ctx)
    validate_pid(pid)
    bases = [workflow.config.zone.server_id, workflow.config.http_api.registered_base,
             workflow.config.http_api.public_base]
    path = profile.path_from_url(new_url, [b for b in bases if b])
    if path is None:
        raise InvalidInput(f"{new_url} is not a URL of this zone")
    info = workflow.stat(path, "new location")
    require_pid_access(ctx, workflow, pid, new_url)
    old_url = workflow.pids.get_value(pid, profile.URL) or ""
    old_root = profile.path_from_url(old_url, [b for b in bases if b])
    workflow.update_url(pid, new_url, [old_url])
    if old_root:
        workflow.repoint_tree(info, old_root, include_root=False)


@rule("EUDATePIDremove", params=("path", "force:bool"),
      errors=("InvalidPath", "NotFound", "AccessDenied", "PidError"))
def e_pid_remove(ctx: RuleContext, path: str, force: bool) -> None:
    """Delete the PID of ``path`` (its AVU, else a reverse lookup when
    ``pid.reverse_lookup_fallback`` is on) and its PID AVUs. A record that lists replicas is
    kept unless force=true: then nothing is deleted and the rule succeeds (4.x).
    """
    authorize(ctx, authz.PID, path)
    pid_workflow(ctx).remove(path, force)


@rule("EUDATeCHECKSUMupdate", params=("pid", "path"),
      errors=("InvalidPid", "InvalidPath", "NotFound", "PidNotFound"))
def e_checksum_update(ctx: RuleContext, pid: str, path: str) -> None:
    """Write ``path``'s catalog checksum (computed if missing) into the PID's EUDAT/CHECKSUM.

    B2SAFE 4.x wrote a plain ``CHECKSUM`` type here; the profile's key is EUDAT/CHECKSUM.
    """
    workflow = pid_workflow(ctx)
    validate_pid(pid)
    info = workflow.stat(path)
    if info.is_collection:
        raise InvalidInput(f"{path} is a collection; collections have no checksum")
    require_pid_access(ctx, workflow, pid)
    checksum = info.checksum or workflow.catalog.checksum(path)
    workflow.pids.update(pid, {profile.CHECKSUM: checksum,
                               profile.CHECKSUM_TIMESTAMP: profile.iso8601_utc(info.modify_time)})


@rule("EUDATeRORupdate", params=("pid", "ror"), errors=("InvalidPid", "PidNotFound"))
def e_ror_update(ctx: RuleContext, pid: str, ror: str) -> None:
    """Set EUDAT/ROR of ``pid`` to the PID ``ror`` ("None" removes it)."""
    workflow = pid_workflow(ctx)
    require_pid_access(ctx, workflow, pid)
    workflow.update_value(pid, profile.ROR, _optional_pid(ror, "ROR"))


@rule("EUDATeFIOupdate", params=("pid", "fio"), errors=("InvalidPid", "PidNotFound"))
def e_fio_update(ctx: RuleContext, pid: str, fio: str) -> None:
    """Set EUDAT/FIO of ``pid`` to the PID ``fio`` ("None" removes it)."""
    workflow = pid_workflow(ctx)
    require_pid_access(ctx, workflow, pid)
    workflow.update_value(pid, profile.FIO, _optional_pid(fio, "FIO"))


def _optional_pid(value: str, what: str) -> Optional[str]:
    """A PID argument where "None"/"" means no value; anything else must look like a PID."""
    given = optional_value(value)
    return None if given is None else validate_pid(given, what)


def _set_pid_avu(ctx: RuleContext, path: str, attribute: str, pid: str, what: str) -> None:
    """Set ``attribute`` of ``path`` to a validated PID after the write/authorization checks."""
    workflow = pid_workflow(ctx)
    info = workflow.stat(path)
    _require_write(ctx, workflow, path)
    workflow.catalog.set_avu(path, info.flag, attribute, validate_pid(pid, what))


@rule("EUDATiRORupdate", params=("path", "pid"),
      errors=("InvalidPath", "NotFound", "InvalidPid"))
def i_ror_update(ctx: RuleContext, path: str, pid: str) -> None:
    """Copy EUDAT/ROR of the record of ``pid`` into the AVU EUDAT/ROR of ``path`` (4.x);
    nothing when the record has no ROR."""
    workflow = pid_workflow(ctx)
    info = workflow.stat(path)
    _require_write(ctx, workflow, path)
    ror = get_value_pid_text(workflow, pid, profile.ROR)
    if ror is None:
        return
    current = workflow.catalog.avus(path, info.flag, ROR_AVU)
    if not current or current[-1].value != ror:
        workflow.catalog.set_avu(path, info.flag, ROR_AVU, validate_pid(ror, "ROR"))


def get_value_pid_text(workflow: PidWorkflow, pid: str, key: str) -> Optional[str]:
    """A value of ``pid``'s record; None when the record or the type is absent."""
    try:
        return optional_value(workflow.value(pid, key))
    except PidNotFound:
        return None


@rule("EUDATiFIOupdate", params=("path", "pid"),
      errors=("InvalidPath", "NotFound", "InvalidPid"))
def i_fio_update(ctx: RuleContext, path: str, pid: str) -> None:
    """Set the AVU EUDAT/FIO of ``path`` to ``pid``."""
    _set_pid_avu(ctx, path, FIO_AVU, pid, "FIO")


@rule("EUDATiPIDcreate", forms=[("path", "pid"), ("path", "pid", "OUT result")],
      errors=("InvalidPath", "NotFound", "InvalidPid"), returns_into="pid")
def i_pid_create(ctx: RuleContext, path: str, pid: str) -> str:
    """Record an existing PID on ``path`` (AVU PID): "true" when it is there afterwards;
    "false", and the other PID kept, when ``path`` has a different one (4.x). The 2-argument
    4.x form writes the result over ``pid``."""
    workflow = pid_workflow(ctx)
    info = workflow.stat(path)
    _require_write(ctx, workflow, path)
    present = workflow.pid_of(info)
    if present is not None:
        if present.casefold() == validate_pid(pid).casefold():
            return "true"
        logger.error("EUDATiPIDcreate: %s has PID %s, not %s; kept", path, present, pid)
        return "false"
    _set_pid_avu(ctx, path, PID_AVU, pid, "PID")
    return "true"


def _require_write(ctx: RuleContext, workflow: PidWorkflow, path: str) -> None:
    """The caller may change ``path``'s metadata (and the map allows ``pid`` on it)."""
    if not workflow.catalog.check_access(path, "modify_object"):
        raise AccessDenied(f"you may not change the metadata of {path}")
    authorize(ctx, authz.PID, path)
