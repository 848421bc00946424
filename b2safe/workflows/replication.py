"""Replication across federated zones, registered (with PIDs) or not, with nothing lost on a fault.

The flow follows B2SAFE 4.x (``EUDATReplication`` -> ``EUDATRegDataRepl`` ->
``EUDATPIDRegistration``), made durable:

1. validate and authorize (ownership of the source, and of everything below a collection, as
   4.x checked it; the authorization map when enabled) - nothing has changed yet;
2. write a fail-log record for source -> destination (:mod:`b2safe.state.faillog`) *before* copying;
3. copy with rsync (only what differs), and verify size and checksum when the copy changed
   something (``replication.verify``);
4. registered data: make sure the source (and, recursively, every sub-collection and object)
   has a PID; create each replica's PID **in the destination zone, by its own ruleset and
   credentials** (one remote execution per page of 256 paths); add each child to its parent's
   EUDAT/REPLICA once and mirror it on the source (one EUDAT/REPLICA AVU per child);
5. remove the fail-log record. On any failure the record stays, with its cause, for
   ``EUDATTransferUsingFailLog`` and the periodic retry rule; re-running is always safe.

Remote PID creation runs with the caller's rights in the destination zone: a rodsadmin's through
py_remote (b2safe's batched EUDATRegisterReplicas), anyone else's - or when the destination has
no b2safe Python rules, as a B2SAFE 4.x zone - through remoteExec calling ``EUDATCreatePID`` in
the rule language, as 4.x did (the destination needs b2safe's ``b2safe.re`` or 4.x's rules).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Optional, Protocol, Sequence, TypeVar

from b2safe.config import Config
from b2safe.domain import access, authz, durations, paths, profile
from b2safe.domain.paths import validate_pid
from b2safe.errors import (
    RULE_ENGINE_ERROR,
    SYS_INTERNAL_ERR,
    SYS_NO_API_PRIV,
    AccessDenied,
    B2SafeError,
    DestinationTaken,
    IntegrityError,
    InvalidInput,
    NotFound,
    ReplicationFailed,
    UnknownResource,
    UnknownZone,
)
from b2safe.ports import COLLECTION, DATA_OBJECT, Avu, Caller, Catalog, ObjectInfo, object_kind
from b2safe.state import codec, faillog, quarantine
from b2safe.state.faillog import FailLog, FailRecord
from b2safe.state.signing import once, signer_for
from b2safe.workflows import integrity
from b2safe.workflows.batching import id_ranges, pages, queue_once
from b2safe.workflows.pids import (
    FIO_AVU,
    FIXED_AVU,
    MIRRORED,
    PARENT_AVU,
    PID_AVU,
    REPLICA_AVU,
    ROR_AVU,
    PidWorkflow,
    ReplicaSpec,
    has_pid,
    object_key,
    optional_value,
    per_object,
)

logger = logging.getLogger("b2safe.workflows.replication")

PAGE = 256
#: What the registration of a page reads of its sources: the PID, its mirrors, EUDAT/REPLICA.
SOURCE_AVUS = (*MIRRORED, REPLICA_AVU)
DEFERRED = "registration deferred to the fail-log retry (remote PID creation needs a rodsadmin)"
RETRY_RULE = "EUDATTransferUsingFailLog"


@dataclass(frozen=True)
class Request:
    """One replication request, as EUDATReplication takes it."""

    source: str
    destination: str
    resource: str = ""
    registered: bool = True
    recursive: bool = True


@dataclass(frozen=True)
class Failure:
    """One part of a replication that failed: ``source`` -> ``destination`` because of
    ``cause``."""

    source: str
    destination: str
    cause: str
    #: True when the copy succeeded and only its PID registration waits for the retry.
    deferred: bool = False

    def describe(self) -> str:
        """``source -> destination: cause`` (logs and the fail log; rules render the 4.x form,
        :mod:`b2safe.ruleset.responses`)."""
        return f"{self.source} -> {self.destination}: {self.cause}"


@dataclass(frozen=True)
class Registration:
    """What registering replicas gave: the failures, and whether the replicas' PIDs were left
    to the fail-log retry (remote PID creation needs a rodsadmin)."""

    failures: list[Failure] = field(default_factory=list)
    deferred: bool = False


@dataclass(frozen=True)
class ReplicaTarget:
    """A replica to register: its source item, where it is, and its record's values."""

    item: ObjectInfo
    target: str
    parent: str
    ror: str
    fio: str
    fixed: str
    first_child: bool = False

    def payload(self) -> list[str]:
        """``[path, parent_pid, ror, fio, fixed]`` as EUDATRegisterReplicas takes it."""
        return [self.target, self.parent, self.ror, self.fio, self.fixed]


@dataclass(frozen=True)
class Link:
    """Add ``child`` (the replica's PID) to ``parent``'s EUDAT/REPLICA; ``first``: the parent's
    handle is the one b2safe mints for the source and its catalog lists no replica yet (one
    conditional PUT, :meth:`~b2safe.ports.PidService.add_first_replica`)."""

    item: ObjectInfo
    target: str
    parent: str
    child: str
    first: bool = False


def plan_registration(page: Sequence[ObjectInfo], facts: dict[str, dict[str, str]],
                      source_root: str, destination_root: str
                      ) -> tuple[list[ReplicaTarget], list[Failure]]:
    """Which replicas of ``page`` to register (pure): those whose source has a PID, with the
    values their record takes from the source's ``facts`` (PID, ROR, FIO, FIXED_CONTENT AVUs,
    ``_minted`` when the PID is the handle b2safe mints for the source); a failure for each
    source without a PID."""
    targets: list[ReplicaTarget] = []
    failures: list[Failure] = []
    for item in page:
        target = target_of(item.path, source_root, destination_root)
        fact = facts.get(item.path, {})
        parent = fact.get(PID_AVU)
        if not parent:
            failures.append(Failure(item.path, target, f"PID of source {item.path} is None"))
            continue
        targets.append(ReplicaTarget(
            item, target, parent, fact.get(ROR_AVU) or parent, fact.get(FIO_AVU) or parent,
            fact.get(FIXED_AVU, "False"),
            first_child=REPLICA_AVU not in fact and fact.get("_minted") == "1"))
    return targets, failures


