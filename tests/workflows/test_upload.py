"""Upload policies (workflows/upload.py) over the fakes."""

from __future__ import annotations

from b2safe.ports import ReplicaRow
from b2safe.state.faillog import FailLog
from b2safe.state.pending import PENDING_PID_AVU
from b2safe.workflows.pending_work import PENDING_RULE
from b2safe.workflows.pids import PID_AVU
from b2safe.workflows.upload import Uploads, is_replication_event

from .conftest import ALICE

ARCHIVE = "/zoneA/home/alice/archive"


def policy(pid="now", replicate=()):
    return {"name": "archive", "collection": ARCHIVE, "pid": pid,
            "replicate": [{"destination": d} for d in replicate]}


def row(repl, status):
    return ReplicaRow("/zoneA/x", "1", repl, "r", 1, "", status=status)


def test_replication_event_is_another_good_replica():
    assert not is_replication_event([row(0, 1)], 0)
    assert not is_replication_event([row(0, 1), row(1, 0)], 0)  # a put leaves others stale
    assert is_replication_event([row(0, 1), row(1, 1)], 1)
    assert not is_replication_event([row(0, 1), row(1, 1)], None)


def test_pid_now_registers_the_upload(catalog, pids, workflow_for):
    workflow = workflow_for(policies=[policy()])
    catalog.put(f"{ARCHIVE}/a.dat")
    plan = Uploads(workflow, workflow.config, ALICE).apply(f"{ARCHIVE}/a.dat", 0)
    assert plan.policies == ("archive",)
    [pid] = catalog.values(f"{ARCHIVE}/a.dat", PID_AVU)
    assert pids.records[pid.upper()]["URL"].endswith("/zoneA/home/alice/archive/a.dat")
    assert catalog.queue == []
    # Outside the policy's collection nothing happens.
    catalog.put("/zoneA/home/alice/other.dat")
    Uploads(workflow, workflow.config, ALICE).apply("/zoneA/home/alice/other.dat", 0)
    assert catalog.values("/zoneA/home/alice/other.dat", PID_AVU) == []


def test_pid_service_down_leaves_pending_work_and_one_rule(catalog, pids, workflow_for):
    workflow = workflow_for(policies=[policy()])
    uploads = Uploads(workflow, workflow.config, ALICE)
    pids.down = True
    for name in ("a.dat", "b.dat"):
        catalog.put(f"{ARCHIVE}/{name}")
        uploads.apply(f"{ARCHIVE}/{name}", 0)
    assert all(catalog.values(f"{ARCHIVE}/{n}", PENDING_PID_AVU) for n in ("a.dat", "b.dat"))
    assert [(q.rule, q.user) for q in catalog.queue] == [(PENDING_RULE, "alice")]
    pids.down = False
    assert uploads.process_pending(10, lambda action, path: None) == (2, 0)
    assert all(catalog.values(f"{ARCHIVE}/{n}", PID_AVU) for n in ("a.dat", "b.dat"))
    assert catalog.values(f"{ARCHIVE}/a.dat", PENDING_PID_AVU) == []


def test_replication_targets_go_to_the_fail_log(catalog, workflow_for):
    workflow = workflow_for(policies=[policy(pid="off", replicate=["/zoneB/replicas"])])
    catalog.put(f"{ARCHIVE}/a.dat")
    Uploads(workflow, workflow.config, ALICE).apply(f"{ARCHIVE}/a.dat", 0)
    [record] = FailLog(catalog).records()
    assert (record.source, record.destination, record.user) == (
        f"{ARCHIVE}/a.dat", "/zoneB/replicas/archive/a.dat", "alice#zoneA")
    assert [q.rule for q in catalog.queue] == [PENDING_RULE]
