"""GenQuery1 execution against the catalog, filtered by the caller's permissions."""

from __future__ import annotations

import sqlite3
import weakref
from typing import Any, Optional, Sequence, Union

from b2safe_sandbox import gq
from b2safe_sandbox.catalog.base import Db
from b2safe_sandbox.gq import (
    COLUMNS,
    MAX_SQL_ROWS,
    GQResult,
    Query,
    Selection,
    require_columns_of_version,
)
from b2safe_sandbox.gq.compiler import CompiledQuery


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class GenQueryCursor:
    """A GenQuery1 result read page by page, so paging through N rows reads N rows.

    This is how the server pages: the first call executes the statement and returns
    ``continueInx = statementNum + 1``; a call with ``continueInx > 0`` only fetches the next
    ``maxRows`` rows of that statement (``cllGetRow``), and ``maxRows <= 0`` frees it
    (irods: plugins/database/src/general_query.cpp, ``chl_gen_query_impl``). Re-running the
    query with OFFSET for each page, as the emulator once did, costs O(N^2/page) for N rows.

    No SQLite statement stays open between calls: an open statement keeps its read
    transaction, and in WAL mode no checkpoint can then restart the log, so every write made
    while a workflow paged through a listing grew the catalog's WAL (145 MB after 5,000 PIDs)
    and its in-memory index (the ``-shm`` mapping). The first page is read with LIMIT and the
    statement finishes; when a later page is asked, the rest of the result (from the row
    reached) is copied once into a temporary table (:meth:`Db.materialize`) and each page is
    read from it by rowid. Guess: rows changed before the second page may or may not be seen,
    later changes are not (the server's database cursor keeps its own snapshot); if the table
    is lost (a ROLLBACK on the connection), the next page copies the rest again from the row
    reached, so paging never fails for that reason.
    """

    def __init__(self, db: Db, compiled: CompiledQuery, offset: int, column_ids: list) -> None:
        self.db = db
        self.compiled = compiled
        self.column_ids = column_ids
        self.delivered = max(0, int(offset))
        self.rows_read = 0
        self._ahead: list = []
        self._table: Optional[str] = None
        self._table_read = 0  # rows of the table read so far (its rowids are 1, 2, ...)
        self._finalizer: Optional[weakref.finalize] = None

    def _materialize(self) -> None:
        sql, params = self.compiled.page(-1, self.delivered + len(self._ahead))
        self._table, self._table_read = self.db.materialize(sql, params), 0
        self._finalizer = weakref.finalize(self, self.db.forget_temp, self._table)

    def _from_table(self, size: int) -> list:
        if self._table is None:
            self._materialize()
        try:
            return self.db.all(f"SELECT * FROM temp.{self._table} WHERE rowid > ? "  # noqa: S608
                               "ORDER BY rowid LIMIT ?", (self._table_read, size))
        except sqlite3.OperationalError:  # the table went with a ROLLBACK: copy the rest again
            self.close()
            self._materialize()
            return self.db.all(f"SELECT * FROM temp.{self._table} "  # noqa: S608
                               "ORDER BY rowid LIMIT ?", (size,))

    def _read(self, size: int) -> list:
        if self._table is None and not self.rows_read:
            sql, params = self.compiled.page(size, self.delivered)
            fetched = self.db.all(sql, params)
        else:
            fetched = self._from_table(size)
            self._table_read += len(fetched)
        self.rows_read += len(fetched)
        return [[_text(v) for v in tuple(r)] for r in fetched]

    def next_page(self, max_rows: int, total: Optional[int] = None) -> GQResult:
        """At most ``max_rows`` (<= 256) further rows; ``has_more`` when rows follow."""
        page = max(0, min(int(max_rows), MAX_SQL_ROWS))
        rows = self._ahead
        if page > 0:
            rows = rows + self._read(page + 1 - len(rows))
        self._ahead = rows[page:]
        rows = rows[:page]
        self.delivered += len(rows)
        if not self._ahead:
            self.close()
        return GQResult(columns=list(self.compiled.labels), rows=rows, total=total,
                        has_more=bool(self._ahead), column_ids=self.column_ids)

    def close(self) -> None:
        """Free the copied rows, if any (idempotent)."""
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._table is not None:
            self.db.drop_temp(self._table)
            self._table = None


