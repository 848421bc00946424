"""Integrity operations over the PREP callback: sorted replica listings, storage verification,
copies for repair, JSON report objects and the delay queue.

:class:`PrepIntegrityCatalog` extends :class:`b2safe.adapters.prep.catalog.PrepCatalog` (the
:class:`b2safe.ports.IntegrityCatalog` port). Listings are single GenQuery streams (pages of 256
rows) ordered by collection and name, so a whole tree costs N/256 round trips per stream and the
caller can merge two trees in sorted order without holding either in memory.
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

from b2safe import errors
from b2safe.adapters.prep.catalog import PrepCatalog
from b2safe.adapters.prep.msi import output
from b2safe.domain.paths import gq_below
from b2safe.ports import ReplicaRow

#: msiDataObjChksum verification failures: the stored bytes differ from the catalog checksum.
_MISMATCH_CODES = (errors.CHECK_VERIFICATION_RESULTS, errors.USER_CHKSUM_MISMATCH)


class PrepIntegrityCatalog(PrepCatalog):
    """:class:`b2safe.ports.IntegrityCatalog` for rules running under PREP."""

    def data_avus(self, collection: str, names: Sequence[str],
                  prefixes: Sequence[str] = ()) -> Iterator[tuple[str, str, str]]:
        """(path, attribute, value) of data-object AVUs below ``collection``, sorted by path.

        One stream: the attribute condition is one column's ``=``/``like`` alternatives.
        """
        wanted = set(names)
        tests = [f"= '{n}'" for n in names if "'" not in n] + \
            [f"like '{p}%'" for p in prefixes if "'" not in p and "%" not in p and "_" not in p]
        coll_cond, coll_ok = gq_below("COLL_NAME", collection)
        conditions = coll_cond
        if tests:
            conditions += " and META_DATA_ATTR_NAME " + " || ".join(tests)

        def keep(row: list[str]) -> bool:
            return coll_ok(row[0]) and (row[2] in wanted or
                                        any(row[2].startswith(p) for p in prefixes))

        columns = ["ORDER(COLL_NAME)", "ORDER(DATA_NAME)", "META_DATA_ATTR_NAME",
                   "META_DATA_ATTR_VALUE"]
        for row in self.query(columns, conditions, keep):
            yield f"{row[0]}/{row[1]}", row[2], row[3]

    def compute_checksum(self, path: str, repl_num: Optional[int] = None) -> str:
        """msiDataObjChksum without force: the registered checksum, computed when absent."""
        options = self.options(path, replNum=None if repl_num is None else str(repl_num))
        return str(output(self.msi("msiDataObjChksum", path, options, ""), 2))

    def verify_replica(self, path: str, repl_num: Optional[int] = None) -> bool:
        """msiDataObjChksum verifyChksum: False when stored bytes and catalog checksum differ.

        Without ``repl_num`` every good replica is verified, each on its own
        (:meth:`PrepCatalog.verify_good`).
        """
        if repl_num is None:
            return self.verify_good(path)
        options = self.options(path, verifyChksum="", replNum=str(repl_num))
        try:
            self.msi("msiDataObjChksum", path, options, "")
        except errors.B2SafeError as exc:
            if exc.code in _MISMATCH_CODES:
                return False
            raise
        return True

    def copy_over(self, source: str, destination: str, resource: str = "") -> None:
        """msiDataObjCopy with forceFlag and verifyChksum (one transfer thread, PREP #54)."""
        # msiDataObjCopy has no admin keyword (rsDataObjCopy): the client needs read on the
        # source and write on the destination collection (docs/installation.md).
        options = "++++".join(f"{k}={v}" for k, v in (
            ("destRescName", resource or None), ("forceFlag", ""), ("verifyChksum", ""),
            ("numThreads", "1")) if v is not None)
        self.msi("msiDataObjCopy", source, destination, options, 0)

    def replace_replica(self, path: str, repl_num: int, from_resource: str) -> ReplicaRow:
        """Trim replica ``repl_num`` and replicate ``from_resource``'s replica onto its resource.

        msiDataObjTrim(path, 'null', replNum, '1', 'null') removes exactly that replica (never
        the last good one: minCopies 1), then msiDataObjRepl with ``rescName`` (source) and
        ``destRescName`` (the trimmed replica's resource) and one transfer thread (PREP #54). A
        good replica on the destination would make msiDataObjRepl a no-op, hence the trim
        first. The caller verifies the new replica (msiDataObjChksum verifyChksum replNum).

        Raises:
            NotFound: the object or the replica is gone.
            B2SafeError: a microservice failed (the replica may then be missing: the trim is
                done before the transfer).
        """
        rows = self.replicas_of(path)
        bad = next((r for r in rows if r.repl_num == repl_num), None)
        if bad is None:
            raise errors.NotFound(f"{path} has no replica {repl_num}")
        # A rodsadmin trims with the irodsAdmin argument (msiDataObjTrim's 5th); anyone else
        # needs delete ('own') permission on the object.
        admin = "1" if self.admin_mode(path) else "null"
        self.msi("msiDataObjTrim", path, "null", str(repl_num), "1", admin, 0)
        options = self.options(path, rescName=from_resource, destRescName=bad.resource,
                               numThreads="1")
        self.msi("msiDataObjRepl", path, options, 0)
        fresh = next((r for r in self.replicas_of(path) if r.resource == bad.resource), None)
        if fresh is None:
            raise errors.NotFound(f"{path} has no replica on {bad.resource} after replication")
        return fresh

    def replicate_to(self, path: str, from_resource: str, to_resource: str) -> ReplicaRow:
        """msiDataObjRepl from ``from_resource``'s replica onto ``to_resource`` (one thread)."""
        options = self.options(path, rescName=from_resource, destRescName=to_resource,
                               numThreads="1")
        self.msi("msiDataObjRepl", path, options, 0)
        fresh = next((r for r in self.replicas_of(path) if r.resource == to_resource), None)
        if fresh is None:
            raise errors.NotFound(f"{path} has no replica on {to_resource} after replication")
        return fresh

    def write_text(self, path: str, text: str) -> None:
        """Create (or truncate) ``path`` and write ``text``: create, write, close."""
        fd = output(self.msi("msiDataObjCreate", path, "forceFlag=", 0), 2)
        try:
            self.msi("msiDataObjWrite", fd, text, 0)
        finally:
            self.msi("msiDataObjClose", fd, 0)
