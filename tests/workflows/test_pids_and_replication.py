"""PID re-pointing and replication (workflows/pids.py, workflows/replication.py) over fakes."""

from __future__ import annotations

import pytest

from b2safe.ports import ObjectInfo
from b2safe.workflows.pids import PID_AVU, REPLICA_AVU
from b2safe.workflows.replication import (
    Failure,
    Link,
    ReplicaTarget,
    ReplicationFailed,
    Replicator,
    Request,
    plan_links,
    plan_registration,
    register_replicas,
)

from .conftest import ALICE

HOME = "/zoneA/home/alice"


def item(path, kind="d", object_id="1"):
    return ObjectInfo(path=path, kind=kind, object_id=object_id)


def test_plan_registration_and_links_are_pure():
    page = [item(f"{HOME}/s/a"), item(f"{HOME}/s/b", object_id="2")]
    facts = {f"{HOME}/s/a": {PID_AVU: "21.T1/A", "_minted": "1"}}
    targets, failures = plan_registration(page, facts, f"{HOME}/s", "/zoneB/r")
    assert targets == [ReplicaTarget(page[0], "/zoneB/r/a", "21.T1/A", "21.T1/A", "21.T1/A",
                                     "False", first_child=True)]
    assert failures == [Failure(f"{HOME}/s/b", "/zoneB/r/b", f"PID of source {HOME}/s/b is None")]
    links, missing = plan_links(targets, {"/zoneB/r/a": "21.T1/C"})
    assert links == [Link(page[0], "/zoneB/r/a", "21.T1/A", "21.T1/C", True)]
    assert missing == []
    assert plan_links(targets, {})[1] == [
        Failure(f"{HOME}/s/a", "/zoneB/r/a", "PID of destination /zoneB/r/a is None")]


def test_repoint_tree_follows_a_moved_collection(catalog, pids, workflow_for):
    workflow = workflow_for()
    catalog.put(f"{HOME}/old/a.dat")
    workflow.pids_for_collection(f"{HOME}/old", fixed=False)
    for path in sorted(catalog.objects):  # imv old new
        if path.startswith(f"{HOME}/old"):
            obj = catalog.objects.pop(path)
            new = path.replace("/old", "/new", 1)
            obj.info = ObjectInfo(**{**obj.info.__dict__, "path": new})
            catalog.objects[new] = obj
    done = workflow.repoint_tree(catalog.stat(f"{HOME}/new"), f"{HOME}/old")
    assert sorted(path for path, _, error in done if error is None) == [
        f"{HOME}/new", f"{HOME}/new/a.dat"]
    assert all(pids.records[pid.upper()]["URL"].endswith(path.split("/zoneA")[1])
               for path, pid, _ in done)


def test_registered_replication_in_the_zone_links_parent_and_child(catalog, pids, workflow_for):
    workflow = workflow_for()
    catalog.put(f"{HOME}/src/a.dat", b"data")
    replicator = Replicator(workflow, workflow.config, ALICE)
    replicator.replicate(Request(f"{HOME}/src", f"{HOME}/copy"))
    assert catalog.objects[f"{HOME}/copy/a.dat"].data == b"data"
    [parent] = catalog.values(f"{HOME}/src/a.dat", PID_AVU)
    [child] = catalog.values(f"{HOME}/copy/a.dat", PID_AVU)
    assert catalog.values(f"{HOME}/src/a.dat", REPLICA_AVU) == [child]
    assert pids.records[child.upper()]["EUDAT/PARENT"] == parent
    assert list(replicator.faillog.records()) == []


def test_a_parent_minted_for_its_source_gets_its_first_child_without_a_read(catalog, pids,
                                                                               workflow_for):
    """Its handle (minted from the source's object id and path) is the witness that the record
    is the source's: no GET before the conditional PUT. A second destination reads first."""
    workflow = workflow_for()
    catalog.put(f"{HOME}/a.dat", b"data")
    replicator = Replicator(workflow, workflow.config, ALICE)
    replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat"))
    [parent] = catalog.values(f"{HOME}/a.dat", PID_AVU)
    assert pids.first_replicas == [parent]
    replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/c.dat"))
    assert pids.first_replicas == [parent]  # it lists a replica now: read, checked, merged
    assert sorted(catalog.values(f"{HOME}/a.dat", REPLICA_AVU)) == sorted(
        catalog.values(f"{HOME}/b.dat", PID_AVU) + catalog.values(f"{HOME}/c.dat", PID_AVU))


def test_with_random_suffixes_a_parent_is_read_before_its_first_child(catalog, pids,
                                                                      workflow_for):
    """With ``pid.suffix: uuid`` a handle is no witness of whose record it is (minting gives a
    new random one each time): the parent's record is read, and its URL checked, before the
    link, even when the parent's handle equals what minting the source's key would give."""
    workflow = workflow_for(pid={"suffix": "uuid"})
    catalog.put(f"{HOME}/a.dat", b"data")
    replicator = Replicator(workflow, workflow.config, ALICE)
    replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat"))
    [parent] = catalog.values(f"{HOME}/a.dat", PID_AVU)
    assert parent == pids.mint(workflow.mint_key(catalog.stat(f"{HOME}/a.dat")))
    assert pids.first_replicas == []
    assert catalog.values(f"{HOME}/a.dat", REPLICA_AVU) == catalog.values(f"{HOME}/b.dat",
                                                                          PID_AVU)


