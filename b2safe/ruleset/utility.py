"""Utility rules kept by their B2SAFE names (eudat.re "core" and "utility" sections)."""

from __future__ import annotations

import re

from b2safe import __version__
from b2safe.domain import authz
from b2safe.domain.paths import split, validate_path, zone_of
from b2safe.errors import InvalidInput, NotFound
from b2safe.ports import ObjectInfo
from b2safe.prep import RuleContext, rule
from b2safe.ruleset._wiring import catalog
from b2safe.ruleset.guard import authorize

CHECKSUM_DATE_AVU = "eudat_dpm_checksum_date:"
_AVU_NAME = re.compile(r"^[^\x00-\x1f]{1,255}$")


def _existing(ctx: RuleContext, path: str) -> ObjectInfo:
    validate_path(path)
    info = catalog(ctx).stat(path)
    if info is None:
        raise NotFound(f"{path} does not exist or is not visible to you")
    return info


def _attribute(name: str, what: str = "key") -> str:
    if not _AVU_NAME.match(name or ""):
        raise InvalidInput(f"{what} must be 1 to 255 characters without control characters")
    return name


@rule("getB2SAFEVersion", outputs=("version",))
def get_version(ctx: RuleContext) -> str:
    """The b2safe version string."""
    return __version__


#: The only strings B2SAFE 4.x's EUDATtoBoolean took as false (eudat.re); anything else is true.
FALSE_4X = frozenset({"None", "", "False", "false", "FALSE"})


@rule("EUDATtoBoolean", forms=[("value",), ("value", "OUT result")], returns_into="value")
def eudat_to_boolean(ctx: RuleContext, value: str) -> str:
    """B2SAFE 4.x's truth of a string: "false" for "None", "", "False", "false" and "FALSE",
    "true" for anything else (so "0" and "no" are true, as in 4.x).

    The 1-argument 4.x form writes the result over its argument (4.x returned it).
    """
    return "false" if value in FALSE_4X else "true"


@rule("EUDATgetLastAVU", params=("path", "key"), outputs=("value",),
      errors=("InvalidPath", "NotFound"))
def get_last_avu(ctx: RuleContext, path: str, key: str) -> str:
    """The value of AVU ``key`` on ``path`` ("None" when unset; the last one if several)."""
    info = _existing(ctx, path)
    values = catalog(ctx).avus(path, info.flag, _attribute(key))
    return values[-1].value if values else "None"


@rule("EUDATCreateAVU", params=("key", "value", "path"), errors=("InvalidPath", "NotFound"))
def create_avu(ctx: RuleContext, key: str, value: str, path: str) -> None:
    """Set AVU ``key`` = ``value`` on ``path`` (replacing earlier values of ``key``)."""
    info = _existing(ctx, path)
    if not value:
        raise InvalidInput("value must not be empty")
    if len(value) > 2700 or "\x00" in value:
        raise InvalidInput("value must be at most 2700 characters without NUL")
    authorize(ctx, authz.METADATA, path)
    catalog(ctx).set_avu(path, info.flag, _attribute(key), value)


def _checksum_of(ctx: RuleContext, path: str, resource: str, compute: bool) -> tuple[str, str]:
    """(checksum, modify time) of ``path`` as B2SAFE 4.x's ``EUDATiCHECKSUMretrieve`` gave them
    (eudat.re 459-482: "" for no checksum, ("", "") for a collection, which has no
    DATA_CHECKSUM row); computes the checksum when absent and ``compute``."""
    info = _existing(ctx, path)
    if info.is_collection:
        return "", ""
    cat = catalog(ctx)
    checksum = info.checksum
    if not checksum and compute:
        authorize(ctx, authz.METADATA, path)
        checksum = cat.checksum(path, force=True)
    if checksum:
        resc = resource if resource not in ("", "None") else (info.resource or "unknown")
        resc = resc.split(";")[-1]
        name = _attribute(CHECKSUM_DATE_AVU + resc, "resource")
        # Readers get the checksum; only writers record when it was first seen.
        if not cat.avus(path, "-d", name) and cat.check_access(path, "modify_object"):
            authorize(ctx, authz.METADATA, path)
            cat.set_avu(path, "-d", name, _irods_time(info.modify_time))
    return (checksum or ""), _irods_time(info.modify_time)


def _irods_time(epoch: int) -> str:
    """An epoch as iRODS stores and GenQuery returns it (11 digits, zero-padded), as B2SAFE's
    rules read it from DATA_MODIFY_TIME."""
    return f"{int(epoch):011d}"


@rule("EUDATiCHECKSUMget", forms=[("path", "OUT checksum", "OUT modtime"),
                                  ("path", "OUT checksum", "OUT modtime", "resource")],
      errors=("InvalidPath", "NotFound"))
def i_checksum_get(ctx: RuleContext, path: str, resource: str = "") -> tuple[str, str]:
    """The catalog checksum of ``path``, computed and registered when absent, and its time.

    Records AVU ``eudat_dpm_checksum_date:<resource>`` the first time a checksum is seen.
    A collection gives "" and "" (4.x).
    """
    return _checksum_of(ctx, path, resource, compute=True)


@rule("EUDATiCHECKSUMretrieve", forms=[
    ("path", "OUT checksum", "OUT modtime"),
    ("path", "OUT checksum", "OUT modtime", "resource"),
    ("path", "OUT checksum", "OUT modtime", "resource", "OUT status")],
      errors=("InvalidPath",))
