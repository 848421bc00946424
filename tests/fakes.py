"""In-memory fakes of b2safe's ports (:mod:`b2safe.ports`), for the workflow tier.

:class:`InMemoryCatalog` is one zone's catalog (collections, data objects with one replica each,
AVUs, permissions, the delay queue, calls to other zones) and :class:`FakePidService` a Handle
server. Both keep real state, so tests assert on outcomes (AVUs, records, queued calls), not on
which methods were called. ``fail_next`` makes the next call of a method raise, as the sandbox's
fault injection does for microservices. mypy checks that both satisfy their Protocols
(``_check_ports`` at the bottom).
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

from b2safe.domain import durations, paths, profile
from b2safe.domain.profile import PidRecord
from b2safe.errors import (
    CAT_SQL_ERR,
    AccessDenied,
    B2SafeError,
    NotFound,
    PidError,
    PidNotFound,
)
from b2safe.ports import (
    COLLECTION,
    DATA_OBJECT,
    Avu,
    Catalog,
    DelayedRule,
    ObjectInfo,
    PidService,
    ReplicaRow,
)

T = TypeVar("T")
R = TypeVar("R")


class _Faults:
    """``fail_next(method, error)``: the next call of ``method`` raises ``error``."""

    def __init__(self) -> None:
        self._next: dict[str, list[BaseException]] = defaultdict(list)

    def fail_next(self, method: str, error: BaseException) -> None:
        """Make the next call of ``method`` raise ``error``."""
        self._next[method].append(error)

    def _take(self, method: str) -> None:
        if self._next.get(method):
            raise self._next[method].pop(0)


@dataclass
class Queued:
    """One call in the fake delay queue."""

    rule: str
    args: tuple[str, ...]
    user: str
    delay: str
    frequency: str
    due: int = 0  # the clock when it becomes due (RULE_EXEC_TIME)


@dataclass
class _Object:
    info: ObjectInfo
    data: bytes = b""
    avus: list[Avu] = field(default_factory=list)
    stored_ok: bool = True


def _check_units(units: str) -> None:
    """A real catalog refuses units over 250 characters: R_META_MAIN.meta_attr_unit is
    varchar(250) (irods plugins/database/src/icatSysTables.sql.pp.in@5.0.2 L81), a failed insert
    CAT_SQL_ERR (the sandbox's Metadata._check_avu)."""
    if len(units) > 250:
        raise B2SafeError(f"AVU units of {len(units)} characters (at most 250)", code=CAT_SQL_ERR)


class InMemoryCatalog(_Faults):
    """:class:`b2safe.ports.Catalog` for one zone, in memory.

    Args:
        zone: the zone name.
        user: the client user (``name#zone``); owner of what it creates.
        now: the server clock (epoch seconds); tests move it.
        federation: ``{zone: host:port}`` of federated zones (their paths may be used too).
    """

    def __init__(self, zone: str = "zoneA", user: str = "alice", *, now: int = 1_700_000_000,
                 federation: Optional[dict[str, str]] = None) -> None:
        super().__init__()
        self._zone = zone
        self.user = user
        self.clock = now
        self.federation = dict(federation or {})
        self.resources = {"demoResc"}
        self.objects: dict[str, _Object] = {}
        self.readonly: set[str] = set()
        self.grants: dict[str, dict[str, str]] = defaultdict(dict)
        self.queue: list[Queued] = []
        self.remote_calls: list[tuple[str, str, tuple[str, ...]]] = []
        self._next_id = 10000
        for root in (f"/{zone}", *(f"/{z}" for z in self.federation)):
            self.mkdir(root)

    # --- building a world ------------------------------------------------------------------------

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def mkdir(self, path: str, owner: str = "") -> ObjectInfo:
        """Create a collection and its missing parents."""
        parent, _ = paths.split(path) if path.count("/") > 1 else ("", "")
        if parent and parent not in self.objects:
            self.mkdir(parent, owner)
        if path not in self.objects:
            self.objects[path] = _Object(ObjectInfo(
                path=path, kind=COLLECTION, object_id=self._id(), owner=owner or self.user,
                owner_zone=paths.zone_of(path), create_time=self.clock, modify_time=self.clock))
        return self.objects[path].info

    def put(self, path: str, data: bytes = b"x", owner: str = "", **avus: str) -> ObjectInfo:
        """Create (or overwrite) a data object, its parents, and the given AVUs."""
        self.mkdir(paths.split(path)[0], owner)
        old = self.objects.get(path)
        info = ObjectInfo(path=path, kind=DATA_OBJECT,
                          object_id=old.info.object_id if old else self._id(),
                          owner=owner or self.user, owner_zone=paths.zone_of(path),
                          size=len(data), checksum="", resource="demoResc",
                          create_time=self.clock, modify_time=self.clock)
        self.objects[path] = _Object(info, data, list(old.avus) if old else [])
        for name, value in avus.items():
            self.set_avu(path, "-d", name, value)
        return info

    def values(self, path: str, name: str) -> list[str]:
        """The values of attribute ``name`` on ``path`` (for assertions)."""
        return [a.value for a in self.objects[path].avus if a.name == name]

    # --- Clock -----------------------------------------------------------------------------------

    @property
    def zone(self) -> str:
        """The local zone name."""
        return self._zone

    def now(self) -> int:
        """The fake server clock."""
        return self.clock

    def human_time(self) -> str:
        """The clock as msiGetSystemTime "human" writes it (UTC here)."""
        return profile.iso8601_utc(self.clock).replace("T", ".").rstrip("Z")

    # --- Namespace -------------------------------------------------------------------------------

    def _get(self, path: str) -> _Object:
        obj = self.objects.get(path)
        if obj is None:
            raise NotFound(f"{path} does not exist")
        return obj

    def stat(self, path: str) -> Optional[ObjectInfo]:
        """Facts about ``path`` (None when absent)."""
        self._take("stat")
        obj = self.objects.get(path)
        return obj.info if obj else None

    def checksum(self, path: str, *, force: bool = False, resource: str = "") -> str:
        """The registered checksum, computed (sha2, iRODS form) when absent or ``force``."""
        self._take("checksum")
        obj = self._get(path)
        if force or not obj.info.checksum:
            digest = hashlib.sha256(obj.data).digest()
            import base64

            obj.info = replace(obj.info, checksum="sha2:" + base64.b64encode(digest).decode())
        return obj.info.checksum

    def checksum_in(self, path: str, scheme: str) -> str:
        """The registered checksum when of ``scheme``, else computed from the bytes."""
        from b2safe.domain import profile

        obj = self._get(path)
        if obj.info.checksum and profile.checksum_scheme(obj.info.checksum) == scheme.upper():
            return obj.info.checksum
        hasher = profile.hasher_for(scheme)
        hasher.update(obj.data)
        return profile.format_checksum(scheme, hasher.digest())

    def _below(self, collection: str, inclusive: bool) -> list[_Object]:
        prefix = collection.rstrip("/") + "/"
        return [o for p, o in sorted(self.objects.items())
                if p.startswith(prefix) or (inclusive and p == collection)]

    def walk(self, collection: str) -> Iterator[ObjectInfo]:
        """Sub-collections, then data objects, below ``collection``."""
        below = self._below(collection, False)
        yield from (o.info for o in below if o.info.is_collection)
        yield from (o.info for o in below if not o.info.is_collection)

    def data_objects(self, collection: str) -> Iterator[ObjectInfo]:
        """Data objects in or below ``collection``."""
        return (o.info for o in self._below(collection, False) if not o.info.is_collection)

    def _of_kind(self, collection: str, kind: str) -> list[ObjectInfo]:
        wanted = COLLECTION if kind == "-C" else DATA_OBJECT
        return sorted((o.info for o in self._below(collection, True) if o.info.kind == wanted),
                      key=lambda i: int(i.object_id))

    def object_ids(self, collection: str, kind: str) -> Iterator[str]:
        """Ascending ids of one kind in the tree (the collection itself included for -C)."""
        return (i.object_id for i in self._of_kind(collection, kind))

    def walk_ids(self, collection: str, kind: str, first: str, last: str
                 ) -> Iterator[ObjectInfo]:
        """Objects of one kind with ids ``first`` .. ``last``."""
        return (i for i in self._of_kind(collection, kind)
                if int(first) <= int(i.object_id) <= int(last))

    def walk_by_id(self, collection: str) -> Iterator[ObjectInfo]:
        """The collection and its sub-collections, then the data objects, by ascending id."""
        yield from self._of_kind(collection, "-C")
        yield from self._of_kind(collection, "-d")

    def avus_below(self, collection: str, kind: str, names: Sequence[str]
                   ) -> Iterator[tuple[str, list[Avu]]]:
        """(id, AVUs called ``names``) of the tree's objects of ``kind``, ascending id."""
        for info in self._of_kind(collection, kind):
            avus = [a for a in self.objects[info.path].avus if a.name in names]
            if avus:
                yield info.object_id, avus

    def replicas_of(self, path: str) -> list[ReplicaRow]:
        """One good replica per data object."""
        obj = self.objects.get(path)
        if obj is None or obj.info.is_collection:
            return []
        return [ReplicaRow(path, obj.info.object_id, 0, "demoResc", obj.info.size,
                           obj.info.checksum)]

    def replicas(self, collection: str) -> Iterator[ReplicaRow]:
        """One good replica per data object in or below ``collection``."""
        for info in self.data_objects(collection):
            yield from self.replicas_of(info.path)

    def ensure_collection(self, path: str) -> None:
        """mkdir -p."""
        self._take("ensure_collection")
        self.mkdir(path)

    def check_access(self, path: str, level: str) -> bool:
        """The client may do anything but write to ``readonly`` paths."""
        return level == "read_object" or path not in self.readonly

    def check_access_many(self, paths: Sequence[str], level: str) -> set[str]:
        """:meth:`check_access` of each path that exists."""
        return {p for p in paths if p in self.objects and self.check_access(p, level)}

    def access_of(self, path: str, user: str, zone: str, is_collection: bool) -> str:
        """The grant recorded for ``user#zone`` ('own' for the owner)."""
        obj = self.objects.get(path)
        if obj is None:
            return ""
        if (obj.info.owner, obj.info.owner_zone) == (user, zone):
            return "own"
        return self.grants.get(path, {}).get(f"{user}#{zone}", "")

    def user_type(self, user: str, zone: str) -> str:
        """Every user of the fake is a rodsuser."""
        return "rodsuser"

    def set_access(self, path: str, level: str, user: str) -> None:
        """Record a grant."""
        self._take("set_access")
        self._get(path)
        self.grants[path][user] = level

    def foreign_owned_count(self, collection: str, name: str, zone: str) -> int:
        """Objects below ``collection`` owned by others."""
        return sum(1 for o in self._below(collection, False)
                   if (o.info.owner, o.info.owner_zone) != (name, zone))

    def resource_exists(self, name: str) -> bool:
        """The fake zone has the resources in ``resources``."""
        return name in self.resources

    def zone_connection(self, zone: str) -> str:
        """host:port of a federated zone."""
        return self.federation.get(zone, "")

    def zones(self) -> Sequence[str]:
        """This zone and the federated ones."""
        return [self._zone, *self.federation]

    # --- Metadata --------------------------------------------------------------------------------

    def avus(self, path: str, kind: str, name: str = "") -> list[Avu]:
        """AVUs of ``path`` (those called ``name``)."""
        self._take("avus")
        obj = self.objects.get(path)
        if obj is None:
            return []
        return [a for a in obj.avus if not name or a.name == name]

    def set_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Replace every value of ``name``."""
        self._take("set_avu")
        if path in self.readonly:
            raise B2SafeError(f"no permission to change the metadata of {path}", code=-818000)
        _check_units(units)
        obj = self._get(path)
        obj.avus = [a for a in obj.avus if a.name != name] + [Avu(name, value, units)]

    def add_avu(self, path: str, kind: str, name: str, value: str, *,
                known_absent: bool = False, units: str = "") -> None:
        """Add a pair unless present."""
        _check_units(units)
        obj = self._get(path)
        if not any(a.name == name and a.value == value for a in obj.avus):
            obj.avus.append(Avu(name, value, units))

    def remove_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Remove a pair (absent is fine)."""
        obj = self.objects.get(path)
        if obj is not None:
            obj.avus = [a for a in obj.avus
                        if not (a.name == name and a.value == value and a.units == units)]

    def set_avus(self, path: str, kind: str, values: dict[str, str]) -> None:
        """Set several attributes."""
        for name, value in values.items():
            self.set_avu(path, kind, name, value)

    def stat_many(self, paths: Sequence[str], *, data_only: bool = False
                  ) -> dict[str, ObjectInfo]:
        """``stat`` of each existing path (data objects only when ``data_only``)."""
        found = {path: self.stat(path) for path in paths}
        return {path: info for path, info in found.items()
                if info is not None and not (data_only and info.is_collection)}

    def apply_avus(self, path: str, kind: str, add: Sequence[tuple[str, str]],
                   remove: Sequence[Avu] = ()) -> None:
        """Remove, then add pairs, all or nothing."""
        self._take("apply_avus")
        if path in self.readonly:
            raise B2SafeError(f"no permission to change the metadata of {path}", code=-818000)
        obj = self._get(path)
        kept = [a for a in obj.avus if a not in remove]
        for name, value in add:
            if not any(a.name == name and a.value == value for a in kept):
                kept.append(Avu(name, value, ""))
        obj.avus = kept

    def avus_of_ids(self, kind: str, ids: Sequence[str],
                    names: Sequence[str]) -> dict[str, list[Avu]]:
        """AVUs called ``names`` per id."""
        found: dict[str, list[Avu]] = {}
        for obj in self._by_id(kind, ids):
            avus = [a for a in obj.avus if a.name in names]
            if avus:
                found[obj.info.object_id] = avus
        return found

    def _by_id(self, kind: str, ids: Sequence[str]) -> Iterator[_Object]:
        wanted = COLLECTION if kind == "-C" else DATA_OBJECT
        return (o for o in self.objects.values()
                if o.info.kind == wanted and o.info.object_id in set(ids))

    def avu_by_id(self, kind: str, ids: Sequence[str], name: str) -> dict[str, str]:
        """First-added value of ``name`` per id."""
        return {k: v[0] for k, v in self.avus_by_id(kind, ids, name).items()}

    def avus_by_id(self, kind: str, ids: Sequence[str], name: str) -> dict[str, list[str]]:
        """Values of ``name`` per id."""
        found: dict[str, list[str]] = {}
        for obj in self._by_id(kind, ids):
            values = [a.value for a in obj.avus if a.name == name]
            if values:
                found[obj.info.object_id] = values
        return found

    def attributes_by_id(self, kind: str, ids: Sequence[str],
                         names: Sequence[str]) -> dict[str, dict[str, str]]:
        """First value of each of ``names`` per id."""
        found: dict[str, dict[str, str]] = {}
        for obj in self._by_id(kind, ids):
            for avu in obj.avus:
                if avu.name in names:
                    found.setdefault(obj.info.object_id, {}).setdefault(avu.name, avu.value)
        return found

    def data_attribute_in(self, collection: str, name: str) -> dict[str, str]:
        """Smallest value of ``name`` per data object directly in ``collection``."""
        found: dict[str, str] = {}
        for path, obj in self.objects.items():
            if not obj.info.is_collection and paths.split(path)[0] == collection:
                values = [a.value for a in obj.avus if a.name == name]
                if values:
                    found[paths.split(path)[1]] = min(values)
        return found

    def data_attribute_of(self, collection: str, names: Sequence[str],
                          attribute: str) -> dict[str, str]:
        """Smallest value of ``attribute`` per object ``names`` in ``collection``."""
        return {name: value for name, value in self.data_attribute_in(collection,
                                                                       attribute).items()
                if name in names}

    def paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value): collections first, then data objects."""
        for kind in ("-C", "-d"):
            for path, avu in self.find_avus(kind, name, below=collection):
                yield path, avu.value

    def data_paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of data objects."""
        self._take("data_paths_with_avu")
        return ((p, a.value) for p, a in self.find_avus("-d", name, below=collection))

    def find_avus(self, kind: str, name: str, *, prefix: bool = False, below: str = ""
                  ) -> Iterator[tuple[str, Avu]]:
        """(path, AVU) by exact name or prefix, optionally in or below ``below``."""
        wanted = COLLECTION if kind == "-C" else DATA_OBJECT
        scope = self._below(below, True) if below else list(self.objects.values())
        for obj in scope:
            if obj.info.kind != wanted:
                continue
            for avu in obj.avus:
                if avu.name == name or (prefix and avu.name.startswith(name)):
                    yield obj.info.path, avu

    def avus_like(self, pattern: str) -> Iterator[tuple[str, str, str]]:
        """(kind, value, units) of AVUs whose name matches the LIKE pattern."""
        glob = pattern.replace("%", "*").replace("_", "?")
        for obj in self.objects.values():
            kind = "-C" if obj.info.is_collection else "-d"
            for avu in obj.avus:
                if fnmatch.fnmatchcase(avu.name, glob):
                    yield kind, avu.value, avu.units

    def values_in_use(self, name: str, values: Sequence[str]) -> set[str]:
        """Which ``values`` some object carries as ``name``."""
        return {a.value for o in self.objects.values() for a in o.avus
                if a.name == name and a.value in values}

    # --- Transfers -------------------------------------------------------------------------------

    def rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """Copy unless identical; True when written."""
        self._take("rsync")
        src = self._get(source)
        dst = self.objects.get(destination)
        if dst is not None and dst.data == src.data:
            return False
        self.put(destination, src.data)
        return True

    def coll_rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """Copy a tree; True when anything was written."""
        self._take("coll_rsync")
        self.mkdir(destination)
        changed = False
        for info in list(self.walk(source)):
            target = destination + info.path[len(source):]
            if info.is_collection:
                self.mkdir(target)
            else:
                changed = self.rsync(info.path, target) or changed
        return changed

    def verify_stored(self, path: str, good: Optional[Sequence[int]] = None) -> bool:
        """Whether the stored bytes match (tests set ``stored_ok``)."""
        return self._get(path).stored_ok

    # --- DelayQueue and RemoteRules --------------------------------------------------------------

    def delayed_calls(self, rule: str) -> list[DelayedRule]:
        """Queued calls of ``rule``."""
        return [DelayedRule(str(i), q.rule, q.args, q.user, q.due, q.frequency)
                for i, q in enumerate(self.queue) if q.rule == rule]

    def schedule_rule(self, rule: str, *args: str, delay: str = "1s",
                      frequency: str = "") -> None:
        """Queue a call as the client user."""
        self._take("schedule_rule")
        self.queue.append(Queued(rule, tuple(args), self.user, delay, frequency,
                                 self.clock + durations.parse(delay, "delay")))

    def run_remote_rule(self, host: str, rule: str, *args: str) -> None:
        """Record a remote call."""
        self._take("run_remote_rule")
        self.remote_calls.append((host, rule, tuple(args)))

    def run_remote_native(self, host: str, rule: str, calls: Sequence[Sequence[str]],
                          outputs: int = 1) -> None:
        """Record each rule-language remote call."""
        self._take("run_remote_native")
        for args in calls:
            self.remote_calls.append((host, rule, tuple(args)))


