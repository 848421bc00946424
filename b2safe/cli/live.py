"""The live backend of the ``b2safe`` command: a real iRODS server through python-irodsclient.

The connection is read from ``irods_environment.json`` as the icommands do (``--irods-env``, else
``$IRODS_ENVIRONMENT_FILE``, else ``~/.irods/irods_environment.json``); the password comes from
``~/.irods/.irodsA`` (``$IRODS_AUTHENTICATION_FILE``; decoded by python-irodsclient's
``irods.password_obfuscation``) or from ``$IRODS_PASSWORD``.

Rules are called in one of two ways (``--instance``):

* ``nrep`` (default, any user): a native-rule-language body
  ``RULE(*b2safe_a0, ..., *b2safe_aN)`` with every argument a string variable, so the native
  engine forwards the call to the Python rules (it does so only when all arguments are strings);
  every argument is printed afterwards between marker lines and parsed back;
* ``python`` (rodsadmin only, as PREP requires for irule): a Python rule file whose ``main``
  calls ``callback.RULE(...)`` and prints the written-back arguments as JSON.

python-irodsclient is imported lazily: without the ``client`` extra the command fails with a
clear message (exit code 2) and the sandbox keeps working.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from b2safe.cli.backends import (
    Condition,
    ObjectState,
    RuleFailed,
    StoredCheck,
    load_json,
    message_from_traceback,
    split_irods_url,
)
from b2safe.cli.common import EXIT_UNAVAILABLE, EXIT_USAGE, CliError, rounded

NREP_INSTANCE = "irods_rule_engine_plugin-irods_rule_language-instance"
PYTHON_INSTANCE = "irods_rule_engine_plugin-python-instance"
INSTANCES = {"nrep": NREP_INSTANCE, "python": PYTHON_INSTANCE}
ENV_FILE_VARIABLE = "IRODS_ENVIRONMENT_FILE"
PASSWORD_VARIABLE = "IRODS_PASSWORD"  # noqa: S105 - the variable's name, not a password
ARG_MARKER = "@@b2safe-arg "
JSON_MARKER = "@@b2safe-json "
_MARKER_LINE = re.compile(r"^@@b2safe-arg (\d+)\n", re.M)
_RULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: GenQuery column ids python-irodsclient's models lack (values from iRODS rodsGenQuery.h).
_EXTRA_COLUMNS = {"ZONE_CONNECTION": 104}
#: python-irodsclient's own default (irods/session.py DEFAULT_CONNECTION_TIMEOUT), which
#: ``--timeout`` replaces: a rule running longer fails on the client as "cannot receive".
DEFAULT_TIMEOUT = 120.0
#: The code iRODS returns for a rule that failed (rodsErrorTable.h: FAIL_ACTION_ENCOUNTERED_ERR);
#: the rule's own code is in the error stack's ``[iRods__Error__Code:N]``.
FAIL_ACTION_ENCOUNTERED_ERR = -1091000
#: Verification results that mean the stored bytes disagree with the catalog
#: (rodsErrorTable.h: USER_CHKSUM_MISMATCH, USER_FILE_SIZE_MISMATCH).
MISMATCH_CODES = frozenset({-314000, -401000})
CLIENT_MISSING = ("python-irodsclient is not installed; install the client extra: "
                  "python3 -m pip install 'b2safe[client]'")


def default_env_file() -> str:
    """The irods_environment.json the icommands would read."""
    return os.environ.get(ENV_FILE_VARIABLE) or os.path.expanduser(
        "~/.irods/irods_environment.json")


def import_client() -> Any:
    """The ``irods`` package, or CliError (exit 2) when the client extra is missing."""
    try:
        import irods
        import irods.exception
        import irods.rule
        import irods.session
    except ImportError:
        raise CliError(CLIENT_MISSING, EXIT_USAGE) from None
    return irods


# --- rule text (pure, unit-tested) --------------------------------------------------------------


def nrep_literal(value: str) -> str:
    """``value`` as a native-rule-language string literal for an INPUT parameter.

    Guess: the native rule language reads backslash escapes in double-quoted strings and expands
    ``*name`` inside them, so backslash, double quote and ``*`` are escaped.
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*")
    return f'"{escaped}"'


