"""The b2safe configuration: one JSON file, checked by a JSON Schema, held in frozen dataclasses.

The file is ``/etc/irods/b2safe.json`` unless ``B2SAFE_CONFIG`` names another. The schema ships in
the package (``b2safe/schema/b2safe.schema.json``, copied to ``conf/``). Every default lives in the
dataclasses below and nowhere else. :func:`load_config` caches per process and re-reads the file
when it changes (size, mtime or inode). A bad file raises :class:`~b2safe.errors.ConfigError`
(SYS_CONFIG_FILE_ERR, -25000) naming the file and the JSON pointer of the bad field.

The configuration holds no secrets: credentials live in files it names by path (mode checked where
they are read). ``repr`` of every object is therefore safe to log.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field, is_dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, get_args, get_origin, get_type_hints

from b2safe.errors import ConfigError

DEFAULT_CONFIG_PATH = "/etc/irods/b2safe.json"
CONFIG_ENV = "B2SAFE_CONFIG"
SCHEMA_RESOURCE = Path(__file__).with_name("schema") / "b2safe.schema.json"


@dataclass(frozen=True)
class ZoneConfig:
    """This zone: its name, its ``irods://host:port`` server id, resource and hash scheme."""

    name: str
    server_id: str
    default_resource: str = ""
    hash_scheme: str = "SHA256"


@dataclass(frozen=True)
class HttpApiConfig:
    """HTTP API bases for PID URLs (registered and public); unused when not enabled."""

    enabled: bool = False
    registered_base: str = ""
    public_base: str = ""


@dataclass(frozen=True)
class LoggingConfig:
    """B2SAFE log level: 0 error, 1 info, 2 debug, 3 verbose."""

    level: int = 1
    enabled: bool = True


@dataclass(frozen=True)
class PidConfig:
    """The Handle PID service and how b2safe talks to it."""

    enabled: bool = True
    credentials_file: str = "/etc/irods/b2safe.d/pid-credentials.json"
    suffix: str = "deterministic"
    timeout_seconds: float = 10.0
    retries: int = 3
    backoff_seconds: float = 0.5
    workers: int = 4
    #: On unless set: a site that was B2SAFE 4.x may have PIDs whose AVU is missing, and missing
    #: the lookup mints duplicates; ``b2safe install`` writes false on a fresh site.
    reverse_lookup_fallback: bool = True
    update_url_on_rename: bool = True


@dataclass(frozen=True)
class AuthorizationConfig:
    """The authorization map (subject/action/target assertions) and whether it is enforced."""

    enabled: bool = False
    map_file: str = "/etc/irods/b2safe.d/authz.map.json"
    pam_user_map: str = "/etc/irods/user_map.json"


@dataclass(frozen=True)
class SigningConfig:
    """The key b2safe signs pending work with (its own secret, mode 0600; see docs/security.md)."""

    key_file: str = "/etc/irods/b2safe.d/signing.key"
    grace_period: str = "7d"


@dataclass(frozen=True)
class ReplicationConfig:
    """Replication verification, batching, and the retry of pending work."""

    verify: str = "on_change"
    batch_size: int = 1000
    retry_period: str = "1h"
    max_attempts: int = 10
    max_backoff: str = "1d"


@dataclass(frozen=True)
class SweepConfig:
    """A scheduled integrity sweep over one collection tree."""

    collection: str
    period: str
    max_objects: int = 1000
    max_seconds: int = 600
    verify_storage: bool = False
    repair: bool = False
    destination: str = ""
    verify_per_run: int = 0


@dataclass(frozen=True)
class IntegrityConfig:
    """Where sweep reports go and which sweeps exist."""

    report_collection: str = ""
    sweeps: tuple[SweepConfig, ...] = ()


@dataclass(frozen=True)
class ReplicaTarget:
    """One replication target of a policy."""

    destination: str
    registered: bool = True
    resource: str = ""


@dataclass(frozen=True)
class PolicyConfig:
    """What happens on upload into collections matching ``collection``."""

    name: str
    collection: str
    pid: str = "off"
    replicate: tuple[ReplicaTarget, ...] = ()
    fixed_content: bool = False
    ror: str = ""
    fio: str = ""
    on_move: bool = True


@dataclass(frozen=True)
class DeletionConfig:
    """Handling of PIDs when a registered object is removed."""

    mode: str = "keep_and_mark"


@dataclass(frozen=True)
class MessagingConfig:
    """The original's experimental messaging; off by default."""

    enabled: bool = False
    credentials_file: str = ""


@dataclass(frozen=True)
class RepositoryPackagesConfig:
    """The EUDATrp_* ingest workflow; ``archive_owner`` takes ownership when set."""

    archive_owner: str = ""


