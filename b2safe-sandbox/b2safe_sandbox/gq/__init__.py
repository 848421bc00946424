"""GenQuery1 for the sandbox: parser (:mod:`.parser`), column table (:mod:`.columns`) and the
compiler to SQLite SQL (:mod:`.compiler`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from b2safe_sandbox.gq.columns import COLUMNS, Column, lookup
from b2safe_sandbox.gq.compiler import CompiledQuery, compile_query, like_to_glob
from b2safe_sandbox.gq.parser import (
    Condition,
    Predicate,
    Query,
    Selection,
    parse,
    parse_conditions,
    parse_query,
    parse_select,
    require_columns_of_version,
    tokenize,
)

#: Rows per page (iRODS MAX_SQL_ROWS).
MAX_SQL_ROWS = 256


@dataclass(frozen=True)
class GQResult:
    """One page of GenQuery results.

    ``columns`` are the selection labels (``'DATA_NAME'``, ``'COUNT(DATA_ID)'``), ``column_ids``
    the iRODS column numbers, ``rows`` lists of strings, ``total`` the total row count when asked
    for (else None) and ``has_more`` whether rows follow this page.
    """

    columns: list[str]
    rows: list[list[str]]
    total: Optional[int] = None
    has_more: bool = False
    column_ids: list[int] = field(default_factory=list)


__all__ = [
    "COLUMNS",
    "MAX_SQL_ROWS",
    "Column",
    "CompiledQuery",
    "Condition",
    "GQResult",
    "Predicate",
    "Query",
    "Selection",
    "compile_query",
    "like_to_glob",
    "lookup",
    "parse",
    "parse_conditions",
    "parse_query",
    "parse_select",
    "require_columns_of_version",
    "tokenize",
]
