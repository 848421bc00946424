"""The PID service adapter: EUDAT PID records on a Handle server through pyhandle's REST client.

* :class:`~b2safe.adapters.handle.rest.PidService` and
:func:`~b2safe.adapters.handle.rest.get_pid_service`;
* :class:`~b2safe.adapters.handle.credentials.HandleCredentials` (pyhandle's JSON credentials
file);
* :mod:`~b2safe.adapters.handle.minting` (retry-reproducible suffixes),
:mod:`~b2safe.adapters.handle.retry`.

Importing this package does not import pyhandle; the adapter does, on first use.
"""

from __future__ import annotations

from b2safe.adapters.handle.credentials import HandleCredentials

__all__ = ["HandleCredentials", "PidService", "get_pid_service"]


def __getattr__(name: str):  # lazy: keep `import b2safe.adapters.handle` cheap
    if name in ("PidService", "get_pid_service"):
        from b2safe.adapters.handle import rest

        return getattr(rest, name)
    raise AttributeError(name)
