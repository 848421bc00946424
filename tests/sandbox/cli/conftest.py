"""Fixtures for driving the ``b2safe`` command end to end on a three-zone sandbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from b2safe_sandbox import site
from b2safe_sandbox.sandbox import Sandbox

from b2safe.cli import main

ZONES = ("zoneA", "zoneB", "zoneC")


@dataclass
class Outcome:
    """Exit code and captured output of one ``b2safe`` run."""

    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Cli:
    """Runs ``b2safe ... --sandbox DIR`` in-process against one sandbox."""

    def __init__(self, sandbox: Sandbox, capsys) -> None:
        self.sb = sandbox
        self.dir = str(sandbox.directory)
        self._capsys = capsys

    def __call__(self, *argv: str, sandbox: bool = True) -> Outcome:
        self._capsys.readouterr()
        extra = ["--sandbox", self.dir] if sandbox else []
        code = main([*argv, *extra])
        captured = self._capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def put(self, path: str, data: bytes = b"payload\n", user: str = "alice#zoneA") -> str:
        self.sb.client(user).iput(path, data)
        return path

    def config_path(self, zone: str = "zoneA") -> Path:
        return self.sb.zone(zone).config_dir / "b2safe.json"

    def configure(self, zone: str = "zoneA", **sections) -> None:
        path = self.config_path(zone)
        data = json.loads(path.read_text())
        data.update(sections)
        path.write_text(json.dumps(data))


@pytest.fixture
def cli(tmp_path, capsys):
    sandbox = site.create(tmp_path / "sandbox", zones=ZONES)
    # The zones' Handle servers run before the command does, as a site's do: a test may then
    # change the credentials file the servers' start wrote.
    sandbox.start_services()
    yield Cli(sandbox, capsys)
    sandbox.close()