def test_a_pid_claimed_from_another_record_is_read_before_a_link(catalog, pids, workflow_for):
    """A PID attribute naming a record minted for something else is only a claim: that record
    is read and, naming another object, not linked (nothing written to it)."""
    from b2safe.domain.profile import PidRecord
    from b2safe.workflows.pids import FIXED_AVU

    workflow = workflow_for()
    other = pids.create(PidRecord(url="irods://elsewhere/zoneA/home/bob/b.dat"), "bob's key")
    catalog.put(f"{HOME}/a.dat", b"data")
    catalog.set_avu(f"{HOME}/a.dat", "-d", PID_AVU, other)
    catalog.set_avu(f"{HOME}/a.dat", "-d", FIXED_AVU, "False")
    replicator = Replicator(workflow, workflow.config, ALICE)
    with pytest.raises(ReplicationFailed) as caught:
        replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat"))
    assert "only a claim" in str(caught.value) or "points elsewhere" in str(caught.value)
    assert pids.first_replicas == []
    assert "EUDAT/REPLICA" not in pids.records[other.upper()]


def test_a_failed_copy_stays_in_the_fail_log(catalog, workflow_for):
    from b2safe.errors import SYS_SOCK_CONNECT_ERR, IrodsCallError

    workflow = workflow_for()
    catalog.put(f"{HOME}/a.dat")
    replicator = Replicator(workflow, workflow.config, ALICE)
    catalog.fail_next("rsync", IrodsCallError("network down", code=SYS_SOCK_CONNECT_ERR))
    with pytest.raises(ReplicationFailed) as caught:
        replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat"))
    assert caught.value.failures == [Failure(f"{HOME}/a.dat", f"{HOME}/b.dat", "network down")]
    [record] = replicator.faillog.records()
    assert (record.cause, record.attempts) == ("network down", 1)
    assert [q.rule for q in catalog.queue] == ["EUDATTransferUsingFailLog"]


def test_an_unknown_resource_in_the_zone_is_refused_with_nothing_changed(catalog, workflow_for):
    """A resource name the zone does not have is the caller's mistake, not a retryable failure:
    refused before the fail log is written (SYS_RESC_DOES_NOT_EXIST), nothing copied."""
    from b2safe.errors import SYS_RESC_DOES_NOT_EXIST, UnknownResource

    workflow = workflow_for()
    catalog.put(f"{HOME}/a.dat")
    replicator = Replicator(workflow, workflow.config, ALICE)
    with pytest.raises(UnknownResource) as caught:
        replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat", "noSuchResc"))
    assert caught.value.code == SYS_RESC_DOES_NOT_EXIST
    assert "noSuchResc" in str(caught.value)
    assert list(replicator.faillog.records()) == []
    assert f"{HOME}/b.dat" not in catalog.objects and catalog.queue == []
    replicator.replicate(Request(f"{HOME}/a.dat", f"{HOME}/b.dat", "demoResc"))
    assert f"{HOME}/b.dat" in catalog.objects


def test_register_replicas_skips_objects_the_caller_may_not_write(catalog, pids, workflow_for):
    """The workflow's own check behind the rule's (a second line: a request that reaches it
    with an object the caller may not write registers nothing for that object)."""
    import json

    catalog.put(f"{HOME}/mine.dat", b"m")
    catalog.put(f"{HOME}/theirs.dat", b"t")
    catalog.readonly.add(f"{HOME}/theirs.dat")
    done = register_replicas(workflow_for(), json.dumps(
        [[f"{HOME}/mine.dat", "None", "None", "None", "false"],
         [f"{HOME}/theirs.dat", "None", "None", "None", "false"]]))
    assert done[f"{HOME}/theirs.dat"].startswith("error")
    assert catalog.values(f"{HOME}/theirs.dat", PID_AVU) == []
    assert len(pids.records) == 1 and catalog.values(f"{HOME}/mine.dat", PID_AVU)


def test_register_replicas_answers_every_pid_the_replicas_have_afterwards(catalog, pids,
                                                                         workflow_for):
    """The result names the PID of each replica: a new one, and one registered before (its
    first PID attribute), without a read after the page."""
    import json

    catalog.put(f"{HOME}/old.dat", b"o")
    catalog.put(f"{HOME}/new.dat", b"n")
    catalog.set_avu(f"{HOME}/old.dat", "-d", PID_AVU, "21.T12995/EARLIER")
    done = register_replicas(workflow_for(), json.dumps(
        [[f"{HOME}/old.dat", "None", "None", "None", "false"],
         [f"{HOME}/new.dat", "None", "None", "None", "false"]]))
    [new] = catalog.values(f"{HOME}/new.dat", PID_AVU)
    assert done == {f"{HOME}/old.dat": "21.T12995/EARLIER", f"{HOME}/new.dat": new}
    assert len(pids.records) == 1


def test_a_deferred_registration_of_an_existing_replica_stays_in_the_fail_log(catalog,
                                                                              workflow_for):
    """EUDATPIDRegistration whose remote PID creation the zone refuses to the user
    (SYS_NO_API_PRIV) is kept for the rodsadmin's retry with its stage, not dropped as done."""
    from b2safe.errors import SYS_NO_API_PRIV, IrodsCallError
    from b2safe.state.faillog import Stage
    from b2safe.workflows.replication import DEFERRED

    workflow = workflow_for()
    catalog.federation["zoneB"] = "zoneb.example:1247"
    catalog.put(f"{HOME}/a.dat")
    replicator = Replicator(workflow, workflow.config, ALICE)
    catalog.fail_next("run_remote_native", IrodsCallError("no remote exec",
                                                           code=SYS_NO_API_PRIV))
    failure = replicator.register_existing(Request(f"{HOME}/a.dat", "/zoneB/r/a.dat"))
    assert failure is not None and failure.cause == DEFERRED
    [record] = replicator.faillog.records()
    assert (record.source, record.destination, record.stage) == (
        f"{HOME}/a.dat", "/zoneB/r/a.dat", Stage.DEFERRED)
