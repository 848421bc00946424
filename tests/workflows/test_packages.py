"""Repository packages (workflows/packages.py) over the fakes."""

from __future__ import annotations

from b2safe.workflows import packages
from b2safe.workflows.packages import Packages, checksum_status, grants
from b2safe.workflows.pids import PID_AVU

from .conftest import ALICE

PKG = "/zoneA/home/alice/pkg.zip"


def test_checksum_status_and_grants_are_pure():
    assert checksum_status("", "sha2:x") == packages.ERROR_CHECKSUM
    assert checksum_status("sha2:x", "sha2:x") == packages.CHECKSUM_OK
    assert grants("", ALICE) == []
    assert grants("archive#zoneA", ALICE) == [("own", "archive#zoneA"), ("read", "alice#zoneA")]
    assert grants("alice", ALICE) == [("own", "alice")]


def test_ingest_archives_and_hands_over(catalog, workflow_for):
    work = Packages(workflow_for(), ALICE, "archive#zoneA")
    catalog.put(PKG, b"package")
    catalog.set_avu(PKG, "-d", packages.ORIGINAL_CHECKSUM_AVU, catalog.checksum(PKG))
    assert work.ingest(work.writable(PKG)) == packages.ARCHIVE_OK
    assert catalog.values(PKG, packages.STATUS_AVU) == [packages.ARCHIVE_OK]
    assert catalog.values(PKG, PID_AVU)
    assert catalog.grants[PKG] == {"archive#zoneA": "own", "alice#zoneA": "read"}


def test_ingest_reports_a_checksum_mismatch_and_a_pid_failure(catalog, pids, workflow_for):
    work = Packages(workflow_for(), ALICE)
    catalog.put(PKG, b"package", **{packages.ORIGINAL_CHECKSUM_AVU: "sha2:other"})
    assert work.ingest(work.writable(PKG)) == packages.ERROR_CHECKSUM
    assert catalog.values(PKG, PID_AVU) == []
    catalog.set_avu(PKG, "-d", packages.ORIGINAL_CHECKSUM_AVU, catalog.checksum(PKG))
    pids.down = True
    assert work.ingest(work.writable(PKG)) == packages.ERROR_PID
    assert catalog.values(PKG, packages.STATUS_AVU) == [packages.ERROR_PID]


def test_stamp_uses_the_server_time(catalog, workflow_for):
    work = Packages(workflow_for(), ALICE)
    catalog.put(PKG)
    work.stamp(PKG, packages.TRANSFER_STARTED, packages.START_AVU)
    assert catalog.values(PKG, packages.START_AVU) == [catalog.human_time()]
