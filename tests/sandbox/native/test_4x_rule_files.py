"""B2SAFE 4.2's own rules/*.r run unchanged as an ordinary user through the rule language
(irule -r <rule language> -F), with b2safe's b2safe.re in the rule base, and print what their
comments describe. The files are read from a local mirror of EUDAT-B2SAFE/B2SAFE-core."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

MIRROR = Path(os.environ.get("B2SAFE_4X_REPO", "/work/.mirror/EUDAT-B2SAFE+B2SAFE-core/repo"))
PID = re.compile(r"21\.T90001/[0-9A-F-]{36}")

pytestmark = pytest.mark.skipif(not MIRROR.exists(),
                                reason="no B2SAFE-core mirror (set B2SAFE_4X_REPO)")


def rule_file(name: str) -> str:
    return subprocess.run(["git", "-C", str(MIRROR), "show", f"HEAD:rules/{name}"],
                          capture_output=True, text=True, check=True).stdout


def run(world, name: str, user: str = "alice#zoneA") -> list[str]:
    result = world.client(user).irule_native(rule_file(name))
    assert result.code == 0, result.error
    return result.stdout.splitlines()


def test_eudatGetV_prints_the_version(world):
    from b2safe import __version__

    assert run(world, "eudatGetV.r") == [f"*version = {__version__}"]


def test_eudatCreatePid_mints_and_removes_a_pid(world):
    out = run(world, "eudatCreatePid.r")
    assert out[:2] == ["userNameClient: alice", "rodsZoneClient: zoneA"]
    assert "Hello World!" in out
    pid = PID.search(out[out.index("Hello World!") + 1]).group(0)
    assert f"PID {pid} removed" in out
    assert out[-1] == "Object /zoneA/home/alice/test_data.txt removed"
    assert pid not in world.handles("zoneA")


def test_eudatRepl_registered_gives_the_replica_a_pid(world):
    out = run(world, "eudatRepl_registered.r")
    assert "Object /zoneA/home/alice/test_data.txt replicated to Object " \
           "/zoneA/home/alice/test_data2.txt!" in out
    replica_line = next(line for line in out if line.startswith("The Replica"))
    source_line = next(line for line in out if line.startswith("The Object"))
    assert PID.search(replica_line) and PID.search(source_line)
    assert PID.search(replica_line).group(0) != PID.search(source_line).group(0)
    assert out[-1] == "Object /zoneA/home/alice/test_data.txt removed"


def test_eudatRepl_not_registered_copies_without_pids(world):
    out = run(world, "eudatRepl_not_registered.r")
    assert out[-4:] == ["The content of the replica is:", "Hello World!", "Replica removed",
                        "Object /zoneA/home/alice/test_data.txt removed"]
    assert not any(PID.search(line) for line in out)


def test_eudatRepl_checkIntegrity_reports_success(world):
    out = run(world, "eudatRepl_checkIntegrity.r")
    assert "Integrity check after replication: successful!" in out


def test_eudatRepl_coll_replicates_a_collection_with_pids(world):
    out = run(world, "eudatRepl_coll.r")
    pids = {line.split(" = ")[0]: line.split(" = ")[1] for line in out if " has PID = " in line}
    assert len(pids) == 5 and all(PID.fullmatch(p) for p in pids.values())
    assert "Removed collection /zoneA/home/alice/t_coll" in out


def test_eudatRepl_recoverTransfer_detects_and_repairs(world):
    out = run(world, "eudatRepl_recoverTransfer.r")
    failed = next(line for line in out if line.startswith("Integrity check after replication"))
    assert failed.startswith("Integrity check after replication: failed: size(")
    assert "Recovered failed transfer with the following stats: # of successes:1, " \
           "# of failures:0" in out
    fixed = out.index("Now the content of the fixed replica is:")
    assert out[fixed + 1] == "Hello World!"


def test_without_b2safe_re_the_4x_files_fail(world):
    # The defence is the rule-language file: the bare Python rules refuse 4.x's OUT variables.
    (world.sb.zone("zoneA").config_dir / "b2safe.re").write_text("")
    result = world.client("alice#zoneA").irule_native(rule_file("eudatRepl_registered.r"))
    assert result.code == -1097000  # NO_RULE_OR_MSI_FUNCTION_FOUND_ERR
