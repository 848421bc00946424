"""iRODS logical paths: validation at the boundary, splitting, zones, GenQuery-safe conditions.

A path accepted here is absolute, has a zone component, no empty, ``.`` or ``..`` elements, no
trailing slash, no control characters, and fits iRODS' limits (MAX_NAME_LEN 1088 for the whole
path, 256 bytes per element would be stricter than iRODS; we keep iRODS' own limits).
"""

from __future__ import annotations

import re
from typing import Callable

from b2safe.errors import InvalidPath, InvalidPid

MAX_PATH_BYTES = 1087  # iRODS MAX_NAME_LEN (1088) including the terminating NUL
MAX_ELEMENT_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: An empty, ``.`` or ``..`` element: a slash followed by at most two dots and then a slash or
#: the end.
_BAD_ELEMENT = re.compile(r"/\.{0,2}(?=/|$)")


def validate_path(path: object, what: str = "path") -> str:
    """Return ``path`` if it is a well-formed absolute iRODS path, else raise InvalidPath.

    Args:
        path: the caller's value (any type: arguments arrive as strings but are checked).
        what: the parameter name used in the message.
    """
    if not isinstance(path, str) or not path:
        raise InvalidPath(f"{what} is empty")
    shown = path if len(path) <= 80 else path[:77] + "..."
    if _CONTROL.search(path):
        raise InvalidPath(f"{what} {shown!r} contains a control character")
    if not path.startswith("/"):
        raise InvalidPath(f"{what} {shown!r} is not absolute (it must start with /zone)")
    size = len(path.encode("utf-8"))
    if size > MAX_PATH_BYTES:
        raise InvalidPath(f"{what} is longer than {MAX_PATH_BYTES} bytes")
    if path != "/" and path.endswith("/"):
        raise InvalidPath(f"{what} {shown!r} ends with a slash")
    if _BAD_ELEMENT.search(path):
        raise InvalidPath(f"{what} {shown!r} has an empty, '.' or '..' element")
    if size > MAX_ELEMENT_BYTES:  # a shorter path cannot have a longer element
        for element in path.split("/")[1:]:
            if len(element.encode("utf-8")) > MAX_ELEMENT_BYTES:
                raise InvalidPath(f"{what} {shown!r} has an element longer than "
                                  f"{MAX_ELEMENT_BYTES} bytes")
    return path


def zone_of(path: str) -> str:
    """The zone name of an absolute path (its first element)."""
    return path.split("/", 2)[1] if path.startswith("/") else ""


def split(path: str) -> tuple[str, str]:
    """(parent collection, name) of ``path``; the parent of ``/zone`` is ``/``."""
    parent, _, name = path.rpartition("/")
    return (parent or "/", name)


def is_below(path: str, ancestor: str) -> bool:
    """True when ``path`` equals ``ancestor`` or lies inside it."""
    return path == ancestor or path.startswith(ancestor.rstrip("/") + "/")


#: Handle syntax as b2safe accepts it: a prefix of letters, digits, ``.``, ``-`` and ``_``, then
#: ``/`` and a suffix of URL path characters that need no percent-encoding (RFC 3986 pchar
#: without ``%``, plus ``/``): no ``#``, ``?``, ``&``, ``%``, white space, control or non-ASCII
#: characters, and no ``..``, so a PID is sent to the Handle server exactly as written and cannot
#: turn into a fragment, a query or another handle's path.
_PID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._~!$'()*+,;=:@/-]+$")


def validate_pid(pid: object, what: str = "PID") -> str:
    """Return ``pid`` if it is ``prefix/suffix`` in the Handle syntax above, else raise
    InvalidPid (saying what is wrong, the value shown escaped)."""
    if not isinstance(pid, str) or not pid or pid == "None":
        raise InvalidPid(f"{what} is empty")
    if len(pid) > 512 or _CONTROL.search(pid) or not _PID.match(pid) or ".." in pid:
        raise InvalidPid(f"{what} {pid[:80]!r} is not a handle of the form prefix/suffix "
                         "(letters, digits and -._~!$'()*+,;=:@/ only; no '..')")
    return pid


# --- GenQuery1 conditions -------------------------------------------------------------------------
#
# GenQuery1 cannot escape a single quote inside a value. A value with a quote is therefore matched
# with LIKE, the quote replaced by the one-character wildcard "_", and the rows are filtered in
# Python for exact equality. The same filter removes rows that LIKE wildcards already in the value
# ("%", "_") would wrongly admit.


def like_pattern(value: str) -> str:
    """``value`` as a LIKE pattern matching at least ``value``: the characters GenQuery cannot
    carry literally (``'``) or that LIKE treats as an escape (``\\``) become ``_``."""
    return value.replace("'", "_").replace("\\", "_")


def gq_equals(column: str, value: str) -> tuple[str, Callable[[str], bool]]:
    """A condition ``column = value`` safe for any value, and the exact-match row filter."""
    if "'" in value:
        return f"{column} like '{like_pattern(value)}'", value.__eq__
    return f"{column} = '{value}'", value.__eq__


def gq_below(column: str, collection: str) -> tuple[str, Callable[[str], bool]]:
    """A condition matching ``collection`` and everything below it, with the exact filter."""
    base = collection.rstrip("/")
    pattern = like_pattern(base)
    prefix = base + "/"

    def exact(value: str) -> bool:
        return value == base or value.startswith(prefix)

    first = f"= '{base}'" if "'" not in base else f"like '{pattern}'"
    return f"{column} {first} || like '{pattern}/%'", exact


def gq_strictly_below(column: str, collection: str) -> tuple[str, Callable[[str], bool]]:
    """A condition matching everything below ``collection`` (not itself), with the filter."""
    base = collection.rstrip("/")
    prefix = base + "/"
    return f"{column} like '{like_pattern(base)}/%'", lambda value: value.startswith(prefix)
