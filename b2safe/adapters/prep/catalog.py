"""The Catalog port over the PREP callback: microservices and GenQuery, nothing else.

This module and :mod:`b2safe.prep` are the only ones that touch ``callback``, ``irods_types`` and
``genquery``. Every microservice goes through :func:`b2safe.adapters.prep.msi.call_msi`, which
raises typed errors on failure and on ``status == False``. Listings stream GenQuery pages (256
rows), so the number of round trips grows with N/256 and memory does not grow with N.

Never call this from a worker thread: PREP's callback belongs to the rule's thread.
"""

from __future__ import annotations

import itertools
import json
import posixpath
import re
from typing import Any, Callable, Iterator, Optional, Sequence

from b2safe import errors
from b2safe.adapters.prep import nativecalls
from b2safe.adapters.prep.calls import DelayedCall, delay_condition, instance_tag
from b2safe.adapters.prep.msi import call_msi, output
from b2safe.domain import profile
from b2safe.domain.access import allows, strongest
from b2safe.domain.paths import gq_below, gq_equals, gq_strictly_below, split
from b2safe.errors import NotFound
from b2safe.ports import (
    COLLECTION,
    DATA_OBJECT,
    Avu,
    Caller,
    DelayedRule,
    ObjectInfo,
    ReplicaRow,
)

#: Bytes per msiDataObjRead when a checksum of another scheme is computed (checksum_in).
READ_CHUNK = 4 << 20

DATA_OBJECT_KIND = "-d"

_AVU_COLUMNS = {
    "-d": ("META_DATA_ATTR_NAME", "META_DATA_ATTR_VALUE", "META_DATA_ATTR_UNITS"),
    "-C": ("META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE", "META_COLL_ATTR_UNITS"),
}

#: The AVU id columns: ids grow as AVUs are added (R_META_MAIN.meta_id from R_OBJECTID).
_META_ID = {"-d": "META_DATA_ATTR_ID", "-C": "META_COLL_ATTR_ID"}
#: JSON of the atomic metadata requests: built here from strings, never circular, so without
#: the encoder's check for cycles (a third of its time).
_encode = json.JSONEncoder(check_circular=False).encode

_DATA_COLUMNS = ("ORDER(COLL_NAME)", "ORDER(DATA_NAME)", "DATA_ID", "DATA_SIZE", "DATA_CHECKSUM",
                 "DATA_OWNER_NAME", "DATA_OWNER_ZONE", "DATA_RESC_NAME", "DATA_CREATE_TIME",
                 "DATA_MODIFY_TIME", "DATA_REPL_NUM", "DATA_REPL_STATUS")
REPLICA_COLUMNS = ("ORDER(COLL_NAME)", "ORDER(DATA_NAME)", "DATA_REPL_NUM", "DATA_ID",
                    "DATA_SIZE", "DATA_CHECKSUM", "DATA_RESC_NAME", "DATA_REPL_STATUS",
                    "DATA_MODIFY_TIME")
_COLL_COLUMNS = ("ORDER(COLL_NAME)", "COLL_ID", "COLL_OWNER_NAME", "COLL_OWNER_ZONE",
                 "COLL_CREATE_TIME", "COLL_MODIFY_TIME")
#: The same listings ordered by object id (same positions).
_DATA_BY_ID = ("COLL_NAME", "DATA_NAME", "ORDER(DATA_ID)", *_DATA_COLUMNS[3:])
_COLL_BY_ID = ("COLL_NAME", "ORDER(COLL_ID)", *_COLL_COLUMNS[2:])


_LIST_UNSAFE = re.compile(r"[',()]")


def repr_gq(value: str) -> str:
    """``value`` (without a single quote) as a GenQuery string literal."""
    return f"'{value}'"


def _int(text: Any) -> int:
    try:
        return int(str(text).strip() or 0)
    except ValueError:
        return 0


def _collection(row: list[str]) -> ObjectInfo:
    return ObjectInfo(path=row[0], kind=COLLECTION, object_id=row[1], owner=row[2],
                      owner_zone=row[3], create_time=_int(row[4]), modify_time=_int(row[5]))


def _avus_in_order(rows: list[list[str]]) -> list[Avu]:
    """The AVUs of one object's rows (id, path, name, value, units, AVU id), in the order they
    were added, each once."""
    avus: list[Avu] = []
    for row in sorted(rows, key=lambda r: _int(r[5])):
        avu = Avu(row[2], row[3], row[4])
        if avu not in avus:
            avus.append(avu)
    return avus


def _good_checksum(rows: list[list[str]]) -> str:
    """The DATA_CHECKSUM every good replica (DATA_REPL_STATUS 1) of an object lists, or ''
    when there is no good replica, one has none, or they differ. It is what msiDataObjChksum
    without forceChksum answers: the registered checksum of the replica the server picks to
    read, a good one (irods server/api/src/rsDataObjChksum.cpp L412-430, sortObjInfoForOpen
    on the hierarchy resolved for reading: server/core/src/dataObjOpr.cpp L416-470), so a
    caller may skip that call when this is not empty; a stale replica's checksum is never
    taken."""
    sums = {row[4] for row in rows if row[11].strip() == "1"}
    return sums.pop() if len(sums) == 1 else ""


def _data_object(rows: list[list[str]]) -> ObjectInfo:
    """The ObjectInfo of one data object from its replicas' listing rows (_DATA_COLUMNS)."""
    row = rows[0]
    return ObjectInfo(path=f"{row[0]}/{row[1]}", kind=DATA_OBJECT, object_id=row[2],
                      size=_int(row[3]), checksum=_good_checksum(rows), owner=row[5],
                      owner_zone=row[6],
                      resource=row[7], create_time=_int(row[8]), modify_time=_int(row[9]))


def replica_row(row: list[str]) -> ReplicaRow:
    status_text = row[7].strip()
    return ReplicaRow(path=f"{row[0]}/{row[1]}", object_id=row[3], repl_num=_int(row[2]),
                      resource=row[6], size=_int(row[4]), checksum=row[5],
                      status=_int(status_text) if status_text else 1,
                      modify_time=_int(row[8]))


