"""Every upload route of docs/policies.md as a callable, for the ingest tests.

Each takes (client session, path, data) and leaves a data object with ``data`` at ``path``; the
routes that need a source object first upload it with ``iput`` into ``STAGING`` (no policy).
The routes of :data:`OTHER_ZONE_ROUTES` copy from there into zoneB (:data:`ZONE_B_SITE`).
"""

from __future__ import annotations

from dataclasses import dataclass

from b2safe_sandbox import routes, site
from b2safe_sandbox.pytest_plugin import ZONES, World
from policy_support import ARCHIVE, REPLICAS_B, archive_policy

STAGING = "/zoneA/home/alice/staging"
PLAIN = "/zoneA/home/alice/plain"
#: The resource ``ireg -R`` registers on.
REG_RESC = "regResc"


@dataclass(frozen=True)
class Site:
    """Where a route's objects land: the policy zone and collection, its replica area in
    another zone, and a collection of the policy zone that no policy covers."""

    zone: str
    archive: str
    replica_zone: str
    replicas: str
    plain: str

    def policy(self, **overrides):
        """The site's policy: PID now, one registered replica in the replica area."""
        return archive_policy(collection=self.archive, replicate=[
            {"destination": self.replicas, "registered": True}], **overrides)

    def replica_of(self, path: str) -> str:
        """Where the policy replicates ``path`` (the collection's name is mirrored)."""
        return f"{self.replicas}/archive{path[len(self.archive):]}"


ZONE_A_SITE = Site("zoneA", ARCHIVE, "zoneB", REPLICAS_B, PLAIN)
ZONE_B_SITE = Site("zoneB", "/zoneB/archive", "zoneC", "/zoneC/replicas", "/zoneB/plain")


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
    "ireg-R": lambda c, p, d: routes.register(c, p, d, resc=REG_RESC),
    "icp": lambda c, p, d: routes.copy(c, _staged(c, p, d), p),
    "irsync": lambda c, p, d: routes.irsync_put(c, p, d),
    "irsync-i2i": lambda c, p, d: routes.irsync_copy(c, _staged(c, p, d), p),
    "imv": lambda c, p, d: routes.move(c, _staged(c, p, d), p),
}

#: Routes whose source lies in zoneA and destination in zoneB's policy collection: the zoneA
#: server copies, zoneB serves its open, write and close (dataops.copy).
OTHER_ZONE_ROUTES = {
    "icp-other-zone": ROUTES["icp"],
    "irsync-i2i-other-zone": ROUTES["irsync-i2i"],
}


def site_of(route: str) -> Site:
    """The site a route's objects land in."""
    return ZONE_B_SITE if route in OTHER_ZONE_ROUTES else ZONE_A_SITE


def federation(directory, version, collections=("sub",)):
    """Three zones on iRODS ``version``: alice's archive with ``collections``, the staging and
    no-policy collections, zoneB's replica area owned by alice and rods of zoneA (inheriting),
    :data:`ZONE_B_SITE`'s collections owned by alice#zoneA and rods#zoneB, and a second
    resource in zoneA."""
    world = World(site.create(directory, zones=ZONES, irods_version=version))
    b = world.client("rods#zoneB")
    b.imkdir(REPLICAS_B, parents=True)
    b.ichmod("own", "alice#zoneA", REPLICAS_B)
    b.ichmod("own", "rods#zoneA", REPLICAS_B)
    b.inherit(REPLICAS_B, True)
    for zone, area in (("zoneB", ZONE_B_SITE.archive), ("zoneB", ZONE_B_SITE.plain),
                       ("zoneC", ZONE_B_SITE.replicas)):
        admin = world.client(f"rods#{zone}")
        admin.imkdir(area, parents=True)
        for user in ("alice#zoneA", "rods#zoneB"):
            admin.ichmod("own", user, area)
        admin.inherit(area, True)
    world.client("alice#zoneA").imkdir(f"{ZONE_B_SITE.archive}/sub")
    world.sb.zone("zoneA").catalog.add_resource(REG_RESC)
    alice = world.client("alice#zoneA")
    for name in collections:
        alice.imkdir(f"{ARCHIVE}/{name}", parents=True)
    alice.imkdir(STAGING, parents=True)
    alice.imkdir(PLAIN, parents=True)
    return world
