"""Removal policy (workflows/removal.py): the pure decision and its application."""

from __future__ import annotations

import pytest

from b2safe.errors import CAT_SQL_ERR, IrodsCallError
from b2safe.state.pending import PENDING_MARK_PREFIX
from b2safe.workflows.pending_work import PENDING_RULE
from b2safe.workflows.pids import FIXED_AVU, PID_AVU
from b2safe.workflows.removal import DELETED_KEY, Decision, Removals, decide

from .conftest import ADMIN, ALICE

HOME = "/zoneA/home/alice"


@pytest.mark.parametrize(("mode", "caller", "fixed", "expected"), [
    ("refuse_fixed", ALICE, 1, Decision.REFUSE),
    ("refuse_fixed", ALICE, 0, Decision.ALLOW),
    ("refuse_fixed", ADMIN, 3, Decision.ALLOW),
    ("refuse_fixed", None, 1, Decision.REFUSE),
    ("keep_and_mark", ALICE, 1, Decision.REMEMBER),
    ("ignore", ALICE, 1, Decision.ALLOW),
])
def test_decide(mode, caller, fixed, expected):
    assert decide(mode, caller, fixed) is expected


def test_refuse_fixed_refuses_fixed_data_and_collections_holding_it(catalog, workflow_for):
    catalog.put(f"{HOME}/p/fixed.dat", **{FIXED_AVU: "True"})
    catalog.put(f"{HOME}/p/plain.dat", **{FIXED_AVU: "False"})
    workflow = workflow_for(deletion={"mode": "refuse_fixed"})
    removals = Removals(workflow, workflow.config, ALICE)
    assert removals.before(f"{HOME}/p/fixed.dat", False) is Decision.REFUSE
    assert removals.before(f"{HOME}/p/plain.dat", False) is Decision.ALLOW
    assert removals.before(f"{HOME}/p", True) is Decision.REFUSE
    admin = Removals(removals.workflow, removals.config, ADMIN)
    assert admin.before(f"{HOME}/p", True) is Decision.ALLOW


def test_refuse_fixed_fails_closed_when_the_catalog_fails(catalog, workflow_for):
    catalog.put(f"{HOME}/p/fixed.dat", **{FIXED_AVU: "True"})
    workflow = workflow_for(deletion={"mode": "refuse_fixed"})
    removals = Removals(workflow, workflow.config, ALICE)
    catalog.fail_next("data_paths_with_avu", IrodsCallError("GenQuery failed", code=CAT_SQL_ERR))
    with pytest.raises(IrodsCallError):
        removals.before(f"{HOME}/p", True)
    catalog.fail_next("avus", IrodsCallError("GenQuery failed", code=CAT_SQL_ERR))
    with pytest.raises(IrodsCallError):
        removals.before(f"{HOME}/p/fixed.dat", False)


def test_keep_and_mark_marks_the_records_of_a_removed_tree(catalog, pids, workflow_for):
    workflow = workflow_for(deletion={"mode": "keep_and_mark"})
    for name in ("a.dat", "sub/b.dat"):
        catalog.put(f"{HOME}/p/{name}")
    report = workflow.pids_for_collection(f"{HOME}/p", fixed=False)
    assert report.created == 4  # p, sub, a.dat, sub/b.dat
    tree = {path: value for path, value in catalog.paths_with_avu(f"{HOME}/p", PID_AVU)}
    removals = Removals(workflow, workflow.config, ALICE)
    assert removals.before(f"{HOME}/p", True) is Decision.REMEMBER
    for path in list(catalog.objects):
        if path.startswith(f"{HOME}/p"):
            del catalog.objects[path]
    assert removals.after(f"{HOME}/p") == (4, 0)
    assert all(pids.records[pid.upper()][DELETED_KEY].endswith("Z") for pid in tree.values())
    assert removals.after(f"{HOME}/p") is None  # remembered once


def test_keep_and_mark_keeps_marks_while_the_pid_service_is_down(catalog, pids, workflow_for):
    workflow = workflow_for(deletion={"mode": "keep_and_mark"})
    catalog.put(f"{HOME}/gone.dat")
    pid = workflow.create(f"{HOME}/gone.dat")
    removals = Removals(workflow, workflow.config, ALICE)
    assert removals.before(f"{HOME}/gone.dat", False) is Decision.REMEMBER
    del catalog.objects[f"{HOME}/gone.dat"]
    pids.down = True
    assert removals.after(f"{HOME}/gone.dat") == (0, 1)
    assert [a.name for a in catalog.avus(HOME, "-C")] == [PENDING_MARK_PREFIX + pid]
    assert [q.rule for q in catalog.queue] == [PENDING_RULE]
    # The retry, once the service is back, marks the record and drops the mark.
    pids.down = False
    assert removals.process_pending(10) == (1, 0)
    assert DELETED_KEY in pids.records[pid.upper()]
    assert catalog.avus(HOME, "-C") == []


def test_a_pending_mark_for_a_pid_in_use_again_is_dropped(catalog, pids, workflow_for):
    workflow = workflow_for(deletion={"mode": "keep_and_mark"})
    catalog.put(f"{HOME}/gone.dat")
    pid = workflow.create(f"{HOME}/gone.dat")
    removals = Removals(workflow, workflow.config, ALICE)
    removals.before(f"{HOME}/gone.dat", False)
    pids.down = True
    removals.after(f"{HOME}/gone.dat")  # the object is still there: its PID is in use
    pids.down = False
    assert removals.process_pending(10) == (0, 0)
    assert DELETED_KEY not in pids.records[pid.upper()]
    assert catalog.avus(HOME, "-C") == []