def plan_links(targets: Sequence[ReplicaTarget], children: dict[str, str]
               ) -> tuple[list[Link], list[Failure]]:
    """The parent links for the replicas whose PID ``children`` (``{target: PID}``) has
    (pure); a failure for each replica without one."""
    links: list[Link] = []
    failures: list[Failure] = []
    for spec in targets:
        child = children.get(spec.target)
        if child:
            links.append(Link(spec.item, spec.target, spec.parent, child, spec.first_child))
        else:
            failures.append(Failure(spec.item.path, spec.target,
                                    f"PID of destination {spec.target} is None"))
    return links, failures


#: ``verify(source, destination, resource, is_collection)``: None when the copy is intact, else
#: what differs.
Verify = Callable[[str, str, str, bool], Optional[str]]


def target_of(path: str, source_root: str, destination_root: str) -> str:
    """Where ``path`` (below ``source_root``) lands under ``destination_root``."""
    return destination_root + path[len(source_root):]


class Replicator:
    """Replication on behalf of ``caller`` in the zone that runs the rule.

    Args:
        workflow: PID operations (its catalog must support transfers, remote execution and the
            delay queue: :class:`b2safe.adapters.prep.catalog.PrepCatalog`).
        config: the server's configuration.
        caller: the client user.
        verify: a callable ``(source, destination, resource, is_collection) -> Optional[str]``
            returning None when the copy is intact, else the mismatch explanation.
    """

    def __init__(self, workflow: PidWorkflow, config: Config, caller: Optional[Caller],
                 verify: Optional[Verify] = None) -> None:
        self.workflow = workflow
        self.catalog = workflow.catalog
        self.config = config
        self.caller = caller
        self.faillog = FailLog(self.catalog, signer_for(config, once(self.catalog.now)))
        self._verify = verify
        #: ``name#zone`` of the user a retry is carrying out pending work for (None: the caller)
        self.on_behalf: Optional[str] = None

    @property
    def requester(self) -> str:
        """The user on whose behalf the current work is done (``name#zone``)."""
        return self.on_behalf or (str(self.caller) if self.caller else "")

    # --- validation and authorization ------------------------------------------------------------

    def check(self, request: Request) -> ObjectInfo:
        """Validate a request and authorize the caller with local facts only; returns the
        source's facts. Nothing has been changed when this raises.

        Raises:
            InvalidPath, UnknownZone, NotFound, InvalidInput, AccessDenied.
        """
        source = paths.validate_path(request.source, "source")
        destination = paths.validate_path(request.destination, "destination")
        if paths.zone_of(source) != self.catalog.zone:
            raise UnknownZone(f"source {source} is not in this zone ({self.catalog.zone})")
        zone = paths.zone_of(destination)
        if zone != self.catalog.zone and not self.catalog.zone_connection(zone):
            raise UnknownZone(f"destination zone {zone} is not federated with "
                              f"{self.catalog.zone}")
        if paths.is_below(destination, source) or paths.is_below(source, destination):
            raise InvalidInput(f"destination {destination} and source {source} overlap")
        if request.resource and not _NAME.match(request.resource):
            raise InvalidInput(f"resource name {request.resource[:70]!r} is not valid")
        if (request.resource and zone == self.catalog.zone
                and not self.catalog.resource_exists(request.resource)):
            raise UnknownResource(f"resource {request.resource} does not exist in zone {zone}; "
                                  f"name one of its resources (ilsresc) or none for the default")
        info = self.catalog.stat(source)
        if info is None:
            raise NotFound(f"source {source} does not exist or is not visible to you")
        self.authorize(info, destination)
        return info

    def check_destination(self, request: Request, info: ObjectInfo) -> Optional[ObjectInfo]:
        """The destination, if it exists, must be of the source's kind (a remote lookup, so it
        runs after the fail-log record is written: an unreachable zone is retried later).
        Returns its facts (None when it does not exist)."""
        existing = self.catalog.stat(request.destination)
        if existing is not None and existing.kind != info.kind:
            what = "a collection" if existing.is_collection else "a data object"
            source_kind = "a collection" if info.is_collection else "a data object"
            raise InvalidInput(f"destination {request.destination} exists and is {what}; "
                               f"the source is {source_kind}")
        if existing is not None:
            self._refuse_foreign(request.destination, existing, info)
        return existing

    def _refuse_foreign(self, destination: str, existing: ObjectInfo, info: ObjectInfo) -> None:
        """Never overwrite registered data that is not a replica of this source.

        An existing destination with a PID is left alone unless its EUDAT/PARENT mirror names
        the source's PID: a replica of another object, or an original, would otherwise be
        overwritten and its PID end up in two parents' EUDAT/REPLICA. (Data without a PID is
        rsynced as in B2SAFE 4.x: it may be an earlier unregistered copy of this source.)

        Raises:
            DestinationTaken (OVERWRITE_WITHOUT_FORCE_FLAG): nothing was copied.
        """
        kind = existing.flag
        pids = [a.value for a in self.catalog.avus(destination, kind, PID_AVU)]
        if not pids:
            return
        parents = [a.value.casefold() for a in self.catalog.avus(destination, kind, PARENT_AVU)]
        source_pid = self.workflow.pid_of(info)
        if source_pid and source_pid.casefold() in parents:
            return
        whose = f"a replica of {parents[0]}" if parents else "registered data (not a replica)"
        raise DestinationTaken(
            f"destination {destination} already exists with PID {pids[0]} and is {whose}, "
            f"not a replica of {info.path}; nothing was copied. Choose another destination, "
            "or remove that object first if it is really meant to be replaced")

    def authorize(self, info: ObjectInfo, destination: str) -> None:
        """Ownership (4.x EUDATCatchErrorDataOwner) and the authorization map, for the caller,
        or (a retry carrying out someone's pending work) for that requester."""
        if self.on_behalf and self.on_behalf != str(self.caller):
            self.authorize_requester(self.on_behalf, info, destination)
            return
        caller = self.caller
        who = str(caller) if caller else "an unknown user"
        denial = f"no access permission to the path {info.path} for user {who}"
        if caller is None:
            raise AccessDenied(denial)
        if not caller.is_admin:
            if (info.owner, info.owner_zone) != (caller.name, caller.zone) and \
                    not self.catalog.check_access(info.path, "own"):
                raise AccessDenied(denial)
            if info.is_collection and \
                    self.catalog.foreign_owned_count(info.path, caller.name, caller.zone):
                raise AccessDenied(denial + " (it contains objects owned by others)")
        settings = self.config.authorization
        authz.check(settings.enabled, settings.map_file, who, "replicate", [info.path])
        authz.check(settings.enabled, settings.map_file, who, "write", [destination])

    def authorize_requester(self, requester: str, info: ObjectInfo, destination: str) -> None:
        """Authorize work the caller (a rodsadmin's retry) does for ``requester``, at the time
        it is done, from the catalog's ACLs: the requester must own the source (and everything
        below a collection) and may write the destination (or, when it does not exist yet, the
        nearest existing collection above it), and the authorization map must allow both. Only
        a rodsadmin of this zone is exempt from the ACL checks.

        Raises:
            AccessDenied: the requester lacks a right (nothing was done).
        """
        denial = f"{requester} (on whose behalf this pending work was queued) "
        user = access.split_user(requester)
        if user is None:
            raise AccessDenied(denial + "is not a valid user name#zone")
        name, zone = user
        local_admin = zone == self.catalog.zone and \
            self.catalog.user_type(name, zone) == "rodsadmin"
        if not local_admin:
            held = self.catalog.access_of(info.path, name, zone, info.is_collection)
            if (info.owner, info.owner_zone) != (name, zone) and \
                    not access.allows(held, access.OWN):
                raise AccessDenied(denial + f"no longer owns {info.path}")
            if info.is_collection and self.catalog.foreign_owned_count(info.path, name, zone):
                raise AccessDenied(denial + f"does not own everything below {info.path}")
            target, existing = destination, self.catalog.stat(destination)
            while existing is None and target.count("/") > 1:
                target = paths.split(target)[0]
                existing = self.catalog.stat(target)
            if existing is None or not access.allows(
                    self.catalog.access_of(target, name, zone, existing.is_collection),
                    access.WRITE):
                raise AccessDenied(denial + f"may not write {destination}")
        settings = self.config.authorization
        authz.check(settings.enabled, settings.map_file, requester, "replicate", [info.path])
        authz.check(settings.enabled, settings.map_file, requester, "write", [destination])

    # --- the rules -------------------------------------------------------------------------------

    def replicate(self, request: Request, *, attempt: Optional[FailRecord] = None) -> None:
        """``EUDATReplication``: copy (and register) ``source`` to ``destination``.

        Raises ReplicationFailed (the fail log keeps the work) or a validation/authorization
        error (nothing was done).
        """
        info = self.check(request)
        record = self._begin(request, info, attempt)
        try:
            existing = self.check_destination(request, info)
            deferred = self._run(request, info, existing)
        except ReplicationFailed as exc:
            self._failed(record, exc.message)
            raise
        except (InvalidInput, AccessDenied) as exc:  # permanent: retrying cannot help
            self.faillog.clear(info.path, info.flag, request.destination)
            raise exc from None
        except B2SafeError as exc:
            self._failed(record, str(exc))
            raise ReplicationFailed([Failure(request.source, request.destination, str(exc))],
                                    exc.code) from None
        if deferred:
            self._failed(record, DEFERRED, count=False, stage=faillog.Stage.DEFERRED)
        else:
            self.faillog.clear(info.path, info.flag, request.destination)

    def _run(self, request: Request, info: ObjectInfo,
             existing: Optional[ObjectInfo] = None) -> bool:
        """Copy, verify, register. Returns True when registration was deferred."""
        if request.registered:
            self.workflow.create(info.path)  # the source's PID first, as 4.x did
        self.copy(request, info, existing)
        if not request.registered:
            return False
        registration = self.register(info, request.destination, request.recursive)
        if registration.deferred:
            return True
        if registration.failures:
            raise ReplicationFailed(registration.failures, SYS_INTERNAL_ERR)
        return False

    # --- large trees in delay-rule batches ------------------------------------------------------

    def batches(self, request: Request, batch_size: int) -> Iterator[tuple[str, str, str, int]]:
        """Cut a collection's tree into id ranges of ``batch_size`` objects for delay rules.

        Validates and authorizes the whole request first (nothing is queued when that fails).
        Yields ``(kind, first_id, last_id, count)``: collections (``-C``) first, then data
        objects (``-d``); streamed, so memory does not grow with the tree.
        """
        info = self.check(request)
        if not info.is_collection:
            raise InvalidInput(f"{info.path} is not a collection; replicate it directly")
        if batch_size < 1:
            raise InvalidInput("batch_size must be a positive number of objects")
        for kind in ("-C", "-d"):
            for first, last, count in id_ranges(self.catalog.object_ids(info.path, kind),
                                                batch_size):
                yield kind, first, last, count

    def replicate_range(self, request: Request, kind: str, first: str, last: str
                        ) -> list[Failure]:
        """One batch: copy (and register) the ``kind`` objects of the tree with ids
        ``first`` .. ``last``. Failures are recorded in the fail log per object and
        returned."""
        flag = object_kind(kind)
        info = self.check(request)
        failures: list[Failure] = []
        items = self.catalog.walk_ids(info.path, flag, first, last)
        parents: set[str] = set()  # destination collections found or made by this batch
        for page in pages(items, PAGE):
            copied: list[ObjectInfo] = []
            # The copies already there, from listings (none for collections): one of another
            # checksum scheme is compared before its rsync (see copy).
            targets = [target_of(i.path, info.path, request.destination) for i in page]
            try:
                existing = {} if kind == "-C" else self.catalog.stat_many(targets,
                                                                          data_only=True)
            except B2SafeError as exc:  # each object fails as its copy would have
                failures += [Failure(i.path, t, str(exc)) for i, t in zip(page, targets)]
                continue
            for item in page:
                target = target_of(item.path, info.path, request.destination)
                try:
                    if item.is_collection:
                        self.catalog.ensure_collection(target)
                    else:
                        self.copy(Request(item.path, target, request.resource), item,
                                  existing.get(target), parents)
                    copied.append(item)
                except B2SafeError as exc:
                    failures.append(Failure(item.path, target, str(exc)))
            if request.registered and copied:
                registration = self._register_page(copied, info.path, request.destination)
                failures += registration.failures
                if registration.deferred:
                    failures += [Failure(i.path, target_of(i.path, info.path,
                                                           request.destination), DEFERRED,
                                         deferred=True)
                                 for i in copied]
        now = self.catalog.now()
        for failure in failures:
            self.faillog.write(FailRecord(
                source=failure.source, destination=failure.destination, cause=failure.cause,
                resource=request.resource, registered=request.registered, recursive=False,
                user=self.requester, first_time=now, next_time=now,
                stage=faillog.Stage.DEFERRED if failure.deferred else faillog.Stage.FAILED,
                kind="-C" if kind == "-C" else "-d"))
        if failures:
            self.ensure_retry_rule()
        return failures

    def copy(self, request: Request, info: ObjectInfo,
             existing: Optional[ObjectInfo] = None,
             parents: Optional[set[str]] = None) -> None:
        """rsync the data, then verify when something was written (or always/never per config).

        ``existing``: the destination's facts when the caller has them (None: it does not
        exist); a data object whose copy there has a checksum of another scheme is compared
        first (:func:`same_across_schemes`) and not copied again when its bytes are the
        source's; a collection's objects likewise (:meth:`_coll_rsync`). ``parents``: the
        destination collections this run found or made already (the parent is looked up
        once per run, not per object; it is added here).
        """
        parent, _ = paths.split(request.destination)
        if parent != "/" and (parents is None or parent not in parents):
            if self.catalog.stat(parent) is None:
                self.catalog.ensure_collection(parent)
            if parents is not None:
                parents.add(parent)
        if info.is_collection:
            changed = self._coll_rsync(request, info, existing is not None)
        elif existing is not None and same_across_schemes(self.catalog, info, existing):
            changed = False
        else:
            changed = self.catalog.rsync(info.path, request.destination, request.resource)
        mode = self.config.replication.verify
        if mode == "never" or (mode == "on_change" and not changed) or self._verify is None:
            return
        problem = self._verify(info.path, request.destination, request.resource,
                               info.is_collection)
        if problem:
            raise IntegrityError(problem)

    def _coll_rsync(self, request: Request, info: ObjectInfo, exists: bool) -> bool:
        """msiCollRsync of the tree; True when anything was written.

        When the destination ``exists``, the copies whose checksum is of another scheme than
        their source's are compared first (one listing of each tree, then
        :func:`same_across_schemes` for those only). msiCollRsync cannot leave an object out
        (irods/irods server/re/src/reDataObjOpr.cpp ``_rsCollRsync``: rsMkCollR of each
        collection, rsDataObjRsync of each object), so when some copy is equal that way the
        tree is rsynced the same way here, object by object, without it.
        """
        equal = set() if not exists else {
            src.path for src, copy in listed_pairs(
                self.catalog.data_objects(info.path),
                self.catalog.data_objects(request.destination), info.path, request.destination)
            if copy is not None and same_across_schemes(self.catalog, src, copy)}
        if not equal:
            return self.catalog.coll_rsync(info.path, request.destination, request.resource)
        changed = False
        self.catalog.ensure_collection(request.destination)
        for item in self.catalog.walk(info.path):  # sub-collections first, then objects
            target = target_of(item.path, info.path, request.destination)
            if item.is_collection:
                self.catalog.ensure_collection(target)
            elif item.path not in equal:
                changed = self.catalog.rsync(item.path, target, request.resource) or changed
        return changed

    def register(self, info: ObjectInfo, destination: str, recursive: bool) -> Registration:
        """``EUDATPIDRegistration`` for the root and (recursive) everything below it.

        Stops at the first page whose registration is deferred (remote execution is not
        allowed for the caller): the fail-log retry does it all.
        """
        items: Iterable[ObjectInfo] = [info]
        if recursive and info.is_collection:
            items = itertools.chain([info], self.catalog.walk(info.path))
        failures: list[Failure] = []
        for page in pages(items, PAGE):
            registration = self._register_page(page, info.path, destination)
            if registration.deferred:
                return Registration(deferred=True)
            failures += registration.failures
        return Registration(failures)

    def register_existing(self, request: Request) -> Optional[Failure]:
        """``EUDATPIDRegistration``: register an existing replica (and its source's PID).

        Its commit point is a fail-log record (in progress) written before the first PID
        request and removed at the end, as for a replication: an agent that dies on the way
        leaves the work to the fail-log retry, which finishes it (copying nothing when the
        replica holds the source's bytes; PIDs adopted, children listed once).

        Returns None on success, else the failure (or the deferral: remote PID creation needs
        a rodsadmin), which is also in the fail log.
        """
        info = self.check(request)
        record = self._begin(request, info, None)
        try:
            self.workflow.create(info.path)
            registration = self.register(info, request.destination, recursive=False)
            failures = registration.failures
        except B2SafeError as exc:
            failures = [Failure(request.source, request.destination, str(exc))]
        else:
            if registration.deferred:  # kept for the rodsadmin's retry, not dropped
                self._failed(record, DEFERRED, count=False, stage=faillog.Stage.DEFERRED)
                return Failure(request.source, request.destination, DEFERRED)
        if not failures:
            self.faillog.clear(info.path, info.flag, request.destination)
            return None
        self.record_failure(info, request.destination, failures[0].cause, recursive=False)
        return failures[0]

    def record_failure(self, info: ObjectInfo, destination: str, cause: str, *,
                       recursive: bool) -> None:
        """Put a (registered) replication of ``info`` to ``destination`` in the fail log and
        make sure the retry rule is queued. The requester is authorized first (the record is
        signed for them)."""
        self.authorize(info, destination)
        now = self.catalog.now()
        self.faillog.write(FailRecord(
            source=info.path, destination=destination, cause=cause, registered=True,
            recursive=recursive, user=self.requester, first_time=now, next_time=now,
            kind=info.flag))
        self.ensure_retry_rule()

    # --- one page of registrations ---------------------------------------------------------------

    def _register_page(self, page: list[ObjectInfo], source_root: str,
                       destination_root: str) -> Registration:
        present = self._source_avus(page)
        if self.workflow.pids_for_page(page, fixed=False, present=present):
            # sources without a PID got one: their AVUs again (only theirs)
            present.update(self._source_avus([i for i in page if not has_pid(present, i)]))
        targets, failures = plan_registration(page, self._source_facts(page, present),
                                              source_root, destination_root)
        targets, unsendable = split_sendable(targets)
        failures += unsendable
        if not targets:
            return Registration(failures)
        try:
            self._create_remote(paths.zone_of(destination_root), targets)
        except B2SafeError as exc:
            if exc.code == SYS_NO_API_PRIV:
                return Registration(deferred=True)
            reason = f"PID of destination could not be created: {exc}"
            return Registration(failures + [Failure(t.item.path, t.target, reason)
                                            for t in targets])
        links, missing = plan_links(targets, self._child_pids(targets))
        return Registration(failures + missing + self._link(links, present))

    def _source_avus(self, items: Sequence[ObjectInfo]) -> dict[str, list[Avu]]:
        """``{kind+id: [AVUs]}`` of the PID, its mirrors and EUDAT/REPLICA of ``items`` (a
        page), in the order they were added: one query per kind, all the page's registration
        reads of the sources."""
        return per_object(items, lambda kind, ids: self.catalog.avus_of_ids(kind, ids,
                                                                            SOURCE_AVUS))

    def _source_facts(self, page: Sequence[ObjectInfo], present: dict[str, list[Avu]]
                      ) -> dict[str, dict[str, str]]:
        """PID, EUDAT/ROR, EUDAT/FIO, EUDAT/FIXED_CONTENT (the first added of each) and
        EUDAT/REPLICA of each item, from its AVUs ``present``.

        When an item has a PID but no FIXED_CONTENT mirror (its PID was not made by B2SAFE),
        the fields are read from the PID record, as 4.x's EUDATSearchAndDefineField did.
        ``_minted``: the PID is the handle b2safe mints for the item (:meth:`_minted_for`).
        """
        names = (PID_AVU, ROR_AVU, FIO_AVU, FIXED_AVU, REPLICA_AVU)
        out: dict[str, dict[str, str]] = {}
        for item in page:
            values: dict[str, str] = {}
            for avu in present.get(object_key(item), ()):
                if avu.name in names:
                    values.setdefault(avu.name, avu.value)
            pid = values.get(PID_AVU)
            if pid and self._minted_for(item, pid):
                values["_minted"] = "1"
            if pid and FIXED_AVU not in values:
                try:
                    record = self.workflow.pids.get(pid)
                    values.setdefault(ROR_AVU, record.ror or "")
                    values.setdefault(FIO_AVU, record.fio or "")
                    values[FIXED_AVU] = "True" if record.fixed_content else "False"
                except B2SafeError as exc:
                    logger.warning("cannot read PID %s of %s: %s", pid, item.path, exc)
            out[item.path] = {k: v for k, v in values.items() if v}
        return out

    def _minted_for(self, item: ObjectInfo, pid: str) -> bool:
        """Whether ``pid`` is the handle b2safe mints for ``item`` (deterministic suffixes:
        :meth:`PidWorkflow.mint_key` holds the server id, the object's kind, id and path).

        Such a record can only have been made by b2safe's create for this very object (the
        catalog's object id is the server's, never the user's; no other key gives the handle),
        so it is the object's own record, whatever the PID attribute (a claim) says: the
        witness :meth:`_link` needs before writing, without reading the record first. Any other
        PID (a 4.x record, random suffixes, a renamed object, a PID copied from another
        object) is checked by reading the record (``expect_url``). With random suffixes
        (``pid.suffix: uuid``) no handle is minted here: a fresh random one never matches.
        """
        if self.config.pid.suffix != "deterministic":
            return False
        try:
            minted = self.workflow.pids.mint(self.workflow.mint_key(item))
        except B2SafeError:
            return False
        return minted.casefold() == pid.casefold()

    def _create_remote(self, zone: str, targets: list[ReplicaTarget]) -> None:
        """Create the replicas' PIDs in the destination zone, by its own ruleset and PID
        credentials, with the caller's rights there.

        A rodsadmin's registration runs b2safe's batched ``EUDATRegisterReplicas`` (py_remote,
        one call per page); everyone else - and a rodsadmin whose partner zone lacks b2safe's
        Python rules, such as a B2SAFE 4.x zone, or refuses him Python rule text - calls
        ``EUDATCreatePID`` in the rule language there (remoteExec), the call 4.x's
        ``EUDATPIDRegistration`` made. The replica PIDs are
        then read back from the destination catalog.
        """
        payload = json.dumps([t.payload() for t in targets])
        if zone == self.catalog.zone:
            register_replicas(self.workflow, payload)
            return
        host = self.catalog.zone_connection(zone)
        if not host:
            raise UnknownZone(f"zone {zone} has no connection in the catalog")
        if self.caller is not None and self.caller.is_admin:
            try:
                self.catalog.run_remote_rule(host, "EUDATRegisterReplicas", payload, "")
                return
            except B2SafeError as exc:
                # RULE_ENGINE_ERROR: no b2safe Python rules there (a 4.x zone);
                # SYS_NO_API_PRIV: that zone gives this rodsadmin no remote privileges for
                # Python rule text. Either way the rule-language call any user may make works.
                if exc.code not in (RULE_ENGINE_ERROR, SYS_NO_API_PRIV):
                    raise
                logger.info("zone %s does not run EUDATRegisterReplicas for us (%s); calling "
                            "its EUDATCreatePID", zone, exc)
        calls = [[t.parent or "None", t.target, t.ror or "None", t.fio or "None",
                  t.fixed or "False"] for t in targets]
        self.catalog.run_remote_native(host, "EUDATCreatePID", calls)
        if len(calls) == 1:
            return
        # remoteExec does not return an error of its text (logged there), and a failing call
        # stops the later calls of its text: call each replica still without a PID on its own
        # (EUDATCreatePID is idempotent), so one bad object never blocks its page.
        found = self._child_pids(targets)
        for spec, call in zip(targets, calls):
            if spec.target not in found:
                self.catalog.run_remote_native(host, "EUDATCreatePID", [call])

    def _child_pids(self, targets: list[ReplicaTarget]) -> dict[str, str]:
        """The PID AVUs of the replicas, read from the destination catalog (GenQuery routes by
        COLL_NAME to the destination zone), one query per destination collection of the page
        (restricted to the page's names: linear in the tree)."""
        found: dict[str, str] = {}
        by_collection: dict[str, set[str]] = {}
        for spec in targets:
            if spec.item.kind == COLLECTION:
                values = [a.value for a in self.catalog.avus(spec.target, "-C", PID_AVU)]
                if values:
                    found[spec.target] = values[0]
            else:
                parent, name = paths.split(spec.target)
                by_collection.setdefault(parent, set()).add(name)
        for collection, names in by_collection.items():
            for name, value in self.catalog.data_attribute_of(collection, sorted(names),
                                                              PID_AVU).items():
                found[f"{collection}/{name}"] = value
        return found

    def _link(self, links: list[Link], present: dict[str, list[Avu]]) -> list[Failure]:
        """Add each child to its parent's EUDAT/REPLICA (pooled HTTP), then mirror each child
        (``present``: the sources' AVUs, with their EUDAT/REPLICA values, read for the page).

        The parent PID comes from the source's PID attribute, which its owner can write: the
        parent's record must point at the source (read in the same GET that precedes the
        write), else the link is refused and nothing is written. A parent whose handle is the
        one b2safe mints for the source (:meth:`_minted_for`: the handle is the witness) and
        that lists no replica yet gets its first child with one conditional PUT, no GET
        (:meth:`~b2safe.ports.PidService.add_first_replica`; a 409 continues as
        ``add_replica``, with the URL check).
        """
        failures: list[Failure] = []
        service = self.workflow.pids
        candidate_urls = self.workflow.candidate_urls
        mirrored = {key: [a.value for a in avus if a.name == REPLICA_AVU]
                    for key, avus in present.items()}

        def add(link: Link) -> str:
            expected = candidate_urls(link.item.path)
            if link.first:
                return service.add_first_replica(link.parent, link.child, expect_url=expected)
            return service.add_replica(link.parent, link.child, expect_url=expected)

        for link, result in service.bulk(add, links):
            item = link.item
            if isinstance(result, BaseException):
                failures.append(Failure(item.path, link.target,
                                        f"REPLICA attribute of source {item.path} could not "
                                        f"be updated: {result}"))
                continue
            self.workflow.mirror_replicas(item, result,
                                          mirrored.get(object_key(item), ()))
        return failures

    # --- the fail log ----------------------------------------------------------------------------

    def _begin(self, request: Request, info: ObjectInfo,
               attempt: Optional[FailRecord]) -> FailRecord:
        now = self.catalog.now()
        period = durations.parse(self.config.replication.retry_period)
        record = attempt or self.faillog.get(info.path, info.flag, request.destination)
        base = record or FailRecord(source=info.path, destination=request.destination,
                                    cause=faillog.IN_PROGRESS, first_time=now)
        record = FailRecord(source=info.path, destination=request.destination,
                            cause=faillog.IN_PROGRESS, stage=faillog.Stage.RUNNING,
                            resource=request.resource,
                            registered=request.registered, recursive=request.recursive,
                            user=self.requester, attempts=base.attempts, next_time=now + period,
                            first_time=base.first_time or now, kind=info.flag)
        self.faillog.write(record)
        return record

    def _failed(self, record: FailRecord, cause: str, count: bool = True,
                stage: faillog.Stage = faillog.Stage.FAILED) -> None:
        settings = self.config.replication
        now = self.catalog.now()
        period = durations.parse(settings.retry_period)
        if count:
            updated = record.failed_again(cause, now, period,
                                          durations.parse(settings.max_backoff),
                                          settings.max_attempts)
        else:
            updated = replace(record, cause=cause, next_time=now)
        updated = replace(updated, stage=stage)
        try:
            self.faillog.write(updated)
            self.ensure_retry_rule()
        except B2SafeError as exc:  # the in-progress record stays: still retried
            logger.error("could not update the fail log for %s -> %s: %s", record.source,
                         record.destination, exc)
        logger.error("replication %s -> %s failed: %s", record.source, record.destination,
                     cause)

    def ensure_retry_rule(self) -> bool:
        """Schedule the periodic fail-log retry for the caller unless one is queued.

        Returns True when a rule was scheduled now.
        """
        period = self.config.replication.retry_period
        return queue_once(self.catalog, self.caller.name if self.caller else "", RETRY_RULE,
                          str(PAGE), "", delay=period, frequency=f"{period} REPEAT FOR EVER")

    def retry(self, limit: int) -> tuple[int, int]:
        """``EUDATTransferUsingFailLog``: retry up to ``limit`` due records.

        A rodsadmin retries every record; other users only their own. Returns (successes,
        failures).
        """
        admin = bool(self.caller and self.caller.is_admin)
        user = "" if admin else str(self.caller or "")
        successes = failures = 0
        records = self.faillog.due(self.catalog.now(), limit, user)
        for record in records:  # due() returns only records b2safe signed (state.codec)
            if record.location and record.location != record.source:
                followed = self._follow(record)
                if followed is None:
                    failures += 1
                    continue
                record = followed
            request = Request(record.source, record.destination, record.resource,
                              record.registered, record.recursive)
            self.on_behalf = record.user  # re-authorized now, with today's rights
            try:
                self.replicate(request, attempt=record)
            except B2SafeError as exc:  # per record: one that fails never blocks the others
                failures += 1
                if not isinstance(exc, ReplicationFailed):
                    self._failed(record, str(exc))
                continue
            finally:
                self.on_behalf = None
            if self.faillog.get(record.source, record.kind, record.destination) is None:
                successes += 1
            else:
                failures += 1
        if len(records) < limit:
            more_ok, more_failed = self.repair_from_integrity(limit - len(records))
            successes += more_ok
            failures += more_failed
        return successes, failures

    def _follow(self, record: FailRecord) -> Optional[FailRecord]:
        """A record whose source was renamed or moved (its AVU travelled with the object):
        rewrite it for the object's new path and return it.

        Followed only when the object there is owned by the user who asked for the replication
        (a record copied onto someone else's object is not work of that user); otherwise the
        record is given up there, with the reason, and None returned.
        """
        here = record.location
        info = self.catalog.stat(here)
        owner = f"{info.owner}#{info.owner_zone}" if info is not None else ""
        if info is not None and record.user and owner == record.user:
            moved = replace(record, source=here, kind=info.flag)
            logger.warning("fail-log record %s -> %s follows its source to %s", record.source,
                           record.destination, here)
            self.faillog.write(moved)
            return moved
        cause = (f"found on {here}, not on its source {record.source}, and {here} is not "
                 f"owned by {record.user or 'its requester'}: not followed")
        self.faillog.write(replace(record, source=here, cause=cause, state=faillog.GAVE_UP))
        logger.error("fail-log record %s -> %s: %s", record.source, record.destination, cause)
        return None

    def give_up_removed(self, path: str, is_collection: bool) -> int:
        """Before ``path`` is removed: its pending replications (and, for a collection, those
        of everything below it) would vanish with it, silently. Each signed record is kept on
        the surviving parent collection, given up, with the reason (``b2safe status`` lists
        it; it is never retried). Returns how many were kept; failures are logged (the removal
        goes ahead). Records given up earlier move to the parent too (keeping their cause),
        so a given-up record is never removed with its holder."""
        holder = paths.split(path)[0]
        if holder == "/" or paths.zone_of(path) != self.catalog.zone:
            return 0
        if is_collection:
            found = [(kind, where, avu) for kind in ("-d", "-C")
                     for where, avu in self.catalog.find_avus(kind, faillog.AVU_PREFIX,
                                                              prefix=True, below=path)]
        else:
            found = [("-d", path, avu) for avu in self.catalog.avus(path, "-d")
                     if avu.name.startswith(faillog.AVU_PREFIX)]
        kept = 0
        for kind, where, avu in found:
            record = faillog.parse(avu.value, avu.units, kind, location=where)
            if record is None or not self.faillog.authentic(record):
                continue
            cause = f"its source {record.source} was removed: not replicated"
            if record.state == faillog.GAVE_UP:  # given up before: it moves up, not away
                cause = f"{record.cause}; then {record.source} was removed"
            try:
                self.faillog.write(replace(record, source=holder, kind="-C", cause=cause,
                                           state=faillog.GAVE_UP))
                kept += 1
            except B2SafeError as exc:
                logger.error("pending replication %s -> %s is lost with its removed source: "
                             "%s", record.source, record.destination, exc)
                continue
            logger.warning("pending replication %s -> %s given up: %s (kept on %s)",
                           record.source, record.destination, cause, holder)
        return kept

    def repair_from_integrity(self, limit: int) -> tuple[int, int]:
        """Re-copy replicas that integrity checks found bad (``eudat_pending:integrity``).

        Only problems of the replica itself (missing, size, checksum, stored bytes) and a
        legitimately changed, not FIXED, source are repaired; a problem of the source is left
        for a person. Returns (successes, failures).
        """
        repairable = {integrity.MISSING, integrity.SIZE, integrity.CHECKSUM, integrity.STORAGE}
        admin = bool(self.caller and self.caller.is_admin)
        successes = failures = 0
        done = 0
        for path, value in self.catalog.paths_with_avu(f"/{self.catalog.zone}",
                                                       integrity.PENDING_AVU):
            if done >= limit:
                break
            parsed = integrity.parse_pending(value)
            if parsed is None:
                continue
            _, kind, witness, destination = parsed
            fixable = (witness == integrity.REPLICA and kind in repairable) or \
                kind == integrity.SOURCE_CHANGED
            if not destination or not fixable:
                continue
            units = next((a.units for a in self.catalog.avus(path, "-d", integrity.PENDING_AVU)
                          if a.value == value), "")
            verdict = integrity.pending_verdict(self.faillog.signer, path, value, units)
            requester = integrity.pending_requester(units)
            if verdict in (codec.FORGED, codec.MALFORMED):
                if admin or requester == str(self.caller):
                    quarantine.move_aside(self.catalog, path, "-d", integrity.PENDING_AVU,
                                          value, units, f"{verdict} integrity record")
                continue
            if verdict != codec.VALID or (not admin and requester != str(self.caller)):
                continue
            done += 1
            self.on_behalf = requester  # re-authorized now, with today's rights
            try:
                info = self.check(Request(path, destination, recursive=False))
                if kind == integrity.STORAGE and self.catalog.stat(destination) is not None:
                    # the copy's registered checksum hides the damage from rsync: refresh it
                    self.catalog.checksum(destination, force=True)
                registered = bool(self.workflow.pid_of(info))
                self.replicate(Request(path, destination, registered=registered,
                                       recursive=False))
            except B2SafeError as exc:
                logger.error("repair of %r from %r failed: %s", destination, path, exc)
                failures += 1
                continue
            finally:
                self.on_behalf = None
            self.catalog.remove_avu(path, "-d", integrity.PENDING_AVU, value, units)
            successes += 1
        return successes, failures


