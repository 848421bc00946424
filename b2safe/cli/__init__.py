"""The ``b2safe`` command.

Sub-commands:

* ``b2safe rule NAME [ARG ...]``: run any registered rule (``--list`` shows them);
* ``b2safe pid create PATH`` / ``b2safe pid show PATH|PID``, ``b2safe pids COLLECTION``,
  ``b2safe replicate SRC DST``, ``b2safe check SRC DST``, ``b2safe status``,
  ``b2safe chain PID|PATH``: friendly verbs over the B2SAFE rules;
* ``b2safe install``: install the rules on an iRODS server (core.py, server_config.json,
  b2safe.json); ``b2safe uninstall`` reverses it; ``b2safe schedule`` queues the repeating
  fail-log retry and the integrity sweeps;
* ``b2safe doctor``: check a deployment (``--nagios`` for monitoring);
* ``b2safe demo``: the sandbox demonstration (from the b2safe-sandbox distribution);
* ``b2safe sandbox ...``: the emulated iRODS zones and Handle server (b2safe-sandbox);
* ``b2safe config check [FILE]``: validate a configuration file;
* ``b2safe keys rotate``: a new record-signing key (the previous one stays valid for
  ``signing.grace_period``);
* ``b2safe version``.

Rules run on a live server through python-irodsclient (the ``client`` extra; connection from
``irods_environment.json`` as the icommands read it) or, with ``--sandbox DIR``, in a sandbox.

Exit codes: 0 success; 1 a rule or iRODS error (its code is printed); 2 usage or configuration
error; 3 a server or service could not be reached. ``b2safe doctor --nagios`` exits with the
Nagios codes instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from b2safe import __version__
from b2safe.cli import plugins
from b2safe.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    CliError,
    add_logging_options,
    configure_logging,
    describe_code,
    exit_code_for,
    is_unavailable_error,
    print_json,
    report_error,
)
from b2safe.errors import B2SafeError, ConfigError

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE", "build_parser", "main"]


def data_dirs() -> list[Path]:
    """Where the rule files and the example configuration are: ``share/b2safe`` under the
    interpreter's prefix or the user base (wheel installs), or a source checkout."""
    import site
    import sys as _sys

    checkout = Path(__file__).resolve().parents[2]
    candidates = [Path(_sys.prefix) / "share" / "b2safe",
                  Path(site.getuserbase()) / "share" / "b2safe", checkout]
    return [c for c in candidates if (c / "rules").is_dir() and (c / "conf").is_dir()]


def _cmd_version(args: argparse.Namespace) -> int:
    import b2safe

    found = data_dirs()
    if args.json:
        print_json({"version": __version__, "package": str(Path(b2safe.__file__).parent),
                    "rules": str(found[0] / "rules") if found else None,
                    "example_config": str(found[0] / "conf" / "b2safe.example.json")
                    if found else None})
        return EXIT_OK
    print(f"b2safe {__version__}")
    if args.paths:
        print(f"package: {Path(b2safe.__file__).parent}")
        if found:
            print(f"rules: {found[0] / 'rules'}")
            print(f"example configuration: {found[0] / 'conf' / 'b2safe.example.json'}")
        else:
            print("rules: not found (install the wheel, or use a source checkout)")
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


# --- rules and verbs (need a backend) ------------------------------------------------------------


def _with_backend(handler: Callable[[argparse.Namespace, Any], int]
                  ) -> Callable[[argparse.Namespace], int]:
    """Wrap a verb handler: open the backend named by the options, run, close."""

    def run(args: argparse.Namespace) -> int:
        from b2safe.cli.connect import open_backend

        backend = open_backend(args)
        try:
            return handler(args, backend)
        finally:
            backend.close()

    return run


def _cmd_rule(args: argparse.Namespace) -> int:
    from b2safe.cli import runner

    if args.list:
        for line in runner.rule_listing():
            print(line)
        return EXIT_OK
    if not args.name:
        raise CliError("b2safe rule NAME [ARG ...] (or --list)", EXIT_USAGE)
    runner.require_rule(args.name)  # unknown names fail before connecting

    def handler(a: argparse.Namespace, backend: Any) -> int:
        result = runner.run_positional(backend, a.name, a.args)
        if a.json:
            print_json(result.as_json())
        else:
            text = runner.render(result)
            if text:
                print(text)
        return EXIT_OK

    return _with_backend(handler)(args)


