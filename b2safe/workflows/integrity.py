"""Integrity of replicas: three witnesses, streamed collection checks, storage verification, repair.

Gather facts through :class:`~b2safe.ports.IntegrityCatalog` and
:class:`~b2safe.ports.PidService`, decide with the pure functions below, then apply.

Witnesses of one object's content:

* ``source``: the source object's catalog size and checksum (and, when verified, its bytes);
* ``replica``: the replica's (destination copy's) size and checksum;
* ``pid``: the PID record's EUDAT/CHECKSUM (and URL, which must point at the source).

:func:`decide` compares them and names the witness that disagrees with the other two. With only
two witnesses the source is taken as the reference for the replica; against the PID alone a
changed source is a violation when the content is FIXED, a stale record otherwise.

Catalog state (AVUs, queryable with GenQuery):

``eudat_pending:integrity`` on the *source* data object, one value while a problem is open::

    <epoch>::<kind>::<witness>::<destination>

  ``kind`` is one of :data:`KINDS`, ``witness`` one of ``source``/``replica``/``pid``/``unknown``,
  ``destination`` the replica path ('' for problems of the source itself). Set by checks with
  ``logEnabled`` and by sweeps; removed when a later check passes or repair succeeds. Repair and
  ``EUDATTransferUsingFailLog`` find open problems with
  ``META_DATA_ATTR_NAME = 'eudat_pending:integrity'`` and re-copy ``source`` -> ``destination``
  for ``witness == replica`` (kinds missing/size/checksum/storage) and for ``source_changed``.

With repair enabled, a replica whose stored bytes fail verification is re-created from another
replica of the same object in the same zone (same DATA_ID) that passes verification right
before the copy: trim the bad replica, replicate the good one onto its resource, verify again.
The ``storage`` problem stays recorded until that succeeds; it is never repaired from a replica
that itself fails verification (or whose registered size/checksum differ).

``eudat_integrity_verified:<resource>`` on a data object: epoch of the last storage verification
of its replica on that resource (oldest first is verified next).

``eudat_dpm_checksum_date:<resource>``: when a missing checksum was first computed (as B2SAFE).
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from b2safe.domain import profile
from b2safe.domain.integrity import Problem, Witness
from b2safe.errors import B2SafeError, NotFound, PidNotFound
from b2safe.ports import IntegrityCatalog, PidService, ReplicaRow
from b2safe.state import codec
from b2safe.state.signing import Signer

logger = logging.getLogger("b2safe.workflows.integrity")

PENDING_AVU = "eudat_pending:integrity"
#: On a data object while a same-zone replica on the resource named by the value is being
#: re-created (written before the bad replica is trimmed, removed once the new one verifies), so
#: a repair that dies between trim and copy is finished by the next repairing sweep.
MISSING_REPLICA_AVU = "eudat_pending:replica"
VERIFIED_AVU = "eudat_integrity_verified:"
CHECKSUM_DATE_AVU = "eudat_dpm_checksum_date:"  # same name as b2safe.ruleset.utility's
PID_AVU = "PID"
FIXED_AVU = profile.FIXED_CONTENT

SOURCE, REPLICA, PID, UNKNOWN = Witness.SOURCE, Witness.REPLICA, Witness.PID, Witness.UNKNOWN
MISSING, SIZE, CHECKSUM, STORAGE = Problem.MISSING, Problem.SIZE, Problem.CHECKSUM, Problem.STORAGE
SOURCE_CHANGED, PID_CHECKSUM, PID_URL, PID_ERROR = (Problem.SOURCE_CHANGED, Problem.PID_CHECKSUM,
                                                    Problem.PID_URL, Problem.PID_ERROR)
KINDS = tuple(Problem)
#: :meth:`IntegrityChecker.repair` outcome when the source's stored bytes are bad (recorded).
SOURCE_FAILS_VERIFICATION = "the source fails storage verification; not overwriting the replica"
#: :meth:`IntegrityChecker.restore_replica` outcomes.
REPAIRED = "repaired"
NO_GOOD_REPLICA = ("no other replica of the object passes storage verification; "
                   "not overwriting")
#: Problems a re-copy from the source can fix.
REPAIRABLE = frozenset({MISSING, SIZE, CHECKSUM, STORAGE, SOURCE_CHANGED})

# --- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectFacts:
    """One data object as the catalog sees it: all its replicas, in replica-number order."""

    path: str
    object_id: str
    replicas: tuple[ReplicaRow, ...]

    def replica(self, resource: str = "") -> Optional[ReplicaRow]:
        """The replica on ``resource`` (any good one when '' / 'null' / 'None' / '%')."""
        if resource and resource not in ("null", "None", "%"):
            return next((r for r in self.replicas if r.resource == resource), None)
        return next((r for r in self.replicas if r.status == 1), None) or \
            (self.replicas[0] if self.replicas else None)


@dataclass(frozen=True)
class PidFacts:
    """What the PID record says: its checksum and URL (None when absent), or a lookup error."""

    pid: str
    checksum: Optional[str] = None
    url: Optional[str] = None
    fixed_content: Optional[bool] = None
    error: str = ""


@dataclass(frozen=True)
class Finding:
    """One disagreement: what is wrong (``kind``), the ``witness`` that disagrees, and text."""

    kind: Problem
    witness: Witness
    detail: str

    def pending_value(self, now: int, destination: str) -> str:
        """The ``eudat_pending:integrity`` AVU value for this finding."""
        return f"{now}::{self.kind}::{self.witness}::{destination}"


# What a check observed, in the order B2SAFE's EUDATCheckIntegrityDO states it. These are values;
# the rule edge renders them in B2SAFE's wording (b2safe.ruleset.responses.integrity).


@dataclass(frozen=True)
class SizesDiffer:
    """Source and replica sizes differ."""

    source: str
    source_resource: str
    source_size: int
    destination: str
    replica_resource: str
    replica_size: int


@dataclass(frozen=True)
class Checksums:
    """Source and replica checksums compared (``agree``), with the modification times."""

    source: str
    source_checksum: str
    destination: str
    replica_checksum: str
    agree: bool
    modify_times: tuple[int, int]


@dataclass(frozen=True)
class PidChecksum:
    """The PID record's EUDAT/CHECKSUM, compared with the source's checksum (``agree``)."""

    pid: str
    pid_checksum: str
    source: str
    source_checksum: str
    agree: bool


@dataclass(frozen=True)
class PidUrl:
    """The PID record's URL (None: it has none) does not point at the source."""

    pid: str
    url: Optional[str]
    source: str


