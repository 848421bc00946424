"""GenQuery2 column names per iRODS version, the catalog table each one brings into a query, and
the sandbox's GenQuery1 column that holds its values.

Names and tables: ``column_name_mappings`` in irods
server/genquery2/include/irods/private/genquery2_table_column_mappings.hpp at 5.0.2 and 4.3.5
(5.0.2 adds DATA_ACCESS_TIME and DELAY_RULE_LOCK_HOST/_HOST_PID/_TIME and drops
DATA_ACCESS_USER_TYPE and COLL_ACCESS_USER_TYPE). GenQuery2 names differ from GenQuery1's: there
is no DATA_OWNER_NAME, DATA_RESC_NAME or RULE_EXEC_*; the delay queue is DELAY_RULE_*, the ACL
columns DATA_ACCESS_* / COLL_ACCESS_*.

The table a column brings in is its mapping's table, except for the columns
``setup_column_for_post_processing`` (genquery2_sql.cpp@5.0.2 L853-960) joins specially: META_D*
bring R_DATA_MAIN, META_C* R_COLL_MAIN, META_R* R_RESC_MAIN, META_U* R_USER_MAIN, DATA_ACCESS_*
(not DATA_ACCESS_TIME) R_DATA_MAIN, COLL_ACCESS_* R_COLL_MAIN, DATA_RESC_HIER R_RESC_MAIN.
"""

from __future__ import annotations

from typing import Optional

#: Table -> its GenQuery2 columns (genquery2_table_column_mappings.hpp@5.0.2).
_BY_TABLE = {
    "R_ZONE_MAIN": "ZONE_ID ZONE_NAME ZONE_TYPE ZONE_CONNECTION ZONE_COMMENT ZONE_CREATE_TIME "
                   "ZONE_MODIFY_TIME",
    "R_USER_MAIN": "USER_ID USER_NAME USER_TYPE USER_ZONE USER_INFO USER_COMMENT USER_CREATE_TIME "
                   "USER_MODIFY_TIME USER_DN_INVALID DATA_ACCESS_USER_NAME DATA_ACCESS_USER_ZONE "
                   "COLL_ACCESS_USER_NAME COLL_ACCESS_USER_ZONE",
    "R_USER_AUTH": "USER_AUTH_ID USER_DN",
    "R_RESC_MAIN": "RESC_ID RESC_NAME RESC_ZONE_NAME RESC_TYPE_NAME RESC_CLASS_NAME RESC_HOSTNAME "
                   "RESC_VAULT_PATH RESC_FREE_SPACE RESC_FREE_SPACE_TIME RESC_INFO RESC_COMMENT "
                   "RESC_STATUS RESC_CREATE_TIME RESC_MODIFY_TIME RESC_MODIFY_TIME_MILLIS "
                   "RESC_CHILDREN RESC_CONTEXT RESC_PARENT_ID RESC_PARENT_CONTEXT DATA_RESC_HIER",
    "R_DATA_MAIN": "DATA_ID DATA_COLL_ID DATA_NAME DATA_REPL_NUM DATA_VERSION DATA_TYPE_NAME "
                   "DATA_SIZE DATA_PATH DATA_REPL_STATUS DATA_STATUS DATA_CHECKSUM DATA_EXPIRY "
                   "DATA_MAP_ID DATA_COMMENTS DATA_ACCESS_TIME DATA_CREATE_TIME DATA_MODIFY_TIME "
                   "DATA_MODE DATA_RESC_ID",
    "R_COLL_MAIN": "COLL_ID COLL_NAME COLL_PARENT_NAME COLL_MAP_ID COLL_INHERITANCE COLL_COMMENTS "
                   "COLL_CREATE_TIME COLL_MODIFY_TIME COLL_TYPE",
    "R_USER_GROUP": "GROUP_ID GROUP_MEMBER_ID",
    "R_RULE_EXEC": "DELAY_RULE_ID DELAY_RULE_NAME DELAY_RULE_REI_FILE_PATH DELAY_RULE_USER_NAME "
                   "DELAY_RULE_EXE_ADDRESS DELAY_RULE_EXE_TIME DELAY_RULE_EXE_FREQUENCY "
                   "DELAY_RULE_PRIORITY DELAY_RULE_ESTIMATED_EXE_TIME "
                   "DELAY_RULE_NOTIFICATION_ADDR DELAY_RULE_LAST_EXE_TIME DELAY_RULE_STATUS "
                   "DELAY_RULE_LOCK_HOST DELAY_RULE_LOCK_HOST_PID DELAY_RULE_LOCK_TIME",
    "R_OBJT_ACCESS": "DATA_ACCESS_PERM_ID DATA_ACCESS_USER_ID COLL_ACCESS_PERM_ID "
                     "COLL_ACCESS_USER_ID",
    "R_TOKN_MAIN": "DATA_ACCESS_PERM_NAME COLL_ACCESS_PERM_NAME",
}
_META = {"DATA": "R_DATA_MAIN", "COLL": "R_COLL_MAIN", "RESC": "R_RESC_MAIN", "USER": "R_USER_MAIN"}
for _kind, _table in _META.items():
    _BY_TABLE.setdefault("R_META_MAIN", "")
    _BY_TABLE["R_META_MAIN"] += (f" META_{_kind}_ATTR_NAME META_{_kind}_ATTR_VALUE "
                                 f"META_{_kind}_ATTR_UNITS META_{_kind}_ATTR_ID "
                                 f"META_{_kind}_CREATE_TIME META_{_kind}_MODIFY_TIME")

