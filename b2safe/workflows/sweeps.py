"""Scheduled integrity sweeps: install, list, pause, resume, remove, and one bounded run.

A sweep checks one configured collection tree (``integrity.sweeps`` in the configuration). It is
a delay rule whose Python text is ``callback.EUDATIntegritySweepRun('<collection>', '')``,
queued for the Python rule engine. Each run first re-arms the sweep (queues the next run one
period later) unless another future copy is already queued, then works. iRODS has no
microservice that deletes a delay rule, so the rule re-arms itself instead of using ``<EF>``: a
removed sweep simply does not re-arm, and a duplicate converges back to one copy because a run
that sees another future copy does not re-arm. Installing checks RULE_EXEC_NAME first, so
installing twice queues one rule.

State lives in AVUs of the swept collection (so any server of the zone can resume a run)::

    eudat_sweep:state        active | paused | removed
    eudat_sweep:cursor       <pass start epoch>::<path relative to the collection>
    eudat_sweep:run          <run id>::<checked>::<failed>   (one AVU per run of the pass)
    eudat_sweep:destination  replica collection compared with the swept one ('' = none)
    eudat_sweep:last_report  path of the last JSON report

**Concurrent runs** (a duplicate queued copy, several delay-server executors or servers) must
not lose each other's work. Each run *adds* its own ``eudat_sweep:run`` AVU (distinct values:
adds of different runs commute, no read-modify-write), so the pass totals, the sum over those
AVUs, are the sum of what every run of the pass did, each run counted once; the run that
completes the pass removes exactly the run AVUs it counted (one added meanwhile counts in the
next pass; two runs completing one pass at once both count the runs they both read, and each
report lists the run records it counted, ``pass_runs``, so the union over a pass's reports
holds every run once). Each run writes its own report (the file name carries its run id). The
cursor is a
plain last-writer-wins value: a run only ever writes a position up to which it checked
everything after the cursor it started from, so a cursor moved back by a slower run makes
objects be checked twice, never skipped. (``eudat_sweep:totals``, one JSON value that every run
rewrote, lost the counts of concurrent runs; one left by an earlier version is read as a base
until its pass completes.)

A run checks at most ``max_objects`` objects or ``max_seconds`` seconds past the cursor and
checkpoints the cursor every :data:`CHECKPOINT_EVERY` objects; a crashed run loses at most that
many objects of progress (they are checked again, which is harmless). When the listing is
exhausted the pass is complete and the next run starts a new pass. With ``verify_storage`` each
run first re-verifies the stored bytes of the least recently verified replicas (``max_objects``
of them, or the sweep's ``verify_per_run`` when the configuration has one); with ``repair`` a
replica failing that verification is re-created from a good replica of the same object in the
zone (:meth:`~b2safe.workflows.integrity.IntegrityChecker.restore_replica`; listed under
``repairs`` in the report). Every run writes a JSON report data object into
``integrity.report_collection``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence

from b2safe.config import IntegrityConfig, SweepConfig
from b2safe.domain import durations
from b2safe.errors import InvalidInput, NotFound
from b2safe.ports import DelayedRule, IntegrityCatalog
from b2safe.state import codec
from b2safe.state.signing import Signer
from b2safe.workflows.integrity import (
    AVU_NAMES,
    AVU_PREFIXES,
    CHECKSUM,
    FIXED_AVU,
    PID_AVU,
    REPLICA,
    SIZE,
    SOURCE,
    SOURCE_FAILS_VERIFICATION,
    STORAGE,
    Describe,
    Finding,
    IntegrityChecker,
    ObjectFacts,
    Report,
    Verdict,
    attach_avus,
    group_replicas,
    relative,
    sort_key,
)

logger = logging.getLogger("b2safe.workflows.sweeps")
SWEEP_RULE = "EUDATIntegritySweepRun"
STATE_AVU = "eudat_sweep:state"
CURSOR_AVU = "eudat_sweep:cursor"
TOTALS_AVU = "eudat_sweep:totals"  # read only (earlier versions; see the module docstring)
RUN_AVU = "eudat_sweep:run"
DEST_AVU = "eudat_sweep:destination"
REPORT_AVU = "eudat_sweep:last_report"
ACTIVE, PAUSED, REMOVED = "active", "paused", "removed"
CHECKPOINT_EVERY = 256
FIRST_RUN_DELAY = "1s"

def schedule_run(catalog: IntegrityCatalog, collection: str, delay: str) -> None:
    """Queue one run of the sweep of ``collection`` after ``delay`` (validated)."""
    durations.parse(delay)
    catalog.schedule_rule(SWEEP_RULE, collection, "", delay=delay)


def sweep_id(collection: str) -> str:
    """A file-name-safe identifier of a sweep (for report names)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", collection.strip("/")) or "root"


