"""GenQuery1 column names -> catalog tables and SQL expressions.

Each column belongs to one *table alias* of the sandbox catalog schema (see
``b2safe_sandbox.catalog.schema``); the compiler joins the aliases a query uses. Numbers are the
iRODS column ids (``rodsGenQuery.h``) so a runtime can fill ``GenQueryOut.sqlResult[i].attriInx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

INT = "int"
TEXT = "text"

#: Group membership as iRODS's R_USER_GROUP holds it: every user and group is a member of
#: itself (chlRegUserRE inserts that row, irods/irods plugins/database/src/db_plugin.cpp), of the
#: groups it was added to, and every user of 'public' (the acCreateUser policy adds it,
#: plugins/rule_engines/src/cpp_default_policy.cpp; the sandbox's catalog counts it the same way).
_MEMBERSHIP = ("(SELECT user_id, user_id AS group_id FROM users "
               "UNION SELECT user_id, group_id FROM group_members "
               "UNION SELECT m.user_id, p.user_id FROM users m JOIN users p "
               "ON p.user_name = 'public' AND p.user_type = 'rodsgroup' "
               "WHERE m.user_type != 'rodsgroup')")

#: Alias -> "table alias" FROM fragment.
TABLES = {
    "c": "colls c",
    "d": "data d",
    "md": "avus md",
    "mc": "avus mc",
    "mr": "avus mr",
    "mu": "avus mu",
    "da": "access da",
    "ca": "access ca",
    "dg": f"{_MEMBERSHIP} dg",
    "du": "users du",
    "cg": f"{_MEMBERSHIP} cg",
    "cu": "users cu",
    "u": "users u",
    "r": "resources r",
    "z": "zones z",
    "q": "rule_exec q",
}

#: Join order; an alias may only join to aliases earlier in this list.
ALIAS_ORDER = ("c", "d", "md", "mc", "da", "ca", "dg", "du", "cg", "cu", "u", "mu", "r", "mr",
               "z", "q")

# Access token ids (iRODS r_tokn_main, namespace access_type) and the names GenQuery returns.
ACCESS_OWN = 1200
ACCESS_WRITE = 1120
ACCESS_READ = 1050
#: Token names of catalog schema 9 (iRODS 4.3+; scripts/irods/database_upgrade.py).
ACCESS_NAMES = {ACCESS_OWN: "own", ACCESS_WRITE: "modify_object", ACCESS_READ: "read_object"}


def _access_name(alias: str) -> str:
    cases = " ".join(f"WHEN {tid} THEN '{name}'" for tid, name in ACCESS_NAMES.items())
    return f"(CASE {alias}.access_type {cases} ELSE '' END)"


@dataclass(frozen=True)
class Column:
    """One GenQuery1 column: its name, iRODS id, table alias, SQL expression and value kind."""

    name: str
    id: int
    alias: str
    sql: str
    kind: str = TEXT


def _table() -> dict[str, Column]:
    rows = [
        # zones
        ("ZONE_ID", 101, "z", "z.zone_id", INT),
        ("ZONE_NAME", 102, "z", "z.zone_name", TEXT),
        ("ZONE_TYPE", 103, "z", "z.zone_type", TEXT),
        ("ZONE_CONNECTION", 104, "z", "z.zone_conn", TEXT),
        ("ZONE_COMMENT", 105, "z", "z.comment", TEXT),
        ("ZONE_CREATE_TIME", 106, "z", "z.create_ts", TEXT),
        ("ZONE_MODIFY_TIME", 107, "z", "z.modify_ts", TEXT),
        # users
        ("USER_ID", 201, "u", "u.user_id", INT),
        ("USER_NAME", 202, "u", "u.user_name", TEXT),
        ("USER_TYPE", 203, "u", "u.user_type", TEXT),
        ("USER_ZONE", 204, "u", "u.zone_name", TEXT),
        ("USER_INFO", 206, "u", "u.info", TEXT),
        ("USER_COMMENT", 207, "u", "u.comment", TEXT),
        ("USER_CREATE_TIME", 208, "u", "u.create_ts", TEXT),
        ("USER_MODIFY_TIME", 209, "u", "u.modify_ts", TEXT),
        # resources
        ("RESC_ID", 301, "r", "r.resc_id", INT),
        ("RESC_NAME", 302, "r", "r.resc_name", TEXT),
        ("RESC_ZONE_NAME", 303, "r", "r.zone_name", TEXT),
        ("RESC_TYPE_NAME", 304, "r", "r.resc_type", TEXT),
        ("RESC_CLASS_NAME", 305, "r", "r.resc_class", TEXT),
        ("RESC_LOC", 306, "r", "r.location", TEXT),
        ("RESC_VAULT_PATH", 307, "r", "r.vault_path", TEXT),
        ("RESC_COMMENT", 310, "r", "r.comment", TEXT),
        ("RESC_CREATE_TIME", 311, "r", "r.create_ts", TEXT),
        ("RESC_MODIFY_TIME", 312, "r", "r.modify_ts", TEXT),
        ("RESC_STATUS", 313, "r", "r.status", TEXT),
        ("RESC_CHILDREN", 315, "r", "r.children", TEXT),
        ("RESC_CONTEXT", 316, "r", "r.context", TEXT),
        ("RESC_PARENT", 317, "r", "r.parent", TEXT),
        # data objects (one row per replica)
        ("DATA_ID", 401, "d", "d.data_id", INT),
        ("DATA_COLL_ID", 402, "d", "d.coll_id", INT),
        ("DATA_NAME", 403, "d", "d.data_name", TEXT),
        ("DATA_REPL_NUM", 404, "d", "d.repl_num", INT),
        ("DATA_VERSION", 405, "d", "d.version", TEXT),
        ("DATA_TYPE_NAME", 406, "d", "d.data_type", TEXT),
        ("DATA_SIZE", 407, "d", "d.size", INT),
        ("DATA_RESC_NAME", 409, "d", "d.resc_name", TEXT),
        ("DATA_PATH", 410, "d", "d.phys_path", TEXT),
        ("DATA_OWNER_NAME", 411, "d", "d.owner_name", TEXT),
        ("DATA_OWNER_ZONE", 412, "d", "d.owner_zone", TEXT),
        ("DATA_REPL_STATUS", 413, "d", "d.repl_status", INT),
        ("DATA_STATUS", 414, "d", "d.data_status", TEXT),
        ("DATA_CHECKSUM", 415, "d", "d.checksum", TEXT),
        ("DATA_EXPIRY", 416, "d", "d.expiry", TEXT),
        ("DATA_MAP_ID", 417, "d", "d.map_id", INT),
        ("DATA_COMMENTS", 418, "d", "d.comments", TEXT),
        ("DATA_CREATE_TIME", 419, "d", "d.create_ts", TEXT),
        ("DATA_MODIFY_TIME", 420, "d", "d.modify_ts", TEXT),
        # 5.0 only: lib/core/include/irods/rodsGenQuery.h@5.0.2 L174 (absent at 4.3.5),
        # plugins/database/src/general_query_setup.cpp@5.0.2 L254 (R_DATA_MAIN.access_ts).
        ("DATA_ACCESS_TIME", 424, "d", "d.access_ts", TEXT),
        # Guess: DATA_MODE's id (421) is not in python-irodsclient's table.
        ("DATA_MODE", 421, "d", "d.mode", TEXT),
        ("DATA_RESC_HIER", 422, "d", "d.resc_hier", TEXT),
        ("DATA_RESC_ID", 423, "d", "d.resc_id", INT),
        # collections
        ("COLL_ID", 500, "c", "c.coll_id", INT),
        ("COLL_NAME", 501, "c", "c.coll_name", TEXT),
        ("COLL_PARENT_NAME", 502, "c", "c.parent_coll_name", TEXT),
        ("COLL_OWNER_NAME", 503, "c", "c.owner_name", TEXT),
        ("COLL_OWNER_ZONE", 504, "c", "c.owner_zone", TEXT),
        ("COLL_MAP_ID", 505, "c", "c.map_id", INT),
        ("COLL_INHERITANCE", 506, "c", "c.inheritance", TEXT),
        ("COLL_COMMENTS", 507, "c", "c.comments", TEXT),
        ("COLL_CREATE_TIME", 508, "c", "c.create_ts", TEXT),
        ("COLL_MODIFY_TIME", 509, "c", "c.modify_ts", TEXT),
        # access control lists
        ("DATA_ACCESS_TYPE", 700, "da", "da.access_type", INT),
        ("DATA_ACCESS_NAME", 701, "da", _access_name("da"), TEXT),
        ("DATA_TOKEN_NAMESPACE", 702, "da", "'access_type'", TEXT),
        ("DATA_ACCESS_USER_ID", 703, "da", "da.user_id", INT),
        ("DATA_ACCESS_DATA_ID", 704, "da", "da.object_id", INT),
        ("COLL_ACCESS_TYPE", 710, "ca", "ca.access_type", INT),
        ("COLL_ACCESS_NAME", 711, "ca", _access_name("ca"), TEXT),
        ("COLL_TOKEN_NAMESPACE", 712, "ca", "'access_type'", TEXT),
        ("COLL_ACCESS_USER_ID", 713, "ca", "ca.user_id", INT),
        ("COLL_ACCESS_COLL_ID", 714, "ca", "ca.object_id", INT),
        # The users an ACL entry applies to: its holder, or every member of the group holding it
        # (general_query_setup.cpp: r_data_access.user_id = r_data_user_group.group_user_id,
        # r_data_user_group.user_id = r_data_user_main.user_id; the same for collections).
        # "DATA_USER_NAME = 'alice'" thus selects the entries that give alice rights, directly or
        # through a group, as the server's own check does (cmlCheckDataObjOnly).
        ("COLL_USER_NAME", 1300, "cu", "cu.user_name", TEXT),
        ("COLL_USER_ZONE", 1301, "cu", "cu.zone_name", TEXT),
        ("DATA_USER_NAME", 1310, "du", "du.user_name", TEXT),
        ("DATA_USER_ZONE", 1311, "du", "du.zone_name", TEXT),
        # delayed rules
        ("RULE_EXEC_ID", 1000, "q", "q.rule_exec_id", INT),
        ("RULE_EXEC_NAME", 1001, "q", "q.rule_name", TEXT),
        ("RULE_EXEC_REI_FILE_PATH", 1002, "q", "q.rei_file_path", TEXT),
        ("RULE_EXEC_USER_NAME", 1003, "q", "q.user_name", TEXT),
        ("RULE_EXEC_ADDRESS", 1004, "q", "q.exe_address", TEXT),
        ("RULE_EXEC_TIME", 1005, "q", "q.exe_time", TEXT),
        ("RULE_EXEC_FREQUENCY", 1006, "q", "q.exe_frequency", TEXT),
        ("RULE_EXEC_PRIORITY", 1007, "q", "q.priority", TEXT),
        ("RULE_EXEC_ESTIMATED_EXE_TIME", 1008, "q", "q.estimated_exe_time", TEXT),
        ("RULE_EXEC_NOTIFICATION_ADDR", 1009, "q", "q.notification_addr", TEXT),
        ("RULE_EXEC_LAST_EXE_TIME", 1010, "q", "q.last_exe_time", TEXT),
        ("RULE_EXEC_STATUS", 1011, "q", "q.exe_status", TEXT),
        # Guess: iRODS 4.2.9+ numbers RULE_EXEC_CONTEXT after STATUS; the exact id is unchecked.
        ("RULE_EXEC_CONTEXT", 1012, "q", "q.exe_context", TEXT),
    ]
    for prefix, alias, base in (("DATA", "md", 600), ("COLL", "mc", 610), ("RESC", "mr", 630),
                                ("USER", "mu", 640)):
        rows += [
            (f"META_{prefix}_ATTR_NAME", base, alias, f"{alias}.attr", TEXT),
            (f"META_{prefix}_ATTR_VALUE", base + 1, alias, f"{alias}.value", TEXT),
            (f"META_{prefix}_ATTR_UNITS", base + 2, alias, f"{alias}.units", TEXT),
            (f"META_{prefix}_ATTR_ID", base + 3, alias, f"{alias}.avu_id", INT),
            (f"META_{prefix}_CREATE_TIME", base + 4, alias, f"{alias}.create_ts", TEXT),
            (f"META_{prefix}_MODIFY_TIME", base + 5, alias, f"{alias}.modify_ts", TEXT),
        ]
    return {name: Column(name, cid, alias, sql, kind) for name, cid, alias, sql, kind in rows}


#: Every known column by GenQuery1 name.
COLUMNS: dict[str, Column] = _table()


#: Columns a version profile has only from that version on (the rest are in 4.3 and 5.0).
SINCE: dict[str, tuple] = {"DATA_ACCESS_TIME": (5, 0)}


def lookup(name: str) -> Column | None:
    """The column called ``name`` (exact, case-sensitive, as iRODS), or None."""
    return COLUMNS.get(name)


def unknown_in_version(names: Iterable[str], irods_version: tuple) -> list[str]:
    """The names among ``names`` a server of ``irods_version`` has no column for."""
    return [name for name in names if name in SINCE and irods_version < SINCE[name]]
