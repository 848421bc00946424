"""Every command line in README.md and docs/*.md is run, in order, per document, or is listed
with the test that covers it instead, so the docs cannot drift: a new command must run here or
be given a reason. Command lines are those of ``sh`` code blocks (:data:`NOT_RUN` lists the ones
not run) and those written inline in the prose (a backticked span starting with a command word
and at least one argument, :func:`inline_commands`; :data:`INLINE_NOT_RUN` lists the ones not
run). Inline commands run after the document's blocks, with their placeholders (``SRC``,
``PID``, ``FILE``, ...) replaced by real values (:data:`PLACEHOLDERS`).

Commands meant for a live server run against stand-ins: a sandbox with zones ``tempZone`` and
``otherZone`` (the names the docs use) for rules and verbs, and an iRODS 4.3 server config tree
(tests/ops/data) for ``install``/``config check``; ``sudo``/``sudo -u irods`` are dropped.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from b2safe_sandbox import site

from b2safe.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEMPLATE = ROOT / "tests" / "ops" / "data" / "server_config.4.3.4.json"
PYTHON = "irods_rule_engine_plugin-python-instance"

#: Commands that cannot run on a test machine, each with where it is covered instead.
NOT_RUN = {
    r"^python3 -m pip install ": "installs packages: .ci/run runs the README's line",
    r"^ruff check \.$": "the lint step of .ci/run",
    r"^python3 -m mypy$": "the type-check step of .ci/run",
    r"^python3 -m pytest( -n auto)?$": "this test suite itself",
    r"^python3 -m pytest( -n auto)? tests/sandbox --irods-version 5\.0$": "the 5.0 step of .ci/run",
    r"^B2SAFE_LIVE_IRODS_ENV=\S+ +B2SAFE_LIVE_FIDELITY_COLLECTION=\S+ +python3 -m pytest -rs "
    r"tests/live/test_fidelity_live\.py$": "needs a live server: "
                                          "tests/ops/test_live_fidelity_runner.py runs the same "
                                          "runner against the fake iRODS server",
    r"^python3 -m build ": "tests/ops/test_packaging.py builds both distributions",
    r"^python3 -m venv /opt/b2safe$": "host file system: tests/ops/test_venv_deploy.py deploys "
                                      "from a virtual environment",
    r"^/opt/b2safe/bin/python -m pip install ": "installs into /opt: see test_venv_deploy.py",
    r"^ln -s ": "host file system",
    r"^(chown|chmod) ": "host file system: tests/ops/test_doctor_tree.py checks owners/modes",
    r"-F eudatRepl_registered\.r$": "a B2SAFE 4.2 rule file (4.x repository, not this one): "
                                     "the parity tests run 4.2's rules/*.r unchanged",
    r"^ichmod (-M )?-r ": "the service account's grants on a real zone (the sandbox CLI's ichmod "
                         "has no -M): the sandbox's site setup makes them and doctor's "
                         "service-acls check is tested with and without them",
}


#: Files a guide's reader is expected to write themselves before a command uses them.
READER_FILES = {
    "my_rule.r": 'my_rule {\n    writeLine("stdout", "checking *path");\n}\n'
                 'INPUT *path=""\nOUTPUT ruleExecOut\n',
}


#: The first words of command lines written inline in prose.
COMMAND_WORDS = ("b2safe", "sudo", "irule", "iput", "iget", "iquest", "ils", "ichksum", "imeta",
                 "iadmin", "iqstat", "iqdel", "ichmod", "irepl", "irsync", "imkdir", "iinit", "pip",
                 "python3", "systemctl", "/opt/b2safe/bin/b2safe", "/opt/b2safe/bin/python")

#: Inline commands not run here: the test that covers each (``tests/...py::test_name``, checked
#: to exist) or why it cannot run on a test machine.
INLINE_NOT_RUN = {
    r"^python3 -m venv \.venv": "a development environment for a checkout: .ci/run installs the "
                                "same packages into the test interpreter",
    r"^(sudo )?systemctl restart irods$":
        "tests/ops/test_install_tree.py::test_install_as_root_keeps_the_service_accounts_ownership"
        " (install prints this restart step; restarting the host's iRODS is not a test's job)",
    r"^b2safe demo --dir \./demo-sandbox$":
        "tests/sandbox/cli/test_first_steps.py::"
        "test_demo_with_a_relative_directory_and_recursive_ils",
    r"^b2safe sandbox ils --dir \./demo-sandbox -r ":
        "tests/sandbox/cli/test_first_steps.py::"
        "test_demo_with_a_relative_directory_and_recursive_ils",
    r"^python3 -m b2safe$":
        "tests/sandbox/cli/test_first_steps.py::test_init_with_a_relative_directory_then_rules_work",
    r"^b2safe rule NAME ARG\.\.\.$":
        "tests/sandbox/cli/test_cli_rules.py::test_rule_prints_outputs_as_irule_does",
    r"^b2safe chain --verify$":
        "tests/sandbox/cli/test_cli_exit_codes.py::test_chain_verify_finds_rotten_stored_bytes",
    r"^ichksum -K$":
        "tests/ops/test_live_wire.py::test_check_verify_has_the_server_reread_both_copies",
    r"^(iput -b|iput -f|irsync i:src i:dst)$":
        "tests/sandbox/policy/test_ingest_routes.py::"
        "test_every_route_gets_one_pid_and_one_linked_replica",
    r"^irule -r irods_rule_engine_plugin-python-instance \.\.\.$":
        "tests/sandbox/pid/test_rules_pid_irule.py::test_rule_files_create_search_remove",
    r"^irule -F$":
        "tests/sandbox/pid/test_rules_pid_irule.py::test_rule_files_create_search_remove",
    r"^irule RULE ":
        "tests/sandbox/pid/test_rules_pid_irule.py::test_irule_rule_name_with_rule_vars",
    r"^iadmin mk(user|zone)": "zone administration of a real server: the sandbox's site set-up "
                              "makes its users and federation entries (b2safe_sandbox/site.py)",
    r"^iqstat -a$": "a real server's delay queue: docs/sandbox.md runs the sandbox's iqstat",
    r"^pip install (b2safe|--user)$": "named as what does not work (b2safe is not on PyPI; "
                                      "--user is refused on externally managed Pythons)",
    r"^imeta cp$": "names an operation the metadata guard refuses; no test copies AVUs",
    r"^python3 scripts/security_mutations\.py": "runs tests/security once per removed defence "
                                                "(minutes): a script like the benchmarks, not a "
                                                "test; the attack tests run in tests/security",
    r"^python3 scripts/durability_mutations\.py": "runs the durability tests once per removed "
                                                  "mechanism (minutes): a script, not a test; "
                                                  "those tests run in tests/sandbox/durability",
}

#: What the placeholders of inline commands stand for on the stand-ins.
PLACEHOLDERS = {
    "SRC": "/tempZone/home/alice/dataset", "SOURCE": "/tempZone/home/alice/dataset",
    "DST": "/otherZone/replicas/dataset", "DESTINATION": "/otherZone/replicas/dataset",
    "<path>": "/tempZone/home/alice/results.csv",
}


def inline_commands(path: Path) -> list[str]:
    """The command lines written inline in ``path``'s prose (outside code blocks), in document
    order: backticked spans whose first word is a command word, with at least one argument."""
    prose = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    found = []
    for span in re.findall(r"`([^`\n]+)`", prose):
        words = span.split()
        if len(words) > 1 and words[0] in COMMAND_WORDS:
            found.append(span.strip())
    return found


def inline_reason(command: str) -> str:
    """Why the inline ``command`` is not run here ("" when it is)."""
    return next((why for pattern, why in INLINE_NOT_RUN.items() if re.search(pattern, command)),
                "") or reason_not_run(command)


def covered_by_a_block(command: str, blocks: list[str]) -> bool:
    """Whether ``command`` starts a command line of a code block (run by the block test)."""
    def words(line: str) -> list[str]:
        return shlex.split(re.sub(r"^sudo (-u irods )?", "", line))

    return any(words(b)[:len(words(command))] == words(command) for b in blocks)


def doc_commands(path: Path) -> list[str]:
    """The command lines of ``path``'s sh code blocks (continuations joined, comments and
    ``&&`` chains split off), in document order."""
    found = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", path.read_text(), re.S):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            line = re.sub(r"\s{2,}#.*$", "", line).strip()
            if line and not line.startswith("#"):
                found.extend(part.strip() for part in line.split(" && "))
    return found


def reason_not_run(command: str) -> str:
    """Why ``command`` is not run here ("" when it is)."""
    bare = re.sub(r"^sudo (-u irods )?", "", command)
    return next((why for pattern, why in NOT_RUN.items() if re.search(pattern, bare)), "")


class Site:
    """The stand-ins one document's commands run against, in a fresh working directory."""

    def __init__(self, cwd: Path, capsys) -> None:
        self.cwd = cwd
        self.capsys = capsys
        self.etc = cwd / "etc" / "irods"
        self.etc.mkdir(parents=True)
        shutil.copyfile(TEMPLATE, self.etc / "server_config.json")
        self.sandbox = cwd / "server-sandbox"
        self.pids: dict[str, str] = {}
        sb = site.create(self.sandbox, zones=("tempZone", "otherZone"))
        alice = sb.client("alice#tempZone")
        alice.iput("/tempZone/home/alice/results.csv", b"a,b\n1,2\n")
        alice.imkdir("/tempZone/home/alice/dataset")
        for name in ("one.csv", "two.csv"):
            alice.iput(f"/tempZone/home/alice/dataset/{name}", name.encode())
        other = sb.client("rods#otherZone")
        other.imkdir("/otherZone/replicas", parents=True)
        other.ichmod("own", "rods#tempZone", "/otherZone/replicas")
        other.inherit("/otherZone/replicas", True)
        sb.start_services()  # the zones' Handle servers, for commands that read PIDs directly
        # Fail-log records (object, collection), so the guides' queries have something to show.
        for source in ("/tempZone/home/alice/results.csv", "/tempZone/home/alice/dataset"):
            target = "/otherZone/replicas/" + source.rsplit("/", 1)[1]
            failed = sb.exec_rule("tempZone", "EUDATUpdateLogging",
                                  ["false", source, target, "network down"], "rods#tempZone")
            assert failed.code == 0, failed.traceback
        self.sb = sb

    def close(self) -> None:
        self.sb.close()

    def translate(self, command: str) -> list[str]:
        """The argv of ``command`` run against the stand-ins (see the module docstring)."""
        command = re.sub(r"^sudo (-u irods )?", "", command)
        command = command.replace("/opt/b2safe/bin/b2safe", "b2safe")
        command = command.replace("/etc/irods", str(self.etc))
        for placeholder, pid in self.pids.items():
            command = command.replace(placeholder, pid)
        argv = shlex.split(command)
        if argv[0] == "irule":
            # The native rule language route is for every user: run it as alice.
            user = "alice#tempZone" if PYTHON not in argv else "rods#tempZone"
            argv = ["b2safe", "sandbox", *argv, "--dir", str(self.sandbox), "--user", user]
            return [str(ROOT / a) if a.startswith("rules/") else a for a in argv]
        if argv[0] == "iquest":
            return ["b2safe", "sandbox", *argv, "--dir", str(self.sandbox)]
        assert argv[0] == "b2safe", f"no stand-in for {command!r}: run it or add it to NOT_RUN"
        verb = argv[1]
        if verb in ("install", "uninstall"):
            # install --schedule then queues the retry and sweeps: on the stand-in zone.
            where = ["--sandbox", str(self.sandbox), "--user", "rods#tempZone"] \
                if "--schedule" in argv else []
            return [*argv, "--config-dir", str(self.etc), *where]
        if verb == "doctor":
            argv = [a for a in argv if a != "--live"]
            if "--config" in argv:  # the server's own b2safe.json: the sandbox zone's
                at = argv.index("--config") + 1
                argv[at] = str(self.sandbox / "zones/tempZone/etc/irods/b2safe.json")
                return [*argv, "--no-server"]
            return [*argv, "--sandbox", str(self.sandbox), "--user", "rods#tempZone"]
        if verb == "keys":  # the stand-in zone's signing key
            return [*argv, "--sandbox", str(self.sandbox), "--zone", "tempZone"]
        if verb in ("rule", "pid", "pids", "replicate", "check", "chain", "status", "schedule"):
            if verb == "rule" and "--list" in argv:
                return argv
            return [*argv, "--sandbox", str(self.sandbox), "--user", "rods#tempZone"]
        return argv

    def fill_placeholders(self, command: str) -> str:
        """``command`` with :data:`PLACEHOLDERS`, ``FILE`` (the zone's b2safe.json) and ``PID``
        (a PID minted for results.csv) replaced."""
        words = shlex.split(command)
        if "PID" in words and "21.T12345/ABC" not in self.pids:
            code, output = self.run("b2safe pid create /tempZone/home/alice/results.csv")
            assert code == 0, output
        config = self.cwd / "b2safe.json"  # the zone's, out of /etc/irods (translated)
        shutil.copyfile(self.sandbox / "zones/tempZone/etc/irods/b2safe.json", config)
        values = {**PLACEHOLDERS, "FILE": str(config),
                  "PID": self.pids.get("21.T12345/ABC", "PID")}
        return shlex.join(values.get(word, word) for word in words)

    def run(self, command: str) -> tuple[int, str]:
        argv = self.translate(command)
        self.capsys.readouterr()
        code = main(argv[1:])
        out = self.capsys.readouterr()
        if argv[1:3] == ["pid", "create"] and code == 0:
            self.pids.setdefault("21.T12345/ABC", out.out.strip().splitlines()[-1])
        return code, out.out + out.err


