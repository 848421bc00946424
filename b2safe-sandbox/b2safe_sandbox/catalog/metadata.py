"""AVUs (attribute-value-units) on data objects, collections, resources and users."""

from __future__ import annotations

from typing import Optional

from b2safe_sandbox.catalog.base import Db, fail
from b2safe_sandbox.catalog.namespace import Namespace
from b2safe_sandbox.catalog.principals import Principals
from b2safe_sandbox.catalog.rows import AvuRow
from b2safe_sandbox.errors import (
    CAT_INSUFFICIENT_PRIVILEGE_LEVEL,
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_RESOURCE,
    CAT_INVALID_USER,
    CAT_SQL_ERR,
    CAT_SUCCESS_BUT_WITH_NO_INFO,
    CAT_UNKNOWN_COLLECTION,
    CAT_UNKNOWN_FILE,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
)
from b2safe_sandbox.gq.columns import ACCESS_WRITE

#: Longest AVU attribute name or value the catalog stores (R_META_MAIN columns).
META_VALUE_MAX = 2700
#: Longest AVU units the catalog stores (R_META_MAIN.meta_attr_unit varchar(250)).
META_UNITS_MAX = 250

#: Accepted spellings of the object kind -> canonical kind letter.
KINDS = {"-d": "d", "-D": "d", "-c": "C", "-C": "C", "-r": "R", "-R": "R", "-u": "u", "-U": "u"}


