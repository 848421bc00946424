"""Data objects and their replicas: put/create/write/read, replicate, copy, rename, unlink,
checksums and fault injection."""

from __future__ import annotations

import sqlite3
from typing import BinaryIO, Optional

from b2safe_sandbox import checksums, vault
from b2safe_sandbox.catalog.base import Db, fail, format_time, join_path, split_path
from b2safe_sandbox.catalog.namespace import Namespace
from b2safe_sandbox.catalog.principals import Principals
from b2safe_sandbox.catalog.rows import ReplicaRow, RescRow
from b2safe_sandbox.error_codes import CODES
from b2safe_sandbox.errors import (
    CAT_INVALID_ARGUMENT,
    CAT_NAME_EXISTS_AS_COLLECTION,
    CAT_UNKNOWN_COLLECTION,
    CHECK_VERIFICATION_RESULTS,
    OVERWRITE_WITHOUT_FORCE_FLAG,
    SYS_INVALID_INPUT_PARAM,
    SYS_NO_GOOD_REPLICA,
    SYS_NOT_ALLOWED,
    SYS_REPLICA_DOES_NOT_EXIST,
    UNIX_FILE_OPEN_ERR,
    USER_CHKSUM_MISMATCH,
    USER_FILE_DOES_NOT_EXIST,
    USER_FILE_SIZE_MISMATCH,
    USER_INCOMPATIBLE_PARAMS,
    IrodsCallError,
)
from b2safe_sandbox.gq.columns import ACCESS_OWN, ACCESS_READ, ACCESS_WRITE

CAT_NO_CHECKSUM_FOR_REPLICA = CODES["CAT_NO_CHECKSUM_FOR_REPLICA"]
SYS_REPLICA_INACCESSIBLE = CODES["SYS_REPLICA_INACCESSIBLE"]

GOOD = 1
STALE = 0
#: access_time resolution_in_seconds (R_GRID_CONFIGURATION default).
ACCESS_TIME_RESOLUTION = 86400
INTERMEDIATE = 2

Content = vault.Content

_REPLICA_SQL = ("SELECT d.*, c.coll_name FROM data d JOIN colls c ON c.coll_id = d.coll_id "
                "WHERE c.coll_name = ? AND d.data_name = ? ORDER BY d.repl_num")


