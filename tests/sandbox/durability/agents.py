"""Run overlapping rule calls in several OS processes against one sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_agents(sandbox_dir: Path, jobs: list[list[tuple]], timeout: float = 300,
               barrier: str = "") -> list[list]:
    """Start one process per job, release them together, return each one's results.

    A job is a list of ``(zone, rule, args, user)`` calls. All processes are started and open
    the sandbox first (each says ``ready``); the jobs are then written one after the other, so
    the agents' calls overlap. With ``barrier`` every agent stops before its first Handle PUT
    whose body contains that text, and all are released together once all stand there (an
    agent that finishes without reaching it is not waited for).
    """
    agents = [subprocess.Popen([sys.executable, "-m", "tests.sandbox.durability.agent",
                                str(sandbox_dir)], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in jobs]
    for agent in agents:  # the start gate: every agent has its sandbox open
        assert agent.stdout is not None
        line = agent.stdout.readline()
        assert line.strip() == "ready", (line, agent.stderr.read() if agent.stderr else "")
    for agent, job in zip(agents, jobs):
        assert agent.stdin is not None
        agent.stdin.write(json.dumps({"calls": [list(call) for call in job],
                                      "barrier": barrier}) + "\n")
        agent.stdin.flush()
    early: dict[int, str] = {}
    if barrier:  # wait until every agent stands at the barrier (or has finished)
        for number, agent in enumerate(agents):
            assert agent.stdout is not None
            line = agent.stdout.readline()
            if line.strip() != "barrier":
                early[number] = line
    for number, agent in enumerate(agents):
        assert agent.stdin is not None
        if barrier and number not in early:  # one that finished early has exited
            agent.stdin.write("go\n")
        agent.stdin.close()
        agent.stdin = None  # written and closed: communicate() must not flush it
    results = []
    for number, agent in enumerate(agents):
        out, err = agent.communicate(timeout=timeout)
        assert agent.returncode == 0, err[-3000:]
        out = early.get(number, "") + out
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results
