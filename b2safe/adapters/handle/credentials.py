"""Handle credentials: pyhandle's JSON credentials file, checked and kept out of logs.

The file (path from the b2safe config, ``pid.credentials_file``) holds::

    {"client": "rest",                       # optional here: b2handle-era files lack it
     "handle_server_url": "https://hdl.example.org:8000",
     "username": "300:21.T12345/USER01", "password": "...",
     # or "certificate_only" + "private_key", or "certificate_and_key" (paths, relative to the
     # file's directory allowed)
     "prefix": "21.T12345", "handleowner": "200:0.NA/21.T12345",
     "reverselookup_username": "...", "reverselookup_password": "...",
     "reverselookup_baseuri": "https://hdl.example.org:8000",
     "HTTPS_verify": true | false | "/path/to/ca.pem",
     "allowed_search_keys": ["URL", "EUDAT/CHECKSUM"]}

The file must not be accessible by group or others (mode 0600 or stricter); nor may a private
key file it names. Secrets never appear in ``repr``/``str`` of :class:`HandleCredentials`.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from b2safe.domain.profile import HsAdmin
from b2safe.errors import ConfigError, InvalidInput

#: Keys of pyhandle's credentials that b2safe reads; everything else is passed to the client.
_KNOWN = (
    "client", "handle_server_url", "username", "password", "private_key", "certificate_only",
    "certificate_and_key", "prefix", "handleowner", "reverselookup_username",
    "reverselookup_password", "reverselookup_baseuri", "HTTPS_verify", "allowed_search_keys",
)
#: Keys pyhandle's RESTHandleClient understands beyond the credentials themselves.
_PASSED_THROUGH = (
    "REST_API_url_extension", "reverselookup_url_extension", "HS_ADMIN_permissions",
)


def check_private_file(path: Union[str, Path], what: str) -> os.stat_result:
    """Stat ``path`` and refuse it unless only its owner may access it.

    Raises ConfigError naming the file and its mode when it is missing, not a regular file, or
    accessible by group or others.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{what} {path}: not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(f"{what} {path}: mode {mode:04o} lets group or others access it; "
                          "make it readable by its owner only (chmod 600)")
    return info


def _https_verify(value: Any, base: Path) -> Union[bool, str]:
    if isinstance(value, bool):
        return value
    if value is None:
        return True
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    path = Path(text) if os.path.isabs(text) else base / text
    return str(path)


@dataclass(frozen=True)
class HandleCredentials:
    """What b2safe needs to talk to a Handle server; secrets hidden from ``repr``."""

    handle_server_url: str
    prefix: str
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    handleowner: Optional[str] = None
    certificate_only: Optional[str] = None
    private_key: Optional[str] = None
    certificate_and_key: Optional[str] = None
    reverselookup_username: Optional[str] = None
    reverselookup_password: Optional[str] = field(default=None, repr=False)
    reverselookup_baseuri: Optional[str] = None
    https_verify: Union[bool, str] = True
    allowed_search_keys: Optional[tuple[str, ...]] = None
    options: tuple[tuple[str, Any], ...] = ()
    path: str = ""

    @classmethod
    def load(cls, path: Union[str, Path]) -> HandleCredentials:
        """Read and check a pyhandle JSON credentials file.

        Raises ConfigError (naming the file, never a secret) when the file is accessible by
        group/others, is not JSON, lacks a server URL, a prefix or a way to authenticate, or
        names a client other than ``rest``.
        """
        path = Path(path)
        check_private_file(path, "Handle credentials file")
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"Handle credentials file {path}: not valid JSON "
                              f"({type(exc).__name__})") from None
        if not isinstance(content, dict):
            raise ConfigError(f"Handle credentials file {path}: not a JSON object")
        return cls.from_dict(content, base=path.parent, path=str(path))

    @classmethod
    def from_dict(cls, content: dict[str, Any], *, base: Union[str, Path] = ".",
                  path: str = "") -> HandleCredentials:
        """Build credentials from a credentials-file dict (see :meth:`load`)."""
        where = f"Handle credentials file {path}" if path else "Handle credentials"
        base = Path(base)
        client = content.get("client") or "rest"
        if client != "rest":
            raise ConfigError(f"{where}: client {client!r} is not supported (only 'rest'; "
                              "pyhandle's db and batch clients are unmaintained)")
        url = content.get("handle_server_url")
        prefix = content.get("prefix")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: handle_server_url must be an http(s) URL")
        if not isinstance(prefix, str) or not prefix or "/" in prefix:
            raise ConfigError(f"{where}: prefix is missing or malformed")

        def text(key: str) -> Optional[str]:
            value = content.get(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise ConfigError(f"{where}: {key} must be a string")
            return value

        def local(key: str) -> Optional[str]:
            value = text(key)
            if value is None:
                return None
            resolved = Path(value) if os.path.isabs(value) else base / value
            if not resolved.is_file():
                raise ConfigError(f"{where}: {key} {resolved} does not exist")
            return str(resolved)

        username, password = text("username"), text("password")
        cert, key, both = local("certificate_only"), local("private_key"), local(
            "certificate_and_key")
        for secret_file in (key, both):
            if secret_file:
                check_private_file(secret_file, "Handle private key file")
        for owner_key in ("username", "handleowner"):
            value = text(owner_key)
            if value is not None:
                try:
                    HsAdmin.parse(value)
                except InvalidInput:
                    raise ConfigError(f"{where}: {owner_key} must be index:prefix/suffix"
                                      ) from None
        if not ((username and password) or (cert and key) or both):
            raise ConfigError(f"{where}: no write credentials (username + password, "
                              "certificate_only + private_key, or certificate_and_key)")
        keys = content.get("allowed_search_keys")
        if keys is not None and (not isinstance(keys, list)
                                 or not all(isinstance(k, str) for k in keys)):
            raise ConfigError(f"{where}: allowed_search_keys must be a list of strings")
        options = tuple(sorted((k, v) for k, v in content.items() if k in _PASSED_THROUGH))
        return cls(
            handle_server_url=url.rstrip("/"),
            prefix=prefix,
            username=username,
            password=password,
            handleowner=text("handleowner"),
            certificate_only=cert,
            private_key=key,
            certificate_and_key=both,
            reverselookup_username=text("reverselookup_username"),
            reverselookup_password=text("reverselookup_password"),
            reverselookup_baseuri=text("reverselookup_baseuri"),
            https_verify=_https_verify(content.get("HTTPS_verify"), base),
            allowed_search_keys=tuple(keys) if keys is not None else None,
            options=options,
            path=path,
        )

    def secrets(self) -> tuple[str, ...]:
        """The secret strings (for log redaction)."""
        return tuple(s for s in (self.password, self.reverselookup_password) if s)

    def client_args(self) -> dict[str, Any]:
        """Keyword arguments for pyhandle's ``RESTHandleClient`` (contains secrets: never log)."""
        args: dict[str, Any] = {
            "handle_server_url": self.handle_server_url,
            "HTTPS_verify": self.https_verify,
            # b2safe checks search keys itself (values arrive URL-encoded); pyhandle passes all.
            "allowed_search_keys": [],
        }
        optional = {
            "username": self.username, "password": self.password,
            "handleowner": self.handleowner, "certificate_only": self.certificate_only,
            "private_key": self.private_key, "certificate_and_key": self.certificate_and_key,
            "reverselookup_username": self.reverselookup_username,
            "reverselookup_password": self.reverselookup_password,
            "reverselookup_baseuri": self.reverselookup_baseuri,
        }
        args.update({k: v for k, v in optional.items() if v is not None})
        args.update(dict(self.options))
        return args
