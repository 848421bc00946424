"""GenQuery1 execution against the catalog, filtered by the caller's permissions."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from b2safe_sandbox import gq
from b2safe_sandbox.catalog.base import Db
from b2safe_sandbox.gq import COLUMNS, MAX_SQL_ROWS, GQResult, Query


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class GenQuery:
    """genquery()."""

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
        query = columns if isinstance(columns, Query) else gq.parse(columns, conditions)
        actor_ids = None if self.db.sees_all(actor) else self.db.actor_ids(str(actor))
        compiled = gq.compile_query(query, actor_ids=actor_ids,
                                    upper_case_where=upper_case_where, no_distinct=no_distinct)
        page = max(0, min(int(max_rows), MAX_SQL_ROWS))
        rows: list[list[str]] = []
        has_more = False
        if page > 0:
            sql, params = compiled.page(page + 1, max(0, int(offset)))
            fetched = self.db.all(sql, params)
            has_more = len(fetched) > page
            rows = [[_text(v) for v in tuple(r)] for r in fetched[:page]]
        total = None
        if total_row_count:
            sql, params = compiled.count()
            total = int(self.db.one(sql, params)[0])
        ids = [COLUMNS[sel.column].id for sel in query.selections]
        return GQResult(columns=list(compiled.labels), rows=rows, total=total,
                        has_more=has_more, column_ids=ids)