class GenQuery:
    """genquery(), open_genquery()."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def genquery(self, columns: Union[str, Sequence[str], Query], conditions: str = "",
                 actor: Optional[str] = None, *, max_rows: int = MAX_SQL_ROWS, offset: int = 0,
                 upper_case_where: bool = False, no_distinct: bool = False,
                 total_row_count: bool = False) -> GQResult:
        """Run a GenQuery1 query and return one page of at most ``max_rows`` (<= 256) rows
        starting at row ``offset``.

        ``columns`` is a list like ['COLL_NAME', 'COUNT(DATA_ID)'], the same as one string, or
        a parsed :class:`gq.Query` (then ``conditions`` is ignored). Rows are filtered by
        ``actor``'s read permission unless it is a rodsadmin of this zone (actor None: no
        filter). ``total`` is filled when ``total_row_count``. Zero rows is a normal result.
        Raises IrodsCallError(INPUT_ARG_NOT_WELL_FORMED_ERR) for bad syntax and
        IrodsCallError(NO_COLUMN_NAME_FOUND) for an unknown column.
        Guess: a data object row needs read on the data object only (not on its collection).
        """
        cursor = self.open_genquery(columns, conditions, actor, offset=offset,
                                    upper_case_where=upper_case_where, no_distinct=no_distinct)
        total = self.total_rows(cursor) if total_row_count else None
        try:
            return cursor.next_page(max_rows, total)
        finally:
            cursor.close()

    def genquery2_rows(self, names: Sequence[str], actor: Optional[str]
                       ) -> tuple[list[tuple], bool]:
        """Every row of the GenQuery1 columns ``names`` joined as GenQuery2 joins them (LEFT
        JOIN for metadata and permissions, no DISTINCT; NULL kept as None), filtered by
        ``actor``'s read permission unless it sees all; and whether it sees all (GenQuery2's
        ``admin_mode``: rs_genquery2.cpp@5.0.2 L121, a privileged client)."""
        query = Query(tuple(Selection(name) for name in names))
        admin = self.db.sees_all(actor)
        compiled = gq.compile_query(query, actor_ids=None if admin else
                                    self.db.actor_ids(str(actor)), no_distinct=True,
                                    outer_joins=True)
        rows = [tuple(row) for row in self.db.all(compiled.sql, compiled.params)]
        return rows, admin

    def open_genquery(self, columns: Union[str, Sequence[str], Query], conditions: str = "",
                      actor: Optional[str] = None, *, offset: int = 0,
                      upper_case_where: bool = False, no_distinct: bool = False
                      ) -> GenQueryCursor:
        """The query as an open statement to page through with
        :meth:`GenQueryCursor.next_page` (arguments and errors as for :meth:`genquery`)."""
        query = columns if isinstance(columns, Query) else gq.parse(columns, conditions)
        require_columns_of_version(query, self.db.irods_version)
        actor_ids = None if self.db.sees_all(actor) else self.db.actor_ids(str(actor))
        compiled = gq.compile_query(query, actor_ids=actor_ids,
                                    upper_case_where=upper_case_where, no_distinct=no_distinct)
        ids = [COLUMNS[sel.column].id for sel in query.selections]
        return GenQueryCursor(self.db, compiled, offset, ids)

    def total_rows(self, cursor: GenQueryCursor) -> int:
        """All rows of the query (``RETURN_TOTAL_ROW_COUNT``, asked on the first page only)."""
        sql, params = cursor.compiled.count()
        return int(self.db.one(sql, params)[0])