_ONLY_5_0 = {"DATA_ACCESS_TIME", "DELAY_RULE_LOCK_HOST", "DELAY_RULE_LOCK_HOST_PID",
             "DELAY_RULE_LOCK_TIME"}
#: genquery2_table_column_mappings.hpp@4.3.5 L184, L194 (R_USER_MAIN.user_type_name).
_ONLY_4_3 = {"DATA_ACCESS_USER_TYPE": "R_USER_MAIN", "COLL_ACCESS_USER_TYPE": "R_USER_MAIN"}

#: GenQuery2 name -> the sandbox's GenQuery1 column with its values, where the names differ.
#: DATA_ACCESS_USER_NAME is the user an ACL entry applies to (directly or through a group: the
#: pdug/pdu joins of generate_joins_for_permissions), as GenQuery1's DATA_USER_NAME in the sandbox.
_SANDBOX_NAMES = {
    "RESC_HOSTNAME": "RESC_LOC",
    "RESC_PARENT_ID": "RESC_PARENT",
    "DATA_ACCESS_PERM_ID": "DATA_ACCESS_TYPE",
    "DATA_ACCESS_PERM_NAME": "DATA_ACCESS_NAME",
    "DATA_ACCESS_USER_NAME": "DATA_USER_NAME",
    "DATA_ACCESS_USER_ZONE": "DATA_USER_ZONE",
    "COLL_ACCESS_PERM_ID": "COLL_ACCESS_TYPE",
    "COLL_ACCESS_PERM_NAME": "COLL_ACCESS_NAME",
    "COLL_ACCESS_USER_NAME": "COLL_USER_NAME",
    "COLL_ACCESS_USER_ZONE": "COLL_USER_ZONE",
    "DELAY_RULE_EXE_ADDRESS": "RULE_EXEC_ADDRESS",
    "DELAY_RULE_EXE_TIME": "RULE_EXEC_TIME",
    "DELAY_RULE_EXE_FREQUENCY": "RULE_EXEC_FREQUENCY",
    "DELAY_RULE_ESTIMATED_EXE_TIME": "RULE_EXEC_ESTIMATED_EXE_TIME",
}