def i_checksum_retrieve(ctx: RuleContext, path: str, resource: str = "") -> dict[str, str]:
    """The registered checksum of ``path`` and its modify time, without computing one, as
    B2SAFE 4.x: "" when there is none; "" and "" for a collection or a path that does not
    exist (or that the caller cannot see). ``status`` is 4.x's return value: "true" when a
    checksum was found.
    """
    validate_path(path)
    if catalog(ctx).stat(path) is None:
        checksum, modtime = "", ""
    else:
        checksum, modtime = _checksum_of(ctx, path, resource, compute=False)
    return {"checksum": checksum, "modtime": modtime,
            "status": "true" if checksum else "false"}


@rule("EUDATiCHECKSUMdate", params=("coll", "name", "resc", "mod_time"),
      errors=("InvalidPath", "NotFound"))
def i_checksum_date(ctx: RuleContext, coll: str, name: str, resc: str, mod_time: str) -> None:
    """Set ``eudat_dpm_checksum_date:<resc>`` = ``mod_time`` on ``coll/name`` unless set."""
    path = validate_path(f"{coll}/{name}")
    info = _existing(ctx, path)
    if info.is_collection:
        raise InvalidInput(f"{path} is a collection")
    attribute = _attribute(CHECKSUM_DATE_AVU + resc, "resource")
    if not mod_time.strip().isdigit():
        raise InvalidInput(f"mod_time {mod_time[:20]!r} is not an epoch time")
    cat = catalog(ctx)
    if not cat.avus(path, "-d", attribute):
        authorize(ctx, authz.METADATA, path)
        cat.set_avu(path, "-d", attribute, mod_time.strip())


@rule("EUDATgetObjectTimeDiff", params=("path", "mode"), outputs=("age",),
      errors=("InvalidPath",))
def get_object_time_diff(ctx: RuleContext, path: str, mode: str) -> str:
    """Seconds: mode 1 = modify time - create time; mode 2 = now - modify time; -1 if the path
    does not exist or the mode is another (as 4.x, eudat.re ``EUDATgetObjectTimeDiff``)."""
    validate_path(path)
    if mode not in ("1", "2"):
        return "-1"
    cat = catalog(ctx)
    info = cat.stat(path)
    if info is None:
        return "-1"
    if mode == "1":
        return str(info.modify_time - info.create_time)
    return str(cat.now() - info.modify_time)


@rule("EUDATgetObjectAge", params=("path",), outputs=("age",), errors=("InvalidPath",))
def get_object_age(ctx: RuleContext, path: str) -> str:
    """Seconds since ``path`` was last modified (-1 when it does not exist)."""
    validate_path(path)
    cat = catalog(ctx)
    info = cat.stat(path)
    return "-1" if info is None else str(cat.now() - info.modify_time)


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


@rule("EUDATfileInPath", forms=[("path", "sub_coll"), ("path", "sub_coll", "OUT result")],
      errors=("InvalidPath",), returns_into="sub_coll")
def file_in_path(ctx: RuleContext, path: str, sub_coll: str) -> str:
    """"true" when data object ``path`` exists directly in a collection matching ``sub_coll``.

    ``sub_coll`` may use GenQuery LIKE wildcards (``%``, ``_``), as in B2SAFE 4.x. The 2-argument
    4.x form writes the result over ``sub_coll``. 4.x's query ignored the collection of ``path``
    and was false when two objects matched (a 4.x bug: docs/migration.md); here only ``path``
    itself counts, for native and Python callers alike.
    """
    validate_path(path)
    if not sub_coll.startswith("/"):
        raise InvalidInput(f"sub_coll {sub_coll[:80]!r} is not an absolute collection path")
    info = catalog(ctx).stat(path)
    parent, _ = split(path)
    inside = info is not None and not info.is_collection and _like(sub_coll, parent)
    return "true" if inside else "false"


@rule("EUDATObjExist", forms=[("path", "OUT response"), ("path", "OUT response", "OUT status")],
      errors=("InvalidPath",))
def obj_exist(ctx: RuleContext, path: str) -> dict[str, str]:
    """Whether ``path`` (object or collection) exists and is visible to the caller, as B2SAFE
    4.x's ``EUDATObjExist`` (eudat.re 148-157): ``response`` is 4.x's sentence, ``status`` its
    return value ("true"/"false").
    """
    validate_path(path)
    if catalog(ctx).stat(path) is not None:
        return {"response": f"{path} exists and it is an object", "status": "true"}
    return {"response": f"{path} does not exist or it is not readable or it is not an object",
            "status": "false"}


@rule("EUDATGetZoneNameFromPath", params=("path",), outputs=("zone",), errors=("InvalidPath",))
def get_zone_name_from_path(ctx: RuleContext, path: str) -> str:
    """The zone name of an absolute path (its first element)."""
    return zone_of(validate_path(path))


@rule("EUDATGetZoneHostFromZoneName", params=("zone_name",), outputs=("conn",),
      errors=("InvalidInput",))
def get_zone_host_from_zone_name(ctx: RuleContext, zone_name: str) -> str:
    """``host:port`` of a zone: the local zone from the configuration, federated zones from the
    catalog (ZONE_CONNECTION); "" for a zone this zone does not know (4.x)."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,63}", zone_name or ""):
        raise InvalidInput(f"zone name {zone_name[:70]!r} is not valid")
    config = ctx.config
    if zone_name == config.zone.name:
        return config.zone.server_id.split("://", 1)[1]
    return catalog(ctx).zone_connection(zone_name) or ""
