"""Friendly verbs of the ``b2safe`` command, each a thin layer over one B2SAFE rule.

The verb table (:data:`VERB_RULES`) says which rule a verb runs and how its options map onto the
rule's parameter names, so a verb works as soon as its rule is registered (replication and
integrity rules arrive with their modules) and fails with a clear message (exit 2) before.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from b2safe.cli import chain as chain_mod
from b2safe.cli import follow
from b2safe.cli.backends import Backend, RuleFailed
from b2safe.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Progress,
    print_json,
)
from b2safe.cli.runner import RuleResult, render, run_named
from b2safe.domain import profile


@dataclass(frozen=True)
class VerbRule:
    """How a verb calls its rule: option -> possible parameter names, and default inputs."""

    rule: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


VERB_RULES: dict[str, VerbRule] = {
    "pid create": VerbRule("EUDATCreatePID", defaults={"parent_pid": "None", "ror": "None",
                                                      "fio": "None", "fixed": "false"}),
    "pid search": VerbRule("EUDATSearchPID"),
    "pid value": VerbRule("EUDATGeteValPid"),
    "pids": VerbRule("EUDATPidsForColl", aliases={"coll_path": ("coll_path", "collection",
                                                                "path")}),
    "replicate": VerbRule(
        "EUDATReplication",
        aliases={"source": ("source", "src", "source_path", "path"),
                 "destination": ("destination", "dest", "dst", "destination_path", "target"),
                 "resource": ("dest_res", "resource", "destination_resource", "dest_resource"),
                 "registered": ("registered",), "recursive": ("recursive",)},
        defaults={"registered": "true", "recursive": "true"}),
    "check": VerbRule(
        "EUDATCheckIntegrity",
        aliases={"source": ("source", "src", "source_path", "path"),
                 "destination": ("destination", "dest", "dst", "destination_path", "target"),
                 "record": ("log_enabled", "logEnabled")},
        # Read-only unless --record: logEnabled=true writes eudat_pending:integrity AVUs.
        defaults={"log_enabled": "false", "logEnabled": "false", "notification": "0",
                  "source_res": "None", "dest_res": "None"}),
}


def call(backend: Backend, verb: str, values: dict[str, Optional[str]]) -> RuleResult:
    """Run the rule of ``verb`` with option ``values`` (see :data:`VERB_RULES`)."""
    spec = VERB_RULES[verb]
    return run_named(backend, spec.rule, values, aliases=spec.aliases, defaults=spec.defaults,
                     verb=verb)


def _bool(flag: Optional[bool]) -> Optional[str]:
    return None if flag is None else ("true" if flag else "false")


def output(args: argparse.Namespace, result: RuleResult, text: Optional[str] = None) -> None:
    """Print a rule result: JSON with --json, else ``text`` or its OUT lines."""
    if getattr(args, "json", False):
        print_json(result.as_json())
        return
    shown = render(result) if text is None else text
    if shown:
        print(shown)


def outcome(result: RuleResult) -> int:
    """Exit code of a rule that reports success in an OUT ``status`` ("false" -> 1)."""
    status = result.outputs.get("status")
    return EXIT_ERROR if status is not None and status.strip().lower() == "false" else EXIT_OK


# --- pid ---------------------------------------------------------------------------------------


def cmd_pid_create(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe pid create PATH``: EUDATCreatePID (idempotent: prints the existing PID)."""
    result = call(backend, "pid create", {
        "path": args.path, "parent_pid": args.parent, "ror": args.ror, "fio": args.fio,
        "fixed": "true" if args.fixed else None})
    output(args, result, next(iter(result.outputs.values()), ""))
    return EXIT_OK


def _pid_of_path(backend: Backend, path: str) -> str:
    result = call(backend, "pid search", {"path": path})
    pid = next(iter(result.outputs.values()), "")
    if not pid or pid in ("empty", "None"):
        raise CliError(f"{path} has no PID", EXIT_ERROR)
    return pid


def read_record(backend: Backend, pid: str) -> tuple[dict[str, str], str]:
    """(profile values of ``pid``, how they were read): directly from the Handle server of its
    prefix when this host has credentials for it, else value by value through EUDATGeteValPid."""
    services = backend.pid_services()
    try:
        service = services.get(pid.split("/", 1)[0].upper())
        if service is not None:
            record = service.get(pid)
            return record.as_strings(), service.credentials.handle_server_url
    finally:
        for service in services.values():
            service.close()
    values: dict[str, str] = {}
    for key in profile.PROFILE_TYPES:
        result = call(backend, "pid value", {"pid": pid, "key": key})
        value = next(iter(result.outputs.values()), "None")
        if value not in ("", "None"):
            values[key] = value
    return values, "EUDATGeteValPid"


