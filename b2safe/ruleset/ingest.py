"""Ingest: the PEPs by which b2safe learns that a data object arrived, one per upload route.

No single PEP covers every route (docs/policies.md has the route x hook table with sources;
irods/irods @4.3.4 and @5.0.2 fire the same ones):

* ``acPostProcForPut`` (rsDataObjPut.cpp L74-84; rsDataObjClose.cpp L97-103): ``iput`` single
  buffer and parallel, python-irodsclient ``put`` (one stream, and the initial stream of a
  parallel put, whose other streams close without finalizing), every open/create-write-close
  client, ``irsync`` from local files, and ``iput -b`` once ``acBulkPutPostProcPolicy`` says
  "on" (rsBulkDataObjPut.cpp L842-852, L957), which b2safe does while policies are configured.
  A copy or a replication arriving here (COPY_DEST, a b2safe replica) fires acPostProcForCopy
  instead; the legacy call after ``irepl`` is filtered by
  :meth:`b2safe.workflows.upload.Uploads.apply`.
* ``pep_api_replica_close_pre``/``_post`` (replica_close.cpp L323-470, which fires no static
  PEP): the iRODS HTTP API, the S3 API (PutObject, multipart), ``istream``. The input is JSON
  with the descriptor only; the pre-PEP reads the path with ``msi_get_file_descriptor_info``
  while the descriptor is open. Closes with ``update_status: false`` do not finalize and are
  ignored (parallel HTTP writes, python-irodsclient's extra streams). The PID waits for the
  delay queue, as a finalizing close may come before the upload is complete (S3 multipart).
* ``pep_api_touch_pre``/``_post`` (touch.cpp L277-331): an object created by ``touch``.
* ``acPostProcForFilePathReg`` (register_physical_path.cpp L416-440): ``ireg``,
  python-irodsclient ``register``, the automated ingest tool's register modes, msiPhyPathReg.
* ``pep_api_data_obj_copy_post``: ``icp`` and the S3 API's CopyObject by a client. Microservice
  copies (b2safe's own replication) fire no API PEP (irods#7387), so replicas are not ingested.
* ``pep_api_data_obj_rsync_post``: ``irsync i:src i:dst`` by a client.
* ``pep_api_data_obj_close_pre``/``_post`` with a descriptor whose ``operation_type`` is
  COPY_DEST: an ``icp`` or ``irsync`` whose source lies in another zone. That zone's server
  copies (rsDataObjCopy.cpp L136-139, L315-375) and opens, writes and closes the destination
  here by API calls (rsDataObjOpen.cpp L881-892, rsDataObjClose.cpp L795-797); a copy within
  this zone closes inside the server and fires no API PEP. That zone's b2safe replicas arrive
  the same way, so all of the work goes to the delay queue, which skips replicas
  (:meth:`b2safe.workflows.upload.Uploads.apply`, ``from_other_zone``).
* ``acPostProcForObjRename``: ``imv`` into a policy collection, when the policy's ``on_move``
  is on (see :mod:`b2safe.ruleset.events`, which owns that PEP).

Every handler reads only its inputs until a policy covers the path: an upload outside policy
collections costs no catalog write and no PID request.
"""

from __future__ import annotations

import logging
from typing import Optional

from b2safe.adapters.prep.descriptors import enable_bulk_put_post_proc, open_object
from b2safe.domain import paths
from b2safe.errors import B2SafeError
from b2safe.prep import RuleContext, pep
from b2safe.prep.pepargs import (
    CopyArgs,
    DataObjCloseArgs,
    DataObjectArgs,
    NoArgs,
    ReplicaCloseArgs,
    RsyncArgs,
    TouchArgs,
)
from b2safe.ruleset._wiring import pid_workflow, uploads
from b2safe.workflows import policies

logger = logging.getLogger("b2safe.ingest")