def _tables(version: tuple) -> dict[str, str]:
    tables = {name: table for table, names in _BY_TABLE.items() for name in names.split()}
    if version >= (5, 0):
        return tables
    for name in _ONLY_5_0:
        del tables[name]
    tables.update(_ONLY_4_3)
    return tables


_TABLES = {(4, 3): _tables((4, 3)), (5, 0): _tables((5, 0))}


def table_of(name: str, version: tuple) -> Optional[str]:
    """The table ``name`` is mapped to on ``version``, None for an unknown column."""
    return _TABLES[(5, 0) if version >= (5, 0) else (4, 3)].get(name)


def joined_table(name: str, version: tuple) -> Optional[str]:
    """The table a query naming ``name`` joins (the special columns join through their main
    table), None for an unknown column."""
    table = table_of(name, version)
    if table is None:
        return None
    for prefix, main in (("META_D", "R_DATA_MAIN"), ("META_C", "R_COLL_MAIN"),
                         ("META_R", "R_RESC_MAIN"), ("META_U", "R_USER_MAIN")):
        if name.startswith(prefix):
            return main
    if name.startswith("DATA_ACCESS_") and name != "DATA_ACCESS_TIME":
        return "R_DATA_MAIN"
    if name.startswith("COLL_ACCESS_"):
        return "R_COLL_MAIN"
    if name == "DATA_RESC_HIER":
        return "R_RESC_MAIN"
    return table


def sandbox_column(name: str) -> str:
    """The GenQuery1 column of the sandbox catalog holding ``name``'s values (it may not exist:
    then the column is not emulated)."""
    if name.startswith("DELAY_RULE_") and name not in _SANDBOX_NAMES:
        return "RULE_EXEC_" + name[len("DELAY_RULE_"):]
    return _SANDBOX_NAMES.get(name, name)


#: Tables GenQuery2 joins directly (``table_edges``, genquery2_sql.cpp@5.0.2 L106-134; the same
#: at 4.3.5); a query's tables must all join this way, or it is "invalid general query".
EDGES = {frozenset(pair) for pair in (
    ("R_COLL_MAIN", "R_DATA_MAIN"), ("R_COLL_MAIN", "R_OBJT_ACCESS"),
    ("R_COLL_MAIN", "R_OBJT_METAMAP"), ("R_COLL_MAIN", "R_TICKET_MAIN"),
    ("R_DATA_MAIN", "R_OBJT_ACCESS"), ("R_DATA_MAIN", "R_OBJT_METAMAP"),
    ("R_DATA_MAIN", "R_RESC_MAIN"), ("R_DATA_MAIN", "R_TICKET_MAIN"),
    ("R_META_MAIN", "R_OBJT_METAMAP"), ("R_OBJT_ACCESS", "R_TOKN_MAIN"),
    ("R_OBJT_METAMAP", "R_RESC_MAIN"), ("R_OBJT_METAMAP", "R_USER_MAIN"),
    ("R_TICKET_MAIN", "R_USER_MAIN"), ("R_TICKET_MAIN", "R_TICKET_ALLOWED_HOSTS"),
    ("R_TICKET_MAIN", "R_TICKET_ALLOWED_USERS"), ("R_TICKET_MAIN", "R_TICKET_ALLOWED_GROUPS"),
    ("R_USER_MAIN", "R_USER_AUTH"), ("R_USER_MAIN", "R_USER_GROUP"),
    ("R_USER_MAIN", "R_USER_PASSWORD"), ("R_USER_MAIN", "R_USER_SESSION_KEY"),
)}


def joinable(tables: list[str]) -> bool:
    """Whether ``generate_inner_joins`` (genquery2_sql.cpp@5.0.2 L197-260) joins every table:
    each pass joins the remaining tables adjacent to the table last joined before the pass."""
    processed, remaining = tables[:1], list(tables[1:])
    for _ in range(len(tables) - 1):
        last = processed[-1]
        for table in list(remaining):
            if frozenset((last, table)) in EDGES:
                processed.append(table)
                remaining.remove(table)
    return not remaining
