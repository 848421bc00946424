"""Repository packages (B2SAFE 4.x ``EUDATrp_*``): the ADMIN_Status ingest workflow.

A repository package announces a transfer (ADMIN_Status ``TransferStarted``, INFO_TimeOfStart),
finishes it (``TransferFinished``, INFO_TimeOfTransfer), and sets ADMIN_Status
``ReadyToArchive``, which starts the ingest: the computed checksum (INFO_Checksum) is compared
with AVU ``OTHER_original_checksum``; equal gives ``Checksum_ok``, then a PID (with EUDAT/ROR
from the object's AVU) and ``Archive_ok`` - or ``ErrorPID`` when the PID service failed;
different gives ``ErrorChecksum``. With ``repository_packages.archive_owner`` set, an archived
object is handed over: the archive owner gets ``own``, the depositor keeps ``read``. Times are
the server's ``msiGetSystemTime`` "human" format.
"""

from __future__ import annotations

import logging
from typing import Optional

from b2safe.domain import profile
from b2safe.errors import AccessDenied, InvalidInput, PidError
from b2safe.ports import Caller, ObjectInfo
from b2safe.workflows.pids import ROR_AVU, PidWorkflow, optional_value

logger = logging.getLogger("b2safe.workflows.packages")

STATUS_AVU = "ADMIN_Status"
ORIGINAL_CHECKSUM_AVU = "OTHER_original_checksum"
CHECKSUM_AVU = "INFO_Checksum"
START_AVU = "INFO_TimeOfStart"
TRANSFER_AVU = "INFO_TimeOfTransfer"
TRANSFER_STARTED, TRANSFER_FINISHED = "TransferStarted", "TransferFinished"
READY, CHECKSUM_OK, ARCHIVE_OK = "ReadyToArchive", "Checksum_ok", "Archive_ok"
ERROR_PID, ERROR_CHECKSUM = "ErrorPID", "ErrorChecksum"


def checksum_status(original: str, checksum: str) -> str:
    """The status a package's checksum check gives (pure): Checksum_ok or ErrorChecksum."""
    if original and (original == checksum or profile.checksum_matches(original, checksum)):
        return CHECKSUM_OK
    return ERROR_CHECKSUM


def grants(owner: str, caller: Optional[Caller]) -> list[tuple[str, str]]:
    """``(level, user)`` grants handing an archived package to ``owner`` (``name#zone``):
    the archive owner first (the depositor still owns the object while granting), then read
    for the depositor unless that is the owner."""
    if not owner:
        return []
    name, _, zone = owner.partition("#")
    found = [("own", owner)]
    if caller is not None and (caller.name, caller.zone) != (name, zone or caller.zone):
        found.append(("read", str(caller)))
    return found


class Packages:
    """The package workflow on behalf of ``caller``; ``archive_owner`` from the configuration."""

    def __init__(self, workflow: PidWorkflow, caller: Optional[Caller],
                 archive_owner: str = "") -> None:
        self.workflow = workflow
        self.catalog = workflow.catalog
        self.caller = caller
        self.archive_owner = archive_owner

    def writable(self, source: str) -> ObjectInfo:
        """The facts of ``source``, a local data object whose metadata the caller may change."""
        info = self.workflow.stat(source, "source")
        if info.is_collection:
            raise InvalidInput(f"source {source} is a collection; packages are data objects")
        if not self.catalog.check_access(source, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {source}")
        return info

    def stamp(self, source: str, status: str, time_avu: str) -> str:
        """Set ADMIN_Status to ``status`` and ``time_avu`` to the server's time; ``status``."""
        self.catalog.set_avu(source, "-d", STATUS_AVU, status)
        self.catalog.set_avu(source, "-d", time_avu, self.catalog.human_time())
        return status

    def ingest(self, info: ObjectInfo) -> str:
        """``EUDATrp_ingestObject``: check the checksum, create the PID, hand the package over.

        Returns the final ADMIN_Status (a failed PID is a status, not an error, as in 4.x).
        """
        source, catalog = info.path, self.catalog
        checksum = info.checksum or catalog.checksum(source)
        catalog.set_avu(source, "-d", CHECKSUM_AVU, checksum)
        originals = catalog.avus(source, "-d", ORIGINAL_CHECKSUM_AVU)
        original = originals[-1].value if originals else ""
        status = checksum_status(original, checksum)
        catalog.set_avu(source, "-d", STATUS_AVU, status)
        if status == ERROR_CHECKSUM:
            logger.info("ingest %s: checksum %s differs from the original %r", source, checksum,
                        original)
            return status
        rors = catalog.avus(source, "-d", ROR_AVU)
        ror = optional_value(rors[-1].value) if rors else None
        try:
            pid = self.workflow.create(source, ror=ror)
        except PidError as exc:
            logger.error("ingest %s: PID not created: %s", source, exc)
            catalog.set_avu(source, "-d", STATUS_AVU, ERROR_PID)
            return ERROR_PID
        catalog.set_avu(source, "-d", STATUS_AVU, ARCHIVE_OK)
        logger.info("ingest %s: PID %s, ROR %s", source, pid, ror)
        for level, user in grants(self.archive_owner, self.caller):
            catalog.set_access(source, level, user)
        return ARCHIVE_OK