class Metadata:
    """imeta add/set/rm/ls."""

    def __init__(self, db: Db, namespace: Namespace, principals: Principals) -> None:
        self.db = db
        self.namespace = namespace
        self.principals = principals

    def _avu_target(self, kind: str, target: str, actor: Optional[str]) -> tuple[int, str]:
        """(object id, canonical kind) of ``target``; checks that ``actor`` may change it.

        Guess: changing AVUs needs write access on a data object/collection (iRODS: create/
        delete metadata, below 'modify object') and rodsadmin for resources and users.
        """
        canon = KINDS.get(str(kind))
        if canon is None:
            raise fail(CAT_INVALID_ARGUMENT, f"bad AVU object kind {kind!r}")
        if canon == "d":
            self.db.check_path(target)
            object_id = self.namespace.data_id_at(target)
            if object_id is None:
                raise fail(CAT_UNKNOWN_FILE, f"no data object {target}")
        elif canon == "C":
            row = self.namespace.coll_row(self.db.check_path(target))
            if row is None:
                raise fail(CAT_UNKNOWN_COLLECTION, f"no collection {target}")
            object_id = row["coll_id"]
        elif canon == "R":
            resc = self.principals.get_resource(target)
            if resc is None:
                raise fail(CAT_INVALID_RESOURCE, f"no resource {target}")
            object_id = resc.id
        else:
            user = self.db.get_user(target)
            if user is None:
                raise fail(CAT_INVALID_USER, f"no user {target}")
            object_id = user.id
        return object_id, canon

    def _avu_check_actor(self, object_id: int, canon: str, target: str,
                         actor: Optional[str]) -> None:
        if actor is None:
            return
        if canon in ("d", "C"):
            self.db.require_access(object_id, actor, ACCESS_WRITE, target)
        elif not self.db.is_admin(actor):
            raise fail(CAT_INSUFFICIENT_PRIVILEGE_LEVEL, f"{actor} may not change AVUs of {target}")

    @staticmethod
    def _check_avu(attr: str, value: str, units: str = "") -> None:
        """Refuse an AVU a real catalog cannot store: an empty attribute or value
        (CAT_INVALID_ARGUMENT), or one longer than its R_META_MAIN column (CAT_SQL_ERR). Every
        route that writes an AVU checks it with its units: avu_add and avu_set (imeta,
        msiModAVUMetadata, msiAssociateKeyValuePairsToObj / msiSetKeyValuePairsToObj, whose
        units are empty) and avu_attach (msi_atomic_apply_metadata_operations)."""
        if not attr or value is None or value == "":
            raise fail(CAT_INVALID_ARGUMENT, "AVU attribute and value must not be empty")
        # R_META_MAIN.meta_attr_name and meta_attr_value are varchar(2700), meta_attr_unit
        # varchar(250) (irods: plugins/database/src/icatSysTables.sql.pp.in@5.0.2 L81).
        # A failed insert is CAT_SQL_ERR (avu_add/avu_set: db_plugin.cpp@5.0.2 findOrInsertAVU
        # L1301-1306 -> mid_level_routines.cpp@5.0.2 cmlExecuteNoAnswerSql L129-139).
        # Guess: the database refuses a longer value rather than truncating it (PostgreSQL does
        # for varchar(n); not read from a source here).
        if len(attr) > META_VALUE_MAX or len(value) > META_VALUE_MAX or \
                len(units or "") > META_UNITS_MAX:
            raise fail(CAT_SQL_ERR, f"AVU attribute or value longer than {META_VALUE_MAX} "
                                    f"characters or units longer than {META_UNITS_MAX} "
                                    "(R_META_MAIN varchar(2700), varchar(250))")

    def avu_add(self, kind: str, target: str, a: str, v: str, u: str = "",
                actor: Optional[str] = None) -> None:
        """Add AVU (a, v, u) to ``target``.

        Raises CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME for an identical AVU, CAT_UNKNOWN_FILE /
        CAT_UNKNOWN_COLLECTION / CAT_INVALID_RESOURCE / CAT_INVALID_USER for a missing target,
        CAT_INVALID_ARGUMENT for an empty attribute or value or a bad kind, CAT_SQL_ERR for
        one longer than the catalog holds (:meth:`_check_avu`), CAT_NO_ACCESS_PERMISSION when
        ``actor`` (optional) may not write it.
        """
        object_id, canon = self._avu_target(kind, target, actor)
        self._avu_check_actor(object_id, canon, target, actor)
        self._check_avu(a, v, u)
        units = u or ""
        with self.db.tx():
            if self.db.one("SELECT 1 FROM avus WHERE object_id = ? AND attr = ? AND value = ? AND "
                           "units = ?", (object_id, a, v, units)) is not None:
                raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
                           f"{target} already has AVU {a}={v}")
            now = self.db.now_text()
            self.db.exec("INSERT INTO avus (object_id, kind, attr, value, units, create_ts, "
                         "modify_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (object_id, canon, a, v, units, now, now))

    def avu_attach(self, object_id: int, kind: str, a: str, v: str, u: str = "") -> None:
        """Attach AVU (a, v, u) to the object ``object_id`` of ``kind`` unless it has it (no
        error then), in one statement: msi_atomic_apply_metadata_operations' 'add', whose
        caller found the object and checked the permission. Raises CAT_INVALID_ARGUMENT (empty
        attribute or value, bad kind), CAT_SQL_ERR (too long)."""
        canon = KINDS.get(str(kind))
        if canon is None:
            raise fail(CAT_INVALID_ARGUMENT, f"bad AVU object kind {kind!r}")
        self._check_avu(a, v, u)
        now = self.db.now_text()
        units = u or ""
        self.db.exec_atomic(
            "INSERT INTO avus (object_id, kind, attr, value, units, create_ts, modify_ts) "
            "SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM avus WHERE "
            "object_id = ? AND attr = ? AND value = ? AND units = ?)",
            (object_id, canon, a, v, units, now, now, object_id, a, v, units))

    def avu_detach(self, object_id: int, a: str, v: str, u: str = "") -> None:
        """Detach AVU (a, v, u) from the object ``object_id`` if it has it (no error when not),
        in one statement: msi_atomic_apply_metadata_operations' 'remove'."""
        self.db.exec_atomic("DELETE FROM avus WHERE object_id = ? AND attr = ? AND value = ? "
                            "AND units = ?", (object_id, a, v, u or ""))

    def avu_set(self, kind: str, target: str, a: str, v: str, u: str = "",
                actor: Optional[str] = None) -> None:
        """Make (a, v, u) the only AVU with attribute ``a`` on ``target``. Errors as avu_add,
        except that an identical AVU is not an error."""
        object_id, canon = self._avu_target(kind, target, actor)
        self._avu_check_actor(object_id, canon, target, actor)
        self._check_avu(a, v, u)
        with self.db.tx():
            now = self.db.now_text()
            self.db.exec("DELETE FROM avus WHERE object_id = ? AND attr = ?", (object_id, a))
            self.db.exec("INSERT INTO avus (object_id, kind, attr, value, units, create_ts, "
                         "modify_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (object_id, canon, a, v, u or "", now, now))

    def avu_rm(self, kind: str, target: str, a: str, v: str, u: str = "",
               actor: Optional[str] = None) -> None:
        """Remove AVU (a, v, u) from ``target``; CAT_SUCCESS_BUT_WITH_NO_INFO if it is not there.
        Other errors as avu_add."""
        object_id, canon = self._avu_target(kind, target, actor)
        self._avu_check_actor(object_id, canon, target, actor)
        with self.db.tx():
            cursor = self.db.exec("DELETE FROM avus WHERE object_id = ? AND attr = ? AND value = ? "
                                  "AND units = ?", (object_id, a, v, u or ""))
            if cursor.rowcount == 0:
                raise fail(CAT_SUCCESS_BUT_WITH_NO_INFO, f"{target} has no AVU {a}={v}")

    def avu_list(self, kind: str, target: str, attr: Optional[str] = None) -> list[AvuRow]:
        """AVUs of ``target`` (only attribute ``attr`` if given) in the order they were added."""
        object_id, _ = self._avu_target(kind, target, None)
        sql = "SELECT attr, value, units FROM avus WHERE object_id = ?"
        params: list = [object_id]
        if attr is not None:
            sql += " AND attr = ?"
            params.append(attr)
        rows = self.db.all(sql + " ORDER BY avu_id", params)
        return [AvuRow(r["attr"], r["value"], r["units"]) for r in rows]
