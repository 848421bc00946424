"""Every command line in README.md and docs/*.md (``sh`` code blocks) is run, in order, per
document, or is listed in :data:`NOT_RUN` with the test that covers it instead, so the docs
cannot drift: a new command must run here or be given a reason.

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
    r"^python3 -m pytest$": "this test suite itself",
    r"^python3 -m pytest tests/sandbox --irods-version 5\.0$": "the 5.0 step of .ci/run",
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
            return [*argv, "--config-dir", str(self.etc)]
        if verb == "doctor":
            argv = [a for a in argv if a != "--live"]
            if "--config" in argv:  # the server's own b2safe.json: the sandbox zone's
                at = argv.index("--config") + 1
                argv[at] = str(self.sandbox / "zones/tempZone/etc/irods/b2safe.json")
                return [*argv, "--no-server"]
            return [*argv, "--sandbox", str(self.sandbox), "--user", "rods#tempZone"]
        if verb in ("rule", "pid", "pids", "replicate", "check", "chain", "status", "schedule"):
            if verb == "rule" and "--list" in argv:
                return argv
            return [*argv, "--sandbox", str(self.sandbox), "--user", "rods#tempZone"]
        return argv

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


@pytest.mark.parametrize("doc", [d for d in DOCS if doc_commands(d)], ids=lambda p: p.name)
def test_every_documented_command_runs(doc, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in READER_FILES.items():
        (tmp_path / name).write_text(text)
    stand_in = None
    ran = []
    try:
        for command in doc_commands(doc):
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
                capsys.readouterr()
                code = main(argv[1:])
                output = "".join(capsys.readouterr())
            else:
                code, output = stand_in.run(command)
            assert code == 0, f"{doc.name}: {command!r} exited {code}:\n{output[-3000:]}"
            ran.append(command)
    finally:
        if stand_in is not None:
            stand_in.close()
    assert ran, f"{doc.name}: no command ran"


def test_not_run_entries_are_all_still_needed():
    every = [c for doc in DOCS for c in doc_commands(doc)]
    unused = [p for p in NOT_RUN
              if not any(re.search(p, re.sub(r"^sudo (-u irods )?", "", c)) for c in every)]
    assert unused == [], f"remove NOT_RUN entries no document needs: {unused}"