class FakePidService(_Faults):
    """:class:`b2safe.ports.PidService` over a dict of Handle values.

    ``down = True`` makes every call fail with PidError (the service is unreachable).
    """

    def __init__(self, prefix: str = "21.T12995") -> None:
        super().__init__()
        self.prefix = prefix
        self.records: dict[str, dict[str, str]] = {}
        self.down = False
        #: parents whose first child was added without reading their record
        self.first_replicas: list[str] = []

    def _check(self, method: str) -> None:
        if self.down:
            raise PidError("the PID service is unreachable (connection refused)")
        self._take(method)

    def _values(self, pid: str) -> dict[str, str]:
        values = self.records.get(pid.upper())
        if values is None:
            raise PidNotFound(f"PID {pid} not found")
        return values

    def mint(self, mint_key: str) -> str:
        """A deterministic handle for ``mint_key``."""
        suffix = hashlib.sha256(mint_key.encode()).hexdigest()[:12].upper()
        return f"{self.prefix}/{suffix}"

    def create(self, record: PidRecord, mint_key: str) -> str:
        """Create, or adopt a record with the same URL."""
        self._check("create")
        handle = self.mint(mint_key)
        record = record.resolve_self(handle)
        existing = self.records.get(handle.upper())
        if existing is not None and existing[profile.URL] != record.url:
            raise PidError(f"PID {handle} exists for another URL")
        strings = record.as_strings()
        strings.setdefault(profile.FIXED_CONTENT, "True" if record.fixed_content else "False")
        self.records[handle.upper()] = strings
        return handle

    def get(self, pid: str) -> PidRecord:
        """The record."""
        self._check("get")
        values = self._values(pid)
        return PidRecord.from_values([{"index": i, "type": k, "data": v}
                                      for i, (k, v) in enumerate(values.items(), 1)])

    def get_value(self, pid: str, key: str) -> Optional[str]:
        """One value."""
        self._check("get_value")
        return self._values(pid).get(key)

    def update(self, pid: str, changes: Mapping[str, Optional[str]], *,
               expect_url: Sequence[str] = ()) -> Mapping[str, Optional[str]]:
        """Set or remove values (AccessDenied when ``expect_url`` names another URL)."""
        self._check("update")
        values = self._values(pid)
        self._expect(pid, values, expect_url)
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        return dict(changes)

    def add_replica(self, parent_pid: str, child_pid: str, *,
                    expect_url: Sequence[str] = ()) -> str:
        """Append a child once (AccessDenied when ``expect_url`` names another URL)."""
        self._check("add_replica")
        values = self._values(parent_pid)
        self._expect(parent_pid, values, expect_url)
        listed = profile.parse_replicas(values.get(profile.REPLICA, ""))
        values[profile.REPLICA] = profile.format_replicas(profile.add_replica(listed, child_pid))
        return values[profile.REPLICA]

    @staticmethod
    def _expect(pid: str, values: Mapping[str, Any], expect_url: Sequence[str]) -> None:
        if expect_url and values.get(profile.URL) not in expect_url:
            raise AccessDenied(f"PID {pid} points elsewhere")

    def add_first_replica(self, parent_pid: str, child_pid: str, *,
                          expect_url: Sequence[str] = ()) -> str:
        """Without reading the record (its URL unchecked) when it lists no replica yet, as the
        real service's conditional PUT; otherwise as add_replica. Counted in
        :attr:`first_replicas`."""
        self._check("add_first_replica")
        values = self._values(parent_pid)
        if profile.REPLICA in values:
            return self.add_replica(parent_pid, child_pid, expect_url=expect_url)
        self.first_replicas.append(parent_pid)
        values[profile.REPLICA] = child_pid
        return child_pid

    def delete(self, pid: str) -> None:
        """Delete the record."""
        self._check("delete")
        self._values(pid)
        del self.records[pid.upper()]

    def search(self, criteria: Optional[Mapping[str, str]] = None, *,
               prefix: Optional[str] = None, limit: Optional[int] = None,
               **key_values: str) -> list[str]:
        """Handles whose values match all (``*`` wildcard)."""
        self._check("search")
        wanted = {**(criteria or {}), **key_values}
        found = [pid for pid, values in self.records.items()
                 if all(fnmatch.fnmatchcase(values.get(k, ""), v) for k, v in wanted.items())
                 and (prefix is None or pid.startswith(prefix.upper() + "/"))]
        return found[:limit] if limit else found

    def bulk(self, fn: Callable[[T], R], items: Iterable[T]
             ) -> Iterator[tuple[T, Union[R, BaseException]]]:
        """``fn`` over ``items`` in order (one thread: the fake has no pool)."""
        for item in items:
            try:
                yield item, fn(item)
            except Exception as exc:
                yield item, exc


def _check_ports(catalog: InMemoryCatalog, service: FakePidService) -> tuple[Catalog, PidService]:
    """mypy proves the fakes implement the ports (never called)."""
    return catalog, service
