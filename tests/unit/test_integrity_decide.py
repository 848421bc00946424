"""Pure integrity decisions: witnesses, merge of sorted listings, selection, pending values."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from b2safe.adapters.prep.calls import DelayedCall
from b2safe.domain.durations import parse as period_seconds
from b2safe.ports import ReplicaRow
from b2safe.ruleset.responses import integrity
from b2safe.workflows.integrity import (
    PidFacts,
    Report,
    checksum_witness,
    decide,
    group_replicas,
    merge,
    parse_pending,
    select_oldest,
    sort_key,
)
from b2safe.workflows.sweeps import SWEEP_RULE, SweepState

A, B, C = "sha2:AAAA", "sha2:BBBB", "sha2:CCCC"


def row(path: str, checksum: str = A, size: int = 5, repl: int = 0) -> ReplicaRow:
    return ReplicaRow(path, path, repl, "demoResc", size, checksum)


def test_three_witnesses_name_the_odd_one_out():
    assert checksum_witness(A, A, A, False) is None
    assert checksum_witness(A, A, B, False).witness == "pid"
    assert checksum_witness(A, B, A, False).witness == "replica"
    changed = checksum_witness(A, B, B, False)
    assert (changed.kind, changed.witness) == ("source_changed", "source")
    violated = checksum_witness(A, B, B, True)
    assert (violated.kind, violated.witness) == ("checksum", "source")
    assert checksum_witness(A, B, C, False).witness == "unknown"
    assert checksum_witness(A, B, None, False).witness == "replica"


def test_legacy_unpadded_pid_checksum_matches():
    assert checksum_witness("sha2:AB==", "sha2:AB==", "sha2:AB", False) is None


def test_decide_uses_b2safe_wording():
    ok = decide(row("/z/a"), row("/y/a"), destination="/y/a")
    assert ok.ok and integrity(ok) == "checksum(/z/a):sha2:AAAA = checksum(/y/a):sha2:AAAA"
    missing = decide(row("/z/a"), None, destination="/y/a")
    assert integrity(missing).startswith("missing replicated object")
    size = decide(row("/z/a"), row("/y/a", size=7), destination="/y/a")
    assert "size(/z/a:demoResc:):5 != size(/y/a:demoResc:):7" in integrity(size)
    assert size.disagreeing == ("replica",)


def test_decide_checks_the_pid_url():
    pid = PidFacts("21.T/1", checksum=A, url="irods://h:1247/z/other")
    verdict = decide(row("/z/a"), None, pid=pid, expected_urls=["irods://h:1247/z/a"])
    assert [f.kind for f in verdict.findings] == ["pid_url"]


def test_pending_value_round_trip():
    verdict = decide(row("/z/a"), row("/y/a", checksum=B), destination="/y/a")
    value = verdict.findings[0].pending_value(1700000000, "/y/a")
    assert parse_pending(value) == (1700000000, "checksum", "replica", "/y/a")
    assert parse_pending("garbage") is None


paths = st.lists(st.from_regex(r"[a-c]{1,2}(/[a-c]{1,2}){0,2}", fullmatch=True), unique=True,
                 max_size=30)


@given(paths, paths)
def test_merge_pairs_every_common_path(left, right):
    def listing(root, rels):
        return [f for f in group_replicas(row(f"{root}/{r}") for r in
                                           sorted(rels, key=sort_key))]

    pairs = list(merge(listing("/z/s", left), listing("/y/d", right), "/z/s", "/y/d"))
    both = {p.rel for p in pairs if p.source is not None and p.replica is not None}
    assert both == set(left) & set(right)
    assert {p.rel for p in pairs if p.source is not None} == set(left)
    assert len(pairs) == len(set(left) | set(right))


def test_group_replicas_keeps_replicas_together():
    rows = [row("/z/a", repl=1), row("/z/a", repl=0), row("/z/b")]
    groups = list(group_replicas(rows))
    assert [g.path for g in groups] == ["/z/a", "/z/b"]
    assert [r.repl_num for r in groups[0].replicas] == [0, 1]


def test_select_oldest_prefers_never_verified():
    items = [(50, "/z/a", 0, "r"), (0, "/z/b", 0, "r"), (10, "/z/c", 0, "r")]
    assert [i[1] for i in select_oldest(iter(items), 2)] == ["/z/b", "/z/c"]
    assert select_oldest(iter(items), 0) == []


def test_report_keeps_a_bounded_failure_list():
    report = Report(root="/z", keep=2)
    for i in range(5):
        report.add(decide(row(f"/z/{i}"), None, destination=f"/y/{i}"))
    data = report.as_json(integrity)
    assert data["failed"] == 5 and len(data["failures"]) == 2 and data["failures_truncated"]


def test_sweep_rule_text_and_state():
    text = DelayedCall(SWEEP_RULE, ("/z/it's here", "")).to_text()
    assert DelayedCall.from_text(text) == DelayedCall(SWEEP_RULE, ("/z/it's here", ""))
    assert DelayedCall.from_text("callback.other('/z')") == DelayedCall("other", ("/z",))
    assert DelayedCall.from_text("callback.other(x)") is None
    assert period_seconds("2d") == 172800
    state = SweepState.from_avus({"eudat_sweep:cursor": "17::a/b", "eudat_sweep:state": "x"})
    assert (state.pass_started, state.cursor, state.status) == (17, "a/b", "active")
