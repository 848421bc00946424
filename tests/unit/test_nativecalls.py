"""Rule-language call text for remoteExec (b2safe/adapters/prep/nativecalls.py)."""

from __future__ import annotations

import pytest

from b2safe.adapters.prep import nativecalls
from b2safe.errors import InvalidInput


def test_literals_escape_what_the_rule_language_would_interpret():
    assert nativecalls.literal('a"b\\c*d$e') == '"a\\"b\\\\c\\*d\\$e"'


def test_control_characters_are_refused():
    with pytest.raises(InvalidInput):
        nativecalls.literal("a\nb")


def test_call_text_has_unset_outputs():
    assert nativecalls.call_text("EUDATCreatePID", ["None", "/z/a"]) == \
        'EUDATCreatePID("None", "/z/a", *b2safe_out0);'
    with pytest.raises(ValueError):
        nativecalls.call_text("x(); fail", [])


def test_batches_fit_remexec_and_keep_calls_whole():
    calls = [nativecalls.call_text("f", ["x" * 500]) for _ in range(12)]
    texts = list(nativecalls.batches(calls))
    assert all(len(("remExec{" + t + "}").encode()) < nativecalls.META_STR_LEN for t in texts)
    assert "".join(texts) == "".join(calls)
    assert len(texts) == 3
    with pytest.raises(InvalidInput):
        list(nativecalls.batches([nativecalls.call_text("f", ["x" * 3000])]))
