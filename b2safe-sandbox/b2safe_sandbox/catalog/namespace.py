"""Collections: create, remove, rename, list; and what the other parts need about them."""

from __future__ import annotations

import sqlite3
from typing import Iterator, Optional

from b2safe_sandbox import vault
from b2safe_sandbox.catalog.base import Db, fail, join_path, split_path
from b2safe_sandbox.catalog.rows import CollRow
from b2safe_sandbox.errors import (
    CAT_COLLECTION_NOT_EMPTY,
    CAT_INVALID_ARGUMENT,
    CAT_NAME_EXISTS_AS_COLLECTION,
    CAT_NAME_EXISTS_AS_DATAOBJ,
    CAT_NO_ACCESS_PERMISSION,
    CAT_UNKNOWN_COLLECTION,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    IrodsCallError,
)
from b2safe_sandbox.gq.columns import ACCESS_OWN, ACCESS_READ, ACCESS_WRITE


def subtree_bounds(path: str) -> tuple[str, str]:
    """(low, high) such that ``low < name < high`` selects every path strictly below ``path``.

    '/' sorts just before '0', so this is an index range with no LIKE escaping.
    """
    prefix = "/" if path == "/" else path + "/"
    return prefix, prefix[:-1] + "0"


class Namespace:
    """Collection operations."""

    def __init__(self, db: Db) -> None:
        self.db = db

    # -- lookups --------------------------------------------------------------------------------

    def coll_row(self, path: str) -> Optional[sqlite3.Row]:
        return self.db.one("SELECT * FROM colls WHERE coll_name = ?", (path,))

    @staticmethod
    def _to_coll(row: sqlite3.Row) -> CollRow:
        return CollRow(row["coll_id"], row["coll_name"], row["parent_coll_name"],
                       row["owner_name"], row["owner_zone"], row["create_ts"], row["modify_ts"],
                       row["inheritance"] == "1")

    def coll_get(self, path: str) -> Optional[CollRow]:
        """The collection at ``path``, or None."""
        row = self.coll_row(self.db.check_path(path))
        return None if row is None else self._to_coll(row)

    def _require_coll(self, path: str) -> sqlite3.Row:
        row = self.coll_row(self.db.check_path(path))
        if row is None:
            raise fail(CAT_UNKNOWN_COLLECTION, f"no collection {path}")
        return row

    def data_id_at(self, path: str) -> Optional[int]:
        """DATA_ID of the data object at ``path`` (None if there is none)."""
        parent, name = split_path(path)
        row = self.db.one("SELECT d.data_id FROM data d JOIN colls c ON c.coll_id = d.coll_id "
                          "WHERE c.coll_name = ? AND d.data_name = ? LIMIT 1", (parent, name))
        return None if row is None else int(row["data_id"])

    def ensure_free(self, path: str) -> None:
        """Raise CAT_NAME_EXISTS_AS_COLLECTION / _DATAOBJ if something lives at ``path``."""
        if self.coll_row(path) is not None:
            raise fail(CAT_NAME_EXISTS_AS_COLLECTION, f"{path} is a collection")
        if self.data_id_at(path) is not None:
            raise fail(CAT_NAME_EXISTS_AS_DATAOBJ, f"{path} is a data object")

    def _protected(self, path: str) -> bool:
        zone = f"/{self.db.zone_name}"
        return path in ("/", zone, f"{zone}/home", f"{zone}/trash", f"{zone}/trash/home")

    # -- creation -------------------------------------------------------------------------------

    def grant(self, object_id: int, user_id: int, level: int, now: str) -> None:
        """Give ``user_id`` at least ``level`` on ``object_id``."""
        self.db.exec("INSERT INTO access (object_id, user_id, access_type, create_ts, modify_ts) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (object_id, user_id) DO UPDATE SET "
                     "access_type = MAX(access_type, excluded.access_type), modify_ts = ?",
                     (object_id, user_id, level, now, now, now))

    def new_object_acls(self, object_id: int, parent: Optional[sqlite3.Row], owner_name: str,
                        owner_zone: str, now: str) -> None:
        """ACLs of a new object: its owner owns it; an inherit-flagged parent's ACLs are copied."""
        owner = self.db.get_user(owner_name, owner_zone)
        if parent is not None and parent["inheritance"] == "1":
            self.db.exec("INSERT INTO access (object_id, user_id, access_type, create_ts, "
                         "modify_ts) SELECT ?, user_id, access_type, ?, ? FROM access "
                         "WHERE object_id = ?", (object_id, now, now, parent["coll_id"]))
        if owner is not None:
            self.grant(object_id, owner.id, ACCESS_OWN, now)

    def insert_coll(self, path: str, owner_name: str, owner_zone: str) -> int:
        """Insert collection ``path`` (parent must exist); returns its id."""
        parent_path, _ = split_path(path)
        parent = self.coll_row(parent_path) if parent_path else None
        inherit = "1" if parent is not None and parent["inheritance"] == "1" else "0"
        with self.db.tx():
            now = self.db.now_text()
            cid = self.db.next_id()
            self.db.exec("INSERT INTO colls (coll_id, coll_name, parent_coll_name, owner_name, "
                         "owner_zone, inheritance, create_ts, modify_ts) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (cid, path, parent_path, owner_name, owner_zone, inherit, now, now))
            self.new_object_acls(cid, parent, owner_name, owner_zone, now)
        return cid

    def coll_create(self, path: str, actor: Optional[str], recursive: bool = False) -> CollRow:
        """Create collection ``path`` owned by ``actor`` (``recursive``: like mkdir -p).

        Raises CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME if it exists (unless ``recursive``, which
        returns it), CAT_NAME_EXISTS_AS_DATAOBJ if a data object is there, CAT_UNKNOWN_COLLECTION
        if the parent is missing (not recursive), CAT_NO_ACCESS_PERMISSION without write access
        on the parent.
        """
        self.db.check_path(path)
        existing = self.coll_row(path)
        if existing is not None:
            if recursive:
                return self._to_coll(existing)
            raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, f"collection {path} exists")
        if self.data_id_at(path) is not None:
            raise fail(CAT_NAME_EXISTS_AS_DATAOBJ, f"{path} is a data object")
        parent_path, _ = split_path(path)
        owner_name, owner_zone = self.db.owner_of_actor(actor)
        try:
            with self.db.tx():
                parent = self.coll_row(parent_path)
                if parent is None:
                    if not recursive:
                        raise fail(CAT_UNKNOWN_COLLECTION, f"no parent collection {parent_path}")
                    self.coll_create(parent_path, actor, recursive=True)
                    parent = self.coll_row(parent_path)
                    assert parent is not None
                self.db.require_access(parent["coll_id"], actor, ACCESS_WRITE, parent_path)
                self.insert_coll(path, owner_name, owner_zone)
                row = self.coll_row(path)
        except IrodsCallError as exc:
            # Another agent created it since the check: mkdir -p takes it as done, as the
            # server's rsMkCollR does (irods/irods server/core/src/collection.cpp).
            row = self.coll_row(path)
            if not recursive or exc.code != CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME or row is None:
                raise
        assert row is not None
        return self._to_coll(row)

    # -- removal --------------------------------------------------------------------------------

    def iter_subtree_ids(self, path: str) -> Iterator[int]:
        """The collection ids (``path``'s own first), then the data ids, of everything at or
        below ``path``, read a chunk at a time: memory does not grow with the subtree."""
        low, high = subtree_bounds(path)
        for row in self.db.stream("SELECT coll_id FROM colls WHERE coll_name = ? OR "
                                  "(coll_name > ? AND coll_name < ?)", (path, low, high)):
            yield int(row["coll_id"])
        for row in self.db.stream(
                "SELECT DISTINCT d.data_id FROM data d JOIN colls c ON c.coll_id = d.coll_id "
                "WHERE c.coll_name = ? OR (c.coll_name > ? AND c.coll_name < ?)",
                (path, low, high)):
            yield int(row["data_id"])

    def subtree_ids(self, path: str) -> tuple[list[int], list[int]]:
        """(collection ids incl. ``path``'s own, data ids) of everything at/below ``path``."""
        low, high = subtree_bounds(path)
        colls = [r["coll_id"] for r in self.db.all(
            "SELECT coll_id FROM colls WHERE coll_name = ? OR (coll_name > ? AND coll_name < ?)",
            (path, low, high))]
        data = [r["data_id"] for r in self.db.all(
            "SELECT DISTINCT d.data_id FROM data d JOIN colls c ON c.coll_id = d.coll_id "
            "WHERE c.coll_name = ? OR (c.coll_name > ? AND c.coll_name < ?)", (path, low, high))]
        return colls, data

    def delete_objects(self, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for table in ("avus", "access"):
                self.db.exec(f"DELETE FROM {table} WHERE object_id IN ({marks})", chunk)  # noqa: S608

    def coll_remove(self, path: str, actor: Optional[str], recursive: bool = False) -> None:
        """Remove collection ``path`` (with everything below it when ``recursive``).

        Removing needs 'own' on the collection and, when recursive, on everything below.
        Guess: iRODS 4.2 deletion needs ACCESS_DELETE_OBJECT (1130), above 'modify object',
        so in effect 'own'. Raises CAT_UNKNOWN_COLLECTION, CAT_COLLECTION_NOT_EMPTY,
        CAT_NO_ACCESS_PERMISSION, CAT_INVALID_ARGUMENT (the zone's fixed collections).
        """
        row = self._require_coll(path)
        if self._protected(path):
            raise fail(CAT_INVALID_ARGUMENT, f"{path} cannot be removed")
        self.db.require_access(row["coll_id"], actor, ACCESS_OWN, path)
        colls, data = self.subtree_ids(path)
        if (len(colls) > 1 or data) and not recursive:
            raise fail(CAT_COLLECTION_NOT_EMPTY, f"collection {path} is not empty")
        if not self.db.privileged(actor):
            for object_id in colls + data:
                if self.db.access_of(object_id, actor) < ACCESS_OWN:
                    raise fail(CAT_NO_ACCESS_PERMISSION, f"{actor} may not remove all of {path}")
        low, high = subtree_bounds(path)
        phys = [r["phys_path"] for r in self.db.all(
            "SELECT d.phys_path FROM data d JOIN colls c ON c.coll_id = d.coll_id "
            "WHERE c.coll_name = ? OR (c.coll_name > ? AND c.coll_name < ?)", (path, low, high))]
        with self.db.tx():
            self.delete_objects(colls + data)
            for start in range(0, len(colls), 500):
                chunk = colls[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                self.db.exec(f"DELETE FROM data WHERE coll_id IN ({marks})", chunk)  # noqa: S608
                self.db.exec(f"DELETE FROM colls WHERE coll_id IN ({marks})", chunk)  # noqa: S608
        for file in phys:
            vault.remove(file)

    # -- rename ---------------------------------------------------------------------------------

    def coll_rename(self, src: str, dst: str, actor: Optional[str]) -> CollRow:
        """Move collection ``src`` (and everything below) to ``dst``; vault files move too.

        Needs 'own' on ``src`` and write on ``dst``'s parent. Raises CAT_UNKNOWN_COLLECTION
        (``src`` or ``dst``'s parent missing), CAT_NAME_EXISTS_AS_COLLECTION/_DATAOBJ (``dst``
        taken), CAT_INVALID_ARGUMENT (fixed collections, or ``dst`` inside ``src``).
        Guess: iRODS keeps physical paths on a collection rename; we move the files so a later
        object at the old path cannot collide with them.
        """
        row = self._require_coll(src)
        self.db.check_path(dst)
        if self._protected(src) or self._protected(dst):
            raise fail(CAT_INVALID_ARGUMENT, f"{src} cannot be renamed to {dst}")
        if dst == src or dst.startswith(src + "/"):
            raise fail(CAT_INVALID_ARGUMENT, f"cannot move {src} into itself")
        self.ensure_free(dst)
        dst_parent_path, _ = split_path(dst)
        dst_parent = self._require_coll(dst_parent_path)
        self.db.require_access(row["coll_id"], actor, ACCESS_OWN, src)
        self.db.require_access(dst_parent["coll_id"], actor, ACCESS_WRITE, dst_parent_path)
        low, high = subtree_bounds(src)
        moves = []
        with self.db.tx():
            now = self.db.now_text()
            rows = self.db.all("SELECT coll_id, coll_name, parent_coll_name FROM colls WHERE "
                               "coll_name = ? OR (coll_name > ? AND coll_name < ?)",
                               (src, low, high))
            for coll in rows:
                name = dst + coll["coll_name"][len(src):]
                parent = dst_parent_path if coll["coll_name"] == src else \
                    dst + coll["parent_coll_name"][len(src):]
                self.db.exec("UPDATE colls SET coll_name = ?, parent_coll_name = ? "
                             "WHERE coll_id = ?", (name, parent, coll["coll_id"]))
            self.db.exec("UPDATE colls SET modify_ts = ? WHERE coll_id = ?", (now, row["coll_id"]))
            for resc in self.db.all("SELECT vault_path FROM resources"):
                old_dir = str(vault.physical_path(resc["vault_path"], src))
                new_dir = str(vault.physical_path(resc["vault_path"], dst))
                moves.append((old_dir, new_dir))
                for rep in self.db.all(
                        "SELECT d.data_id, d.repl_num, d.phys_path FROM data d JOIN colls c ON "
                        "c.coll_id = d.coll_id WHERE c.coll_name = ? OR (c.coll_name > ? AND "
                        "c.coll_name < ?)", (dst, *subtree_bounds(dst))):
                    if rep["phys_path"].startswith(old_dir + "/"):
                        self.db.exec("UPDATE data SET phys_path = ? WHERE data_id = ? AND "
                                     "repl_num = ?", (new_dir + rep["phys_path"][len(old_dir):],
                                                    rep["data_id"], rep["repl_num"]))
        for old_dir, new_dir in moves:
            vault.move(old_dir, new_dir)
        new = self.coll_row(dst)
        assert new is not None
        return self._to_coll(new)

    # -- listing --------------------------------------------------------------------------------

    def coll_list(self, path: str, actor: Optional[str] = None) -> Iterator[tuple[str, str]]:
        """Children of ``path`` as ('d', data name) then ('C', sub-collection name), each sorted.

        Streamed from the database. With ``actor``, only children it may read are listed (as
        ``ils`` shows what GenQuery returns). Raises CAT_UNKNOWN_COLLECTION at once.
        """
        row = self._require_coll(path)
        coll_id = row["coll_id"]
        filt = ""
        params: list = []
        if not self.db.sees_all(actor):
            ids = self.db.actor_ids(str(actor))
            marks = ", ".join("?" for _ in ids) or "NULL"
            filt = (f" AND EXISTS (SELECT 1 FROM access a WHERE a.object_id = {{}} AND "  # noqa: S608
                    f"a.user_id IN ({marks}) AND a.access_type >= {ACCESS_READ})")
            params = list(ids)
        # Only fixed SQL fragments and '?' marks are formatted in; values are parameters.
        data_sql = ("SELECT DISTINCT d.data_name AS name FROM data d WHERE d.coll_id = ?"  # noqa: S608
                    + filt.format("d.data_id") + " ORDER BY d.data_name")
        coll_sql = ("SELECT c.coll_name AS name FROM colls c WHERE c.parent_coll_name = ? "  # noqa: S608
                    "AND c.coll_name != '/'" + filt.format("c.coll_id") + " ORDER BY c.coll_name")

        def generate() -> Iterator[tuple[str, str]]:
            for item in self.db.stream(data_sql, (coll_id, *params)):
                yield "d", item["name"]
            for item in self.db.stream(coll_sql, (path, *params)):
                yield "C", split_path(item["name"])[1]

        return generate()

    def _child_path(self, parent: str, name: str) -> str:
        return join_path(parent, name)