@dataclass(frozen=True)
class Disagreeing:
    """The witnesses that disagree, in finding order."""

    witnesses: tuple[Witness, ...]


#: One statement of a verdict; a :class:`Finding` states its ``detail``.
Statement = Union[Finding, SizesDiffer, Checksums, PidChecksum, PidUrl, Disagreeing]


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one source path (against a replica and/or its PID record).

    ``statements`` are what B2SAFE's ``EUDATCheckIntegrityDO`` says (its order), followed by
    the port's additions (PID witness, which witness disagrees, later findings); the rules
    render them (:func:`b2safe.ruleset.responses.integrity`).
    """

    source: str
    destination: str
    findings: tuple[Finding, ...]
    statements: tuple[Statement, ...] = ()

    def with_finding(self, finding: Finding) -> Verdict:
        """This verdict with one more finding, stated last."""
        return Verdict(self.source, self.destination, (*self.findings, finding),
                       (*self.statements, finding))

    @classmethod
    def of(cls, source: str, finding: Finding) -> Verdict:
        """A verdict on ``source`` alone that states one finding."""
        return cls(source, "", (finding,), (finding,))

    @property
    def ok(self) -> bool:
        """True when no witness disagrees."""
        return not self.findings

    @property
    def disagreeing(self) -> tuple[str, ...]:
        """The witnesses that disagree, in finding order, without repeats."""
        return tuple(dict.fromkeys(f.witness for f in self.findings))

    def as_json(self, describe: Describe) -> dict[str, Any]:
        """A JSON-able summary (for reports), its response text by ``describe``."""
        return {"source": self.source, "destination": self.destination,
                "response": describe(self),
                "findings": [{"kind": f.kind, "witness": f.witness, "detail": f.detail}
                             for f in self.findings]}


#: Renders a verdict's statements as text (the rule edge passes B2SAFE's wording).
Describe = Callable[[Verdict], str]


def pending_work(source: str, value: str, requester: str) -> codec.Work:
    """What an ``eudat_pending:integrity`` record asks for: re-copy ``source`` to the
    destination in ``value`` on behalf of ``requester`` (the signed part)."""
    parsed = parse_pending(value)
    destination = parsed[3] if parsed else ""
    return codec.Work(codec.Kind.INTEGRITY, requester, source, "repair", destination,
                      {"value": value})


def sign_pending(signer: Optional[Signer], source: str, value: str, requester: str) -> str:
    """The units of an ``eudat_pending:integrity`` AVU: requester and signature
    (:mod:`b2safe.state.codec`). A repair is carried out only for records b2safe signed: users
    may write AVUs on their own objects."""
    work = pending_work(source, value, requester)
    return codec.encode_units({"user": requester, "sig": codec.seal(signer, work)})


def pending_requester(units: str) -> str:
    """The requester named by an ``eudat_pending:integrity`` AVU's units ('' if none)."""
    return (codec.decode_units(units) or {}).get("user", "")


def pending_verdict(signer: Optional[Signer], source: str, value: str, units: str) -> str:
    """:func:`b2safe.state.codec.check` of an ``eudat_pending:integrity`` record on ``source``."""
    fields = codec.decode_units(units)
    if fields is None or parse_pending(value) is None:
        return codec.MALFORMED
    work = pending_work(source, value, fields.get("user", ""))
    return codec.check(signer, work, fields.get("sig", ""))


