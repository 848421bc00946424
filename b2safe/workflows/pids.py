"""PID workflows: create, look up, update and remove EUDAT PIDs for iRODS paths.

Pure orchestration over the ports: :class:`~b2safe.ports.Catalog` (the zone running the rule) and
:class:`~b2safe.ports.PidService`. The catalog is the index: a path's PID is its ``PID`` AVU.

Idempotency and concurrency:

* a path that already has a ``PID`` AVU gets no second PID;
* handles are minted from a key (zone server id + object id + path) that a retry reproduces, with a
  single ``PUT ?overwrite=false``; a 409 for a record pointing at our URL is adopted;
* the ``PID`` AVU is the commit point. Two agents racing on one path (``pid.suffix: uuid`` mints
  different handles) both add their PID and read the values back in the order they were added
  (the catalog's AVU ids); the first added wins, the others remove their value and delete their
  handle. An agent that saw only its own value was first, and stays first for every later
  reader, so all agents converge on one PID. (Choosing the smallest value instead let an early
  agent return a PID that a later one, with a smaller one, did not withdraw.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

from b2safe.config import Config
from b2safe.domain import profile
from b2safe.domain.paths import validate_path, validate_pid, zone_of
from b2safe.domain.profile import PidRecord
from b2safe.errors import (
    AccessDenied,
    B2SafeError,
    ConfigError,
    InvalidInput,
    NotFound,
    PidNotFound,
    UnknownZone,
)
from b2safe.ports import OBJECT_KINDS, Avu, Catalog, ObjectInfo, ObjectKind, PidService, object_kind
from b2safe.workflows.batching import id_ranges, pages

logger = logging.getLogger("b2safe.workflows.pids")

PID_AVU = "PID"
ROR_AVU = profile.ROR
FIO_AVU = profile.FIO
PARENT_AVU = profile.PARENT
FIXED_AVU = profile.FIXED_CONTENT
REPLICA_AVU = profile.REPLICA
#: The PID AVU and the record values mirrored next to it (:meth:`PidWorkflow.mirror_avus`).
MIRRORED = (PID_AVU, FIXED_AVU, ROR_AVU, FIO_AVU, PARENT_AVU)
PAGE = 256



def optional_value(text: Optional[str]) -> Optional[str]:
    """B2SAFE's "not given": None, '', 'None' and 'null' mean no value."""
    if text is None:
        return None
    text = text.strip()
    return None if text in ("", "None", "none", "null") else text


@dataclass(frozen=True)
class PidsReport:
    """Counts of a bulk PID run (``EUDATPidsForColl``)."""

    created: int = 0
    existing: int = 0
    failed: int = 0
    first_error: str = ""
    first_error_code: int = 0

    def __str__(self) -> str:
        return f"created={self.created} existing={self.existing} failed={self.failed}"


@dataclass(frozen=True)
class ReplicaSpec:
    """What a replica's PID record takes from its source (:meth:`PidWorkflow.create_replicas`)."""

    path: str
    parent: Optional[str]
    ror: Optional[str]
    fio: Optional[str]
    fixed: bool