def _zero() -> dict[str, int]:
    return {"checked": 0, "failed": 0, "runs": 0}


def run_value(run_id: str, checked: int, failed: int) -> str:
    """The ``eudat_sweep:run`` value of one run."""
    return f"{run_id}::{checked}::{failed}"


def _add_run(totals: dict[str, int], value: str) -> bool:
    """Add one ``eudat_sweep:run`` value to ``totals``; False when malformed."""
    parts = value.split("::")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return False
    totals["checked"] += int(parts[1])
    totals["failed"] += int(parts[2])
    totals["runs"] += 1
    return True


@dataclass
class SweepState:
    """A sweep's catalog state (see the module docstring). ``totals`` are the current pass's:
    the legacy totals value plus every run AVU (``runs``, the values read)."""

    status: str = ACTIVE
    pass_started: int = 0
    cursor: str = ""
    destination: str = ""
    totals: dict = field(default_factory=_zero)
    last_report: str = ""
    runs: list[str] = field(default_factory=list)
    legacy_totals: str = ""

    @classmethod
    def from_avus(cls, values: dict[str, str], runs: Sequence[str] = ()) -> SweepState:
        """Parse the ``eudat_sweep:*`` AVUs (``values`` by name; ``runs``: every
        ``eudat_sweep:run`` value); missing or malformed values take defaults."""
        state = cls(status=values.get(STATE_AVU, ACTIVE),
                    destination=values.get(DEST_AVU, ""),
                    last_report=values.get(REPORT_AVU, ""), runs=list(runs),
                    legacy_totals=values.get(TOTALS_AVU, ""))
        if state.status not in (ACTIVE, PAUSED, REMOVED):
            state.status = ACTIVE
        started, sep, cursor = values.get(CURSOR_AVU, "").partition("::")
        if sep and started.isdigit():
            state.pass_started, state.cursor = int(started), cursor
        try:
            totals = json.loads(state.legacy_totals or "{}")
            if isinstance(totals, dict):
                state.totals.update({k: int(v) for k, v in totals.items()
                                     if k in state.totals and str(v).isdigit()})
        except ValueError:
            pass
        for value in runs:
            _add_run(state.totals, value)
        return state


def load_state(catalog: IntegrityCatalog, collection: str) -> SweepState:
    """The state of the sweep of ``collection`` as stored (defaults when it never ran)."""
    values, _, runs = _sweep_avus(catalog, collection)
    return SweepState.from_avus(values, runs)


def _sweep_avus(catalog: IntegrityCatalog, collection: str
                ) -> tuple[dict[str, str], str, list[str]]:
    """(``eudat_sweep:*`` values by name, the state's units, every run value)."""
    values: dict[str, str] = {}
    units = ""
    runs: list[str] = []
    for avu in catalog.avus(collection, "-C"):
        if avu.name == RUN_AVU:
            runs.append(avu.value)
        elif avu.name.startswith("eudat_sweep:"):
            values[avu.name] = avu.value
            if avu.name == STATE_AVU:
                units = avu.units
    return values, units, runs


def _state_work(requester: str, collection: str, status: str, destination: str) -> codec.Work:
    return codec.Work(codec.Kind.SWEEP, requester, collection, "sweep", destination,
                      {"status": status})


def _write_state(catalog: IntegrityCatalog, collection: str, status: str, destination: str,
                 signer: Optional[Signer], requester: str) -> None:
    """Store status (signed with the destination: what a rodsadmin's run will act on)."""
    work = _state_work(requester, collection, status, destination)
    catalog.set_avu(collection, "-C", STATE_AVU, status,
                    codec.encode_units({"user": requester, "sig": codec.seal(signer, work)}))


