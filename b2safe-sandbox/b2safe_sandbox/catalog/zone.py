"""ZoneCatalog: one iRODS zone's catalog (SQLite, WAL) plus its vault directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable, Optional, Union

from b2safe_sandbox import checksums
from b2safe_sandbox.catalog import schema
from b2safe_sandbox.catalog.base import DB_NAME, PUBLIC_GROUP
from b2safe_sandbox.catalog.query import QueryMixin
from b2safe_sandbox.gq.columns import ACCESS_READ

#: The first object id handed out (iRODS starts its sequence at 10000).
FIRST_ID = 10000


class ZoneCatalog(QueryMixin):
    """The catalog of one zone; open an existing one with ``ZoneCatalog(zone_dir, zone_name)``,
    make a new one with :meth:`create`. Every state change is on disk at once (or at the end
    of ``with cat.batch():``)."""

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
                cat._insert_coll(path, *owner)
            public = cat.get_user(PUBLIC_GROUP, zone_name)
            assert public is not None
            now = cat._now()
            for path in ("/", zone, f"{zone}/home", f"{zone}/home/{PUBLIC_GROUP}"):
                row = cat._coll_row(path)
                assert row is not None
                cat._grant(row["coll_id"], public.id, ACCESS_READ, now)
        return cat

    def __repr__(self) -> str:
        return f"ZoneCatalog({str(self.zone_dir)!r}, {self.zone_name!r})"

    def __enter__(self) -> ZoneCatalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
