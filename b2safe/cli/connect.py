"""Choosing the backend of the ``b2safe`` command: a sandbox (plugged in) or the live server."""

from __future__ import annotations

from typing import Any

from b2safe.cli import plugins
from b2safe.cli.backends import Backend


def open_backend(args: Any) -> Backend:
    """The backend named by the parsed arguments: ``--sandbox DIR`` or the live server."""
    if getattr(args, "sandbox", None):
        return plugins.backend_factory("sandbox")(args)
    from b2safe.cli.live import LiveBackend

    return LiveBackend.from_environment(env_file=getattr(args, "irods_env", None),
                                        instance=getattr(args, "instance", "nrep"),
                                        credentials=getattr(args, "credentials", None) or [],
                                        config=getattr(args, "config", None),
                                        timeout=getattr(args, "timeout", None))
