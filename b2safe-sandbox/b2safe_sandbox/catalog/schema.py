"""SQLite schema of a sandbox zone catalog (a small cousin of the iRODS ICAT).

Object ids (collections, data objects, users, resources, zones, delayed rules) come from one
sequence, as in iRODS, so an AVU or ACL row can refer to any object by id alone.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS zones (
    zone_id INTEGER PRIMARY KEY, zone_name TEXT NOT NULL UNIQUE, zone_type TEXT NOT NULL,
    zone_conn TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY, user_name TEXT NOT NULL, zone_name TEXT NOT NULL,
    user_type TEXT NOT NULL, info TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL, UNIQUE (user_name, zone_name));
CREATE TABLE IF NOT EXISTS group_members (
    group_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (group_id, user_id))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resources (
    resc_id INTEGER PRIMARY KEY, resc_name TEXT NOT NULL UNIQUE, resc_type TEXT NOT NULL,
    resc_class TEXT NOT NULL DEFAULT 'cache', zone_name TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '', vault_path TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',
    children TEXT NOT NULL DEFAULT '', context TEXT NOT NULL DEFAULT '',
    parent TEXT NOT NULL DEFAULT '', create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS colls (
    coll_id INTEGER PRIMARY KEY, coll_name TEXT NOT NULL UNIQUE,
    parent_coll_name TEXT NOT NULL, owner_name TEXT NOT NULL, owner_zone TEXT NOT NULL,
    inheritance TEXT NOT NULL DEFAULT '0', map_id INTEGER NOT NULL DEFAULT 0,
    comments TEXT NOT NULL DEFAULT '', create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS colls_parent ON colls (parent_coll_name, coll_name);
CREATE TABLE IF NOT EXISTS data (
    data_id INTEGER NOT NULL, repl_num INTEGER NOT NULL, coll_id INTEGER NOT NULL,
    data_name TEXT NOT NULL, version TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL DEFAULT 'generic', size INTEGER NOT NULL DEFAULT 0,
    resc_name TEXT NOT NULL, resc_hier TEXT NOT NULL, resc_id INTEGER NOT NULL,
    phys_path TEXT NOT NULL, owner_name TEXT NOT NULL, owner_zone TEXT NOT NULL,
    repl_status INTEGER NOT NULL DEFAULT 1, data_status TEXT NOT NULL DEFAULT '',
    checksum TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL DEFAULT '00000000000',
    map_id INTEGER NOT NULL DEFAULT 0, comments TEXT NOT NULL DEFAULT '',
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL, mode TEXT NOT NULL DEFAULT '',
    access_ts TEXT NOT NULL DEFAULT '0',
    PRIMARY KEY (data_id, repl_num), UNIQUE (coll_id, data_name, repl_num));
CREATE INDEX IF NOT EXISTS data_name ON data (data_name);
CREATE INDEX IF NOT EXISTS data_resc ON data (resc_name);
CREATE TABLE IF NOT EXISTS avus (
    avu_id INTEGER PRIMARY KEY AUTOINCREMENT, object_id INTEGER NOT NULL, kind TEXT NOT NULL,
    attr TEXT NOT NULL, value TEXT NOT NULL, units TEXT NOT NULL DEFAULT '',
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL);
-- One AVU per object once, as R_OBJT_METAMAP's unique idx_objt_metamap1 (object_id, meta_id)
-- with R_META_MAIN rows found by (name, value, unit) (irods plugins/database/src/
-- icatSysTables.sql.pp.in). All four columns: the lookup of one object's AVU must not pick
-- avus_attr, whose (attr, value) matches every object with a shared AVU such as
-- EUDAT/FIXED_CONTENT=False (a scan of N rows per insert: quadratic PID registration).
CREATE UNIQUE INDEX IF NOT EXISTS avus_object_avu ON avus (object_id, attr, value, units);
CREATE INDEX IF NOT EXISTS avus_attr ON avus (attr, value);
CREATE TABLE IF NOT EXISTS access (
    object_id INTEGER NOT NULL, user_id INTEGER NOT NULL, access_type INTEGER NOT NULL,
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL,
    PRIMARY KEY (object_id, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS access_user ON access (user_id);
CREATE TABLE IF NOT EXISTS rule_exec (
    rule_exec_id INTEGER PRIMARY KEY, rule_name TEXT NOT NULL, rei_file_path TEXT NOT NULL,
    user_name TEXT NOT NULL, user_zone TEXT NOT NULL, exe_address TEXT NOT NULL DEFAULT '',
    exe_time TEXT NOT NULL, exe_frequency TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL DEFAULT '5', estimated_exe_time TEXT NOT NULL DEFAULT '',
    notification_addr TEXT NOT NULL DEFAULT '', last_exe_time TEXT NOT NULL DEFAULT '',
    exe_status TEXT NOT NULL DEFAULT '', exe_context TEXT NOT NULL DEFAULT '',
    create_ts TEXT NOT NULL, modify_ts TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rule_exec_time ON rule_exec (exe_time, rule_exec_id);
"""


#: What SQLite's query planner assumes of the AVU indexes (``sqlite_stat1``: rows, then rows
#: per distinct value of each leading column set). Without statistics SQLite takes an
#: equality on any indexed column to match about ten rows, so for a page query such as
#: ``DATA_ID in (256 ids) AND META_DATA_ATTR_NAME in ('PID', 'EUDAT/ROR')`` it walked
#: ``avus_attr`` through every PID AVU of the zone and probed each object's id in the list: O(N)
#: per page, quadratic over a tree. A production ICAT's planner (PostgreSQL) has table
#: statistics that show an attribute name shared by most objects. Guess: the numbers describe
#: such a zone (a million AVUs, an attribute name on a tenth of them, two AVUs per attribute
#: and value, ten per object, two per object and name); with them the planner looks each id up
#: and reads its AVUs through ``avus_object_avu``: a page's work no longer grows with the zone.
PLANNER_STATISTICS = (
    ("avus", "avus_attr", "1000000 100000 2"),
    ("avus", "avus_object_avu", "1000000 10 2 1 1"),
)


def install(conn: sqlite3.Connection) -> None:
    """Create every table and index (idempotent) and the planner's statistics."""
    conn.executescript(DDL)
    plan_statistics(conn)


def plan_statistics(conn: sqlite3.Connection) -> None:
    """Store :data:`PLANNER_STATISTICS` unless they are there (a catalog made before them gets
    them when opened); this connection's planner uses them at once, others when they open."""
    have = set()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        have = {tuple(row) for row in conn.execute("SELECT tbl, idx, stat FROM sqlite_stat1")}
    if set(PLANNER_STATISTICS) <= have:
        return
    conn.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1; analyses no table
    conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'avus'")
    conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                     PLANNER_STATISTICS)
    conn.execute("ANALYZE sqlite_schema")  # reloads the statistics


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring a catalog made by an older sandbox up to date: R_DATA_MAIN.access_ts with the
    default '0', as iRODS's schema 12 upgrade adds it (irods scripts/irods/
    database_upgrade.py@5.0.2 L192-196), and the planner's statistics
    (:func:`plan_statistics`). Another process adding either at the same time is fine."""
    plan_statistics(conn)
    names = {row[1] for row in conn.execute("PRAGMA table_info(data)")}
    if "access_ts" not in names:
        try:
            conn.execute("ALTER TABLE data ADD COLUMN access_ts TEXT NOT NULL DEFAULT '0'")
        except sqlite3.OperationalError:
            if "access_ts" not in {row[1] for row in conn.execute("PRAGMA table_info(data)")}:
                raise
