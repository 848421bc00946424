"""The sandbox Handle server's storage: handle records in SQLite (``<dir>/handles.sqlite``).

Handles are case-insensitive, as in Handle.Net (ASCII folding): the key column holds the
upper-cased name, which is also what reverse lookup returns (SQL-backed servers store handles in
capitals, Tech Manual 8.1.3). Values are rows ``(index, type, data, ttl, timestamp, permissions)``
where ``data`` is the JSON ``{"format": ..., "value": ...}`` object the REST API returns.

One connection per store, serialized by a lock; several processes may open the same file (WAL
mode, busy timeout), which is how ``b2safe sandbox handle get`` reads a running server's state.

The records authorization reads on every request (the prefix handle ``0.NA/<prefix>``, the user
handles and their groups) are kept decoded in a small cache (:meth:`HandleStore.get_shared`). An
entry is dropped when this store writes its handle, and the whole cache when another connection
(another process, the CLI) has committed anything since the last look: SQLite's
``PRAGMA data_version`` changes exactly then (sqlite.org/pragma.html#pragma_data_version).

The store holds the Handle users' secrets (``HS_SECKEY`` values), so it is private: its directory
is 0700 and the database file is created 0600 *before* SQLite opens it. SQLite then creates the
``-wal`` and ``-shm`` files with the database file's mode (sqlite/sqlite src/os_unix.c,
``findCreateFileMode``), so no umask or later ``chmod`` of files in use is needed.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence, Union

DB_NAME = "handles.sqlite"
#: Records kept by :meth:`HandleStore.get_shared` (a few are read per request; the rest is room).
SHARED_CACHE_SIZE = 256

#: Handles get a number in the order they are made, and their values are stored and indexed by
#: it: a new record's values go at the end of their table instead of at the random place its
#: name (a UUID suffix) sorts to, so a create touches fewer and the same pages whatever the
#: number of handles (only the name index and the reverse-lookup index take random places).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS handles (
    handle_id INTEGER PRIMARY KEY,
    handle_key TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS handle_values (
    handle_id INTEGER NOT NULL REFERENCES handles(handle_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    text TEXT NOT NULL,
    ttl INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    permissions TEXT NOT NULL,
    PRIMARY KEY (handle_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS values_by_type ON handle_values(type, text);
"""

#: A store made by an older sandbox (values keyed by the handle's name) is copied into
#: :data:`_SCHEMA`'s tables once, when it is opened: the old tables are renamed, the new ones
#: made, the rows copied (handles numbered in the order they were made) and the old dropped.
_OLD_TABLES_RENAMED = """
ALTER TABLE handles RENAME TO handles_by_name;
ALTER TABLE handle_values RENAME TO handle_values_by_name;
DROP INDEX IF EXISTS values_by_type;
"""
_OLD_ROWS_COPIED = """
INSERT INTO handles (handle_key, handle) SELECT handle_key, handle FROM handles_by_name
    ORDER BY rowid;
INSERT INTO handle_values (handle_id, idx, type, data, text, ttl, timestamp, permissions)
    SELECT h.handle_id, v.idx, v.type, v.data, v.text, v.ttl, v.timestamp, v.permissions
    FROM handle_values_by_name v JOIN handles h ON h.handle_key = v.handle_key;
DROP TABLE handle_values_by_name;
DROP TABLE handles_by_name;
"""

Value = dict  # {"index", "type", "data", "ttl", "timestamp", "permissions"}


def handle_key(handle: str) -> str:
    """The storage key of a handle: ASCII upper case (Handle.Net's case folding)."""
    return handle.upper()


#: ``json.dumps(..., sort_keys=True)`` without building an encoder per call.
_sorted_json = json.JSONEncoder(sort_keys=True).encode


def data_text(data: dict) -> str:
    """The text reverse lookup matches: the string of a string value, else its JSON."""
    value = data.get("value")
    if data.get("format") == "string" and isinstance(value, str):
        return value
    return _sorted_json(value)


def wildcard_regex(pattern: str) -> str:
    """The regex for an HRLS search value containing ``*``.

    The HRLS SQL backend turns ``*`` into ``%`` and matches with ``LIKE`` without escaping, so
    ``%`` and ``_`` in the value act as wildcards too; this reproduces that.
    """
    out = []
    for char in pattern:
        if char in "*%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "^" + "".join(out) + "$"


def _regexp(pattern: str, text: Optional[str]) -> bool:
    return text is not None and re.match(pattern, text, re.DOTALL) is not None


