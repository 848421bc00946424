"""Path validation and GenQuery-safe conditions."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2safe.domain.paths import (
    gq_below,
    gq_equals,
    is_below,
    split,
    validate_path,
    validate_pid,
    zone_of,
)
from b2safe.errors import USER_INPUT_PATH_ERR, InvalidPath, InvalidPid


@pytest.mark.parametrize("path", ["/tempZone", "/tempZone/home/alice/a b.txt",
                                  "/z/it's", "/z/100%", "/z/a&b#c", "/z/ünï/\u2603"])
def test_good_paths(path):
    assert validate_path(path) == path


@pytest.mark.parametrize(
    "path,word",
    [
        ("", "empty"), ("relative/x", "absolute"), ("/z/a/", "slash"), ("/z//a", "'..'"),
        ("/z/./a", "'..'"), ("/z/../a", "'..'"), ("/z/a\nb", "control"), ("/z/\x00", "control"),
        ("/z/" + "x" * 300, "element"), ("/z/" + "/".join(["y" * 200] * 6), "longer"),
    ],
)
def test_bad_paths(path, word):
    with pytest.raises(InvalidPath) as info:
        validate_path(path, "source")
    assert info.value.code == USER_INPUT_PATH_ERR
    assert word in str(info.value) and "source" in str(info.value)


def test_non_string_path():
    with pytest.raises(InvalidPath):
        validate_path(None)


def test_split_and_zone():
    assert split("/z/a/b") == ("/z/a", "b")
    assert split("/z") == ("/", "z")
    assert zone_of("/z/a") == "z"
    assert is_below("/z/a/b", "/z/a") and is_below("/z/a", "/z/a")
    assert not is_below("/z/ab", "/z/a")


@pytest.mark.parametrize("pid", ["21.T12345/abc", "21.T1/ABC-123_x.y"])
def test_good_pids(pid):
    assert validate_pid(pid) == pid


@pytest.mark.parametrize("pid", ["", "None", "nosuffix", "21.T1/ a", "/abc", "21.T1/a\nb"])
def test_bad_pids(pid):
    with pytest.raises(InvalidPid):
        validate_pid(pid)


WELL_FORMED = re.compile(r"^COLL_NAME (?:=|like) '[^']*'(?: \|\| (?:=|like) '[^']*')*$")

names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"),
                min_size=1, max_size=20).filter(lambda s: s not in (".", ".."))


@given(st.lists(names, min_size=1, max_size=5))
def test_gq_conditions_never_contain_a_raw_quote_inside_values(elements):
    path = "/z/" + "/".join(elements)
    for builder in (gq_equals, gq_below):
        cond, exact = builder("COLL_NAME", path)
        # the whole condition is  COL op 'v' [|| op 'v']  with no quote inside any value
        assert WELL_FORMED.match(cond), cond
        assert exact(path)
    assert not gq_equals("COLL_NAME", path)[1](path + "x")
    assert not gq_below("COLL_NAME", path)[1](path + "x")
    assert gq_below("COLL_NAME", path)[1](path + "/x")
