"""``EUDATAuthZ``: ask the authorization map (B2SAFE 4.x semantics: deny is an error)."""

from __future__ import annotations

import re

from b2safe.domain import authz
from b2safe.errors import AccessDenied, InvalidInput
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