class Data:
    """Data object operations."""

    def __init__(self, db: Db, namespace: Namespace, principals: Principals) -> None:
        self.db = db
        self.namespace = namespace
        self.principals = principals

    # -- lookups --------------------------------------------------------------------------------

    @staticmethod
    def _to_replica(row: sqlite3.Row) -> ReplicaRow:
        return ReplicaRow(
            data_id=row["data_id"], path=join_path(row["coll_name"], row["data_name"]),
            coll_path=row["coll_name"], name=row["data_name"], repl_num=row["repl_num"],
            resc_name=row["resc_name"], resc_hier=row["resc_hier"], status=row["repl_status"],
            size=row["size"], checksum=row["checksum"], phys_path=row["phys_path"],
            owner_name=row["owner_name"], owner_zone=row["owner_zone"],
            create_time=row["create_ts"], modify_time=row["modify_ts"],
            data_type=row["data_type"], mode=row["mode"])

    def _replica_rows(self, path: str) -> list[sqlite3.Row]:
        parent, name = split_path(self.db.check_path(path))
        return self.db.all(_REPLICA_SQL, (parent, name))

    def replica_rows(self, path: str) -> list[sqlite3.Row]:
        """The catalog rows of :meth:`data_get` (all replicas), as :meth:`data_checksum` and
        :meth:`data_verify` take them from a caller that has just read them."""
        return self._replica_rows(path)

    def data_get(self, path: str, repl_num: Optional[int] = None) -> list[ReplicaRow]:
        """Replicas of ``path`` ordered by replica number (only ``repl_num`` if given); [] if
        there is no such data object."""
        rows = [self._to_replica(r) for r in self._replica_rows(path)]
        if repl_num is not None:
            rows = [r for r in rows if r.repl_num == int(repl_num)]
        return rows

    def data_exists(self, path: str) -> bool:
        """True if a data object lives at ``path``."""
        return bool(self._replica_rows(path))

    def _require_data(self, path: str, rows: Optional[list[sqlite3.Row]] = None
                      ) -> list[sqlite3.Row]:
        rows = self._replica_rows(path) if rows is None else rows
        if not rows:
            raise fail(USER_FILE_DOES_NOT_EXIST, f"no data object {path}")
        return rows

    @staticmethod
    def _pick(rows: list[sqlite3.Row], repl_num: Optional[int], path: str) -> sqlite3.Row:
        """The replica ``repl_num`` (any status) or the lowest-numbered good replica."""
        if repl_num is not None:
            for row in rows:
                if row["repl_num"] == int(repl_num):
                    return row
            raise fail(SYS_REPLICA_DOES_NOT_EXIST, f"{path} has no replica {repl_num}")
        for row in rows:
            if row["repl_status"] == GOOD:
                return row
        raise fail(SYS_NO_GOOD_REPLICA, f"{path} has no good replica")

    def _pick_good(self, rows: list[sqlite3.Row], repl_num: Optional[int],
                   path: str) -> sqlite3.Row:
        row = self._pick(rows, repl_num, path)
        if row["repl_status"] != GOOD:
            raise fail(SYS_NO_GOOD_REPLICA, f"replica {row['repl_num']} of {path} is not good")
        return row

    def owner_of(self, path: str) -> Optional[str]:
        """'name#zone' owning the data object or collection at ``path``; None if nothing's there."""
        rows = self._replica_rows(path)
        if rows:
            return f"{rows[0]['owner_name']}#{rows[0]['owner_zone']}"
        coll = self.namespace.coll_row(path)
        return None if coll is None else f"{coll['owner_name']}#{coll['owner_zone']}"

    def _phys_for(self, resc: RescRow, path: str) -> str:
        return str(vault.physical_path(resc.vault_path, path))

    # -- writing --------------------------------------------------------------------------------

    def _prepare_write(self, path: str, actor: Optional[str], resc_name: Optional[str],
                       force: bool) -> tuple[sqlite3.Row, list[sqlite3.Row], RescRow]:
        """Checks shared by put and create: returns (parent coll row, existing replicas, resc)."""
        self.db.check_path(path)
        parent_path, name = split_path(path)
        if not name:
            raise fail(CAT_INVALID_ARGUMENT, "no data object name")
        parent = self.namespace.coll_row(parent_path)
        if parent is None:
            raise fail(CAT_UNKNOWN_COLLECTION, f"no collection {parent_path}")
        if self.namespace.coll_row(path) is not None:
            raise fail(CAT_NAME_EXISTS_AS_COLLECTION, f"{path} is a collection")
        resc = self.principals.require_resource(resc_name)
        rows = self._replica_rows(path)
        if rows:
            if not force:
                raise fail(OVERWRITE_WITHOUT_FORCE_FLAG, f"{path} exists")
            self.db.require_access(rows[0]["data_id"], actor, ACCESS_WRITE, path)
        else:
            self.db.require_access(parent["coll_id"], actor, ACCESS_WRITE, parent_path)
        return parent, rows, resc

    def _insert_replica(self, *, data_id: int, coll_id: int, name: str, repl_num: int,
                        resc: RescRow, phys: str, owner: tuple[str, str], size: int,
                        checksum: str, status: int, data_type: str, now: str) -> None:
        """A new replica row; its access time is its creation time, as chlRegDataObj sets an
        empty one (irods plugins/database/src/db_plugin.cpp@5.0.2 L2636-2637)."""
        self.db.exec(
            "INSERT INTO data (data_id, repl_num, coll_id, data_name, data_type, size, resc_name, "
            "resc_hier, resc_id, phys_path, owner_name, owner_zone, repl_status, checksum, "
            "create_ts, modify_ts, access_ts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (data_id, repl_num, coll_id, name, data_type, size, resc.name, resc.name, resc.id,
             phys, owner[0], owner[1], status, checksum, now, now, now))

    def data_note_access(self, path: str, repl_num: int,
                         resolution: int = ACCESS_TIME_RESOLUTION) -> bool:
        """An open for reading of replica ``repl_num`` (iRODS 5.0, rsDataObjOpen.cpp@5.0.2
        L894-926, L1295-1298): its access time becomes now when it is older than its modify
        time (as strings, both "%011d") or at least ``resolution`` seconds old (the grid
        configuration's access_time resolution_in_seconds, 86400 by default:
        scripts/irods/database_upgrade.py@5.0.2 L202). Returns whether it changed.

        Guess: the server queues the update and its main loop applies it within about a
        second (server/main_server/src/main.cpp@5.0.2 L369, L1780-1830); the sandbox applies it
        at once.
        """
        row = self.db.one("SELECT data_id, modify_ts, access_ts FROM data WHERE data_id = ? "
                          "AND repl_num = ?", (self.namespace.data_id_at(path), int(repl_num)))
        if row is None:
            return False
        now = self.db.now()
        atime = str(row["access_ts"])
        stale = atime < str(row["modify_ts"]) or (atime.isdigit()
                                                  and now - int(atime) >= resolution)
        if not stale:
            return False
        with self.db.tx():
            self.db.exec("UPDATE data SET access_ts = ? WHERE data_id = ? AND repl_num = ?",
                         (format_time(now), row["data_id"], int(repl_num)))
        return True

    def _write_replica(self, path: str, actor: Optional[str], resc_name: Optional[str],
                       force: bool, data_type: str, content: Optional[Content],
                       status: int, checksum: bool) -> ReplicaRow:
        parent, rows, resc = self._prepare_write(path, actor, resc_name, force)
        _, name = split_path(path)
        if not rows:
            return self._create_object(path, actor, parent, resc, data_type, content, status,
                                       checksum)
        target = next((r for r in rows if r["resc_name"] == resc.name), None)
        phys = target["phys_path"] if target is not None else self._phys_for(resc, path)
        size = vault.write(phys, content if content is not None else b"")
        digest = checksums.compute(str(phys), self.db.hash_scheme) if checksum else ""
        with self.db.tx():
            now = self.db.now_text()
            if target is None:
                data_id = rows[0]["data_id"]
                repl_num = max(r["repl_num"] for r in rows) + 1
                self._insert_replica(data_id=data_id, coll_id=parent["coll_id"], name=name,
                                     repl_num=repl_num, resc=resc, phys=phys,
                                     owner=(rows[0]["owner_name"], rows[0]["owner_zone"]),
                                     size=size, checksum=digest, status=status,
                                     data_type=data_type, now=now)
            else:
                data_id = target["data_id"]
                repl_num = target["repl_num"]
                self.db.exec("UPDATE data SET size = ?, checksum = ?, repl_status = ?, "
                             "modify_ts = ?, data_type = ? WHERE data_id = ? AND repl_num = ?",
                             (size, digest, status, now, data_type, data_id, repl_num))
            if rows and status == GOOD:
                self._mark_others_stale(data_id, repl_num)
        return self.data_get(path, repl_num)[0]

    def _create_object(self, path: str, actor: Optional[str], parent: sqlite3.Row,
                       resc: RescRow, data_type: str, content: Optional[Content], status: int,
                       checksum: bool) -> ReplicaRow:
        """A new data object's first replica, registered (intermediate, size 0) before its
        vault file is written, as a create does: rsDataObjOpen registers the new replica
        (``rs_register_physical_path``) and only then creates the physical file
        (``create_physical_file_for_replica``; irods/irods server/api/src/rsDataObjOpen.cpp
        ``create_new_replica``). So an agent that loses a race to create the same path fails
        on the catalog's unique name (CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME) without touching
        the winner's file, and a write that fails unregisters the replica again (there:
        ``rsUnregDataObj`` after a failed ``l3Create``)."""
        _, name = split_path(path)
        phys = self._phys_for(resc, path)
        with self.db.tx():
            now = self.db.now_text()
            data_id = self.db.next_id()
            owner = self.db.owner_of_actor(actor)
            self._insert_replica(data_id=data_id, coll_id=parent["coll_id"], name=name,
                                 repl_num=0, resc=resc, phys=phys, owner=owner, size=0,
                                 checksum="", status=INTERMEDIATE, data_type=data_type, now=now)
            self.namespace.new_object_acls(data_id, parent, owner[0], owner[1], now)
        try:
            size = vault.write(phys, content if content is not None else b"")
            digest = checksums.compute(str(phys), self.db.hash_scheme) if checksum else ""
        except BaseException:
            with self.db.tx():
                self.db.exec("DELETE FROM data WHERE data_id = ?", (data_id,))
                self.namespace.delete_objects([data_id])
            raise
        if (size, digest, status) != (0, "", INTERMEDIATE):
            with self.db.tx():
                self.db.exec("UPDATE data SET size = ?, checksum = ?, repl_status = ? "
                             "WHERE data_id = ? AND repl_num = 0", (size, digest, status, data_id))
        return self.data_get(path, 0)[0]

    def _mark_others_stale(self, data_id: int, repl_num: int) -> None:
        self.db.exec("UPDATE data SET repl_status = ? WHERE data_id = ? AND repl_num != ? "
                     "AND repl_status = ?", (STALE, data_id, repl_num, GOOD))

    def data_put(self, path: str, content: Content, actor: Optional[str],
                 resc: Optional[str] = None, force: bool = False, checksum: bool = False,
                 data_type: str = "generic") -> ReplicaRow:
        """Create or overwrite data object ``path`` with ``content`` (bytes or a local file).

        A new object gets replica 0 on ``resc`` (default resource), owned by ``actor``, with
        the parent's ACLs if the parent has the inherit flag. Overwriting needs ``force`` and
        write access; it rewrites the replica on ``resc`` (adding one if there is none) and marks
        the other replicas stale; the overwritten replica's checksum is cleared unless
        ``checksum``. Raises OVERWRITE_WITHOUT_FORCE_FLAG, CAT_UNKNOWN_COLLECTION,
        CAT_NAME_EXISTS_AS_COLLECTION, CAT_NO_ACCESS_PERMISSION, SYS_RESC_DOES_NOT_EXIST.
        """
        return self._write_replica(path, actor, resc, force, data_type, content, GOOD, checksum)

    def data_create(self, path: str, actor: Optional[str], resc: Optional[str] = None,
                    force: bool = False, data_type: str = "generic") -> ReplicaRow:
        """Open a new (or, with ``force``, truncated) replica for writing: an empty vault file
        and an intermediate (status 2) replica until :meth:`data_finalize`. Errors as data_put."""
        return self._write_replica(path, actor, resc, force, data_type, None, INTERMEDIATE,
                                   False)

    def data_write(self, path: str, offset: int, data: bytes, repl_num: int = 0) -> int:
        """Write ``data`` at ``offset`` into replica ``repl_num``'s vault file; returns the count.
        Raises USER_FILE_DOES_NOT_EXIST / SYS_REPLICA_DOES_NOT_EXIST."""
        row = self._pick(self._require_data(path), repl_num, path)
        return vault.write_at(row["phys_path"], int(offset), bytes(data))

    def data_finalize(self, path: str, repl_num: int = 0) -> ReplicaRow:
        """Close a written replica: size from the vault file, status good, checksum cleared,
        modify time now, the other replicas stale."""
        row = self._pick(self._require_data(path), repl_num, path)
        size = max(vault.size(row["phys_path"]), 0)
        with self.db.tx():
            self.db.exec("UPDATE data SET size = ?, repl_status = ?, checksum = '', modify_ts = ? "
                         "WHERE data_id = ? AND repl_num = ?",
                         (size, GOOD, self.db.now_text(), row["data_id"], row["repl_num"]))
            self._mark_others_stale(row["data_id"], row["repl_num"])
        return self.data_get(path, row["repl_num"])[0]

    # -- reading --------------------------------------------------------------------------------

    def _readable(self, path: str, repl_num: Optional[int], actor: Optional[str]) -> sqlite3.Row:
        rows = self._require_data(path)
        self.db.require_access(rows[0]["data_id"], actor, ACCESS_READ, path)
        row = self._pick_good(rows, repl_num, path)
        if vault.size(row["phys_path"]) < 0:
            raise fail(UNIX_FILE_OPEN_ERR, f"vault file of {path} is missing")
        return row

    def data_read(self, path: str, repl_num: Optional[int] = None, offset: int = 0,
                  length: int = -1, actor: Optional[str] = None) -> bytes:
        """Bytes of a good replica (``repl_num`` or the first good one).

        Raises USER_FILE_DOES_NOT_EXIST, CAT_NO_ACCESS_PERMISSION, SYS_NO_GOOD_REPLICA,
        SYS_REPLICA_DOES_NOT_EXIST, UNIX_FILE_OPEN_ERR (vault file gone).
        """
        row = self._readable(path, repl_num, actor)
        return vault.read(row["phys_path"], int(offset), int(length))

    def data_open_stream(self, path: str, repl_num: Optional[int] = None,
                         actor: Optional[str] = None) -> BinaryIO:
        """A binary stream on a good replica's vault file (the caller closes it)."""
        return vault.open_stream(self._readable(path, repl_num, actor)["phys_path"])

    # -- replicas -------------------------------------------------------------------------------

    def data_replicate(self, path: str, dest_resc: Optional[str], actor: Optional[str],
                       src_repl: Optional[int] = None, update: bool = False) -> ReplicaRow:
        """Make (or refresh) a replica of ``path`` on ``dest_resc``.

        A good replica already there is returned untouched; a stale one is updated (``update``
        is accepted for compatibility: iRODS 4.2.9+ updates stale replicas either way). The
        source is ``src_repl`` (must be good: SYS_NOT_ALLOWED) or the first good replica
        (SYS_NO_GOOD_REPLICA). If the source has a checksum the copy is verified against it
        (USER_CHKSUM_MISMATCH, and the new replica is dropped) and registered on the copy.
        Guess: replicating needs write access. Raises SYS_RESC_DOES_NOT_EXIST for an unknown
        resource and USER_FILE_SIZE_MISMATCH if the copied size differs from the catalog size.
        """
        del update
        rows = self._require_data(path)
        resc = self.principals.require_resource(dest_resc)
        self.db.require_access(rows[0]["data_id"], actor, ACCESS_WRITE, path)
        if src_repl is not None:
            src = self._pick(rows, src_repl, path)
            if src["repl_status"] != GOOD:
                raise fail(SYS_NOT_ALLOWED, f"source replica {src_repl} of {path} is not good")
        else:
            src = self._pick_good(rows, None, path)
        dest = next((r for r in rows if r["resc_name"] == resc.name), None)
        if dest is not None and dest["repl_status"] == GOOD:
            return self._to_replica(dest)
        phys = dest["phys_path"] if dest is not None else self._phys_for(resc, path)
        if vault.size(src["phys_path"]) < 0:
            raise fail(UNIX_FILE_OPEN_ERR, f"vault file of {path} is missing")
        size = vault.copy(src["phys_path"], phys)
        try:
            if size != src["size"]:
                raise fail(USER_FILE_SIZE_MISMATCH,
                           f"copied {size} bytes of {path}, catalog says {src['size']}")
            if src["checksum"] and not checksums.verify(src["checksum"], str(phys)):
                raise fail(USER_CHKSUM_MISMATCH, f"replica of {path} does not match checksum")
        except Exception:
            if dest is None:
                vault.remove(phys)
            raise
        with self.db.tx():
            now = self.db.now_text()
            if dest is None:
                repl_num = max(r["repl_num"] for r in rows) + 1
                self._insert_replica(data_id=src["data_id"], coll_id=src["coll_id"],
                                     name=src["data_name"], repl_num=repl_num, resc=resc,
                                     phys=phys, owner=(src["owner_name"], src["owner_zone"]),
                                     size=size, checksum=src["checksum"], status=GOOD,
                                     data_type=src["data_type"], now=now)
            else:
                repl_num = dest["repl_num"]
                self.db.exec("UPDATE data SET size = ?, checksum = ?, repl_status = ?, "
                             "modify_ts = ? WHERE data_id = ? AND repl_num = ?",
                             (size, src["checksum"], GOOD, now, dest["data_id"], repl_num))
        return self.data_get(path, repl_num)[0]

    def data_set_status(self, path: str, repl_num: int, status: int) -> None:
        """Set DATA_REPL_STATUS of one replica (0 stale, 1 good, 2 intermediate, ...)."""
        row = self._pick(self._require_data(path), repl_num, path)
        with self.db.tx():
            self.db.exec("UPDATE data SET repl_status = ? WHERE data_id = ? AND repl_num = ?",
                         (int(status), row["data_id"], row["repl_num"]))

    def data_set_comment(self, path: str, repl_num: int, comment: str,
                         actor: Optional[str] = None) -> None:
        """Set DATA_COMMENTS of one replica; ``actor`` needs write access (USER_FILE_DOES_NOT_EXIST,
        SYS_REPLICA_DOES_NOT_EXIST, CAT_NO_ACCESS_PERMISSION)."""
        row = self._pick(self._require_data(path), repl_num, path)
        self.db.require_access(row["data_id"], actor, ACCESS_WRITE, path)
        with self.db.tx():
            self.db.exec("UPDATE data SET comments = ? WHERE data_id = ? AND repl_num = ?",
                         (comment, row["data_id"], row["repl_num"]))

    def data_truncate(self, path: str, repl_num: int, size: int,
                      actor: Optional[str] = None) -> ReplicaRow:
        """Truncate (or extend with zeros) replica ``repl_num``'s file to ``size`` bytes; it
        becomes the good replica with no checksum, the others stale, as rs_replica_truncate's
        metadata update does (irods server/api/src/rs_replica_truncate.cpp@5.0.2 L147-170).
        ``actor`` needs write access (CAT_NO_ACCESS_PERMISSION)."""
        row = self._pick(self._require_data(path), repl_num, path)
        self.db.require_access(row["data_id"], actor, ACCESS_WRITE, path)
        with open(row["phys_path"], "r+b") as fh:
            fh.truncate(size)
        with self.db.tx():
            self.db.exec("UPDATE data SET size = ?, checksum = '', repl_status = ?, modify_ts = ? "
                         "WHERE data_id = ? AND repl_num = ?",
                         (size, GOOD, self.db.now_text(), row["data_id"], row["repl_num"]))
            self._mark_others_stale(row["data_id"], row["repl_num"])
        return self.data_get(path, row["repl_num"])[0]

    def set_modify_time(self, path: str, epoch: int, repl_num: Optional[int] = None) -> None:
        """Set the modify time of a data object (all replicas, or ``repl_num``) or collection.
        Raises USER_FILE_DOES_NOT_EXIST if nothing is at ``path``."""
        stamp = format_time(epoch)
        rows = self._replica_rows(path)
        with self.db.tx():
            if rows:
                row = self._pick(rows, repl_num, path) if repl_num is not None else None
                if row is None:
                    self.db.exec("UPDATE data SET modify_ts = ? WHERE data_id = ?",
                                 (stamp, rows[0]["data_id"]))
                else:
                    self.db.exec("UPDATE data SET modify_ts = ? WHERE data_id = ? AND repl_num = ?",
                                 (stamp, row["data_id"], row["repl_num"]))
                return
            coll = self.namespace.coll_row(path)
            if coll is None:
                raise fail(USER_FILE_DOES_NOT_EXIST, f"nothing at {path}")
            self.db.exec("UPDATE colls SET modify_ts = ? WHERE coll_id = ?",
                         (stamp, coll["coll_id"]))

    # -- copy, rename, unlink -------------------------------------------------------------------

    def data_copy(self, src: str, dst: str, actor: Optional[str], resc: Optional[str] = None,
                  force: bool = False) -> ReplicaRow:
        """Copy data object ``src`` to ``dst`` in this zone (a new object with its own id,
        ACLs and owner ``actor``). A source checksum is verified on the copy
        (USER_CHKSUM_MISMATCH) and registered there. Needs read on ``src``; errors of
        :meth:`data_put` for ``dst``; CAT_INVALID_ARGUMENT when ``src == dst``.
        """
        if src == dst:
            raise fail(CAT_INVALID_ARGUMENT, f"cannot copy {src} onto itself")
        row = self._readable(src, None, actor)
        with self.db.tx():
            copied = self.data_put(dst, vault.LocalFile(row["phys_path"]), actor, resc=resc,
                                   force=force, data_type=row["data_type"])
            if row["checksum"]:
                if not checksums.verify(row["checksum"], str(copied.phys_path)):
                    raise fail(USER_CHKSUM_MISMATCH, f"copy of {src} does not match checksum")
                self.data_set_checksum(dst, copied.repl_num, row["checksum"])
        return self.data_get(dst, copied.repl_num)[0]

    def data_rename(self, src: str, dst: str, actor: Optional[str]) -> ReplicaRow:
        """Move data object ``src`` to ``dst`` (same id, ACLs, AVUs; vault files move too).

        Guess: needs 'own' on ``src`` (iRODS checks delete permission) and write on ``dst``'s
        collection. Raises USER_FILE_DOES_NOT_EXIST, CAT_UNKNOWN_COLLECTION,
        CAT_NAME_EXISTS_AS_COLLECTION/_DATAOBJ, CAT_NO_ACCESS_PERMISSION.
        """
        rows = self._require_data(src)
        self.db.check_path(dst)
        self.namespace.ensure_free(dst)
        dst_parent_path, dst_name = split_path(dst)
        dst_parent = self.namespace.coll_row(dst_parent_path)
        if dst_parent is None:
            raise fail(CAT_UNKNOWN_COLLECTION, f"no collection {dst_parent_path}")
        self.db.require_access(rows[0]["data_id"], actor, ACCESS_OWN, src)
        self.db.require_access(dst_parent["coll_id"], actor, ACCESS_WRITE, dst_parent_path)
        moves = []
        with self.db.tx():
            now = self.db.now_text()
            for row in rows:
                resc = self.principals.get_resource(row["resc_name"])
                phys = row["phys_path"]
                if resc is not None and phys == self._phys_for(resc, src):
                    phys = self._phys_for(resc, dst)
                    moves.append((row["phys_path"], phys))
                self.db.exec("UPDATE data SET coll_id = ?, data_name = ?, phys_path = ?, "
                             "modify_ts = ? WHERE data_id = ? AND repl_num = ?",
                             (dst_parent["coll_id"], dst_name, phys, now, row["data_id"],
                            row["repl_num"]))
        for old, new in moves:
            vault.move(old, new)
        return self.data_get(dst)[0]

    def data_unlink(self, path: str, actor: Optional[str], repl_num: Optional[int] = None,
                    keep_files: bool = False) -> None:
        """Remove a data object (or only replica ``repl_num``; removing the last replica removes
        the object): catalog rows, vault files (not with ``keep_files``: only unregistered), and
        with the object its AVUs and ACLs.

        Guess: needs 'own' (delete permission). Raises USER_FILE_DOES_NOT_EXIST,
        SYS_REPLICA_DOES_NOT_EXIST, CAT_NO_ACCESS_PERMISSION.
        """
        rows = self._require_data(path)
        data_id = rows[0]["data_id"]
        self.db.require_access(data_id, actor, ACCESS_OWN, path)
        doomed = rows if repl_num is None else [self._pick(rows, repl_num, path)]
        with self.db.tx():
            for row in doomed:
                self.db.exec("DELETE FROM data WHERE data_id = ? AND repl_num = ?",
                             (data_id, row["repl_num"]))
            if len(doomed) == len(rows):
                self.namespace.delete_objects([data_id])
        for row in doomed if not keep_files else ():
            vault.remove(row["phys_path"])

    # -- checksums ------------------------------------------------------------------------------

    def data_set_checksum(self, path: str, repl_num: Optional[int], checksum: str) -> None:
        """Register ``checksum`` on replica ``repl_num`` (None: every replica) without computing
        anything (iRODS regChksum)."""
        rows = self._require_data(path)
        targets = rows if repl_num is None else [self._pick(rows, repl_num, path)]
        with self.db.tx():
            for row in targets:
                self.db.exec("UPDATE data SET checksum = ? WHERE data_id = ? AND repl_num = ?",
                             (checksum, row["data_id"], row["repl_num"]))

    def _hash_replica(self, row: sqlite3.Row, scheme: str) -> str:
        if vault.size(row["phys_path"]) < 0:
            raise fail(UNIX_FILE_OPEN_ERR, f"vault file {row['phys_path']} is missing")
        # The path as text: Path() would intern each of its parts (pathlib), one new
        # interned string per object, which grows the interpreter's table of them with N.
        return checksums.compute(str(row["phys_path"]), scheme, limit=row["size"])

    def data_checksum(self, path: str, actor: Optional[str] = None,
                      repl_num: Optional[int] = None, force: bool = False, verify: bool = False,
                      all_replicas: bool = False,
                      rows: Optional[list[sqlite3.Row]] = None) -> str:
        """The checksum of ``path`` as msiDataObjChksum gives it.

        Without ``force`` a registered checksum is returned as is; a missing one is computed
        (zone scheme) and registered. ``force`` recomputes and registers. ``verify`` recomputes
        with the scheme the registered string implies and raises CHECK_VERIFICATION_RESULTS on
        a mismatch, a size mismatch or a missing checksum (nothing is registered).
        ``all_replicas`` works on every good replica and returns '' if they differ. ``rows``:
        the object's :meth:`replica_rows`, when the caller has just read them.
        Raises USER_INCOMPATIBLE_PARAMS (force with verify), USER_FILE_DOES_NOT_EXIST,
        CAT_NO_ACCESS_PERMISSION, SYS_NO_GOOD_REPLICA, SYS_REPLICA_DOES_NOT_EXIST.
        """
        if force and verify:
            raise fail(USER_INCOMPATIBLE_PARAMS, "force and verify together")
        rows = self._require_data(path, rows)
        self.db.require_access(rows[0]["data_id"], actor, ACCESS_READ, path)
        if all_replicas and repl_num is None:
            targets = [r for r in rows if r["repl_status"] == GOOD]
            if not targets:
                raise fail(SYS_NO_GOOD_REPLICA, f"{path} has no good replica")
        elif repl_num is not None and not verify:
            # A named replica may be stale (rsDataObjChksum.cpp@5.0.2 L140-148, L417-423).
            targets = [self._accessible(rows, repl_num, path)]
        else:
            targets = [self._pick_good(rows, repl_num, path)]
        results = []
        for row in targets:
            results.append(self._checksum_one(path, row, force, verify))
        return results[0] if len(set(results)) == 1 else ""

    def _accessible(self, rows: list[sqlite3.Row], repl_num: int, path: str) -> sqlite3.Row:
        """Replica ``repl_num``: good or stale, else SYS_REPLICA_INACCESSIBLE
        (check_replica_accessibility, rsDataObjChksum.cpp@5.0.2 L136-148)."""
        row = self._pick(rows, repl_num, path)
        if row["repl_status"] not in (GOOD, STALE):
            raise fail(SYS_REPLICA_INACCESSIBLE,
                       f"replica {repl_num} of {path} is neither good nor stale")
        return row

    def data_verify(self, path: str, actor: Optional[str] = None,
                    repl_num: Optional[int] = None, no_compute: bool = False,
                    rows: Optional[list[sqlite3.Row]] = None) -> list[tuple[str, int, str]]:
        """What ``ichksum -K`` / msiDataObjChksum ``verifyChksum=`` reports for ``path``: a list
        of (severity, code, message); empty when all is well (do_verification,
        irods server/api/src/rsDataObjChksum.cpp@5.0.2 L246-384).

        With ``repl_num`` only that replica (good or stale) is checked: its vault size, then a
        missing checksum (reported alone), then its bytes against the checksum. Without, every
        good replica is (SYS_NO_GOOD_REPLICA if none): the number of skipped (not good) replicas,
        the sizes, replicas without checksum (reported without computing anything), the bytes,
        and whether the good replicas share one checksum. ``no_compute`` skips the hashing.
        ``rows``: the object's :meth:`replica_rows`, when the caller has just read them.
        Raises USER_FILE_DOES_NOT_EXIST, CAT_NO_ACCESS_PERMISSION, SYS_REPLICA_DOES_NOT_EXIST,
        SYS_REPLICA_INACCESSIBLE, SYS_NO_GOOD_REPLICA.
        """
        rows = self._require_data(path, rows)
        self.db.require_access(rows[0]["data_id"], actor, ACCESS_READ, path)
        results: list[tuple[str, int, str]] = []
        if repl_num is not None:
            row = self._accessible(rows, repl_num, path)
            self._verify_size(row, results)
            if not row["checksum"]:
                results.append(("warning", CAT_NO_CHECKSUM_FOR_REPLICA,
                                f"WARNING: No checksum available for replica [{repl_num}]."))
                return results
            if not no_compute:
                self._verify_bytes(row, results)
            return results
        good = [r for r in rows if r["repl_status"] == GOOD]
        if not good:
            raise fail(SYS_NO_GOOD_REPLICA, f"{path} has no good replica")
        if len(rows) > len(good):
            results.append(("info", 0, "INFO: Number of replicas skipped: "
                            f"{len(rows) - len(good)}"))
        for row in good:
            self._verify_size(row, results)
        missing = [r for r in good if not r["checksum"]]
        for row in missing:
            results.append(("warning", CAT_NO_CHECKSUM_FOR_REPLICA,
                            f"WARNING: No checksum available for replica [{row['repl_num']}]."))
        if missing:
            return results
        if not no_compute:
            for row in good:
                self._verify_bytes(row, results)
        if len({r["checksum"] for r in good}) > 1:
            results.append(("warning", USER_CHKSUM_MISMATCH,
                            "WARNING: Data object has replicas with different checksums."))
        return results

    @staticmethod
    def _verify_size(row: sqlite3.Row, results: list[tuple[str, int, str]]) -> None:
        if vault.size(row["phys_path"]) != row["size"]:
            results.append(("error", USER_FILE_SIZE_MISMATCH,
                            "ERROR: Physical size does not match size in catalog for replica "
                            f"[{row['repl_num']}]."))

    def _verify_bytes(self, row: sqlite3.Row, results: list[tuple[str, int, str]]) -> None:
        stored = row["checksum"]
        scheme = checksums.scheme_of(stored)
        try:
            same = scheme is not None and self._hash_replica(row, scheme) == stored
        except IrodsCallError as exc:
            results.append(("error", exc.code, "ERROR: Could not verify checksum for replica "
                            f"[{row['repl_num']}]."))
            return
        if not same:
            results.append(("error", USER_CHKSUM_MISMATCH, "ERROR: Computed checksum does not "
                            f"match what is in the catalog for replica [{row['repl_num']}]."))

    def _checksum_one(self, path: str, row: sqlite3.Row, force: bool, verify: bool) -> str:
        stored = row["checksum"]
        if verify:
            on_disk = vault.size(row["phys_path"])
            scheme = checksums.scheme_of(stored) if stored else None
            if not stored or scheme is None:
                raise fail(CHECK_VERIFICATION_RESULTS,
                           f"replica {row['repl_num']} of {path} has no checksum")
            if on_disk != row["size"]:
                raise fail(CHECK_VERIFICATION_RESULTS,
                           f"replica {row['repl_num']} of {path}: size {on_disk} on disk, "
                           f"{row['size']} in catalog")
            if self._hash_replica(row, scheme) != stored:
                raise fail(CHECK_VERIFICATION_RESULTS,
                           f"replica {row['repl_num']} of {path}: checksum mismatch")
            return stored
        if stored and not force:
            return stored
        digest = self._hash_replica(row, self.db.hash_scheme)
        with self.db.tx():
            self.db.exec("UPDATE data SET checksum = ? WHERE data_id = ? AND repl_num = ?",
                         (digest, row["data_id"], row["repl_num"]))
        return digest

    # -- fault injection ------------------------------------------------------------------------

    def corrupt_replica(self, path: str, repl_num: int = 0, mode: str = "flip",
                        offset: int = 0) -> None:
        """Change replica ``repl_num``'s bytes on disk ('flip' a byte at ``offset`` or
        'truncate' to ``offset``) without touching the catalog (size/checksum stay).
        Raises SYS_INVALID_INPUT_PARAM for an unknown mode."""
        if mode not in ("flip", "truncate"):
            raise fail(SYS_INVALID_INPUT_PARAM, f"unknown corruption mode {mode!r}")
        row = self._pick(self._require_data(path), repl_num, path)
        vault.corrupt(row["phys_path"], mode, int(offset))