def cmd_pid_show(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe pid show PATH|PID``: the record's profile values."""
    target = args.target
    path = target if target.startswith("/") else None
    pid = _pid_of_path(backend, target) if path else target
    values, source = read_record(backend, pid)
    if args.json:
        print_json({"pid": pid, "path": path, "values": values, "source": source})
        return EXIT_OK
    print(f"PID: {pid}")
    if path:
        print(f"path: {path}")
    width = max((len(k) for k in values), default=0)
    for key, value in values.items():
        print(f"  {key:<{width}}  {value}")
    return EXIT_OK


def cmd_pids(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe pids COLLECTION``: EUDATPidsForColl (resumable); with ``--batch N`` queued as
    delay-rule batches (EUDATPidsForCollBatched) and followed (:mod:`b2safe.cli.follow`)."""
    fixed = "true" if args.fixed else "false"
    if getattr(args, "batch", None):
        result = run_named(backend, "EUDATPidsForCollBatched",
                           {"coll_path": args.collection, "fixed": fixed,
                            "batch_size": str(args.batch)}, verb="pids --batch")
        return follow.run_batched(args, backend, result, follow.PIDS_BATCH, (args.collection,),
                                  f"PIDs for {args.collection}",
                                  lambda: _missing_pids(backend, args.collection))
    progress = Progress(f"PIDs for {args.collection}", quiet=args.quiet)
    progress.update(0, "running on the server ...")
    try:
        result = call(backend, "pids", {"coll_path": args.collection, "fixed": fixed})
    finally:
        progress.finish()
    output(args, result)
    return EXIT_OK


def _missing_pids(backend: Backend, collection: str) -> list[str]:
    return [f"{path}: no PID" for path in follow.objects_without_pid(backend, collection)]


def _unfinished_replications(backend: Backend, source: str, destination: str) -> list[str]:
    prefix = destination.rstrip("/")
    return [f"{r.source} -> {r.destination}: {r.cause}" for r in fail_records(backend, source)
            if r.destination.startswith(prefix)]


def cmd_replicate(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe replicate SRC DST``: EUDATReplication; with ``--batch N`` queued as delay-rule
    batches (EUDATReplicationBatched) and followed."""
    if getattr(args, "batch", None):
        if args.recursive is False:
            raise CliError("--batch replicates a collection's whole tree: drop --no-recursive",
                           EXIT_USAGE)
        result = run_named(backend, "EUDATReplicationBatched", {
            "source": args.source, "destination": args.destination,
            "registered": _bool(args.registered) or "true", "batch_size": str(args.batch),
            "dest_res": args.resource}, verb="replicate --batch")
        return follow.run_batched(args, backend, result, follow.REPLICATION_BATCH,
                                  (args.source, args.destination), f"replicating {args.source}",
                                  lambda: _unfinished_replications(backend, args.source,
                                                                   args.destination))
    progress = Progress(f"replicating {args.source}", quiet=args.quiet)
    progress.update(0, "running on the server ...")
    try:
        result = call(backend, "replicate", {
            "source": args.source, "destination": args.destination, "resource": args.resource,
            "registered": _bool(args.registered), "recursive": _bool(args.recursive)})
    finally:
        progress.finish()
    from b2safe.state.faillog import Stage

    pending = [r for r in fail_records(backend, args.source)
               if r.destination.startswith(args.destination.rstrip("/"))]
    deferred = [r for r in pending if r.stage is Stage.DEFERRED]
    if deferred:
        for name, value in result.outputs.items():
            result.outputs[name] = value.replace("registered=true", "registered=deferred")
    output(args, result)
    if pending:
        what = (f"{len(deferred)} PID registration(s) deferred" if deferred else
                f"{len(pending)} replication(s) not finished")
        print(f"ERROR: copied, but {what}; the fail-log retry completes them "
              "('b2safe status' lists them)", file=sys.stderr)
        return EXIT_ERROR
    return outcome(result)


def cmd_check(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe check SRC DST``: EUDATCheckIntegrity, read-only unless ``--record``; with
    ``--batch N`` a collection's check queued as delay-rule batches
    (EUDATCheckIntegrityBatched, which records) and followed."""
    if getattr(args, "batch", None):
        return _check_batched(args, backend)
    result = call(backend, "check", {"source": args.source, "destination": args.destination,
                                     "record": "true" if args.record else None})
    stored = [backend.verify_stored(p) for p in (args.source, args.destination)] \
        if args.verify else []
    if stored and args.json:
        data = result.as_json()
        data["stored"] = {"source": stored[0].as_json(), "replica": stored[1].as_json()}
        print_json(data)
    else:
        output(args, result)
        for witness, check in zip(("source", "replica"), stored):
            verdict = {True: "agree", False: "DISAGREE", None: "not verified"}[check.ok]
            print(f"{witness} stored bytes vs its catalog checksum: {verdict} ({check.detail})")
    code = outcome(result)
    if any(check.ok is not True for check in stored):
        code = EXIT_ERROR
    if args.record:
        print("note: failures were recorded as eudat_pending:integrity AVUs on the sources "
              "(a repairing sweep acts on them; a pass cleared them)", file=sys.stderr)
    return code


def _check_batched(args: argparse.Namespace, backend: Backend) -> int:
    if args.verify:
        raise CliError("--verify reads stored bytes in this command, not in delay rules: "
                       "drop it with --batch (integrity sweeps verify storage)", EXIT_USAGE)
    source, destination = args.source.rstrip("/"), args.destination.rstrip("/")
    result = run_named(backend, "EUDATCheckIntegrityBatched", {
        "s_coll": source, "d_coll": destination, "batch_size": str(args.batch)},
        verb="check --batch")
    run = follow.run_of(result)
    batches = follow.BatchReport.parse(next(iter(result.outputs.values()), "")).total
    if not args.quiet and not args.json:
        print("note: the batches record failures as eudat_pending:integrity AVUs on the "
              "sources and one eudat_check_batch: AVU each on the source collection",
              file=sys.stderr)
    return follow.run_batched(
        args, backend, result, follow.CHECK_BATCH, (source, destination),
        f"checking {source}", lambda: [],
        lambda: follow.check_summary(backend, source, destination, run, batches))


# --- schedule ----------------------------------------------------------------------------------


def cmd_schedule(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe schedule``: queue the repeating fail-log retry (EUDATRetryInstall) and every
    configured integrity sweep (EUDATIntegritySweepInstall); idempotent, rodsadmin only."""
    retry = run_named(backend, "EUDATRetryInstall", {}, verb="schedule")
    sweeps = run_named(backend, "EUDATIntegritySweepInstall", {}, verb="schedule")
    retry_state = retry.outputs.get("response", "")
    sweep_states = json.loads(sweeps.outputs.get("response") or "{}")
    if args.json:
        print_json({"retry": retry_state, "sweeps": sweep_states})
        return EXIT_OK
    print(f"fail-log retry: {retry_state}")
    for collection, state in sorted(sweep_states.items()):
        print(f"integrity sweep of {collection}: {state}")
    if not sweep_states:
        print("integrity sweeps: none configured (integrity.sweeps in b2safe.json)")
    return EXIT_OK


# --- status ------------------------------------------------------------------------------------

PENDING_PREFIX = "eudat_pending:"
SWEEP_STATE_AVU = "eudat_sweep:state"

#: Status sections: ``fn(backend) -> (title, [lines])`` or ``(title, [lines], [items])`` where
#: items are typed dicts for ``--json``. Modules for replication retries or other pending work
#: add theirs with :func:`register_status_provider`.
STATUS_PROVIDERS: list[Callable[[Backend], tuple[Any, ...]]] = []


def register_status_provider(provider: Callable[[Backend], tuple[Any, ...]]) -> None:
    """Add a ``b2safe status`` section provider (idempotent)."""
    if provider not in STATUS_PROVIDERS:
        STATUS_PROVIDERS.append(provider)


def _pending_line(path: str, attr: str, value: str, units: str) -> str:
    """One pending-work item: where, what, and (from its units) its state and cause."""
    from b2safe.state import codec
    fields = codec.decode_units(units) or {}
    why = ": ".join(p for p in (fields.get("state", ""), fields.get("cause", "")) if p)
    line = f"{path}  {attr[len(PENDING_PREFIX):]}  {value}" + (f"  ({why})" if why else "")
    return ascii(line)[1:-1]


def _pending_work(backend: Backend) -> tuple[str, list[str]]:
    like = ("like", f"{PENDING_PREFIX}%")
    rows = backend.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME",
                          "META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"],
                         [("META_DATA_ATTR_NAME", *like)])
    lines = [_pending_line(f"{coll}/{name}", attr, value, units)
             for coll, name, attr, value, units in rows]
    colls = backend.query(["COLL_NAME", "META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE",
                           "META_COLL_ATTR_UNITS"], [("META_COLL_ATTR_NAME", *like)])
    lines += [_pending_line(coll, attr, value, units) for coll, attr, value, units in colls]
    return f"pending work ({len(lines)} item(s), AVUs {PENDING_PREFIX}*)", lines


def iso_time(epoch: int) -> str:
    """``2026-12-01T15:38:11Z`` for an epoch time (catalog times are UTC seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def fail_records(backend: Backend, under: str = "") -> list[Any]:
    """The fail log (b2safe.state.faillog records), optionally only sources at or below
    ``under``."""
    from b2safe.state import faillog
    like = ("META_DATA_ATTR_NAME", "like", f"{faillog.AVU_PREFIX}%")
    coll_like = ("META_COLL_ATTR_NAME", "like", f"{faillog.AVU_PREFIX}%")
    where: list[tuple[str, str, str]] = []
    if under:
        where = [("COLL_NAME", "like", f"{under.rstrip('/')}%")]
        parent, _, _ = under.rstrip("/").rpartition("/")
        rows = backend.query(["META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"],
                             [("COLL_NAME", "=", parent or "/"), like])
    else:
        rows = []
    rows += backend.query(["META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"], [*where, like])
    found = [("-d", value, units) for value, units in rows]
    found += [("-C", value, units) for value, units in backend.query(
        ["META_COLL_ATTR_VALUE", "META_COLL_ATTR_UNITS"], [*where, coll_like])]
    records = []
    for kind, value, units in found:
        record = faillog.parse(value, units, kind)
        if record is None:
            continue
        if under and not (record.source == under or record.source.startswith(
                under.rstrip("/") + "/")):
            continue
        if record not in records:
            records.append(record)
    return records


def _fail_log(backend: Backend) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Replications still to be done (b2safe.state.faillog): message, stage, attempts, next
    try, state."""
    from b2safe.state import faillog
    records = fail_records(backend)
    lines = [f"{r.message}  ({r.stage.value}, attempts {r.attempts}, next try "
             f"{iso_time(r.next_time)}, {r.state}, by {r.user or '?'})" for r in records]
    items = [{"source": r.source, "destination": r.destination, "cause": r.cause,
              "stage": r.stage.value, "attempts": r.attempts,
              "next_try": iso_time(r.next_time),
              "first_failure": iso_time(r.first_time) if r.first_time else None,
              "state": r.state, "user": r.user or None} for r in records]
    return (f"fail log ({len(lines)} replication(s) to redo, AVUs {faillog.AVU_PREFIX}*)",
            lines, items)


def _moved_aside(backend: Backend) -> tuple[str, list[str]]:
    """Pending-work records moved aside as malformed or forged (b2safe.state.quarantine)."""
    from b2safe.state import codec, quarantine
    like = ("like", f"{quarantine.PREFIX}%")
    rows = [(f"{coll}/{name}", attr, value, units) for coll, name, attr, value, units in
            backend.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME",
                           "META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"],
                          [("META_DATA_ATTR_NAME", *like)])]
    rows += [(coll, attr, value, units) for coll, attr, value, units in backend.query(
        ["COLL_NAME", "META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE", "META_COLL_ATTR_UNITS"],
        [("META_COLL_ATTR_NAME", *like)])]
    lines = []
    for path, attr, value, units in rows:
        fields = codec.decode_units(units) or {}
        lines.append(ascii(f"{path}  {attr[len(quarantine.PREFIX):]}  {value}  "
                           f"({fields.get('reason', '?')}, at {fields.get('at', '?')})")[1:-1])
    return (f"moved aside ({len(lines)} malformed or forged record(s), AVUs "
            f"{quarantine.PREFIX}*: inspect, then remove)", lines)


