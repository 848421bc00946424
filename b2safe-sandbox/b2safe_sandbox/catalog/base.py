"""Connection, transactions, ids, clock, path and identity helpers shared by the catalog parts."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, Union

from b2safe_sandbox.catalog import schema
from b2safe_sandbox.catalog.rows import UserRow
from b2safe_sandbox.catalog.writers import WriterQueue
from b2safe_sandbox.errors import (
    CAT_INVALID_USER,
    CAT_NO_ACCESS_PERMISSION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    SYS_INVALID_ZONE_NAME,
    USER_INPUT_PATH_ERR,
    IrodsCallError,
)
from b2safe_sandbox.gq.columns import ACCESS_OWN, ACCESS_READ, ACCESS_WRITE

DB_NAME = "catalog.sqlite"
PUBLIC_GROUP = "public"

#: Access level names (as callers spell them) -> token ids.
LEVELS = {
    "own": ACCESS_OWN,
    "write": ACCESS_WRITE,
    "modify object": ACCESS_WRITE,
    "modify_object": ACCESS_WRITE,
    "read": ACCESS_READ,
    "read object": ACCESS_READ,
    "read_object": ACCESS_READ,
}


def fail(code: int, message: str, operation: str = "") -> IrodsCallError:
    """The error iRODS would report: IrodsCallError with ``code``."""
    return IrodsCallError(message, code=code, operation=operation)


def format_time(epoch: int) -> str:
    """Epoch seconds as iRODS stores them: 11 digits, zero padded."""
    return f"{int(epoch):011d}"


def split_path(path: str) -> tuple[str, str]:
    """``'/z/a/b'`` -> ``('/z/a', 'b')``; ``'/z'`` -> ``('/', 'z')``; ``'/'`` -> ``('', '')``."""
    if path == "/":
        return "", ""
    parent, _, name = path.rpartition("/")
    return parent or "/", name


def join_path(parent: str, name: str) -> str:
    """Child path ``name`` of collection ``parent``."""
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


class Db:
    """The SQLite connection of one zone catalog, shared by its parts, and the helpers they use:
    transactions, settings, ids, the clock, path checks, identities and access checks."""

    #: KiB of page cache for the catalog (SQLite's default is 2 MB).
    CACHE_KIB = 512
    #: KiB of page cache for the connection's temporary tables (:meth:`materialize`).
    TEMP_CACHE_KIB = 64
    #: Prepared statements the connection keeps (Python's default is 128). A workflow runs
    #: about 20 statements per object again and again; GenQuery pages add statements that
    #: differ in the length of their IN lists (a page's ids or names), each up to tens of KB,
    #: and more of them the larger the zone: 128 of those grew a run's memory with N.
    CACHED_STATEMENTS = 32

    def __init__(self, zone_dir: Union[str, Path], zone_name: str,
                 clock: Optional[Callable[[], int]] = None,
                 irods_version: tuple = (5, 0)) -> None:
        self.zone_dir = Path(zone_dir)
        #: The iRODS version the zone emulates: which GenQuery columns it has.
        self.irods_version = tuple(irods_version)
        db = self.zone_dir / DB_NAME
        if not db.exists():
            raise FileNotFoundError(f"no zone catalog at {db}")
        self._lock = threading.RLock()
        self._users: dict[tuple[str, str], UserRow] = {}
        self.resc_cache: dict[str, Any] = {}
        self._depth = 0
        self._temp_tables = 0
        self._forgotten_temp: list[str] = []
        self._hash_scheme: Optional[str] = None
        self._conn = sqlite3.connect(str(db), isolation_level=None, check_same_thread=False,
                                     timeout=30.0, cached_statements=self.CACHED_STATEMENTS)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # No fsync (a sandbox catalog is scratch state): SQLite keeps a database intact when the
        # process dies with OFF, only an OS crash or power loss may corrupt it
        # (https://www.sqlite.org/pragma.html#pragma_synchronous); closing a zone no longer
        # waits for the checkpoint's fsync.
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA busy_timeout=30000")
        # The page caches of the catalog and of the temporary database (GenQuery listings
        # materialized, :meth:`materialize`) are bounded below SQLite's 2 MB default, which a
        # small zone never fills and a large one does: the process's memory would grow with
        # the zone (https://www.sqlite.org/pragma.html#pragma_cache_size); pages beyond are
        # read from the file, which the OS caches. A sort keeps the larger of this and 1 MB
        # in memory (SQLite's SQLITE_SORTER_PMASZ, 250 pages) and spills the rest to disk.
        # The temporary tables are written once and read once, page by page, in rowid order:
        # a small cache serves them as well, and a 1k zone's listings fill it already.
        self._conn.execute(f"PRAGMA main.cache_size=-{self.CACHE_KIB}")
        self._conn.execute(f"PRAGMA temp.cache_size=-{self.TEMP_CACHE_KIB}")
        #: Writers of this catalog file in other processes take turns here (writers.py).
        self._writers = WriterQueue(db)
        self._clock: Callable[[], int] = clock or (lambda: int(time.time()))
        stored = self.setting("zone_name")
        if stored != zone_name:
            self._conn.close()
            self._writers.close()
            raise ValueError(f"catalog at {db} belongs to zone {stored!r}, not {zone_name!r}")
        self.zone_name = zone_name
        schema.upgrade(self._conn)

    # -- connection ---------------------------------------------------------------------------

    def changes(self) -> int:
        """Rows inserted, updated or deleted through this catalog object so far (SQLite's
        ``total_changes``): tests count the catalog writes an operation or a PEP costs."""
        with self._lock:
            return int(self._conn.total_changes)

    def close(self) -> None:
        """Close the connection (the catalog object is unusable afterwards)."""
        with self._lock:
            self._conn.close()
            self._writers.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many changes into one transaction (committed at the end, undone on error).

        Nested batches and every mutating method inside use savepoints, so an error inside one
        call undoes only that call. The outermost one waits for its turn among the processes
        writing this catalog (:mod:`.writers`).
        """
        with self._lock, (self._writers.turn() if self._depth == 0 else nullcontext()):
            depth = self._depth
            self._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
            self._depth = depth + 1
            try:
                yield
            except BaseException:
                self._depth = depth
                self._users.clear()
                self.resc_cache.clear()
                if depth == 0:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO sp{depth}")
                    self._conn.execute(f"RELEASE sp{depth}")
                raise
            self._depth = depth
            self._conn.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")

    tx = batch

    def exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement. A unique-constraint violation (another agent created the same
        name since it was checked) is CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, as the server's
        database layer maps SQLSTATE 23505 (irods/irods plugins/database/src/low_level_odbc.cpp
        ``cllExecSqlNoResult``)."""
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params))
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" not in str(exc):
                    raise
                raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
                           f"catalog already has this item ({exc})") from None

    def exec_atomic(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one writing statement as a change of its own: inside a batch as part of it (a
        failing statement undoes only itself, so no savepoint is needed), else in a
        transaction of its own (:meth:`batch`: the writers' turn)."""
        with self._lock:
            if self._depth > 0:
                return self.exec(sql, params)
        with self.batch():
            return self.exec(sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Optional[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 256
               ) -> Iterator[sqlite3.Row]:
        """Rows of ``sql`` fetched ``size`` at a time (memory does not grow with the result)."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute(sql, tuple(params))
        while True:
            with self._lock:
                chunk = cursor.fetchmany(size)
            if not chunk:
                return
            yield from chunk

    def materialize(self, sql: str, params: Sequence[Any] = ()) -> str:
        """Copy the rows of ``sql`` (in its order: rowid 1, 2, ...) into a new table of this
        connection's temporary database and return its name. That database is a file of its
        own (SQLite's temp_store; its page cache is bounded like the catalog's) and never the
        WAL, so reading it later holds no read transaction on the catalog. Tables whose owners
        were dropped without :meth:`drop_temp` (:meth:`forget_temp`) are removed first."""
        with self._lock:
            while self._forgotten_temp:
                self._conn.execute(f"DROP TABLE IF EXISTS temp.{self._forgotten_temp.pop()}")
            self._temp_tables += 1
            name = f"rows_{self._temp_tables}"
            self._conn.execute(f"CREATE TEMP TABLE {name} AS {sql}", tuple(params))
            return name

    def drop_temp(self, name: str) -> None:
        """Remove a table made by :meth:`materialize` (idempotent)."""
        with self._lock:
            self._conn.execute(f"DROP TABLE IF EXISTS temp.{name}")

    def forget_temp(self, name: str) -> None:
        """Mark a table of :meth:`materialize` whose owner is gone, for the next call to drop
        (safe from a garbage-collection finalizer: it only appends to a list)."""
        self._forgotten_temp.append(name)

    @contextmanager
    def work_meter(self, every: int = 100) -> Iterator[list[int]]:
        """Count SQLite virtual-machine steps (in units of ``every``) while the block runs:
        yields a one-element list holding the count. Tests compare work, not time."""
        steps = [0]

        def tick() -> int:
            steps[0] += 1
            return 0

        with self._lock:
            self._conn.set_progress_handler(tick, every)
        try:
            yield steps
        finally:
            with self._lock:
                self._conn.set_progress_handler(None, every)

    @contextmanager
    def statement_meter(self) -> Iterator[list[int]]:
        """Count the SQL statements this connection runs while the block runs: yields a
        one-element list holding the count. Tests count the catalog round trips of a call."""
        count = [0]

        def seen(_sql: str) -> None:
            count[0] += 1

        with self._lock:
            self._conn.set_trace_callback(seen)
        try:
            yield count
        finally:
            with self._lock:
                self._conn.set_trace_callback(None)

    def setting(self, key: str) -> Optional[str]:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return None if row is None else row["value"]

    def set_setting(self, key: str, value: str) -> None:
        self.exec("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def next_id(self) -> int:
        """Next object id; callers are inside a transaction, so this is race free."""
        self.exec("UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'next_id'")
        return int(self.setting("next_id") or 0)

    # -- clock ----------------------------------------------------------------------------------

    def now(self) -> int:
        """The zone's current time (epoch seconds, from the injected clock)."""
        return int(self._clock())

    def now_text(self) -> str:
        return format_time(self.now())

    # -- settings -------------------------------------------------------------------------------

    @property
    def hash_scheme(self) -> str:
        """The zone's default checksum scheme ('SHA256' or 'MD5'), read once: it is set when
        the zone is made (ZoneCatalog.create) and never changed."""
        if self._hash_scheme is None:
            self._hash_scheme = self.setting("hash_scheme") or "SHA256"
        return self._hash_scheme

    @property
    def default_resource(self) -> str:
        """Name of the resource new replicas go to when none is named."""
        return self.setting("default_resc") or "demoResc"

    @property
    def host(self) -> str:
        """The zone's server host name."""
        return self.setting("host") or "localhost"

    @property
    def port(self) -> int:
        """The zone's server port."""
        return int(self.setting("port") or 1247)

    # -- paths ----------------------------------------------------------------------------------

    def check_path(self, path: str) -> str:
        """Return ``path`` if it is an absolute, normal path inside this zone.

        Raises IrodsCallError(USER_INPUT_PATH_ERR) for a malformed path and
        IrodsCallError(SYS_INVALID_ZONE_NAME) for a path of another zone.
        """
        if not isinstance(path, str) or not path.startswith("/"):
            raise fail(USER_INPUT_PATH_ERR, f"not an absolute path: {path!r}")
        if path == "/":
            return path
        parts = path[1:].split("/")
        if any(part in ("", ".", "..") for part in parts) or "\0" in path:
            raise fail(USER_INPUT_PATH_ERR, f"malformed path: {path!r}")
        if parts[0] != self.zone_name:
            raise fail(SYS_INVALID_ZONE_NAME, f"{path} is not in zone {self.zone_name}")
        return path

    # -- identities -----------------------------------------------------------------------------

    def split_user(self, user: str) -> tuple[str, str]:
        """``'alice#z'`` -> ('alice', 'z'); a bare name belongs to this zone."""
        name, sep, zone = str(user).partition("#")
        return name, (zone if sep and zone else self.zone_name)

    @staticmethod
    def user_row(row: sqlite3.Row) -> UserRow:
        return UserRow(row["user_name"], row["zone_name"], row["user_type"], row["user_id"],
                       row["create_ts"], row["modify_ts"])

    def get_user(self, name: str, zone: Optional[str] = None) -> Optional[UserRow]:
        """The user (or group) ``name`` of ``zone`` (``name`` may be 'name#zone'), or None."""
        if zone is None:
            name, zone = self.split_user(name)
        cached = self._users.get((name, zone))
        if cached is not None:
            return cached
        row = self.one("SELECT * FROM users WHERE user_name = ? AND zone_name = ?",
                       (name, zone))
        if row is None:
            return None
        # Users are never renamed and removed only through Principals.remove_user
        # (which forgets them), so a found row may be cached.
        user = self._users[(name, zone)] = self.user_row(row)
        return user

    def forget_user(self, name: str, zone: str) -> None:
        """Drop a removed user from this process's cache of users."""
        self._users.pop((name, zone), None)

    def require_user(self, user: str) -> UserRow:
        row = self.get_user(user)
        if row is None:
            raise fail(CAT_INVALID_USER, f"unknown user {user}")
        return row

    def is_admin(self, actor: Optional[str]) -> bool:
        """True if ``actor`` ('name#zone') is a rodsadmin of THIS zone."""
        if not actor:
            return False
        row = self.get_user(actor)
        return row is not None and row.type == "rodsadmin" and row.zone == self.zone_name

    @staticmethod
    def privileged(actor: Optional[str]) -> bool:
        """Only internal calls and admin-mode requests (actor None) bypass ACLs.

        A rodsadmin is not above ACLs: the catalog's permission checks (cmlCheckDataObjOnly,
        cmlCheckDir: irods plugins/database/src/mid_level_routines.cpp@5.0.2 L1012-1075,
        L804-850) join R_OBJT_ACCESS for every client user; only the admin keyword/mode
        (ADMIN_KW, ``admin_mode``) skips them, and callers pass actor None for it.
        """
        return actor is None

    def sees_all(self, actor: Optional[str]) -> bool:
        """GenQuery rows are not filtered for a local rodsadmin (genqAppendAccessCheck:
        irods plugins/database/src/general_query.cpp@5.0.2 L1585-1597) nor internal calls."""
        return actor is None or self.is_admin(actor)

    def actor_ids(self, actor: str) -> list[int]:
        """Ids whose ACL entries apply to ``actor``: the user, its groups and 'public'.

        Guess: every user, local or remote, is a member of the local 'public' group.
        """
        ids: list[int] = []
        user = self.get_user(actor)
        if user is not None:
            ids.append(user.id)
            ids += [r["group_id"] for r in self.all(
                "SELECT group_id FROM group_members WHERE user_id = ?", (user.id,))]
        public = self.get_user(PUBLIC_GROUP, self.zone_name)
        if public is not None and public.id not in ids:
            ids.append(public.id)
        return ids

    def access_of(self, object_id: int, actor: Optional[str], groups: bool = True) -> int:
        """Highest access token ``actor`` holds on ``object_id`` (0 = none; actor None = own);
        with not ``groups``, from the actor's own entries only."""
        if self.privileged(actor):
            return ACCESS_OWN
        user = self.get_user(str(actor))
        if not groups:
            if user is None:
                return 0
            row = self.one("SELECT MAX(access_type) AS a FROM access WHERE object_id = ? "
                           "AND user_id = ?", (object_id, user.id))
            return int(row["a"] or 0) if row is not None else 0
        # The entries of actor_ids() in one query, as the server asks with one query joining
        # the user's groups (cmlCheckDataObjId, mid_level_routines.cpp@5.0.2 L1012-1075).
        public = self.get_user(PUBLIC_GROUP, self.zone_name)
        if user is None and public is None:
            return 0
        user_id = user.id if user is not None else None
        row = self.one("SELECT MAX(access_type) AS a FROM access WHERE object_id = ? AND "
                       "(user_id IN (?, ?) OR user_id IN "
                       "(SELECT group_id FROM group_members WHERE user_id = ?))",
                       (object_id, user_id, public.id if public is not None else None, user_id))
        return int(row["a"] or 0) if row is not None else 0

    def require_access(self, object_id: int, actor: Optional[str], level: int,
                       path: str) -> None:
        """Raise CAT_NO_ACCESS_PERMISSION unless ``actor`` holds ``level`` on ``object_id``."""
        if self.access_of(object_id, actor) < level:
            raise fail(CAT_NO_ACCESS_PERMISSION, f"{actor} lacks permission on {path}")

    def owner_of_actor(self, actor: Optional[str]) -> tuple[str, str]:
        """(name, zone) that owns what ``actor`` creates; internal calls create as 'rods'.

        Guess: the service account of a zone is called 'rods' (the iRODS default).
        """
        if actor is None:
            row = self.one("SELECT user_name FROM users WHERE user_type = 'rodsadmin' AND "
                           "zone_name = ? ORDER BY user_id LIMIT 1", (self.zone_name,))
            return (row["user_name"] if row else "rods"), self.zone_name
        return self.split_user(actor)