def nrep_call(name: str, count: int) -> tuple[str, list[str]]:
    """The body calling ``name`` with ``count`` string variables and printing each afterwards.

    Returns (body, variable names).
    """
    if not _RULE_NAME.match(name):
        raise CliError(f"{name!r} is not a rule name", EXIT_USAGE)
    names = [f"*b2safe_a{i}" for i in range(count)]
    parts = [f"{name}({', '.join(names)})"]
    for index, var in enumerate(names):
        parts.append(f'writeLine("stdout", "{ARG_MARKER}{index}")')
        parts.append(f'writeLine("stdout", {var})')
    return "; ".join(parts), names


def python_rule_file(name: str, rule_args: list[str]) -> str:
    """A Python rule file (irule -F form) calling ``callback.<name>`` and printing the args."""
    if not _RULE_NAME.match(name):
        raise CliError(f"{name!r} is not a rule name", EXIT_USAGE)
    return (
        "def main(rule_args, callback, rei):\n"
        "    import json\n"
        f"    ret = callback.{name}(*{list(rule_args)!r})\n"
        f"    callback.writeLine('stdout', {JSON_MARKER!r} + "
        "json.dumps([str(a) for a in ret['arguments']]))\n"
        "INPUT null\n"
        "OUTPUT ruleExecOut\n"
    )


def parse_marked_args(stdout: str, count: int) -> list[str]:
    """The argument values printed by :func:`nrep_call` (multi-line values kept).

    Raises CliError when a marker is missing (the rule printed something unexpected).
    """
    markers = list(_MARKER_LINE.finditer(stdout))
    values: dict[int, str] = {}
    for number, match in enumerate(markers):
        stop = markers[number + 1].start() if number + 1 < len(markers) else len(stdout)
        text = stdout[match.end():stop]
        # writeLine ends every value with exactly one newline.
        values[int(match.group(1))] = text[:-1] if text.endswith("\n") else text
    missing = [i for i in range(count) if i not in values]
    if missing:
        raise CliError(f"the server's answer lacks argument(s) {missing}; output was: "
                       f"{stdout[:200]!r}")
    return [values[i] for i in range(count)]


def parse_json_args(stdout: str) -> list[str]:
    """The argument list printed by :func:`python_rule_file`."""
    for line in stdout.splitlines():
        if line.startswith(JSON_MARKER):
            return [str(v) for v in json.loads(line[len(JSON_MARKER):])]
    raise CliError(f"the server's answer has no result line; output was: {stdout[:200]!r}")


def stdout_of(out_param_array: Any) -> str:
    """The ``ruleExecOut`` stdout text of python-irodsclient's execute() result."""
    try:
        params = out_param_array.MsParam_PI
    except AttributeError:
        return ""
    for param in params or ():
        struct = getattr(param, "inOutStruct", None)
        buf = getattr(getattr(struct, "stdoutBuf", None), "buf", None)
        if buf is None:
            continue
        if isinstance(buf, bytes):
            buf = buf.decode("utf-8", "replace")
        return str(buf).rstrip("\x00")
    return ""


def find_column(key: str) -> Any:
    """python-irodsclient's Column for the GenQuery name ``key`` (``META_DATA_ATTR_NAME``).

    python-irodsclient names some columns as rodsGenQuery.h's C macros do
    (``COL_META_DATA_ATTR_NAME``, irods/models.py) and others without the prefix
    (``DATA_NAME``); both spellings are accepted. CliError (exit 2) for an unknown one.
    """
    from irods import models
    from irods.column import Column, String

    wanted = {key, key[4:] if key.startswith("COL_") else f"COL_{key}"}
    for model in vars(models).values():
        for column in getattr(model, "_columns", ()) or ():
            if getattr(column, "icat_key", None) in wanted:
                return column
    if key in _EXTRA_COLUMNS:
        return Column(String, key, _EXTRA_COLUMNS[key])
    raise CliError(f"unknown GenQuery column {key}", EXIT_USAGE)


