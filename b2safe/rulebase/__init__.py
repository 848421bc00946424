"""b2safe's rule-language file (``b2safe.re``): B2SAFE 4.x's functions for native callers.

``b2safe install`` copies it to the server's config directory and names it in the rule language
engine's ``re_rulebase_set``; see the file's header for how it reaches the Python rules.
"""

from __future__ import annotations

from pathlib import Path

#: The name in ``re_rulebase_set`` (the file is ``<config dir>/b2safe.re``).
RULEBASE_NAME = "b2safe"
#: The shipped file.
RULEBASE_FILE = Path(__file__).resolve().with_name(f"{RULEBASE_NAME}.re")


def text() -> str:
    """The content of the shipped ``b2safe.re``."""
    return RULEBASE_FILE.read_text(encoding="utf-8")
