"""msiDataObjChksum ``verifyChksum=`` on damaged and stale replicas: what a rule cannot set up
on a live server (the bytes change under the catalog), so these cases are not in
``tests/emulator/fidelity/rules``.

Source: irods server/api/src/rsDataObjChksum.cpp@5.0.2 L246-384 (do_verification) and the
upstream tests scripts/irods/test/test_ichksum.py@5.0.2 L167-200 (issue 5252).
"""

from __future__ import annotations

import pytest
from rt_helpers import code_of

HOME = "/zoneA/home/alice"
CHECK_VERIFICATION_RESULTS = -407000


@pytest.fixture
def cb(sb):
    sb.zone("zoneA").catalog.add_resource("otherResc")
    sb.client("alice#zoneA").iput(f"{HOME}/a.txt", b"hello world")
    callback = sb.callback("zoneA", "alice#zoneA")
    callback.msiDataObjChksum(f"{HOME}/a.txt", "forceChksum=", "")
    return callback


def verify(cb, options):
    try:
        return cb.msiDataObjChksum(f"{HOME}/a.txt", options, "")["arguments"][2]
    except RuntimeError as exc:
        return code_of(exc)


def test_changed_bytes_fail_verification_of_the_object_and_of_the_replica(sb, cb):
    assert verify(cb, "verifyChksum=") == ""
    sb.faults.corrupt(f"{HOME}/a.txt", repl_num=0)  # same size, one byte flipped
    assert verify(cb, "verifyChksum=") == CHECK_VERIFICATION_RESULTS
    assert verify(cb, "verifyChksum=++++replNum=0") == CHECK_VERIFICATION_RESULTS
    assert cb.msiDataObjChksum(f"{HOME}/a.txt", "null", "")["arguments"][2].startswith("sha2:")


def test_a_size_mismatch_fails_verification(sb, cb):
    sb.zone("zoneA").catalog.corrupt_replica(f"{HOME}/a.txt", repl_num=0, mode="truncate",
                                             offset=3)
    assert verify(cb, "verifyChksum=") == CHECK_VERIFICATION_RESULTS


def test_a_stale_replica_is_reported_as_skipped_unless_named(sb, cb):
    # ichksum -K reports "INFO: Number of replicas skipped: 1" and fails (issue 5252); a named
    # stale replica may be verified on its own (rsDataObjChksum.cpp@5.0.2 L277-322).
    cb.msiDataObjRepl(f"{HOME}/a.txt", "destRescName=otherResc", 0)
    assert verify(cb, "verifyChksum=") == ""
    sb.zone("zoneA").catalog.data_set_status(f"{HOME}/a.txt", 1, 0)
    assert verify(cb, "verifyChksum=") == CHECK_VERIFICATION_RESULTS
    assert verify(cb, "verifyChksum=++++replNum=1") == ""
    assert verify(cb, "replNum=1").startswith("sha2:")  # a named stale replica's checksum


def test_good_replicas_with_different_checksums_fail_verification(sb, cb):
    cb.msiDataObjRepl(f"{HOME}/a.txt", "destRescName=otherResc", 0)
    sb.zone("zoneA").catalog.data_set_checksum(f"{HOME}/a.txt", 1, "sha2:AAAA")
    assert verify(cb, "verifyChksum=++++replNum=0") == ""
    assert verify(cb, "verifyChksum=") == CHECK_VERIFICATION_RESULTS
    assert verify(cb, "ChksumAll=") == ""  # lookup: '' when the good replicas differ
