"""Pure parts of the b2safe command: live rule text and answers, form choice, the chain walk,
the doctor's verdicts, the progress line."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2safe.cli import chain
from b2safe.cli.common import EXIT_ERROR, EXIT_UNAVAILABLE, CliError, Progress, exit_code_for
from b2safe.cli.live import (
    nrep_call,
    nrep_literal,
    parse_json_args,
    parse_marked_args,
    python_rule_file,
)
from b2safe.cli.runner import choose_form, choose_named_form, require_rule
from b2safe.domain.profile import PidRecord
from b2safe.errors import PidNotFound
from b2safe.ops.doctor import CRITICAL, OK, UNKNOWN, WARNING, Check, nagios_line

values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def test_nrep_call_uses_string_variables_and_markers():
    body, names = nrep_call("EUDATSearchPID", 2)
    assert names == ["*b2safe_a0", "*b2safe_a1"]
    assert body.startswith("EUDATSearchPID(*b2safe_a0, *b2safe_a1); ")
    assert 'writeLine("stdout", "@@b2safe-arg 1"); writeLine("stdout", *b2safe_a1)' in body
    with pytest.raises(CliError):
        nrep_call("x; delete", 1)


def test_nrep_literal_escapes_quotes_backslashes_and_stars():
    assert nrep_literal('a "b" *c \\') == '"a \\"b\\" \\*c \\\\"'


@given(st.lists(values.filter(lambda v: "\n@@b2safe-arg" not in "\n" + v), max_size=4))
def test_marked_answer_round_trips(items):
    stdout = "".join(f"@@b2safe-arg {i}\n{v}\n" for i, v in enumerate(items))
    assert parse_marked_args(stdout, len(items)) == items


def test_marked_answer_missing_an_argument_is_an_error():
    with pytest.raises(CliError):
        parse_marked_args("@@b2safe-arg 0\nx\n", 2)


def test_python_rule_file_is_valid_python_and_parses_back():
    text = python_rule_file("EUDATSearchPID", ["/z/it's", ""])
    code = text.split("INPUT null")[0]
    compile(code, "rule.r", "exec")
    assert "callback.EUDATSearchPID(*['/z/it\\'s', ''])" in code or '"/z/it\'s"' in code
    assert parse_json_args('@@b2safe-json ["a", "b"]\n') == ["a", "b"]


def test_form_choice():
    spec = require_rule("EUDATPidsForColl")
    assert choose_form(spec, 2).outputs == ("report",)  # the form with the OUT wins a tie
    with pytest.raises(CliError):
        choose_form(spec, 5)
    create = require_rule("EUDATCreatePID")
    form, inputs = choose_named_form(create, {"path": "/z/x"},
                                     {"parent_pid": "None", "ror": "None", "fio": "None",
                                      "fixed": "false"})
    assert inputs["path"] == "/z/x" and form.outputs == ("new_pid",)
    with pytest.raises(CliError, match="no parameter for colour"):
        choose_named_form(create, {"path": "/z/x", "colour": "red"},
                          {"parent_pid": "None", "ror": "None", "fio": "None", "fixed": "false"})


def test_exit_codes_for_server_codes():
    assert exit_code_for(-162000) == EXIT_UNAVAILABLE
    assert exit_code_for(-162113) == EXIT_UNAVAILABLE
    assert exit_code_for(-310000) == EXIT_ERROR


def record(url, parent=None, replicas=(), checksum="sha2:x"):
    return PidRecord(url=url, parent=parent, replicas=tuple(replicas), checksum=checksum)


def test_chain_walk_climbs_then_descends_and_stops_on_cycles():
    records = {
        "P/A": record("irods://h:1/z/a", replicas=["P/B", "Q/C"]),
        "P/B": record("irods://h:1/z/b", parent="P/A", replicas=["P/A"]),  # a cycle back
        "Q/C": record("irods://h:1/z/c", parent="p/a"),  # handles compare case-insensitively
    }

    def fetch(pid):
        if pid.upper() not in records:
            raise PidNotFound(pid)
        return records[pid.upper()]

    seen = []
    root = chain.walk("P/B", fetch, lambda r: (chain.OK, ""), on_record=seen.append)
    assert root.pid == "P/A" and [c.pid for c in root.children] == ["P/B", "Q/C"]
    assert root.children[0].start and "link cycle" in root.children[0].notes[0]
    assert all(n.state == chain.OK for n in root.walk())
    assert seen[-1] == 3
    text = chain.render(root)
    assert text.splitlines()[1].startswith("├── P/B (start)")


def test_chain_walk_marks_unreadable_and_foreign_records():
    def fetch(pid):
        if pid.startswith("X/"):
            raise chain.Unresolvable("no credentials")
        if pid == "P/GONE":
            raise PidNotFound(pid)
        return record("irods://h:1/z/a", parent="X/TOP", replicas=["P/GONE"])

    root = chain.walk("P/A", fetch, lambda r: (chain.OK, ""))
    assert (root.pid, root.state) == ("X/TOP", chain.UNRESOLVED)
    child = root.children[0]
    assert child.pid == "P/A" and child.children[0].state == chain.NOT_FOUND


def test_chain_of_any_depth_walks_renders_and_serializes_without_recursion():
    """Issue 15: ``b2safe chain`` failed with RecursionError past ~1,000 records."""
    import json

    depth = 3000
    records = {f"P/{n}": record(f"irods://h:1/z/{n}", parent=f"P/{n - 1}" if n else None,
                                replicas=[f"P/{n + 1}"] if n + 1 < depth else [])
               for n in range(depth)}
    root = chain.walk(f"P/{depth // 2}", records.__getitem__, lambda r: (chain.OK, ""))
    nodes = root.walk()
    assert root.pid == "P/0" and len(nodes) == depth
    assert [n.pid for n in nodes] == [f"P/{n}" for n in range(depth)]
    assert len(chain.render(root).splitlines()) == depth
    listed = json.loads(json.dumps(root.as_json()))
    assert [(n["pid"], n["parent"], n["replicas"]) for n in listed] == [
        (f"P/{n}", f"P/{n - 1}" if n else None, [f"P/{n + 1}"] if n + 1 < depth else [])
        for n in range(depth)]


class _State:
    def __init__(self, exists=True, checksums=(), reachable=True, coll=False):
        self.path, self.exists, self.checksums = "/z/a", exists, list(checksums)
        self.reachable, self.is_collection, self.note = reachable, coll, ""


@pytest.mark.parametrize("state, expected", [
    (_State(checksums=["sha2:x"]), chain.OK),
    (_State(checksums=["sha2:x="]), chain.OK),  # legacy record that lost its padding
    (_State(checksums=["sha2:y"]), chain.MISMATCH),
    (_State(exists=False), chain.MISSING),
    (_State(reachable=False), chain.UNVERIFIED),
    (_State(checksums=[""]), chain.UNVERIFIED),
    (_State(coll=True), chain.OK),
])
def test_chain_verification(state, expected):
    verify = chain.verify_with(lambda url: state)
    assert verify(record("irods://h:1/z/a"))[0] == expected
    assert verify(record("https://api.example/z/a"))[0] == chain.UNVERIFIED


def test_nagios_line_takes_the_worst_state():
    checks = [Check("a", OK, "fine"), Check("b", WARNING, "meh"), Check("c", UNKNOWN, "?")]
    assert nagios_line(checks) == ("B2SAFE WARNING - b: meh; c: ?", 1)
    assert nagios_line([*checks, Check("d", CRITICAL, "bad")])[1] == 2
    assert nagios_line([Check("a", OK, "fine")]) == ("B2SAFE OK - 1 checks passed", 0)
    assert nagios_line([Check("a", UNKNOWN, "?")])[1] == 3


def test_progress_is_silent_without_a_terminal():
    stream = io.StringIO()
    progress = Progress("x", 3, stream=stream)
    progress.update()
    progress.finish()
    assert stream.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    progress = Progress("records", 2, stream=tty, min_interval=0)
    progress.update(1)
    progress.update(2)
    progress.finish()
    assert "records: 100%" in tty.getvalue() and "2/2" in tty.getvalue()  # count and rate
    quiet = Tty()
    Progress("x", quiet=True, stream=quiet).update(1)
    assert quiet.getvalue() == ""