def split_sendable(targets: Sequence[ReplicaTarget]
                   ) -> tuple[list[ReplicaTarget], list[Failure]]:
    """The targets whose path another zone's rule can take (a valid path: no control
    characters), and a failure for each other one (pure): one bad name never fails the
    registration of the rest of its page."""
    sendable: list[ReplicaTarget] = []
    failures: list[Failure] = []
    for spec in targets:
        try:
            paths.validate_path(spec.target, "replica path")
        except B2SafeError as exc:
            failures.append(Failure(spec.item.path, spec.target,
                                    f"PID of destination could not be created: {exc}"))
            continue
        sendable.append(spec)
    return sendable, failures


def comparable_checksum(catalog: Catalog, reference: str, path: str, checksum: str) -> str:
    """``path``'s checksum under the hash scheme of ``reference``: ``checksum`` when the schemes
    agree, else computed from ``path``'s bytes (a zone with MD5 and one with SHA256 compare by
    computing, not by refusing; B2SAFE devel PR #124's mixed-zone case)."""
    wanted = profile.checksum_scheme(reference)
    if wanted is None or profile.checksum_scheme(checksum) in (wanted, None):
        return checksum
    return catalog.checksum_in(path, wanted)


def same_across_schemes(catalog: Catalog, source: ObjectInfo, copy: ObjectInfo) -> bool:
    """Whether ``copy`` holds ``source``'s bytes although its zone registered a checksum of
    another scheme (MD5 there, SHA256 here): sizes equal and the copy's checksum, computed from
    its bytes under the source's scheme, equal to the source's.

    msiDataObjRsync compares the two checksum strings (irods/irods
    server/api/src/rsDataObjRsync.cpp ``rsRsyncDataToData``: ``strcmp`` of the source's and the
    destination's ``rsDataObjChksum``), so such a copy would be copied again on every run.
    False (let rsync decide) when the schemes agree, the copy has no checksum or the sizes
    differ; nothing is computed then.
    """
    if copy.is_collection or not copy.checksum or copy.size != source.size:
        return False
    have = profile.checksum_scheme(copy.checksum)
    src_sum = source.checksum or catalog.checksum(source.path)
    wanted = profile.checksum_scheme(src_sum)
    if wanted is None or have is None or have == wanted:
        return False
    return comparable_checksum(catalog, src_sum, copy.path, copy.checksum) == src_sum