@dataclass(frozen=True)
class Config:
    """The whole b2safe configuration of one server. ``source`` is the file it came from."""

    zone: ZoneConfig
    version: int = 1
    http_api: HttpApiConfig = field(default_factory=HttpApiConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    pid: PidConfig = field(default_factory=PidConfig)
    authorization: AuthorizationConfig = field(default_factory=AuthorizationConfig)
    signing: SigningConfig = field(default_factory=SigningConfig)
    replication: ReplicationConfig = field(default_factory=ReplicationConfig)
    integrity: IntegrityConfig = field(default_factory=IntegrityConfig)
    policies: tuple[PolicyConfig, ...] = ()
    deletion: DeletionConfig = field(default_factory=DeletionConfig)
    messaging: MessagingConfig = field(default_factory=MessagingConfig)
    repository_packages: RepositoryPackagesConfig = field(default_factory=RepositoryPackagesConfig)
    source: str = ""


def _build(cls: type, data: dict[str, Any]) -> Any:
    """Build dataclass ``cls`` from validated ``data``; absent keys take the dataclass default.

    Nested objects and arrays of objects are built from the field's declared type.
    """
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        hint = hints.get(key)
        if hint is None:
            continue  # "$schema" and the like; the schema rejects real unknowns
        if get_origin(hint) is tuple:
            element = get_args(hint)[0]
            kwargs[key] = tuple(_build(element, item) for item in value)
        elif isinstance(hint, type) and is_dataclass(hint):
            kwargs[key] = _build(hint, value)
        elif hint is float:
            kwargs[key] = float(value)
        else:
            kwargs[key] = value
    return cls(**kwargs)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of the configuration file (shipped in the package)."""
    with open(SCHEMA_RESOURCE, encoding="utf-8") as handle:
        return json.load(handle)


def _pointer(path: Any) -> str:
    """A JSON pointer (RFC 6901) for a jsonschema error path."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


#: What the schema's patterns mean, for messages people can act on (a raw regular expression
#: is not one). Patterns not listed fall back to the schema's description.
PATTERN_MEANINGS = {
    r"^/[^\u0000-\u001f]*$": "an absolute path (starting with /, no control characters)",
    r"^/[A-Za-z0-9._-]+(/[^/\u0000-\u001f]+)*$": "an iRODS path such as /zone/home/user",
    r"^irods://[A-Za-z0-9.-]+(:[0-9]{1,5})?$": "irods://HOST or irods://HOST:PORT",
    r"^[0-9]+[smhdy]$": "a duration such as 30s, 5m, 1h, 2d or 1y",
    r"^[A-Za-z0-9._-]{0,63}$": "a name of at most 63 letters, digits, '.', '_' or '-'",
    r"^[A-Za-z0-9._-]{1,63}$": "a name of 1 to 63 letters, digits, '.', '_' or '-'",
    r"^[A-Za-z0-9._-]{1,64}$": "a name of 1 to 64 letters, digits, '.', '_' or '-'",
    r"^https?://[^\s]+$": "an http:// or https:// URL",
    r"^$|^[A-Za-z0-9._@-]+(#[A-Za-z0-9._-]+)?$": "a user name or name#zone",
}


def _message(error: Any) -> str:
    """A jsonschema error as a sentence: patterns explained, descriptions added."""
    if error.validator == "pattern":
        meaning = PATTERN_MEANINGS.get(str(error.validator_value))
        description = error.schema.get("description", "") if isinstance(error.schema,
                                                                         dict) else ""
        what = meaning or (description.rstrip(".") if description else "in the expected form")
        return f"{error.instance!r} is not {what}" if meaning else \
            f"{error.instance!r} is not valid here ({what})"
    return str(error.message)


def validate(data: Any, source: str = "<config>") -> None:
    """Validate ``data`` against the schema.

    Raises:
        ConfigError: naming ``source`` and the JSON pointer of the first bad field.
    """
    import jsonschema  # imported here: the schema is only needed when a file is (re)loaded

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), e.message))
    if not errors:
        return
    first = jsonschema.exceptions.best_match(errors) or errors[0]
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    raise ConfigError(
        f"invalid b2safe configuration {source} at {_pointer(first.absolute_path)}: "
        f"{_message(first)}{more}"
    )


def parse_config(data: Any, source: str = "<config>") -> Config:
    """Validate ``data`` (already decoded JSON) and build the frozen :class:`Config`."""
    validate(data, source)
    return replace(_build(Config, data), source=source)


def config_path() -> str:
    """The configuration file this process uses: ``$B2SAFE_CONFIG`` or /etc/irods/b2safe.json."""
    return os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH


def read_config_file(path: str) -> Config:
    """Read, validate and build the configuration in ``path`` (no caching).

    Raises:
        ConfigError: the file is missing, unreadable, not JSON, or fails the schema.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ConfigError(f"b2safe configuration file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(
            f"b2safe configuration file {path} cannot be read: {exc.strerror}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"b2safe configuration file {path} is not valid JSON: {exc.msg} "
            f"at line {exc.lineno} column {exc.colno}"
        ) from None
    return parse_config(data, path)


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int, int], Config]] = {}


def load_config(path: Optional[str] = None) -> Config:
    """The configuration for ``path`` (default :func:`config_path`), cached per process.

    The cache entry is reused while the file's (inode, size, mtime_ns) are unchanged, so an edited
    file takes effect on the next rule call without restarting the agent.
    """
    path = path or config_path()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(f"b2safe configuration file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"b2safe configuration file {path} cannot be read: {exc}") from None
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    config = read_config_file(path)
    with _cache_lock:
        _cache[path] = (stamp, config)
    return config


def clear_cache() -> None:
    """Forget every cached configuration (tests)."""
    with _cache_lock:
        _cache.clear()
