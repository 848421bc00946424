"""Several OS processes (agents) doing overlapping work on one sandbox, ending consistent.

Each agent is a separate Python process (:mod:`agents`) with its own PID-service client, its
own catalog connection and no lock shared with the others, like agents on several servers of
one zone. They are released together after all have opened the sandbox.
"""

from __future__ import annotations

import random

import pytest

from tests.sandbox.durability.agents import run_agents

PARENT = "/zoneA/home/alice/parent.dat"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agents_adding_replicas_to_one_parent_keep_every_child(world, seed):
    """Issue 15: the read-then-write update of EUDAT/REPLICA lost links across processes."""
    world.client("alice#zoneA").iput(PARENT, b"parent")
    parent = world.call("EUDATCreatePID", "None", PARENT, "None", "None", "false", "")[-1]
    prefix = parent.split("/")[0]
    children = [f"{prefix}/CHILD-{seed}-{n:02d}" for n in range(24)]
    rng = random.Random(seed)
    rng.shuffle(children)
    agents = 4
    jobs = [[("zoneA", "EUDATUpdatePIDWithNewChild", [parent, child], "alice#zoneA")
             for child in children[i::agents]] for i in range(agents)]
    results = run_agents(world.sb.directory, jobs)
    assert all(code == 0 for result in results for code, *_ in result), results
    listed = [pid.upper() for pid in world.record(parent).replicas]
    assert sorted(listed) == sorted(c.upper() for c in children)
    # superseded versions of the list were retired: one current EUDAT/REPLICA value
    values = world.reader("zoneA").get_values(parent)
    assert [v["type"] for v in values].count("EUDAT/REPLICA") == 1


def test_concurrent_creators_with_uuid_suffixes_leave_one_pid_per_object(world):
    """Issue 15: ``pid.suffix: uuid`` with concurrent creators gave two PIDs on one object."""
    world.configure("zoneA", pid={"suffix": "uuid"})
    client = world.client("alice#zoneA")
    objects = [f"/zoneA/home/alice/racing-{n}.dat" for n in range(10)]
    for path in objects:
        client.iput(path, path.encode())
    agents = 4
    jobs = [[("zoneA", "EUDATCreatePID", ["None", path, "None", "None", "false", ""],
              "alice#zoneA") for path in (objects if i % 2 else list(reversed(objects)))]
            for i in range(agents)]
    results = run_agents(world.sb.directory, jobs)
    assert all(code == 0 for result in results for code, *_ in result), results
    handles = world.handles("zoneA")
    for path in objects:
        (pid,) = world.avus(path)["PID"]
        assert world.record(pid).url.endswith(path)
    assert len(handles) == len(objects)  # the losers' handles were deleted
    for i, result in enumerate(results):
        order = objects if i % 2 else list(reversed(objects))
        for path, (_, args) in zip(order, result):  # every agent answered the kept PID
            assert args[-1] == world.avus(path)["PID"][0]
