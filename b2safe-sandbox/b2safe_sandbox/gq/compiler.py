"""Query AST -> SQLite SQL over the sandbox catalog schema.

Joins follow from the columns used (selected or conditioned):

* ``DATA_*`` with any ``COLL_*`` joins a replica to its collection;
* ``META_DATA_*`` / ``DATA_ACCESS_*`` hang off the data object, ``META_COLL_*`` /
  ``COLL_ACCESS_*`` off the collection (a data query with ``META_COLL_*`` gets its
  collection's AVUs);
* ``DATA_USER_*`` / ``COLL_USER_*`` name the users an ACL entry applies to (its holder, or the
  members of the group holding it);
* ``USER_*`` joins the ACL entries in the query (adding ``DATA_ACCESS`` or ``COLL_ACCESS`` when a
  data object or collection is involved), ``META_USER_*`` hangs off the user;
* ``RESC_*`` joins a replica's resource, ``META_RESC_*`` hangs off the resource;
* ``ZONE_*`` and ``RULE_EXEC_*`` have no link. Guess: iRODS finds no foreign-key path for them and
  we cross-join instead of failing.

Every value is a SQL parameter. Rows are distinct unless ``no_distinct`` (a GROUP BY of every
selected column, which SQLite sorts once, where SELECT DISTINCT ... ORDER BY sorts twice) and
always ordered:
first by the ORDER/ORDER_DESC selections (in their order), then by every other selected column, so
LIMIT/OFFSET paging is deterministic (iRODS orders by the selected columns too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from b2safe_sandbox.gq.columns import ACCESS_READ, ALIAS_ORDER, COLUMNS, TABLES
from b2safe_sandbox.gq.parser import NUMERIC, Condition, Predicate, Query, columns_of

_JOINS = {
    "d": ("c", "d.coll_id = c.coll_id"),
    "md": ("d", "md.object_id = d.data_id"),
    "mc": ("c", "mc.object_id = c.coll_id"),
    "da": ("d", "da.object_id = d.data_id"),
    "ca": ("c", "ca.object_id = c.coll_id"),
    "dg": ("da", "dg.group_id = da.user_id"),
    "du": ("dg", "du.user_id = dg.user_id"),
    "cg": ("ca", "cg.group_id = ca.user_id"),
    "cu": ("cg", "cu.user_id = cg.user_id"),
    "mu": ("u", "mu.object_id = u.user_id"),
    "r": ("d", "r.resc_name = d.resc_name"),
    "mr": ("r", "mr.object_id = r.resc_id"),
}


@dataclass(frozen=True)
class CompiledQuery:
    """SQL (without LIMIT/OFFSET), its parameters and the output column labels."""

    sql: str
    params: tuple
    labels: tuple[str, ...]

    def page(self, limit: int, offset: int) -> tuple[str, tuple]:
        """SQL and parameters for ``limit`` rows starting at row ``offset``."""
        return f"{self.sql} LIMIT ? OFFSET ?", (*self.params, int(limit), int(offset))

    def count(self) -> tuple[str, tuple]:
        """SQL and parameters that count all rows of the query."""
        return f"SELECT COUNT(*) FROM ({self.sql})", self.params  # noqa: S608 - values are params


def _aliases(query: Query) -> set[str]:
    needed = {COLUMNS[name].alias for name in columns_of(query)}
    changed = True
    while changed:
        before = set(needed)
        if "du" in needed:
            needed.add("dg")
        if "dg" in needed:
            needed.add("da")
        if "cu" in needed:
            needed.add("cg")
        if "cg" in needed:
            needed.add("ca")
        if needed & {"md", "da"}:
            needed.add("d")
        if needed & {"mc", "ca"}:
            needed.add("c")
        if "d" in needed and needed & {"c", "mc", "ca"}:
            needed.add("c")
        if "mu" in needed:
            needed.add("u")
        if "mr" in needed:
            needed.add("r")
        if "u" in needed and not needed & {"da", "ca"}:
            if "d" in needed:
                needed.add("da")
            elif "c" in needed:
                needed.add("ca")
        changed = needed != before
    return needed


def _join_condition(alias: str, present: set[str]) -> Optional[str]:
    if alias == "u":
        if "da" in present:
            return "u.user_id = da.user_id"
        if "ca" in present:
            return "u.user_id = ca.user_id"
        return None
    link = _JOINS.get(alias)
    if link and link[0] in present:
        return link[1]
    return None


#: The aliases GenQuery2 joins with LEFT JOIN: metadata (generate_joins_for_metadata_columns) and
#: the permission tables of a rodsadmin (generate_joins_for_permissions; genquery2_sql.cpp@5.0.2
#: L267-365), so an object without AVUs or without any ACL entry still has its row.
OUTER_ALIASES = frozenset({"md", "mc", "mr", "mu", "da", "dg", "du", "ca", "cg", "cu"})


def _from_clause(aliases: set[str], outer: frozenset = frozenset()) -> str:
    ordered = [a for a in ALIAS_ORDER if a in aliases]
    parts = [TABLES[ordered[0]]]
    present = {ordered[0]}
    for alias in ordered[1:]:
        on = _join_condition(alias, present)
        if on is None:
            parts.append(f"CROSS JOIN {TABLES[alias]}")
        else:
            parts.append(f"{'LEFT ' if alias in outer else ''}JOIN {TABLES[alias]} ON {on}")
        present.add(alias)
    return " ".join(parts)


def like_to_glob(pattern: str) -> str:
    """Translate a SQL LIKE pattern (``%``, ``_``, backslash escapes) into a case-sensitive GLOB.

    Guess: iRODS' databases treat backslash as LIKE's escape character (PostgreSQL's default).
    """
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(_glob_literal(pattern[index + 1]))
            index += 2
            continue
        if char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_glob_literal(char))
        index += 1
    return "".join(out)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char


def _predicate_sql(expr: str, pred: Predicate, params: list) -> str:
    op = pred.op
    values = pred.values
    if op in ("=", "<>", "<", ">", "<=", ">="):
        params.append(values[0])
        return f"{expr} {op} ?"
    if op in NUMERIC:
        params.append(values[0])
        return f"CAST({expr} AS REAL) {op[1:]} CAST(? AS REAL)"
    if op in ("like", "not like"):
        params.append(like_to_glob(values[0]))
        return f"{expr} {'NOT ' if op == 'not like' else ''}GLOB ?"
    if op in ("in", "not in"):
        params.extend(values)
        marks = ", ".join("?" for _ in values)
        return f"{expr} {'NOT ' if op == 'not in' else ''}IN ({marks})"
    # between / not between
    params.extend(values)
    return f"{expr} {'NOT ' if op == 'not between' else ''}BETWEEN ? AND ?"


def _condition_sql(cond: Condition, upper: bool, params: list) -> str:
    expr = COLUMNS[cond.column].sql
    if upper:
        expr = f"UPPER({expr})"
    pieces = [_predicate_sql(expr, cond.predicates[0], params)]
    for joiner, pred in zip(cond.joiners, cond.predicates[1:]):
        pieces.append("OR" if joiner == "||" else "AND")
        pieces.append(_predicate_sql(expr, pred, params))
    return "(" + " ".join(pieces) + ")"


def compile_query(query: Query, *, actor_ids: Optional[Sequence[int]] = None,
                  upper_case_where: bool = False, no_distinct: bool = False,
                  outer_joins: bool = False) -> CompiledQuery:
    """Compile ``query``.

    ``actor_ids`` are the user ids (the user and its groups) whose ACLs grant read access; None
    means no permission filter (a zone rodsadmin or an internal call). Data rows are filtered by
    the data object's ACL, collection-only rows by the collection's ACL. ``outer_joins`` joins
    the :data:`OUTER_ALIASES` as GenQuery2 does (LEFT JOIN).
    """
    aliases = _aliases(query)
    params: list = []
    select_parts = []
    group_by = []
    order_first = []
    order_rest = []
    has_aggregate = any(sel.is_aggregate for sel in query.selections)
    for position, sel in enumerate(query.selections, start=1):
        expr = COLUMNS[sel.column].sql
        if sel.is_aggregate:
            select_parts.append(f"{sel.func}({expr})")
        else:
            select_parts.append(expr)
            if has_aggregate:
                group_by.append(expr)
        if sel.func == "ORDER_DESC":
            order_first.append(f"{position} DESC")
        elif sel.func in ("ORDER", "ORDER_ASC"):
            order_first.append(f"{position}")
        else:
            order_rest.append(f"{position}")
    where = [_condition_sql(cond, upper_case_where, params) for cond in query.conditions]
    if actor_ids is not None:
        target = "d.data_id" if "d" in aliases else ("c.coll_id" if "c" in aliases else None)
        if target is not None:
            marks = ", ".join("?" for _ in actor_ids) or "NULL"
            where.append(
                "EXISTS (SELECT 1 FROM access acl WHERE acl.object_id = "  # noqa: S608
                f"{target} AND acl.user_id IN ({marks}) AND acl.access_type >= ?)")
            params.extend(int(i) for i in actor_ids)
            params.append(ACCESS_READ)
    order = order_first + order_rest
    distinct = not no_distinct and has_aggregate
    if not no_distinct and not has_aggregate:
        # DISTINCT rows as a GROUP BY every selected column, in the ORDER BY's order: the same
        # rows (NULLs group as DISTINCT compares them), sorted once. SELECT DISTINCT ... ORDER
        # BY builds two temporary b-trees (one to drop duplicates, one to sort) whose memory
        # grows with the result; the GROUP BY's sorter serves both and spills past the cache.
        group_by = [term.split()[0] for term in order]
    # Only column expressions from the fixed column table go into the text; values are params.
    sql = ("SELECT " + ("DISTINCT " if distinct else "") + ", ".join(select_parts)  # noqa: S608
           + " FROM " + _from_clause(aliases, OUTER_ALIASES if outer_joins else frozenset()))
    if where:
        sql += " WHERE " + " AND ".join(where)
    if group_by:
        sql += " GROUP BY " + ", ".join(group_by)
    sql += " ORDER BY " + ", ".join(order)
    labels = tuple(sel.label for sel in query.selections)
    return CompiledQuery(sql, tuple(params), labels)