class PrepCatalog:
    """:class:`b2safe.ports.Catalog` for rules running under PREP.

    Args:
        callback: the ``callback`` PREP passed to the rule.
        zone: the local zone name (from the configuration).
        admin: the client is a rodsadmin of this zone. A rodsadmin is not above ACLs on a real
            server, so its calls on this zone's objects use the admin keyword or mode wherever
            iRODS has one: ``irodsAdmin=`` for checksums, replication and trimming, and
            ``msi_atomic_apply_metadata_operations`` with ``admin_mode`` for AVUs (iRODS
            4.3.1+). Copies, rsync, collection and object creation have none: the ACLs they need
            are in docs/installation.md and checked by ``b2safe doctor``.
        client: the client user (``rsComm->clientUser``), whose ACL rows
            :meth:`check_access_many` reads; unknown (None): it asks msiCheckAccess per path.
    """

    def __init__(self, callback: Any, zone: str, admin: bool = False,
                 client: Optional[Caller] = None) -> None:
        self._callback = callback
        self._zone = zone
        self._admin = admin
        self._client = client

    # -- plumbing ---------------------------------------------------------------------------------

    def msi(self, name: str, *args: Any) -> dict[str, Any]:
        """Call a microservice; typed errors on failure."""
        return call_msi(self._callback, name, *args)

    def query(self, columns: Sequence[str], conditions: str,
              keep: Optional[Callable[[list[str]], bool]] = None) -> Iterator[list[str]]:
        """Stream GenQuery1 rows (lists of str), optionally filtered by ``keep``.

        Raises:
            IrodsCallError: bad query or server failure (typed by code).
        """
        import genquery  # PREP's module from /etc/irods (the sandbox places its own there)

        query = genquery.Query(self._callback, list(columns), conditions,
                               output=genquery.AS_LIST)
        try:
            for row in query:
                values = [str(v) for v in row]
                if keep is None or keep(values):
                    yield values
        except RuntimeError as exc:
            raise errors.from_server_error(exc, "GenQuery") from None

    # -- Catalog ----------------------------------------------------------------------------------

    @property
    def zone(self) -> str:
        """The local zone name."""
        return self._zone

    def now(self) -> int:
        """The server's clock (msiGetSystemTime, unix format)."""
        return _int(output(self.msi("msiGetSystemTime", "", "unix"), 0))

    def human_time(self) -> str:
        """The server's local time, msiGetSystemTime's "human" format."""
        return str(output(self.msi("msiGetSystemTime", "", "human"), 0))

    def stat(self, path: str) -> Optional[ObjectInfo]:
        """msiObjStat; None when the path does not exist or is not visible to the client."""
        import irods_types

        try:
            result = self.msi("msiObjStat", path, irods_types.RodsObjStat())
        except NotFound:
            return None
        stat = output(result, 1)
        kind = COLLECTION if int(stat.objType) == 2 else DATA_OBJECT
        return ObjectInfo(
            path=path, kind=kind, object_id=str(stat.dataId),
            owner=str(stat.ownerName), owner_zone=str(stat.ownerZone),
            size=_int(stat.objSize) if kind == DATA_OBJECT else 0,
            checksum=str(stat.chksum) if kind == DATA_OBJECT else "",
            resource=str(getattr(stat, "rescHier", "") or ""),
            create_time=_int(stat.createTime), modify_time=_int(stat.modifyTime),
        )

    def stat_many(self, paths: Sequence[str], *, data_only: bool = False
                  ) -> dict[str, ObjectInfo]:
        """Facts about many paths: data objects from one listing per collection and 256 names
        (no msiObjStat each), collections and names a list cannot carry by :meth:`stat`.
        ``data_only``: one listing per 256 names below the paths' common collection (the rows
        filtered to the paths), and no stat for a path it does not find. Paths that do not
        exist or are not visible are missing from the result."""
        if data_only:
            return self._data_objects_at(paths)
        found: dict[str, ObjectInfo] = {}
        by_parent: dict[str, set[str]] = {}
        single: list[str] = []
        for path in paths:
            parent, name = split(path)
            if _LIST_UNSAFE.search(name):
                single.append(path)
            else:
                by_parent.setdefault(parent, set()).add(name)
        for parent, names in by_parent.items():
            coll_cond, coll_ok = gq_equals("COLL_NAME", parent)
            ordered = sorted(names)
            for start in range(0, len(ordered), 256):
                listed = ",".join(repr_gq(n) for n in ordered[start:start + 256])
                for info in self._data_rows(f"{coll_cond} and DATA_NAME in ({listed})",
                                            coll_ok):
                    found[info.path] = info
            single += [f"{parent}/{n}" if parent != "/" else f"/{n}" for n in ordered
                       if (f"{parent}/{n}" if parent != "/" else f"/{n}") not in found]
        for path in single:
            stat = self.stat(path)  # a collection, or a name no list can carry
            if stat is not None:
                found[path] = stat
        return found

    def _data_objects_at(self, paths: Sequence[str]) -> dict[str, ObjectInfo]:
        """The data objects among ``paths``, by path (see :meth:`stat_many`)."""
        wanted = set(paths)
        listable = sorted({split(p)[1] for p in wanted if not _LIST_UNSAFE.search(split(p)[1])})
        found: dict[str, ObjectInfo] = {}
        if listable:
            cond, ok = gq_below("COLL_NAME", posixpath.commonpath([split(p)[0] for p in wanted]))
            for start in range(0, len(listable), 256):
                names = ",".join(repr_gq(n) for n in listable[start:start + 256])
                found.update((info.path, info) for info in self._data_rows(
                    f"{cond} and DATA_NAME in ({names})", ok) if info.path in wanted)
        for path in wanted:
            if _LIST_UNSAFE.search(split(path)[1]):
                info = self.stat(path)  # a name no list can carry
                if info is not None and not info.is_collection:
                    found[path] = info
        return found

    def admin_mode(self, path: str) -> bool:
        """True when calls on ``path`` carry the admin keyword (a local rodsadmin, local path)."""
        return self._admin and path.startswith(f"/{self._zone}/")

    def options(self, path: str, **values: Optional[str]) -> str:
        """A microservice option string ``key=value++++key2=`` (None values left out), with
        ``irodsAdmin=`` when :meth:`admin_mode`; 'null' when empty."""
        if self.admin_mode(path):
            values["irodsAdmin"] = ""
        parts = [f"{k}={v}" for k, v in values.items() if v is not None]
        return "++++".join(parts) if parts else "null"

    def checksum(self, path: str, *, force: bool = False, resource: str = "") -> str:
        """The registered checksum (computed and registered when absent, or when ``force``)."""
        options = self.options(path, forceChksum="" if force else None)
        return str(output(self.msi("msiDataObjChksum", path, options, ""), 2))

    def avus(self, path: str, kind: str, name: str = "") -> list[Avu]:
        """AVUs of a data object (``-d``) or collection (``-C``), optionally only ``name``, in
        the order they were added (by META_DATA_ATTR_ID / META_COLL_ATTR_ID)."""
        return [Avu(r[2], r[3], r[4]) for r in self._avu_rows(path, kind, name)]

    def attribute_names(self, path: str, kind: str, avu_id: str = "") -> list[str]:
        """Attribute names of ``path`` (only that of the AVU with id ``avu_id`` when given);
        [] for kinds other than ``-d``/``-C`` (resources and users hold no b2safe attributes).

        Raises:
            InvalidInput: ``avu_id`` is not a number.
        """
        if kind not in _AVU_COLUMNS:
            return []
        if avu_id and not avu_id.isdigit():
            raise errors.InvalidInput(f"AVU id {avu_id[:30]!r} is not a number")
        return [r[2] for r in self._avu_rows(path, kind) if not avu_id or r[5] == avu_id]

    def _avu_rows(self, path: str, kind: str, name: str = "") -> list[list[str]]:
        """(path columns, name, value, units, id) rows of ``path``'s AVUs, by id."""
        attr, value, units = _AVU_COLUMNS[kind]
        meta_id = _META_ID[kind]
        if kind == "-d":
            parent, leaf = split(path)
            coll_cond, coll_ok = gq_equals("COLL_NAME", parent)
            data_cond, data_ok = gq_equals("DATA_NAME", leaf)
            conditions = f"{coll_cond} and {data_cond}"
            columns = ["COLL_NAME", "DATA_NAME", attr, value, units, meta_id]

            def keep(row: list[str]) -> bool:
                return coll_ok(row[0]) and data_ok(row[1])
        else:
            coll_cond, coll_ok = gq_equals("COLL_NAME", path)
            conditions = coll_cond
            columns = ["COLL_NAME", "COLL_NAME", attr, value, units, meta_id]

            def keep(row: list[str]) -> bool:
                return coll_ok(row[0])
        if name:
            name_cond, name_ok = gq_equals(attr, name)
            conditions += f" and {name_cond}"
            base_keep = keep

            def keep(row: list[str]) -> bool:
                return base_keep(row) and name_ok(row[2])
        return sorted(self.query(columns, conditions, keep), key=lambda r: _int(r[5]))

    def _apply(self, path: str, kind: str, operations: list[dict[str, str]], *,
               admin: bool = True) -> None:
        """msi_atomic_apply_metadata_operations (with ``admin_mode`` when ``admin``): all
        operations or none; it calls the API's server side without policy, so no
        ``pep_api_atomic_apply_metadata_operations_*`` fires (irods/irods
        plugins/microservices/src/atomic_apply_metadata_operations.cpp L41,
        server/api/src/rs_atomic_apply_metadata_operations.cpp L23)."""
        request = {"admin_mode": admin, "entity_name": path,
                   "entity_type": "data_object" if kind == DATA_OBJECT_KIND else "collection",
                   "operations": operations}
        self.msi("msi_atomic_apply_metadata_operations", _encode(request), "")

    def apply_avus(self, path: str, kind: str, add: Sequence[tuple[str, str]],
                   remove: Sequence[Avu] = ()) -> None:
        """Remove the AVUs ``remove``, then add the ``(name, value)`` pairs ``add`` (no units),
        in one microservice call: all or nothing. Adding a present pair or removing an absent
        one does nothing (plugins/api/src/atomic_apply_metadata_operations.cpp L389-409)."""
        operations = [{"operation": "remove", "attribute": a.name, "value": a.value,
                       "units": a.units} for a in remove]
        operations += [{"operation": "add", "attribute": name, "value": value, "units": ""}
                       for name, value in add]
        self._apply(path, kind, operations, admin=self.admin_mode(path))

    def _set_as_admin(self, path: str, kind: str, values: dict[str, str], units: str = "") -> None:
        ops = [{"operation": "remove", "attribute": a.name, "value": a.value, "units": a.units}
               for name, value in values.items() for a in self.avus(path, kind, name)
               if (a.value, a.units) != (value, units)]
        ops += [{"operation": "add", "attribute": name, "value": value, "units": units}
                for name, value in values.items()]
        self._apply(path, kind, ops)

    def set_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Set ``name`` to exactly ``value`` (msiModAVUMetadata set)."""
        if self.admin_mode(path):
            self._set_as_admin(path, kind, {name: value}, units)
            return
        self.msi("msiModAVUMetadata", kind, path, "set", name, value, units)

    def add_avu(self, path: str, kind: str, name: str, value: str, *,
                known_absent: bool = False, units: str = "") -> None:
        """Add ``name=value`` (with ``units``) unless ``name=value`` is present (idempotent).

        ``known_absent`` skips the query for an existing pair (the caller just looked); a
        duplicate is still tolerated: CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, or CAT_SQL_ERR
        when the pair is there afterwards (a concurrent adder's insert). Any other CAT_SQL_ERR
        (a value longer than R_META_MAIN's varchar(2700)) is raised: nothing was stored.
        """
        if not known_absent and any(a.value == value for a in self.avus(path, kind, name)):
            return
        if self.admin_mode(path):
            self._apply(path, kind, [{"operation": "add", "attribute": name,
                                      "value": value, "units": units}])
            return
        try:
            self.msi("msiModAVUMetadata", kind, path, "add", name, value, units)
        except errors.IrodsCallError as exc:
            if exc.code == errors.CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME:
                return
            if exc.code != errors.CAT_SQL_ERR or \
                    not any(a.value == value for a in self.avus(path, kind, name)):
                raise

    def remove_avu(self, path: str, kind: str, name: str, value: str, units: str = "") -> None:
        """Remove ``name=value`` (with ``units``); absent is fine."""
        if self.admin_mode(path):
            self._apply(path, kind, [{"operation": "remove", "attribute": name,
                                               "value": value, "units": units}])
            return
        try:
            self.msi("msiModAVUMetadata", kind, path, "rm", name, value, units)
        except errors.B2SafeError as exc:
            if exc.code != errors.CAT_SUCCESS_BUT_WITH_NO_INFO:
                raise

    def set_avus(self, path: str, kind: str, values: dict[str, str]) -> None:
        """Set several attributes: two microservice calls when the text allows, else one each.

        ``msiString2KeyValPair`` splits on ``%`` and the first ``=``, so keys or values that
        contain ``%`` (or keys with ``=``) go one by one through msiModAVUMetadata.
        """
        import irods_types

        if self.admin_mode(path):
            self._set_as_admin(path, kind, values)
            return
        safe = all("%" not in k and "=" not in k and "%" not in v and k and v
                   for k, v in values.items())
        if not safe or len(values) == 1:
            for name, value in values.items():
                self.set_avu(path, kind, name, value)
            return
        text = "%".join(f"{k}={v}" for k, v in values.items())
        kvp = output(self.msi("msiString2KeyValPair", text, irods_types.KeyValPair()), 1)
        self.msi("msiSetKeyValuePairsToObj", kvp, path, kind)

    def avu_by_id(self, kind: str, ids: Sequence[str], name: str) -> dict[str, str]:
        """``{id: value}`` of attribute ``name`` for the given DATA_IDs (-d) or COLL_IDs (-C);
        the first added when an object has several."""
        return {key: values[0] for key, values in self.avus_by_id(kind, ids, name).items()}

    def avus_by_id(self, kind: str, ids: Sequence[str], name: str) -> dict[str, list[str]]:
        """``{id: [values]}`` of attribute ``name`` for the given DATA_IDs or COLL_IDs, each
        list in the order the values were added (META_*_ATTR_ID).

        One query per 256 ids (GenQuery ``in`` lists stay short); replicas do not repeat values.
        """
        wanted = sorted({i for i in ids if i.isdigit()}, key=int)
        found: dict[str, list[str]] = {}
        id_column = "DATA_ID" if kind == "-d" else "COLL_ID"
        attr, value, _ = _AVU_COLUMNS[kind]
        name_cond, name_ok = gq_equals(attr, name)
        for start in range(0, len(wanted), 256):
            listed = ",".join(f"'{i}'" for i in wanted[start:start + 256])
            rows = self.query([id_column, attr, value, _META_ID[kind]],
                              f"{id_column} in ({listed}) and {name_cond}",
                              lambda r: name_ok(r[1]))
            for row in sorted(rows, key=lambda r: _int(r[3])):
                values = found.setdefault(row[0], [])
                if row[2] not in values:
                    values.append(row[2])
        return found

    def avus_of_ids(self, kind: str, ids: Sequence[str],
                    names: Sequence[str]) -> dict[str, list[Avu]]:
        """``{id: [AVUs]}`` of the attributes ``names`` (b2safe's own) for DATA_IDs (-d) or
        COLL_IDs (-C), each list in the order the AVUs were added; one query per 256 ids."""
        if any("'" in n for n in names):
            raise errors.InvalidInput("attribute names cannot contain a single quote")
        wanted = sorted({i for i in ids if i.isdigit()}, key=int)
        found: dict[str, list[Avu]] = {}
        if not names:
            return found
        id_column = "DATA_ID" if kind == "-d" else "COLL_ID"
        attr, value, units = _AVU_COLUMNS[kind]
        listed_names = ",".join(f"'{n}'" for n in names)
        for start in range(0, len(wanted), 256):
            listed = ",".join(f"'{i}'" for i in wanted[start:start + 256])
            rows = self.query([id_column, attr, value, units, _META_ID[kind]],
                              f"{id_column} in ({listed}) and {attr} in ({listed_names})")
            for row in sorted(rows, key=lambda r: _int(r[4])):
                avus = found.setdefault(row[0], [])
                avu = Avu(row[1], row[2], row[3])
                if avu not in avus:  # replicas repeat the rows
                    avus.append(avu)
        return found

    def walk(self, collection: str) -> Iterator[ObjectInfo]:
        """Sub-collections, then data objects, below ``collection``; one stream each."""
        cond, ok = gq_strictly_below("COLL_NAME", collection)
        for row in self.query(_COLL_COLUMNS, cond, lambda r: ok(r[0])):
            yield _collection(row)
        yield from self.data_objects(collection)

    def data_objects(self, collection: str) -> Iterator[ObjectInfo]:
        """Every data object in or below ``collection`` (one row per object), streamed."""
        cond, ok = gq_below("COLL_NAME", collection)
        yield from self._data_rows(cond, ok)

    def walk_by_id(self, collection: str) -> Iterator[ObjectInfo]:
        """``collection`` and its sub-collections by ascending COLL_ID, then the data objects
        in or below it by ascending DATA_ID; one stream each (GenQuery sorts the bigint id
        columns as numbers)."""
        cond, ok = gq_below("COLL_NAME", collection)
        for row in self.query(_COLL_BY_ID, cond, lambda r: ok(r[0])):
            yield _collection(row)
        yield from self._data_rows(cond, ok, _DATA_BY_ID)

    def avus_below(self, collection: str, kind: str, names: Sequence[str]
                   ) -> Iterator[tuple[str, list[Avu]]]:
        """``(id, [AVUs])`` of the ``kind`` objects in or below ``collection`` carrying one of
        the attributes ``names``, ascending id, each list in the order the AVUs were added
        (META_*_ATTR_ID; replicas' repeated rows once); one streamed query."""
        if any("'" in n for n in names):
            raise errors.InvalidInput("attribute names cannot contain a single quote")
        if not names:
            return
        attr, value, units = _AVU_COLUMNS[kind]
        id_column = "DATA_ID" if kind == "-d" else "COLL_ID"
        cond, ok = gq_below("COLL_NAME", collection)
        listed = ",".join(f"'{n}'" for n in names)
        rows = self.query([f"ORDER({id_column})", "COLL_NAME", attr, value, units,
                           _META_ID[kind]], f"{cond} and {attr} in ({listed})",
                          lambda r: ok(r[1]))
        for object_id, group in itertools.groupby(rows, key=lambda r: r[0]):
            yield object_id, _avus_in_order(list(group))

    def _data_rows(self, cond: str, ok: Callable[[str], bool],
                   columns: Sequence[str] = _DATA_COLUMNS) -> Iterator[ObjectInfo]:
        """One ObjectInfo per data object of the listing ``cond`` (its replicas' rows are
        adjacent: ordered by collection and name). The facts are the first replica's; the
        checksum is the one every good replica lists, else '' (see :func:`_good_checksum`)."""
        rows = self.query(columns, cond, lambda r: ok(r[0]))
        for _, replicas in itertools.groupby(rows, key=lambda r: r[2]):
            yield _data_object(list(replicas))

    def object_ids(self, collection: str, kind: str) -> Iterator[str]:
        """Ascending DATA_IDs (``-d``: data objects in or below ``collection``) or COLL_IDs
        (``-C``: ``collection`` and its sub-collections), streamed, each once."""
        cond, ok = gq_below("COLL_NAME", collection)
        column = "DATA_ID" if kind == "-d" else "COLL_ID"
        last = None
        for row in self.query([f"ORDER({column})", "COLL_NAME"], cond, lambda r: ok(r[1])):
            if row[0] != last:
                last = row[0]
                yield row[0]

    def walk_ids(self, collection: str, kind: str, first: str, last: str,
                 ) -> Iterator[ObjectInfo]:
        """Like :meth:`walk`, restricted to one kind and to ids ``first`` .. ``last``.

        Guess: GenQuery compares the numeric id columns as numbers (the SQL column is a
        bigint), as the sandbox does.
        """
        if not (first.isdigit() and last.isdigit()):
            raise errors.InvalidInput(f"id range {first[:20]!r}..{last[:20]!r} is not numeric")
        cond, ok = gq_below("COLL_NAME", collection)
        column = "DATA_ID" if kind == "-d" else "COLL_ID"
        cond += f" and {column} >= '{first}' and {column} <= '{last}'"
        if kind == "-C":
            for row in self.query(_COLL_COLUMNS, cond, lambda r: ok(r[0])):
                yield _collection(row)
            return
        yield from self._data_rows(cond, ok)

    def paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) below ``collection`` (inclusive) carrying AVU ``name``: collections,
        then data objects."""
        coll_cond, coll_ok = gq_below("COLL_NAME", collection)
        attr_cond, attr_ok = gq_equals("META_COLL_ATTR_NAME", name)
        for row in self.query(["COLL_NAME", "META_COLL_ATTR_NAME", "META_COLL_ATTR_VALUE"],
                              f"{coll_cond} and {attr_cond}",
                              lambda r: coll_ok(r[0]) and attr_ok(r[1])):
            yield row[0], row[2]
        yield from self.data_paths_with_avu(collection, name)

    def data_paths_with_avu(self, collection: str, name: str) -> Iterator[tuple[str, str]]:
        """(path, value) of data objects in or below ``collection`` carrying AVU ``name``."""
        coll_cond, coll_ok = gq_below("COLL_NAME", collection)
        attr_cond, attr_ok = gq_equals("META_DATA_ATTR_NAME", name)
        for row in self.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME",
                               "META_DATA_ATTR_VALUE"], f"{coll_cond} and {attr_cond}",
                              lambda r: coll_ok(r[0]) and attr_ok(r[2])):
            yield f"{row[0]}/{row[1]}", row[3]

    def values_in_use(self, name: str, values: Sequence[str]) -> set[str]:
        """Which of ``values`` some object or collection of the zone carries as attribute
        ``name``: one query per kind per 256 values (a value with a quote on its own)."""
        wanted = set(values)
        plain = sorted(v for v in wanted if "'" not in v)
        quoted = sorted(v for v in wanted if "'" in v)
        name_cond, _ = gq_equals("META_DATA_ATTR_NAME", name)
        found: set[str] = set()
        # Guess: GenQuery shows a rodsuser every object's AVUs unless the zone runs a strict
        # ACL policy; with one, a value on an object the user cannot read is not seen.
        for attr, value, _units in _AVU_COLUMNS.values():
            name_cond, _ = gq_equals(attr, name)
            conditions = []
            for start in range(0, len(plain), 256):
                listed = ",".join(f"'{v}'" for v in plain[start:start + 256])
                conditions.append(f"{name_cond} and {value} in ({listed})")
            for text in quoted:
                cond, _ = gq_equals(value, text)
                conditions.append(f"{name_cond} and {cond}")
            for condition in conditions:
                found.update(row[1] for row in self.query([attr, value], condition)
                             if row[1] in wanted)
        return found

    def replicas(self, collection: str) -> Iterator[ReplicaRow]:
        """Every replica in or below ``collection``, ordered by (collection, name), streamed.

        The query's COLL_NAME condition routes it to the zone of ``collection`` (federation).
        """
        cond, ok = gq_below("COLL_NAME", collection)
        for row in self.query(REPLICA_COLUMNS, cond, lambda r: ok(r[0])):
            yield replica_row(row)

    def replicas_of(self, path: str) -> list[ReplicaRow]:
        """The replicas of the data object ``path`` ([] when absent or not visible)."""
        parent, leaf = split(path)
        coll_cond, coll_ok = gq_equals("COLL_NAME", parent)
        data_cond, data_ok = gq_equals("DATA_NAME", leaf)
        rows = self.query(REPLICA_COLUMNS, f"{coll_cond} and {data_cond}",
                          lambda r: coll_ok(r[0]) and data_ok(r[1]))
        return sorted((replica_row(r) for r in rows), key=lambda r: r.repl_num)

    def set_access(self, path: str, level: str, user: str) -> None:
        """msiSetACL default: grant ``user`` ``level`` on ``path`` (ACL admin mode 'admin:' for
        a local rodsadmin: irods server/re/src/icatGeneralMS.cpp@5.0.2 L405-408)."""
        mode = "admin:" if self.admin_mode(path) else ""
        self.msi("msiSetACL", "default", f"{mode}{level}", user, path)

    def check_access(self, path: str, level: str) -> bool:
        """Whether the client may act at ``level`` on ``path`` through this adapter.

        msiCheckAccess for the client user, except that a local rodsadmin passes on local paths:
        msiCheckAccess reads only ACL rows (a rodsadmin without one gets 0), but this adapter
        does a rodsadmin's metadata, checksum, replication and trim calls in admin mode.
        """
        if self.admin_mode(path):
            return True
        return _int(output(self.msi("msiCheckAccess", path, level, 0), 2)) == 1

    def check_access_many(self, paths: Sequence[str], level: str) -> set[str]:
        """The paths among ``paths`` on which the client user holds ``level``, as
        :meth:`check_access` answers each, from the client's ACL rows: one GenQuery per 256
        data-object names (their common collection and below, rows filtered to the paths),
        then one per 256 of the remaining paths as collections; a name no ``in`` list can
        carry on its own (:meth:`access_of`). Absent paths are left out.

        msiCheckAccess (irods/irods server/re/src/icatGeneralMS.cpp) answers with
        checkPermissionByObjType (server/core/src/objMetaOpr.cpp): an ACL entry of at least
        the access type of ``level`` held by the user (checkPermitForDataObject /
        checkPermitForCollection: ``ACCESS_TYPE >= token``, ``ACCESS_USER_ID`` = the user's
        id), else by one of the groups that ``getUserId(group, the user's zone)`` finds. Groups
        are registered in this zone, so for a user of another zone only its own entries
        count: they are asked by ``DATA_ACCESS_USER_ID``. A user of this zone is asked by
        ``DATA_USER_NAME``/``DATA_USER_ZONE``, the entries that apply to the user directly or
        through a group (see :meth:`access_of`). The ranks compared are the access-type token
        ids (:mod:`b2safe.domain.access`).

        Raises:
            InvalidInput: a client name with a single quote.
        """
        granted = {p for p in paths if self.admin_mode(p)}
        rest = sorted(set(paths) - granted)
        client = self._client
        if not rest:
            return granted
        if client is None:
            for path in rest:
                try:
                    if self.check_access(path, level):
                        granted.add(path)
                except NotFound:
                    continue
            return granted
        if "'" in client.name or "'" in client.zone:
            raise errors.InvalidInput("user and zone names cannot contain a single quote")
        if client.zone == self._zone:
            whom = {kind: f"{kind}_USER_NAME = '{client.name}' and "
                          f"{kind}_USER_ZONE = '{client.zone}'" for kind in ("DATA", "COLL")}
        else:
            user_id = self._user_id(client.name, client.zone)
            if not user_id:
                return granted  # getUserId fails: msiCheckAccess fails, nothing is granted
            whom = {kind: f"{kind}_ACCESS_USER_ID = '{user_id}'" for kind in ("DATA", "COLL")}
        held: dict[str, list[str]] = {}
        for path, permission in self._data_acl_rows(rest, whom["DATA"]):
            held.setdefault(path, []).append(permission)
        others = [p for p in rest if not allows(strongest(held.get(p, ())), level)]
        for path, permission in self._coll_acl_rows(others, whom["COLL"]):
            held.setdefault(path, []).append(permission)
        return granted | {p for p in rest if allows(strongest(held.get(p, ())), level)}

    def _data_acl_rows(self, paths: Sequence[str], whom: str) -> Iterator[tuple[str, str]]:
        """(path, DATA_ACCESS_NAME) of the ACL entries ``whom`` selects on the data objects
        among ``paths``."""
        wanted = set(paths)
        listable = sorted({split(p)[1] for p in wanted if not _LIST_UNSAFE.search(split(p)[1])})
        if listable:
            cond, ok = gq_below("COLL_NAME", posixpath.commonpath([split(p)[0] for p in wanted]))
            for start in range(0, len(listable), 256):
                names = ",".join(repr_gq(n) for n in listable[start:start + 256])
                for row in self.query(["COLL_NAME", "DATA_NAME", "DATA_ACCESS_NAME"],
                                      f"{cond} and DATA_NAME in ({names}) and {whom}",
                                      lambda r: ok(r[0])):
                    path = f"{row[0]}/{row[1]}"
                    if path in wanted:
                        yield path, row[2]
        for path in sorted(p for p in wanted if _LIST_UNSAFE.search(split(p)[1])):
            parent, name = split(path)
            coll_cond, _ = gq_equals("COLL_NAME", parent)
            name_cond, _ = gq_equals("DATA_NAME", name)
            for row in self.query(["COLL_NAME", "DATA_NAME", "DATA_ACCESS_NAME"],
                                  f"{coll_cond} and {name_cond} and {whom}"):
                if (row[0], row[1]) == (parent, name):
                    yield path, row[2]

    def _coll_acl_rows(self, paths: Sequence[str], whom: str) -> Iterator[tuple[str, str]]:
        """(path, COLL_ACCESS_NAME) of the ACL entries ``whom`` selects on the collections
        among ``paths``."""
        wanted = set(paths)
        listable = sorted(p for p in wanted if not _LIST_UNSAFE.search(p))
        conditions = [f"COLL_NAME in ({','.join(repr_gq(p) for p in listable[i:i + 256])})"
                      for i in range(0, len(listable), 256)]
        conditions += [gq_equals("COLL_NAME", p)[0] for p in sorted(wanted - set(listable))]
        for cond in conditions:
            for row in self.query(["COLL_NAME", "COLL_ACCESS_NAME"], f"{cond} and {whom}",
                                  lambda r: r[0] in wanted):
                yield row[0], row[1]

    def _user_id(self, user: str, zone: str) -> str:
        """USER_ID of ``user#zone`` in this zone's catalog ('' when unknown); names checked by
        the caller."""
        for row in self.query(["USER_NAME", "USER_ZONE", "USER_ID"],
                              f"USER_NAME = '{user}' and USER_ZONE = '{zone}'"):
            if (row[0], row[1]) == (user, zone):
                return row[2]
        return ""

    def access_of(self, path: str, user: str, zone: str, is_collection: bool) -> str:
        """The strongest permission ``user#zone`` holds on ``path`` ('own', 'modify_object',
        'read_object', ... or '' for none), directly or through a group she is a member of now,
        read with one GenQuery that goes to the zone of ``path``.

        ``DATA_USER_NAME``/``COLL_USER_NAME`` name the users an ACL entry applies to: its
        holder, or each member of the group holding it (irods/irods
        plugins/database/src/general_query_setup.cpp: r_data_access -> r_data_user_group ->
        r_data_user_main), which is the server's own check (cmlCheckDataObjOnly in
        plugins/database/src/mid_level_routines.cpp joins R_OBJT_ACCESS to R_USER_GROUP the same
        way; checkPermissionByObjType in server/core/src/objMetaOpr.cpp walks the groups).

        Raises:
            InvalidInput: a user or zone name with a single quote.
        """
        if "'" in user or "'" in zone:
            raise errors.InvalidInput("user and zone names cannot contain a single quote")
        if is_collection:
            cond, ok = gq_equals("COLL_NAME", path)
            rows = self.query(["COLL_NAME", "COLL_ACCESS_NAME"],
                              f"{cond} and COLL_USER_NAME = '{user}' and "
                              f"COLL_USER_ZONE = '{zone}'", lambda r: ok(r[0]))
        else:
            parent, name = split(path)
            coll_cond, coll_ok = gq_equals("COLL_NAME", parent)
            name_cond, name_ok = gq_equals("DATA_NAME", name)
            rows = self.query(["COLL_NAME", "DATA_NAME", "DATA_ACCESS_NAME"],
                              f"{coll_cond} and {name_cond} and DATA_USER_NAME = '{user}' and "
                              f"DATA_USER_ZONE = '{zone}'",
                              lambda r: coll_ok(r[0]) and name_ok(r[1]))
        return strongest(row[-1] for row in rows)

    def user_type(self, user: str, zone: str) -> str:
        """USER_TYPE of ``user#zone`` in this zone's catalog ('' when unknown)."""
        if "'" in user or "'" in zone:
            raise errors.InvalidInput("user and zone names cannot contain a single quote")
        for row in self.query(["USER_NAME", "USER_ZONE", "USER_TYPE"],
                              f"USER_NAME = '{user}' and USER_ZONE = '{zone}'"):
            if (row[0], row[1]) == (user, zone):
                return row[2]
        return ""

    def resource_exists(self, name: str) -> bool:
        """Whether R_RESC_MAIN of this zone holds a resource called ``name``.

        Raises:
            InvalidInput: a name with a single quote (it cannot be quoted in GenQuery 1).
        """
        if "'" in name:
            raise errors.InvalidInput("resource names cannot contain a single quote")
        return any(row[0] == name
                   for row in self.query(["RESC_NAME"], f"RESC_NAME = '{name}'"))

    def zone_connection(self, zone: str) -> str:
        """ZONE_CONNECTION of ``zone`` ('' if unknown or not set).

        No ZONE_NAME condition: iRODS routes a query to the zone named in its first ZONE_NAME
        condition, so asking about a zone that is down would fail. The zone list is short.
        """
        for row in self.query(["ZONE_NAME", "ZONE_CONNECTION"], ""):
            if row[0] == zone:
                return row[1]
        return ""

    def zones(self) -> list[str]:
        """All zone names known to this catalog."""
        return [row[0] for row in self.query(["ZONE_NAME"], "")]

    # -- zone-wide metadata -----------------------------------------------------------------------

    def find_avus(self, kind: str, name: str, *, prefix: bool = False, below: str = ""
                  ) -> Iterator[tuple[str, Avu]]:
        """(path, AVU) of data objects (-d) or collections (-C) with attribute ``name`` (or a
        name starting with it), in or below ``below`` when given; one streamed query."""
        attr, value, units = _AVU_COLUMNS[kind]
        if prefix:
            if "'" in name or "%" in name:  # "_" matches itself too; name_ok is exact
                raise errors.InvalidInput(f"AVU name prefix {name[:40]!r} needs quoting")
            condition, name_ok = f"{attr} like '{name}%'", (lambda n: n.startswith(name))
        else:
            condition, name_ok = gq_equals(attr, name)
        keep_path: Callable[[str], bool] = lambda _path: True  # noqa: E731
        if below:
            coll_cond, keep_path = gq_below("COLL_NAME", below)
            condition = f"{coll_cond} and {condition}"
        if kind == "-d":
            columns = ["COLL_NAME", "DATA_NAME", attr, value, units]
        else:
            columns = ["COLL_NAME", "COLL_NAME", attr, value, units]
        for row in self.query(columns, condition, lambda r: keep_path(r[0]) and name_ok(r[2])):
            path = f"{row[0]}/{row[1]}" if kind == "-d" else row[0]
            yield path, Avu(row[2], row[3], row[4])

    def attributes_by_id(self, kind: str, ids: Sequence[str],
                         names: Sequence[str]) -> dict[str, dict[str, str]]:
        """``{id: {name: value}}`` of the attributes ``names`` for up to 256 DATA_IDs (-d) or
        COLL_IDs (-C), in one query. ``names`` are b2safe's own attribute names."""
        wanted = [i for i in ids if i.isdigit()]
        if not wanted or not names:
            return {}
        if any("'" in n for n in names):
            raise errors.InvalidInput("attribute names cannot contain a single quote")
        id_column = "DATA_ID" if kind == "-d" else "COLL_ID"
        attr, value, _ = _AVU_COLUMNS[kind]
        listed_ids = ",".join(f"'{i}'" for i in wanted)
        listed_names = ",".join(f"'{n}'" for n in names)
        found: dict[str, dict[str, str]] = {}
        for row in self.query([id_column, attr, value],
                              f"{id_column} in ({listed_ids}) and {attr} in ({listed_names})"):
            found.setdefault(row[0], {}).setdefault(row[1], row[2])
        return found

    def data_attribute_in(self, collection: str, name: str) -> dict[str, str]:
        """``{data name: value}`` of attribute ``name`` for the objects directly in
        ``collection`` (smallest value when several; one streamed query)."""
        coll_cond, coll_ok = gq_equals("COLL_NAME", collection)
        attr_cond, attr_ok = gq_equals("META_DATA_ATTR_NAME", name)
        found: dict[str, str] = {}
        for row in self.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME",
                               "META_DATA_ATTR_VALUE"], f"{coll_cond} and {attr_cond}",
                              lambda r: coll_ok(r[0]) and attr_ok(r[2])):
            if row[1] not in found or row[3] < found[row[1]]:
                found[row[1]] = row[3]
        return found

    def data_attribute_of(self, collection: str, names: Sequence[str],
                          attribute: str) -> dict[str, str]:
        """``{data name: value}`` of ``attribute`` for the objects ``names`` directly in
        ``collection`` (smallest value when several): one query per 256 names, so the cost
        follows the names asked for, not the size of the collection."""
        coll_cond, coll_ok = gq_equals("COLL_NAME", collection)
        attr_cond, attr_ok = gq_equals("META_DATA_ATTR_NAME", attribute)
        # Names with a quote, comma or parenthesis are asked one by one (an ``in`` list is
        # split on them; Guess: as the server's GenQuery parser does, read defensively).
        plain = sorted(n for n in set(names) if not _LIST_UNSAFE.search(n))
        conditions = [f"DATA_NAME in ({','.join(repr_gq(n) for n in plain[i:i + 256])})"
                      for i in range(0, len(plain), 256)]
        conditions += [gq_equals("DATA_NAME", n)[0] for n in sorted(set(names) - set(plain))]
        wanted = set(names)
        found: dict[str, str] = {}
        for name_cond in conditions:
            for row in self.query(["COLL_NAME", "DATA_NAME", "META_DATA_ATTR_NAME",
                                   "META_DATA_ATTR_VALUE"],
                                  f"{coll_cond} and {name_cond} and {attr_cond}",
                                  lambda r: coll_ok(r[0]) and attr_ok(r[2]) and r[1] in wanted):
                if row[1] not in found or row[3] < found[row[1]]:
                    found[row[1]] = row[3]
        return found

    def foreign_owned_count(self, collection: str, name: str, zone: str) -> int:
        """How many objects and sub-collections below ``collection`` (visible to the client)
        are owned by someone other than ``name#zone``."""
        total = 0
        coll_cond, coll_ok = gq_below("COLL_NAME", collection)
        sub_cond, sub_ok = gq_strictly_below("COLL_NAME", collection)
        checks = (
            (["COLL_NAME", "DATA_ID"], f"{coll_cond} and DATA_OWNER_NAME <> '{name}'", coll_ok),
            (["COLL_NAME", "DATA_ID"], f"{coll_cond} and DATA_OWNER_ZONE <> '{zone}'", coll_ok),
            (["COLL_NAME", "COLL_ID"], f"{sub_cond} and COLL_OWNER_NAME <> '{name}'", sub_ok),
            (["COLL_NAME", "COLL_ID"], f"{sub_cond} and COLL_OWNER_ZONE <> '{zone}'", sub_ok),
        )
        if "'" in name or "'" in zone:
            raise errors.InvalidInput("user and zone names cannot contain a single quote")
        for columns, conditions, ok in checks:
            total += sum(1 for row in self.query(columns, conditions) if ok(row[0]))
        return total

    # -- transfers --------------------------------------------------------------------------------

    def rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """msiDataObjRsync IRODS_TO_IRODS; True when the destination was (re)written."""
        result = self.msi("msiDataObjRsync", source, "IRODS_TO_IRODS", resource or "null",
                          destination, 0)
        return _int(output(result, 4)) != 0

    def coll_rsync(self, source: str, destination: str, resource: str = "") -> bool:
        """msiCollRsync IRODS_TO_IRODS; True when any object was (re)written."""
        result = self.msi("msiCollRsync", source, destination, resource or "null",
                          "IRODS_TO_IRODS", 0)
        return _int(output(result, 4)) != 0

    def checksum_in(self, path: str, scheme: str) -> str:
        """See :meth:`b2safe.ports.Namespace.checksum_in`: reads the bytes (msiDataObjOpen,
        msiDataObjRead in chunks, msiDataObjClose; the server routes a federated path to its
        zone) when the registered checksum is of another scheme."""
        import irods_types

        info = self.stat(path)
        if info is None:
            raise NotFound(f"{path} does not exist or is not visible to you")
        if info.checksum and profile.checksum_scheme(info.checksum) == scheme.upper():
            return info.checksum
        hasher = profile.hasher_for(scheme)
        fd = output(self.msi("msiDataObjOpen", f"objPath={path}++++openFlags=O_RDONLY", 0), 1)
        try:
            while True:
                buf = output(self.msi("msiDataObjRead", fd, str(READ_CHUNK),
                                      irods_types.BytesBuf()), 2)
                chunk = bytes(buf.get_bytes()) if buf is not None and buf.len else b""
                if not chunk:
                    break
                hasher.update(chunk)
        finally:
            self.msi("msiDataObjClose", fd, 0)
        return profile.format_checksum(scheme, hasher.digest())

    def verify_stored(self, path: str, good: Optional[Sequence[int]] = None) -> bool:
        """Recompute the checksum of the stored bytes of every good replica of ``path`` and
        compare it with its registered one; False on a mismatch (see :meth:`verify_good`)."""
        return self.verify_good(path, good)

    def verify_good(self, path: str, good: Optional[Sequence[int]] = None) -> bool:
        """msiDataObjChksum ``verifyChksum`` with ``replNum``, once per good replica.

        A verification of the whole object also fails (CHECK_VERIFICATION_RESULTS) when the
        object merely has a stale replica, which it reports as skipped (irods
        server/api/src/rsDataObjChksum.cpp@5.0.2 L167-178, L329-334; test_ichksum.py L167-190),
        so each good replica is verified on its own (L277-322). False when one fails: its size
        or bytes differ from the catalog, or it has no checksum. Without a good replica the
        whole-object call reports why (typed error). ``good``: the good replicas' numbers
        when the caller listed them (a tree's listing, :meth:`replicas`), else one query here.
        """
        if good is None:
            good = [r.repl_num for r in self.replicas_of(path) if r.status == 1]
        targets: list[Optional[str]] = [str(n) for n in good] or [None]
        for repl in targets:
            try:
                self.msi("msiDataObjChksum", path,
                         self.options(path, verifyChksum="", replNum=repl), "")
            except errors.B2SafeError as exc:
                if exc.code in (errors.CHECK_VERIFICATION_RESULTS, errors.USER_CHKSUM_MISMATCH):
                    return False
                raise
        return True

    def ensure_collection(self, path: str) -> None:
        """msiCollCreate(path, '1'): mkdir -p; an existing collection is fine."""
        self.msi("msiCollCreate", path, "1", 0)

    def run_remote_rule(self, host: str, rule: str, *args: str) -> None:
        """Call ``rule`` with ``args`` on another zone's server, by that zone's ruleset
        (py_remote runs the module text defining ``main``)."""
        text = DelayedCall(rule, tuple(args)).remote_main()
        self.msi("py_remote", host, instance_tag(), text, "")

    def run_remote_native(self, host: str, rule: str, calls: Sequence[Sequence[str]],
                          outputs: int = 1) -> None:
        """Call rule-language ``rule`` once per argument list on another zone's server as the
        caller (remoteExec; as few round trips as the rule text size allows)."""
        texts = nativecalls.batches(nativecalls.call_text(rule, args, outputs) for args in calls)
        for text in texts:
            self.msi("remoteExec", host, "null", text, "")

    # -- delay queue ------------------------------------------------------------------------------

    def delayed_calls(self, rule: str) -> list[DelayedRule]:
        """The queued calls of ``rule`` (RULE_EXEC_NAME, parsed by DelayedCall.from_text)."""
        call = DelayedCall(rule)  # validates the name: no quote reaches the condition
        columns = ["RULE_EXEC_ID", "RULE_EXEC_NAME", "RULE_EXEC_USER_NAME", "RULE_EXEC_TIME",
                   "RULE_EXEC_FREQUENCY"]
        found = []
        for row in self.query(columns, f"RULE_EXEC_NAME like '%{call.rule}(%'"):
            parsed = DelayedCall.from_text(row[1])
            if parsed is not None and parsed.rule == rule:
                found.append(DelayedRule(rule_id=row[0], rule=rule, args=parsed.args,
                                         user=row[2], exe_time=_int(row[3]),
                                         frequency=row[4]))
        return found

    def schedule_rule(self, rule: str, *args: str, delay: str = "1s",
                      frequency: str = "") -> None:
        """Queue a call of ``rule`` on the Python instance after ``delay``, repeating per
        ``frequency`` (EF grammar) when given (delayExec; PREP does not return the rule id)."""
        text = DelayedCall(rule, tuple(args)).to_text()
        self.msi("delayExec", delay_condition(delay, frequency), text, "")
