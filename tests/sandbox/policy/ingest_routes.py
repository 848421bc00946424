"""Every upload route of docs/policies.md as a callable, for the ingest tests.

Each takes (client session, path, data) and leaves a data object with ``data`` at ``path``; the
routes that need a source object first upload it with ``iput`` into ``STAGING`` (no policy).
"""

from __future__ import annotations

from b2safe_sandbox import routes, site
from b2safe_sandbox.pytest_plugin import ZONES, World
from policy_support import ARCHIVE, REPLICAS_B

STAGING = "/zoneA/home/alice/staging"
PLAIN = "/zoneA/home/alice/plain"


def _staged(client, path, data):
    source = f"{STAGING}/{path.strip('/').replace('/', '_')}"
    client.iput(source, data)
    return source


def _touch_then_write(client, path, data):
    routes.touch(client, path)
    return routes.replica_stream(client, path, data)


ROUTES = {
    "iput": lambda c, p, d: c.iput(p, d),
    "iput-parallel": lambda c, p, d: c.iput(p, d, parallel=True),
    "iput-bulk": lambda c, p, d: routes.iput_bulk(c, [(p, d)]),
    "prc-put": lambda c, p, d: routes.open_write_close(c, p, d),
    "prc-parallel-put": lambda c, p, d: routes.prc_parallel_put(c, p, d),
    "create-write-close": lambda c, p, d: routes.open_write_close(c, p, d,
                                                                  api="data_obj_create"),
    "http-write": lambda c, p, d: routes.replica_stream(c, p, d),
    "http-parallel-write": lambda c, p, d: routes.http_parallel_write(c, p, d),
    "s3-put": lambda c, p, d: routes.replica_stream(c, p, d),
    "s3-multipart": lambda c, p, d: routes.s3_multipart(c, p, d),
    "s3-copy": lambda c, p, d: routes.copy(c, _staged(c, p, d), p),
    "istream-k": lambda c, p, d: routes.replica_stream(c, p, d, checksum=True),
    "touch": _touch_then_write,
    "ireg": lambda c, p, d: routes.register(c, p, d),
    "icp": lambda c, p, d: routes.copy(c, _staged(c, p, d), p),
    "irsync": lambda c, p, d: routes.irsync_put(c, p, d),
    "irsync-i2i": lambda c, p, d: routes.irsync_copy(c, _staged(c, p, d), p),
    "imv": lambda c, p, d: routes.move(c, _staged(c, p, d), p),
}


def federation(directory, version, collections=("sub",)):
    """Three zones on iRODS ``version``: alice's archive with ``collections``, the staging and
    no-policy collections, zoneB's replica area owned by alice and rods of zoneA (inheriting)."""
    world = World(site.create(directory, zones=ZONES, irods_version=version))
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    b.ichmod("own", "alice#zoneA", REPLICAS_B)
    b.ichmod("own", "rods#zoneA", REPLICAS_B)
    b.inherit(REPLICAS_B, True)
    alice = world.client("alice#zoneA")
    for name in collections:
        alice.imkdir(f"{ARCHIVE}/{name}", parents=True)
    alice.imkdir(STAGING, parents=True)
    alice.imkdir(PLAIN, parents=True)
    return world
