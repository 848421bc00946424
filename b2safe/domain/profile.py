"""The EUDAT PID profile (version 1) as B2SAFE writes it: a value object and its Handle form.

A :class:`PidRecord` holds the typed fields of one Handle record:

=========================  =====  ==============================================================
type                       index  value
=========================  =====  ==============================================================
URL                        1      ``irods://host:port/zone/path`` or ``<http api base>/zone/path``
EUDAT/CHECKSUM             2      the iRODS checksum, stored whole (``sha2:<base64>`` with padding)
EUDAT/CHECKSUM_TIMESTAMP   3      ISO 8601 UTC, ``YYYY-MM-DDTHH:MM:SSZ``
EUDAT/ROR                  4      PID of the repository of record
EUDAT/FIO                  5      PID of the first ingested object
EUDAT/PARENT               6      PID of the object this one was replicated from
EUDAT/REPLICA              7      child PIDs, comma-separated, no spaces, no duplicates (any case)
EUDAT/FIXED_CONTENT        8      ``True`` / ``False``
EUDAT/PROFILE_VERSION      9      ``1``
HS_ADMIN                   100    ``{"handle": "0.NA/<prefix>", "index": 200, "permissions": ...}``
=========================  =====  ==============================================================

The indices above are the defaults for a record this module creates. A record read from a server
keeps the indices it was read with (:attr:`PidRecord.indices`), so an update addresses exactly the
values that changed, whatever tool wrote the record first. Types outside the profile are kept in
:attr:`PidRecord.extra` and written back unchanged.

The original B2SAFE (epicclient2) split ``K=V`` pairs on ``=`` and so stored ``sha2:abc=`` as
``sha2:abc``; :func:`checksum_matches` accepts such a legacy value.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import operator
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Optional, Sequence, Union
from urllib.parse import quote, unquote

from b2safe.domain.paths import validate_pid
from b2safe.errors import InvalidInput, InvalidPid

PROFILE_VERSION = "1"

URL = "URL"
CHECKSUM = "EUDAT/CHECKSUM"
CHECKSUM_TIMESTAMP = "EUDAT/CHECKSUM_TIMESTAMP"
ROR = "EUDAT/ROR"
FIO = "EUDAT/FIO"
PARENT = "EUDAT/PARENT"
REPLICA = "EUDAT/REPLICA"
FIXED_CONTENT = "EUDAT/FIXED_CONTENT"
VERSION = "EUDAT/PROFILE_VERSION"
HS_ADMIN = "HS_ADMIN"

#: Default index of every profile type in a record created by b2safe.
DEFAULT_INDICES: dict[str, int] = {
    URL: 1,
    CHECKSUM: 2,
    CHECKSUM_TIMESTAMP: 3,
    ROR: 4,
    FIO: 5,
    PARENT: 6,
    REPLICA: 7,
    FIXED_CONTENT: 8,
    VERSION: 9,
    HS_ADMIN: 100,
}

#: The string-valued profile types, in the order a record lists them.
PROFILE_TYPES: tuple[str, ...] = (
    URL, CHECKSUM, CHECKSUM_TIMESTAMP, ROR, FIO, PARENT, REPLICA, FIXED_CONTENT, VERSION,
)

#: Permissions hdl-admintool (and pyhandle) give a new handle's owner.
DEFAULT_ADMIN_PERMISSIONS = "011111110011"
#: The rules' ``"pid"`` placeholder for EUDAT/ROR and EUDAT/FIO: "this record's own handle".
SELF = "pid"

_ADMIN_RESERVED = range(100, 200)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_ISO8601_UTC = "%Y-%m-%dT%H:%M:%SZ"
# Characters kept as they are in a URL path: RFC 3986 unreserved + sub-delims + ":" "@" "/".
# "*" is percent-encoded as well although RFC 3986 allows it: reverse lookup treats "*" as a
# wildcard, so a URL that never contains one can be searched for exactly.
_URL_SAFE = "/:@!$&'()+,;=-._~"


@dataclass(frozen=True)
class HsAdmin:
    """The HS_ADMIN value: who administers the handle (``index:handle``) and with which rights."""

    handle: str
    index: int = 200
    permissions: str = DEFAULT_ADMIN_PERMISSIONS

    @classmethod
    def parse(cls, owner: str, permissions: str = DEFAULT_ADMIN_PERMISSIONS) -> HsAdmin:
        """``"200:0.NA/21.T1"`` -> HsAdmin. Raises InvalidInput when not ``index:prefix/suffix``."""
        index, sep, handle = owner.partition(":")
        if not sep or not index.isdigit() or "/" not in handle:
            raise InvalidInput(f"handle owner {owner!r} is not of the form index:prefix/suffix")
        return cls(handle=handle, index=int(index), permissions=permissions)

    @classmethod
    def default_for(cls, prefix: str) -> HsAdmin:
        """The owner pyhandle uses when none is configured: ``200:0.NA/<prefix>``."""
        return cls(handle=f"0.NA/{prefix}", index=200)

    def to_json(self) -> dict[str, Any]:
        """The ``{"format": "admin", "value": {...}}`` data of the HS_ADMIN value."""
        return {"format": "admin",
                "value": {"handle": self.handle, "index": self.index,
                          "permissions": self.permissions}}

    def __str__(self) -> str:
        return f"{self.index}:{self.handle}"


@dataclass(frozen=True)
class PidRecord:
    """One EUDAT PID record (profile version 1) as a value.

    ``replicas`` is duplicate-free under case-insensitive comparison (the constructor enforces
    it). ``indices`` maps each type to the Handle index it was read from (empty for a new record;
    not part of equality). ``extra`` keeps values of other types as ``(index, type, data)``.
    """

    url: str
    checksum: Optional[str] = None
    checksum_timestamp: Optional[str] = None
    ror: Optional[str] = None
    fio: Optional[str] = None
    parent: Optional[str] = None
    replicas: tuple[str, ...] = ()
    fixed_content: bool = False
    profile_version: str = PROFILE_VERSION
    admin: Optional[HsAdmin] = None
    extra: tuple[tuple[int, str, Any], ...] = ()
    indices: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url:
            raise InvalidInput("a PID record needs a non-empty URL")
        object.__setattr__(self, "replicas", normalize_replicas(self.replicas))
        if self.checksum_timestamp is not None and not _TIMESTAMP.match(self.checksum_timestamp):
            raise InvalidInput(f"EUDAT/CHECKSUM_TIMESTAMP {self.checksum_timestamp!r} is not "
                               "ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)")

    # --- conversions ----------------------------------------------------------------------------

    def as_strings(self) -> dict[str, str]:
        """The profile values as ``{type: string}`` (absent optional values left out)."""
        out: dict[str, str] = {URL: self.url}
        optional = ((CHECKSUM, self.checksum), (CHECKSUM_TIMESTAMP, self.checksum_timestamp),
                    (ROR, self.ror), (FIO, self.fio), (PARENT, self.parent))
        for key, value in optional:
            if value is not None and value != "":
                out[key] = value
        if self.replicas:
            out[REPLICA] = format_replicas(self.replicas)
        out[FIXED_CONTENT] = "True" if self.fixed_content else "False"
        out[VERSION] = self.profile_version
        return out

    def to_values(self, handle: Optional[str] = None, admin: Optional[HsAdmin] = None
                  ) -> list[dict[str, Any]]:
        """The record as a Handle REST value list ``[{"index", "type", "data"}, ...]``.

        Types keep :attr:`indices` when known, else their default index, else the next free one
        (2 and up, never 1 or 100-199). ``handle`` (``prefix/suffix``) gives the default
        HS_ADMIN owner ``200:0.NA/<prefix>`` when :attr:`admin` is None and no ``admin`` is
        given; without any of them no HS_ADMIN value is written.
        """
        strings = self.as_strings()
        admin = self.admin or admin or (HsAdmin.default_for(handle.split("/", 1)[0])
                                        if handle else None)
        known = self.indices
        held = _held_indices(strings, known, self.extra)
        place = _placement([*strings, HS_ADMIN] if admin is not None else strings, known, held) \
            if held else DEFAULT_INDICES
        values = [{"index": place[key], "type": key, "data": {"format": "string", "value": text}}
                  for key, text in strings.items()]
        if admin is not None:
            values.append({"index": place[HS_ADMIN], "type": HS_ADMIN, "data": admin.to_json()})
        if held:
            # Placed around other values: these join, all ordered by index. At the defaults
            # the types are in order already (PROFILE_TYPES, then HS_ADMIN).
            values += [{"index": index, "type": key, "data": data}
                       for index, key, data in self.extra]
            values.sort(key=_by_index)
        return values

    @classmethod
    def from_values(cls, values: Iterable[Mapping[str, Any]]) -> PidRecord:
        """Parse a Handle REST value list (data as string shorthand or ``{format, value}``).

        The first value of each profile type wins (as pyhandle's ``retrieve_handle_record``),
        except EUDAT/REPLICA, where the value at the highest index is the current one (see
        :func:`replica_slot_after`); the others are kept in :attr:`extra`. Raises InvalidInput
        when there is no URL or a value is malformed.
        """
        strings: dict[str, str] = {}
        indices: dict[str, int] = {}
        extra: list[tuple[int, str, Any]] = []
        admin: Optional[HsAdmin] = None
        for value in values:
            try:
                index = int(value["index"])
                key = str(value["type"])
                data = value.get("data")
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidInput(f"malformed Handle value {value!r}") from exc
            if key == HS_ADMIN and admin is None:
                admin = _parse_admin(data)
                indices[key] = index
            elif key == REPLICA and (key not in strings or index > indices[key]):
                # EUDAT/REPLICA moves along a version chain (replica_slot_after): the value at
                # the highest index is the current list; older ones are left-overs.
                if key in strings:
                    extra.append((indices[key], key, strings[key]))
                strings[key] = data_as_text(data)
                indices[key] = index
            elif key in PROFILE_TYPES and key not in strings:
                strings[key] = data_as_text(data)
                indices[key] = index
            else:
                extra.append((index, key, data))
        if URL not in strings:
            raise InvalidInput("the Handle record has no URL value")
        return cls(
            url=strings[URL],
            checksum=strings.get(CHECKSUM),
            checksum_timestamp=strings.get(CHECKSUM_TIMESTAMP) or None,
            ror=strings.get(ROR),
            fio=strings.get(FIO),
            parent=strings.get(PARENT),
            replicas=parse_replicas(strings.get(REPLICA, "")),
            fixed_content=parse_bool(strings.get(FIXED_CONTENT, "False")),
            profile_version=strings.get(VERSION, PROFILE_VERSION),
            admin=admin,
            extra=tuple(sorted(extra, key=lambda item: item[0])),
            indices=indices,
        )

    # --- edits ----------------------------------------------------------------------------------

    def with_replica(self, pid: str) -> PidRecord:
        """A copy with ``pid`` appended to the replicas (unchanged when already listed)."""
        return replace(self, replicas=add_replica(self.replicas, pid))

    def resolve_self(self, handle: str) -> PidRecord:
        """A copy where ROR/FIO equal to the rules' ``"pid"`` placeholder become ``handle``
        (this record when neither is)."""
        if self.ror != SELF and self.fio != SELF:
            return self
        return replace(self, ror=handle if self.ror == SELF else self.ror,
                       fio=handle if self.fio == SELF else self.fio)


def changes_between(old: PidRecord, new: PidRecord) -> dict[str, Optional[str]]:
    """The profile values that differ: ``{type: new string}`` or ``{type: None}`` (removed)."""
    before, after = old.as_strings(), new.as_strings()
    out: dict[str, Optional[str]] = {key: value for key, value in after.items()
                                     if before.get(key) != value}
    out.update({key: None for key in before if key not in after})
    return out


_by_index = operator.itemgetter("index")


def _held_indices(strings: Mapping[str, str], known: Mapping[str, int],
                  extra: Sequence[tuple[int, str, Any]]) -> set[int]:
    """The indices values already hold: the ``extra`` values' and the ``known`` ones of the
    types in ``strings`` and of HS_ADMIN. None in a new record (every PID b2safe creates)."""
    if not known and not extra:
        return set()
    held = {index for index, _, _ in extra}
    held.update(index for key, index in known.items() if key in strings or key == HS_ADMIN)
    return held


def _placement(keys: Iterable[str], known: Mapping[str, int], held: set[int]
               ) -> dict[str, int]:
    """The index of each of ``keys``: its ``known`` one, else its default when not ``held``,
    else the lowest free one (from 2, or from 100 for HS_ADMIN; never 1 or 100-199 for other
    types). ``held`` grows with each placed key."""
    placed = {}
    for key in keys:
        index = known.get(key)
        if not index:
            index = DEFAULT_INDICES.get(key)
            if index is None or index in held:
                index = 100 if key == HS_ADMIN else 2
                while index in held or (key != HS_ADMIN and index in _ADMIN_RESERVED):
                    index += 1
        held.add(index)
        placed[key] = index
    return placed


def _parse_admin(data: Any) -> HsAdmin:
    value = data.get("value") if isinstance(data, Mapping) else None
    if not isinstance(value, Mapping):
        raise InvalidInput(f"malformed HS_ADMIN data {data!r}")
    try:
        return HsAdmin(handle=str(value["handle"]), index=int(value["index"]),
                       permissions=str(value.get("permissions", DEFAULT_ADMIN_PERMISSIONS)))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed HS_ADMIN data {data!r}") from exc


def data_as_text(data: Any) -> str:
    """The text of a value's ``data``: the string shorthand, or ``value`` of ``{format, value}``.

    Non-string values (admin, vlist) come back as their JSON-ish ``str``, as pyhandle does.
    """
    if isinstance(data, str):
        return data
    if isinstance(data, Mapping) and "value" in data:
        value = data["value"]
        return value if isinstance(value, str) else str(value)
    raise InvalidInput(f"malformed Handle value data {data!r}")


def parse_bool(text: str) -> bool:
    """``"True"``/``"False"`` (any case) -> bool; anything else raises InvalidInput."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise InvalidInput(f"EUDAT/FIXED_CONTENT {text!r} is neither True nor False")


# --- EUDAT/REPLICA --------------------------------------------------------------------------------


def _check_replica_pid(pid: str) -> str:
    pid = validate_pid(pid, "replica PID")
    if "," in pid:
        raise InvalidPid(f"replica PID {pid!r} contains a comma")
    return pid


def normalize_replicas(pids: Iterable[str]) -> tuple[str, ...]:
    """``pids`` without blanks and without case-insensitive duplicates (first spelling kept).

    Raises InvalidPid for an entry that is not ``prefix/suffix`` or contains a comma.
    """
    seen: set[str] = set()
    out: list[str] = []
    for pid in pids:
        pid = pid.strip()
        if not pid:
            continue
        key = pid.casefold()
        if key not in seen:
            seen.add(key)
            out.append(_check_replica_pid(pid))
    return tuple(out)


#: First index of the EUDAT/REPLICA version chain after the default index 7.
REPLICA_CHAIN_START = 1000
#: The type that takes over index 7 once EUDAT/REPLICA has moved up the chain.
REPLICA_MOVED = "B2SAFE/REPLICA_MOVED"


def replica_values(values: Iterable[Mapping[str, Any]]) -> list[tuple[int, str]]:
    """``(index, text)`` of every EUDAT/REPLICA value of a Handle value list, by index.

    The last one (highest index) is the current list; see :func:`replica_slot_after`.
    """
    found = [(int(v["index"]), data_as_text(v.get("data"))) for v in values
             if v.get("type") == REPLICA]
    return sorted(found)


def replica_slot_after(index: Optional[int]) -> int:
    """The index the next version of the EUDAT/REPLICA list is written to.

    Concurrent agents (other processes, other servers) may add children to one parent at once.
    Each writes the new list to the slot after the current one with ``PUT ?index=N
    &overwrite=false``: the Handle server creates a value only where none exists (409,
    responseCode 201 otherwise, Tech Manual ch. 14), so of several agents that read the same
    list exactly one can write its successor; the others read again and re-apply. Every list is
    thus built on the one before it, and the union of every agent's children is kept. Slots
    are the default index 7, then 1000, 1001, ... (above anything the profile or HS_ADMIN uses).
    """
    if index is None:
        return DEFAULT_INDICES[REPLICA]
    return max(index + 1, REPLICA_CHAIN_START)


def parse_replicas(text: str) -> tuple[str, ...]:
    """Split an EUDAT/REPLICA value (``a,b`` or the legacy ``a, b``) into a duplicate-free tuple."""
    return normalize_replicas(text.split(",")) if text else ()


def format_replicas(pids: Sequence[str]) -> str:
    """Join replica PIDs as EUDAT/REPLICA stores them: ``a,b`` (no spaces)."""
    return ",".join(normalize_replicas(pids))


def add_replica(pids: Sequence[str], pid: str) -> tuple[str, ...]:
    """``pids`` with ``pid`` appended unless already present under case-insensitive comparison."""
    return normalize_replicas([*pids, _check_replica_pid(pid.strip())])


def contains_pid(pids: Sequence[str], pid: str) -> bool:
    """Whether ``pid`` is in ``pids`` (Handle names compare case-insensitively)."""
    key = pid.strip().casefold()
    return any(item.casefold() == key for item in pids)


# --- checksums and timestamps ---------------------------------------------------------------------


def checksum_matches(stored: Optional[str], actual: str) -> bool:
    """Whether a stored EUDAT/CHECKSUM is ``actual``, allowing the legacy lost base64 padding."""
    if stored is None:
        return False
    if stored == actual:
        return True
    return actual.endswith("=") and stored == actual.rstrip("=")


#: iRODS's checksum strings per hash scheme: MD5 is 32 hex digits, the others a prefix and
#: base64 (irods/irods lib/hasher: ``sha2:``, ``sha512:``, ``sha1:``).
_SCHEME_PREFIX = {"SHA256": "sha2:", "SHA512": "sha512:", "SHA1": "sha1:"}
_HASHLIB_NAME = {"SHA256": "sha256", "SHA512": "sha512", "SHA1": "sha1", "MD5": "md5"}


def checksum_scheme(checksum: str) -> Optional[str]:
    """The hash scheme of an iRODS checksum string ("SHA256", "MD5", ...), None if unknown."""
    for scheme, prefix in _SCHEME_PREFIX.items():
        if checksum.startswith(prefix):
            return scheme
    if re.fullmatch(r"[0-9a-f]{32}", checksum or ""):
        return "MD5"
    return None


def hasher_for(scheme: str) -> Any:
    """A new hashlib object for an iRODS hash scheme (InvalidInput when unknown)."""
    name = _HASHLIB_NAME.get(scheme.upper())
    if name is None:
        raise InvalidInput(f"unknown checksum scheme {scheme[:20]!r}")
    return hashlib.new(name)


def format_checksum(scheme: str, digest: bytes) -> str:
    """``digest`` as iRODS writes a checksum of ``scheme`` (MD5 hex, else prefix + base64)."""
    scheme = scheme.upper()
    if scheme == "MD5":
        return digest.hex()
    return _SCHEME_PREFIX[scheme] + base64.b64encode(digest).decode("ascii")


def iso8601_utc(moment: Union[int, float, _dt.datetime]) -> str:
    """Epoch seconds or a datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC; naive datetimes are UTC)."""
    if isinstance(moment, _dt.datetime):
        stamp = moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)
        return stamp.astimezone(_dt.timezone.utc).strftime(_ISO8601_UTC)
    # Epoch seconds (every new PID's timestamp): without a datetime, a quarter of the CPU.
    return time.strftime(_ISO8601_UTC, time.gmtime(int(moment)))


