"""irule as the client and PREP do it; each case cites the line its expectation comes from.

Sources: irods_client_icommands src/irule.cpp@5.0.2 (the client) and
irods_rule_engine_plugin_python src/main.cpp@5.0.1 (what PREP gives the rule).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from b2safe_sandbox import cli

PY = "irods_rule_engine_plugin-python-instance"
ECHO = ("def main(rule_args, callback, rei):\n"
        "    callback.writeLine('stdout', irods_rule_vars['*x'])\n")


def irule(directory: Any, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["irule", "--dir", str(directory), *argv])
    return code, out.getvalue(), err.getvalue()


def rule_file(tmp_path: Path, text: str, name: str = "r.r") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_lower_case_directives(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L336-345: startsWith "INPUT" || "input", "OUTPUT" || "output".
    path = rule_file(tmp_path, ECHO + 'input *x="low"\noutput ruleExecOut\n')
    assert irule(fidelity_sandbox, "-F", path)[:2] == (0, '"low"\n')


def test_text_after_the_output_line_is_never_sent(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L365-375: the OUTPUT line ends the read loop (break).
    path = rule_file(tmp_path, ECHO + 'INPUT *x="a"\nOUTPUT ruleExecOut\nthis is not python(\n')
    assert irule(fidelity_sandbox, "-F", path)[:2] == (0, '"a"\n')


def test_a_file_without_output_is_refused_with_exit_2(fidelity_sandbox: Any,
                                                        tmp_path: Path) -> None:
    # irule.cpp L392-395: "Incomplete rule input", exit(2), the server is not called.
    path = rule_file(tmp_path, ECHO + 'INPUT *x="a"\n')
    code, out, err = irule(fidelity_sandbox, "-F", path)
    assert (code, out) == (2, "")
    assert "Incomplete rule input" in err


def test_override_not_on_the_input_line_is_ignored(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L630-641: a label not on the INPUT line prints 'Ignoring Argument "..."'.
    text = ECHO + "    callback.writeLine('stdout', str(sorted(irods_rule_vars)))\n"
    path = rule_file(tmp_path, text + 'INPUT *x="a"\nOUTPUT ruleExecOut\n')
    code, out, _ = irule(fidelity_sandbox, "-F", path, '*y="b"', '*x="c"')
    assert code == 0
    assert out == 'Ignoring Argument "*y="b""\n"c"\n[\'*x\']\n'


def test_global_vars_is_the_deprecated_alias(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # PREP main.cpp@5.0.1 L794-795: main_namespace["global_vars"] = rule_vars_python.
    text = ("def main(rule_args, callback, rei):\n"
            "    callback.writeLine('stdout', global_vars['*x'][1:-1])\n")
    path = rule_file(tmp_path, text + 'INPUT *x="alias"\nOUTPUT ruleExecOut\n')
    assert irule(fidelity_sandbox, "-F", path)[:2] == (0, "alias\n")


def test_failure_exits_4_without_rule_exec_out(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L465-493: on rcExecMyRule error only the error stack is printed, exit(4).
    text = ("def main(rule_args, callback, rei):\n"
            "    callback.writeLine('stdout', 'partial')\n"
            "    raise ValueError('boom')\n")
    path = rule_file(tmp_path, text + "INPUT null\nOUTPUT ruleExecOut\n")
    code, out, err = irule(fidelity_sandbox, "-r", PY, "-F", path)
    assert (code, out) == (4, "")
    assert "RULE_ENGINE_ERROR" in err
    # Without -r, rsExecMyRule names no instance: each engine's error is only logged, the call
    # succeeds (irods_re_plugin.hpp@5.0.2 L644-656; rsExecMyRule.cpp L84-88), irule exits 0.
    assert irule(fidelity_sandbox, "-F", path)[0] == 0


def test_without_r_every_engine_runs_the_text(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # rsExecMyRule with no instance name offers the text to every configured engine in
    # server_config.json's order (irods_re_plugin.hpp@5.0.2 L644-656): the Python engine runs a
    # Python file, the rule language fails to parse it (logged); a rule-language file the
    # other way round. A non-admin's Python text is refused by PREP (main.cpp@5.0.1 L729-737)
    # and irule still exits 0 with nothing printed.
    py = rule_file(tmp_path, "def main(rule_args, callback, rei):\n"
                             "    callback.writeLine('stdout', 'from python')\n"
                             "INPUT null\nOUTPUT ruleExecOut\n")
    assert irule(fidelity_sandbox, "-F", py) == (0, "from python\n", "")
    native = tmp_path / "native.r"
    native.write_text('main { writeLine("stdout", "from the rule language") }\n'
                      "INPUT null\nOUTPUT ruleExecOut\n")
    assert irule(fidelity_sandbox, "-F", str(native)) == (0, "from the rule language\n", "")
    assert irule(fidelity_sandbox, "--user", "alice#tempZone", "-F", py) == (0, "", "")
    code, _, err = irule(fidelity_sandbox, "-r", "no-such-instance", "-F", py)
    assert code == 4 and "SYS_INVALID_INPUT_PARAM" in err  # L658-666 "instance not found"


def test_write_line_stderr_reaches_irules_stderr(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L500-511: ExecCmdOut's stderrBuf is printed to stderr after success.
    text = ("def main(rule_args, callback, rei):\n"
            "    callback.writeLine('stderr', 'to stderr')\n"
            "    callback.writeLine('stdout', 'to stdout')\n")
    path = rule_file(tmp_path, text + "INPUT null\nOUTPUT ruleExecOut\n")
    assert irule(fidelity_sandbox, "-F", path) == (0, "to stdout\n", "to stderr\n")


def test_other_file_types_and_missing_files(fidelity_sandbox: Any, tmp_path: Path) -> None:
    # irule.cpp L244-256 "Unsupported input file type" exit(10); L283-285 cannot open: exit(1).
    path = rule_file(tmp_path, ECHO + "INPUT null\nOUTPUT ruleExecOut\n", name="r.py")
    assert irule(fidelity_sandbox, "-F", path)[0] == 10
    assert irule(fidelity_sandbox, "-F", str(tmp_path / "none.r"))[0] == 1


def test_irule_rule_name_with_inputs_sets_irods_rule_vars(fidelity_sandbox: Any) -> None:
    # PREP main.cpp@5.0.1 L812-825: "@external rule { NAME }" gets irods_rule_vars (builtin)
    # and global_vars in core; irule's command-line inputs are '%'-separated.
    from b2safe_sandbox.sandbox import Sandbox

    sb = Sandbox.open(fidelity_sandbox)
    try:
        core = sb.zone("tempZone").config_dir / "core.py"
        core.write_text(core.read_text() + (
            "\n\ndef echo_vars(rule_args, callback, rei):\n"
            "    callback.writeLine('stdout', irods_rule_vars['*a'] + global_vars['*b'])\n"))
    finally:
        sb.close()
    code, out, _ = irule(fidelity_sandbox, "echo_vars", '*a="x"%*b="y"', "ruleExecOut")
    assert (code, out) == (0, '"x""y"\n')


def _engines(config_dir: Path, python_first: bool) -> None:
    """server_config.json's rule_engines with the rule language's rule base ``core.re``."""
    import json

    stanzas = [{"instance_name": PY, "plugin_name": "irods_rule_engine_plugin-python"},
               {"instance_name": "irods_rule_engine_plugin-irods_rule_language-instance",
                "plugin_name": "irods_rule_engine_plugin-irods_rule_language",
                "plugin_specific_configuration": {"re_rulebase_set": ["core"]}}]
    order = stanzas if python_first else stanzas[::-1]
    (config_dir / "server_config.json").write_text(
        json.dumps({"plugin_configuration": {"rule_engines": order}}))


def test_rule_name_without_r_goes_to_every_engine_in_order(tmp_path: Path) -> None:
    # irule.cpp@5.0.2 L417-432: "irule TEXT INPUT OUTPUT" sends "@external rule { TEXT }";
    # without -r rsExecMyRule offers it to every engine in server_config.json's order
    # (irods_re_plugin.hpp L644-656): PREP runs core.TEXT (main.cpp@5.0.1 L812-838), the rule
    # language runs TEXT as a rule's body, its own rule of that name if its rule base has one,
    # else the Python rule again through the framework (irods#7407, closed as designed).
    # Errors are only logged; irule exits 0.
    from b2safe_sandbox.sandbox import Sandbox

    core = ("def hello(rule_args, callback, rei):\n"
            "    callback.writeLine('stdout', 'from python')\n"
            "def only_python(rule_args, callback, rei):\n"
            "    callback.writeLine('stdout', 'python alone')\n")
    sb = Sandbox.create(tmp_path / "sb", zones=("zoneA",), core_py=core)
    config_dir = sb.zone("zoneA").config_dir
    (config_dir / "core.re").write_text('hello { writeLine("stdout", "from native") }\n')
    sb.close()
    directory = tmp_path / "sb"
    rods = ("--user", "rods#zoneA")
    _engines(config_dir, python_first=True)
    assert irule(directory, *rods, "hello", "null", "ruleExecOut") == (
        0, "from python\nfrom native\n", "")
    assert irule(directory, *rods, "only_python", "null", "ruleExecOut") == (
        0, "python alone\npython alone\n", "")
    _engines(config_dir, python_first=False)
    assert irule(directory, *rods, "hello", "null", "ruleExecOut") == (
        0, "from native\nfrom python\n", "")
    # With -r the named engine alone runs it and its error comes back.
    assert irule(directory, *rods, "-r", PY, "hello", "null", "ruleExecOut") == (
        0, "from python\n", "")
    # A rule-language text: PREP takes "R(*a)" as a rule name core lacks (RULE_ENGINE_ERROR,
    # logged), the rule language runs it.
    code, out, _ = irule(directory, *rods, 'writeLine("stdout", "native *a")', '*a="y"',
                         "ruleExecOut")
    assert (code, out) == (0, "native y\n")
    code, _, err = irule(directory, *rods, "-r", PY, "R(*a)", '*a="y"', "ruleExecOut")
    assert code == 4 and "RULE_ENGINE_ERROR" in err
    # A rodsuser: PREP refuses (SYS_NO_API_PRIV, logged), the rule language runs its rule.
    assert irule(directory, "--user", "alice#zoneA", "hello", "null", "ruleExecOut") == (
        0, "from native\n", "")


def test_rule_name_needs_three_parameters(fidelity_sandbox: Any) -> None:
    # irule.cpp@5.0.2 L417-421: fewer than three parameters: "incomplete input", exit(3).
    code, out, err = irule(fidelity_sandbox, "getB2SAFEVersion")
    assert (code, out) == (3, "")
    assert "incomplete input" in err
