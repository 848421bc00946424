"""The authorization map: named assertions ``{subject, action, target}`` with ``*`` wildcards.

A request (``user#zone``, action, target path) is allowed when any assertion matches all three;
each field is a list of patterns, and a pattern matches when the value equals it with ``*``
standing for any run of characters (``/`` included, as in B2SAFE 4.x). The file format is the
original ``authz.map.json``::

    {"replicators": {"subject": ["rods#*", "alice#tempZone"],
                     "action": ["read", "replicate"],
                     "target": ["/tempZone/home/*"]}}

The actions b2safe's rules check are defined here and nowhere else (:data:`ACTIONS`):

``read``       read data or metadata for a check (integrity checks that record their outcome)
``write``      write below a path (the destination of a replication)
``replicate``  replicate a path (the source of a replication)
``pid``        create, change or delete a PID of a path, or change a PID record (target: the
               path; for rules that take only a PID, the PID itself)
``metadata``   set B2SAFE AVUs on a path (EUDATCreateAVU, EUDATiCHECKSUMdate, ingest status)
``integrity``  record integrity results or repair (the checked source path)
``message``    B2SAFE 4.x's messaging, log and fail-queue rules: ``EUDATMessage`` and the
               ``EUDATPush*Metadata`` rules that send through it (target: the topic name;
               ``None`` for 4.x's new-topic form), ``EUDATLog`` (target ``log``), ``EUDATQueue``
               (target ``queue``)
``admin``      rules reserved to administrators (besides requiring a rodsadmin)

A map entry may name ``*`` as action to allow all of them. An assertion with ``"match":
"fnmatch"`` matches its patterns as B2SAFE 4.x's ``authZmanager.py`` did (Python's ``fnmatch``:
``*``, ``?`` and ``[...]``); ``b2safe migrate`` writes such assertions when it converts a 4.x map.

``EUDATAuthZ(user, action, target, OUT response)`` asks the map directly: "True", or an
AccessDenied error when denied (B2SAFE 4.x semantics).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from b2safe.errors import AccessDenied, ConfigError

_FIELDS = ("subject", "action", "target")
#: The optional ``match`` key of an assertion: how its patterns match.
STAR, FNMATCH = "star", "fnmatch"

READ = "read"
WRITE = "write"
REPLICATE = "replicate"
PID = "pid"
METADATA = "metadata"
INTEGRITY = "integrity"
MESSAGE = "message"
ADMIN = "admin"
#: Every action name b2safe's rules check.
ACTIONS = (READ, WRITE, REPLICATE, PID, METADATA, INTEGRITY, MESSAGE, ADMIN)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if part == "*" else re.escape(part)
                              for part in re.split(r"(\*)", pattern)), re.DOTALL)


def matches(pattern: str, value: str) -> bool:
    """True when ``value`` matches ``pattern`` (``*`` = any characters, everything else literal)."""
    return _compile(pattern).fullmatch(value) is not None


@dataclass(frozen=True)
class Assertion:
    """One named assertion of the map."""

    name: str
    subjects: tuple[str, ...]
    actions: tuple[str, ...]
    targets: tuple[str, ...]
    match: str = STAR

    def allows(self, subject: str, action: str, target: str) -> bool:
        """True when subject, action and target all match one of their patterns."""
        test = fnmatch.fnmatchcase if self.match == FNMATCH else _star_match
        return (any(test(subject, p) for p in self.subjects)
                and any(test(action, p) for p in self.actions)
                and any(test(target, p) for p in self.targets))


def _star_match(value: str, pattern: str) -> bool:
    return matches(pattern, value)


@dataclass(frozen=True)
class AuthorizationMap:
    """A parsed authorization map. An empty map allows nothing."""

    assertions: tuple[Assertion, ...]

    def allows(self, subject: str, action: str, target: str) -> bool:
        """True when any assertion allows the request."""
        return any(a.allows(subject, action, target) for a in self.assertions)

    def require(self, subject: str, action: str, target: str) -> None:
        """Raise AccessDenied unless the request is allowed."""
        if not self.allows(subject, action, target):
            raise AccessDenied(
                f"the authorization map does not allow {subject} to {action} {target}"
            )


def parse_map(data: Any, source: str = "<authz map>") -> AuthorizationMap:
    """Build a map from decoded JSON; ConfigError (naming the assertion) when malformed."""
    if not isinstance(data, dict):
        raise ConfigError(f"authorization map {source} must be a JSON object of assertions")
    assertions = []
    for name, body in data.items():
        if not isinstance(body, dict):
            raise ConfigError(f"authorization map {source}: assertion {name!r} is not an object")
        values: list[tuple[str, ...]] = []
        for field in _FIELDS:
            items = body.get(field)
            if isinstance(items, str):
                items = [items]
            if not isinstance(items, list) or not items or \
                    not all(isinstance(i, str) and i for i in items):
                raise ConfigError(f"authorization map {source}: assertion {name!r} needs "
                                  f"{field!r} as a non-empty list of strings")
            values.append(tuple(items))
        extra = set(body) - set(_FIELDS) - {"match"}
        if extra:
            raise ConfigError(f"authorization map {source}: assertion {name!r} has unknown "
                              f"key(s) {sorted(extra)}")
        match = body.get("match", STAR)
        if match not in (STAR, FNMATCH):
            raise ConfigError(f"authorization map {source}: assertion {name!r}: match must be "
                              f"{STAR!r} or {FNMATCH!r}, not {str(match)[:20]!r}")
        subjects, actions, targets = values
        assertions.append(Assertion(str(name), subjects, actions, targets, match=str(match)))
    return AuthorizationMap(tuple(assertions))


_cache: dict[str, tuple[tuple[int, int], AuthorizationMap]] = {}


def load_map(path: str) -> AuthorizationMap:
    """Read the map at ``path`` (cached until the file changes).

    Raises:
        ConfigError: missing, unreadable or malformed file.
    """
    import os

    try:
        st = os.stat(path)
        stamp = (st.st_size, st.st_mtime_ns)
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"authorization map {path} does not exist") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"authorization map {path} cannot be read: {exc}") from None
    parsed = parse_map(data, path)
    _cache[path] = (stamp, parsed)
    return parsed


def check(enabled: bool, map_path: str, subject: str, action: str,
          targets: Sequence[str]) -> None:
    """Enforce the map for every target when authorization is enabled."""
    if not enabled:
        return
    authz = load_map(map_path)
    for target in targets:
        authz.require(subject, action, target)