def pending_is_authentic(signer: Optional[Signer], source: str, value: str, units: str) -> bool:
    """Whether an ``eudat_pending:integrity`` record was written by b2safe."""
    return pending_verdict(signer, source, value, units) == codec.VALID


def parse_pending(value: str) -> Optional[tuple[int, Problem, str, str]]:
    """(epoch, kind, witness, destination) of an ``eudat_pending:integrity`` value, or None."""
    parts = value.split("::", 3)
    kind = Problem.named(parts[1]) if len(parts) == 4 else None
    if kind is None or not parts[0].isdigit():
        return None
    return int(parts[0]), kind, parts[2], parts[3]


# --- pure decisions ----------------------------------------------------------------------------


def same_checksum(a: str, b: str) -> bool:
    """Whether two non-empty catalog/PID checksums denote the same content."""
    return bool(a) and bool(b) and (profile.checksum_matches(a, b) or
                                    profile.checksum_matches(b, a))


def checksum_witness(source: str, replica: Optional[str], pid: Optional[str],
                     fixed: bool) -> Optional[Finding]:
    """Compare up to three checksums; the finding names the odd one out (None: all agree).

    ``replica`` None means there is no replica witness; ``pid`` None means no PID record value.
    """
    if replica is None and pid is None:
        return None
    if replica is None:
        if same_checksum(source, pid or ""):
            return None
        if fixed:
            return Finding(CHECKSUM, SOURCE, f"source checksum {source} differs from the PID "
                           f"record's {pid} although EUDAT/FIXED_CONTENT is True")
        return Finding(PID_CHECKSUM, PID, f"PID record EUDAT/CHECKSUM {pid} != source "
                       f"checksum {source} (record not updated after a change)")
    s_r = same_checksum(source, replica)
    if pid is None:
        return None if s_r else Finding(CHECKSUM, REPLICA, f"{replica} != source {source}")
    s_p, r_p = same_checksum(source, pid), same_checksum(replica, pid)
    if s_r and s_p:
        return None
    if s_r:
        return Finding(PID_CHECKSUM, PID, f"EUDAT/CHECKSUM {pid} != {source} (source and "
                       "replica agree)")
    if s_p:
        return Finding(CHECKSUM, REPLICA, f"replica {replica} != {source} (source and PID "
                       "agree)")
    if r_p:
        if fixed:
            return Finding(CHECKSUM, SOURCE, f"source {source} != {replica} (replica and PID "
                           "agree) although EUDAT/FIXED_CONTENT is True")
        return Finding(SOURCE_CHANGED, SOURCE, f"source changed after replication: {source} "
                       f"!= {replica} (replica and PID agree)")
    return Finding(CHECKSUM, UNKNOWN, f"source {source}, replica {replica} and PID {pid} all "
                   "differ")


def decide(source: ReplicaRow, replica: Optional[ReplicaRow], *, destination: str = "",
           pid: Optional[PidFacts] = None, expected_urls: Sequence[str] = (),
           fixed: bool = False, modify_times: tuple[int, int] = (0, 0),
           storage: Sequence[Finding] = ()) -> Verdict:
    """Compare the witnesses of one object and explain the result in B2SAFE's words.

    Args:
        source: the source replica (checksum already computed when it was missing).
        replica: the destination replica, None when it is missing or when no destination is
            checked (``destination`` '').
        destination: the replica path ('' when only the PID witness is checked).
        pid: the source's PID record facts (None: unregistered data).
        expected_urls: URLs the record may carry for the source path.
        fixed: EUDAT/FIXED_CONTENT of the source.
        modify_times: (source, replica) modification times for the checksum message.
        storage: findings of storage verification made by the caller.
    """
    findings: list[Finding] = []
    parts: list[Statement] = []
    src, dst = source.path, destination
    if destination and replica is None:
        findings.append(Finding(MISSING, REPLICA, "missing replicated object"))
        parts.append(findings[-1])
    pid_sum = None
    if pid is not None:
        if pid.error:
            findings.append(Finding(PID_ERROR, PID, pid.error))
        else:
            pid_sum = pid.checksum or ""
    if replica is not None:
        if source.size != replica.size:
            kind, witness = SIZE, REPLICA
            if pid_sum and same_checksum(replica.checksum, pid_sum) and \
                    not same_checksum(source.checksum, pid_sum):
                kind, witness = (SIZE, SOURCE) if fixed else (SOURCE_CHANGED, SOURCE)
            findings.append(Finding(kind, witness, f"size {source.size} != {replica.size}"))
            parts.append(SizesDiffer(src, source.resource, source.size, dst, replica.resource,
                                     replica.size))
        else:
            parts.append(Checksums(src, source.checksum, dst, replica.checksum,
                                   same_checksum(source.checksum, replica.checksum),
                                   modify_times))
    found = None
    if not (replica is not None and source.size != replica.size):
        if replica is not None or not destination:
            found = checksum_witness(source.checksum,
                                     replica.checksum if replica is not None else None,
                                     pid_sum if pid is not None and not pid.error else None,
                                     fixed)
    if found is not None:
        findings.append(found)
        if found.witness in (PID, SOURCE) and pid is not None:
            parts.append(PidChecksum(pid.pid, pid_sum or "", src, source.checksum,
                                     same_checksum(source.checksum, pid_sum or "")))
    if pid is not None and not pid.error and expected_urls and pid.url not in expected_urls:
        findings.append(Finding(PID_URL, PID, f"URL {pid.url} does not point at {src}"))
        parts.append(PidUrl(pid.pid, pid.url, src))
    for item in storage:
        findings.append(item)
        parts.append(item)
    if findings:
        parts.append(Disagreeing(tuple(dict.fromkeys(f.witness for f in findings))))
    return Verdict(src, destination, tuple(findings), tuple(parts))


