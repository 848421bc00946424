"""Small utility rules kept by their B2SAFE names."""

from __future__ import annotations

from b2safe import __version__
from b2safe.prep import RuleContext, rule, to_bool


@rule("getB2SAFEVersion", outputs=("version",))
def get_version(ctx: RuleContext) -> str:
    """Return the b2safe version string (e.g. ``5.0.0``).

    Outputs: version.
    """
    return __version__


@rule("EUDATtoBoolean", params=("value",), outputs=("result",))
def eudat_to_boolean(ctx: RuleContext, value: str) -> str:
    """Normalise a B2SAFE boolean string to "true" or "false".

    Accepts true/false in any case, 1/0, yes/no, on/off, and "None"/"null"/"" as false.
    Fails with SYS_INVALID_INPUT_PARAM for anything else.
    """
    return "true" if to_bool(value, "value") else "false"
