"""``b2safe demo``: B2SAFE at work on three emulated zones, start to finish, in under a minute.

1. three federated zones (zoneA, zoneB, zoneC), each with its own Handle prefix and server, and
   an upload policy in zoneA: PIDs on ingest, registered replication to zoneB;
2. alice uploads a small dataset into zoneA: the policy gives every file a PID at once and
   queues its replication;
3. the delay queue copies the files as alice and registers the copies at once: zoneB mints their
   PIDs with its own credentials through remoteExec + EUDATCreatePID (its rule language), so the
   admin retry finds nothing to do; the rest of the tree gets PIDs too;
4. registered replication zoneB -> zoneC (by zoneB's admin);
5. the replica chain of one file, walked through the PID records and checked against each zone;
6. an integrity sweep in zoneA finds a tampered replica in zoneB and repairs it from the source.

Everything runs through the real ruleset (``core.py``) under the emulated PREP runtime, exactly
as a server would call it; nothing is faked.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Optional

ZONES = ("zoneA", "zoneB", "zoneC")
DATASET = "/zoneA/home/alice/dataset"
REPLICA_B = "/zoneB/replicas/dataset"
REPLICA_C = "/zoneC/replicas/dataset"


class DemoFailed(Exception):
    """A step of the demo did not do what it should."""


def _say(text: str = "") -> None:
    print(text, flush=True)


def _step(number: int, title: str) -> None:
    _say()
    _say(f"== {number}. {title}")


def _call(sb: Any, zone: str, rule: str, args: list, user: str) -> list:
    result = sb.exec_rule(zone, rule, list(args), user)
    if result.code != 0:
        raise DemoFailed(f"{rule} failed with {result.code}:\n{result.traceback}")
    return result.rule_args


@contextlib.contextmanager
def _sandbox_dir(directory: Optional[str]) -> Iterator[Path]:
    if directory:
        path = Path(directory).resolve()  # the zones' config files name absolute paths
        if path.exists() and any(path.iterdir()):
            raise DemoFailed(f"{path} is not empty; give a new directory for the demo")
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="b2safe-demo-") as tmp:
        yield Path(tmp) / "sandbox"


def _set_up_sites(sb: Any) -> None:
    """What site admins do once: replica areas writable by the partner zone's admin and
    depositors (their uploads are replicated as them), inheriting those permissions."""
    for zone, partner in (("zoneB", "zoneA"), ("zoneC", "zoneB")):
        admin = sb.client(f"rods#{zone}")
        admin.imkdir(f"/{zone}/replicas", parents=True)
        for user in (f"rods#{partner}", f"alice#{partner}"):
            admin.ichmod("own", user, f"/{zone}/replicas")
        admin.inherit(f"/{zone}/replicas", True)


POLICY = {"name": "archive", "collection": DATASET, "pid": "now", "fixed_content": True,
          "replicate": [{"destination": "/zoneB/replicas", "registered": True}]}


def _set_policy(sb: Any) -> None:
    """zoneA's upload policy (what a site writes into /etc/irods/b2safe.json)."""
    path = sb.zone("zoneA").config_dir / "b2safe.json"
    config = json.loads(path.read_text())
    config["policies"] = [POLICY]
    path.write_text(json.dumps(config, indent=2))


def _upload(sb: Any, files: int) -> list[str]:
    alice = sb.client("alice#zoneA")
    alice.imkdir(f"{DATASET}/raw", parents=True)
    alice.imkdir(f"{DATASET}/processed", parents=True)
    paths = []
    for i in range(files):
        folder = "raw" if i % 2 == 0 else "processed"
        path = f"{DATASET}/{folder}/sample-{i:03d}.csv"
        alice.iput(path, f"sample,{i}\nvalue,{i * i}\n".encode())
        paths.append(path)
    return paths


def _chain_text(directory: Path, pid: str) -> str:
    from b2safe.cli import main as cli_main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["chain", pid, "--sandbox", str(directory), "--quiet"])
    if code != 0:
        raise DemoFailed(f"b2safe chain exited {code}:\n{out.getvalue()}")
    return out.getvalue().rstrip()


def _record_summary(sb: Any, pid: str) -> dict[str, Any]:
    from b2safe.adapters.handle.credentials import HandleCredentials
    from b2safe.adapters.handle.rest import PidService
    from b2safe_sandbox.handle_sites import CREDENTIALS_NAME, load_sites

    prefix = pid.split("/", 1)[0].upper()
    sb.start_services()
    for zone, site in load_sites(sb).items():
        if site["prefix"].upper() == prefix:
            creds = HandleCredentials.load(sb.zone(zone).config_dir / CREDENTIALS_NAME)
            with PidService(creds, retries=0) as service:
                return service.get(pid).as_strings()
    raise DemoFailed(f"no Handle server for {pid}")


def _sweep(sb: Any) -> dict[str, Any]:
    """Configure, install and run zoneA's sweep of the dataset against its zoneB replica."""
    config_path = sb.zone("zoneA").config_dir / "b2safe.json"
    config = json.loads(config_path.read_text())
    config["integrity"] = {"report_collection": "/zoneA/b2safe/reports",
                           "sweeps": [{"collection": DATASET, "period": "1d",
                                       "verify_storage": True, "repair": True}]}
    config_path.write_text(json.dumps(config, indent=2))
    _call(sb, "zoneA", "EUDATIntegritySweepInstall", [DATASET, REPLICA_B, ""], "rods#zoneA")
    runs = sb.run_delayed(advance=2)
    if not runs or not all(r.succeeded for r in runs):
        raise DemoFailed(f"the sweep's delay rule did not succeed: {runs}")
    reports = sb.client("rods#zoneA").iquest(
        "SELECT COLL_NAME, DATA_NAME WHERE COLL_NAME like '/zoneA/b2safe/reports%'")
    if not reports:
        raise DemoFailed("the sweep wrote no report")
    coll, name = sorted(reports)[-1]
    return json.loads(sb.client("rods#zoneA").iget(f"{coll}/{name}").decode())


