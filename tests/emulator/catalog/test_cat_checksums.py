"""Checksum strings in iRODS format, compared against hashlib."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from b2safe_sandbox import checksums
from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM
from cat_helpers import raises_code
from hypothesis import given
from hypothesis import strategies as st


@given(st.binary(max_size=4096))
def test_sha256_is_sha2_prefix_plus_base64_digest(data):
    expected = "sha2:" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert checksums.compute(data, "SHA256") == expected
    assert len(expected) == 49


@given(st.binary(max_size=4096))
def test_md5_is_lowercase_hex(data):
    assert checksums.compute(data, "MD5") == hashlib.md5(data).hexdigest()  # noqa: S324


def test_streams_paths_and_chunks_agree(tmp_path, monkeypatch):
    monkeypatch.setattr(checksums, "CHUNK", 7)
    data = bytes(range(256)) * 3
    file = tmp_path / "f"
    file.write_bytes(data)
    expected = checksums.compute(data)
    assert checksums.compute(file) == expected
    assert checksums.compute(str(file)) == expected
    assert checksums.compute(io.BytesIO(data)) == expected


def test_limit_hashes_only_a_prefix(tmp_path):
    file = tmp_path / "f"
    file.write_bytes(b"abcdef")
    assert checksums.compute(file, "MD5", limit=3) == hashlib.md5(b"abc").hexdigest()  # noqa: S324
    assert checksums.compute(b"abcdef", "SHA256", limit=3) == checksums.compute(b"abc")


def test_other_schemes_and_names():
    assert checksums.compute(b"x", "sha512").startswith("sha512:")
    assert checksums.compute(b"x", "sha-1").startswith("sha1:")
    assert checksums.normalise_scheme("sha2") == "SHA256"
    with raises_code(SYS_INVALID_INPUT_PARAM):
        checksums.compute(b"x", "crc32")


@pytest.mark.parametrize("scheme", ["SHA256", "MD5", "SHA512", "SHA1"])
def test_scheme_of_and_verify_round_trip(scheme):
    digest = checksums.compute(b"payload", scheme)
    assert checksums.scheme_of(digest) == scheme
    assert checksums.verify(digest, b"payload")
    assert not checksums.verify(digest, b"payloaD")


def test_unrecognised_checksum_never_verifies():
    assert checksums.scheme_of("adler32:1234") is None
    assert checksums.scheme_of("ABCDEF") is None
    assert not checksums.verify("garbage", b"")
