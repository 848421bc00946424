"""ZoneCatalog: one iRODS zone's catalog (SQLite, WAL) plus its vault directory.

The catalog is composed of parts sharing one :class:`~b2safe_sandbox.catalog.base.Db`, as
python-irodsclient's session composes managers: ``cat.principals``, ``cat.namespace``,
``cat.data``, ``cat.meta``, ``cat.acl``, ``cat.delay``, ``cat.query``. The catalog's own
methods (``cat.coll_create(...)``, ``cat.avu_list(...)``, ...) forward to them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable, Optional, Union

from b2safe_sandbox import checksums
from b2safe_sandbox.catalog import schema
from b2safe_sandbox.catalog.acl import Acl
from b2safe_sandbox.catalog.base import DB_NAME, PUBLIC_GROUP, Db
from b2safe_sandbox.catalog.data import Data
from b2safe_sandbox.catalog.delay import Delay
from b2safe_sandbox.catalog.metadata import Metadata
from b2safe_sandbox.catalog.namespace import Namespace
from b2safe_sandbox.catalog.principals import Principals
from b2safe_sandbox.catalog.query import GenQuery
from b2safe_sandbox.gq.columns import ACCESS_READ

#: The first object id handed out (iRODS starts its sequence at 10000).
FIRST_ID = 10000

#: part attribute -> (its class, the methods the catalog forwards to it).
_FORWARDED: dict[str, tuple[type, tuple[str, ...]]] = {
    "db": (Db, ("close", "batch", "now", "get_user", "is_admin", "changes")),
    "principals": (Principals, (
        "add_user", "remove_user", "list_users", "group_add_member", "group_remove_member",
        "group_members", "groups_of",
        "add_zone", "get_zone", "list_zones", "add_resource", "get_resource", "resource_record",
        "list_resources",
        "set_default_resource")),
    "namespace": (Namespace, ("coll_get", "coll_create", "coll_remove", "coll_rename",
                              "coll_list")),
    "data": (Data, (
        "data_get", "data_exists", "owner_of", "data_put", "data_create", "data_write",
        "data_finalize", "data_read", "data_open_stream", "data_replicate", "data_set_status",
        "data_set_comment", "data_truncate", "data_note_access",
        "set_modify_time", "data_copy", "data_rename", "data_unlink", "data_set_checksum",
        "data_checksum", "data_verify", "corrupt_replica", "replica_rows")),
    "meta": (Metadata, ("avu_add", "avu_set", "avu_rm", "avu_list", "avu_attach", "avu_detach")),
    "acl": (Acl, ("acl_set", "acl_inherit", "acl_list", "check_access", "visible",
                  "entity_rights")),
    "delay": (Delay, ("delay_add", "delay_get", "delay_list", "delay_due", "delay_update",
                      "delay_remove")),
    "query": (GenQuery, ("genquery", "open_genquery", "total_rows", "genquery2_rows")),
}
#: Public methods of the parts that are helpers between parts, not the catalog's API.
PART_HELPERS = frozenset({
    "access_of", "actor_ids", "all", "check_path", "exec", "exec_atomic", "next_id", "now_text",
    "one", "owner_of_actor", "privileged", "require_access", "require_user", "sees_all",
    "set_setting", "setting", "split_user", "stream", "tx", "user_row", "materialize", "drop_temp",
    "forget_temp", "work_meter", "statement_meter", "forget_user",  # Db
    "require_resource",  # Principals
    "coll_row", "data_id_at", "delete_objects", "ensure_free", "grant", "insert_coll",
    "new_object_acls", "subtree_ids", "iter_subtree_ids",  # Namespace
})
#: Read-only attributes of the shared Db the catalog shows as its own.
_DB_ATTRIBUTES = ("zone_dir", "zone_name", "hash_scheme", "default_resource", "host", "port")


class ZoneCatalog:
    """The catalog of one zone; open an existing one with ``ZoneCatalog(zone_dir, zone_name)``,
    make a new one with :meth:`create`. Every state change is on disk at once (or at the end
    of ``with cat.batch():``)."""

    def __init__(self, zone_dir: Union[str, Path], zone_name: str,
                 clock: Optional[Callable[[], int]] = None,
                 irods_version: tuple = (5, 0)) -> None:
        self.db = Db(zone_dir, zone_name, clock, irods_version)
        self.namespace = Namespace(self.db)
        self.principals = Principals(self.db, self.namespace)
        self.data = Data(self.db, self.namespace, self.principals)
        self.meta = Metadata(self.db, self.namespace, self.principals)
        self.acl = Acl(self.db, self.namespace)
        self.delay = Delay(self.db)
        self.query = GenQuery(self.db)

    @classmethod
    def create(cls, zone_dir: Union[str, Path], zone_name: str, host: str = "localhost",
               port: int = 1247, hash_scheme: str = "SHA256",
               clock: Optional[Callable[[], int]] = None,
               default_resc: str = "demoResc") -> ZoneCatalog:
        """Initialise a zone in the empty ``zone_dir``.

        Creates the schema, the local zone row (connection 'host:port'), the group 'public',
        resource ``default_resc`` (vault ``zone_dir/vault/<resc>``) and the collections '/',
        '/zone', '/zone/home', '/zone/home/public', '/zone/trash', '/zone/trash/home'.
        No users: add them with :meth:`add_user` (home collections are made then).
        Guess: 'public' may read '/', '/zone', '/zone/home' and '/zone/home/public', so any
        user can list them (iRODS' default, non-strict ACL policy shows them to everyone).
        Raises FileExistsError if a catalog is already there.
        """
        directory = Path(zone_dir)
        directory.mkdir(parents=True, exist_ok=True)
        db = directory / DB_NAME
        if db.exists():
            raise FileExistsError(f"a zone catalog already exists at {db}")
        scheme = checksums.normalise_scheme(hash_scheme)
        conn = sqlite3.connect(str(db))
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # As the catalog's own connection (base.Db): the schema's statements do not each
            # wait for an fsync.
            conn.execute("PRAGMA synchronous=OFF")
            schema.install(conn)
            conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", [
                ("schema_version", schema.SCHEMA_VERSION), ("zone_name", zone_name),
                ("hash_scheme", scheme), ("host", host), ("port", str(int(port))),
                ("default_resc", default_resc), ("next_id", str(FIRST_ID - 1))])
            conn.commit()
        finally:
            conn.close()
        cat = cls(directory, zone_name, clock)
        zone = f"/{zone_name}"
        with cat.batch():
            cat.add_zone(zone_name, "local", f"{host}:{int(port)}")
            cat.add_user(PUBLIC_GROUP, zone_name, "rodsgroup", create_home=False)
            cat.add_resource(default_resc)
            owner = ("rods", zone_name)
            for path in ("/", zone, f"{zone}/home", f"{zone}/trash", f"{zone}/trash/home",
                         f"{zone}/home/{PUBLIC_GROUP}"):
                cat.namespace.insert_coll(path, *owner)
            public = cat.get_user(PUBLIC_GROUP, zone_name)
            assert public is not None
            now = cat.db.now_text()
            for path in ("/", zone, f"{zone}/home", f"{zone}/home/{PUBLIC_GROUP}"):
                row = cat.namespace.coll_row(path)
                assert row is not None
                cat.namespace.grant(row["coll_id"], public.id, ACCESS_READ, now)
        return cat

    def __repr__(self) -> str:
        return f"ZoneCatalog({str(self.zone_dir)!r}, {self.zone_name!r})"

    def __enter__(self) -> ZoneCatalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _forwarder(part: str, cls: type, name: str) -> Callable[..., Any]:
    def forward(self: ZoneCatalog, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, part), name)(*args, **kwargs)

    forward.__name__ = forward.__qualname__ = name
    forward.__doc__ = getattr(cls, name).__doc__
    return forward


def _db_attribute(name: str) -> property:
    return property(lambda self: getattr(self.db, name), doc=f"The zone's {name}.")


for _part, (_cls, _names) in _FORWARDED.items():
    for _name in _names:
        setattr(ZoneCatalog, _name, _forwarder(_part, _cls, _name))
for _name in _DB_ATTRIBUTES:
    setattr(ZoneCatalog, _name, _db_attribute(_name))
