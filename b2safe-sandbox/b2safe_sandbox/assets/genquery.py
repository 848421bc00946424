"""GenQuery iterators for Python rules: a PREP-compatible ``genquery`` module.

Written for the b2safe sandbox from the documented behaviour of PREP's own ``genquery.py``
(prep-runtime.md §3); it uses nothing but the microservices PREP's module uses
(``msiMakeGenQuery``, ``msiExecGenQuery``, ``msiGetMoreRows``, and for GenQuery2
``msi_genquery2_*``) and the ``GenQueryInp``/``GenQueryOut`` fields, so it behaves the same on a
real server. It is copied into each zone's config directory and imported there as the top-level
module ``genquery``; it must not import b2safe.

``from genquery import *`` gives ``Query``, ``row_iterator``, ``paged_iterator``, ``AS_DICT``,
``AS_LIST`` and ``AS_TUPLE``; ``Option`` and ``Parser`` need an explicit import. The module's
public names are those of PREP's (genquery.py of irods_rule_engine_plugin_python 4.3.5.0 and
5.0.1, identical there): besides the above ``MAX_SQL_ROWS``, ``AUTO_CLOSE_QUERIES``,
``END_OF_RESULTSET``, ``row_return_type``, ``row_generator``, the three ``GenQuery_*_Error``
classes, ``logPrinter``, the test rule ``test_python_RE_genquery_iterators`` and the modules and
classes PREP imports (``itertools``, ``re``, ``OrderedDict``, ``Enum``). A test checks the
list against that file.
"""

import itertools
import re
from collections import OrderedDict
from enum import Enum

from irods_errors import END_OF_RESULTSET

__all__ = ["AS_DICT", "AS_LIST", "AS_TUPLE", "Query", "paged_iterator", "row_iterator"]


def AUTO_CLOSE_QUERIES():
    """True: a Query releases its server-side statement when done (PREP's module has it)."""
    return True


#: Rows per GenQuery page (iRODS MAX_SQL_ROWS).
MAX_SQL_ROWS = 256


class Option:
    """GenQueryInp option bits (rodsGenQuery.h). Query sets the last three itself."""

    RETURN_TOTAL_ROW_COUNT = 0x020
    NO_DISTINCT = 0x040
    QUOTA_QUERY = 0x080
    AUTO_CLOSE = 0x100
    UPPER_CASE_WHERE = 0x200


class row_return_type:
    """Marker base of the row output shapes; the shapes are used as classes, never instances."""

    def __init__(self):
        raise NotImplementedError


class AS_DICT(row_return_type):
    """Rows as OrderedDicts keyed by the literal column strings."""


class AS_LIST(row_return_type):
    """Rows as lists."""


class AS_TUPLE(row_return_type):
    """Rows as tuples; a single-column query yields bare strings."""


class Parser(Enum):
    """The GenQuery parser a Query uses."""

    GENQUERY1 = 1
    GENQUERY2 = 2


class GenQuery_Options_Spec_Error(RuntimeError):
    """``Query.copy`` got an unknown keyword."""


class GenQuery_Columns_Type_Error(RuntimeError):
    """``columns`` is neither a comma-separated string nor a sequence."""


class GenQuery_Row_Return_Type_Error(RuntimeError):
    """``output`` is not AS_DICT, AS_LIST or AS_TUPLE."""


_PARAMETERS = ("columns", "conditions", "output", "offset", "limit", "case_sensitive", "options",
               "parser", "order_by")

_END_OF_RESULTSET_TEXT = ":" + str(END_OF_RESULTSET) + "]"
_WORD = re.compile(r"\S+")


def _column_list(columns):
    """Columns as a list of stripped names (from a comma-separated string or a sequence)."""
    if isinstance(columns, str):
        return [c.strip() for c in columns.split(",") if _WORD.search(c)]
    try:
        return list(columns)
    except TypeError:
        raise GenQuery_Columns_Type_Error(
            "'columns' should be a comma-separated string or a sequence") from None