def run_demo(directory: Optional[str] = None, quick: bool = False) -> int:
    """Run the demonstration; returns the process exit code (0 when every step worked)."""
    from b2safe_sandbox import site

    started = time.perf_counter()
    files = 6 if quick else 24
    try:
        with _sandbox_dir(directory) as path:
            _step(1, "Three federated zones, each with its own Handle prefix and server")
            sb = site.create(path, zones=ZONES)
            try:
                _set_up_sites(sb)
                for zone in ZONES:
                    _say(f"   {zone}: {sb.zone(zone).connection}, Handle server "
                         f"{sb.handle_server(zone).base_url} "
                         f"(prefix {sb.handle_server(zone).prefix})")

                _set_policy(sb)
                _say(f"   zoneA policy: {json.dumps(POLICY)}")

                _step(2, f"alice uploads {files} files into {DATASET}")
                paths = _upload(sb, files)
                for p in paths[:3]:
                    _say(f"   {p}")
                _say(f"   ... {len(paths)} files")
                with_pid = sum(1 for p in paths if _call(
                    sb, "zoneA", "EUDATgetLastAVU", [p, "PID", ""], "rods#zoneA")[2] != "None")
                _say(f"   PIDs created on ingest by the policy: {with_pid} of {len(paths)}")

                _step(3, "The delay queue replicates and registers the copies (zoneB mints "
                         "their PIDs)")
                runs = sb.run_delayed(advance=60)
                _say(f"   delay rules run: {len(runs)} "
                     f"({sum(1 for r in runs if r.succeeded)} succeeded)")
                registered = sum(1 for p in paths if _call(
                    sb, "zoneB", "EUDATgetLastAVU",
                    [REPLICA_B + p[len(DATASET):], "PID", ""], "rods#zoneB")[2] != "None")
                _say(f"   copies registered by zoneB: {registered} of {len(paths)}")
                stats = _call(sb, "zoneA", "EUDATTransferUsingFailLog", ["1000", ""],
                              "rods#zoneA")[1]
                _say(f"   EUDATTransferUsingFailLog (rods#zoneA): {stats}")
                report = _call(sb, "zoneA", "EUDATPidsForColl", [DATASET, "true", ""],
                               "rods#zoneA")[2]
                _say(f"   EUDATPidsForColl for the collections of the tree: {report}")
                response = _call(sb, "zoneA", "EUDATReplication",
                                 [DATASET, REPLICA_B, "true", "true", ""], "rods#zoneA")[-1]
                _say(f"   EUDATReplication of the whole tree (idempotent): {response}")

                _step(4, "Registered replication zoneB -> zoneC")
                _say("   " + _call(sb, "zoneB", "EUDATReplication",
                                   [REPLICA_B, REPLICA_C, "true", "true", ""], "rods#zoneB")[-1])

                sample = paths[0]
                pid = _call(sb, "zoneA", "EUDATSearchPID", [sample, ""], "alice#zoneA")[1]
                _step(5, f"The replica chain of {sample}")
                _say(_chain_text(path, pid))
                child = _call(sb, "zoneA", "EUDATgetLastAVU", [sample, "EUDAT/REPLICA", ""],
                              "rods#zoneA")[2]
                grandchild = _call(sb, "zoneB", "EUDATgetLastAVU",
                                   [REPLICA_B + sample[len(DATASET):], "EUDAT/REPLICA", ""],
                                   "rods#zoneB")[2]
                for label, value in (("original (zoneA)", pid), ("replica (zoneB)", child),
                                     ("replica of replica (zoneC)", grandchild)):
                    _say(f"   {label}: {value}")
                    for key, text in _record_summary(sb, value).items():
                        _say(f"      {key:26} {text}")

                _step(6, "Integrity sweep: a tampered replica in zoneB is found and repaired")
                tampered = REPLICA_B + paths[1][len(DATASET):]
                sb.zone("zoneB").catalog.data_put(tampered, b"this is not the data\n",
                                                  "rods#zoneA", force=True)
                _say(f"   tampered with {tampered}")
                result = _sweep(sb)
                _say(f"   sweep report: checked={result.get('checked')} "
                     f"failed={result.get('failed')} repaired={result.get('repaired')} "
                     f"complete={result.get('complete')}")
                restored = sb.client("rods#zoneB").iget(tampered)
                original = sb.client("alice#zoneA").iget(paths[1])
                if restored != original:
                    raise DemoFailed("the tampered replica was not repaired")
                _say("   the replica's bytes equal the source's again")
            finally:
                sb.close()
    except DemoFailed as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    _say()
    _say(f"Demo finished in {time.perf_counter() - started:.1f} s.")
    if directory:
        _say(f"The sandbox is kept in {directory}; try: "
             f"b2safe sandbox ils --dir {directory} -r /zoneB/replicas")
    return 0


def add_parser(subparsers: Any) -> Any:
    """Add ``b2safe demo`` (entry point ``b2safe.commands``)."""
    demo = subparsers.add_parser("demo", help="run the sandbox demonstration")
    demo.add_argument("--dir", default=None,
                      help="sandbox directory to keep (default: a temporary directory)")
    demo.add_argument("--quick", action="store_true", help="a shorter run (used by the tests)")
    demo.set_defaults(func=lambda args: run_demo(directory=args.dir, quick=args.quick))
    return demo