def _sweeps(backend: Backend) -> tuple[str, list[str]]:
    from b2safe.ops.doctor import SWEEP_RULE

    rows = backend.query(["COLL_NAME", "META_COLL_ATTR_VALUE"],
                         [("META_COLL_ATTR_NAME", "=", SWEEP_STATE_AVU)])
    queued = [text for text in backend.delayed_rules() if SWEEP_RULE in text]
    lines = []
    for coll, state in rows:
        count = sum(1 for text in queued if coll in text)
        lines.append(f"{coll}  {state}  ({count} queued run(s))")
    return f"integrity sweeps ({len(rows)})", lines


def _delay_queue(backend: Backend) -> tuple[str, list[str]]:
    texts = backend.delayed_rules()
    ours = [" ".join(t.split()) for t in texts if "EUDAT" in t or "b2safe" in t]
    return (f"delay queue ({len(texts)} rule(s), {len(ours)} of b2safe)",
            [t if len(t) <= 100 else t[:97] + "..." for t in ours])


for _provider in (_pending_work, _fail_log, _moved_aside, _sweeps, _delay_queue):
    register_status_provider(_provider)


def cmd_status(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe status``: pending work, sweeps and the delay queue (one section per provider)."""
    sections = []
    failures: list[Exception] = []
    for provider in STATUS_PROVIDERS:
        items: Optional[list[dict[str, Any]]] = None
        try:
            title, lines, *rest = provider(backend)
            items = rest[0] if rest else None
        except (CliError, RuleFailed) as exc:
            failures.append(exc)
            title, lines = f"{getattr(provider, '__name__', 'section')}: unavailable", [str(exc)]
        section: dict[str, Any] = {"title": title, "lines": lines}
        if items is not None:
            section["items"] = items
        sections.append(section)
    # Nothing read at all is a failure, not an empty status (exit 3 when unreachable, else 1).
    code = EXIT_OK
    if failures and len(failures) == len(STATUS_PROVIDERS):
        first = failures[0]
        code = first.exit_code if isinstance(first, CliError) else EXIT_ERROR
    elif failures:
        code = EXIT_ERROR
    if args.json:
        print_json({"target": backend.label, "sections": sections, "complete": not failures})
        return code
    print(f"b2safe status of {backend.label}")
    for section in sections:
        print(f"\n{section['title']}")
        for line in section["lines"][: args.limit]:
            print(f"  {line}")
        hidden = len(section["lines"]) - args.limit
        if hidden > 0:
            print(f"  ... and {hidden} more (--limit)")
    if failures:
        print(f"ERROR: {len(failures)} of {len(sections)} section(s) could not be read",
              file=sys.stderr)
    return code


# --- chain -------------------------------------------------------------------------------------


def cmd_chain(args: argparse.Namespace, backend: Backend) -> int:
    """``b2safe chain PID|PATH``: the PARENT/REPLICA tree, each record verified."""
    start = _pid_of_path(backend, args.target) if args.target.startswith("/") else args.target
    services = backend.pid_services()
    progress = Progress("records read", quiet=args.quiet)
    try:
        stored = backend.verify_stored if getattr(args, "verify", False) else None
        root = chain_mod.walk(start, chain_mod.fetcher(services),
                              chain_mod.verify_with(backend.object_state, stored),
                              on_record=lambda n: progress.update(n))
    finally:
        progress.finish()
        for service in services.values():
            service.close()
    nodes = root.walk()
    failing = [n for n in nodes if n.state in chain_mod.FAILING]
    unresolved = [n for n in nodes if n.state == chain_mod.UNRESOLVED]
    if args.json:
        print_json({"start": start, "nodes": root.as_json(), "records": len(nodes),
                    "failing": len(failing), "unresolved": len(unresolved)})
    else:
        print(chain_mod.render(root))
        print(f"{len(nodes)} record(s); {len(failing)} failing verification; "
              f"{len(unresolved)} unresolved")
    notes = getattr(backend, "notes", None)
    for note in notes or []:
        print(f"note: {note}", file=sys.stderr)
    if unresolved and not failing:
        print("ERROR: the chain is not verified: records of prefixes without credentials "
              "here could not be read (give --credentials FILE for them)", file=sys.stderr)
    # Not verified is not success: unresolved records make the exit non-zero too.
    return EXIT_ERROR if failing or unresolved else EXIT_OK


#: Verb name -> handler, used by the parser in :mod:`b2safe.cli`.
HANDLERS: dict[str, Callable[[argparse.Namespace, Backend], int]] = {
    "pid create": cmd_pid_create,
    "pid show": cmd_pid_show,
    "pids": cmd_pids,
    "replicate": cmd_replicate,
    "check": cmd_check,
    "status": cmd_status,
    "chain": cmd_chain,
    "schedule": cmd_schedule,
}