class Query:
    """A lazily executed GenQuery.

    Args:
        callback: the rule's callback.
        columns: select items, a comma-separated string or a sequence (``ORDER(X)``, ``COUNT(X)``
            and friends allowed).
        conditions: the where clause (GenQuery1 syntax), '' for none.
        output: AS_TUPLE (default), AS_LIST or AS_DICT.
        offset: rows to skip (0-based).
        limit: maximum number of rows, None for all.
        case_sensitive: False upper-cases the whole condition string and sets UPPER_CASE_WHERE.
        options: extra Option bits (e.g. Option.NO_DISTINCT).
        parser: Parser.GENQUERY1 (default) or Parser.GENQUERY2.
        order_by: order-by clause, GenQuery2 only.

    The query runs on the first iteration or ``total_rows()`` call. No rows is not an error:
    iteration yields nothing and ``first()`` returns None.
    """

    def __init__(self, callback, columns, conditions="", output=AS_TUPLE, offset=0, limit=None,
                 case_sensitive=True, options=0, parser=Parser.GENQUERY1, order_by=""):
        if parser not in (Parser.GENQUERY1, Parser.GENQUERY2):
            # PREP genquery.py@5.0.1 L144-145 (the same text at 4.3.5.0).
            raise ValueError("Invalid value for [parser]. Expected Parser.GENQUERY1 or "
                             "Parser.GENQUERY2.")
        if output not in (AS_TUPLE, AS_LIST, AS_DICT):
            raise GenQuery_Row_Return_Type_Error()  # no message, as PREP genquery.py@5.0.1 L163
        self.callback = callback
        self.columns = _column_list(columns)
        self.conditions = conditions
        self.output = output
        self.offset = offset
        self.limit = limit
        self.case_sensitive = case_sensitive
        self.options = options & ~Option.UPPER_CASE_WHERE if case_sensitive else (
            options | Option.UPPER_CASE_WHERE)
        self.parser = parser
        self.order_by = order_by
        self.conditions_for_exec = conditions
        self._inp = None          # GenQueryInp once executed
        self._out = None          # current page (GenQueryOut)
        self._continue = None     # continuation index of the current page
        self._gq2 = None          # GenQuery2 handle
        self._total = None

    # -- parameters -------------------------------------------------------------------------

    @property
    def parameters(self):
        """The constructor parameters as a dict."""
        return {name: getattr(self, name) for name in _PARAMETERS}

    def copy(self, **changes):
        """A new, unexecuted Query with some parameters changed.

        Raises:
            GenQuery_Options_Spec_Error: for a keyword that is not a Query parameter.
        """
        unknown = [k for k in changes if k not in _PARAMETERS]
        if unknown:
            raise GenQuery_Options_Spec_Error("Incorrect option(s) to Query: " + ", ".join(unknown))
        params = self.parameters
        params.update(changes)
        return Query(self.callback, **params)

    def __repr__(self):
        shown = []
        for name in _PARAMETERS:
            value = getattr(self, name)
            shown.append(name + "=" + (value.__name__ if name == "output" else repr(value)))
        return "Query(\n\t" + ",\n\t".join(shown) + "\n)"

    def __str__(self):
        text = "select " + ", ".join(self.columns)
        if self.conditions_for_exec:
            text += " where " + self.conditions_for_exec
        if self.order_by:
            text += " order by " + self.order_by
        if self.limit is not None:
            text += " limit " + str(self.limit)
        if self.offset:
            text += " offset " + str(self.offset)
        return text + " [parser=" + self.parser.name + "]"

    # -- execution ----------------------------------------------------------------------------

    def exec_if_not_yet_execed(self):
        """Run the query unless it already ran (first page fetched)."""
        if self.parser == Parser.GENQUERY2:
            if self._gq2 is None:
                self._gq2 = self.callback.msi_genquery2_execute("", self._gq2_text())[
                    "arguments"][0]
            return
        if self._inp is not None:
            return
        import irods_types

        if self.options & Option.UPPER_CASE_WHERE:
            self.conditions_for_exec = self.conditions.upper()
        ret = self.callback.msiMakeGenQuery(", ".join(self.columns), self.conditions_for_exec,
                                            irods_types.GenQueryInp())
        inp = ret["arguments"][2]
        if self.offset > 0:
            inp.rowOffset = self.offset
        else:
            # With no offset the server can count the rows in the same round trip.
            self.options |= Option.RETURN_TOTAL_ROW_COUNT
        if self.limit is not None and self.limit < MAX_SQL_ROWS - 1:
            inp.maxRows = self.limit
        inp.options |= self.options
        self._inp = inp
        self._out = self.callback.msiExecGenQuery(inp, irods_types.GenQueryOut())["arguments"][1]
        self._continue = self._out.continueInx
        self._total = None

    def _gq2_text(self):
        text = "select " + ", ".join(self.columns)
        if self.conditions:
            text += " where " + self.conditions
        if self.order_by:
            text += " order by " + self.order_by
        if self.offset > 0:
            text += " offset " + str(self.offset)
        if self.limit is not None:
            text += " limit " + str(self.limit)
        return text

    def total_rows(self):
        """Number of rows matching the query, ignoring offset and limit (None for GenQuery2)."""
        if self.parser == Parser.GENQUERY2:
            return None
        if self._total is None:
            if self.offset == 0:
                # Executing with offset 0 always asks for RETURN_TOTAL_ROW_COUNT.
                self.exec_if_not_yet_execed()
                self._total = self._out.totalRowCount
            else:
                # With an offset the count needs a second query without it.
                counter = Query(self.callback, self.columns, self.conditions, limit=0,
                                options=self.options | Option.RETURN_TOTAL_ROW_COUNT)
                self._total = counter.total_rows()
                counter.close()
        return self._total

    def _shape(self, row):
        if self.output is AS_TUPLE:
            return row[0] if len(self.columns) == 1 else tuple(row)
        if self.output is AS_LIST:
            return row
        return OrderedDict(zip(self.columns, row))

    def __iter__(self):
        self.exec_if_not_yet_execed()
        if self.parser == Parser.GENQUERY2:
            yield from self._iter_gq2()
            return
        produced = 0
        try:
            while True:
                page = self._out
                for r in range(page.rowCnt):
                    if self.limit is not None and produced >= self.limit:
                        return
                    produced += 1
                    yield self._shape([page.sqlResult[c].row(r)
                                       for c in range(len(self.columns))])
                if not self._continue or self._continue <= 0:
                    return
                if self.limit is not None and produced >= self.limit:
                    return
                self._fetch()
        finally:
            self._close()

    def _iter_gq2(self):
        # Rows are lists whatever ``output`` says; the handle is freed when the caller stops
        # early or by close()/the finalizer, not at the end of the rows (as PREP's module).
        while True:
            try:
                self.callback.msi_genquery2_next_row(self._gq2)
            except RuntimeError as exc:
                if _END_OF_RESULTSET_TEXT in str(exc):
                    return
                raise
            row = [self.callback.msi_genquery2_column(self._gq2, str(c), "")["arguments"][2]
                   for c in range(len(self.columns))]
            try:
                yield row
            except GeneratorExit:
                self._close()
                return

    def _fetch(self):
        ret = self.callback.msiGetMoreRows(self._inp, self._out, 0)
        self._out = ret["arguments"][1]
        self._continue = ret["arguments"][2]

    def _close(self):
        if self.parser == Parser.GENQUERY2:
            if self._gq2 is not None:
                handle, self._gq2 = self._gq2, None
                self.callback.msi_genquery2_free(handle)
                self.order_by = ""
            return
        if self._inp is None:
            return
        # Like PREP's module: a fetch with AUTO_CLOSE releases the server-side statement
        # (msiCloseGenQuery is not relied on).
        while self._continue and self._continue > 0:
            self._inp.options |= Option.AUTO_CLOSE
            self._fetch()
        self._inp = None
        self._out = None
        self._continue = None

    def close(self):
        """Release the server-side query (a no-op when already finished)."""
        self._close()

    def first(self):
        """The first row, or None when there is none; the query is closed afterwards."""
        result = None
        for row in self:
            result = row
            break
        self._close()
        return result

    def __del__(self):
        try:
            self._close()
        except Exception:  # noqa: S110 - never raise from a finalizer
            pass


