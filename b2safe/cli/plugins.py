"""Commands and backends that other distributions add to the ``b2safe`` command.

A distribution registers them as entry points (the b2safe-sandbox distribution does):

* group ``b2safe.commands``: ``name = module:add_parser``; ``add_parser(subparsers)`` adds the
  sub-command ``name`` to the argparse subparsers;
* group ``b2safe.backends``: ``name = module:open_backend``; ``open_backend(args)`` returns a
  :class:`b2safe.cli.backends.Backend` for the parsed arguments (``--sandbox DIR`` uses
  ``sandbox``).

Without the distribution installed, its commands still parse and then say how to get it.
"""

from __future__ import annotations

import argparse
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Callable

from b2safe.cli.common import EXIT_USAGE, CliError

COMMANDS = "b2safe.commands"
BACKENDS = "b2safe.backends"

#: The sub-commands the sandbox distribution provides, with their one-line help.
SANDBOX_COMMANDS = {
    "sandbox": "emulated iRODS zones and Handle server (needs b2safe-sandbox)",
    "demo": "run the sandbox demonstration (needs b2safe-sandbox)",
}

SANDBOX_HINT = ("this needs the b2safe-sandbox distribution, which is not installed: "
                "pip install b2safe-sandbox (from a checkout of b2safe: "
                "pip install -e ./b2safe-sandbox)")


def _group(name: str) -> list[EntryPoint]:
    found = entry_points()
    if hasattr(found, "select"):
        return list(found.select(group=name))
    return list(found.get(name, []))  # type: ignore[attr-defined,unused-ignore]  # Python 3.9


def add_commands(subparsers: Any) -> None:
    """Add every registered command; a missing sandbox command gets a parser that explains."""
    seen = set()
    for point in sorted(_group(COMMANDS), key=lambda p: p.name):
        point.load()(subparsers)
        seen.add(point.name)
    for name, help_text in SANDBOX_COMMANDS.items():
        if name not in seen:
            missing = subparsers.add_parser(name, help=help_text, add_help=False)
            missing.add_argument("rest", nargs=argparse.REMAINDER)
            missing.set_defaults(func=_missing_sandbox)


def _missing_sandbox(_args: argparse.Namespace) -> int:
    raise CliError(SANDBOX_HINT, EXIT_USAGE)


def backend_factory(name: str) -> Callable[[Any], Any]:
    """The ``open_backend`` registered as ``name`` (CliError naming what to install if none)."""
    for point in _group(BACKENDS):
        if point.name == name:
            return point.load()
    raise CliError(f"--{name}: {SANDBOX_HINT}", EXIT_USAGE)
