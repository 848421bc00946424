"""irule -F rule-file parsing and command-line overrides."""

from __future__ import annotations

import pytest
from b2safe_sandbox import rulefile as rf
from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, IrodsCallError
from hypothesis import given
from hypothesis import strategies as st

RULE = '''def main(rule_args, callback, rei):
    callback.writeLine('stdout', irods_rule_vars['*name'][1:-1])

INPUT *name="world, and more", *n=3
OUTPUT ruleExecOut
'''


def test_parse_rule_file() -> None:
    parsed = rf.parse_rule_file(RULE)
    assert parsed.inputs == {"*name": '"world, and more"', "*n": "3"}
    assert parsed.outputs == ("ruleExecOut",)
    assert "INPUT" not in parsed.python_text and "OUTPUT" not in parsed.python_text
    assert parsed.python_text.startswith("def main(rule_args, callback, rei):")
    compile(parsed.python_text, "rule.r", "exec")


def test_input_null_and_missing_output() -> None:
    parsed = rf.parse_rule_file("def main(a, c, r):\n    pass\nINPUT null\nOUTPUT null\n")
    assert parsed.inputs == {} and parsed.outputs == ()
    # irule.cpp@5.0.2 L392-395: no OUTPUT line is "Incomplete rule input" (exit 2).
    with pytest.raises(rf.IncompleteRuleFile):
        rf.parse_rule_file("def main(a, c, r):\n    pass\nINPUT null\n")


def test_a_python_line_starting_with_input_is_a_directive() -> None:
    # irule.cpp@5.0.2 L336: startsWith(buf, "INPUT"), no word boundary: a column-0 Python line
    # such as ``INPUT_X = 1`` is read as the INPUT line, as irule does.
    parsed = rf.parse_rule_file("INPUT_X = 1\ndef main(a, c, r):\n    pass\n"
                                "OUTPUT ruleExecOut\n")
    assert "INPUT_X" not in parsed.python_text and parsed.inputs == {"*_X": "1"}
    indented = rf.parse_rule_file("def main(a, c, r):\n    INPUT_X = 1\nINPUT null\n"
                                  "OUTPUT ruleExecOut\n")
    assert "INPUT_X = 1" in indented.python_text


def test_overrides_keep_quotes_and_ignore_other_labels() -> None:
    # irule.cpp@5.0.2 L630-641: a label not on the INPUT line is ignored ("Ignoring Argument").
    parsed = rf.apply_overrides(rf.parse_rule_file(RULE), ['*name="you"', "*extra='x'", "k=1"])
    assert parsed.inputs == {"*name": '"you"', "*n": "3"}
    assert parsed.ignored == ("*extra='x'", "k=1")


@pytest.mark.parametrize("bad", ["*name", "=x", "*1a=3", "* a=1"])
def test_bad_overrides(bad: str) -> None:
    with pytest.raises(IrodsCallError) as exc:
        rf.apply_overrides(rf.parse_rule_file(RULE), [bad])
    assert exc.value.code == INPUT_ARG_NOT_WELL_FORMED_ERR


_label = st.from_regex(r"\A\*[A-Za-z_][A-Za-z0-9_]{0,10}\Z")
_value = st.text(alphabet=st.characters(blacklist_characters='"\n\r\x0b\x0c\x1c\x1d\x1e\x85'
                                        '\u2028\u2029', blacklist_categories=("Cs",)),
                 max_size=20).map(lambda s: f'"{s}"')
_python = st.lists(st.from_regex(r"\A[a-z_][a-z0-9_]{0,8} = [0-9]{1,4}\Z"), max_size=5)


@given(st.dictionaries(_label, _value, max_size=6), _python)
def test_round_trip(inputs: dict, body: list) -> None:
    text = "\n".join(body) + "\nINPUT " + rf.format_inputs(inputs) + "\nOUTPUT ruleExecOut\n"
    parsed = rf.parse_rule_file(text)
    assert parsed.inputs == inputs
    assert parsed.outputs == ("ruleExecOut",)
    assert [line for line in parsed.python_text.splitlines() if line] == body
