import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2safe.domain.authz import check, load_map, matches, parse_map
from b2safe.errors import CAT_NO_ACCESS_PERMISSION, AccessDenied, ConfigError

MAP = {
    "replicators": {"subject": ["rods#*", "alice#tempZone"], "action": ["read", "replicate"],
                    "target": ["/tempZone/home/*"]},
    "pids": {"subject": "*", "action": ["pid"], "target": ["/tempZone/home/public/*"]},
}


@pytest.mark.parametrize(
    "subject,action,target,allowed",
    [
        ("alice#tempZone", "read", "/tempZone/home/alice/x", True),
        ("rods#otherZone", "replicate", "/tempZone/home/a/b/c", True),
        ("bob#tempZone", "read", "/tempZone/home/alice/x", False),
        ("alice#tempZone", "write", "/tempZone/home/alice/x", False),
        ("alice#tempZone", "read", "/otherZone/home/alice/x", False),
        ("anyone#z", "pid", "/tempZone/home/public/f", True),
        ("anyone#z", "pid", "/tempZone/home/private/f", False),
        ("alice#tempZoneX", "read", "/tempZone/home/x", False),
    ],
)
def test_matrix(subject, action, target, allowed):
    assert parse_map(MAP).allows(subject, action, target) is allowed


def test_require_raises_access_denied_with_details():
    with pytest.raises(AccessDenied) as info:
        parse_map(MAP).require("bob#tempZone", "read", "/tempZone/x")
    assert info.value.code == CAT_NO_ACCESS_PERMISSION
    assert "bob#tempZone" in str(info.value) and "/tempZone/x" in str(info.value)


def test_empty_map_allows_nothing():
    assert not parse_map({}).allows("rods#z", "read", "/z")


@pytest.mark.parametrize(
    "bad",
    [[], {"a": []}, {"a": {"subject": [], "action": ["r"], "target": ["*"]}},
     {"a": {"subject": ["*"], "action": ["r"]}},
     {"a": {"subject": ["*"], "action": ["r"], "target": ["*"], "extra": 1}},
     {"a": {"subject": [1], "action": ["r"], "target": ["*"]}}],
)
def test_malformed_maps(bad):
    with pytest.raises(ConfigError):
        parse_map(bad)


def test_regex_characters_are_literal():
    assert matches("/z/a.b", "/z/a.b")
    assert not matches("/z/a.b", "/z/aXb")
    assert matches("/z/(x)*", "/z/(x)/y")


@given(st.text(max_size=30))
def test_star_matches_everything(value):
    assert matches("*", value)
    assert matches(value.replace("*", ""), value.replace("*", ""))


def test_check_disabled_allows_without_reading(tmp_path):
    check(False, str(tmp_path / "missing.json"), "x#z", "read", ["/z"])


def test_check_enabled_reads_file(tmp_path):
    path = tmp_path / "authz.map.json"
    path.write_text(json.dumps(MAP))
    check(True, str(path), "alice#tempZone", "read", ["/tempZone/home/a"])
    with pytest.raises(AccessDenied):
        check(True, str(path), "alice#tempZone", "read", ["/tempZone/home/a", "/other/b"])
    with pytest.raises(ConfigError, match="does not exist"):
        load_map(str(tmp_path / "nope.json"))
