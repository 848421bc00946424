"""Repository-package rules (B2SAFE 4.x ``EUDATrp_*``): the ADMIN_Status ingest workflow.

A repository package announces a transfer (``EUDATrp_transferInitiated``: ADMIN_Status
``TransferStarted``, INFO_TimeOfStart), finishes it (``EUDATrp_transferFinished``:
``TransferFinished``, INFO_TimeOfTransfer), and sets ADMIN_Status ``ReadyToArchive``, which
``EUDATrp_checkMeta`` turns into ``EUDATrp_ingestObject``: the computed checksum (INFO_Checksum)
is compared with AVU ``OTHER_original_checksum``; equal gives ``Checksum_ok``, then a PID (with
EUDAT/ROR from the object's AVU) and ``Archive_ok`` - or ``ErrorPID`` when the PID service
failed; different gives ``ErrorChecksum``. With ``repository_packages.archive_owner`` set, an
archived object is handed over: the archive owner gets ``own``, the depositor keeps ``read``.
Times are the server's ``msiGetSystemTime`` "human" format.

Every rule needs write access to the object (and the authorization map's ``metadata``; ingest
also ``pid``).
"""

from __future__ import annotations

import logging

from b2safe.adapters.prep.msi import output
from b2safe.domain import authz, profile
from b2safe.domain.paths import validate_path
from b2safe.errors import AccessDenied, InvalidInput, NotFound, PidError
from b2safe.prep import RuleContext, rule
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.guard import authorize
from b2safe.workflows.pids import ROR_AVU, optional_value

logger = logging.getLogger("b2safe.repository")

STATUS_AVU = "ADMIN_Status"
ORIGINAL_CHECKSUM_AVU = "OTHER_original_checksum"
CHECKSUM_AVU = "INFO_Checksum"
START_AVU = "INFO_TimeOfStart"
TRANSFER_AVU = "INFO_TimeOfTransfer"
TRANSFER_STARTED, TRANSFER_FINISHED = "TransferStarted", "TransferFinished"
READY, CHECKSUM_OK, ARCHIVE_OK = "ReadyToArchive", "Checksum_ok", "Archive_ok"
ERROR_PID, ERROR_CHECKSUM = "ErrorPID", "ErrorChecksum"
_ERRORS = ("InvalidPath", "UnknownZone", "NotFound", "AccessDenied")


def _data_object(ctx: RuleContext, source: str, *actions: str):  # type: ignore[no-untyped-def]
    """The workflow and facts of a writable local data object, authorized for ``actions``."""
    workflow = pid_workflow(ctx)
    info = workflow.stat(validate_path(source, "source"), "source")
    if info.is_collection:
        raise InvalidInput(f"source {source} is a collection; packages are data objects")
    if not workflow.catalog.check_access(source, "modify_object"):
        raise AccessDenied(f"you may not change the metadata of {source}")
    for action in actions:
        authorize(ctx, action, source)
    return workflow, info


def _human_now(catalog) -> str:  # type: ignore[no-untyped-def]
    return str(output(catalog.msi("msiGetSystemTime", "", "human"), 0))


def _stamp(ctx: RuleContext, source: str, status: str, time_avu: str) -> str:
    workflow, _ = _data_object(ctx, source, authz.METADATA)
    catalog = workflow.catalog
    catalog.set_avu(source, "-d", STATUS_AVU, status)
    catalog.set_avu(source, "-d", time_avu, _human_now(catalog))
    return status


@rule("EUDATrp_transferInitiated", forms=[("source",), ("source", "OUT status")],
      errors=_ERRORS)
def rp_transfer_initiated(ctx: RuleContext, source: str) -> str:
    """Mark a package transfer as started: ADMIN_Status=TransferStarted, INFO_TimeOfStart."""
    return _stamp(ctx, source, TRANSFER_STARTED, START_AVU)


