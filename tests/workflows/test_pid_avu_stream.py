"""The merge of a tree-wide AVU stream with a listing by id (EUDATPidsForColl's existing
PIDs): rows of objects the listing does not hold (created or moved in between) are skipped,
ids compare as numbers, and the stream is read only as far as asked."""

from __future__ import annotations

from b2safe.ports import Avu
from b2safe.workflows.pids import _AvuStream


def _pid(value: str) -> list[Avu]:
    return [Avu("PID", value, "")]


def test_rows_of_objects_missing_from_the_listing_are_skipped():
    read: list[str] = []

    def rows():
        for object_id, value in (("9", "A"), ("10", "B"), ("12", "C"), ("100", "D")):
            read.append(object_id)
            yield object_id, _pid(value)

    stream = _AvuStream(rows())
    assert read == []  # nothing is queried before a page asks
    assert stream.take(["10", "11"]) == {"10": _pid("B")}  # 9 is not listed: skipped
    assert read == ["9", "10", "12"]
    assert stream.take(["12", "50"]) == {"12": _pid("C")}
    assert stream.take(["100", "101"]) == {"100": _pid("D")}
    assert stream.take(["102"]) == {}
