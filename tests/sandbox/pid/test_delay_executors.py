"""Several delay-rule executors (iRODS 5's number_of_concurrent_delay_rule_executors): the
batches of EUDATPidsForCollBatched taken by 3 executor processes at once, each batch run by
exactly one of them (the rule lock), every object with exactly one PID."""

from __future__ import annotations

from b2safe_sandbox.runtime.executors import claim, release

BASE = "/zoneA/home/alice/tree"
NAMES = ("it's", "two  spaces", "ünïcødé €")


def pid_avus(world, paths):
    """{path: [PID values]} (from the zone catalog)."""
    catalog = world.sb.zone("zoneA").catalog
    return {path: [a.value for a in catalog.avu_list(
        "-C" if catalog.coll_get(path) is not None else "-d", path, "PID")] for path in paths}


def test_three_executors_run_each_batch_once(world):
    paths = world.tree(BASE, 120, names=NAMES, fanout=3, depth=1)
    args = world.call("EUDATPidsForCollBatched", BASE, "false", "20", "")
    batches = int(args[3].split()[0].split("=")[1])
    assert batches == 1 + 6  # the collections, then 120 objects in batches of 20

    results = world.sb.run_delayed(advance=5, executors=3)

    assert len(results) == batches and all(r.succeeded for r in results)
    assert len({(r.zone, r.rule_id) for r in results}) == batches  # none ran twice
    assert world.sb.zone("zoneA").catalog.delay_list() == []
    pids = pid_avus(world, paths)
    assert sorted(pids) == sorted(paths)
    assert all(len(values) == 1 for values in pids.values())
    assert len(world.handles()) == len(paths)


def test_a_locked_rule_is_not_taken_again(world):
    world.tree(BASE, 5, names=NAMES, fanout=1, depth=1)
    world.call("EUDATPidsForCollBatched", BASE, "false", "20", "")
    [row, *_] = world.sb.zone("zoneA").catalog.delay_list()
    assert claim(world.sb, "zoneA", row.id)
    assert not claim(world.sb, "zoneA", row.id)
    release(world.sb, "zoneA", row.id)
    assert claim(world.sb, "zoneA", row.id)