#: Upload route -> the PEPs b2safe needs for it (all of them), as docs/policies.md lists them.
ROUTE_HOOKS: dict[str, tuple[str, ...]] = {
    "iput (single buffer and parallel)": ("acPostProcForPut",),
    "iput -b (bulk)": ("acBulkPutPostProcPolicy", "acPostProcForPut"),
    "python-irodsclient put (one or several streams)": ("acPostProcForPut",),
    "create/open-write-close clients (C API, DavRODS, Jargon)": ("acPostProcForPut",),
    "irsync from local files": ("acPostProcForPut",),
    "HTTP API write and parallel write": ("pep_api_replica_close_pre",
                                          "pep_api_replica_close_post"),
    "S3 API PutObject and multipart": ("pep_api_replica_close_pre", "pep_api_replica_close_post"),
    "istream": ("pep_api_replica_close_pre", "pep_api_replica_close_post"),
    "touch": ("pep_api_touch_pre", "pep_api_touch_post"),
    "ireg and other registration": ("acPostProcForFilePathReg",),
    "icp and S3 CopyObject": ("pep_api_data_obj_copy_post",),
    "irsync iRODS to iRODS": ("pep_api_data_obj_rsync_post",),
    "icp and irsync from another zone": ("pep_api_data_obj_close_pre",
                                         "pep_api_data_obj_close_post"),
    "imv into a policy collection": ("acPostProcForObjRename",),
}

#: Paths of replica_close descriptors between the pre- and the post-PEP (per agent), by fd.
_closing: dict[int, str] = {}
#: Paths of copies from another zone between the data_obj_close pre- and post-PEP, by fd.
_copied_in: dict[int, str] = {}
#: Objects a touch is about to create, between its pre- and post-PEP (per agent).
_touching: set[str] = set()
_MAX_REMEMBERED = 1024


def _has_policies(ctx: RuleContext) -> bool:
    """Whether any upload policy is configured (without one the close PEPs have nothing to do:
    they are not given their arguments)."""
    return bool(ctx.config.policies)


def _covered(ctx: RuleContext, path: str) -> bool:
    """True when a configured policy covers ``path`` (pure: no catalog access)."""
    return bool(path) and bool(policies.matching(ctx.config.policies, path))


def _remember_close(fd: int, path: str, paths_by_fd: Optional[dict[int, str]] = None) -> None:
    remembered = _closing if paths_by_fd is None else paths_by_fd
    if len(remembered) >= _MAX_REMEMBERED:
        remembered.clear()
    remembered[fd] = path


@pep("acPostProcForPut", args=DataObjectArgs)
def on_put(ctx: RuleContext, put: DataObjectArgs) -> None:
    """Upload complete (put, open/create-write-close clients, bulk put): apply the upload
    policies to the object of rei.doi."""
    if _covered(ctx, put.path):
        uploads(ctx).apply(put.path, put.repl)


@pep("acBulkPutPostProcPolicy", args=NoArgs)
def on_bulk_put_policy(ctx: RuleContext, _: NoArgs) -> None:
    """Ask ``iput -b`` to fire acPostProcForPut per object while upload policies exist (the
    server's default answer is "off")."""
    if ctx.config.policies:
        enable_bulk_put_post_proc(ctx.callback)


@pep("pep_api_replica_close_pre", args=ReplicaCloseArgs, when=_has_policies)
def on_replica_close_pre(ctx: RuleContext, close: ReplicaCloseArgs) -> None:
    """Before a finalizing replica_close of a written object: remember its path by fd."""
    if not ctx.config.policies or close.fd is None:
        return
    if not close.finalizing:
        return  # another stream closes last (replica_close.cpp L355, L429)
    opened = open_object(ctx.callback, close.fd)
    if opened.writing and _covered(ctx, opened.path):
        _remember_close(close.fd, opened.path)


@pep("pep_api_replica_close_post", args=ReplicaCloseArgs, when=lambda ctx: bool(_closing))
def on_replica_close_post(ctx: RuleContext, close: ReplicaCloseArgs) -> None:
    """After a finalizing replica_close: apply the upload policies (PID by the delay queue)."""
    path = _closing.pop(close.fd, None) if close.fd is not None else None
    if path:
        uploads(ctx).apply(path, defer_pid=True)


