"""data_checksum: stored vs computed, force, verify, all replicas, both hash schemes,
and corruption that changes bytes but not the catalog."""

from __future__ import annotations

import base64
import hashlib

from b2safe_sandbox.errors import (
    CAT_NO_ACCESS_PERMISSION,
    CHECK_VERIFICATION_RESULTS,
    SYS_INVALID_INPUT_PARAM,
    SYS_NO_GOOD_REPLICA,
    USER_FILE_DOES_NOT_EXIST,
    USER_INCOMPATIBLE_PARAMS,
)
from cat_helpers import AHOME, ALICE, BOB, raises_code

F = f"{AHOME}/f"
DATA = b"some bytes worth hashing"


def sha2(data: bytes) -> str:
    return "sha2:" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_sha256_zone_computes_and_registers(cat):
    cat.data_put(F, DATA, ALICE)
    assert cat.data_checksum(F, ALICE) == sha2(DATA)
    assert cat.data_get(F)[0].checksum == sha2(DATA)


def test_md5_zone(md5cat):
    md5cat.data_put(F, DATA, ALICE, checksum=True)
    assert md5cat.data_get(F)[0].checksum == hashlib.md5(DATA).hexdigest()  # noqa: S324
    assert md5cat.hash_scheme == "MD5"


def test_stored_checksum_is_returned_without_recomputing(cat):
    cat.data_put(F, DATA, ALICE)
    cat.data_set_checksum(F, 0, "sha2:registered")
    assert cat.data_checksum(F) == "sha2:registered"
    assert cat.data_checksum(F, force=True) == sha2(DATA)


def test_corruption_changes_bytes_not_catalog(cat):
    cat.data_put(F, DATA, ALICE, checksum=True)
    before = cat.data_get(F)[0]
    cat.corrupt_replica(F, 0, "flip", 3)
    after = cat.data_get(F)[0]
    assert after == before
    assert cat.data_read(F) != DATA and len(cat.data_read(F)) == len(DATA)
    assert cat.data_checksum(F) == before.checksum  # the stored value, unverified
    with raises_code(CHECK_VERIFICATION_RESULTS):
        cat.data_checksum(F, verify=True)
    assert cat.data_checksum(F, force=True) != before.checksum


def test_truncation_fails_verification_on_size(cat):
    cat.data_put(F, DATA, ALICE, checksum=True)
    cat.corrupt_replica(F, 0, "truncate", 5)
    assert cat.data_get(F)[0].size == len(DATA)
    with raises_code(CHECK_VERIFICATION_RESULTS):
        cat.data_checksum(F, verify=True)
    with raises_code(SYS_INVALID_INPUT_PARAM):
        cat.corrupt_replica(F, 0, "melt")


def test_verify(cat):
    cat.data_put(F, DATA, ALICE)
    with raises_code(CHECK_VERIFICATION_RESULTS):
        cat.data_checksum(F, verify=True)  # nothing registered to verify against
    cat.data_checksum(F)
    assert cat.data_checksum(F, verify=True) == sha2(DATA)
    with raises_code(USER_INCOMPATIBLE_PARAMS):
        cat.data_checksum(F, verify=True, force=True)


def test_verify_uses_the_scheme_of_the_registered_string(cat):
    cat.data_put(F, DATA, ALICE)
    cat.data_set_checksum(F, 0, hashlib.md5(DATA).hexdigest())  # noqa: S324
    assert cat.data_checksum(F, verify=True) == hashlib.md5(DATA).hexdigest()  # noqa: S324


def test_all_replicas(cat):
    cat.add_resource("r2")
    cat.data_put(F, DATA, ALICE)
    cat.data_replicate(F, "r2", ALICE)
    assert cat.data_checksum(F, all_replicas=True) == sha2(DATA)
    assert [r.checksum for r in cat.data_get(F)] == [sha2(DATA)] * 2
    cat.corrupt_replica(F, 1)
    assert cat.data_checksum(F, all_replicas=True, force=True) == ""
    assert cat.data_checksum(F, repl_num=1) != sha2(DATA)


def test_errors(cat):
    with raises_code(USER_FILE_DOES_NOT_EXIST):
        cat.data_checksum(F)
    cat.data_put(F, DATA, ALICE)
    with raises_code(CAT_NO_ACCESS_PERMISSION):
        cat.data_checksum(F, BOB)
    cat.data_set_status(F, 0, 0)
    with raises_code(SYS_NO_GOOD_REPLICA):
        cat.data_checksum(F)
    with raises_code(SYS_NO_GOOD_REPLICA):
        cat.data_checksum(F, all_replicas=True)


def test_set_checksum_on_all_replicas(cat):
    cat.add_resource("r2")
    cat.data_put(F, DATA, ALICE)
    cat.data_replicate(F, "r2", ALICE)
    cat.data_set_checksum(F, None, "sha2:x")
    assert [r.checksum for r in cat.data_get(F)] == ["sha2:x", "sha2:x"]
