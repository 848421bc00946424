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
    assert all(code == 0 for result in results for code, _ in result), results
    listed = [pid.upper() for pid in world.record(parent).replicas]
    assert sorted(listed) == sorted(c.upper() for c in children)
    # superseded versions of the list were retired: one current EUDAT/REPLICA value
    values = world.reader("zoneA").get_values(parent)
    assert [v["type"] for v in values].count("EUDAT/REPLICA") == 1
