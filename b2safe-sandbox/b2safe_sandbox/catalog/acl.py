"""Access control lists and the inheritance flag."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from b2safe_sandbox.catalog.base import LEVELS, Db, fail
from b2safe_sandbox.catalog.namespace import Namespace, subtree_bounds
from b2safe_sandbox.catalog.rows import AclRow
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_UNKNOWN_COLLECTION,
    CAT_UNKNOWN_FILE,
    IrodsCallError,
)
from b2safe_sandbox.gq.columns import ACCESS_NAMES, ACCESS_OWN


class Acl:
    """ichmod: set/list/check permissions; inheritance on collections."""

    def __init__(self, db: Db, namespace: Namespace) -> None:
        self.db = db
        self.namespace = namespace

    def _object_id(self, path: str) -> tuple[int, bool]:
        """(id, is_collection) of what is at ``path``; CAT_UNKNOWN_FILE if nothing."""
        self.db.check_path(path)
        coll = self.namespace.coll_row(path)
        if coll is not None:
            return int(coll["coll_id"]), True
        data_id = self.namespace.data_id_at(path)
        if data_id is None:
            raise fail(CAT_UNKNOWN_FILE, f"nothing at {path}")
        return data_id, False

    def _subtree_for(self, path: str, actor: Optional[str]) -> Iterator[int]:
        """Ids of everything below collection ``path`` that ``actor`` owns (all for actor None),
        one at a time: a recursive change of a large tree holds no list of its ids. Each id is
        checked before it is changed and a change touches only its own object's entries, so
        the answers are those of checking every id first."""
        privileged = self.db.privileged(actor)
        for object_id in self.namespace.iter_subtree_ids(path):
            if privileged or self.db.access_of(object_id, actor) >= ACCESS_OWN:
                yield object_id

    def acl_set(self, path: str, user: str, level: str, actor: Optional[str],
                recursive: bool = False) -> None:
        """Give ``user`` ('name#zone', a bare name = this zone) ``level`` on ``path``.

        ``level``: 'own', 'write'/'modify object', 'read'/'read object', or 'null' (remove).
        Needs 'own', a rodsadmin too (its admin mode, ``ichmod -M``, passes actor None).
        ``recursive`` on a collection also changes everything below that ``actor`` owns.
        Raises CAT_UNKNOWN_FILE (nothing at ``path``), CAT_INVALID_USER,
        CAT_INVALID_ARGUMENT (bad level), CAT_NO_ACCESS_PERMISSION.
        """
        name = str(level).strip().lower()
        if name not in LEVELS and name != "null":
            raise fail(CAT_INVALID_ARGUMENT, f"bad access level {level!r}")
        object_id, is_coll = self._object_id(path)
        grantee = self.db.require_user(user)
        self.db.require_access(object_id, actor, ACCESS_OWN, path)
        targets: Iterable[int] = [object_id]
        if recursive and is_coll:
            targets = self._subtree_for(path, actor)
        with self.db.tx():
            now = self.db.now_text()
            for target in targets:
                if name == "null":
                    self.db.exec("DELETE FROM access WHERE object_id = ? AND user_id = ?",
                                 (target, grantee.id))
                else:
                    self.db.exec("INSERT OR REPLACE INTO access (object_id, user_id, access_type, "
                                 "create_ts, modify_ts) VALUES (?, ?, ?, ?, ?)",
                                 (target, grantee.id, LEVELS[name], now, now))

    def acl_inherit(self, path: str, on: bool, actor: Optional[str],
                    recursive: bool = False) -> None:
        """Set or clear the inheritance flag of collection ``path`` (and those below it that
        ``actor`` owns, when ``recursive``). Needs 'own'. Raises CAT_UNKNOWN_COLLECTION."""
        row = self.namespace.coll_row(self.db.check_path(path))
        if row is None:
            raise fail(CAT_UNKNOWN_COLLECTION, f"no collection {path}")
        self.db.require_access(row["coll_id"], actor, ACCESS_OWN, path)
        flag = "1" if on else "0"
        with self.db.tx():
            if recursive:
                low, high = subtree_bounds(path)
                for coll in self.db.all("SELECT coll_id FROM colls WHERE coll_name = ? OR "
                                        "(coll_name > ? AND coll_name < ?)", (path, low, high)):
                    if self.db.access_of(coll["coll_id"], actor) >= ACCESS_OWN:
                        self.db.exec("UPDATE colls SET inheritance = ? WHERE coll_id = ?",
                                     (flag, coll["coll_id"]))
            else:
                self.db.exec("UPDATE colls SET inheritance = ? WHERE coll_id = ?",
                             (flag, row["coll_id"]))

    def acl_list(self, path: str) -> list[AclRow]:
        """ACL entries of ``path`` ordered by zone and user name. Raises CAT_UNKNOWN_FILE."""
        object_id, _ = self._object_id(path)
        rows = self.db.all("SELECT u.user_name, u.zone_name, a.access_type FROM access a "
                           "JOIN users u ON u.user_id = a.user_id WHERE a.object_id = ? "
                           "ORDER BY u.zone_name, u.user_name", (object_id,))
        return [AclRow(r["user_name"], r["zone_name"],
                       ACCESS_NAMES.get(r["access_type"], str(r["access_type"]))) for r in rows]

    def check_access(self, path: str, user: Optional[str], level: str,
                     groups: bool = True) -> bool:
        """True if ``user`` holds at least ``level`` on ``path`` (levels nest: own > write >
        read; groups and 'public' count unless not ``groups``; a rodsadmin needs an ACL too).
        False if nothing is at ``path``. Raises CAT_INVALID_ARGUMENT for an unknown level
        name."""
        name = str(level).strip().lower()
        if name not in LEVELS:
            raise fail(CAT_INVALID_ARGUMENT, f"bad access level {level!r}")
        try:
            object_id, _ = self._object_id(path)
        except IrodsCallError:
            return False
        return self.db.access_of(object_id, user, groups=groups) >= LEVELS[name]

    def visible(self, path: str, actor: Optional[str]) -> bool:
        """True if ``actor``'s GenQuery shows ``path``: read access, or a local rodsadmin."""
        return self.db.sees_all(actor) or self.check_access(path, actor, "read_object")

    def entity_rights(self, path: str, collection: bool, actor: Optional[str]
                      ) -> Optional[tuple[int, bool, bool]]:
        """(id, visible, may modify) of the collection (``collection``) or data object at
        ``path`` for ``actor``: what :meth:`visible` and :meth:`check_access` with
        'modify_object' answer, from one lookup and one ACL query. None when there is no such
        collection or data object. Raises USER_INPUT_PATH_ERR / SYS_INVALID_ZONE_NAME for a
        malformed path or one of another zone."""
        self.db.check_path(path)
        if collection:
            row = self.namespace.coll_row(path)
            object_id = None if row is None else int(row["coll_id"])
        else:
            object_id = self.namespace.data_id_at(path)
        if object_id is None:
            return None
        level = self.db.access_of(object_id, actor)
        return (object_id, self.db.sees_all(actor) or level >= LEVELS["read_object"],
                level >= LEVELS["modify_object"])
