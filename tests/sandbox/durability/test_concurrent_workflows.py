"""Several OS processes (agents, :mod:`agents`) running overlapping workflows on one tree.

Each agent opens the sandbox, says ``ready``, and starts when its job is written (the start
gate: no sleeping). The interleavings are varied by the order of each agent's calls and by
which agent is released first; every test ends with the invariants of :mod:`invariants`.
Small trees and few repetitions keep each test to a few seconds.
"""

from __future__ import annotations

import json

import pytest

from b2safe.domain.profile import parse_replicas
from b2safe.workflows.sweeps import RUN_AVU, SweepState, run_value
from tests.sandbox.durability.agents import run_agents
from tests.sandbox.durability.invariants import ADMIN, no_pending, one_pid, replica_ok, retry
from tests.sandbox.replication.repl_helpers import fail_log

SRC = "/zoneA/home/alice/shared"
NAMES = ("", "/a.dat", "/sub", "/sub/b.dat")


def make_tree(world, root=SRC):
    client = world.client("alice#zoneA")
    client.imkdir(f"{root}/sub", parents=True)
    client.iput(f"{root}/a.dat", b"alpha")
    client.iput(f"{root}/sub/b.dat", b"bravo")


def replication(source, destination):
    return ("zoneA", "EUDATReplication", [source, destination, "true", "true", ""], ADMIN)


def assert_all_ok(results):
    codes = [entry[0] for result in results for entry in result]
    failed = [entry for result in results for entry in result if entry[0]]
    assert codes == [0] * len(codes), failed


#: Races the server itself reports (see lost_races_only).
LOST_RACES = (-809000, -166000)


def lost_races_only(results):
    """Every failed call lost a race the server itself reports: two replications of one
    source creating the same data object in the destination at once, where the catalog's
    unique constraint answers the second CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME (-809000,
    low_level_odbc.cpp), or the second one's rsync meets the first one's new replica while it
    is still intermediate (registered before it is written): rsRsyncDataToData checksums the
    existing destination (rsDataObjRsync.cpp@5.0.2 L254-270), which answers
    SYS_NO_GOOD_REPLICA (-166000) when no replica is good (rsDataObjChksum.cpp@5.0.2
    L330-332). Its work is in the fail log; returns whether any call lost one."""
    failed = [entry for result in results for entry in result if entry[0]]
    assert all(entry[0] in LOST_RACES for entry in failed), failed
    return bool(failed)


def children_of(world, source):
    """The replica PIDs a source lists, from its record and from its catalog mirror."""
    pid = world.avus(source)["PID"][0]
    listed = sorted(p.upper() for p in world.record(pid).replicas)
    mirrored = sorted(p.upper() for v in world.avus(source).get("EUDAT/REPLICA", [])
                      for p in parse_replicas(v))
    return listed, mirrored


@pytest.mark.parametrize("order", ["same", "split"])
def test_one_source_replicated_to_two_destinations_at_once(fed, order):
    """Both destinations get registered replicas, and every source item (the collection
    included: its state is the union of what both agents added) lists both children once.
    The agents meet before their first EUDAT/REPLICA write, so both write on the same read:
    with a plain read-then-write one child is lost. ``split``: each agent replicates to one
    destination (nothing later re-adds a lost child); ``same``: both replicate to both, in the
    same order (they also race to create the same destination objects)."""
    fed.configure("zoneA", pid={"workers": 1})
    make_tree(fed)
    first, second = "/zoneB/replicas/one", "/zoneB/replicas/two"
    jobs = [[replication(SRC, first)], [replication(SRC, second)]]
    if order == "same":
        jobs = [[replication(SRC, first), replication(SRC, second)]] * 2
    if lost_races_only(run_agents(fed.sb.directory, jobs, barrier="EUDAT/REPLICA")):
        retry(fed)
    problems: list[str] = []
    for name in NAMES:
        source = SRC + name
        kids = [one_pid(fed, target + name, problems) for target in (first, second)]
        listed, mirrored = children_of(fed, source)
        expected = sorted(k.upper() for k in kids if k)
        if listed != expected or mirrored != expected:
            problems.append(f"{source}: lists {listed}, mirrors {mirrored}, not {expected}")
    no_pending(fed, problems)
    assert problems == []


