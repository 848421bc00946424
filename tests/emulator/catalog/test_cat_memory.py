"""The catalog's memory does not grow with the zone: SQLite's page caches are bounded and a
GenQuery's distinct, ordered rows are sorted once (the benchmarks' peak RSS grew with N)."""

from __future__ import annotations

import _sqlite3
import ctypes

from b2safe_sandbox import gq
from b2safe_sandbox.catalog.base import Db
from cat_helpers import AHOME, ALICE, RODS, make_zone

_LIB = ctypes.CDLL(_sqlite3.__file__)  # the SQLite library Python's sqlite3 module uses


def _sqlite_peak_during(run) -> int:
    """Bytes SQLite had allocated at most while ``run()`` ran, above what it held before
    (sqlite3_status64 SQLITE_STATUS_MEMORY_USED, https://www.sqlite.org/c3ref/status.html)."""
    current, peak = ctypes.c_int64(), ctypes.c_int64()
    _LIB.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(peak), 1)  # reset the mark
    before = current.value
    run()
    _LIB.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(peak), 0)
    return peak.value - before


def _list_every_object(cat) -> None:
    """Two pages of a listing of every object: the first read with LIMIT, the rest copied to a
    temporary table (GenQueryCursor)."""
    cursor = cat.open_genquery("DATA_ID, COLL_NAME, DATA_NAME, DATA_SIZE",
                               f"COLL_NAME like '{AHOME}/%'", RODS)
    try:
        cursor.next_page(256)
        cursor.next_page(256)
    finally:
        cursor.close()


def test_listing_a_zone_takes_bounded_sqlite_memory(tmp_path, clock, monkeypatch):
    """A GenQuery listing every object of a zone (sorted, distinct, paged) takes at most the
    page caches' bounds (Db.CACHE_KIB, Db.TEMP_CACHE_KIB: catalog, temporary tables) and one
    sort's in-memory part (SQLite's floor for it: 250 pages, SQLITE_SORTER_PMASZ,
    https://www.sqlite.org/c3ref/c_config_covering_index_scan.html) however large the zone:
    here 1.5 MB of rows. Unbounded, the caches filled to 2 MB each and SELECT DISTINCT ...
    ORDER BY kept a second temporary b-tree (its own 2 MB cache) as large as the result."""
    monkeypatch.setattr(Db, "CACHE_KIB", 64)
    monkeypatch.setattr(Db, "TEMP_CACHE_KIB", 64)
    cat = make_zone(tmp_path / "zone", clock)
    try:
        with cat.batch():
            for d in range(4):
                cat.coll_create(f"{AHOME}/d{d}", ALICE)
            for i in range(5000):
                cat.data_put(f"{AHOME}/d{i % 4}/{'n' * 240}{i:06d}", b"x", ALICE)
        used = _sqlite_peak_during(lambda: _list_every_object(cat))
    finally:
        cat.close()
    assert used <= 2 * 64 * 1024 + 250 * 4096 + 192 * 1024, used


def test_distinct_ordered_rows_are_sorted_once_with_the_same_rows(cat):
    """DISTINCT rows come from one sort (EXPLAIN QUERY PLAN: one temporary b-tree, not one for
    DISTINCT and one for ORDER BY), and they are the distinct rows in the same order."""
    with cat.batch():
        for d in range(3):
            cat.coll_create(f"{AHOME}/c{d}", ALICE)
            for i in range(4):
                cat.data_put(f"{AHOME}/c{d}/f{i}", b"x" * (d + 1), ALICE)
    query = gq.parse("COLL_NAME, ORDER_DESC(DATA_SIZE)", f"COLL_NAME like '{AHOME}/c%'")
    compiled = gq.compile_query(query, actor_ids=None)
    plan = [row[3] for row in cat.db.all("EXPLAIN QUERY PLAN " + compiled.sql, compiled.params)]
    assert sum("TEMP B-TREE" in step for step in plan) == 1, plan
    rows = [tuple(row) for row in cat.db.all(compiled.sql, compiled.params)]
    assert rows == [(f"{AHOME}/c{d}", d + 1) for d in (2, 1, 0)], rows


def test_storing_copying_and_checksumming_objects_interns_no_names(cat, monkeypatch):
    """Writing, copying and hashing a replica's vault file makes no Path of it: pathlib interns
    every part of a path it parses (sys.intern), and the interpreter's table of interned strings
    grew with the objects of a run (its resize showed as a 1.9 MB step between 1k and 5k)."""
    import sys

    interned: list[str] = []
    real = sys.intern

    def counting(text: str) -> str:
        interned.append(text)
        return real(text)

    monkeypatch.setattr(sys, "intern", counting)
    with cat.batch():
        for i in range(20):
            cat.data_put(f"{AHOME}/unique-{i:03d}", b"x" * i, ALICE)
            cat.data_copy(f"{AHOME}/unique-{i:03d}", f"{AHOME}/unique-copy-{i:03d}", ALICE)
            cat.data_checksum(f"{AHOME}/unique-{i:03d}", ALICE, force=True)
    assert not [text for text in interned if text.startswith("unique-")], interned[:5]


def _sqlite_memory() -> int:
    current, peak = ctypes.c_int64(), ctypes.c_int64()
    _LIB.sqlite3_status64(0, ctypes.byref(current), ctypes.byref(peak), 0)
    return current.value


def test_statements_that_differ_by_their_text_are_not_all_kept(cat):
    """The connection keeps a bounded number of prepared statements (Db.CACHED_STATEMENTS):
    after 200 more distinct queries with IN lists (GenQuery pages differ by their lists'
    lengths, more of them the larger the zone) SQLite holds about what it held after 40."""
    marks = ", ".join("?" for _ in range(200))

    def run_distinct(tags: range) -> int:
        before = _sqlite_memory()
        for tag in tags:
            cat.db.all(f"SELECT data_id FROM data WHERE data_id IN ({marks}) "  # noqa: S608
                       f"AND {tag} = {tag}", range(200))
        return _sqlite_memory() - before

    first = run_distinct(range(0, 40))
    more = run_distinct(range(40, 240))
    assert more <= 0.2 * first, (first, more)


def test_a_recursive_acl_change_holds_no_list_of_the_tree(cat):
    """ichmod -r over a collection reads the ids below it a chunk at a time (Python memory
    traced while it runs: the same over 1,000 objects as over 100; it held every id's row)."""
    import tracemalloc

    def peak_of_recursive_grant(count: int, collection: str) -> int:
        with cat.batch():
            cat.coll_create(f"{AHOME}/{collection}", ALICE)
            for i in range(count):
                cat.data_put(f"{AHOME}/{collection}/f{i:05d}", b"", ALICE)
        tracemalloc.start()
        try:
            cat.acl_set(f"{AHOME}/{collection}", "bob", "read", None, recursive=True)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small = peak_of_recursive_grant(100, "small")
    large = peak_of_recursive_grant(1000, "large")
    assert large <= small + 64 * 1024, (small, large)