def _create_private(path: Path) -> None:
    """Create the database file 0600 unless it exists; an existing store readable by others
    (made by an older sandbox) is made private, with its WAL files.

    An existing file is never opened here: SQLite locks with POSIX advisory locks, which a
    process loses on *every* descriptor of the file as soon as it closes any one of them
    (fcntl(2); the SQLite documentation, "How To Corrupt An SQLite Database File", 2.2), so an
    ``open``/``close`` next to a live connection of this process drops that connection's locks
    ("disk I/O error"). Only ``stat`` and ``chmod``, which take no descriptor, touch it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        try:
            if os.stat(path.parent / name).st_mode & 0o077:
                os.chmod(path.parent / name, 0o600)
        except FileNotFoundError:
            pass


class HandleStore:
    """Handle records in one SQLite file; every method is atomic and thread-safe."""

    def __init__(self, directory: Union[str, Path]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = self.directory / DB_NAME
        _create_private(self.path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                   check_same_thread=False)
        self._db.create_function("REGEXP", 2, _regexp, deterministic=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        # No fsync, as the zone catalogs (catalog/base.py): the sandbox's records are scratch
        # state, which SQLite keeps intact when a process dies; only an OS crash or a power
        # loss may corrupt it (https://www.sqlite.org/pragma.html#pragma_synchronous). A
        # checkpoint no longer stalls the request that triggers it.
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._install_schema()
        self._shared: dict[str, Optional[list[Value]]] = {}
        self._shared_version: Optional[int] = None

    def _install_schema(self) -> None:
        """Create the tables, or bring a store of an older sandbox up to date (in one
        transaction; another process doing the same waits and then finds it done)."""
        with self.transaction() as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(handles)")}
            old = bool(columns) and "handle_id" not in columns
            scripts = (_OLD_TABLES_RENAMED, _SCHEMA, _OLD_ROWS_COPIED) if old else (_SCHEMA,)
            for script in scripts:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``) holding the store's lock."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                # A record read back after this transaction's own writes may be cached.
                self._shared.clear()
                raise
            self._db.execute("COMMIT")

    # --- reads ----------------------------------------------------------------------------------

    def exists(self, handle: str) -> bool:
        """Whether ``handle`` exists (any case)."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM handles WHERE handle_key=?",
                                   (handle_key(handle),)).fetchone()
        return row is not None

    def get(self, handle: str) -> Optional[list[Value]]:
        """All values of ``handle`` ordered by index, or None when it does not exist."""
        with self._lock:
            return self._get(self._db, handle)

    def get_shared(self, handle: str) -> Optional[list[Value]]:
        """:meth:`get` for reading only: the record may be the cached one other callers get
        too, so it must not be modified. Current as of the call (see the module docstring)."""
        key = handle_key(handle)
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if version != self._shared_version:
                self._shared.clear()
                self._shared_version = version
            if key in self._shared:
                return self._shared[key]
            record = self._get(self._db, handle)
            if len(self._shared) >= SHARED_CACHE_SIZE:
                self._shared.clear()
            self._shared[key] = record
            return record

    @staticmethod
    def _get(db: sqlite3.Connection, handle: str) -> Optional[list[Value]]:
        # One statement: no row is no handle, one row of NULLs a handle without values.
        rows = db.execute(
            "SELECT v.idx, v.type, v.data, v.ttl, v.timestamp, v.permissions FROM handles h "
            "LEFT JOIN handle_values v ON v.handle_id = h.handle_id WHERE h.handle_key=? "
            "ORDER BY v.idx", (handle_key(handle),)).fetchall()
        if not rows:
            return None
        return [{"index": idx, "type": type_, "data": json.loads(data), "ttl": ttl,
                 "timestamp": timestamp, "permissions": permissions}
                for idx, type_, data, ttl, timestamp, permissions in rows if idx is not None]

    def list_handles(self, prefix: str = "") -> list[str]:
        """Handles (upper case) under ``prefix`` (all when empty), sorted."""
        with self._lock:
            if prefix:
                pattern = handle_key(prefix).replace("\\", "\\\\").replace("%", "\\%")
                pattern = pattern.replace("_", "\\_") + "/%"
                rows = self._db.execute(
                    "SELECT handle_key FROM handles WHERE handle_key LIKE ? ESCAPE '\\' "
                    "ORDER BY handle_key", (pattern,)).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT handle_key FROM handles ORDER BY handle_key").fetchall()
        return [row[0] for row in rows]

    def count(self) -> int:
        """The number of handles stored."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM handles").fetchone()[0])

    def search(self, conditions: Sequence[tuple[str, str]], limit: Optional[int] = None
               ) -> list[str]:
        """Handles having, for every ``(type, value)``, a value of that type matching ``value``.

        A value containing ``*`` is a wildcard pattern (:func:`wildcard_regex`); otherwise the
        match is exact and case-sensitive. Conditions are ANDed (HRLS joins on the handle).
        """
        if not conditions:
            return []
        joins, params = [], []
        for number, (type_, value) in enumerate(conditions):
            alias = f"v{number}"
            if "*" in value:
                test, operand = f"{alias}.text REGEXP ?", wildcard_regex(value)
            else:
                test, operand = f"{alias}.text = ?", value
            # REGEXP(pattern, text): SQLite calls regexp(Y, X) for "X REGEXP Y".
            joins.append(f"JOIN handle_values {alias} ON {alias}.handle_id = h.handle_id "
                         f"AND {alias}.type = ? AND {test}")
            params.extend([type_, operand])
        # Only aliases and placeholders are formatted into the SQL; values are parameters.
        sql = ("SELECT DISTINCT h.handle_key FROM handles h " + " ".join(joins)  # noqa: S608
               + " ORDER BY h.handle_key")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [row[0] for row in rows]

    # --- writes (call inside transaction()) -----------------------------------------------------

    def get_in(self, db: sqlite3.Connection, handle: str) -> Optional[list[Value]]:
        """:meth:`get` inside an open transaction."""
        return self._get(db, handle)

    def create_in(self, db: sqlite3.Connection, handle: str, values: Sequence[Value], *,
                  existing: bool = True) -> None:
        """Create or replace the whole record of ``handle`` with ``values``; ``existing=False``
        says the caller found no record in this transaction (nothing to replace)."""
        key = handle_key(handle)
        self._shared.pop(key, None)
        handle_id = None
        if existing:
            handle_id = self._id_in(db, key)
            if handle_id is not None:
                db.execute("DELETE FROM handle_values WHERE handle_id=?", (handle_id,))
        if handle_id is None:
            handle_id = db.execute("INSERT INTO handles(handle_key, handle) VALUES (?, ?)",
                                   (key, handle)).lastrowid
        self._insert_values(db, int(handle_id), values)

    def put_values_in(self, db: sqlite3.Connection, handle: str, values: Sequence[Value]) -> None:
        """Add or replace ``values`` (by index) in an existing record."""
        key = handle_key(handle)
        self._shared.pop(key, None)
        handle_id = self._id_in(db, key)
        if handle_id is None:
            raise KeyError(f"no handle {handle}")
        self._insert_values(db, handle_id, values)

    @staticmethod
    def _insert_values(db: sqlite3.Connection, handle_id: int, values: Sequence[Value]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO handle_values"
            "(handle_id, idx, type, data, text, ttl, timestamp, permissions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(handle_id, value["index"], value["type"], _sorted_json(value["data"]),
              data_text(value["data"]), value["ttl"], value["timestamp"], value["permissions"])
             for value in values])

    @staticmethod
    def _id_in(db: sqlite3.Connection, key: str) -> Optional[int]:
        row = db.execute("SELECT handle_id FROM handles WHERE handle_key=?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def delete_values_in(self, db: sqlite3.Connection, handle: str, indices: Sequence[int]
                         ) -> int:
        """Delete the values at ``indices``; returns how many existed."""
        key = handle_key(handle)
        self._shared.pop(key, None)
        handle_id = self._id_in(db, key)
        if handle_id is None:
            return 0
        deleted = 0
        for index in indices:
            deleted += db.execute("DELETE FROM handle_values WHERE handle_id=? AND idx=?",
                                  (handle_id, index)).rowcount
        return deleted

    def delete_in(self, db: sqlite3.Connection, handle: str) -> bool:
        """Delete ``handle`` and its values; False when it did not exist."""
        key = handle_key(handle)
        self._shared.pop(key, None)
        handle_id = self._id_in(db, key)
        if handle_id is None:
            return False
        db.execute("DELETE FROM handle_values WHERE handle_id=?", (handle_id,))
        return db.execute("DELETE FROM handles WHERE handle_id=?", (handle_id,)).rowcount > 0


def as_json(values: Any) -> str:
    """Pretty JSON for the CLI."""
    return json.dumps(values, indent=2, sort_keys=True)