@pytest.mark.parametrize("suffix", ["deterministic", "uuid"])
def test_bulk_pids_on_overlapping_collections(world, suffix):
    """Three agents create PIDs for a tree and a sub-tree of it at once: one PID per object,
    one handle per object. Deterministic suffixes: every agent mints the same handle (a 409
    with our URL is adopted); uuid suffixes: the first PID AVU added wins and the losers
    withdraw their AVUs and handles."""
    world.configure("zoneA", pid={"suffix": suffix})
    make_tree(world)
    world.client("alice#zoneA").iput(f"{SRC}/sub/c.dat", b"charlie")
    call = [("zoneA", "EUDATPidsForColl", [SRC, "false", ""], "alice#zoneA")]
    sub = [("zoneA", "EUDATPidsForColl", [f"{SRC}/sub", "false", ""], "alice#zoneA")]
    # the agents meet before their first Handle PUT: all of them create PIDs for the sub-tree
    # at once (without the barrier one could finish before another starts, and find the PIDs)
    assert_all_ok(run_agents(world.sb.directory, [sub, call, sub + call], barrier="URL"))
    problems: list[str] = []
    paths = [SRC + n for n in NAMES] + [f"{SRC}/sub/c.dat"]
    for path in paths:
        one_pid(world, path, problems)
    if len(world.handles("zoneA")) != len(paths):
        problems.append(f"{len(world.handles('zoneA'))} handles for {len(paths)} objects")
    assert problems == []


@pytest.mark.parametrize("repair", [True, False])
def test_a_sweep_with_repair_during_a_replication(fed, repair):
    """A sweep checking the tree while it is being replicated: afterwards, and after the
    next sweep run, the replicas are registered and intact and nothing is left pending. The
    replication stops at a barrier before its first PID write (nothing copied yet) while two
    sweep runs go through: they find the replicas missing. With ``repair`` the sweep copies
    them (unregistered) before the replication's rsync, which registers them; without it the
    sweep records the problems, and its next run, once the replication is done, clears
    them."""
    make_tree(fed)
    target = "/zoneB/replicas/shared"
    path = fed.sb.zone("zoneA").config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data["integrity"] = {"report_collection": "/zoneA/b2safe/reports",
                         "sweeps": [{"collection": SRC, "period": "1d", "repair": repair}]}
    path.write_text(json.dumps(data))
    fed.call("EUDATIntegritySweepInstall", SRC, target, "", user=ADMIN)
    sweep = [("zoneA", "EUDATIntegritySweepRun", [SRC, ""], ADMIN)]
    jobs = [[replication(SRC, target)], sweep + sweep]
    if lost_races_only(run_agents(fed.sb.directory, jobs, barrier="URL")):
        retry(fed)
    fed.sb.clock.advance(86400)
    fed.call("EUDATIntegritySweepRun", SRC, "", user=ADMIN)  # the next run of the sweep
    problems: list[str] = []
    for name in ("/a.dat", "/sub/b.dat"):
        replica_ok(fed, SRC + name, target + name, problems)
    no_pending(fed, problems)
    assert problems == []


@pytest.mark.parametrize("seed", [1, 2])
def test_repeated_mixed_runs_end_consistent(fed, seed):
    """Replications, bulk PIDs and fail-log retries of overlapping work, in varied orders."""
    make_tree(fed)
    target = f"/zoneB/replicas/mixed{seed}"
    calls = [replication(SRC, target),
             ("zoneA", "EUDATPidsForColl", [SRC, "false", ""], "alice#zoneA"),
             ("zoneA", "EUDATTransferUsingFailLog", ["100", ""], ADMIN),
             replication(f"{SRC}/sub", f"{target}-sub")]
    jobs = [calls[seed - 1:] + calls[:seed - 1], list(reversed(calls)), calls[::2]]
    # the agents meet before their first PID write: two of them mint the same handle at once
    if lost_races_only(run_agents(fed.sb.directory, jobs, barrier="URL")):
        retry(fed)  # the recovery: the fail-log retry completes the lost race's work
    problems: list[str] = []
    for name in ("/a.dat", "/sub/b.dat"):
        one_pid(fed, target + name, problems)
    for name in ("", "/b.dat"):
        one_pid(fed, f"{target}-sub{name}", problems)
    listed, mirrored = children_of(fed, f"{SRC}/sub/b.dat")
    if len(listed) != 2 or listed != mirrored:
        problems.append(f"b.dat lists {listed}, mirrors {mirrored}")
    if fail_log(fed):
        problems.append(f"fail log: {fail_log(fed)}")
    no_pending(fed, problems)
    assert problems == []


