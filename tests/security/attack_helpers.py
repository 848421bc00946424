"""Helpers of the attack suite: victims' files and reading the catalog directly."""

from __future__ import annotations

REPLICAS_B = "/zoneB/replicas"


def private_file(world, path="/zoneA/home/bob/private.dat", content=b"bob's secret"):
    """A file only bob (and the admins) may read."""
    world.client("bob#zoneA").iput(path, content)
    return path


def victim_file(world):
    """A file in zoneB that rods#zoneA may write but alice#zoneA may not."""
    b = world.client("rods#zoneB")
    b.imkdir("/zoneB/private", parents=True)
    b.ichmod("own", "rods#zoneA", "/zoneB/private")
    b.iput("/zoneB/private/victim.dat", b"precious")
    b.ichmod("own", "rods#zoneA", "/zoneB/private/victim.dat")
    return "/zoneB/private/victim.dat"


def avu_rows(world, path, kind="-d", zone="zoneA"):
    """(name, value, units) of every AVU of ``path``, read from the catalog directly."""
    return [(r.name, r.value, r.units) for r in world.sb.zone(zone).catalog.avu_list(kind, path)]


def user_file(world, path, user="alice#zoneA", content=b"data"):
    """Upload ``path`` as ``user`` (creating its collection)."""
    client = world.client(user)
    client.imkdir(path.rsplit("/", 1)[0], parents=True)
    client.iput(path, content)
    return path


def exists(world, path, zone="zoneB"):
    """Whether data object ``path`` exists in ``zone``'s catalog (asked as its rodsadmin)."""
    collection, name = path.rsplit("/", 1)
    rows = world.client(f"rods#{zone}").iquest(
        f"SELECT DATA_ID WHERE COLL_NAME = '{collection}' AND DATA_NAME = '{name}'")
    return bool(rows)


def set_avu_without_peps(world, user, kind, path, name, value, units="", op="set"):
    """Write an AVU as ``user`` the way a native rule calling ``msiModAVUMetadata`` does on a
    real server: ``rsModAVUMetadata`` directly, no API PEP (irods/irods
    server/re/src/extractAvuMS.cpp), still bound by the user's ACLs. This is how an ordinary
    user gets past the metadata guard, so the defences behind it are tested with it."""
    from b2safe_sandbox.runtime.context import ExecContext, MsiCall
    from b2safe_sandbox.runtime.msis import meta as msi_meta

    zone = path.split("/")[1]
    ctx = ExecContext(sandbox=world.sb, zone=zone, client_user=user, kind="rule")
    with world.sb.toplevel():
        msi_meta.modify_avu(MsiCall("msiModAVUMetadata", [], ctx), kind, path, op, name, value,
                            units)