def row_iterator(columns, conditions, row_return, callback):
    """Legacy form of ``Query(callback, columns, conditions, output=row_return)``."""
    return Query(callback, columns, conditions, output=row_return)


def row_generator(columns, conditions, row_return, callback):
    """The old generator form of :func:`row_iterator`."""
    return (row for row in row_iterator(columns, conditions, row_return, callback))


class paged_iterator:
    """Yields lists of up to ``N_rows_per_page`` rows (capped at MAX_SQL_ROWS)."""

    def __init__(self, columns, conditions, row_return, callback,
                 N_rows_per_page=MAX_SQL_ROWS):
        self.callback = callback
        self.set_rows_per_page(N_rows_per_page, hard_limit_at_default=True)
        self.generator = row_generator(columns, conditions, row_return, callback)

    def set_rows_per_page(self, rpp, hard_limit_at_default=False):
        """Change the page size (at least 1); returns self."""
        self.rows_per_page = max(1, int(rpp))
        if hard_limit_at_default:
            self.rows_per_page = min(self.rows_per_page, MAX_SQL_ROWS)
        return self

    def __iter__(self):
        return self

    def __next__(self):
        try:
            page = list(itertools.islice(self.generator, self.rows_per_page))
        except Exception as exc:
            if self.rows_per_page <= MAX_SQL_ROWS:
                self.callback.writeLine("serverLog", "*** UNEXPECTED Exception in genquery.py "
                                        "paged iterate [next()]")
                self.callback.writeLine("serverLog", "***   " + repr(exc))
            raise
        if not page:
            raise StopIteration
        return page

    next = __next__


