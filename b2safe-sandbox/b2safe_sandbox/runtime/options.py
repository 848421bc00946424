"""Microservice option strings (msKeyValStr): ``key=val++++key2=++++...``.

``"null"`` (or an empty string) means "not given". A bare value without ``=`` stands for the
microservice's default key (e.g. ``destRescName`` for msiDataObjRepl, ``objPath`` for
msiDataObjUnlink) (prep-runtime.md §7, ``msParam.cpp:parseMspForCondInp``).
"""

from __future__ import annotations

from typing import Optional


def parse_options(text: str, default_key: Optional[str] = None) -> dict[str, str]:
    """Parse an option string into a dict; keys given without a value map to ''.

    Args:
        text: the option string (``"null"`` and ``""`` give {}).
        default_key: key for a bare value without ``=`` (ignored if None).
    """
    result: dict[str, str] = {}
    if text is None:
        return result
    text = str(text)
    if text in ("", "null"):
        return result
    for part in text.split("++++"):
        if not part:
            continue
        if "=" in part:
            key, value = part.split("=", 1)
            result[key.strip()] = value
        elif default_key is not None:
            result[default_key] = part
        else:
            # Guess: a bare word without a default key is a flag key with no value.
            result[part.strip()] = ""
    return result