def error_stack(message: Any) -> list[tuple[int, str]]:
    """(status, text) of each entry of the error stack of a server reply (python-irodsclient's
    iRODSMessage), [] when it has none."""
    from irods.message import Error, iRODSMessage

    raw = getattr(message, "error", None)
    if not raw:
        return []
    try:
        entries = iRODSMessage(msg=raw).get_main_message(Error).RErrMsg_PI or []
    except Exception:  # an unparsable stack: the code alone is reported
        return []
    out = []
    for entry in entries:
        text = entry.msg.decode("utf-8", "replace") if isinstance(entry.msg, bytes) \
            else str(entry.msg)
        out.append((int(entry.status), text))
    return out


def failure_from_stack(rule: str, code: int, stack: list[tuple[int, str]]) -> RuleFailed:
    """RuleFailed for a failed rule: the code and message the rule raised (PREP's
    ``[iRods__Error__Code:N]`` in the stack), else the reply's code and the stack's last line."""
    from b2safe.errors import code_from_text

    text = "\n".join(message for _, message in stack)
    for line in text.splitlines():
        inner = code_from_text(line)
        if inner is not None:
            return RuleFailed(rule, inner, message_from_traceback(line) or line.strip())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return RuleFailed(rule, code, lines[-1] if lines else "the server gave no message")


# --- the backend -------------------------------------------------------------------------------