def logPrinter(callback, stream):
    """A function writing its argument to ``stream`` with writeLine."""
    return lambda message: callback.writeLine(stream, message)


def test_python_RE_genquery_iterators(rule_args, callback, rei):
    """The test rule of PREP's module: rule_args = [pattern, rows_per_page, log_stream].

    ``pattern`` is ``<collection>/<DATA_NAME like-pattern>``; with a number in ``rows_per_page``
    the objects are read with paged_iterator, else with row_iterator; ``log_stream`` (optional,
    'serverLog', 'stdout' or 'stderr') gets a line per row. Afterwards rule_args holds the
    number of rows, of pages and of rows on the last page (strings).
    """
    collection, _, name_pattern = rule_args[0].rpartition("/")
    per_page = str(rule_args[1])
    stream = rule_args[2] if len(rule_args) > 2 else ""
    log = logPrinter(callback, stream) if stream else (lambda message: None)
    conditions = f"COLL_NAME = '{collection}' AND DATA_NAME like '{name_pattern}'"
    rows = pages = last = 0
    if per_page:
        log(f"__query: ({int(per_page)}) rows at a time__")
        for page in paged_iterator("DATA_NAME,DATA_SIZE", conditions, AS_DICT, callback,
                                   N_rows_per_page=int(per_page)):
            log("__new_page_from_query__")
            for row in page:
                log("n={} ; name = {} ; size = {}".format(rows, row["DATA_NAME"],
                                                           row["DATA_SIZE"]))
                rows += 1
            pages += 1
            last = len(page)
    else:
        log("__gen_mode_return_all_rows_from_query__")
        for row in row_iterator("DATA_NAME,DATA_SIZE", conditions, AS_DICT, callback):
            log("n = {} ; name = {} ; size = {}".format(rows, row["DATA_NAME"], row["DATA_SIZE"]))
            rows += 1
    rule_args[0] = str(rows)
    rule_args[1] = str(pages)
    rule_args[2] = str(last)
