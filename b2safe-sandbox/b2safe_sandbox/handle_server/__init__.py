"""The sandbox Handle server: Handle REST API + HRLS reverse lookup over HTTP(S) on loopback.

``HandleServer(state_dir, prefix=..., users={...}).start()`` returns the base URL that pyhandle's
``RESTHandleClient`` (``handle_server_url``) and its reverse lookup (``reverselookup_baseuri``)
use unmodified. See :mod:`b2safe_sandbox.handle_server.api` for the statuses and response codes.
"""

from __future__ import annotations

from b2safe_sandbox.handle_server.faults import Faults
from b2safe_sandbox.handle_server.server import HandleServer, LoggedRequest, RequestStats
from b2safe_sandbox.handle_server.store import HandleStore

__all__ = ["Faults", "HandleServer", "HandleStore", "LoggedRequest", "RequestStats"]