def sweep_state(world, collection):
    """The sweep's stored state, as ``b2safe sweeps`` reads it."""
    avus = world.sb.zone("zoneA").catalog.avu_list("-C", collection)
    return SweepState.from_avus({a.name: a.value for a in avus},
                                [a.value for a in avus if a.name == RUN_AVU])


@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_runs_of_one_sweep_keep_every_run(fed, seed):
    """Several runs of one collection's sweep at once (a duplicate queued copy, several delay
    executors), with a replication writing the same collection's AVUs: the sweep state
    converges to what every run added. Its pass totals are the sum of the runs' own counts
    (each run counted once), every run's report is kept, and the pass goes on to its end."""
    make_tree(fed)
    client = fed.client("alice#zoneA")
    for n in range(4):
        client.iput(f"{SRC}/extra{n}.dat", f"extra {n}".encode())
    objects = 6  # a.dat, sub/b.dat, extra0..3
    path = fed.sb.zone("zoneA").config_dir / "b2safe.json"
    data = json.loads(path.read_text())
    data["integrity"] = {"report_collection": "/zoneA/b2safe/reports",
                         "sweeps": [{"collection": SRC, "period": "1d", "max_objects": 2}]}
    path.write_text(json.dumps(data))
    fed.call("EUDATIntegritySweepInstall", SRC, "", "", user=ADMIN)
    run = ("zoneA", "EUDATIntegritySweepRun", [SRC, ""], ADMIN)
    target = "/zoneB/replicas/swept"
    jobs = [[run], [run, run], [replication(SRC, target)] if seed == 1 else [run], [run]]
    if seed == 2:
        jobs.reverse()
    results = run_agents(fed.sb.directory, jobs)
    assert_all_ok(results)
    answers = [json.loads(args[1]) for result in results for _, args, *_ in result
               if args[0] == SRC and len(args) == 2 and args[1].startswith("{")]
    problems: list[str] = []
    reports = {a["report"] for a in answers}
    if len(reports) != len(answers):
        problems.append(f"{len(answers)} runs kept {len(reports)} report(s)")
    # every run counted: in the run records of a pass a run completed (its report lists
    # them), or in those of the current pass, with the counts it reported
    counted: set[str] = set(sweep_state(fed, SRC).runs)
    for answer in answers:
        if not fed.sb.zone("zoneA").catalog.data_exists(answer["report"]):
            problems.append(f"report {answer['report']} is gone")
        elif answer["complete"]:
            report = json.loads(fed.client("rods#zoneA").iget(answer["report"]))
            counted.update(report["sweep"]["pass_runs"])
    expected = {run_value(a["report"].rsplit("/", 1)[1][:-5].split("-", 1)[1], a["checked"],
                          a["failed"]) for a in answers}
    if counted != expected:
        problems.append(f"the passes counted {sorted(counted)}, the runs were "
                        f"{sorted(expected)}")
    totals = sweep_state(fed, SRC).totals
    current = sweep_state(fed, SRC).runs
    if totals["runs"] != len(current) or totals["checked"] != sum(
            int(run.split("::")[1]) for run in current):
        problems.append(f"pass totals {totals} are not the sum of {current}")
    done = False
    for _ in range(objects):  # later runs finish the pass
        fed.sb.clock.advance(86400)
        answer = json.loads(fed.call("EUDATIntegritySweepRun", SRC, "", user=ADMIN)[1])
        if answer["complete"]:
            done = True
            break
    if not done:
        problems.append("the pass did not complete")
    if seed == 1:
        for name in ("/a.dat", "/sub/b.dat"):
            replica_ok(fed, SRC + name, target + name, problems)
    assert problems == []