def relative(path: str, root: str) -> str:
    """``path`` relative to collection ``root`` (``root/a/b`` -> ``a/b``)."""
    prefix = root.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise ValueError(f"{path} is not below {root}")
    return path[len(prefix):]


def sort_key(rel: str) -> tuple[str, str]:
    """The order GenQuery listings use: (collection, name), here relative to the root."""
    parent, _, name = rel.rpartition("/")
    return parent, name


def group_replicas(rows: Iterable[ReplicaRow]) -> Iterator[ObjectFacts]:
    """Group consecutive rows of the same object (listings keep an object's rows together)."""
    current: list[ReplicaRow] = []
    for row in rows:
        if current and (row.path != current[0].path or row.object_id != current[0].object_id):
            yield ObjectFacts(current[0].path, current[0].object_id,
                              tuple(sorted(current, key=lambda r: r.repl_num)))
            current = []
        current.append(row)
    if current:
        yield ObjectFacts(current[0].path, current[0].object_id,
                          tuple(sorted(current, key=lambda r: r.repl_num)))


@dataclass(frozen=True)
class Pair:
    """A source object and its twin under the destination root (either may be None)."""

    rel: str
    source: Optional[ObjectFacts]
    replica: Optional[ObjectFacts]


def merge(sources: Iterable[ObjectFacts], replicas: Iterable[ObjectFacts], source_root: str,
          replica_root: str) -> Iterator[Pair]:
    """Merge two listings sorted by :func:`sort_key` of their relative paths into pairs.

    Memory is constant. A listing that is not in this order (a database collation unlike
    Python's) only produces unmatched pairs, which callers confirm with a point lookup.
    """
    src_it, dst_it = iter(sources), iter(replicas)
    src = next(src_it, None)
    dst = next(dst_it, None)
    while src is not None or dst is not None:
        s_rel = relative(src.path, source_root) if src is not None else None
        d_rel = relative(dst.path, replica_root) if dst is not None else None
        if d_rel is None or (s_rel is not None and sort_key(s_rel) < sort_key(d_rel)):
            yield Pair(s_rel or "", src, None)
            src = next(src_it, None)
        elif s_rel is None or sort_key(d_rel) < sort_key(s_rel):
            yield Pair(d_rel, None, dst)
            dst = next(dst_it, None)
        else:
            yield Pair(s_rel, src, dst)
            src, dst = next(src_it, None), next(dst_it, None)


def attach_avus(objects: Iterable[ObjectFacts], avus: Iterable[tuple[str, str, str]]
                ) -> Iterator[tuple[ObjectFacts, dict[str, str]]]:
    """Pair each object with its AVUs from a path-sorted AVU stream (constant memory).

    Both streams come from GenQuery ordered by (collection, name); AVUs of paths that are not
    in ``objects`` are skipped.
    """
    avu_it = iter(avus)
    pending = next(avu_it, None)
    for obj in objects:
        key = sort_key(obj.path)
        values: dict[str, str] = {}
        while pending is not None and sort_key(pending[0]) < key:
            pending = next(avu_it, None)
        while pending is not None and pending[0] == obj.path:
            values.setdefault(pending[1], pending[2])
            pending = next(avu_it, None)
        yield obj, values


def select_oldest(candidates: Iterable[tuple[int, str, int, str]], count: int
                  ) -> list[tuple[int, str, int, str]]:
    """The ``count`` least recently verified (last_verified, path, repl_num, resource) entries.

    Streams ``candidates`` keeping at most ``count`` of them (never verified = 0 comes first).
    """
    if count <= 0:
        return []
    return heapq.nsmallest(count, candidates)


def verification_candidates(objects: Iterable[tuple[ObjectFacts, dict[str, str]]]
                            ) -> Iterator[tuple[int, str, int, str]]:
    """(last verified epoch, path, replica number, resource) of each good replica."""
    for obj, avus in objects:
        for rep in obj.replicas:
            if rep.status != 1:
                continue
            text = avus.get(VERIFIED_AVU + rep.resource, "0")
            yield (int(text) if text.isdigit() else 0), obj.path, rep.repl_num, rep.resource


# --- reports ------------------------------------------------------------------------------------


