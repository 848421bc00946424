"""``b2safe sandbox ...``: icommand-like shell interface to a sandbox directory.

Every sub-command takes ``--dir DIR`` (default ``$B2SAFE_SANDBOX`` or ``./b2safe-sandbox``);
commands that act as a user take ``--user name#zone`` (default ``rods#<first zone>``).
Output follows the icommands closely (``ils`` lists ``/coll:`` then indented names and
``C- /coll/sub`` lines; ``iquest`` prints ``ATTR = value`` lines separated by ``----``).

Exit codes: 0 success, 1 an iRODS error (printed as ``ERROR: ... status = N NAME``), 2 usage.

Run standalone with ``python -m b2safe_sandbox.cli <command> ...``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence

from b2safe_sandbox import handle_cli
from b2safe_sandbox.errors import SandboxError, error_name
from b2safe_sandbox.handle_cli import default_dir
from b2safe_sandbox.runtime.context import NREP_INSTANCE, PYTHON_INSTANCE

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
#: iquest's exit code for a failed query (src/iquest.cpp@5.0.2 L440-442).
EXIT_IQUEST_FAILED = 4


class UsageError(Exception):
    """A command-line mistake the parser cannot catch (exit code 2)."""


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _print_error(command: str, code: int, message: str) -> None:
    name = error_name(code)
    first = message.strip().splitlines()[0] if message.strip() else ""
    detail = f" {first}" if first else ""
    print(f"ERROR: {command}:{detail} status = {code} {name}".rstrip(), file=sys.stderr)


def _open(args: argparse.Namespace) -> Any:
    from b2safe_sandbox import site

    # Absolute: the zones' config files name paths inside the sandbox, read from anywhere.
    directory = Path(args.dir).resolve()
    if not (directory / "sandbox.json").exists():
        raise UsageError(f"no sandbox at {args.dir} (run 'b2safe sandbox init --dir {args.dir}')")
    return site.open(directory)


def _user(args: argparse.Namespace, sb: Any) -> str:
    user = getattr(args, "user", None)
    if not user:
        return f"rods#{sb.zone_names[0]}"
    if "#" not in user:
        return f"{user}#{sb.zone_names[0]}"
    return user


def _client(args: argparse.Namespace, sb: Any) -> Any:
    return sb.client(_user(args, sb))


def _zone_of(path: str) -> str:
    parts = path.split("/")
    if len(parts) < 2 or not parts[1] or not path.startswith("/"):
        raise UsageError(f"not an absolute iRODS path: {path}")
    return parts[1]


def _time_text(stamp: str) -> str:
    """'%011d' epoch -> 'YYYY-MM-DD.hh:mm' as ils -l shows it (UTC)."""
    import time

    try:
        return time.strftime("%Y-%m-%d.%H:%M", time.gmtime(int(stamp)))
    except (TypeError, ValueError):
        return str(stamp)


# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    """Create a sandbox with the given zones, each a b2safe site."""
    from b2safe_sandbox import site

    zones = tuple(z.strip() for z in args.zones.split(",") if z.strip())
    if not zones:
        raise UsageError("--zones needs at least one zone name")
    directory = Path(args.dir).resolve()  # config files name absolute paths (credentials)
    if (directory / "sandbox.json").exists():
        # Re-running init must not rewrite a sandbox in use (catalogs, clock, Handle records).
        existing = site.open(directory)
        try:
            if tuple(existing.zone_names) != zones:
                raise UsageError(f"{args.dir} already holds a sandbox with zones "
                                 f"{','.join(existing.zone_names)}; remove it first or use "
                                 "another --dir")
        finally:
            existing.close()
        print(f"sandbox already exists in {args.dir} (zones {','.join(zones)}); kept as it is")
        return EXIT_OK
    sb = site.create(directory, zones=zones, hash_scheme=args.hash_scheme)
    for name in sb.zone_names:
        zone = sb.zone(name)
        print(f"zone {name}: {zone.host}:{zone.port}  config {zone.config_dir}")
    print(f"sandbox created in {args.dir}")
    return EXIT_OK


def cmd_iput(args: argparse.Namespace) -> int:
    sb = _open(args)
    local = Path(args.local)
    if not local.is_file():
        raise UsageError(f"local file {local} does not exist")
    _client(args, sb).iput(args.logical, local, resc=args.R, force=args.f)
    return EXIT_OK


def cmd_iget(args: argparse.Namespace) -> int:
    sb = _open(args)
    data = _client(args, sb).iget(args.logical)
    if args.local == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    target = Path(args.local or args.logical.rsplit("/", 1)[1])
    if target.is_dir():
        target = target / args.logical.rsplit("/", 1)[1]
    if target.exists() and not args.f:
        _print_error("iget", -312000, f"{target} exists; use -f to overwrite")
        return EXIT_ERROR
    target.write_bytes(data)
    return EXIT_OK


def _acl_lines(cat: Any, path: str, is_coll: bool) -> List[str]:
    acls = cat.acl_list(path)
    text = " ".join(f"{a.user_name}#{a.user_zone}:{a.access}" for a in acls)
    lines = [f"        ACL - {text}"]
    if is_coll:
        coll = cat.coll_get(path)
        inherit = "Enabled" if coll is not None and coll.inherit else "Disabled"
        lines.append(f"        Inheritance - {inherit}")
    return lines


def _data_lines(cat: Any, path: str, name: str, long: bool) -> List[str]:
    if not long:
        return [f"  {name}"]
    lines = []
    for rep in cat.data_get(path):
        status = "&" if rep.status == 1 else " "
        lines.append(f"  {rep.owner_name:<12}{rep.repl_num:>6} {rep.resc_hier:<20}"
                     f"{rep.size:>12} {_time_text(rep.modify_time)} {status} {name}")
    return lines


def cmd_ils(args: argparse.Namespace) -> int:
    sb = _open(args)
    client = _client(args, sb)
    path = args.path or f"/{sb.zone_names[0]}/home/{_user(args, sb).split('#')[0]}"
    entries = client.ils(path)
    cat = sb.zone(_zone_of(path)).catalog
    if cat.data_exists(path):
        for line in _data_lines(cat, path, path, args.l):
            print(line)
        if args.A:
            print("\n".join(_acl_lines(cat, path, False)))
        return EXIT_OK
    _list_collection(client, cat, path, entries, args)
    return EXIT_OK


def _list_collection(client: Any, cat: Any, path: str, entries: list,
                     args: argparse.Namespace) -> None:
    """One collection as ils prints it; with ``-r`` every sub-collection after it, each under
    its own ``path:`` header (clients/icommands ils -r)."""
    print(f"{path}:")
    if args.A:
        print("\n".join(_acl_lines(cat, path, True)))
    subcollections = []
    for kind, name in entries:
        child = name if name.startswith("/") else f"{path.rstrip('/')}/{name}"
        if kind == "C":
            print(f"  C- {child}")
            subcollections.append(child)
        else:
            for line in _data_lines(cat, child, name, args.l):
                print(line)
            if args.A:
                print("\n".join(_acl_lines(cat, child, False)))
    if args.r:
        for child in subcollections:
            _list_collection(client, cat, child, client.ils(child), args)


def cmd_imkdir(args: argparse.Namespace) -> int:
    sb = _open(args)
    _client(args, sb).imkdir(args.path, parents=args.p)
    return EXIT_OK


def cmd_irm(args: argparse.Namespace) -> int:
    sb = _open(args)
    client = _client(args, sb)
    for path in args.paths:
        client.irm(path, recursive=args.r, force=args.f)
    return EXIT_OK


def cmd_imv(args: argparse.Namespace) -> int:
    sb = _open(args)
    _client(args, sb).imv(args.src, args.dst)
    return EXIT_OK


def cmd_icp(args: argparse.Namespace) -> int:
    sb = _open(args)
    _client(args, sb).icp(args.src, args.dst, force=args.f, resc=args.R)
    return EXIT_OK


def cmd_irepl(args: argparse.Namespace) -> int:
    sb = _open(args)
    _client(args, sb).irepl(args.path, args.R)
    return EXIT_OK


def cmd_ichmod(args: argparse.Namespace) -> int:
    sb = _open(args)
    client = _client(args, sb)
    level = args.level
    rest = list(args.rest)
    if level in ("inherit", "noinherit"):
        if len(rest) != 1:
            raise UsageError(f"ichmod {level} takes one collection path")
        client.ichmod(level, _user(args, sb), rest[0], recursive=args.r)
        return EXIT_OK
    if level not in ("own", "write", "read", "null", "modify", "modify_object", "read_object"):
        raise UsageError(f"unknown access level {level}")
    level = {"modify": "write", "modify_object": "write", "read_object": "read"}.get(level, level)
    if len(rest) < 2:
        raise UsageError("ichmod LEVEL USER PATH...")
    user, paths = rest[0], rest[1:]
    for path in paths:
        client.ichmod(level, user, path, recursive=args.r)
    return EXIT_OK


def cmd_imeta(args: argparse.Namespace) -> int:
    sb = _open(args)
    client = _client(args, sb)
    kind = args.kind
    if kind not in ("-d", "-C", "-R", "-u"):
        raise UsageError("imeta object kind must be -d, -C, -R or -u")
    if args.op == "ls":
        avus = client.imeta_ls(kind, args.target)
        wanted = args.avu[0] if args.avu else None
        shown = [a for a in avus if wanted is None or a.name == wanted]
        label = {"-d": "dataObj", "-C": "collection", "-R": "resource", "-u": "user"}[kind]
        print(f"AVUs defined for {label} {args.target}:")
        if not shown:
            print("None")
        for i, avu in enumerate(shown):
            if i:
                print("----")
            print(f"attribute: {avu.name}\nvalue: {avu.value}\nunits: {avu.units}")
        return EXIT_OK
    if len(args.avu) < 2 or len(args.avu) > 3:
        raise UsageError(f"imeta {args.op} needs ATTRIBUTE VALUE [UNITS]")
    attr, value = args.avu[0], args.avu[1]
    units = args.avu[2] if len(args.avu) == 3 else ""
    client.imeta(args.op, kind, args.target, attr, value, units)
    return EXIT_OK


def cmd_ichksum(args: argparse.Namespace) -> int:
    sb = _open(args)
    checksum = _client(args, sb).ichksum(args.path, force=args.f, verify=args.K)
    print(f"    {args.path.rsplit('/', 1)[1]:<32}{checksum}")
    return EXIT_OK


def _split_select(query: str) -> List[str]:
    match = re.match(r"^\s*select\s+(.*?)(?:\s+where\s+.*)?\s*$", query, re.I | re.S)
    if not match:
        raise UsageError("iquest query must start with SELECT")
    columns, depth, current = [], 0, []
    for ch in match.group(1):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            columns.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    columns.append("".join(current).strip())
    return columns


def cmd_iquery(args: argparse.Namespace) -> int:
    """As irods_client_icommands src/iquery.cpp@5.0.2 L53-99: the query from the argument or,
    for '-', one line of stdin; the rows printed as the server's JSON; an error as
    ``error: CODE`` on stderr and exit 1."""
    query = args.query_string
    if query == "-":
        query = sys.stdin.readline().rstrip("\n")
    if not query:
        print("error: Missing QUERY_STRING", file=sys.stderr)
        return EXIT_ERROR
    sb = _open(args)
    try:
        rows = _client(args, sb).iquery(query, zone=args.zone)
    except SandboxError as exc:
        print(f"error: {int(exc.code)}", file=sys.stderr)
        return EXIT_ERROR
    print(json.dumps(rows, separators=(",", ":"), ensure_ascii=False))
    return EXIT_OK


def cmd_iquest(args: argparse.Namespace) -> int:
    """As irods_client_icommands src/iquest.cpp@5.0.2 L412-446 and lib/core/src/rcMisc.cpp@5.0.2
    L3139-3180 printGenQueryOut: each row as ``COLUMN = value`` lines (the column's name, without
    its function) and a line of 60 dashes, or the format with each ``%s`` filled; no rows:
    ``CAT_NO_ROWS_FOUND: Nothing was found matching your query`` and exit 1; a failed query:
    the error logged (``ERROR: iquest Error: queryAndShowStrCond failed status = CODE NAME``)
    and exit 4."""
    sb = _open(args)
    if len(args.words) == 1:
        fmt, query = None, args.words[0]
    elif len(args.words) == 2:
        fmt, query = args.words
    else:
        raise UsageError('iquest ["format"] "SELECT ..."')
    columns = [re.sub(r"^\w+\((.*)\)$", r"\1", c).strip() for c in _split_select(query)]
    try:
        rows = _client(args, sb).iquest(query)
    except SandboxError as exc:
        code = int(exc.code)
        print(f"ERROR: iquest Error: queryAndShowStrCond failed status = {code} "
              f"{error_name(code)}", file=sys.stderr)
        return EXIT_IQUEST_FAILED
    if not rows:
        print("CAT_NO_ROWS_FOUND: Nothing was found matching your query")
        return EXIT_ERROR
    for row in rows:
        if fmt is not None:
            text = fmt.replace("\\n", "\n").replace("\\t", "\t")
            for value in row:
                text = text.replace("%s", value, 1)
            print(text)
            continue
        for col, value in zip(columns, row):
            print(f"{col} = {value}")
        print("-" * 60)
    return EXIT_OK


def cmd_iadmin(args: argparse.Namespace) -> int:
    sb = _open(args)
    actor = _user(args, sb)
    zone = actor.split("#")[1]
    cat = sb.zone(zone).catalog
    words = list(args.words)
    if not words:
        raise UsageError("iadmin mkuser|mkresc|lz ...")
    verb = words[0]
    if verb == "lz":
        for row in cat.list_zones():
            print(row.name)
        return EXIT_OK
    if not cat.is_admin(actor):
        _print_error("iadmin", -830000, f"{actor} is not a rodsadmin")
        return EXIT_ERROR
    if verb == "mkuser":
        if len(words) != 3 or words[2] not in ("rodsuser", "rodsadmin", "groupadmin"):
            raise UsageError("iadmin mkuser NAME rodsuser|rodsadmin")
        name, user_zone = ([*words[1].split("#", 1), zone])[:2]
        cat.add_user(name, user_zone, words[2])
        if user_zone == zone:
            home = f"/{zone}/home/{name}"
            if cat.coll_get(home) is None:
                cat.coll_create(home, None)
            cat.acl_set(home, f"{name}#{zone}", "own", None)
        return EXIT_OK
    if verb == "mkresc":
        if len(words) < 3:
            raise UsageError("iadmin mkresc NAME TYPE [HOST:VAULT]")
        vault = words[3].split(":", 1)[-1] if len(words) > 3 else None
        cat.add_resource(words[1], words[2], vault)
        return EXIT_OK
    raise UsageError(f"unknown iadmin command {verb}")


#: irule's exit codes (irods_client_icommands src/irule.cpp@5.0.2): 1 the input file cannot be
#: opened (L283-285), 2 incomplete rule input, no OUTPUT line (L392-395), 3 fewer than three
#: command-line parameters (L417-421), 4 rcExecMyRule failed (L493), 10 unsupported input file
#: type (L244-256).
IRULE_NO_FILE, IRULE_INCOMPLETE, IRULE_FAILED, IRULE_BAD_TYPE = 1, 2, 4, 10
IRULE_INCOMPLETE_COMMAND_LINE = 3


def cmd_irule(args: argparse.Namespace) -> int:
    from b2safe_sandbox.rulefile import IncompleteRuleFile

    sb = _open(args)
    client = _client(args, sb)
    try:
        if args.r not in (None, NREP_INSTANCE, PYTHON_INSTANCE):
            # irods_re_plugin.hpp@5.0.2 L658-666: "instance not found".
            from b2safe_sandbox.client import IruleResult
            from b2safe_sandbox.errors import SYS_INVALID_INPUT_PARAM

            result = IruleResult("", SYS_INVALID_INPUT_PARAM, f"instance not found [{args.r}]")
        elif args.r == NREP_INSTANCE:
            result = _irule_native(args, client)
        elif args.F:
            path = Path(args.F)
            if path.suffix != ".r":
                print(f"Unsupported input file type {path.suffix}", file=sys.stderr)
                return IRULE_BAD_TYPE
            if not path.is_file():
                print(f"ERROR: Cannot open input file {path}", file=sys.stderr)
                return IRULE_NO_FILE
            # No -r: every engine (rsExecMyRule names none); -r the Python instance: it alone.
            run = client.irule_any if args.r is None else client.irule_file
            result = run(path, overrides=tuple(args.words))
        else:
            if len(args.words) < 3:
                # irule.cpp@5.0.2 L417-421: "incomplete input", exit(3), nothing is sent.
                print("ERROR: incomplete input: irule RULE INPUT OUTPUT (INPUT and OUTPUT may be "
                      "null)", file=sys.stderr)
                return IRULE_INCOMPLETE_COMMAND_LINE
            # No -r: rsExecMyRule offers "@external rule { RULE }" to every engine in order.
            instance = PYTHON_INSTANCE if args.r == PYTHON_INSTANCE else None
            result = client.irule_rule(args.words[0], args.words[1], instance=instance)
    except IncompleteRuleFile as exc:
        print(f"ERROR: {exc} ({args.F})", file=sys.stderr)
        return IRULE_INCOMPLETE
    if result.stdout:
        sys.stdout.write(result.stdout if result.stdout.endswith("\n") else result.stdout + "\n")
    if getattr(result, "stderr", ""):
        sys.stderr.write(result.stderr)
    if result.code < 0:
        _print_error("irule", result.code, result.error)
        return IRULE_FAILED
    return EXIT_OK


def _irule_native(args: argparse.Namespace, client: Any) -> Any:
    """irule -r <rule language instance> -F FILE.r [overrides] | "rule text" [INPUT] [OUTPUT]."""
    if args.F:
        path = Path(args.F)
        if not path.is_file():
            raise UsageError(f"no such rule file {path}")
        return client.irule_native(path, overrides=tuple(args.words))
    if len(args.words) < 3:
        raise UsageError('irule -r RULE_LANGUAGE_INSTANCE "rule text" INPUT OUTPUT')
    from b2safe_sandbox import rulefile

    text, *rest = args.words
    # irule.cpp parseParameters: the command-line inputs are split on '%' (splitMultiStr),
    # not on ',' as an INPUT line of a file is.
    inputs = rulefile.parse_multi_inputs(rest[0] if rest else "null")
    outputs = rest[1] if len(rest) > 1 else "ruleExecOut"
    return client.irule_native(f"{text}\nINPUT null\nOUTPUT {outputs}\n", inputs=inputs)


def cmd_iqstat(args: argparse.Namespace) -> int:
    sb = _open(args)
    rows = []
    for name in sb.zone_names:
        rows.extend(sb.zone(name).catalog.delay_list())
    if not rows:
        print("No delayed rules pending")
        return EXIT_OK
    print(f"{'id':<10} {'name':<60} {'exe_time':<17} {'frequency'}")
    for row in rows:
        text = " ".join(str(row.name).split())
        text = text if len(text) <= 60 else text[:57] + "..."
        print(f"{row.id!s:<10} {text:<60} {_time_text(row.exe_time):<17} {row.frequency}")
    return EXIT_OK


def cmd_delay(args: argparse.Namespace) -> int:
    sb = _open(args)
    results = sb.run_delayed(advance=args.advance)
    for res in results:
        status = "ok" if res.succeeded else f"failed ({res.code})"
        nxt = "removed" if res.next_time is None else f"next {res.next_time}"
        print(f"{res.zone} rule {res.rule_id} as {res.user}: {status}, {nxt}")
    print(f"{len(results)} delayed rule(s) run; clock now {sb.clock.now()}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    sb = _open(args)
    print(json.dumps(sb.stats(), indent=2, sort_keys=True, default=str))
    return EXIT_OK


def _code_of(text: str) -> int:
    from b2safe_sandbox.error_codes import CODES

    if text.lstrip("-").isdigit():
        return int(text)
    value = CODES.get(text)
    if value is None:
        raise UsageError(f"unknown error name {text}")
    return value


def cmd_fault(args: argparse.Namespace) -> int:
    sb = _open(args)
    if args.fault == "fail-msi":
        sb.faults.fail_next(args.zone, args.msi, _code_of(args.code), count=args.count)
    elif args.fault == "unreachable":
        sb.faults.set_unreachable(args.zone, args.state == "on")
    elif args.fault == "corrupt":
        sb.faults.corrupt(args.path, repl_num=args.repl,
                          mode="truncate" if args.truncate else "flip")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, user: bool = True) -> None:
    p.add_argument("--dir", default=default_dir(),
                   help="sandbox directory (default: $B2SAFE_SANDBOX or ./b2safe-sandbox)")
    if user:
        p.add_argument("--user", default=None, help="acting user name#zone (default rods#<zone>)")


def _add(sub: Any, name: str, func: Callable[[argparse.Namespace], int], help_text: str,
         user: bool = True) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text)
    _common(p, user)
    p.set_defaults(sandbox_func=func)
    return p


def _build(sub: Any) -> None:
    p = _add(sub, "init", cmd_init, "create a sandbox directory with zones", user=False)
    p.add_argument("--zones", default="tempZone", help="comma-separated zone names")
    p.add_argument("--hash-scheme", default="SHA256", choices=("SHA256", "MD5"))

    p = _add(sub, "iput", cmd_iput, "upload a local file")
    p.add_argument("local")
    p.add_argument("logical")
    p.add_argument("-f", action="store_true", help="overwrite")
    p.add_argument("-R", default=None, help="resource")

    p = _add(sub, "iget", cmd_iget, "download a data object ('-' for stdout)")
    p.add_argument("logical")
    p.add_argument("local", nargs="?", default=None)
    p.add_argument("-f", action="store_true", help="overwrite a local file")

    p = _add(sub, "ils", cmd_ils, "list a collection or data object")
    p.add_argument("path", nargs="?", default=None)
    p.add_argument("-l", action="store_true", help="long format (replicas)")
    p.add_argument("-A", action="store_true", help="show ACLs and inheritance")
    p.add_argument("-r", action="store_true", help="recursive: every sub-collection too")

    p = _add(sub, "imkdir", cmd_imkdir, "create a collection")
    p.add_argument("path")
    p.add_argument("-p", action="store_true", help="create parents")

    p = _add(sub, "irm", cmd_irm, "remove data objects or collections")
    p.add_argument("paths", nargs="+")
    p.add_argument("-r", action="store_true", help="recursive (collections)")
    p.add_argument("-f", action="store_true", help="no trash")

    p = _add(sub, "imv", cmd_imv, "rename or move")
    p.add_argument("src")
    p.add_argument("dst")

    p = _add(sub, "icp", cmd_icp, "copy (also across zones)")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("-f", action="store_true", help="overwrite")
    p.add_argument("-R", default=None, help="destination resource")

    p = _add(sub, "irepl", cmd_irepl, "replicate to a resource")
    p.add_argument("path")
    p.add_argument("-R", required=True, help="destination resource")

    p = _add(sub, "ichmod", cmd_ichmod,
             "ichmod [-r] own|write|read|null USER PATH... | ichmod [-r] inherit|noinherit PATH")
    p.add_argument("-r", action="store_true", help="recursive")
    p.add_argument("level")
    p.add_argument("rest", nargs="+")

    p = _add(sub, "imeta", cmd_imeta, "imeta ls|add|set|rm -d|-C|-R|-u TARGET [A [V [U]]]")
    p.add_argument("op", choices=("ls", "add", "set", "rm"))
    kinds = p.add_mutually_exclusive_group(required=True)
    for flag, help_text in (("-d", "data object"), ("-C", "collection"), ("-R", "resource"),
                            ("-u", "user")):
        kinds.add_argument(flag, dest="kind", action="store_const", const=flag, help=help_text)
    p.add_argument("target")
    p.add_argument("avu", nargs="*")

    p = _add(sub, "ichksum", cmd_ichksum, "compute or verify a checksum")
    p.add_argument("path")
    p.add_argument("-f", action="store_true", help="force recomputation")
    p.add_argument("-K", action="store_true", help="verify")

    p = _add(sub, "iquest", cmd_iquest, 'iquest ["format"] "SELECT ... WHERE ..."')
    p.add_argument("words", nargs="+")
    p.add_argument("--no-page", action="store_true", help="accepted for compatibility")

    p = _add(sub, "iquery", cmd_iquery, 'iquery [-z ZONE] "select ... where ..." (GenQuery2; '
             "'-' or nothing: read the query from stdin)")
    p.add_argument("query_string", nargs="?", default="-")
    p.add_argument("-z", "--zone", default=None, help="the zone to query (default: the local one)")

    p = _add(sub, "iadmin", cmd_iadmin, "iadmin mkuser NAME TYPE | mkresc NAME TYPE [VAULT] | lz")
    p.add_argument("words", nargs="*")

    p = _add(sub, "irule", cmd_irule, "irule -F file.r ['*x=\"v\"' ...] | irule RULE_NAME")
    p.add_argument("-F", default=None, help="rule file (.r)")
    p.add_argument("-r", default=None,
                   help="rule engine instance: irods_rule_engine_plugin-python-instance or "
                        "irods_rule_engine_plugin-irods_rule_language-instance; without it a "
                        "-F file goes to every configured engine in order and their errors "
                        "are only logged (rsExecMyRule with no instance name)")
    p.add_argument("words", nargs="*")

    _add(sub, "iqstat", cmd_iqstat, "list the delayed rules of every zone")

    p = _add(sub, "delay", cmd_delay, "delay run [--advance SECONDS]: run due delayed rules")
    p.add_argument("action", choices=("run",))
    p.add_argument("--advance", type=float, default=0.0, help="advance the clock first")

    _add(sub, "stats", cmd_stats, "print counters as JSON")

    p = _add(sub, "fault", cmd_fault, "inject faults")
    fsub = p.add_subparsers(dest="fault", metavar="FAULT")
    fsub.required = True
    f = fsub.add_parser("fail-msi", help="fail the next call(s) of a microservice")
    f.add_argument("zone")
    f.add_argument("msi")
    f.add_argument("code", help="error code (number or name)")
    f.add_argument("--count", type=int, default=1)
    f = fsub.add_parser("unreachable", help="make a zone unreachable or reachable")
    f.add_argument("zone")
    f.add_argument("state", choices=("on", "off"))
    f = fsub.add_parser("corrupt", help="corrupt a replica in the vault")
    f.add_argument("path")
    f.add_argument("--repl", type=int, default=0)
    f.add_argument("--truncate", action="store_true")


def _run(args: argparse.Namespace) -> int:
    func = getattr(args, "sandbox_func", None)
    if func is None:
        print("usage: b2safe sandbox COMMAND ... (see --help)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return func(args)
    except UsageError as exc:
        print(f"usage error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SandboxError as exc:
        _print_error(args.sandbox_command, int(exc.code), str(exc))
        return EXIT_ERROR


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sandbox`` sub-command (and its own sub-commands) to an argparse subparsers."""
    parser = subparsers.add_parser("sandbox", help="emulated iRODS zones (icommand-like verbs)",
                                   description=__doc__.splitlines()[0])
    _add_commands(parser)
    parser.set_defaults(func=_run)
    return parser


def _add_commands(parser: argparse.ArgumentParser) -> None:
    """The icommand-like verbs and the Handle commands, as sub-commands of ``parser``."""
    sub = parser.add_subparsers(dest="sandbox_command", metavar="COMMAND")
    _build(sub)
    handle_cli.add_parser(sub)


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser (``python -m b2safe_sandbox.cli``)."""
    parser = argparse.ArgumentParser(prog="b2safe sandbox", description=__doc__.splitlines()[0])
    _add_commands(parser)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the sandbox command line; returns the exit code (0 ok, 1 iRODS error, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(args, "sandbox_func", None) is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
