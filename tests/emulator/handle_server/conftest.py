"""Fixtures for the sandbox Handle server's tests: the server, and pyhandle's own client of it."""

from __future__ import annotations

import pytest

from tests.handle_support import PASSWORD, USER


@pytest.fixture
def pyhandle_client(handle_server):
    """pyhandle's own RESTHandleClient, unmodified, authenticated on the sandbox server."""
    from pyhandle.client.resthandleclient import RESTHandleClient

    return RESTHandleClient.instantiate_with_username_and_password(
        handle_server.base_url, USER, PASSWORD, HTTPS_verify=False,
        allowed_search_keys=[])
