"""The ``b2safe`` command.

Sub-commands:

* ``b2safe demo``: the sandbox demonstration (zones, Handle server, PIDs, replication);
* ``b2safe sandbox ...``: the emulated iRODS zones and Handle server (icommand-like verbs);
* ``b2safe config check [FILE]``: validate a configuration file;
* ``b2safe version``.

Exit codes: 0 success, 1 an iRODS/b2safe error, 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from b2safe import __version__
from b2safe.errors import B2SafeError, ConfigError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _cmd_version(args: argparse.Namespace) -> int:
    print(f"b2safe {__version__}")
    return EXIT_OK


def _cmd_config_check(args: argparse.Namespace) -> int:
    from b2safe.config import config_path, read_config_file

    path = args.file or config_path()
    try:
        config = read_config_file(path)
    except ConfigError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{path}: valid (zone {config.zone.name}, server id {config.zone.server_id})")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from b2safe.demo import run_demo

    return run_demo(directory=args.dir, quick=args.quick)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``b2safe`` command."""
    parser = argparse.ArgumentParser(prog="b2safe", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"b2safe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=_cmd_version)

    demo = sub.add_parser("demo", help="run the sandbox demonstration")
    demo.add_argument("--dir", default=None,
                      help="sandbox directory to keep (default: a temporary directory)")
    demo.add_argument("--quick", action="store_true", help="a shorter run (used by the tests)")
    demo.set_defaults(func=_cmd_demo)

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_sub.add_parser("check", help="validate a configuration file")
    check.add_argument("file", nargs="?", help="default: $B2SAFE_CONFIG or /etc/irods/b2safe.json")
    check.set_defaults(func=_cmd_config_check)

    try:
        from b2safe.sandbox import cli as sandbox_cli
    except ImportError:  # pragma: no cover - the sandbox ships with the package
        sandbox_cli = None
    if sandbox_cli is not None and hasattr(sandbox_cli, "add_parser"):
        sandbox_cli.add_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``b2safe`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(func(args) or EXIT_OK)
    except ConfigError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except B2SafeError as exc:
        print(f"ERROR: {exc} [{exc.code}]", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
