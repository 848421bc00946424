"""Frozen row types the zone catalog returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserRow:
    """A user or group. ``type`` is 'rodsadmin', 'rodsuser' or 'rodsgroup'."""

    name: str
    zone: str
    type: str
    id: int
    create_time: str
    modify_time: str

    @property
    def qualified(self) -> str:
        """``name#zone``."""
        return f"{self.name}#{self.zone}"


@dataclass(frozen=True)
class ZoneRow:
    """A zone: ``type`` 'local' or 'remote', ``connection`` 'host:port'."""

    name: str
    type: str
    connection: str
    id: int


@dataclass(frozen=True)
class RescRow:
    """A storage resource and its vault directory."""

    name: str
    type: str
    vault_path: str
    id: int


@dataclass(frozen=True)
class CollRow:
    """A collection. ``parent`` is '' for '/'."""

    id: int
    path: str
    parent: str
    owner_name: str
    owner_zone: str
    create_time: str
    modify_time: str
    inherit: bool


@dataclass(frozen=True)
class ReplicaRow:
    """One replica of a data object. ``status``: 1 good, 0 stale, 2 intermediate."""

    data_id: int
    path: str
    coll_path: str
    name: str
    repl_num: int
    resc_name: str
    resc_hier: str
    status: int
    size: int
    checksum: str
    phys_path: str
    owner_name: str
    owner_zone: str
    create_time: str
    modify_time: str
    data_type: str
    mode: str


@dataclass(frozen=True)
class AvuRow:
    """An attribute-value-units triple."""

    name: str
    value: str
    units: str


@dataclass(frozen=True)
class AclRow:
    """One ACL entry: ``access`` is 'own', 'modify object' or 'read object'."""

    user_name: str
    user_zone: str
    access: str


@dataclass(frozen=True)
class DelayedRuleRow:
    """A delayed rule (r_rule_exec). Times are 11-digit epoch strings; ``name`` is the rule text."""

    id: int
    name: str
    user_name: str
    user_zone: str
    exe_time: str
    frequency: str
    priority: str
    last_exe_time: str
    status: str
    context: str
    address: str