def copy_verifier(catalog: Catalog) -> Verify:
    """A ``verify`` callable comparing size and checksum of source and copy after an rsync.

    Messages follow 4.x: ``missing replicated object``, ``size(src):N != size(dst):M``,
    ``checksum(src):X != checksum(dst):Y``. Beyond 4.x, the copy's stored bytes are checked
    against its registered checksum (rsync registers the *source's* checksum on the copy, so
    comparing catalog values alone cannot see a transfer that went wrong). Collections are
    compared object by object.
    """

    def one(source: str, destination: str) -> Optional[str]:
        return compare(source, destination, catalog.stat(source), catalog.stat(destination))

    def compare(source: str, destination: str, src: Optional[ObjectInfo],
                dst: Optional[ObjectInfo], good: Optional[Sequence[int]] = None
                ) -> Optional[str]:
        if src is None:
            return f"missing source object {source}"
        if dst is None:
            return f"missing replicated object {destination}"
        if src.size != dst.size:
            return f"size({source}):{src.size} != size({destination}):{dst.size}"
        src_sum = src.checksum or catalog.checksum(source)
        dst_sum = dst.checksum or catalog.checksum(destination)
        dst_sum = comparable_checksum(catalog, src_sum, destination, dst_sum)
        if src_sum != dst_sum:
            return f"checksum({source}):{src_sum} != checksum({destination}):{dst_sum}"
        if not catalog.verify_stored(destination, good):
            # Make the catalog tell the truth, so that the retry's rsync sees the difference
            # and copies again instead of trusting the checksum it registered.
            actual = catalog.checksum(destination, force=True)
            return (f"checksum({source}):{src_sum} != checksum({destination}):{actual} "
                    "(stored bytes of the copy)")
        return None

    def verify(source: str, destination: str, resource: str, is_collection: bool
               ) -> Optional[str]:
        if not is_collection:
            return one(source, destination)
        # Sizes and checksums from one listing of each tree (the copies' with their replicas,
        # whose good ones are verified), not two msiObjStat and a replica query per object.
        problems = []
        for src, dst in listed_pairs(catalog.data_objects(source),
                                     integrity.group_replicas(catalog.replicas(destination)),
                                     source, destination):
            target = target_of(src.path, source, destination)
            if dst is None:
                problems.append(compare(src.path, target, src, None))
                continue
            row = dst.replica()  # a good replica (else the first), as a listing shows it
            copy = ObjectInfo(dst.path, DATA_OBJECT, dst.object_id, size=row.size,
                              checksum=row.checksum) if row is not None else None
            good = [r.repl_num for r in dst.replicas if r.status == 1]
            problems.append(compare(src.path, target, src, copy, good))
        return ", ".join(p for p in problems if p) or None

    return verify


