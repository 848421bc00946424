"""Zones with different checksum schemes (MD5 here, SHA256 there): the copy verifier compares
by computing the copy's checksum under the source's scheme, not by refusing."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from b2safe.domain import profile
from b2safe.workflows.replication import comparable_checksum, copy_verifier
from tests.fakes import InMemoryCatalog

SRC, DST = "/zoneA/home/alice/f.dat", "/zoneA/home/alice/md5/f.dat"


def with_md5(catalog, path):
    obj = catalog.objects[path]
    obj.info = replace(obj.info, checksum=hashlib.md5(obj.data).hexdigest())  # noqa: S324


def test_a_copy_registered_with_md5_matches_a_sha256_source():
    catalog = InMemoryCatalog()
    catalog.put(SRC, b"same bytes")
    catalog.put(DST, b"same bytes")
    with_md5(catalog, DST)
    assert profile.checksum_scheme(catalog.checksum(SRC)) == "SHA256"
    assert copy_verifier(catalog)(SRC, DST, "", False) is None


def test_a_different_copy_is_still_found():
    catalog = InMemoryCatalog()
    catalog.put(SRC, b"same bytes")
    catalog.put(DST, b"diff bytes")
    with_md5(catalog, DST)
    problem = copy_verifier(catalog)(SRC, DST, "", False)
    assert problem is not None and problem.startswith(f"checksum({SRC}):sha2:")
    assert f"!= checksum({DST}):sha2:" in problem  # the copy's SHA256, computed from its bytes


def test_same_scheme_needs_no_computation():
    catalog = InMemoryCatalog()
    catalog.put(DST, b"x")
    with_md5(catalog, DST)
    md5 = catalog.objects[DST].info.checksum
    assert comparable_checksum(catalog, "0" * 32, DST, md5) == md5
    assert comparable_checksum(catalog, "sha2:abc=", DST, md5) == \
        profile.format_checksum("SHA256", hashlib.sha256(b"x").digest())
    assert profile.format_checksum("MD5", hashlib.md5(b"x").digest()) == \
        hashlib.md5(b"x").hexdigest()  # noqa: S324


def test_same_bytes_under_another_scheme_need_no_copy():
    """Before rsync (which compares checksum strings) a copy registered with MD5 is compared by
    computing its SHA256; a different copy, or one of the same scheme, is left to rsync."""
    from b2safe.workflows.replication import same_across_schemes

    catalog = InMemoryCatalog()
    catalog.put(SRC, b"same bytes")
    catalog.put(DST, b"same bytes")
    with_md5(catalog, DST)

    def stat(path):
        info = catalog.stat(path)
        assert info is not None
        return info

    assert same_across_schemes(catalog, stat(SRC), stat(DST))
    catalog.put(DST, b"diff bytes")
    with_md5(catalog, DST)
    assert not same_across_schemes(catalog, stat(SRC), stat(DST))
    catalog.put(DST, b"same bytes")  # SHA256 like the source: rsync's own comparison
    assert not same_across_schemes(catalog, stat(SRC), stat(DST))
