"""Handle value JSON as the REST API accepts and returns it (Tech Manual ch. 14).

A value is ``{"index", "type", "data", "ttl", "timestamp"}`` plus ``permissions`` (4 bits,
"adminRead adminWrite pubRead pubWrite"; omitted in responses when it is the default "1110").
``data`` arrives as a string shorthand or ``{"format", "value"}`` and is always returned in the
long form.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from typing import Any, Optional

DEFAULT_TTL = 86400
DEFAULT_PERMISSIONS = "1110"
#: HS_SECKEY values are readable by admins only.
SECRET_PERMISSIONS = "1100"  # noqa: S105 - a permission mask, not a password
_FORMATS = ("string", "base64", "hex", "admin", "vlist", "site", "key")
_PERMISSION_BITS = re.compile(r"^[01]{4}$")
_ADMIN_BITS = re.compile(r"^[01]{1,12}$")


class InvalidValue(ValueError):
    """A value in a request body is malformed (responseCode 202, HTTP 400)."""


def now_timestamp() -> str:
    """The current UTC time as the REST API writes timestamps: ``2019-04-30T08:54:10Z``."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_data(type_: str, data: Any) -> dict[str, Any]:
    """``data`` in the ``{"format", "value"}`` form, checked. Raises InvalidValue."""
    if isinstance(data, str):
        return {"format": "string", "value": data}
    if not isinstance(data, dict) or "value" not in data:
        raise InvalidValue(f"value of type {type_!r} has malformed data")
    fmt = data.get("format", "string")
    value = data["value"]
    if fmt not in _FORMATS:
        raise InvalidValue(f"unknown data format {fmt!r}")
    if fmt in ("string", "base64", "hex") and not isinstance(value, str):
        raise InvalidValue(f"{fmt} data must be a string")
    if fmt == "base64":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidValue("base64 data does not decode") from exc
    if fmt == "hex" and (len(value) % 2 or re.search(r"[^0-9a-fA-F]", value)):
        raise InvalidValue("hex data is not hexadecimal")
    if fmt == "admin":
        return {"format": "admin", "value": _admin(value)}
    if fmt == "vlist":
        if not isinstance(value, list):
            raise InvalidValue("vlist data must be a list of {handle, index}")
        return {"format": "vlist", "value": [_reference(item) for item in value]}
    return {"format": fmt, "value": value}


def _reference(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("handle"), str):
        raise InvalidValue("a reference needs a handle and an index")
    try:
        return {"handle": item["handle"], "index": int(item["index"])}
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidValue("a reference needs an integer index") from exc


def _admin(value: Any) -> dict[str, Any]:
    ref = _reference(value)
    permissions = str(value.get("permissions", "011111110011"))
    if not _ADMIN_BITS.match(permissions):
        raise InvalidValue(f"admin permissions {permissions!r} are not 12 bits")
    # Guess: a shorter mask is padded on the right with zeros, as pyhandle documents.
    ref["permissions"] = permissions.ljust(12, "0")
    return ref


def normalize_value(raw: Any, timestamp: str) -> dict[str, Any]:
    """One request value, checked and completed with ttl, timestamp and permissions."""
    if not isinstance(raw, dict):
        raise InvalidValue("a value must be a JSON object")
    try:
        index = int(raw["index"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidValue("a value needs an integer index") from exc
    type_ = raw.get("type")
    if index <= 0 or not isinstance(type_, str) or not type_:
        raise InvalidValue("a value needs a positive index and a type")
    if "data" not in raw:
        raise InvalidValue(f"value {index} has no data")
    default_permissions = SECRET_PERMISSIONS if type_ == "HS_SECKEY" else DEFAULT_PERMISSIONS
    permissions = str(raw.get("permissions", default_permissions))
    if not _PERMISSION_BITS.match(permissions):
        raise InvalidValue(f"value {index} has malformed permissions")
    ttl = raw.get("ttl", DEFAULT_TTL)
    if not isinstance(ttl, int) or isinstance(ttl, bool):
        raise InvalidValue(f"value {index} has a ttl that is not an integer")
    return {"index": index, "type": type_, "data": normalize_data(type_, raw["data"]),
            "ttl": ttl, "timestamp": timestamp, "permissions": permissions}


def values_from_body(body: Any, timestamp: str) -> list[dict[str, Any]]:
    """The values of a PUT body: a list, ``{"values": [...]}`` or a single value."""
    if isinstance(body, dict) and "values" in body:
        body = body["values"]
    elif isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        raise InvalidValue("the body is not a list of values")
    values = [normalize_value(item, timestamp) for item in body]
    indices = [value["index"] for value in values]
    if len(set(indices)) != len(indices):
        raise InvalidValue("the body repeats an index")
    return values


def public_form(value: dict[str, Any]) -> dict[str, Any]:
    """A stored value as a response lists it (permissions only when not the default)."""
    out = {"index": value["index"], "type": value["type"], "data": value["data"],
           "ttl": value["ttl"], "timestamp": value["timestamp"]}
    if value["permissions"] != DEFAULT_PERMISSIONS:
        out["permissions"] = value["permissions"]
    return out


def is_public(value: dict[str, Any]) -> bool:
    """Whether the value's pubRead bit is set."""
    return value["permissions"][2] == "1"


def admin_value(value: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The ``{handle, index, permissions}`` of an HS_ADMIN value, else None."""
    data = value.get("data", {})
    if value.get("type") == "HS_ADMIN" and data.get("format") == "admin":
        return data["value"]
    return None
