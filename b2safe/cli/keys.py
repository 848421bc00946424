"""``b2safe keys rotate``: give the zone a new record-signing key.

Run on an iRODS server as the service account (the key file is its 0600 secret), then copy the
key file to every other server of the zone. The new key signs all work queued from now on; the
previous key still verifies work queued before the rotation for ``signing.grace_period``, after
which such work is moved aside (``b2safe status`` lists it) and a later rotation drops the key.
With ``--sandbox DIR`` the zone's key file is rotated at the sandbox clock's time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from b2safe.cli.common import EXIT_OK, EXIT_USAGE, print_json


def _where(args: argparse.Namespace) -> tuple[str, Callable[[], float], Optional[Any]]:
    """(configuration file, clock, backend to close) named by the options."""
    if args.sandbox:
        from b2safe.cli.connect import open_backend

        backend = open_backend(args)
        path = backend.config_path()
        return path or "", getattr(backend, "now", time.time), backend
    from b2safe.config import config_path

    return args.config or config_path(), time.time, None


def rotate(args: argparse.Namespace) -> int:
    """Rotate the key file named by the configuration; print the new and retiring keys."""
    from b2safe.config import read_config_file
    from b2safe.domain import durations
    from b2safe.state import keys

    path, clock, backend = _where(args)
    try:
        config = read_config_file(path)
        grace = durations.parse(config.signing.grace_period, "signing.grace_period")
        now = int(clock())
        before = keys.load(config.signing.key_file, grace).current \
            if os.path.exists(config.signing.key_file) else None
        ring = keys.rotate(config.signing.key_file, grace, now=now)
    finally:
        if backend is not None:
            backend.close()
    until = datetime.fromtimestamp(now + grace, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = {"key_file": config.signing.key_file, "current": ring.current.key_id,
              "retired": before.key_id if before else None,
              "retired_accepted_until": until if before else None,
              "keys": [k.key_id for k in ring.keys]}
    if args.json:
        print_json(result)
        return EXIT_OK
    print(f"{config.signing.key_file}: new signing key {ring.current.key_id}")
    if before:
        print(f"the previous key {before.key_id} still verifies work queued before now until "
              f"{until} (signing.grace_period {config.signing.grace_period})")
    print("copy the key file (mode 0600, owned by the service account) to every server of the "
          "zone", file=sys.stderr)
    return EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``keys rotate`` to the ``b2safe`` command's sub-parsers."""
    p = subparsers.add_parser("keys", help="the record-signing key (rotate)",
                              description=(__doc__ or "").splitlines()[0])
    actions = p.add_subparsers(dest="keys_command", metavar="ACTION")

    def usage(_args: argparse.Namespace) -> int:
        p.print_help(sys.stderr)
        return EXIT_USAGE

    p.set_defaults(func=usage)
    rot = actions.add_parser("rotate", help="make a new signing key; the previous one stays "
                                            "valid for signing.grace_period",
                             description=(__doc__ or "").split("\n\n", 1)[1])
    rot.add_argument("--config", default=None, metavar="FILE",
                     help="b2safe.json naming signing.key_file (default $B2SAFE_CONFIG or "
                          "/etc/irods/b2safe.json)")
    rot.add_argument("--sandbox", metavar="DIR", default=None,
                     help="rotate the key of a sandbox zone instead")
    rot.add_argument("--zone", default=None, help="sandbox: the zone (default: the first)")
    rot.add_argument("--json", action="store_true", help="print JSON")
    rot.set_defaults(func=rotate)
    return p
