"""Ports: what the workflows need from iRODS and from the PID service, as Protocols.

Workflows (``b2safe.workflows.pids``, ``b2safe.workflows.replication``, ...) see only these.
Adapters implement them: :class:`b2safe.adapters.prep.catalog.PrepCatalog` over the PREP callback,
the live CLI over python-irodsclient, :class:`b2safe.adapters.handle.rest.PidService`
over pyhandle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Callable,
    Iterable,
    Iterator,
    Literal,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    TypeVar,
    Union,
)

from b2safe.errors import InvalidInput

if TYPE_CHECKING:
    from b2safe.domain.profile import PidRecord

# iRODS authentication levels (authenticate.h authFlag): a local rodsuser has LOCAL_USER_AUTH (3),
# a rodsadmin of a federated zone REMOTE_PRIV_USER_AUTH (4), a local rodsadmin LOCAL_PRIV (5).
REMOTE_PRIV_USER_AUTH = 4
LOCAL_PRIV_USER_AUTH = 5

T = TypeVar("T")
R = TypeVar("R")

DATA_OBJECT = "d"
COLLECTION = "c"

#: What an AVU or an id range belongs to, in imeta's words: data object or collection.
ObjectKind = Literal["-d", "-C"]
#: Both kinds, collections first (the order bulk work takes them in).
OBJECT_KINDS: tuple[ObjectKind, ...] = ("-C", "-d")


def object_kind(text: str) -> ObjectKind:
    """``text`` as an :data:`ObjectKind` (a rule's ``kind`` argument).

    Raises:
        InvalidInput: ``text`` is neither ``-d`` nor ``-C``.
    """
    if text == "-d":
        return "-d"
    if text == "-C":
        return "-C"
    raise InvalidInput(f"kind must be -C or -d, not {text[:10]!r}")


@dataclass(frozen=True)
class ObjectInfo:
    """Catalog facts about one data object (kind ``d``) or collection (kind ``c``).

    ``checksum`` is '' when none is registered; ``size`` is 0 for collections. ``object_id`` is
    DATA_ID or COLL_ID. Times are epoch seconds.
    """

    path: str
    kind: str
    object_id: str
    owner: str = ""
    owner_zone: str = ""
    size: int = 0
    checksum: str = ""
    resource: str = ""
    create_time: int = 0
    modify_time: int = 0

    @property
    def is_collection(self) -> bool:
        """True for a collection."""
        return self.kind == COLLECTION

    @property
    def flag(self) -> ObjectKind:
        """The object's kind in imeta's words: ``-C`` for a collection, ``-d`` otherwise."""
        return "-C" if self.is_collection else "-d"


@dataclass(frozen=True)
class Caller:
    """The client user of the current call (``name#zone``) and whether it is privileged."""

    name: str
    zone: str
    auth_flag: int
    user_type: str

    @property
    def is_admin(self) -> bool:
        """True for a rodsadmin of this zone only (authFlag LOCAL_PRIV_USER_AUTH).

        A federated zone's rodsadmin arrives with REMOTE_PRIV_USER_AUTH (and may be registered
        here with any user type): it is an ordinary user of this zone. The delay server runs a
        rule with the rei packed when it was queued, whose UserInfo_PI carries authInfo
        (irods/irods lib/core/include/irods/rodsPackInstruct.h: UserInfo_PI, Rei_PI), so the
        flag survives there too.
        """
        return self.auth_flag >= LOCAL_PRIV_USER_AUTH

    def __str__(self) -> str:
        return f"{self.name}#{self.zone}"


@dataclass(frozen=True)
class Avu:
    """One attribute-value-unit triple."""

    name: str
    value: str
    units: str = ""


@dataclass(frozen=True)
class ReplicaRow:
    """One replica of a data object as a catalog listing returns it (one GenQuery row).

    ``status`` is DATA_REPL_STATUS (1 good, 0 stale, 2 intermediate, ...); ``checksum`` is ''
    when none is registered. Listings yield rows ordered by (collection, name, replica number).
    """

    path: str
    object_id: str
    repl_num: int
    resource: str
    size: int
    checksum: str
    status: int = 1
    modify_time: int = 0


@dataclass(frozen=True)
class DelayedRule:
    """One queued call of a rule (RULE_EXEC_* columns), its text already parsed."""

    rule_id: str
    rule: str
    args: tuple[str, ...]
    user: str
    exe_time: int
    frequency: str = ""


class Clock(Protocol):
    """The zone running the rule and its server's clock."""

    @property
    def zone(self) -> str:
        """The local zone name."""

    def now(self) -> int:
        """The server's current time (epoch seconds)."""

    def human_time(self) -> str:
        """The server's current local time as ``msiGetSystemTime`` "human" writes it."""


class Namespace(Protocol):
    """Collections, data objects, their replicas and permissions; the zones known here."""

    def stat(self, path: str) -> Optional[ObjectInfo]:
        """Facts about ``path``, or None when it does not exist (or is not visible)."""

    def stat_many(self, paths: Sequence[str], *, data_only: bool = False
                  ) -> dict[str, ObjectInfo]:
        """Facts about each of ``paths`` that exists (and is visible), by path: listings
        where the catalog can, not one stat each. ``data_only``: only data objects are
        wanted, so a path the listings do not find is left out without a stat of its own."""

    def checksum(self, path: str, *, force: bool = False, resource: str = "") -> str:
        """The registered checksum of ``path``, computing and registering it when absent."""

    def checksum_in(self, path: str, scheme: str) -> str:
        """The checksum of ``path``'s bytes under hash ``scheme`` ("SHA256", "MD5", ...), in
        iRODS's string form: the registered one when it is of that scheme, else computed from
        the bytes (zones may use different schemes)."""

    def walk(self, collection: str) -> Iterator[ObjectInfo]:
        """Every sub-collection and data object below ``collection`` (not itself), streamed."""

    def data_objects(self, collection: str) -> Iterator[ObjectInfo]:
        """Every data object in or below ``collection`` (one per object), streamed."""

    def object_ids(self, collection: str, kind: ObjectKind) -> Iterator[str]:
        """Ascending DATA_IDs (``-d``: data objects in or below ``collection``) or COLL_IDs
        (``-C``: ``collection`` and its sub-collections), streamed, each once."""

    def walk_ids(self, collection: str, kind: ObjectKind, first: str, last: str
                 ) -> Iterator[ObjectInfo]:
        """Like :meth:`walk`, one kind (``-C``/``-d``) with ids ``first`` .. ``last``."""

    def walk_by_id(self, collection: str) -> Iterator[ObjectInfo]:
        """``collection`` and every sub-collection (ascending COLL_ID), then every data object
        in or below it (ascending DATA_ID), streamed."""

    def avus_below(self, collection: str, kind: ObjectKind, names: Sequence[str]
                   ) -> Iterator[tuple[str, list[Avu]]]:
        """``(id, [AVUs])`` of the ``kind`` objects in or below ``collection`` that carry one
        of the attributes ``names`` (b2safe's own), ascending id, each list in the order the
        AVUs were added; one streamed query."""

    def replicas_of(self, path: str) -> list[ReplicaRow]:
        """The replicas of one data object ([] when absent or not visible)."""

    def replicas(self, collection: str) -> Iterator[ReplicaRow]:
        """Every replica in or below ``collection`` (any zone), sorted by path, streamed."""

    def ensure_collection(self, path: str) -> None:
        """Create ``path`` and its missing parents."""

    def check_access(self, path: str, level: str) -> bool:
        """Whether the client user has ``level`` ('read_object', 'modify_object', 'own')."""

    def check_access_many(self, paths: Sequence[str], level: str) -> set[str]:
        """The paths among ``paths`` on which the client user has ``level``, as
        :meth:`check_access` answers for each (read now, from the catalog), with listings
        instead of one call per path; a path that does not exist is left out."""

    def set_access(self, path: str, level: str, user: str) -> None:
        """Grant ``user`` (``name#zone``) ``level`` ('read', 'write', 'own') on ``path``."""

    def foreign_owned_count(self, collection: str, name: str, zone: str) -> int:
        """How many objects and sub-collections below ``collection`` are owned by someone
        other than ``name#zone``."""

    def resource_exists(self, name: str) -> bool:
        """Whether this zone's catalog has a resource called ``name``."""

    def zone_connection(self, zone: str) -> str:
        """``host:port`` of a zone known to this catalog (ZONE_CONNECTION), '' if unknown."""

    def zones(self) -> Sequence[str]:
        """Names of the local and federated zones."""


class Metadata(Protocol):
    """AVUs of data objects (kind ``-d``) and collections (kind ``-C``)."""

    def avus(self, path: str, kind: ObjectKind, name: str = "") -> list[Avu]:
        """AVUs of ``path`` (all, or those called ``name``), in the order they were added."""

    def set_avu(self, path: str, kind: ObjectKind, name: str, value: str, units: str = "") -> None:
        """Set attribute ``name`` to exactly ``value`` (replacing earlier values)."""

    def add_avu(self, path: str, kind: ObjectKind, name: str, value: str, *,
                known_absent: bool = False, units: str = "") -> None:
        """Add ``name=value`` (with ``units``) unless that pair is already there
        (``known_absent``: the caller just looked, skip the lookup; a duplicate is still
        tolerated)."""

    def remove_avu(self, path: str, kind: ObjectKind, name: str, value: str,
                   units: str = "") -> None:
        """Remove ``name=value`` (with ``units``) if present."""

    def set_avus(self, path: str, kind: ObjectKind, values: dict[str, str]) -> None:
        """Set several attributes at once (each to exactly its value)."""

    def apply_avus(self, path: str, kind: ObjectKind, add: Sequence[tuple[str, str]],
                   remove: Sequence[Avu] = ()) -> None:
        """Remove the AVUs ``remove``, then add the ``(name, value)`` pairs ``add``, atomically
        (all or nothing; present pairs are not added twice, absent ones not removed)."""

    def avu_by_id(self, kind: ObjectKind, ids: Sequence[str], name: str) -> dict[str, str]:
        """``{object id: value}`` of attribute ``name`` for up to 256 DATA_IDs or COLL_IDs (the
        first added when there are several)."""

    def avus_by_id(self, kind: ObjectKind, ids: Sequence[str], name: str) -> dict[str, list[str]]:
        """``{object id: [values]}`` of attribute ``name`` for DATA_IDs or COLL_IDs, each list in
        the order the values were added."""

    def attributes_by_id(self, kind: ObjectKind, ids: Sequence[str],
                         names: Sequence[str]) -> dict[str, dict[str, str]]:
        """``{id: {name: value}}`` of the attributes ``names`` for up to 256 ids."""

    def avus_of_ids(self, kind: ObjectKind, ids: Sequence[str],
                    names: Sequence[str]) -> dict[str, list[Avu]]:
        """``{id: [AVUs]}`` of the attributes ``names`` for DATA_IDs or COLL_IDs, each list in
        the order the AVUs were added."""

    def data_attribute_in(self, collection: str, name: str) -> dict[str, str]:
        """``{data name: value}`` of attribute ``name`` for the objects directly in
        ``collection``."""

    def data_attribute_of(self, collection: str, names: Sequence[str],
                          attribute: str) -> dict[str, str]:
        """``{data name: value}`` of ``attribute`` for the objects ``names`` directly in
        ``collection`` (the cost follows ``names``, not the collection)."""

    def paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of collections, then data objects, in or below ``collection``
        carrying AVU ``name``."""

    def data_paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of the data objects in or below ``collection`` carrying AVU
        ``name``."""

    def find_avus(self, kind: ObjectKind, name: str, *, prefix: bool = False, below: str = ""
                  ) -> Iterator[tuple[str, Avu]]:
        """(path, AVU) of the data objects (``-d``) or collections (``-C``) of the zone, in or
        below ``below`` when given, with an attribute called ``name`` (whose name starts with
        ``name`` when ``prefix``), streamed."""

    def access_of(self, path: str, user: str, zone: str, is_collection: bool) -> str:
        """The strongest permission an ACL on ``path`` gives ``user#zone``, directly or through a
        group she is a member of ('' for none)."""

    def user_type(self, user: str, zone: str) -> str:
        """USER_TYPE of ``user#zone`` in this zone's catalog ('' when unknown)."""

    def values_in_use(self, name: str, values: Sequence[str]) -> set[str]:
        """Which of ``values`` some object or collection of the zone (visible to the client)
        carries as attribute ``name``."""


class Transfers(Protocol):
    """Copies between paths (also across zones) and checks of stored bytes."""

    def rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """Copy a data object unless the copy is identical; True when something was written."""

    def coll_rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """Copy a collection tree unless identical; True when anything was written."""

    def verify_stored(self, path: str, good: Optional[Sequence[int]] = None) -> bool:
        """Recompute the checksum of the stored bytes; False when they differ from the
        registered checksum. ``good``: the numbers of its good replicas, when the caller has
        them from a listing (None: looked up here)."""


class DelayQueue(Protocol):
    """The zone's delay queue, holding calls of b2safe's rules."""

    def delayed_calls(self, rule: str) -> list[DelayedRule]:
        """The queued calls of ``rule`` (those visible to the client)."""

    def schedule_rule(self, rule: str, *args: str, delay: str = "1s",
                      frequency: str = "") -> None:
        """Queue a call of ``rule`` with ``args`` after ``delay`` (repeating per ``frequency``,
        the iRODS EF grammar)."""


class RemoteRules(Protocol):
    """Rules run by another zone's server, with that zone's ruleset and credentials."""

    def run_remote_rule(self, host: str, rule: str, *args: str) -> None:
        """Call ``rule`` with ``args`` on the server at ``host`` (``host:port``).

        Needs the caller to be a rodsadmin there (py_remote); the rule is a Python rule."""

    def run_remote_native(self, host: str, rule: str, calls: Sequence[Sequence[str]],
                          outputs: int = 1) -> None:
        """Call rule-language ``rule`` once per argument list (strings, then ``outputs`` unset
        OUT variables) on the server at ``host`` as the caller, with the caller's rights there
        (remoteExec: open to every user, understood by B2SAFE 4.x servers). Failures of the
        calls are logged by that server, not reported: read the results back."""


class Catalog(Clock, Namespace, Metadata, Transfers, DelayQueue, RemoteRules, Protocol):
    """Every iRODS operation b2safe's workflows use, on the zone that runs the rule."""


class PidService(Protocol):
    """PID records on a Handle server (see :class:`b2safe.adapters.handle.rest.PidService`)."""

    @property
    def prefix(self) -> str:
        """The Handle prefix this service mints under ('' when unknown)."""

    def mint(self, mint_key: str) -> str:
        """The handle a create with ``mint_key`` will use (deterministic mode) or a fresh one."""

    def create(self, record: PidRecord, mint_key: str) -> str:
        """Create the record with one ``PUT ?overwrite=false``; adopt a 409 whose URL is ours."""

    def get(self, pid: str) -> PidRecord:
        """The record of ``pid`` (PidNotFound)."""

    def get_value(self, pid: str, key: str) -> Optional[str]:
        """One value of the record, None when the type is absent (PidNotFound)."""

    def update(self, pid: str, changes: Mapping[str, Optional[str]], *,
               expect_url: Sequence[str] = ()) -> Mapping[str, Optional[str]]:
        """Change only the given types (None removes the value); the changes applied. With
        ``expect_url``, only when the record's URL is one of them (else AccessDenied, nothing
        written)."""

    def add_replica(self, parent_pid: str, child_pid: str, *,
                    expect_url: Sequence[str] = ()) -> str:
        """Append ``child_pid`` to EUDAT/REPLICA unless present; return the new list (with
        ``expect_url``: only when the parent's URL is one of them)."""

    def add_first_replica(self, parent_pid: str, child_pid: str, *,
                          expect_url: Sequence[str] = ()) -> str:
        """Set EUDAT/REPLICA of a record b2safe made that lists none yet to ``child_pid`` (one
        conditional PUT, no read: the caller knows the record is the object's); when it lists
        one already, as :meth:`add_replica` (``expect_url`` checked on what is read)."""

    def delete(self, pid: str) -> None:
        """Delete the whole record."""

    def search(self, criteria: Optional[Mapping[str, str]] = None, *,
               prefix: Optional[str] = None, limit: Optional[int] = None,
               **key_values: str) -> list[str]:
        """Reverse lookup: handles whose values match all ``criteria`` and ``key_values``
        (``*`` wildcard), under ``prefix`` when given, at most ``limit``."""

    def bulk(self, fn: Callable[[T], R], items: Iterable[T]
             ) -> Iterator[tuple[T, Union[R, BaseException]]]:
        """``fn`` over ``items`` on the service's worker pool (HTTP only, never the catalog):
        ``(item, result or the exception it raised)`` in the order of ``items``."""


class IntegrityCatalog(Catalog, Protocol):
    """What integrity checks and sweeps need beyond :class:`Catalog`."""

    def data_avus(self, collection: str, names: Sequence[str],
                  prefixes: Sequence[str] = ()) -> Iterator[tuple[str, str, str]]:
        """(path, attribute, value) of data-object AVUs below ``collection`` whose name is in
        ``names`` or starts with one of ``prefixes``, sorted by path, streamed."""

    def compute_checksum(self, path: str, repl_num: Optional[int] = None) -> str:
        """Register (if missing) and return the checksum of one replica (or the object)."""

    def verify_replica(self, path: str, repl_num: Optional[int] = None) -> bool:
        """Recompute the checksum of the stored bytes and compare with the catalog's.

        True when they agree (all good replicas when ``repl_num`` is None), False on a mismatch.
        """

    def copy_over(self, source: str, destination: str, resource: str = "") -> None:
        """Copy ``source`` onto ``destination`` (overwriting; the copy is checksum-verified)."""

    def replicate_to(self, path: str, from_resource: str, to_resource: str) -> ReplicaRow:
        """Replicate ``from_resource``'s replica onto ``to_resource``; the new replica."""

    def replace_replica(self, path: str, repl_num: int, from_resource: str) -> ReplicaRow:
        """Re-create replica ``repl_num`` of ``path`` from its replica on ``from_resource``.

        The old replica is removed (trimmed) and a new one made on the same resource from the
        good source replica (same zone, same data object). Returns the new replica's row.
        """

    def write_text(self, path: str, text: str) -> None:
        """Create or overwrite data object ``path`` with ``text`` (UTF-8)."""