def run_shell(cwd: Path, command: str) -> int:
    """A plain shell line of a guide (``echo hello > f.txt``)."""
    return subprocess.run(["bash", "-c", command], cwd=cwd, check=False).returncode


def inline_to_run(doc: Path) -> list[str]:
    """The inline commands of ``doc`` that run here: not a code block's, not listed."""
    blocks = [c for d in DOCS for c in doc_commands(d)]
    return [c for c in dict.fromkeys(inline_commands(doc))
            if not covered_by_a_block(c, blocks) and not inline_reason(c)]


@pytest.mark.parametrize("doc", [d for d in DOCS if doc_commands(d) or inline_to_run(d)],
                         ids=lambda p: p.name)
def test_every_documented_command_runs(doc, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in READER_FILES.items():
        (tmp_path / name).write_text(text)
    stand_in = None
    ran = []
    pid = ""
    try:
        for command in [*doc_commands(doc), *inline_to_run(doc)]:
            if reason_not_run(command):
                continue
            if not command.startswith(("b2safe", "sudo", "irule", "iquest")):
                assert run_shell(tmp_path, command) == 0, command
                continue
            if stand_in is None and doc.name != "sandbox.md":
                stand_in = Site(tmp_path / "site", capsys)
            if stand_in is None:  # the sandbox guide makes its own sandbox, as its reader does
                argv = shlex.split(command)
                argv = [str(ROOT / a) if a.startswith("rules/") else a for a in argv]
                argv = [pid if a == "PID" else a for a in argv]
                capsys.readouterr()
                code = main(argv[1:])
                captured = capsys.readouterr()
                output = captured.out + captured.err
                if argv[1:3] == ["pid", "create"] and code == 0:
                    pid = captured.out.strip().splitlines()[-1]
            else:
                code, output = stand_in.run(stand_in.fill_placeholders(command))
            assert code == 0, f"{doc.name}: {command!r} exited {code}:\n{output[-3000:]}"
            ran.append(command)
    finally:
        if stand_in is not None:
            stand_in.close()
    assert ran, f"{doc.name}: no command ran"


def test_inline_commands_not_run_name_a_test_that_exists():
    for pattern, why in INLINE_NOT_RUN.items():
        if not why.startswith("tests/"):
            continue
        path, _, rest = why.partition("::")
        name = rest.split()[0]
        assert (ROOT / path).is_file(), f"{pattern}: no {path}"
        assert re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M), \
            f"{pattern}: {path} has no test {name}"


def test_inline_not_run_entries_are_all_still_needed():
    every = [c for doc in DOCS for c in inline_commands(doc)]
    unused = [p for p in INLINE_NOT_RUN if not any(re.search(p, c) for c in every)]
    assert unused == [], f"remove INLINE_NOT_RUN entries no document needs: {unused}"


def test_not_run_entries_are_all_still_needed():
    every = [c for doc in DOCS for c in doc_commands(doc)]
    unused = [p for p in NOT_RUN
              if not any(re.search(p, re.sub(r"^sudo (-u irods )?", "", c)) for c in every)]
    assert unused == [], f"remove NOT_RUN entries no document needs: {unused}"
