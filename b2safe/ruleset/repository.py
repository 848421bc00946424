"""Repository-package rules (B2SAFE 4.x ``EUDATrp_*``): bindings of
:mod:`b2safe.workflows.packages` (the ADMIN_Status ingest workflow).

Every rule needs write access to the object (and the authorization map's ``metadata``; ingest
also ``pid``).
"""

from __future__ import annotations

from b2safe.domain import authz
from b2safe.domain.paths import validate_path
from b2safe.errors import InvalidInput, NotFound
from b2safe.prep import RuleContext, rule
from b2safe.ruleset._wiring import pid_workflow
from b2safe.ruleset.guard import authorize
from b2safe.workflows import packages
from b2safe.workflows.packages import Packages

_ERRORS = ("InvalidPath", "UnknownZone", "NotFound", "AccessDenied")


def _packages(ctx: RuleContext) -> Packages:
    return Packages(pid_workflow(ctx), ctx.caller,
                    ctx.config.repository_packages.archive_owner)


def _stamp(ctx: RuleContext, source: str, status: str, time_avu: str) -> str:
    work = _packages(ctx)
    work.writable(validate_path(source, "source"))
    authorize(ctx, authz.METADATA, source)
    return work.stamp(source, status, time_avu)


@rule("EUDATrp_transferInitiated", forms=[("source",), ("source", "OUT status")],
      errors=_ERRORS)
def rp_transfer_initiated(ctx: RuleContext, source: str) -> str:
    """Mark a package transfer as started: ADMIN_Status=TransferStarted, INFO_TimeOfStart."""
    return _stamp(ctx, source, packages.TRANSFER_STARTED, packages.START_AVU)


@rule("EUDATrp_transferFinished", forms=[("source",), ("source", "OUT status")],
      errors=_ERRORS)
def rp_transfer_finished(ctx: RuleContext, source: str) -> str:
    """Mark a package transfer as finished: ADMIN_Status=TransferFinished,
    INFO_TimeOfTransfer."""
    return _stamp(ctx, source, packages.TRANSFER_FINISHED, packages.TRANSFER_AVU)


def ingest(ctx: RuleContext, source: str) -> str:
    """``EUDATrp_ingestObject``'s body; returns the final ADMIN_Status."""
    work = _packages(ctx)
    info = work.writable(validate_path(source, "source"))
    authorize(ctx, authz.METADATA, source)
    authorize(ctx, authz.PID, source)
    return work.ingest(info)


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
    if name != packages.STATUS_AVU or value != packages.READY:
        return "None"
    if pid_workflow(ctx).catalog.stat(source) is None:
        raise NotFound(f"source {source} does not exist or is not visible to you")
    return ingest(ctx, source)