@pep("pep_api_data_obj_close_pre", args=DataObjCloseArgs, when=_has_policies)
def on_close_pre(ctx: RuleContext, close: DataObjCloseArgs) -> None:
    """Before a close by API: remember the path of an object another zone's server copied into
    a policy collection here (the descriptor's operation is COPY_DEST)."""
    if not ctx.config.policies or close.fd is None:
        return
    opened = open_object(ctx.callback, close.fd)
    if opened.copy_destination and opened.writing and _covered(ctx, opened.path):
        _remember_close(close.fd, opened.path, _copied_in)


@pep("pep_api_data_obj_close_post", args=DataObjCloseArgs,
     when=lambda ctx: bool(_copied_in))
def on_close_post(ctx: RuleContext, close: DataObjCloseArgs) -> None:
    """After another zone's server closed a copy into a policy collection: apply the upload
    policies, all of their work by the delay queue."""
    path = _copied_in.pop(close.fd, None) if close.fd is not None else None
    if path:
        uploads(ctx).apply(path, from_other_zone=True)


@pep("pep_api_touch_pre", args=TouchArgs)
def on_touch_pre(ctx: RuleContext, touch: TouchArgs) -> None:
    """Before a touch: remember a covered path that does not exist yet (touch creates it)."""
    path = touch.path
    _touching.discard(path)
    if not _covered(ctx, path):
        return
    paths.validate_path(path)
    if pid_workflow(ctx).catalog.stat(path) is None:
        if len(_touching) >= _MAX_REMEMBERED:
            _touching.clear()
        _touching.add(path)


@pep("pep_api_touch_post", args=TouchArgs)
def on_touch_post(ctx: RuleContext, touch: TouchArgs) -> None:
    """After a touch created an object: apply the upload policies (PID by the delay queue: the
    content usually follows)."""
    path = touch.path
    if path in _touching:
        _touching.discard(path)
        uploads(ctx).apply(path, defer_pid=True)


@pep("acPostProcForFilePathReg", args=DataObjectArgs)
def on_register(ctx: RuleContext, registered: DataObjectArgs) -> None:
    """A file was registered (ireg, PRC register, automated ingest): apply the upload
    policies, as for an upload."""
    if _covered(ctx, registered.path):
        uploads(ctx).apply(registered.path)


@pep("pep_api_data_obj_copy_post", args=CopyArgs)
def on_copy(ctx: RuleContext, copy: CopyArgs) -> None:
    """A client copied an object (icp, S3 CopyObject): apply the upload policies to the copy."""
    if _covered(ctx, copy.destination):
        uploads(ctx).apply(copy.destination)


@pep("pep_api_data_obj_rsync_post", args=RsyncArgs)
def on_rsync(ctx: RuleContext, rsync: RsyncArgs) -> None:
    """A client synchronised iRODS to iRODS (irsync i: i:): apply the upload policies to the
    destination (from local files, irsync puts and acPostProcForPut fires)."""
    if rsync.mode != "IRODS_TO_IRODS":
        return
    if _covered(ctx, rsync.destination):
        uploads(ctx).apply(rsync.destination)


def ingest_moved(ctx: RuleContext, source: str, destination: str) -> int:
    """After ``source`` was renamed to ``destination``: apply the upload policies to every data
    object that moved into a policy collection with ``on_move`` from outside it.

    Returns how many objects the policies were applied to. Raises only for catalog failures.
    """
    moving = [p for p, _ in policies.matching(ctx.config.policies, destination + "/x")
              if p.on_move]
    catalog = pid_workflow(ctx).catalog if moving else None
    if catalog is None or paths.zone_of(destination) != catalog.zone:
        return 0
    info = catalog.stat(destination)
    if info is None:
        return 0
    targets = [destination] if not info.is_collection else \
        sorted({obj.path for obj in catalog.data_objects(destination)})
    done = 0
    upload = uploads(ctx)
    for path in targets:
        old = source + path[len(destination):]
        now_covering = {p.name for p, _ in policies.matching(ctx.config.policies, path)
                        if p.on_move}
        before = {p.name for p, _ in policies.matching(ctx.config.policies, old)}
        if now_covering - before:
            try:
                upload.apply(path)
                done += 1
            except B2SafeError as exc:
                logger.error("upload policy for %s (moved from %s) failed: %s", path, old, exc)
    return done