@dataclass
class Report:
    """Counts and (up to ``keep``) failures of one check or sweep run; memory is bounded."""

    root: str
    destination: str = ""
    started: int = 0
    finished: int = 0
    checked: int = 0
    verified: int = 0
    repaired: int = 0
    complete: bool = False
    keep: int = 1000
    kinds: Counter = field(default_factory=Counter)
    failures: list[Verdict] = field(default_factory=list)
    failed: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)

    def add_repair(self, entry: dict[str, Any]) -> None:
        """Keep one repair attempt (up to ``keep``); count it when it succeeded."""
        if entry.get("outcome") == REPAIRED:
            self.repaired += 1
        if len(self.repairs) < self.keep:
            self.repairs.append(entry)

    def add(self, verdict: Verdict) -> None:
        """Count one verdict (and keep it when it failed, up to ``keep``)."""
        self.checked += 1
        if verdict.ok:
            return
        self.failed += 1
        for finding in verdict.findings:
            self.kinds[finding.kind] += 1
        self.keep_failure(verdict)

    def keep_failure(self, verdict: Verdict) -> None:
        """Keep a failed verdict (up to ``keep``)."""
        if len(self.failures) < self.keep:
            self.failures.append(verdict)

    def as_json(self, describe: Describe) -> dict[str, Any]:
        """The report as a JSON-able dict (each failure's response text by ``describe``)."""
        return {"root": self.root, "destination": self.destination, "started": self.started,
                "finished": self.finished, "checked": self.checked, "failed": self.failed,
                "verified": self.verified, "repaired": self.repaired,
                "complete": self.complete, "kinds": dict(sorted(self.kinds.items())),
                "failures": [verdict.as_json(describe) for verdict in self.failures],
                "failures_truncated": self.failed > len(self.failures),
                "repairs": self.repairs}

    def to_text(self, describe: Describe) -> str:
        """JSON text (stable key order)."""
        return json.dumps(self.as_json(describe), indent=1, sort_keys=True)


# --- orchestration -----------------------------------------------------------------------------


def object_facts(catalog: IntegrityCatalog, path: str) -> Optional[ObjectFacts]:
    """The facts of one data object (None when missing) via one small query."""
    rows = catalog.replicas_of(path)
    if not rows:
        return None
    return ObjectFacts(path, rows[0].object_id, tuple(rows))