class LiveBackend:
    """Rules and catalog reads on a live iRODS server (see module docstring)."""

    def __init__(self, session: Any, *, instance: str = "nrep", label: str = "",
                 credentials: Iterable[str] = (), config: Optional[str] = None,
                 timeout: Optional[float] = None) -> None:
        self.irods = import_client()
        self.session = session
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        session.connection_timeout = self.timeout
        if instance not in INSTANCES:
            raise CliError(f"--instance must be one of {', '.join(INSTANCES)}", EXIT_USAGE)
        self.instance = instance
        self.user = f"{session.username}#{session.zone}"
        self.label = label or f"{session.host}:{session.port} as {self.user}"
        self.credentials = list(credentials)
        self._config = config
        self.notes: list[str] = []

    @classmethod
    def from_environment(cls, env_file: Optional[str] = None, instance: str = "nrep",
                         credentials: Iterable[str] = (), config: Optional[str] = None,
                         timeout: Optional[float] = None) -> LiveBackend:
        """Connect as the icommands would (environment file + .irodsA or $IRODS_PASSWORD)."""
        irods = import_client()
        path = env_file or default_env_file()
        if not Path(path).is_file():
            raise CliError(f"no iRODS environment file at {path} (run iinit, set "
                           f"{ENV_FILE_VARIABLE}, or use --sandbox DIR)", EXIT_USAGE)
        env = load_json(path)
        password = os.environ.get(PASSWORD_VARIABLE)
        try:
            if password:
                missing = [k for k in ("irods_host", "irods_port", "irods_user_name",
                                       "irods_zone_name") if k not in env]
                if missing:
                    raise CliError(f"{path} lacks {', '.join(missing)}", EXIT_USAGE)
                extra = {k: v for k, v in env.items()
                         if k not in ("irods_host", "irods_port", "irods_user_name",
                                      "irods_zone_name")}
                session = irods.session.iRODSSession(
                    host=env["irods_host"], port=int(env["irods_port"]),
                    user=env["irods_user_name"], zone=env["irods_zone_name"],
                    password=password, **extra)
            else:
                session = irods.session.iRODSSession(irods_env_file=path)
        except CliError:
            raise
        except Exception as exc:  # python-irodsclient raises many types while configuring
            raise CliError(f"cannot configure the iRODS session from {path}: "
                           f"{type(exc).__name__}: {exc}", EXIT_USAGE) from None
        return cls(session, instance=instance, credentials=credentials, config=config,
                   timeout=timeout)

    # -- error translation
    def _translate(self, exc: BaseException, what: str) -> BaseException:
        """CliError (connection/auth) or RuleFailed for a python-irodsclient exception."""
        ex = self.irods.exception
        if isinstance(exc, (ex.NetworkException, OSError)):
            return CliError(f"no answer from the iRODS server ({self.label}) within "
                            f"{self.timeout:g} s ({exc}): it may be unreachable, or the work may "
                            "still be running there; give --timeout SECONDS for long work",
                            EXIT_UNAVAILABLE)
        code = getattr(exc, "code", None)
        name = type(exc).__name__
        if name in ("CAT_INVALID_AUTHENTICATION", "CAT_INVALID_USER",
                    "NonAnonymousLoginWithoutPassword", "PAM_AUTH_PASSWORD_FAILED"):
            return CliError(f"authentication failed ({self.label}): {name}", EXIT_USAGE)
        if not isinstance(code, int):
            code = -1
        stack = error_stack(getattr(exc, "server_msg", None))
        if stack:
            return failure_from_stack(what, code, stack)
        return RuleFailed(what, code, f"{name}: {exc}".strip(": "))

    def run(self, name: str, rule_args: list[str]) -> list[str]:
        """Run rule ``name`` on the server; returns the arguments after write-back."""
        rule_mod = self.irods.rule
        if self.instance == "python":
            rule = rule_mod.Rule(self.session, rule_file=io.StringIO(
                python_rule_file(name, rule_args)), instance_name=PYTHON_INSTANCE,
                output="ruleExecOut")
        else:
            body, names = nrep_call(name, len(rule_args))
            params = {var: nrep_literal(value) for var, value in zip(names, rule_args)}
            rule = rule_mod.Rule(self.session, body=body, params=params, output="ruleExecOut",
                                 instance_name=NREP_INSTANCE)
        replies: list[Any] = []
        try:
            # FAIL_ACTION_ENCOUNTERED_ERR is not raised by default (irods/rule.py, execute):
            # the reply is kept to read its code and error stack.
            result = rule.execute(session_cleanup=False, return_message=replies,
                                  acceptable_errors=(FAIL_ACTION_ENCOUNTERED_ERR,))
        except Exception as exc:  # translated: every client/server failure has a code or type
            raise self._translate(exc, name) from None
        reply = replies[0] if replies else None
        status = int(getattr(reply, "int_info", 0) or 0)
        if status < 0:
            raise failure_from_stack(name, status, error_stack(reply))
        text = stdout_of(result)
        if self.instance == "python":
            return parse_json_args(text)
        return parse_marked_args(text, len(rule_args))

    def _column(self, key: str) -> Any:
        return find_column(key)

    def query(self, columns: list[str], conditions: list[Condition]) -> list[list[str]]:
        """GenQuery1 through python-irodsclient (all pages)."""
        from irods.column import Criterion

        cols = [self._column(c) for c in columns]
        query = self.session.query(*cols)
        for column, op, value in conditions:
            query = query.filter(Criterion(op, self._column(column), value))
        try:
            return [[str(row[c]) for c in cols] for row in query.get_results()]
        except self.irods.exception.CAT_NO_ROWS_FOUND:
            return []
        except Exception as exc:  # translated below
            error = self._translate(exc, "GenQuery")
            if isinstance(error, RuleFailed):
                raise CliError(f"query failed: {error.message}", code=error.code) from None
            raise error from None

    def object_state(self, url: str) -> ObjectState:
        """Catalog facts of the object at ``url``'s path (federated paths go via the server)."""
        _, path = split_irods_url(url)
        ex = self.irods.exception
        try:
            obj = self.session.data_objects.get(path)
            return ObjectState(path, True, checksums=[r.checksum or "" for r in obj.replicas])
        except ex.DataObjectDoesNotExist:
            pass
        except (ex.NetworkException, OSError) as exc:
            return ObjectState(path, False, reachable=False, note=str(exc))
        except Exception as exc:  # e.g. no access: report instead of failing the whole walk
            return ObjectState(path, False, reachable=False, note=type(exc).__name__)
        try:
            self.session.collections.get(path)
            return ObjectState(path, True, is_collection=True)
        except ex.CollectionDoesNotExist:
            return ObjectState(path, False)
        except Exception as exc:  # as above
            return ObjectState(path, False, reachable=False, note=type(exc).__name__)

    def verify_stored(self, path: str) -> StoredCheck:
        """``ichksum -K`` of ``path`` through python-irodsclient (``VERIFY_CHKSUM_KW``).

        The server re-reads every good replica and compares size and checksum with the catalog
        (server/api/src/rsDataObjChksum.cpp ``do_verification``): it answers 0 and no checksum
        when all agree, else CHECK_VERIFICATION_RESULTS with a JSON list of results
        (``severity``, ``error_code``, ``message``). python-irodsclient returns "" for the first
        and raises ``Server_Checksum_Warning`` for the second, after filling ``r_error`` with
        the results (irods/manager/data_object_manager.py ``chksum``). A size or checksum
        mismatch is a disagreement; any other error result (no checksum, unreadable replica)
        means "not verified".
        """
        from irods import keywords
        from irods.manager.data_object_manager import Server_Checksum_Warning
        from irods.message import RErrorStack

        stack = RErrorStack()
        try:
            self.session.data_objects.chksum(path, r_error=stack,
                                             **{keywords.VERIFY_CHKSUM_KW: ""})
        except Server_Checksum_Warning:
            pass  # the results are in the stack
        except Exception as exc:  # reported as "not verified", never fatal for the check
            return StoredCheck(path, None, f"{type(exc).__name__}: {exc}")
        problems = [entry for entry in stack if entry.status < 0]
        detail = "; ".join(entry.message for entry in problems)
        if any(rounded(entry.status) in MISMATCH_CODES for entry in problems):
            return StoredCheck(path, False, detail)
        if problems:
            return StoredCheck(path, None, detail)
        return StoredCheck(path, True, "the server re-read every good replica: size and "
                                       "checksum match the catalog")

    def wait_for_queue(self, seconds: float) -> None:
        """Wait while the server's delay server works (between two reads of the queue)."""
        time.sleep(seconds)

    def config_path(self) -> Optional[str]:
        """--config, else $B2SAFE_CONFIG, else /etc/irods/b2safe.json when it exists."""
        from b2safe.config import config_path

        path = self._config or config_path()
        return path if self._config or Path(path).is_file() else None

    def pid_services(self) -> dict[str, Any]:
        """PID readers for the prefixes whose credentials this host has (--credentials files and
        the configuration's ``pid.credentials_file``); others cannot be followed."""
        from b2safe.adapters.handle.credentials import HandleCredentials
        from b2safe.adapters.handle.rest import PidService
        from b2safe.errors import B2SafeError

        files = list(self.credentials)
        config = self.config_path()
        if config:
            try:
                from b2safe.config import read_config_file

                files.append(read_config_file(config).pid.credentials_file)
            except B2SafeError as exc:
                self.notes.append(f"configuration {config}: {exc}")
        services: dict[str, Any] = {}
        for path in files:
            try:
                creds = HandleCredentials.load(path)
            except B2SafeError as exc:
                self.notes.append(str(exc))
                continue
            services.setdefault(creds.prefix.upper(), PidService(creds, retries=0, timeout=10))
        return services

    def zones(self) -> dict[str, str]:
        """Zone name -> ZONE_CONNECTION from the server's zone table."""
        return {row[0]: row[1] for row in self.query(["ZONE_NAME", "ZONE_CONNECTION"], [])}

    def delayed_rules(self) -> list[str]:
        """RULE_EXEC_NAME of the queued delay rules visible to the user."""
        return [row[0] for row in self.query(["RULE_EXEC_NAME"], [])]

    def close(self) -> None:
        """Release the session's connections."""
        try:
            self.session.cleanup()
        except Exception:  # noqa: S110 - closing a broken connection must not hide the result
            pass
