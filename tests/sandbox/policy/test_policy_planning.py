"""Pure policy matching and planning (no sandbox)."""

from __future__ import annotations

import pytest

from b2safe.config import PolicyConfig, ReplicaTarget
from b2safe.workflows import policies


def policy(collection, *targets, pid="now", name="p"):
    return PolicyConfig(name=name, collection=collection, pid=pid,
                        replicate=tuple(ReplicaTarget(t) for t in targets))


@pytest.mark.parametrize("pattern,collection,expected", [
    ("/z/home/*/archive", "/z/home/alice/archive", True),
    ("/z/home/*/archive", "/z/home/alice/x/archive", False),
    ("/z/home/**/archive", "/z/home/alice/x/archive", True),
    ("/z/home/**/archive", "/z/home/archive", True),
    ("/z/home/a*", "/z/home/alice", True),
    ("/z/home/a*", "/z/home/bob", False),
    ("/z/home/alice", "/z/home/alice", True),
    ("/z/home/al.ce", "/z/home/alice", False),
])
def test_collection_patterns(pattern, collection, expected):
    assert policies.collection_matches(pattern, collection) is expected


def test_plan_mirrors_the_tree_from_the_first_wildcard():
    plan = policies.plan([policy("/z/home/*/archive", "/y/replicas")],
                         "/z/home/alice/archive/a/b.dat", "z")
    assert plan.pid == "now"
    assert [r.destination for r in plan.replicas] == ["/y/replicas/alice/archive/a/b.dat"]


def test_plan_without_wildcard_mirrors_the_collection_itself():
    plan = policies.plan([policy("/z/home/alice/project", "/y/r")],
                         "/z/home/alice/project/x.dat", "z")
    assert [r.destination for r in plan.replicas] == ["/y/r/project/x.dat"]


def test_nothing_outside_policy_collections():
    assert policies.plan([policy("/z/home/*/archive", "/y/r")], "/z/home/alice/x.dat",
                         "z").empty


def test_recursion_guards():
    loop = [policy("/z/data", "/z/data/replicas"), policy("/z/in", "/z/replicas", name="q"),
            policy("/z/replicas", "/z/in", name="back")]
    assert policies.plan(loop, "/z/data/x.dat", "z").replicas == ()  # target inside the tree
    assert policies.plan(loop, "/z/replicas/in/x.dat", "z").skipped  # lands in a replica area
    assert policies.plan(loop, "/z/in/x.dat", "z", is_replica=True).skipped


def test_first_pid_policy_wins_and_targets_are_merged():
    first = PolicyConfig(name="a", collection="/z/d", pid="deferred", fixed_content=True,
                         replicate=(ReplicaTarget("/y/r"),))
    second = PolicyConfig(name="b", collection="/z/d/**", pid="now",
                          replicate=(ReplicaTarget("/y/r"), ReplicaTarget("/x/r")))
    plan = policies.plan([first, second], "/z/d/f.dat", "z")
    assert (plan.pid, plan.fixed_content) == ("deferred", True)
    # Each policy mirrors from its own first wildcard ("**" here): different destinations.
    assert [r.destination for r in plan.replicas] == ["/y/r/d/f.dat", "/y/r/f.dat", "/x/r/f.dat"]