class IntegrityChecker:
    """Checks for one zone's catalog and (optionally) PID service.

    Args:
        catalog: the zone running the rule.
        pids: the PID service, or None when PIDs are disabled (no PID witness).
        expected_urls: function path -> URLs a PID record of that path may carry.
        now: the epoch used for AVU stamps (default: the catalog's clock, asked once).
    """

    def __init__(self, catalog: IntegrityCatalog, pids: Optional[PidService],
                 expected_urls: Optional[Callable[[str], list[str]]] = None,
                 now: Optional[int] = None,
                 signer: Optional[Signer] = None, requester: str = "") -> None:
        self.catalog = catalog
        self.pids = pids
        self.signer = signer
        self.requester = requester
        self.expected_urls: Callable[[str], list[str]] = expected_urls or (lambda path: [])
        self._now = now

    @property
    def now(self) -> int:
        """The time stamp of this run (asked from the catalog once)."""
        if self._now is None:
            self._now = self.catalog.now()
        return self._now

    # -- witnesses --

    def with_checksum(self, rep: ReplicaRow) -> ReplicaRow:
        """``rep`` with its checksum computed and registered when missing (and dated)."""
        if rep.checksum:
            return rep
        value = self.catalog.compute_checksum(rep.path, rep.repl_num)
        try:
            name = CHECKSUM_DATE_AVU + rep.resource
            if not self.catalog.avus(rep.path, "-d", name):
                self.catalog.set_avu(rep.path, "-d", name, str(rep.modify_time))
        except B2SafeError as exc:  # a remote replica may refuse metadata writes
            logger.debug("cannot date the checksum of %s: %s", rep.path, exc)
        return ReplicaRow(rep.path, rep.object_id, rep.repl_num, rep.resource, rep.size, value,
                          rep.status, rep.modify_time)

    def comparable(self, source: ReplicaRow, rep: ReplicaRow) -> ReplicaRow:
        """``rep`` with its checksum under the source's hash scheme: computed from its bytes
        when the zones use different schemes (MD5 here, SHA256 there)."""
        wanted = profile.checksum_scheme(source.checksum)
        have = profile.checksum_scheme(rep.checksum)
        if wanted is None or have in (wanted, None):
            return rep
        return dataclasses.replace(rep, checksum=self.catalog.checksum_in(rep.path, wanted))

    def pid_facts(self, pid: Optional[str]) -> Optional[PidFacts]:
        """The PID record facts of ``pid`` (None when unregistered or PIDs are disabled)."""
        if not pid or self.pids is None:
            return None
        try:
            record = self.pids.get(pid)
        except PidNotFound:
            return PidFacts(pid, error=f"PID {pid} does not exist")
        except B2SafeError as exc:
            return PidFacts(pid, error=f"PID {pid} could not be read: {exc}")
        return PidFacts(pid, checksum=record.checksum, url=record.url,
                        fixed_content=record.fixed_content)

    def check(self, source: ObjectFacts, replica: Optional[ObjectFacts], destination: str,
              avus: Optional[dict[str, str]] = None, source_res: str = "",
              dest_res: str = "") -> Verdict:
        """Compare one source object with its replica (and its PID record if registered)."""
        src = source.replica(source_res)
        if src is None:
            raise NotFound(f"{source.path} has no replica on {source_res}")
        src = self.with_checksum(src)
        rep = replica.replica(dest_res) if replica is not None else None
        if rep is not None:
            rep = self.comparable(src, self.with_checksum(rep))
        avus = avus if avus is not None else self._avus(source.path)
        pid = self.pid_facts(avus.get(PID_AVU))
        fixed = _fixed(avus, pid)
        urls = self.expected_urls(source.path) if pid is not None else []
        return decide(src, rep, destination=destination, pid=pid, expected_urls=urls,
                      fixed=fixed, modify_times=(src.modify_time,
                                                 rep.modify_time if rep else 0))

    def _avus(self, path: str) -> dict[str, str]:
        values: dict[str, str] = {}
        for avu in self.catalog.avus(path, "-d"):
            values.setdefault(avu.name, avu.value)
        return values

    # -- catalog state --

    def record(self, verdict: Verdict, avus: Optional[dict[str, str]] = None) -> None:
        """Set (failed) or clear (passed) the source's ``eudat_pending:integrity`` AVU.

        A passing catalog check does not clear a ``storage`` problem: only a later successful
        storage verification (or a repair) does.
        """
        if verdict.ok:
            if avus is not None and PENDING_AVU not in avus:
                return  # the listing showed none: no query needed
            for avu in self.catalog.avus(verdict.source, "-d", PENDING_AVU):
                parsed = parse_pending(avu.value)
                if parsed is None or parsed[1] != STORAGE:
                    self.catalog.remove_avu(verdict.source, "-d", PENDING_AVU, avu.value,
                                            avu.units)
            return
        first = verdict.findings[0]
        destination = verdict.destination if first.witness != SOURCE or \
            first.kind == SOURCE_CHANGED else ""
        value = first.pending_value(self.now, destination)
        self.catalog.set_avu(verdict.source, "-d", PENDING_AVU, value,
                             sign_pending(self.signer, verdict.source, value, self.requester))

    # -- collections --

    def check_collection(self, source_root: str, replica_root: str, *, source_res: str = "",
                         dest_res: str = "", record: bool = False,
                         report: Optional[Report] = None) -> Report:
        """Every object under ``source_root`` against its twin under ``replica_root``.

        Three GenQuery streams (source replicas, source AVUs, destination replicas) merged in
        sorted order; per-object calls only for missing checksums, PID records, and to confirm a
        replica that the merge did not find.
        """
        report = report or Report(root=source_root, destination=replica_root, started=self.now)
        for pair, avus in self.pairs(source_root, replica_root):
            verdict = self.check_pair(pair, avus, source_root, replica_root, source_res,
                                      dest_res)
            if verdict is None:
                continue
            report.add(verdict)
            if record:
                self.record(verdict, avus)
        report.complete = True
        return report

    def pairs(self, source_root: str, replica_root: str
              ) -> Iterator[tuple[Pair, dict[str, str]]]:
        """Merged (source, replica) pairs with the source's AVUs (streams only)."""
        sources = attach_avus(group_replicas(self.catalog.replicas(source_root)),
                              self.catalog.data_avus(source_root, AVU_NAMES, AVU_PREFIXES))
        avus_by_obj: dict[str, dict[str, str]] = {}

        def remember() -> Iterator[ObjectFacts]:
            for obj, values in sources:
                avus_by_obj.clear()
                avus_by_obj[obj.path] = values
                yield obj

        replicas = group_replicas(self.catalog.replicas(replica_root))
        for pair in merge(remember(), replicas, source_root, replica_root):
            if pair.source is None:
                continue
            yield pair, avus_by_obj.get(pair.source.path, {})

    def check_pair(self, pair: Pair, avus: dict[str, str], source_root: str, replica_root: str,
                   source_res: str = "", dest_res: str = "") -> Optional[Verdict]:
        """The verdict for one merged pair (None when the source has no replica to check)."""
        if pair.source is None:
            return None
        destination = replica_root.rstrip("/") + "/" + pair.rel
        replica = pair.replica
        if replica is None:  # confirm: the listings' order may differ from Python's
            replica = object_facts(self.catalog, destination)
        try:
            return self.check(pair.source, replica, destination, avus, source_res, dest_res)
        except NotFound:
            return None

    # -- storage --

    def verify_oldest(self, root: str, count: int, report: Optional[Report] = None,
                      repair: bool = False) -> list[tuple[str, int, str, bool]]:
        """Verify the stored bytes of the ``count`` least recently verified replicas.

        Two streams select them; each verification is one msiDataObjChksum(verifyChksum) and
        stamps ``eudat_integrity_verified:<resource>``. A mismatch is recorded as a pending
        ``storage`` problem of witness ``source`` on the object. With ``repair`` the bad replica
        is then re-created from a good replica of the same object (:meth:`restore_replica`);
        on success the problem is cleared and counted as repaired, otherwise it stays recorded
        with the reason. Returns (path, repl, resource, ok) tuples (ok: the first
        verification).
        """
        objects = attach_avus(group_replicas(self.catalog.replicas(root)),
                              self.catalog.data_avus(root, (), (VERIFIED_AVU,)))
        chosen = select_oldest(verification_candidates(objects), count)
        results = []
        for _, path, repl_num, resource in chosen:
            try:
                ok = self.catalog.verify_replica(path, repl_num)
            except NotFound:
                continue
            results.append((path, repl_num, resource, ok))
            self.catalog.set_avu(path, "-d", VERIFIED_AVU + resource, str(self.now))
            if report is not None:
                report.verified += 1
            if ok:
                for avu in self.catalog.avus(path, "-d", PENDING_AVU):
                    parsed = parse_pending(avu.value)
                    if parsed is not None and parsed[1] == STORAGE:
                        self.catalog.remove_avu(path, "-d", PENDING_AVU, avu.value, avu.units)
            else:
                detail = (f"stored bytes of {path} (replica {repl_num} on {resource}) do not "
                          "match the catalog checksum")
                verdict = Verdict.of(path, Finding(STORAGE, SOURCE, detail))
                self.record(verdict)  # first: a run dying mid-repair leaves the problem open
                if repair:
                    entry = self.restore_replica(path, repl_num, resource)
                    if report is not None:
                        report.add_repair(entry)
                    if entry["outcome"] == REPAIRED:
                        self._clear_storage(path)
                        continue
                    detail = f"{detail}; repair: {entry['outcome']}"
                    verdict = Verdict.of(path, Finding(STORAGE, SOURCE, detail))
                if report is not None:
                    report.failed += 1
                    report.kinds[STORAGE] += 1
                    report.keep_failure(verdict)
        return results

    def _clear_storage(self, path: str) -> None:
        """Remove the ``storage`` values of ``path``'s ``eudat_pending:integrity``."""
        for avu in self.catalog.avus(path, "-d", PENDING_AVU):
            parsed = parse_pending(avu.value)
            if parsed is not None and parsed[1] == STORAGE:
                self.catalog.remove_avu(path, "-d", PENDING_AVU, avu.value, avu.units)

    def restore_replica(self, path: str, repl_num: int, resource: str) -> dict[str, Any]:
        """Re-create a same-zone replica whose stored bytes are bad from a good replica.

        The source is another good replica of the same object with the same registered size
        and checksum that passes storage verification now (the first such, in replica
        order); when there is none nothing is touched. After the copy the new replica is
        verified and its checksum compared with the source's.

        Args:
            path: the data object.
            repl_num: the bad replica's number.
            resource: the bad replica's resource.

        Returns:
            A report entry: ``source``, ``replica``, ``resource``, ``from`` (the source
            replica's resource, '' when none), ``new_replica`` (-1 when none) and ``outcome``
            (:data:`REPAIRED` or the reason it did not happen).
        """
        entry: dict[str, Any] = {"source": path, "replica": repl_num, "resource": resource,
                                 "from": "", "new_replica": -1, "outcome": ""}
        rows = self.catalog.replicas_of(path)
        bad = next((r for r in rows if r.repl_num == repl_num), None)
        if bad is None:
            entry["outcome"] = "the replica no longer exists"
            return entry
        source = None
        for row in rows:
            if row.repl_num == repl_num or row.status != 1 or row.size != bad.size or \
                    not same_checksum(row.checksum, bad.checksum):
                continue
            try:
                if self.catalog.verify_replica(path, row.repl_num):
                    source = row
                    break
            except B2SafeError as exc:
                logger.warning("cannot verify replica %s of %s: %s", row.repl_num, path, exc)
        if source is None:
            entry["outcome"] = NO_GOOD_REPLICA
            return entry
        entry["from"] = source.resource
        # Intent first: if the agent dies between the trim and the copy, the marker remains and
        # the next repairing sweep re-creates the replica (recreate_missing).
        self.catalog.add_avu(path, "-d", MISSING_REPLICA_AVU, bad.resource)
        try:
            fresh = self.catalog.replace_replica(path, repl_num, source.resource)
        except B2SafeError as exc:
            logger.error("re-creating replica %s of %s from %s failed: %s", repl_num, path,
                         source.resource, exc)
            entry["outcome"] = f"re-creating the replica failed: {exc}"
            return entry
        entry["new_replica"] = fresh.repl_num
        entry["outcome"] = self._check_new_replica(path, fresh.repl_num, source.checksum)
        if entry["outcome"] == REPAIRED:
            self.catalog.remove_avu(path, "-d", MISSING_REPLICA_AVU, bad.resource)
        return entry

    def _check_new_replica(self, path: str, repl_num: int, expected: str) -> str:
        """REPAIRED when the new replica's bytes verify and its checksum is ``expected``."""
        try:
            ok = self.catalog.verify_replica(path, repl_num)
        except B2SafeError as exc:
            return f"the new replica cannot be verified: {exc}"
        if not ok:
            return "the new replica fails verification"
        if not same_checksum(self.catalog.compute_checksum(path, repl_num), expected):
            return "the new replica's checksum differs from the source's"
        return REPAIRED

    def recreate_missing(self, root: str, report: Optional[Report] = None) -> int:
        """Finish same-zone repairs that stopped between trim and copy (``MISSING_REPLICA_AVU``
        below ``root``): re-create each missing replica from a verified good one. Returns how
        many were re-created."""
        done = 0
        for path, resource in list(self.catalog.paths_with_avu(root, MISSING_REPLICA_AVU)):
            rows = self.catalog.replicas_of(path)
            entry: dict[str, Any] = {"source": path, "replica": -1, "resource": resource,
                                     "from": "", "new_replica": -1, "outcome": ""}
            present = next((r for r in rows if r.resource == resource and r.status == 1), None)
            if present is not None and self.catalog.verify_replica(path, present.repl_num):
                self.catalog.remove_avu(path, "-d", MISSING_REPLICA_AVU, resource)
                continue
            source = next((r for r in rows if r.resource != resource and r.status == 1 and
                           self.catalog.verify_replica(path, r.repl_num)), None)
            if source is None:
                entry["outcome"] = NO_GOOD_REPLICA
            else:
                entry["from"] = source.resource
                try:
                    fresh = self.catalog.replicate_to(path, source.resource, resource)
                    entry["new_replica"] = fresh.repl_num
                    entry["outcome"] = self._check_new_replica(path, fresh.repl_num,
                                                               source.checksum)
                except B2SafeError as exc:
                    entry["outcome"] = f"re-creating the replica failed: {exc}"
            if entry["outcome"] == REPAIRED:
                self.catalog.remove_avu(path, "-d", MISSING_REPLICA_AVU, resource)
                done += 1
            if report is not None:
                report.add_repair(entry)
        return done

    # -- repair --

    def repair(self, verdict: Verdict, pid: Optional[str] = None, fixed: bool = False,
               resource: str = "") -> str:
        """Re-copy the source over a bad replica, verify it, refresh PID checksums.

        Only for findings a copy can fix (:data:`REPAIRABLE`) with a destination; a changed
        source is copied only when FIXED_CONTENT is False. Never overwrites when the source's
        own stored bytes fail verification. Returns "repaired" or the reason it did not.
        """
        if verdict.ok or not verdict.destination:
            return "nothing to repair"
        kinds = {f.kind for f in verdict.findings}
        witnesses = set(verdict.disagreeing)
        if not kinds <= REPAIRABLE | {PID_CHECKSUM}:
            return "not repairable by a copy: " + ",".join(sorted(kinds - REPAIRABLE))
        if SOURCE in witnesses and (fixed or SOURCE_CHANGED not in kinds):
            return "the source disagrees; not overwriting the replica"
        if UNKNOWN in witnesses:
            return "the witnesses all disagree; not overwriting the replica"
        if not self.catalog.verify_replica(verdict.source):
            self.record(Verdict.of(verdict.source, Finding(
                STORAGE, SOURCE, "source bytes fail verification; replica not overwritten")))
            return SOURCE_FAILS_VERIFICATION
        parent = verdict.destination.rpartition("/")[0]
        if parent:
            self.catalog.ensure_collection(parent)
        self.catalog.copy_over(verdict.source, verdict.destination, resource)
        if not self.catalog.verify_replica(verdict.destination):
            return "the new copy fails verification"
        source_sum = self.catalog.compute_checksum(verdict.source)
        if self.catalog.compute_checksum(verdict.destination) != source_sum:
            return "the new copy's checksum differs from the source"
        if pid and self.pids is not None and not fixed and (
                SOURCE_CHANGED in kinds or PID_CHECKSUM in kinds):
            changes = {profile.CHECKSUM: source_sum,
                       profile.CHECKSUM_TIMESTAMP: profile.iso8601_utc(self.now)}
            self.pids.update(pid, changes)
            for avu in self.catalog.avus(verdict.destination, "-d", PID_AVU):
                self.pids.update(avu.value, changes)
        for avu in self.catalog.avus(verdict.source, "-d", PENDING_AVU):
            self.catalog.remove_avu(verdict.source, "-d", PENDING_AVU, avu.value, avu.units)
        return "repaired"


#: AVUs read with the source listing (one stream).
AVU_NAMES = (PID_AVU, FIXED_AVU, PENDING_AVU)
AVU_PREFIXES = (VERIFIED_AVU,)


def _fixed(avus: dict[str, str], pid: Optional[PidFacts]) -> bool:
    if pid is not None and pid.fixed_content is not None:
        return bool(pid.fixed_content)
    text = avus.get(FIXED_AVU, "")
    return text.strip().lower() == "true"
