"""``EUDATAuthZ``: ask the authorization map (B2SAFE 4.x semantics: deny is an error);
``EUDATGetPAMusers``: the PAM user map, for those the map lets read it."""

from __future__ import annotations

import json
import re

from b2safe.domain import authz
from b2safe.errors import AccessDenied, ConfigError, InvalidInput
from b2safe.prep import RuleContext, rule
from b2safe.ruleset.guard import subject

_USER = re.compile(r"^[A-Za-z0-9._@-]{1,63}#[A-Za-z0-9._-]{1,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@rule("EUDATAuthZ", params=("user", "action", "target"), outputs=("response",),
      errors=("InvalidInput", "AccessDenied", "ConfigError"))
def eudat_authz(ctx: RuleContext, user: str, action: str, target: str) -> str:
    """"True" (4.x) when the authorization map lets ``user`` (``name#zone``) do ``action`` on
    ``target``; fails with CAT_NO_ACCESS_PERMISSION when it does not.

    When ``authorization.enabled`` is false everything is allowed (as in 4.x). Users other than
    a rodsadmin may only ask about themselves. Actions: see :mod:`b2safe.domain.authz`.
    """
    if not _USER.match(user or ""):
        raise InvalidInput(f"user {user[:70]!r} is not of the form name#zone")
    if not action or len(action) > 64 or _CONTROL.search(action):
        raise InvalidInput("action must be 1 to 64 characters without control characters")
    if not target or len(target) > 2700 or _CONTROL.search(target):
        raise InvalidInput("target must be 1 to 2700 characters without control characters")
    caller = ctx.caller
    if caller is None or (not caller.is_admin and user != subject(ctx)):
        raise AccessDenied(f"{subject(ctx)} may only ask about its own authorization")
    settings = ctx.config.authorization
    authz.check(settings.enabled, settings.map_file, user, action, [target])
    return "True"


#: The most of the PAM user map that is read (4.x read it whole; it maps a few thousand users).
MAX_USER_MAP = 4 << 20


@rule("EUDATGetPAMusers", outputs=("json_map",), errors=("AccessDenied", "ConfigError"))
def eudat_get_pam_users(ctx: RuleContext) -> str:
    """The OAuth2 PAM user map (``authorization.pam_user_map``, 4.x ``/etc/irods/user_map.json``)
    as indented JSON, as B2SAFE 4.x's ``EUDATGetPAMusers`` gave it (``pam_user_reader.py``:
    ``json.dumps(map, ensure_ascii=True, indent=4)``).

    Like 4.x (eudat.re 759-765, ``EUDATAuthZ(user, "read", "users")`` whether or not
    authorization is enabled), the caller must be allowed action ``read`` on target ``users``
    by the authorization map, which is consulted even when ``authorization.enabled`` is false:
    the map names who may see which external identity maps to which iRODS user.

    Raises:
        AccessDenied: the map does not allow it. ConfigError: no map, or the user map file is
        missing, too large or not JSON.
    """
    settings = ctx.config.authorization
    authz.check(True, settings.map_file, subject(ctx), authz.READ, ["users"])
    path = settings.pam_user_map
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_USER_MAP + 1)
    except OSError as exc:
        raise ConfigError(f"the PAM user map {path} (authorization.pam_user_map) cannot be "
                          f"read: {exc.strerror}") from None
    if len(raw) > MAX_USER_MAP:
        raise ConfigError(f"the PAM user map {path} is larger than {MAX_USER_MAP} bytes")
    try:
        users = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"the PAM user map {path} is not JSON: {exc}") from None
    return json.dumps(users, ensure_ascii=True, indent=4)
