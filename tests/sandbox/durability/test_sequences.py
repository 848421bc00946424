"""The hostile sequences of issue 15, each tried as a user would, ending consistent."""

from __future__ import annotations

from tests.sandbox.replication.repl_helpers import replicate

SOURCE = "/zoneA/home/alice/many.dat"


def test_replica_list_longer_than_one_avu_is_mirrored_per_child(fed):
    """iRODS stores at most 2,700 characters per AVU value; the mirror must not need more."""
    fed.client("alice#zoneA").iput(SOURCE, b"replicated many times")
    parent = fed.call("EUDATCreatePID", "None", SOURCE, "None", "None", "false", "")[-1]
    prefix = parent.split("/")[0]
    earlier = [f"{prefix}/EARLIER-COPY-{n:03d}-0123456789ABCDEF0123456789" for n in range(70)]
    service = fed.reader("zoneA")
    for child in earlier:
        service.add_replica(parent, child)
    assert len(",".join(earlier)) > 2700
    replicate(fed, SOURCE, "/zoneB/replicas/many.dat", registered="true", recursive="false")
    child = fed.avus("/zoneB/replicas/many.dat")["PID"][0]
    listed = fed.record(parent).replicas
    assert [p.upper() for p in listed] == [p.upper() for p in [*earlier, child]]
    mirrored = fed.avus(SOURCE)["EUDAT/REPLICA"]
    assert sorted(p.upper() for p in mirrored) == sorted(p.upper() for p in listed)
