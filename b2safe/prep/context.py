"""What a b2safe rule body receives: the callback, rei, the caller, the configuration."""

from __future__ import annotations

from typing import Any, Optional

from b2safe.config import Config, load_config
from b2safe.ports import LOCAL_PRIV_USER_AUTH, REMOTE_PRIV_USER_AUTH, Caller

__all__ = ["LOCAL_PRIV_USER_AUTH", "REMOTE_PRIV_USER_AUTH", "Caller", "RuleContext",
           "caller_from_rei"]

_UNREAD = object()


def _text(value: Any) -> str:
    """``str()`` of a PREP char_array/c_string field; '' for None."""
    return "" if value is None else str(value)


def caller_from_rei(rei: Any) -> Optional[Caller]:
    """Read the client user from ``rei`` (``uoic`` first, else ``rsComm.clientUser``)."""
    user = getattr(rei, "uoic", None)
    if user is None or not _text(getattr(user, "userName", "")):
        comm = getattr(rei, "rsComm", None)
        user = getattr(comm, "clientUser", None) if comm is not None else None
    if user is None:
        return None
    name = _text(getattr(user, "userName", ""))
    if not name:
        return None
    auth = getattr(user, "authInfo", None)
    try:
        flag = int(getattr(auth, "authFlag", 0) or 0)
    except (TypeError, ValueError):
        flag = 0
    return Caller(
        name=name,
        zone=_text(getattr(user, "rodsZone", "")),
        auth_flag=flag,
        user_type=_text(getattr(user, "userType", "")),
    )


class RuleContext:
    """Per-call context handed to a rule body: ``callback``, ``rei``, ``rule``, ``caller``, config.

    Adapters (the Catalog over PREP, the PID service) are built lazily from here.
    """

    def __init__(self, callback: Any, rei: Any, rule: str) -> None:
        self.callback = callback
        self.rei = rei
        self.rule = rule
        self._config: Optional[Config] = None
        self._caller: Any = _UNREAD

    @property
    def config(self) -> Config:
        """The server's b2safe configuration (cached per process, reloaded on change), read
        once per call. (Not functools.cached_property: it takes a lock on every first read,
        and every PEP call reads it.)"""
        config = self._config
        if config is None:
            config = self._config = load_config()
        return config

    @property
    def caller(self) -> Optional[Caller]:
        """The client user of this call, or None when rei carries none (read once)."""
        caller = self._caller
        if caller is _UNREAD:
            caller = self._caller = caller_from_rei(self.rei)
        return caller

    def write_stdout(self, text: str) -> None:
        """Append a line to ``ruleExecOut`` (shown by irule)."""
        self.callback.writeLine("stdout", text)
