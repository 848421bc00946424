"""``b2safe migrate``: import a B2SAFE 4.x site's install.conf, authorization map and fail queue
(:mod:`b2safe.ops.migrate`). A dry run unless ``--apply``: it prints what it would change."""

from __future__ import annotations

import argparse
from typing import Any

from b2safe.cli.common import EXIT_ERROR, EXIT_OK, print_json
from b2safe.ops import migrate


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``migrate`` command (the caller adds the options naming where rules run)."""
    p = sub.add_parser("migrate", help="import a B2SAFE 4.x install.conf, authorization map "
                                       "and fail queue (dry run unless --apply)")
    p.add_argument("--install-conf", default="", metavar="FILE",
                   help="4.x install.conf: settings go into b2safe.json")
    p.add_argument("--authz-map", default="", metavar="FILE",
                   help="4.x authz.map.json: converted to a b2safe map (fnmatch kept)")
    p.add_argument("--credentials-path", default="", metavar="PATH",
                   help="4.x PID credentials path the map's read assertions name (default "
                        "CRED_FILE_PATH of install.conf)")
    p.add_argument("--queue", default="", metavar="DIR",
                   help="4.x fail queue directory (LOG_DIR/b2safe.queue): each record goes "
                        "into b2safe's fail log as work of its source's owner, if that owner "
                        "may do it now (needs a rodsadmin, normally rods)")
    p.add_argument("--target", default="/etc/irods/b2safe.json", metavar="FILE",
                   help="the b2safe.json to update (default /etc/irods/b2safe.json)")
    p.add_argument("--zone-name", default="", metavar="ZONE",
                   help="zone.name when the target has none yet")
    p.add_argument("--apply", action="store_true",
                   help="write the changes (without it nothing is changed)")
    p.set_defaults(func=cmd_migrate)
    return p


def cmd_migrate(args: argparse.Namespace) -> int:
    """Plan (checking every input first), print it, and with ``--apply`` carry it out."""
    result = migrate.plan(args.target, install_conf=args.install_conf,
                          authz_map=args.authz_map, queue=args.queue,
                          zone_name=args.zone_name, credentials_path=args.credentials_path)
    backend = None
    if args.apply and result.queue:
        from b2safe.cli.connect import open_backend

        backend = open_backend(args)  # before any write: an unreachable server changes nothing
    failures: list[str] = []
    imported: list[str] = []
    try:
        if args.apply:
            migrate.apply(result)
            for source, destination, cause in result.queue:
                try:  # signed for the source's owner, authorized now (not for the importer)
                    out = _require(backend).run("b2safe_import_4x_failure",
                                                [source, destination, cause, ""])
                    imported.append(f"{source} -> {destination} for {out[-1]}")
                except Exception as exc:  # each record on its own; reported below
                    failures.append(f"{source} -> {destination}: {exc}")
    finally:
        if backend is not None:
            backend.close()
    if getattr(args, "json", False):
        print_json({**result.as_json(), "applied": bool(args.apply), "imported": imported,
                    "failures": failures})
    else:
        for line in result.report():
            print(line)
        for line in imported:
            print(f"imported: {line}")
        for line in failures:
            print(f"not imported: {line}")
        if not args.apply:
            print("dry run: nothing was changed; run again with --apply to make these changes")
        elif not result.changes and result.authz_map is None and not result.queue:
            print("nothing to change")
    return EXIT_ERROR if failures else EXIT_OK


def _require(backend: Any) -> Any:
    if backend is None:  # pragma: no cover - opened above whenever there are records
        raise RuntimeError("no backend to import the fail queue through")
    return backend