def _verb(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from b2safe.cli.verbs import HANDLERS

        return _with_backend(HANDLERS[name])(args)

    return run


def _cmd_install(args: argparse.Namespace) -> int:
    from b2safe.ops.install import run_install

    def schedule() -> int:
        try:
            return _verb("schedule")(args)
        except CliError as exc:
            print(f"ERROR: scheduling failed: {exc.message} {describe_code(exc.code)}".rstrip(),
                  file=sys.stderr)
            return exc.exit_code

    return run_install(args, schedule if args.schedule else None)


def _server_check_options(args: argparse.Namespace) -> tuple[Optional[dict[str, Any]],
                                                             list[str]]:
    """(keyword arguments of the server-file checks or None, why they were skipped).

    They run on the server: with ``--config-dir``, or when the default /etc/irods holds a
    server_config.json; not for a sandbox (it has no server files) or with ``--no-server``.
    """
    from pathlib import Path

    from b2safe.ops.install import DEFAULT_CONFIG_DIR

    if args.no_server:
        return None, ["server files: --no-server"]
    if args.config_dir is None and (args.sandbox or not Path(DEFAULT_CONFIG_DIR,
                                                             "server_config.json").exists()):
        where = "a sandbox" if args.sandbox else f"no {DEFAULT_CONFIG_DIR}/server_config.json"
        return None, [f"server files: {where} (run on the iRODS server or give --config-dir)"]
    return {"config_dir": Path(args.config_dir or DEFAULT_CONFIG_DIR),
            "account_name": args.service_account, "plugin_dir": Path(args.plugin_dir),
            "python": args.service_python}, []


def _cmd_doctor(args: argparse.Namespace) -> int:
    from b2safe.ops import doctor
    backend = None
    config = args.config
    try:
        if args.sandbox or args.live:
            from b2safe.cli.connect import open_backend

            backend = open_backend(args)
            config = config or backend.config_path()
        if not config:
            from b2safe.config import config_path

            config = config_path()
        server, skipped = _server_check_options(args)
        checks = doctor.run_checks(config, backend, check_pid=not args.no_pid, server=server)
    except CliError as exc:
        if not args.nagios:
            raise
        print(f"B2SAFE UNKNOWN - {exc.message}")
        return doctor.NAGIOS_CODES[doctor.UNKNOWN]
    finally:
        if backend is not None:
            backend.close()
    if args.nagios:
        line, code = doctor.nagios_line(checks)
        print(line)
        return code
    if args.json:
        print_json({"state": doctor.worst(checks), "checks": [c.as_json() for c in checks],
                    "skipped": skipped})
    else:
        marks = {doctor.OK: "[ ok ]", doctor.WARNING: "[warn]", doctor.CRITICAL: "[FAIL]",
                 doctor.UNKNOWN: "[ ?? ]"}
        for check in checks:
            print(f"{marks[check.state]} {check.name}: {check.detail}")
        for line in skipped:
            print(f"[skip] {line}")
        print(f"overall: {doctor.worst(checks)}")
    state = doctor.worst(checks)
    return EXIT_OK if state in (doctor.OK, doctor.WARNING) else EXIT_ERROR


# --- parser ------------------------------------------------------------------------------------


def _backend_options(p: argparse.ArgumentParser) -> None:
    where = p.add_argument_group("where rules run")
    where.add_argument("--sandbox", metavar="DIR", default=None,
                       help="run in this sandbox directory instead of on a live server")
    where.add_argument("--user", default=None,
                       help="sandbox: acting user name#zone (default rods#<first zone>)")
    where.add_argument("--zone", default=None, help="sandbox: zone whose server runs the rule "
                                                    "(default: the user's zone)")
    where.add_argument("--irods-env", default=None, metavar="FILE",
                       help="live: irods_environment.json (default $IRODS_ENVIRONMENT_FILE or "
                            "~/.irods/irods_environment.json)")
    where.add_argument("--instance", choices=("nrep", "python"), default="nrep",
                       help="live: call through the native rule engine (any user, default) or "
                            "the Python rule engine (rodsadmin)")
    where.add_argument("--credentials", action="append", default=[], metavar="FILE",
                       help="live: extra PID credentials files (prefixes chain/pid show may "
                            "read directly)")
    where.add_argument("--config", default=None, metavar="FILE",
                       help="live: b2safe.json naming the local PID credentials")
    where.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="live: how long to wait for the server's answer (default 120, "
                            "python-irodsclient's)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def _at_least(convert: Callable[[str], Any], minimum: float,
              what: str) -> Callable[[str], Any]:
    """An argparse type: ``convert(text)`` when it is ``minimum`` or more, else a usage error
    (exit 2) saying ``what`` was expected."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text} is not {what}")
        return value

    return parse


_COUNT = _at_least(int, 1, "a whole number of at least 1")
_SECONDS = _at_least(float, 0, "a number of seconds (0 or more)")


def _batch_options(p: argparse.ArgumentParser) -> None:
    """``--batch N`` and how the queued batches are followed (b2safe.cli.follow)."""
    long = p.add_argument_group("long work: queued on the server as delay rules, then followed")
    long.add_argument("--batch", type=_COUNT, default=None, metavar="N",
                      help="queue the work as delay-rule batches of N objects (the ...Batched "
                           "rule) instead of one long call, then follow the delay queue")
    long.add_argument("--no-wait", action="store_true",
                      help="with --batch: return once the batches are queued")
    long.add_argument("--wait", type=_SECONDS, default=None, metavar="SECONDS",
                      help="with --batch: stop following after SECONDS (the work goes on; "
                           "exit 1)")
    long.add_argument("--poll", type=_SECONDS, default=10.0, metavar="SECONDS",
                      help="with --batch: how often the delay queue is read (default 10)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``b2safe`` command."""
    parser = argparse.ArgumentParser(prog="b2safe", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"b2safe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    version = sub.add_parser("version", help="print the version")
    version.add_argument("--paths", action="store_true",
                         help="also where the package, the rule files and the example "
                              "configuration are")
    version.set_defaults(func=_cmd_version)


    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION")
    check = config_sub.add_parser("check", help="validate a configuration file")
    check.add_argument("file", nargs="?", help="default: $B2SAFE_CONFIG or /etc/irods/b2safe.json")
    check.set_defaults(func=_cmd_config_check)

    rule = sub.add_parser("rule", help="run any registered B2SAFE rule",
                          description="Run a rule with its inputs in order; OUT values are "
                                      "printed as 'name = value' (or JSON with --json).")
    rule.add_argument("name", nargs="?", help="rule name, e.g. EUDATCreatePID")
    rule.add_argument("args", nargs="*", help="the rule's inputs in order (use -- before "
                                               "values starting with '-')")
    rule.add_argument("--list", action="store_true", help="list the registered rules")
    _backend_options(rule)
    rule.set_defaults(func=_cmd_rule)

    pid = sub.add_parser("pid", help="create or show one PID")
    pid_sub = pid.add_subparsers(dest="pid_command", metavar="ACTION")
    create = pid_sub.add_parser("create", help="PID for a data object or collection "
                                               "(EUDATCreatePID; prints the existing one)")
    create.add_argument("path")
    create.add_argument("--parent", default=None, help="PID of the object this is a copy of")
    create.add_argument("--ror", nargs="?", const="pid", default=None,
                        help="EUDAT/ROR: a PID, or without a value the new PID itself")
    create.add_argument("--fio", nargs="?", const="pid", default=None,
                        help="EUDAT/FIO: a PID, or without a value the new PID itself")
    create.add_argument("--fixed", action="store_true", help="EUDAT/FIXED_CONTENT=True")
    _backend_options(create)
    create.set_defaults(func=_verb("pid create"))
    show = pid_sub.add_parser("show", help="the PID record of a path or PID")
    show.add_argument("target", metavar="PATH|PID")
    _backend_options(show)
    show.set_defaults(func=_verb("pid show"))

    pids = sub.add_parser("pids", help="PIDs for a whole collection (EUDATPidsForColl)")
    pids.add_argument("collection")
    pids.add_argument("--fixed", action="store_true", help="EUDAT/FIXED_CONTENT=True")
    _batch_options(pids)
    _backend_options(pids)
    pids.set_defaults(func=_verb("pids"))

    repl = sub.add_parser("replicate", help="replicate SRC to DST (EUDATReplication)")
    repl.add_argument("source", metavar="SRC")
    repl.add_argument("destination", metavar="DST")
    repl.add_argument("--resource", "-R", default=None, help="destination resource")
    repl.add_argument("--registered", dest="registered", action="store_true", default=None,
                      help="register PIDs for the copies (default)")
    repl.add_argument("--no-registered", dest="registered", action="store_false",
                      help="plain copy, no PIDs")
    repl.add_argument("--recursive", dest="recursive", action="store_true", default=None,
                      help="collections recursively (default)")
    repl.add_argument("--no-recursive", dest="recursive", action="store_false")
    _batch_options(repl)
    _backend_options(repl)
    repl.set_defaults(func=_verb("replicate"))

    chk = sub.add_parser("check", help="compare SRC with its replica DST (EUDATCheckIntegrity)")
    chk.add_argument("source", metavar="SRC")
    chk.add_argument("destination", metavar="DST")
    chk.add_argument("--record", action="store_true",
                     help="record failures as eudat_pending:integrity AVUs on the sources (for "
                          "a repairing sweep); without it the check changes nothing")
    chk.add_argument("--verify", action="store_true",
                     help="also have the servers re-read the stored bytes of source and replica "
                          "(ichksum -K) and say which disagrees with its catalog checksum")
    _batch_options(chk)
    _backend_options(chk)
    chk.set_defaults(func=_verb("check"))

    status = sub.add_parser("status", help="pending work, integrity sweeps, delay queue")
    status.add_argument("--limit", type=int, default=20, help="lines shown per section")
    _backend_options(status)
    status.set_defaults(func=_verb("status"))

    chain = sub.add_parser("chain", help="the PARENT/REPLICA tree around a PID, verified")
    chain.add_argument("target", metavar="PID|PATH")
    chain.add_argument("--verify", action="store_true",
                       help="also re-read every copy's stored bytes (ichksum -K)")
    _backend_options(chain)
    chain.set_defaults(func=_verb("chain"))

    sched = sub.add_parser("schedule", help="queue the repeating fail-log retry and the "
                                            "integrity sweeps (rodsadmin; idempotent)")
    _backend_options(sched)
    sched.set_defaults(func=_verb("schedule"))

    from b2safe.cli.keys import add_parser as add_keys_parser
    from b2safe.ops.install import add_parser as add_install_parser
    from b2safe.ops.uninstall import add_parser as add_uninstall_parser

    _backend_options(add_install_parser(sub, _cmd_install))
    add_uninstall_parser(sub)
    add_keys_parser(sub)
    from b2safe.cli.migrate import add_parser as add_migrate_parser

    _backend_options(add_migrate_parser(sub))

    doc = sub.add_parser("doctor", help="check a deployment (checklist or --nagios)")
    doc.add_argument("--nagios", action="store_true",
                     help="one line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    doc.add_argument("--no-pid", action="store_true", help="skip the PID service checks")
    doc.add_argument("--live", action="store_true",
                     help="also read the zone table and delay queue of the live server")
    server = doc.add_argument_group("the server's own files (checked on the server)")
    server.add_argument("--config-dir", default=None,
                        help="the server's config directory (default /etc/irods when it holds "
                             "server_config.json)")
    server.add_argument("--no-server", action="store_true",
                        help="skip the checks of the server's files (e.g. on an admin host)")
    server.add_argument("--service-account", default=None, metavar="USER",
                        help="the iRODS service account (default: owner of "
                             "server_config.json)")
    server.add_argument("--plugin-dir", default="/usr/lib/irods/plugins/rule_engines",
                        help="where the rule engine plugins are installed")
    server.add_argument("--service-python", default="python3", metavar="PYTHON",
                        help="the interpreter PREP uses (default python3 on the service "
                             "account's PATH)")
    _backend_options(doc)
    doc.set_defaults(func=_cmd_doctor)

    plugins.add_commands(sub)
    for command in set(sub.choices.values()):
        add_logging_options(command)
        _add_json_option(command)
    return parser


def _add_json_option(parser: argparse.ArgumentParser) -> None:
    """``--json`` on every command (errors included are then printed as JSON)."""
    if not any("--json" in action.option_strings for action in parser._actions):
        try:
            parser.add_argument("--json", action="store_true", help="print JSON")
        except argparse.ArgumentError:  # pragma: no cover - a plugin's own --json
            pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``b2safe`` command; returns the exit code (see the module docstring)."""
    from b2safe.cli.backends import RuleFailed

    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    configure_logging(getattr(args, "verbose", 0) or 0, getattr(args, "log_level", None))
    try:
        return int(func(args) or EXIT_OK)
    except CliError as exc:
        return report_error(args, exc.message, exc.code, exc.exit_code)
    except RuleFailed as exc:
        return report_error(args, f"{exc.rule} failed: {exc.message}", exc.code,
                            exit_code_for(exc.code))
    except ConfigError as exc:
        return report_error(args, str(exc), None, EXIT_USAGE)
    except B2SafeError as exc:
        return report_error(args, str(exc), exc.code,
                            EXIT_UNAVAILABLE if is_unavailable_error(exc) else EXIT_ERROR)
    except BrokenPipeError:  # pragma: no cover - output piped into head and the like
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("interrupted (work queued on the server goes on; see 'b2safe status')",
              file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
