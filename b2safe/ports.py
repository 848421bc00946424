"""Ports: what the workflows need from iRODS and from the PID service, as Protocols.

Workflows (``b2safe.workflows.pids``, ``b2safe.workflows.replication``, ...) see only these.
Adapters implement them: :class:`b2safe.adapters.prep.catalog.PrepCatalog` over the PREP callback,
the live CLI over python-irodsclient, :class:`b2safe.adapters.handle.rest.PidService`
over pyhandle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional, Protocol, Sequence

if TYPE_CHECKING:
    from b2safe.domain.profile import PidRecord

# iRODS authentication levels (authenticate.h authFlag): a local rodsuser has LOCAL_USER_AUTH (3),
# a rodsadmin of a federated zone REMOTE_PRIV_USER_AUTH (4), a local rodsadmin LOCAL_PRIV (5).
REMOTE_PRIV_USER_AUTH = 4
LOCAL_PRIV_USER_AUTH = 5

DATA_OBJECT = "d"
COLLECTION = "c"


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


@dataclass(frozen=True)
class Caller:
    """The client user of the current call (``name#zone``) and whether it is privileged."""

    name: str
    zone: str
    auth_flag: int
    user_type: str

    @property
    def is_admin(self) -> bool:
        """True for a rodsadmin (local or of a federated zone)."""
        return self.user_type == "rodsadmin" or self.auth_flag >= REMOTE_PRIV_USER_AUTH

    def __str__(self) -> str:
        return f"{self.name}#{self.zone}"


@dataclass(frozen=True)
class Avu:
    """One attribute-value-unit triple."""

    name: str
    value: str
    units: str = ""


class Catalog(Protocol):
    """The iRODS operations b2safe's workflows use, on the zone that runs the rule."""

    @property
    def zone(self) -> str:
        """The local zone name."""

    def now(self) -> int:
        """The server's current time (epoch seconds)."""

    def stat(self, path: str) -> Optional[ObjectInfo]:
        """Facts about ``path``, or None when it does not exist (or is not visible)."""

    def checksum(self, path: str, *, force: bool = False, resource: str = "") -> str:
        """The registered checksum of ``path``, computing and registering it when absent."""

    def avus(self, path: str, kind: str, name: str = "") -> list[Avu]:
        """AVUs of ``path`` (all, or those called ``name``)."""

    def set_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Set attribute ``name`` to exactly ``value`` (replacing earlier values)."""

    def add_avu(self, path: str, kind: str, name: str, value: str, *,
                known_absent: bool = False) -> None:
        """Add ``name=value`` unless that exact pair is already there (``known_absent``: the
        caller just looked, skip the lookup; a duplicate is still tolerated)."""

    def remove_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Remove ``name=value`` (with ``units``) if present."""

    def set_avus(self, path: str, kind: str, values: dict[str, str]) -> None:
        """Set several attributes at once (each to exactly its value)."""

    def avu_by_id(self, kind: str, ids: Sequence[str], name: str) -> dict[str, str]:
        """``{object id: value}`` of attribute ``name`` for up to 256 DATA_IDs or COLL_IDs."""

    def walk(self, collection: str) -> Iterator[ObjectInfo]:
        """Every sub-collection and data object below ``collection`` (not itself), streamed."""

    def paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of objects and collections below ``collection`` carrying AVU ``name``."""

    def check_access(self, path: str, level: str) -> bool:
        """Whether the client user has ``level`` ('read_object', 'modify_object', 'own')."""

    def zone_connection(self, zone: str) -> str:
        """``host:port`` of a zone known to this catalog (ZONE_CONNECTION), '' if unknown."""

    def zones(self) -> Sequence[str]:
        """Names of the local and federated zones."""


class PidService(Protocol):
    """PID records on a Handle server (see :class:`b2safe.adapters.handle.rest.PidService`)."""

    def mint(self, mint_key: str) -> str:
        """The handle a create with ``mint_key`` will use (deterministic mode) or a fresh one."""

    def create(self, record: PidRecord, mint_key: str) -> str:
        """Create the record with one ``PUT ?overwrite=false``; adopt a 409 whose URL is ours."""

    def get(self, pid: str) -> PidRecord:
        """The record of ``pid`` (PidNotFound)."""

    def get_value(self, pid: str, key: str) -> Optional[str]:
        """One value of the record, None when the type is absent (PidNotFound)."""

    def update(self, pid: str, changes: dict[str, Optional[str]]) -> None:
        """Change only the given types (None removes the value)."""

    def add_replica(self, parent_pid: str, child_pid: str) -> str:
        """Append ``child_pid`` to EUDAT/REPLICA unless present; return the new list."""

    def delete(self, pid: str) -> None:
        """Delete the whole record."""

    def search(self, **key_values: str) -> list[str]:
        """Reverse lookup: handles whose values match all ``key_values`` (``*`` wildcard)."""


# --- integrity ---


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
    """One queued delay rule (RULE_EXEC_* columns)."""

    rule_id: str
    text: str
    user: str
    exe_time: int
    frequency: str = ""


class IntegrityCatalog(Catalog, Protocol):
    """What integrity checks and sweeps need beyond :class:`Catalog`."""

    def replicas(self, collection: str) -> Iterator[ReplicaRow]:
        """Every replica in or below ``collection`` (any zone), sorted by path, streamed."""

    def replicas_of(self, path: str) -> list[ReplicaRow]:
        """The replicas of one data object ([] when absent or not visible)."""

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

    def ensure_collection(self, path: str) -> None:
        """Create ``path`` and its missing parents."""

    def write_text(self, path: str, text: str) -> None:
        """Create or overwrite data object ``path`` with ``text`` (UTF-8)."""

    def delayed_rules(self, text_like: str) -> list[DelayedRule]:
        """Queued delay rules whose text matches the GenQuery LIKE pattern ``text_like``."""

    def schedule(self, condition: str, text: str) -> None:
        """Queue a delay rule (delayExec) with ``condition`` tags and Python ``text``."""

    def schedule_rule(self, rule: str, *args: str, delay: str = "1s",
                      frequency: str = "") -> str:
        """Queue a call of ``rule`` with ``args`` after ``delay`` (repeating per ``frequency``)."""
