"""Ports: what the workflows need from iRODS and from the PID service, as Protocols.

Workflows (``b2safe.pids``, ``b2safe.replication``, ...) see only these. Adapters implement them:
:class:`b2safe.irods.prep.PrepCatalog` over the PREP callback, ``b2safe.irods.client`` over
python-irodsclient, :class:`b2safe.handle.rest.PidService` over pyhandle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Protocol, Sequence

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

    def set_avu(self, path: str, kind: str, name: str, value: str) -> None:
        """Set attribute ``name`` to exactly ``value`` (replacing earlier values)."""

    def add_avu(self, path: str, kind: str, name: str, value: str) -> None:
        """Add ``name=value`` unless that exact pair is already there."""

    def remove_avu(self, path: str, kind: str, name: str, value: str) -> None:
        """Remove ``name=value`` if present."""

    def walk(self, collection: str) -> Iterator[ObjectInfo]:
        """Every sub-collection and data object below ``collection`` (not itself), streamed."""

    def paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of objects and collections below ``collection`` carrying AVU ``name``."""

    def check_access(self, path: str, level: str) -> bool:
        """Whether the client user has ``level`` ('read object', 'modify object', 'own')."""

    def zone_connection(self, zone: str) -> str:
        """``host:port`` of a zone known to this catalog (ZONE_CONNECTION), '' if unknown."""

    def zones(self) -> Sequence[str]:
        """Names of the local and federated zones."""