def trusted_state(catalog: IntegrityCatalog, sweep: SweepConfig,
                  signer: Optional[Signer]) -> SweepState:
    """The state a run acts on: status and destination only as b2safe signed them.

    The swept collection's owner can write its AVUs; a state whose signature does not verify
    (or is missing) is not followed: the sweep stays active and compares with the configured
    destination, and the problem is logged.
    """
    collection = sweep.collection.rstrip("/")
    values, units, runs = _sweep_avus(catalog, collection)
    state = SweepState.from_avus(values, runs)
    if STATE_AVU not in values and DEST_AVU not in values:
        state.destination = sweep.destination.rstrip("/")
        return state
    fields = codec.decode_units(units) or {}
    work = _state_work(fields.get("user", ""), collection, values.get(STATE_AVU, ""),
                       values.get(DEST_AVU, ""))
    if codec.check(signer, work, fields.get("sig", "")) != codec.VALID:
        logger.error("sweep state of %r is not b2safe's (its signature does not verify): "
                     "running it active, compared with the configured destination %r",
                     collection, sweep.destination)
        state.status = ACTIVE
        state.destination = sweep.destination.rstrip("/")
    return state


def queued(catalog: IntegrityCatalog) -> dict[str, list[DelayedRule]]:
    """{collection: queued sweep rules} from RULE_EXEC_NAME (one query)."""
    found: dict[str, list[DelayedRule]] = {}
    for call in catalog.delayed_calls(SWEEP_RULE):
        if call.args:
            found.setdefault(call.args[0], []).append(call)
    return found


def find_sweep(config: IntegrityConfig, collection: str) -> SweepConfig:
    """The configured sweep of ``collection``.

    Raises:
        NotFound: no sweep is configured for it.
    """
    for sweep in config.sweeps:
        if sweep.collection.rstrip("/") == collection.rstrip("/"):
            return sweep
    raise NotFound(f"no integrity sweep is configured for {collection} (integrity.sweeps)")


def install(catalog: IntegrityCatalog, sweep: SweepConfig, destination: Optional[str] = None,
            signer: Optional[Signer] = None, requester: str = "") -> str:
    """Queue the sweep of ``sweep.collection`` unless a copy is queued; mark it active.

    ``destination`` (given, else the sweep's configured one) is stored as the replica collection
    the sweep compares with; status and destination are signed for ``requester`` (an
    administrator: sweep rules are admin-only). Returns "installed" or "already installed".
    """
    coll = sweep.collection.rstrip("/")
    if catalog.stat(coll) is None:
        raise NotFound(f"sweep collection {coll} does not exist")
    if destination is None and sweep.destination:
        destination = sweep.destination
    if destination is not None:
        if destination:
            catalog.set_avu(coll, "-C", DEST_AVU, destination.rstrip("/"))
        else:
            for avu in catalog.avus(coll, "-C", DEST_AVU):
                catalog.remove_avu(coll, "-C", DEST_AVU, avu.value)
    stored = next((a.value for a in catalog.avus(coll, "-C", DEST_AVU)), "")
    _write_state(catalog, coll, ACTIVE, stored, signer, requester)
    if queued(catalog).get(coll):
        return "already installed"
    schedule_run(catalog, coll, FIRST_RUN_DELAY)
    return "installed"


def set_status(catalog: IntegrityCatalog, collection: str, status: str,
               signer: Optional[Signer] = None, requester: str = "") -> None:
    """Set the sweep's state AVU (pause, resume, remove), signed for ``requester``."""
    if status not in (ACTIVE, PAUSED, REMOVED):
        raise InvalidInput(f"unknown sweep state {status}")
    if catalog.stat(collection) is None:
        raise NotFound(f"sweep collection {collection} does not exist")
    coll = collection.rstrip("/")
    stored = next((a.value for a in catalog.avus(coll, "-C", DEST_AVU)), "")
    _write_state(catalog, coll, status, stored, signer, requester)


def listing(catalog: IntegrityCatalog, config: IntegrityConfig) -> list[dict[str, Any]]:
    """Configured and queued sweeps with their state, next run and progress."""
    rules = queued(catalog)
    colls = list(dict.fromkeys([s.collection.rstrip("/") for s in config.sweeps] +
                               sorted(rules)))
    out = []
    for coll in colls:
        state = load_state(catalog, coll) if catalog.stat(coll) is not None else SweepState()
        mine = rules.get(coll, [])
        out.append({"collection": coll, "state": state.status,
                    "configured": any(s.collection.rstrip("/") == coll for s in config.sweeps),
                    "queued": len(mine),
                    "next_run": min((r.exe_time for r in mine), default=None),
                    "destination": state.destination, "cursor": state.cursor,
                    "pass_started": state.pass_started, "totals": state.totals,
                    "last_report": state.last_report})
    return out