class _Listed(Protocol):
    """A listed item: it has a path."""

    @property
    def path(self) -> str:
        """Its logical path."""


Source = TypeVar("Source", bound=_Listed)
Copy = TypeVar("Copy", bound=_Listed)


def listed_pairs(sources: Iterable[Source], copies: Iterable[Copy], source_root: str,
                 destination_root: str) -> Iterator[tuple[Source, Optional[Copy]]]:
    """Each object of the ``sources`` listing (below ``source_root``) with its copy in the
    ``copies`` listing (below ``destination_root``, same relative path), or None.

    Both listings are read in step; an object waits in a buffer until its partner shows up,
    so memory stays small when both are in the same order (GenQuery ORDER on both trees) and
    the pairing is right whatever the orders.
    """
    waiting_sources: dict[str, Source] = {}
    waiting_copies: dict[str, Copy] = {}
    for src, dst in itertools.zip_longest(sources, copies):
        if src is not None:
            rel = src.path[len(source_root):]
            if rel in waiting_copies:
                yield src, waiting_copies.pop(rel)
            else:
                waiting_sources[rel] = src
        if dst is not None:
            rel = dst.path[len(destination_root):]
            if rel in waiting_sources:
                yield waiting_sources.pop(rel), dst
            else:
                waiting_copies[rel] = dst
    for src in waiting_sources.values():
        yield src, None


