"""Zones with different checksum schemes (MD5 here, SHA256 there): the copy verifier compares
by computing the copy's checksum under the source's scheme, not by refusing."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from b2safe.domain import profile
from b2safe.workflows.replication import comparable_checksum, copy_verifier
from tests.fakes import InMemoryCatalog

from .conftest import ALICE

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


TREE = "/zoneA/home/alice"


def recorded(catalog, method):
    """The list of sources the fake's ``method`` (rsync, coll_rsync) is called with from now."""
    sources: list[str] = []
    real = getattr(catalog, method)

    def recording(source, destination, resource=""):
        sources.append(source)
        return real(source, destination, resource)

    setattr(catalog, method, recording)
    return sources


def _tree_with_md5_copies(catalog):
    """Sources a.dat, b.dat under src; copies under copy, MD5-registered: a.dat equal bytes,
    b.dat other bytes of the same size. Returns the list the fake's rsync records sources in."""
    for name, copy in (("a.dat", b"same bytes"), ("b.dat", b"diff bytes")):
        catalog.put(f"{TREE}/src/sub/{name}", b"same bytes")
        catalog.put(f"{TREE}/copy/sub/{name}", copy)
        with_md5(catalog, f"{TREE}/copy/sub/{name}")
    return recorded(catalog, "rsync")


def test_collection_and_batch_leave_out_copies_equal_under_another_scheme(catalog, workflow_for):
    """The server's rsync compares checksum strings, so an equal MD5-registered copy must not
    reach it: the collection path rsyncs object by object without it, a batch skips it."""
    from b2safe.workflows.replication import Replicator, Request

    rsynced = _tree_with_md5_copies(catalog)
    workflow = workflow_for()
    replicator = Replicator(workflow, workflow.config, ALICE)
    replicator.replicate(Request(f"{TREE}/src", f"{TREE}/copy", registered=False))
    assert rsynced == [f"{TREE}/src/sub/b.dat"]
    assert catalog.objects[f"{TREE}/copy/sub/b.dat"].data == b"same bytes"

    rsynced.clear()
    with_md5(catalog, f"{TREE}/copy/sub/b.dat")  # now equal too
    ids = list(catalog.object_ids(f"{TREE}/src", "-d"))
    request = Request(f"{TREE}/src", f"{TREE}/copy", registered=False)
    assert replicator.replicate_range(request, "-d", ids[0], ids[-1]) == []
    assert rsynced == []
    catalog.put(f"{TREE}/copy/sub/a.dat", b"diff bytes")  # and a different one is copied
    with_md5(catalog, f"{TREE}/copy/sub/a.dat")
    assert replicator.replicate_range(request, "-d", ids[0], ids[-1]) == []
    assert rsynced == [f"{TREE}/src/sub/a.dat"]
    assert catalog.objects[f"{TREE}/copy/sub/a.dat"].data == b"same bytes"


def test_same_scheme_copies_go_to_msicollrsync(catalog, workflow_for):
    """Without a copy of another scheme, the tree goes to msiCollRsync in one call."""
    from b2safe.workflows.replication import Replicator, Request

    catalog.put(f"{TREE}/src/a.dat", b"same bytes")
    catalog.put(f"{TREE}/copy/a.dat", b"same bytes")
    calls = recorded(catalog, "coll_rsync")
    workflow = workflow_for()
    Replicator(workflow, workflow.config, ALICE).replicate(
        Request(f"{TREE}/src", f"{TREE}/copy", registered=False))
    assert calls == [f"{TREE}/src"]
