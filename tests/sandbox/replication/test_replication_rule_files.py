"""The data-steward rule files for replication, run as `irule -F` runs them."""

from __future__ import annotations

from pathlib import Path

from repl_helpers import fail_log, make_tree

RULES = Path(__file__).resolve().parents[3] / "rules"


def irule(world, name, **inputs):
    overrides = [f'*{key}="{value}"' for key, value in inputs.items()]
    result = world.client("rods#zoneA").irule_file(RULES / name, overrides)
    assert result.code == 0, result.error
    return result.stdout.strip()


def test_replicate_register_and_retry_files(fed):
    src = "/zoneA/home/alice/project"
    make_tree(fed, files=2, subdirs=("s",))
    out = irule(fed, "replicate.r", source=src, destination="/zoneB/replicas/p",
                registered="true", recursive="true", resource="None")
    assert out == f"{src}::/zoneB/replicas/p::null::registered=true::recursive=true"
    assert fed.avus("/zoneB/replicas/p/s/f0.dat")["PID"]

    plain = f"{src}/f1.dat"
    irule(fed, "replicate.r", source=plain, destination="/zoneB/replicas/plain.dat",
          registered="false", recursive="false", resource="None")
    assert "PID" not in fed.avus("/zoneB/replicas/plain.dat")
    assert irule(fed, "register_replica.r", source=plain,
                 destination="/zoneB/replicas/plain.dat") == "None"
    assert fed.avus("/zoneB/replicas/plain.dat")["PID"]

    fed.call("EUDATUpdateLogging", "false", plain, "/zoneB/replicas/again.dat", "test",
             user="rods#zoneA")
    fed.sb.clock.advance(7200)
    assert irule(fed, "retry_failed.r", limit="10") == "# of successes:1, # of failures:0"
    assert fail_log(fed) == []
