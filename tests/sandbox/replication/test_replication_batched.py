"""One large replication cut into delay-rule batches (EUDATReplicationBatched)."""

from __future__ import annotations

from repl_helpers import DST, SRC, assert_consistent, fail_log, make_tree

from b2safe import errors


def batched(world, batch_size="10", registered="true", user="rods#zoneA"):
    return world.call("EUDATReplicationBatched", SRC, DST, registered, batch_size, "",
                      user=user)[-1]


def test_batches_are_queued_once_and_the_delay_queue_replicates(fed):
    make_tree(fed, files=12)  # 36 objects in 3 collections
    assert batched(fed) == "scheduled=5 queued=0 objects=39"  # 1 collection batch, 4 data
    assert batched(fed) == "scheduled=0 queued=5 objects=39"  # idempotent
    results = fed.sb.run_delayed(advance=2)
    assert len(results) == 5 and all(r.succeeded for r in results)
    assert_consistent(fed)


def test_failing_batches_are_retried_and_their_objects_kept_in_the_fail_log(fed):
    make_tree(fed, files=4, subdirs=())
    batched(fed, batch_size="100")
    fed.sb.faults.set_unreachable("zoneB", True)
    first = fed.sb.run_delayed(advance=2)
    assert [r.succeeded for r in first] == [False, False]
    assert len(fail_log(fed)) == 5  # the collection and its 4 objects
    fed.sb.faults.set_unreachable("zoneB", False)
    retried = fed.sb.run_delayed(advance=600)  # the EF retries both batches
    assert [r.succeeded for r in retried] == [True, True]
    # the per-object records of the failed run are confirmed and cleared by the fail-log retry
    fed.sb.clock.advance(7200)
    stats = fed.call("EUDATTransferUsingFailLog", "100", "", user="rods#zoneA")[1]
    assert stats == "# of successes:5, # of failures:0"
    assert_consistent(fed)


def test_checks_happen_before_anything_is_queued(fed):
    make_tree(fed, files=2, subdirs=())
    err = fed.fails("EUDATReplicationBatched", SRC, DST, "true", "10", "", user="alice#zoneB")
    assert err.code in (errors.CAT_NO_ACCESS_PERMISSION, errors.SYS_INVALID_ZONE_NAME,
                        errors.USER_FILE_DOES_NOT_EXIST)
    err = fed.fails("EUDATReplicationBatched", SRC, DST, "true", "0", "", user="rods#zoneA")
    assert err.code == errors.SYS_INVALID_INPUT_PARAM
    err = fed.fails("EUDATReplicationBatched", f"{SRC}/f0.dat", DST, "true", "10", "",
                    user="rods#zoneA")
    assert err.code == errors.SYS_INVALID_INPUT_PARAM
    assert fed.sb.zone("zoneA").catalog.delay_list() == []


def test_a_batch_looks_each_destination_collection_up_once(fed):
    """A data batch stats each copy's parent collection once per run, not once per object
    (the verification's two msiObjStat per copied object remain)."""
    make_tree(fed, files=12, subdirs=())  # 12 objects in one collection
    assert batched(fed, batch_size="100", registered="false").startswith("scheduled=2 ")
    fed.sb.reset_stats()
    results = fed.sb.run_delayed(advance=2)  # the collection batch, then the data batch
    assert [r.succeeded for r in results] == [True, True]
    stats = fed.sb.stats()
    stats_calls = sum(stats[z]["msi"].get("msiObjStat", 0) for z in ("zoneA", "zoneB"))
    # each batch's source, the one parent, two per copied object (verification): 27;
    # one parent lookup per object made it 38
    assert stats_calls <= 2 + 1 + 2 * 12
