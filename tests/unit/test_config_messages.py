"""Configuration errors people can act on: what a bad value should look like, not the schema's
regular expression."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from b2safe.config import PATTERN_MEANINGS, parse_config, schema
from b2safe.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "conf" / "b2safe.example.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


@pytest.mark.parametrize(("where", "value", "expected"), [
    (("pid", "credentials_file"), "relative/creds.json", "is not an absolute path"),
    (("zone", "server_id"), "http://x", "is not irods://HOST or irods://HOST:PORT"),
    (("replication", "retry_period"), "1 hour", "is not a duration such as 30s"),
])
def test_pattern_errors_say_what_is_expected(where, value, expected):
    data = example()
    data[where[0]][where[1]] = value
    with pytest.raises(ConfigError) as info:
        parse_config(data, "site.json")
    message = str(info.value)
    assert expected in message and repr(value) in message
    assert "^" not in message and "\\u" not in message  # no raw regular expression


def test_every_pattern_of_the_schema_is_explained():
    found = set(re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', json.dumps(schema())))
    patterns = {json.loads(f'"{p}"') for p in found}
    assert patterns <= set(PATTERN_MEANINGS), patterns - set(PATTERN_MEANINGS)
