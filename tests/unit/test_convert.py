import pytest

from b2safe.errors import SYS_INVALID_INPUT_PARAM, InvalidInput
from b2safe.prep.convert import strip_rule_var, to_bool, to_output


@pytest.mark.parametrize(
    "text,expected",
    [
        ("true", True), ("True", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True),
        (" true ", True),
        ("false", False), ("False", False), ("FALSE", False), ("0", False), ("no", False),
        ("off", False), ("None", False), ("none", False), ("null", False), ("", False),
        (True, True), (False, False),
    ],
)
def test_boolean_strings(text, expected):
    assert to_bool(text) is expected


@pytest.mark.parametrize("text", ["maybe", "tru", "2", "falsey", "'true'"])
def test_bad_boolean_names_the_parameter(text):
    with pytest.raises(InvalidInput) as info:
        to_bool(text, "recursive")
    assert "recursive" in str(info.value)
    assert info.value.code == SYS_INVALID_INPUT_PARAM


@pytest.mark.parametrize(
    "value,text", [(None, "None"), (True, "true"), (False, "false"), (3, "3"), ("x", "x")]
)
def test_outputs_are_strings(value, text):
    assert to_output(value) == text


def test_rule_vars_keep_their_quotes_until_stripped():
    assert strip_rule_var('"/tempZone/a b"') == "/tempZone/a b"
    assert strip_rule_var("'x'") == "x"
    assert strip_rule_var("noquotes") == "noquotes"
    assert strip_rule_var('"') == '"'