@rule("EUDATrp_transferFinished", forms=[("source",), ("source", "OUT status")],
      errors=_ERRORS)
def rp_transfer_finished(ctx: RuleContext, source: str) -> str:
    """Mark a package transfer as finished: ADMIN_Status=TransferFinished,
    INFO_TimeOfTransfer."""
    return _stamp(ctx, source, TRANSFER_FINISHED, TRANSFER_AVU)


def ingest(ctx: RuleContext, source: str) -> str:
    """``EUDATrp_ingestObject``'s body; returns the final ADMIN_Status."""
    workflow, info = _data_object(ctx, source, authz.METADATA, authz.PID)
    catalog = workflow.catalog
    checksum = info.checksum or catalog.checksum(source)
    catalog.set_avu(source, "-d", CHECKSUM_AVU, checksum)
    originals = catalog.avus(source, "-d", ORIGINAL_CHECKSUM_AVU)
    original = originals[-1].value if originals else ""
    if not original or not (original == checksum
                            or profile.checksum_matches(original, checksum)):
        logger.info("ingest %s: checksum %s differs from the original %r", source, checksum,
                    original)
        catalog.set_avu(source, "-d", STATUS_AVU, ERROR_CHECKSUM)
        return ERROR_CHECKSUM
    catalog.set_avu(source, "-d", STATUS_AVU, CHECKSUM_OK)
    rors = catalog.avus(source, "-d", ROR_AVU)
    ror = optional_value(rors[-1].value) if rors else None
    try:
        pid = workflow.create(source, ror=ror)
    except PidError as exc:
        logger.error("ingest %s: PID not created: %s", source, exc)
        catalog.set_avu(source, "-d", STATUS_AVU, ERROR_PID)
        return ERROR_PID
    catalog.set_avu(source, "-d", STATUS_AVU, ARCHIVE_OK)
    logger.info("ingest %s: PID %s, ROR %s", source, pid, ror)
    owner = ctx.config.repository_packages.archive_owner
    if owner:
        name, _, zone = owner.partition("#")
        caller = ctx.caller
        # The archive owner first: the depositor still owns the object while granting.
        catalog.msi("msiSetACL", "default", "own", owner, source)
        if caller is not None and (caller.name, caller.zone) != (name, zone or caller.zone):
            catalog.msi("msiSetACL", "default", "read", str(caller), source)
    return ARCHIVE_OK


@rule("EUDATrp_ingestObject", forms=[("source",), ("source", "OUT status")],
      errors=(*_ERRORS, "InvalidInput"))
def rp_ingest_object(ctx: RuleContext, source: str) -> str:
    """Archive a package: compare its checksum with OTHER_original_checksum, create its PID and
    set ADMIN_Status (Checksum_ok, then Archive_ok or ErrorPID; ErrorChecksum on a mismatch).

    The optional OUT gets the final status. A failed PID is a status, not an error (as 4.x).
    """
    return ingest(ctx, source)


@rule("EUDATrp_checkMeta", forms=[("source", "name", "value"),
                                  ("source", "name", "value", "OUT status")],
      errors=(*_ERRORS, "InvalidInput"))
def rp_check_meta(ctx: RuleContext, source: str, name: str, value: str) -> str:
    """Start the ingest when ``name`` is ADMIN_Status and ``value`` ReadyToArchive (the 4.x
    ``n:``/``v:`` prefixes of the metadata PEP are accepted). The optional OUT gets the final
    status, or "None" when nothing was to be done."""
    validate_path(source, "source")
    if len(name) > 2700 or len(value) > 2700:
        raise InvalidInput("name and value must be at most 2700 characters")
    name = name[2:] if name.startswith("n:") else name
    value = value[2:] if value.startswith("v:") else value
    if name != STATUS_AVU or value != READY:
        return "None"
    if pid_workflow(ctx).catalog.stat(source) is None:
        raise NotFound(f"source {source} does not exist or is not visible to you")
    return ingest(ctx, source)