def register_replicas(workflow: PidWorkflow, payload: str, *,
                      access_checked: bool = False) -> dict[str, str]:
    """``EUDATRegisterReplicas`` body: create the PIDs of replicas in this zone.

    ``payload`` is a JSON list of ``[path, parent_pid, ror, fio, fixed]``. PIDs are created page
    by page through the PID service's worker pool. Returns ``{path: PID or "error: ..."}``;
    failures are logged, not raised (the source zone reads the PID AVUs back and records what
    is missing in its fail log). ``access_checked``: the caller checked that it may write every
    path (see :meth:`PidWorkflow.create_replicas`).
    """
    try:
        specs = json.loads(payload)
        if not isinstance(specs, list) or not all(isinstance(s, list) and len(s) == 5
                                                  for s in specs):
            raise ValueError("not a list of [path, parent, ror, fio, fixed]")
    except ValueError as exc:
        raise InvalidInput(f"replica registration request is malformed: {exc}") from None
    replicas: list[ReplicaSpec] = []
    refused: dict[str, str] = {}
    for path, parent, ror, fio, fixed in specs:
        spec = ReplicaSpec(str(path), optional_value(str(parent)), optional_value(str(ror)),
                           optional_value(str(fio)), str(fixed).lower() == "true")
        try:  # per replica: one bad entry never fails the others
            paths.validate_path(spec.path)
            if spec.parent is not None:
                validate_pid(spec.parent, "parent PID")
        except B2SafeError as exc:
            logger.error("replica PID not created for %r: %s", spec.path[:300], exc)
            refused[spec.path] = f"error: {exc}"
            continue
        replicas.append(spec)
    created = workflow.create_replicas(replicas, access_checked=access_checked)
    return {**refused, **{spec.path: created.get(spec.path, "error: see the server log")
                          for spec in replicas}}


_NAME = re.compile(r"^[A-Za-z0-9._-]{1,63}$")