def rearm(catalog: IntegrityCatalog, collection: str, period: str, now: int) -> bool:
    """Queue the next run ``period`` from now unless a future copy is queued already."""
    future = [r for r in queued(catalog).get(collection, []) if r.exe_time > now]
    if future:
        return False
    schedule_run(catalog, collection, period)
    return True


@dataclass
class RunOutcome:
    """What one sweep run did: ``status`` (ran, paused, removed), its report and path."""

    status: str
    report: Optional[Report] = None
    report_path: str = ""
    rearmed: bool = False


class SweepRunner:
    """One bounded, resumable run of a configured sweep.

    Args:
        checker: the integrity checker (catalog + PID service) of the zone.
        integrity: the configuration's ``integrity`` section.
        sweep: the sweep to run.
        describe: a failure's response text in the report (the rule edge's wording,
            :func:`b2safe.ruleset.responses.integrity`).
        clock: monotonic seconds, for ``max_seconds`` (injectable in tests).
    """

    def __init__(self, checker: IntegrityChecker, integrity: IntegrityConfig, sweep: SweepConfig,
                 describe: Describe, clock: Callable[[], float] = time.monotonic) -> None:
        self.checker = checker
        self.describe = describe
        self.catalog = checker.catalog
        self.integrity = integrity
        self.sweep = sweep
        self.collection = sweep.collection.rstrip("/")
        self.clock = clock

    def run(self) -> RunOutcome:
        """Re-arm, then check up to the bounds from the cursor, checkpoint and report."""
        if self.catalog.stat(self.collection) is None:
            raise NotFound(f"sweep collection {self.collection} does not exist")
        state = trusted_state(self.catalog, self.sweep, self.checker.signer)
        if state.status == REMOVED:
            return RunOutcome(REMOVED)
        now = self.checker.now
        rearmed = rearm(self.catalog, self.collection, self.sweep.period, now)
        if state.status == PAUSED:
            return RunOutcome(PAUSED, rearmed=rearmed)
        if not state.pass_started:
            state.pass_started, state.cursor = now, ""
        run_id = f"{now}-{secrets.token_hex(4)}"
        report = Report(root=self.collection, destination=state.destination, started=now)
        deadline = self.clock() + self.sweep.max_seconds
        if self.sweep.repair:
            self.checker.recreate_missing(self.collection, report)
        if self.sweep.verify_storage:
            rate = int(getattr(self.sweep, "verify_per_run", 0) or self.sweep.max_objects)
            self.checker.verify_oldest(self.collection, rate, report, repair=self.sweep.repair)
        complete = self._check(state, report, deadline)
        report.complete = complete
        state.totals["checked"] += report.checked
        state.totals["failed"] += report.failed
        state.totals["runs"] += 1
        report.finished = self.catalog.now()
        mine = run_value(run_id, report.checked, report.failed)
        path = self._write_report(report, state, run_id, [*state.runs, mine])
        self._save(state, mine, path, complete)
        return RunOutcome("ran", report, path, rearmed)

    # -- work --

    def _items(self, state: SweepState) -> Iterator[tuple[str, Optional[Verdict],
                                                         dict[str, str], ObjectFacts]]:
        """(relative path, verdict, source AVUs, source facts) after the cursor, streamed."""
        cursor_key = sort_key(state.cursor) if state.cursor else None
        if state.destination:
            for pair, avus in self.checker.pairs(self.collection, state.destination):
                if cursor_key is not None and sort_key(pair.rel) <= cursor_key:
                    continue
                verdict = self.checker.check_pair(pair, avus, self.collection,
                                                  state.destination)
                assert pair.source is not None
                yield pair.rel, verdict, avus, pair.source
            return
        objects = attach_avus(group_replicas(self.catalog.replicas(self.collection)),
                              self.catalog.data_avus(self.collection, AVU_NAMES, AVU_PREFIXES))
        for obj, avus in objects:
            rel = relative(obj.path, self.collection)
            if cursor_key is not None and sort_key(rel) <= cursor_key:
                continue
            verdict = self.checker.check(obj, None, "", avus)
            verdict = _with_replica_consistency(verdict, obj)
            yield rel, verdict, avus, obj

    def _check(self, state: SweepState, report: Report, deadline: float) -> bool:
        """Check objects after the cursor; True when the listing was exhausted."""
        count = 0
        for rel, verdict, avus, _obj in self._items(state):
            if count >= self.sweep.max_objects or self.clock() > deadline:
                return False
            if verdict is not None:
                if not verdict.ok and self.sweep.repair and verdict.destination:
                    outcome = self.checker.repair(verdict, avus.get(PID_AVU),
                                                  _is_fixed(avus))
                    if outcome == "repaired":
                        report.repaired += 1
                        verdict = dataclasses.replace(verdict, findings=())
                    elif outcome == SOURCE_FAILS_VERIFICATION:
                        verdict = verdict.with_finding(Finding(STORAGE, SOURCE,
                                                               SOURCE_FAILS_VERIFICATION))
                report.add(verdict)
                if not any(f.kind == STORAGE for f in verdict.findings):
                    self.checker.record(verdict, avus)
            count += 1
            state.cursor = rel
            if count % CHECKPOINT_EVERY == 0:
                self._checkpoint(state)
        return True

    def _checkpoint(self, state: SweepState) -> None:
        self.catalog.set_avu(self.collection, "-C", CURSOR_AVU,
                             f"{state.pass_started}::{state.cursor}")

    def _save(self, state: SweepState, mine: str, report_path: str, complete: bool) -> None:
        """Store this run: its own run AVU (added: concurrent runs' adds commute), the report
        path and the cursor; a run completing the pass removes the cursor and exactly the run
        AVUs it counted (see the module docstring)."""
        coll = self.collection
        if complete:
            for avu in self.catalog.avus(coll, "-C", CURSOR_AVU):
                self.catalog.remove_avu(coll, "-C", CURSOR_AVU, avu.value, avu.units)
            for value in state.runs:
                self.catalog.remove_avu(coll, "-C", RUN_AVU, value)
            if state.legacy_totals:
                self.catalog.remove_avu(coll, "-C", TOTALS_AVU, state.legacy_totals)
        else:
            self.catalog.add_avu(coll, "-C", RUN_AVU, mine, known_absent=True)
            self.catalog.set_avu(coll, "-C", CURSOR_AVU, f"{state.pass_started}::{state.cursor}")
        if report_path:
            self.catalog.set_avu(coll, "-C", REPORT_AVU, report_path)

    def _write_report(self, report: Report, state: SweepState, run_id: str,
                      runs: list[str]) -> str:
        """Write the run's JSON report into the report collection ('' when none is set); the
        name carries the run id, so runs at the same second keep their own reports. ``runs``:
        the run records the pass totals count (``pass_runs``)."""
        target = self.integrity.report_collection.rstrip("/")
        if not target:
            return ""
        folder = f"{target}/{sweep_id(self.collection)}"
        self.catalog.ensure_collection(folder)
        path = f"{folder}/{state.pass_started}-{run_id}.json"
        data = report.as_json(self.describe)
        data["sweep"] = {"collection": self.collection, "period": self.sweep.period,
                         "pass_started": state.pass_started, "cursor": state.cursor,
                         "pass_totals": {"checked": state.totals["checked"],
                                         "failed": state.totals["failed"],
                                         "runs": state.totals["runs"]},
                         "pass_runs": runs,
                         "verify_storage": self.sweep.verify_storage,
                         "repair": self.sweep.repair}
        self.catalog.write_text(path, json.dumps(data, indent=1, sort_keys=True))
        return path


def _is_fixed(avus: dict[str, str]) -> bool:
    return avus.get(FIXED_AVU, "").strip().lower() == "true"


def _with_replica_consistency(verdict: Verdict, obj: ObjectFacts) -> Verdict:
    """Add a finding when good in-zone replicas disagree in size or checksum."""
    good = [r for r in obj.replicas if r.status == 1]
    if len(good) < 2:
        return verdict
    first = good[0]
    odd = [r for r in good[1:] if r.size != first.size or
           (r.checksum and first.checksum and r.checksum != first.checksum)]
    if not odd:
        return verdict
    detail = ", ".join(f"replica {r.repl_num} on {r.resource}: size {r.size} checksum "
                       f"{r.checksum or 'none'}" for r in odd)
    finding = Finding(CHECKSUM if all(r.size == first.size for r in odd) else SIZE,
                      REPLICA, f"in-zone replicas disagree with replica {first.repl_num} "
                      f"({first.size}, {first.checksum}): {detail}")
    return verdict.with_finding(finding)

