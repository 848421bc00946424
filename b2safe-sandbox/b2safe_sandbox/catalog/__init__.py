"""The sandbox's iRODS zone catalog: ``from b2safe_sandbox.catalog import ZoneCatalog``.

:class:`~b2safe_sandbox.catalog.zone.ZoneCatalog` is composed of parts that share one
:class:`~b2safe_sandbox.catalog.base.Db` (and forwards its methods to them):

==============================  =================================================================
``base.Db`` (``cat.db``)        connection, transactions (``batch()``), ids, clock, paths,
                                identities and access checks
``principals`` (``cat.principals``)  users, groups, zones, resources
``namespace`` (``cat.namespace``)    collections
``data`` (``cat.data``)         data objects, replicas, vault bytes, checksums, fault injection
``metadata`` (``cat.meta``)     AVUs
``acl`` (``cat.acl``)           ACLs and inheritance
``delay`` (``cat.delay``)       delayed rules
``query`` (``cat.query``)       GenQuery1 (parser/compiler in :mod:`b2safe_sandbox.gq`)
==============================  =================================================================

Beyond the zone itself:

* ``add_user(name, zone, type, create_home=True)`` creates ``/zone/home/<name>`` and
  ``/zone/trash/home/<name>`` for local users, as ``iadmin mkuser`` does; a later
  ``coll_create(home, ..., recursive=False)`` therefore raises
  CATALOG_ALREADY_HAS_ITEM_BY_THAT_NAME (use ``recursive=True`` or ``create_home=False``).
* ``create()`` makes the group 'public' (every user counts as a member) and
  ``/zone/home/public``; ``group_add_member/group_remove_member/group_members`` manage groups.
* ``avu_add/avu_set/avu_rm`` take an optional ``actor`` for the permission check;
  ``avu_list`` takes an optional ``attr``.
* ``genquery`` also accepts a parsed ``gq.Query`` and returns ``GQResult.column_ids``.
* ``delay_due(now)``, ``list_resources()``, ``set_default_resource()``, ``hash_scheme``,
  ``host``, ``port``, ``now()``, ``close()``.

Everything raises :class:`b2safe_sandbox.errors.IrodsCallError` with the iRODS code: the runtime
turns codes into PREP errors.
"""

from __future__ import annotations

from b2safe_sandbox.catalog.rows import (
    AclRow,
    AvuRow,
    CollRow,
    DelayedRuleRow,
    ReplicaRow,
    RescRow,
    UserRow,
    ZoneRow,
)
from b2safe_sandbox.catalog.zone import ZoneCatalog
from b2safe_sandbox.gq import GQResult

__all__ = [
    "AclRow",
    "AvuRow",
    "CollRow",
    "DelayedRuleRow",
    "GQResult",
    "ReplicaRow",
    "RescRow",
    "UserRow",
    "ZoneCatalog",
    "ZoneRow",
]
