"""Public constructors of the emulated PREP structs, for the sandbox's clients and routes.

:mod:`b2safe_sandbox.runtime.irods_types` is what rules see as PREP's ``irods_types`` module, so
it holds only the names the real module has; its factories are private there. Code that builds
API inputs the way an iRODS client would (the icommand-like session, the upload routes) uses
these instead.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, TypeVar, Union

from b2safe_sandbox.runtime import irods_types as T

S = TypeVar("S")
Pairs = Union[Mapping[str, str], Sequence[tuple[str, str]]]


def new(cls: type[S], **fields: Any) -> S:
    """A new ``cls()`` (an ``irods_types`` struct class) with ``fields`` filled in."""
    return T._new(cls, **fields)


def data_obj_inp(path: str, cond: Pairs = (), **fields: Any) -> T.DataObjInp:
    """A DataObjInp for ``path`` with condInput ``cond`` and other fields (openFlags, ...)."""
    return T._make_data_obj_inp(path, cond, **fields)


def data_obj_copy_inp(source: str, destination: str, cond: Pairs = ()) -> T.DataObjCopyInp:
    """A DataObjCopyInp; ``cond`` goes on the destination's input."""
    return T._make_data_obj_copy_inp(source, destination, cond)


def coll_inp(path: str, flags: int = 0, cond: Pairs = ()) -> T.CollInp:
    """A CollInp for collection ``path``."""
    return T._make_coll_inp(path, flags=flags, condInput=cond)


def bytes_buf(data: bytes) -> T.BytesBuf:
    """A BytesBuf holding ``data``."""
    return T._make_bytes_buf(data)


def gen_query_out(rows: Sequence[Sequence[str]], columns: Optional[int] = None) -> T.GenQueryOut:
    """A GenQueryOut holding ``rows`` (row-major lists of str) for ``columns`` columns."""
    return T._make_gen_query_out(rows, columns)