class PidWorkflow:
    """PID operations for one zone, on behalf of one caller.

    Args:
        catalog: the local zone's catalog.
        pids: the PID service (None when ``pid.enabled`` is false; PID rules then fail).
        config: the server's configuration.
    """

    def __init__(self, catalog: Catalog, pids: Optional[PidService], config: Config) -> None:
        self.catalog = catalog
        self._pids = pids
        self.config = config

    @property
    def pids(self) -> PidService:
        """The PID service; a clear error when it is disabled."""
        if self._pids is None:
            raise ConfigError("the PID service is disabled in the configuration (/pid/enabled)")
        return self._pids

    # --- facts -----------------------------------------------------------------------------------

    def local_path(self, path: str, what: str = "path") -> str:
        """Validate ``path`` and require it to be in this zone."""
        validate_path(path, what)
        if zone_of(path) != self.catalog.zone:
            raise UnknownZone(f"{what} {path} is not in this zone ({self.catalog.zone}); "
                              "PIDs are managed by the zone that holds the data")
        return path

    def stat(self, path: str, what: str = "path") -> ObjectInfo:
        """Facts about an existing local path; NotFound otherwise."""
        self.local_path(path, what)
        info = self.catalog.stat(path)
        if info is None:
            raise NotFound(f"{what} {path} does not exist or is not visible to you")
        return info

    def url_for(self, info: ObjectInfo) -> str:
        """The URL value for ``info``: HTTP API base (public when :meth:`is_public`) or server
        id."""
        api = self.config.http_api
        if api.enabled:
            base = api.public_base if self.is_public(info) else api.registered_base
            return profile.object_url(info.path, api_base=base)
        return profile.object_url(info.path, server_id=self.config.zone.server_id)

    def is_public(self, info: ObjectInfo) -> bool:
        """B2SAFE 4.x's rule (pid-service.re ``EUDATePIDcreate``): a data object is public when
        the user ``anonymous`` has an ACL on it, a collection when ``anonymous`` owns it."""
        if info.owner == "anonymous":
            return True
        if info.is_collection:
            return False
        return bool(self.catalog.access_of(info.path, "anonymous", self.catalog.zone, False))

    def candidate_urls(self, path: str) -> list[str]:
        """Every URL a PID of ``path`` may carry (server id, registered and public bases)."""
        urls = [profile.object_url(path, server_id=self.config.zone.server_id)]
        api = self.config.http_api
        for base in (api.registered_base, api.public_base):
            if base:
                urls.append(profile.object_url(path, api_base=base))
        return urls

    def pid_of(self, info: ObjectInfo) -> Optional[str]:
        """The PID recorded in the catalog for ``info`` (smallest value if several)."""
        values = [a.value for a in self.catalog.avus(info.path, info.flag, PID_AVU)]
        return values[0] if values else None

    def mint_key(self, info: ObjectInfo) -> str:
        """The key deterministic minting derives the handle from."""
        return f"{self.config.zone.server_id}|{info.kind}|{info.object_id}|{info.path}"

    def search(self, path: str) -> Optional[str]:
        """Reverse lookup of ``path``'s URL (registered, then public, then server id)."""
        urls = self.candidate_urls(path)
        ordered = urls[1:] + urls[:1]
        for url in ordered:
            found = self.pids.search(URL=url)
            if found:
                return found[0]
        return None

    def legacy_urls(self, path: str) -> list[str]:
        """Every URL a PID of ``path`` may carry, b2safe's percent-encoded forms and B2SAFE
        4.x's raw ``base + path`` (4.x's EUDATePIDcreate wrote the path unencoded)."""
        urls = self.candidate_urls(path)
        bases = [self.config.zone.server_id, self.config.http_api.registered_base,
                 self.config.http_api.public_base]
        for base in bases:
            if base:
                raw = base.rstrip("/") + path
                if raw not in urls:
                    urls.append(raw)
        return urls

    def find_legacy(self, path: str) -> Optional[str]:
        """The PID of a record whose URL is one of :meth:`legacy_urls` of ``path``, else None.

        4.x searched with ``#``, ``%`` and ``&`` turned into ``*`` wildcards
        (``EUDATReplaceHash``), since the reverse-lookup servlet could not take them; the same
        search is made here, and a hit is kept only when its record's URL is exactly one of the
        URLs of ``path`` (a record is a claim until it names this object).
        """
        urls = self.legacy_urls(path)
        seen: set[str] = set()
        for url in urls:
            pattern = _wildcarded(url)
            if pattern in seen:
                continue
            seen.add(pattern)
            for pid in self.pids.search({profile.URL: pattern}, limit=20):
                if pattern == url or self.pids.get_value(pid, profile.URL) in urls:
                    return pid
        return None

    # --- create ----------------------------------------------------------------------------------

    def record_for(self, info: ObjectInfo, *, parent: Optional[str], ror: Optional[str],
                   fio: Optional[str], fixed: bool, checksum: str = "") -> PidRecord:
        """The profile record a new PID of ``info`` gets (``"pid"`` kept for self-reference)."""
        timestamp = profile.iso8601_utc(info.modify_time) if checksum else None
        return PidRecord(url=self.url_for(info), checksum=checksum or None,
                         checksum_timestamp=timestamp, ror=ror, fio=fio, parent=parent,
                         fixed_content=fixed)

    def mirror_avus(self, pid: str, record: PidRecord) -> dict[str, str]:
        """The AVUs mirrored on the iRODS path for a new PID."""
        values = {PID_AVU: pid, FIXED_AVU: "True" if record.fixed_content else "False"}
        for name, value in ((ROR_AVU, record.ror), (FIO_AVU, record.fio),
                            (PARENT_AVU, record.parent)):
            if value:
                values[name] = pid if value == profile.SELF else value
        return values

    def create(self, path: str, *, parent: Optional[str] = None, ror: Optional[str] = None,
               fio: Optional[str] = None, fixed: bool = False) -> str:
        """``EUDATCreatePID``: the PID of ``path``, minted if it has none. Idempotent.

        Raises:
            InvalidPath/UnknownZone/NotFound: bad path. AccessDenied: the caller may not write
            the path's metadata. Pid*: the PID service failed (nothing is recorded then).
        """
        info = self.stat(path)
        parent = optional_value(parent)
        if parent is not None:
            validate_pid(parent, "parent PID")
        present = self.catalog.avus(info.path, info.flag)
        existing = [a.value for a in present if a.name == PID_AVU]
        if existing:
            return existing[0]
        if not self.catalog.check_access(path, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {path}")
        if self.config.pid.reverse_lookup_fallback:
            found = self.find_legacy(path)
            if found:
                logger.info("adopting PID %s found by reverse lookup for %s", found, path)
                self.catalog.set_avu(path, info.flag, PID_AVU, found)
                return found
        checksum = "" if info.is_collection else (info.checksum or self.catalog.checksum(path))
        record = self.record_for(info, parent=parent, ror=optional_value(ror),
                                 fio=optional_value(fio), fixed=fixed, checksum=checksum)
        pid = self.pids.create(record, self.mint_key(info))
        return self._commit(info, pid, record, present)

    def create_record(self, path: str, extras: dict[str, str]) -> str:
        """``EUDATePIDcreate``: a new record for ``path`` (no search, no AVU), with ``extras``
        (profile type -> value; ROR/FIO ``"pid"`` = the new PID). Retry-safe: the same mint key
        gives the same handle.

        Raises:
            InvalidPath/UnknownZone/NotFound: bad path. AccessDenied: the caller may not write
            the path's metadata. InvalidInput: a bad value. Pid*: the PID service failed.
        """
        info = self.stat(path)
        if not self.catalog.check_access(path, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {path}")
        parent = optional_value(extras.get(profile.PARENT))
        if parent is not None:
            validate_pid(parent, "parent PID")
        fixed = profile.parse_bool(extras.get(profile.FIXED_CONTENT, "False"))
        checksum = "" if info.is_collection else (info.checksum or self.catalog.checksum(path))
        record = self.record_for(info, parent=parent, ror=optional_value(extras.get(profile.ROR)),
                                 fio=optional_value(extras.get(profile.FIO)), fixed=fixed,
                                 checksum=checksum)
        return self.pids.create(record, self.mint_key(info))

    def _record_avus(self, info: ObjectInfo, pid: str, record: PidRecord,
                     present: Sequence[Avu]) -> None:
        """Write ``pid`` and its mirror AVUs on the path in one atomic catalog call, replacing
        other values of the mirrored attributes found in ``present`` (the path's AVUs read
        before minting). The PID AVU is the commit point; being atomic with the mirrors, a
        crash leaves either all of them or none."""
        # A PID adopted from a 4.x record gets only its PID AVU, not a new record's mirrors.
        mirrors = {PID_AVU: pid} if isinstance(pid, _Adopted) else self.mirror_avus(pid, record)
        stale = [a for a in present
                 if a.name in mirrors and a.name != PID_AVU and a.value != mirrors[a.name]]
        # create() found no PID just before minting; a concurrent duplicate is tolerated.
        self.catalog.apply_avus(info.path, info.flag, list(mirrors.items()), stale)

    def _commit(self, info: ObjectInfo, pid: str, record: PidRecord,
                present: Sequence[Avu]) -> str:
        """Record ``pid`` on the path and converge with concurrent creators."""
        self._record_avus(info, pid, record, present)
        values = [a.value for a in self.catalog.avus(info.path, info.flag, PID_AVU)]
        winner = values[0] if values else pid  # the first added wins (see the module doc)
        if winner != pid:
            self._withdraw(info, pid, winner)
            return winner
        return pid

    # --- bulk ------------------------------------------------------------------------------------

    def pids_for_collection(self, collection: str, *, fixed: bool,
                            progress: Optional[Callable[[PidsReport], None]] = None,
                            ) -> PidsReport:
        """``EUDATPidsForColl``: PIDs for a collection and everything below it.

        Streams the tree in GenQuery pages by ascending object id, and beside it, per kind, one
        tree-wide stream of the PID and mirrored AVUs by id (merged with the listing, so the
        objects that already have a PID are found without a query per page; an object given a
        PID after that stream was read is minted again and withdrawn by the check below, or, with
        deterministic minting, adopted). Checksums the listing lacks are computed, the PIDs are
        minted through the PID service's worker pool, and the AVUs are written on the rule's
        thread, followed by one query (per kind) per page that detects concurrent creators: the
        atomic metadata call cannot, its "add" never fails on another value of the attribute
        (irods plugins/api/src/atomic_apply_metadata_operations.cpp L389-404). The PID AVUs are
        the checkpoint: a re-run after a crash skips what is done and, with deterministic
        minting, re-adopts handles created just before the crash.
        """
        root = self.stat(collection, "collection")
        if not root.is_collection:
            raise InvalidInput(f"{collection} is not a collection")
        if not self.catalog.check_access(collection, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {collection}")
        merged = {kind: _AvuStream(self.catalog.avus_below(collection, kind, MIRRORED))
                  for kind in OBJECT_KINDS}
        return self.pids_for_items(self.catalog.walk_by_id(collection), fixed=fixed,
                                   progress=progress,
                                   present=lambda page: per_object(
                                       page, lambda kind, ids: merged[kind].take(ids)))

    def pids_for_items(self, items: Iterable[ObjectInfo], *, fixed: bool,
                       progress: Optional[Callable[[PidsReport], None]] = None,
                       present: Optional[Callable[[Sequence[ObjectInfo]],
                                                  dict[str, list[Avu]]]] = None,
                       ) -> PidsReport:
        """PIDs for a stream of local objects/collections, page by page (see above).

        ``present(page)``: ``{kind+id: [AVUs]}`` of the PID and mirrored attributes of a page
        (default: one query per kind per page). Returns the counts; failures are counted (and
        the first one named), not raised.
        """
        totals = [0, 0, 0]
        first: tuple[str, int] = ("", 0)
        for page in pages(items, PAGE):
            created, existing, failures = self._pids_for_page(
                page, fixed, present=None if present is None else present(page))
            totals[0] += created
            totals[1] += existing
            totals[2] += len(failures)
            if failures and not first[0]:
                path, error = failures[0]
                first = (f"{path}: {error}", error.code)
            if progress is not None:
                progress(PidsReport(totals[0], totals[1], totals[2], *first))
        if totals[0] or totals[2]:
            logger.info("%d PIDs created, %d existed, %d failed", *totals)
        return PidsReport(totals[0], totals[1], totals[2], *first)

    def pending_batches(self, collection: str, batch_size: int,
                        ) -> Iterator[tuple[str, str, str, int]]:
        """Cut the objects of a tree that have no PID yet into id ranges of ``batch_size``.

        Yields ``(kind, first_id, last_id, count)``: ``-C`` ranges (the collection and its
        sub-collections) first, then ``-d`` ranges (data objects), ids ascending. Streams
        (one id query per kind plus one PID query per 256 ids), so memory does not grow with
        the tree. Ranges may also span ids that got a PID since; :meth:`pids_for_range` skips
        those.
        """
        root = self.stat(collection, "collection")
        if not root.is_collection:
            raise InvalidInput(f"{collection} is not a collection")
        if not self.catalog.check_access(collection, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {collection}")
        if batch_size < 1:
            raise InvalidInput("batch_size must be a positive number of objects")
        for kind in OBJECT_KINDS:
            for first, last, count in id_ranges(self._without_pid(collection, kind),
                                                batch_size):
                yield kind, first, last, count

    def _without_pid(self, collection: str, kind: ObjectKind) -> Iterator[str]:
        """Ascending ids of the ``kind`` objects of the tree that have no PID (paged)."""
        for page in pages(self.catalog.object_ids(collection, kind), PAGE):
            have = self.catalog.avus_by_id(kind, page, PID_AVU)
            yield from (object_id for object_id in page if object_id not in have)

    def pids_for_range(self, collection: str, kind: str, first: str, last: str, *,
                       fixed: bool) -> PidsReport:
        """One batch of :meth:`pending_batches`: PIDs for the ``kind`` objects of the tree whose
        ids lie in ``first`` .. ``last`` (those with a PID are counted as existing)."""
        root = self.stat(collection, "collection")
        if not root.is_collection:
            raise InvalidInput(f"{collection} is not a collection")
        flag = object_kind(kind)
        if not (first.isdigit() and last.isdigit()) or int(first) > int(last):
            raise InvalidInput(f"{first[:20]!r}..{last[:20]!r} is not an id range")
        if not self.catalog.check_access(collection, "modify_object"):
            raise AccessDenied(f"you may not change the metadata of {collection}")
        return self.pids_for_items(self.catalog.walk_ids(collection, flag, first, last),
                                   fixed=fixed)

    def _pid_values(self, infos: Sequence[ObjectInfo]) -> dict[str, list[str]]:
        """``{kind+id: [PID values]}`` for ``infos`` (in the order they were added): one
        catalog query per kind present."""
        return per_object(infos, lambda kind, ids: self.catalog.avus_by_id(kind, ids, PID_AVU))

    def _mirrored(self, infos: Sequence[ObjectInfo]) -> dict[str, list[Avu]]:
        """``{kind+id: [AVUs]}`` of the PID and its mirrored attributes for ``infos``, in the
        order they were added: one catalog query per kind present."""
        return per_object(infos, lambda kind, ids: self.catalog.avus_of_ids(kind, ids, MIRRORED))

    def pids_for_page(self, page: Sequence[ObjectInfo], *, fixed: bool,
                      present: Mapping[str, Sequence[Avu]]) -> int:
        """PIDs for the objects of one page (at most :data:`PAGE`) that have none, from the
        page's AVUs the caller read (``present``: ``{kind+id: [AVUs]}`` in the order they were
        added, at least the PID and its mirrors, :data:`MIRRORED`). Returns how many were
        created; failures are logged (the object stays without a PID)."""
        return self._pids_for_page(page, fixed, present=present)[0]

    def _pids_for_page(self, page: Sequence[ObjectInfo], fixed: bool,
                       details: Optional[dict[str, ReplicaSpec]] = None,
                       present: Optional[Mapping[str, Sequence[Avu]]] = None,
                       pids: Optional[dict[str, str]] = None,
                       ) -> tuple[int, int, list[tuple[str, B2SafeError]]]:
        """Create the missing PIDs of one page: (created, existing, [(path, error)]).

        ``details`` gives, per path, the parent/ROR/FIO/FIXED_CONTENT of a replica's record;
        paths without details get an original's record (no parent, ROR or FIO). ``present``:
        the page's PID and mirrored AVUs when the caller read them (else one query per kind).
        ``pids``: filled with ``{path: PID}`` of the page's objects that have a PID afterwards
        (the first added: the one that stays), from ``present`` and the check after minting.
        """
        if present is None:
            present = self._mirrored(page)
        todo = [i for i in page if not has_pid(present, i)]
        if pids is not None:
            for info in page:
                first = next((a.value for a in present.get(object_key(info), ())
                              if a.name == PID_AVU), None)
                if first is not None:
                    pids[info.path] = first
        failures: list[tuple[str, B2SafeError]] = []
        jobs: list[tuple[ObjectInfo, PidRecord]] = []
        for info in todo:
            try:
                checksum = "" if info.is_collection else \
                    (info.checksum or self.catalog.checksum(info.path))
                spec = (details or {}).get(info.path)
                if spec is None:
                    record = self.record_for(info, parent=None, ror=None, fio=None,
                                             fixed=fixed, checksum=checksum)
                else:
                    record = self.record_for(info, parent=spec.parent, ror=spec.ror,
                                             fio=spec.fio, fixed=spec.fixed, checksum=checksum)
                jobs.append((info, record))
            except B2SafeError as exc:
                failures.append((info.path, exc))
        recorded: list[tuple[ObjectInfo, str]] = []
        for (info, record), result in self._mint_all(jobs):
            if isinstance(result, B2SafeError):
                failures.append((info.path, result))
                continue
            if isinstance(result, BaseException):
                raise result
            try:
                self._record_avus(info, result, record, present.get(object_key(info), ()))
                recorded.append((info, result))
            except B2SafeError as exc:
                failures.append((info.path, exc))
        if recorded:
            now = self._pid_values([info for info, _ in recorded])
            for info, pid in recorded:
                values = now.get(object_key(info))
                if values and values[0] != pid:
                    self._withdraw(info, pid, values[0])
                if values and pids is not None:
                    pids[info.path] = values[0]
        for path, error in failures:
            logger.error("PID not created for %s: %s", path, error)
        return len(todo) - len(failures), len(page) - len(todo), failures

    def create_replicas(self, specs: Sequence[ReplicaSpec], *,
                        access_checked: bool = False) -> dict[str, str]:
        """PIDs for replicas that already exist in this zone, page by page, minted through the
        PID service's worker pool (the bulk form of ``EUDATCreatePID`` with a parent).

        Returns ``{path: PID}`` for every path that has a PID afterwards (including earlier
        ones); paths that failed are missing from the result and logged. Paths the caller may
        not write are skipped (logged), as EUDATCreatePID refuses them (one ACL listing per
        page, :meth:`Catalog.check_access_many`), unless ``access_checked`` (the caller checked
        every path just now).
        The replicas' facts come from listings (:meth:`Catalog.stat_many`).
        """
        found: dict[str, str] = {}
        for start in range(0, len(specs), PAGE):
            chunk = specs[start:start + PAGE]
            infos: list[ObjectInfo] = []
            details: dict[str, ReplicaSpec] = {}
            valid: list[ReplicaSpec] = []
            for spec in chunk:
                try:
                    self.local_path(spec.path, "replica")
                except B2SafeError as exc:
                    logger.error("replica PID not created for %s: %s", spec.path, exc)
                    continue
                valid.append(spec)
            listed = self.catalog.stat_many([spec.path for spec in valid])
            writable = None if access_checked else self.catalog.check_access_many(
                list(listed), "modify_object")
            for spec in valid:
                try:
                    info = listed.get(spec.path)
                    if info is None:
                        raise NotFound(f"replica {spec.path} does not exist or is not visible "
                                       "to you")
                    if writable is not None and spec.path not in writable:
                        raise AccessDenied(f"you may not change the metadata of {spec.path}")
                except B2SafeError as exc:
                    logger.error("replica PID not created for %s: %s", spec.path, exc)
                    continue
                infos.append(info)
                details[info.path] = spec
            if not infos:
                continue
            self._pids_for_page(infos, fixed=False, details=details, pids=found)
        return found

    def _withdraw(self, info: ObjectInfo, pid: str, winner: str) -> None:
        """Remove our ``pid`` of ``info`` in favour of a concurrent creator's ``winner``."""
        logger.warning("%s got PID %s concurrently; withdrawing %s", info.path, winner, pid)
        # Our PID AVU and the mirrors that name our PID (a self-referencing ROR/FIO), at once.
        self.catalog.apply_avus(info.path, info.flag, [],
                                [Avu(name, pid, "") for name in (PID_AVU, ROR_AVU, FIO_AVU)])
        if pid.casefold() != winner.casefold():
            try:
                self.pids.delete(pid)
            except PidNotFound:
                pass

    def _mint_all(self, jobs: list[tuple[ObjectInfo, PidRecord]],
                  ) -> Iterable[tuple[tuple[ObjectInfo, PidRecord], Union[str, BaseException]]]:
        """Create the records concurrently, on the service's worker pool."""
        pids = self.pids

        legacy = self.config.pid.reverse_lookup_fallback

        def mint(job: tuple[ObjectInfo, PidRecord]) -> str:
            found = self.find_legacy(job[0].path) if legacy else None
            if found:
                logger.info("adopting PID %s found by reverse lookup for %s", found, job[0].path)
                return _Adopted(found)
            return pids.create(job[1], self.mint_key(job[0]))

        return pids.bulk(mint, jobs)

    # --- lookups and updates ---------------------------------------------------------------------

    def value(self, pid: str, key: str) -> Optional[str]:
        """``EUDATGeteValPid``: one value of a record (None when absent)."""
        return self.pids.get_value(validate_pid(pid), key)

    def add_child(self, parent_pid: str, child_pid: str) -> str:
        """``EUDATUpdatePIDWithNewChild``: append a child to EUDAT/REPLICA (once, any case)."""
        return self.pids.add_replica(validate_pid(parent_pid, "parent PID"),
                                     validate_pid(child_pid, "child PID"))

    def mirror_replicas(self, info: ObjectInfo, replicas: str,
                        present: Optional[Iterable[str]] = None) -> None:
        """Mirror a record's EUDAT/REPLICA list in the catalog: one AVU per child PID.

        One AVU per child, not the whole list in one value: iRODS stores at most 2,700
        characters per AVU value, and adding distinct AVUs commutes, so agents mirroring
        children of one parent at once all keep theirs. A 4.x mirror (the comma-separated list
        in one AVU) is replaced by per-child AVUs. Only missing children are added, in one
        atomic catalog call with the removal of a 4.x value. ``present``: the EUDAT/REPLICA
        values on the path, when the caller read them for a whole page (else read here).
        """
        kind = info.flag
        if present is None:
            present = [a.value for a in self.catalog.avus(info.path, kind, REPLICA_AVU)]
        values = set(present)
        have = [v for v in values if "," not in v]
        legacy = values - set(have)
        wanted = list(profile.parse_replicas(replicas))
        for value in legacy:
            wanted += profile.parse_replicas(value)
        added: list[tuple[str, str]] = []
        # parse_replicas normalized each list; only a merge with a 4.x list needs it again
        for pid in profile.normalize_replicas(wanted) if legacy else wanted:
            if not profile.contains_pid(have, pid):
                added.append((REPLICA_AVU, pid))
                have.append(pid)
        if added or legacy:
            self.catalog.apply_avus(info.path, kind, added,
                                    [Avu(REPLICA_AVU, value, "") for value in legacy])

    def update_url(self, pid: str, url: str, expect_url: Sequence[str] = ()) -> None:
        """``EUDATeURLupdate``: point ``pid`` at ``url`` (with ``expect_url``: only when it
        points at one of those now, or already at ``url``)."""
        if not url or any(c.isspace() for c in url):
            raise InvalidInput(f"new URL {url[:80]!r} is empty or contains white space")
        expected = [*expect_url, url] if expect_url else []
        self.pids.update(validate_pid(pid), {profile.URL: url}, expect_url=expected)

    def repoint_tree(self, info: ObjectInfo, old_root: str, *, include_root: bool = True,
                     keep_going: bool = False) -> list[tuple[str, str, Optional[B2SafeError]]]:
        """Point the PIDs of a path moved from ``old_root`` (with ``include_root``) and, for a
        collection, of everything below it that has a PID AVU at where each is now.

        A PID AVU is only a claim: a record is repointed only when it points at the object's
        old location (or already at the new one); otherwise AccessDenied for that PID.
        Returns ``(path, pid, None or the error)`` per PID. An error is raised at once unless
        ``keep_going`` (then the others are still done).
        """
        moved: list[tuple[str, str]] = []
        root_pid = self.pid_of(info) if include_root else None
        if root_pid:
            moved.append((info.path, root_pid))
        if info.is_collection:
            moved += [(path, pid) for path, pid in
                      self.catalog.paths_with_avu(info.path, PID_AVU) if path != info.path]
        done: list[tuple[str, str, Optional[B2SafeError]]] = []
        for path, pid in moved:
            target = info if path == info.path else self.catalog.stat(path)
            if not pid or target is None:
                continue
            old = old_root.rstrip("/") + path[len(info.path.rstrip("/")):]
            try:
                self.update_url(pid, self.url_for(target), self.candidate_urls(old))
            except B2SafeError as exc:
                if not keep_going:
                    raise
                done.append((path, pid, exc))
                continue
            done.append((path, pid, None))
        return done

    def update_value(self, pid: str, key: str, value: Optional[str]) -> None:
        """Set (or with None remove) one profile value of ``pid``."""
        self.pids.update(validate_pid(pid), {key: value})

    def remove(self, path: str, force: bool) -> Optional[str]:
        """``EUDATePIDremove``: delete the PID of ``path`` and its AVUs.

        A record that lists replicas is kept unless ``force``: deleting it would cut the chain.
        Returns the removed PID (None when the path had none).
        """
        info = self.stat(path)
        pid = self.pid_of(info)
        if pid is None and self.config.pid.reverse_lookup_fallback:
            pid = self.find_legacy(path)
        if pid is None:
            return None
        if not self.catalog.check_access(path, "own"):
            raise AccessDenied(f"only an owner of {path} may remove its PID")
        try:
            record = self.pids.get(pid)
        except PidNotFound:
            record = None
        if record is not None and record.url not in self.legacy_urls(path):
            raise AccessDenied(f"PID {pid} points at {record.url[:200]!r}, not at {path}: "
                               "its PID attribute is only a claim; the record is left alone")
        if record is not None and record.replicas and not force:
            # 4.x: "nothing has been deleted", and the rule succeeds.
            logger.info("PID %s of %s lists replicas (%s): nothing removed without force=true",
                        pid, path, profile.format_replicas(record.replicas))
            return None
        if record is not None:
            self.pids.delete(pid)
        kind = info.flag
        for name in (PID_AVU, ROR_AVU, FIO_AVU, PARENT_AVU, FIXED_AVU, REPLICA_AVU):
            for avu in self.catalog.avus(path, kind, name):
                self.catalog.remove_avu(path, kind, name, avu.value)
        return pid


class _AvuStream:
    """A stream of ``(id, [AVUs])`` by ascending id, read as far as the ids asked for: the
    merge of a tree-wide AVU query with a listing in the same order (ids compared as
    numbers; rows of objects the listing does not hold are skipped)."""

    def __init__(self, rows: Iterator[tuple[str, list[Avu]]]) -> None:
        self._rows = rows
        self._head: Optional[tuple[str, list[Avu]]] = None
        self._started = False

    def _next(self) -> None:
        self._head = next(self._rows, None)

    def take(self, ids: Sequence[str]) -> dict[str, list[Avu]]:
        """``{id: [AVUs]}`` for ``ids`` (ascending, after every id asked before)."""
        if not self._started:  # the query runs when its kind is first needed
            self._started = True
            self._next()
        found: dict[str, list[Avu]] = {}
        for object_id in ids:
            number = int(object_id)
            while self._head is not None and int(self._head[0]) < number:
                self._next()
            if self._head is not None and self._head[0] == object_id:
                found[object_id] = self._head[1]
                self._next()
        return found


class _Adopted(str):
    """A PID found by reverse lookup (a 4.x record without its AVU), not minted: only its PID
    AVU is written, not the mirrors of a new record."""


def _wildcarded(url: str) -> str:
    """``url`` with ``#``, ``%`` and ``&`` as ``*`` wildcards (4.x's EUDATReplaceHash)."""
    for char in "#%&":
        url = url.replace(char, "*")
    return url


def object_key(info: ObjectInfo) -> str:
    """The key of ``info`` in :func:`per_object`'s results: its kind flag and its id."""
    return f"{info.flag}{info.object_id}"


def has_pid(present: Mapping[str, Sequence[Avu]], info: ObjectInfo) -> bool:
    """Whether ``info``'s AVUs in ``present`` (:func:`per_object`'s result) hold a PID."""
    return any(a.name == PID_AVU for a in present.get(object_key(info), ()))


Found = TypeVar("Found")


def per_object(infos: Sequence[ObjectInfo],
               read: Callable[[ObjectKind, list[str]], Mapping[str, Found]]
               ) -> dict[str, Found]:
    """``{kind+id: what read(kind, ids) found for id}`` for ``infos``: ``read`` is called once
    per kind present (``-C``, ``-d``) with the ids of that kind."""
    by_kind: dict[str, list[str]] = {}
    for info in infos:
        by_kind.setdefault(info.flag, []).append(info.object_id)
    found: dict[str, Found] = {}
    for kind in OBJECT_KINDS:
        ids = by_kind.get(kind)
        if ids:
            for key, value in read(kind, ids).items():
                found[f"{kind}{key}"] = value
    return found
