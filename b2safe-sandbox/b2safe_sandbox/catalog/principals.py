"""Users, groups, zones and resources of a zone catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from b2safe_sandbox.catalog.base import Db, fail
from b2safe_sandbox.catalog.namespace import Namespace
from b2safe_sandbox.catalog.rows import RescRow, UserRow, ZoneRow
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_INVALID_USER,
    CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME,
    SYS_RESC_DOES_NOT_EXIST,
)
from b2safe_sandbox.gq.columns import ACCESS_OWN

USER_TYPES = ("rodsadmin", "rodsuser", "rodsgroup")
ZONE_TYPES = ("local", "remote")


class Principals:
    """add/get/list for users, groups, zones and resources."""

    def __init__(self, db: Db, namespace: Namespace) -> None:
        self.db = db
        self.namespace = namespace

    # -- users ----------------------------------------------------------------------------------

    def add_user(self, name: str, zone: Optional[str] = None, type: str = "rodsuser",
                 create_home: bool = True) -> UserRow:
        """Register a user (or a 'rodsgroup') of ``zone`` (default: this zone).

        Like ``iadmin mkuser``, a local rodsuser/rodsadmin gets ``/zone/home/<name>`` (owned by
        it) and ``/zone/trash/home/<name>`` unless ``create_home`` is False (collections already
        there are kept). Raises CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME for a duplicate and
        CAT_INVALID_ARGUMENT for a bad name or type.
        """
        zone = zone or self.db.zone_name
        if type not in USER_TYPES:
            raise fail(CAT_INVALID_ARGUMENT, f"bad user type {type!r}")
        if not name or "#" in name or "/" in name or name != name.strip():
            raise fail(CAT_INVALID_ARGUMENT, f"bad user name {name!r}")
        if self.db.get_user(name, zone) is not None:
            raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, f"user {name}#{zone} exists")
        with self.db.tx():
            now = self.db.now_text()
            uid = self.db.next_id()
            self.db.exec("INSERT INTO users (user_id, user_name, zone_name, user_type, create_ts, "
                         "modify_ts) VALUES (?, ?, ?, ?, ?, ?)", (uid, name, zone, type, now, now))
            if type == "rodsadmin" and zone == self.db.zone_name:
                self._own_system_collections(uid, name, now)
            if create_home and zone == self.db.zone_name and type != "rodsgroup":
                for parent in (f"/{zone}/home", f"/{zone}/trash/home"):
                    path = f"{parent}/{name}"
                    if (self.namespace.coll_row(path) is None
                        and self.namespace.coll_row(parent) is not None):
                        self.namespace.insert_coll(path, name, zone)
        user = self.db.get_user(name, zone)
        assert user is not None
        return user

    def remove_user(self, name: str, zone: Optional[str] = None) -> None:
        """Remove user (or group) ``name`` of ``zone`` with its ACLs, group memberships and
        AVUs, as chlDelUserRE does (irods plugins/database/src/db_plugin.cpp@5.0.2
        L4155-4340); its collections stay. Raises CAT_INVALID_USER when unknown."""
        zone = zone or self.db.zone_name
        row = self.db.get_user(name, zone)
        if row is None:
            raise fail(CAT_INVALID_USER, f"no user {name}#{zone}")
        with self.db.tx():
            self.db.exec("DELETE FROM users WHERE user_id = ?", (row.id,))
            self.db.exec("DELETE FROM access WHERE user_id = ?", (row.id,))
            self.db.exec("DELETE FROM group_members WHERE user_id = ? OR group_id = ?",
                         (row.id, row.id))
            self.db.exec("DELETE FROM avus WHERE object_id = ?", (row.id,))
        self.db.forget_user(name, zone)

    def _own_system_collections(self, uid: int, name: str, now: str) -> None:
        """Give the zone's service account 'own' on the system collections it owns.

        Like the catalog bootstrap (irods scripts/irods/database_connect.py@5.0.2 L425-460:
        '/', '/zone', '/zone/home', '/zone/trash', '/zone/trash/home' get an R_OBJT_ACCESS
        row of access 1200 for the zone user): a rodsadmin is not above ACLs, so without these
        rows it could not create collections below them.
        """
        zone = f"/{self.db.zone_name}"
        for path in ("/", zone, f"{zone}/home", f"{zone}/trash", f"{zone}/trash/home"):
            self.db.exec("INSERT OR IGNORE INTO access (object_id, user_id, access_type, "
                         "create_ts, modify_ts) SELECT coll_id, ?, ?, ?, ? FROM colls "
                         "WHERE coll_name = ? AND owner_name = ? AND owner_zone = ?",
                         (uid, ACCESS_OWN, now, now, path, name, self.db.zone_name))

    def list_users(self) -> list[UserRow]:
        """Every user and group, ordered by zone then name."""
        rows = self.db.all("SELECT * FROM users ORDER BY zone_name, user_name")
        return [self.db.user_row(r) for r in rows]

    def group_add_member(self, group: str, user: str) -> None:
        """Put ``user`` ('name#zone') into local group ``group``.

        Raises CAT_INVALID_USER when either is unknown or ``group`` is not a group.
        """
        grp = self.db.require_user(group)
        if grp.type != "rodsgroup":
            raise fail(CAT_INVALID_USER, f"{group} is not a group")
        member = self.db.require_user(user)
        with self.db.tx():
            self.db.exec("INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)",
                         (grp.id, member.id))

    def group_remove_member(self, group: str, user: str) -> None:
        """Take ``user`` out of ``group`` (no error if it was not a member)."""
        grp = self.db.require_user(group)
        member = self.db.require_user(user)
        with self.db.tx():
            self.db.exec("DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                         (grp.id, member.id))

    def groups_of(self, user: str) -> list[str]:
        """Names of the groups ``user`` ('name#zone') is a member of, sorted ([] if unknown)."""
        member = self.db.get_user(user)
        if member is None:
            return []
        rows = self.db.all("SELECT u.user_name FROM users u JOIN group_members g "
                           "ON g.group_id = u.user_id WHERE g.user_id = ? ORDER BY u.user_name",
                           (member.id,))
        return [r["user_name"] for r in rows]

    def group_members(self, group: str) -> list[UserRow]:
        """Members of ``group`` ordered by zone then name."""
        grp = self.db.require_user(group)
        rows = self.db.all("SELECT u.* FROM users u JOIN group_members g ON g.user_id = u.user_id "
                           "WHERE g.group_id = ? ORDER BY u.zone_name, u.user_name", (grp.id,))
        return [self.db.user_row(r) for r in rows]

    # -- zones ----------------------------------------------------------------------------------

    @staticmethod
    def _zone_row(row) -> ZoneRow:
        return ZoneRow(row["zone_name"], row["zone_type"], row["zone_conn"], row["zone_id"])

    def add_zone(self, name: str, type: str = "remote", connection: str = "") -> ZoneRow:
        """Register a zone (``type`` 'local'|'remote', ``connection`` 'host:port').

        Raises CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME if known, CAT_INVALID_ARGUMENT for a bad type.
        """
        if type not in ZONE_TYPES:
            raise fail(CAT_INVALID_ARGUMENT, f"bad zone type {type!r}")
        if not name or "/" in name or "#" in name:
            raise fail(CAT_INVALID_ARGUMENT, f"bad zone name {name!r}")
        if self.get_zone(name) is not None:
            raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, f"zone {name} exists")
        with self.db.tx():
            now = self.db.now_text()
            zid = self.db.next_id()
            self.db.exec("INSERT INTO zones (zone_id, zone_name, zone_type, zone_conn, create_ts, "
                         "modify_ts) VALUES (?, ?, ?, ?, ?, ?)",
                         (zid, name, type, connection, now, now))
        zone = self.get_zone(name)
        assert zone is not None
        return zone

    def get_zone(self, name: str) -> Optional[ZoneRow]:
        """The zone called ``name``, or None."""
        row = self.db.one("SELECT * FROM zones WHERE zone_name = ?", (name,))
        return None if row is None else self._zone_row(row)

    def list_zones(self) -> list[ZoneRow]:
        """All zones, the local one first, then by name."""
        rows = self.db.all("SELECT * FROM zones ORDER BY zone_type != 'local', zone_name")
        return [self._zone_row(r) for r in rows]

    # -- resources ------------------------------------------------------------------------------

    @staticmethod
    def _resc_row(row) -> RescRow:
        return RescRow(row["resc_name"], row["resc_type"], row["vault_path"], row["resc_id"])

    def add_resource(self, name: str, type: str = "unixfilesystem",
                     vault_path: Union[str, Path, None] = None) -> RescRow:
        """Register a storage resource; its vault defaults to ``zone_dir/vault/<name>``.

        The vault directory is created. Raises CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME if the
        name is taken, CAT_INVALID_ARGUMENT for a bad name.
        """
        if not name or "/" in name or ";" in name or name != name.strip():
            raise fail(CAT_INVALID_ARGUMENT, f"bad resource name {name!r}")
        if self.get_resource(name) is not None:
            raise fail(CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME, f"resource {name} exists")
        vault = Path(vault_path) if vault_path else self.db.zone_dir / "vault" / name
        vault.mkdir(parents=True, exist_ok=True)
        with self.db.tx():
            now = self.db.now_text()
            rid = self.db.next_id()
            self.db.exec("INSERT INTO resources (resc_id, resc_name, resc_type, zone_name, "
                         "location, vault_path, create_ts, modify_ts) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (rid, name, type, self.db.zone_name, self.db.host, str(vault), now, now))
        resc = self.get_resource(name)
        assert resc is not None
        return resc

    def get_resource(self, name: str) -> Optional[RescRow]:
        """The resource called ``name``, or None."""
        cached = self.db.resc_cache.get(name)
        if cached is not None:
            return cached
        row = self.db.one("SELECT * FROM resources WHERE resc_name = ?", (name,))
        if row is None:
            return None
        # Resources are never removed or changed, so a found row may be cached.
        resc = self.db.resc_cache[name] = self._resc_row(row)
        return resc

    def resource_record(self, name: str) -> Optional[dict]:
        """Every column of resource ``name`` (resc_id, zone_name, location, vault_path, status,
        comment, create_ts, modify_ts ...) as a dict, or None."""
        row = self.db.one("SELECT * FROM resources WHERE resc_name = ?", (name,))
        return dict(row) if row is not None else None

    def list_resources(self) -> list[RescRow]:
        """All resources by name."""
        rows = self.db.all("SELECT * FROM resources ORDER BY resc_name")
        return [self._resc_row(r) for r in rows]

    def require_resource(self, name: Optional[str]) -> RescRow:
        resc = self.get_resource(name or self.db.default_resource)
        if resc is None:
            raise fail(SYS_RESC_DOES_NOT_EXIST, f"no resource {name}")
        return resc

    def set_default_resource(self, name: str) -> None:
        """Make ``name`` the default resource (SYS_RESC_DOES_NOT_EXIST if unknown)."""
        self.require_resource(name)
        with self.db.tx():
            self.db.set_setting("default_resc", name)