# --- URLs -----------------------------------------------------------------------------------------


def object_url(path: str, *, server_id: str = "", api_base: str = "") -> str:
    """The URL value for an iRODS path: ``api_base`` (HTTP API) if given, else ``server_id``.

    ``server_id`` is ``irods://host:port``; ``api_base`` is the registered or public HTTP API
    base. The path is percent-encoded where a URL cannot carry it (space, ``%``, ``#``, ``?``,
    ``*``, non-ASCII, ...); ``/`` separators stay. Raises InvalidInput when neither base is set.
    """
    base = (api_base or server_id).rstrip("/")
    if not base:
        raise InvalidInput("no server id or HTTP API base to build the PID URL from")
    if not path.startswith("/"):
        raise InvalidInput(f"path {path!r} is not absolute")
    # "/" is kept as it is, so the collection and the name are encoded apart: the collection
    # once for all its objects (a bulk run builds thousands of URLs in a few collections).
    collection, _, name = path.rpartition("/")
    return base + _encoded_collection(collection) + "/" + quote(name, safe=_URL_SAFE)


@functools.lru_cache(maxsize=256)
def _encoded_collection(collection: str) -> str:
    return quote(collection, safe=_URL_SAFE)


def path_from_url(url: str, bases: Iterable[str]) -> Optional[str]:
    """The iRODS path of ``url`` when it starts with one of ``bases``, else None."""
    for base in bases:
        base = base.rstrip("/")
        if base and url.startswith(base + "/"):
            return unquote(url[len(base):])
    return None
