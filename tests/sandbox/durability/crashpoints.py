"""A crash-point harness: kill the agent at each step of a workflow in turn, recover, check.

A *step* is every microservice call (any zone; the sandbox runtime's dispatch), every HTTP
request to a Handle server (record reads and writes on b2safe's http.client transport,
:class:`~b2safe.adapters.handle.transport.HandleHttp`, and pyhandle's ``requests`` calls, in
this process) and the entry of every PEP
that the zone's core.py implements (so "after the unlink, before its post-PEP" is a crash point
even where the post-PEP would call no microservice first). :class:`Steps` counts
them and, at step ``n``, raises :class:`AgentCrash` (a ``BaseException`` no rule code catches):
the request or microservice is not carried out and the agent is dead, so every later step of
that run dies too. Set ``pid.workers`` to 1 so that steps come in one order.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

import requests
from b2safe_sandbox.runtime import engine, peps
from b2safe_sandbox.runtime.faults import AgentCrash

from b2safe.adapters.handle.transport import HandleHttp


class Steps:
    """Counts steps; kills the agent at step ``crash_at`` (1-based; None: never), or at the
    first step whose name ends with ``crash_on``."""

    def __init__(self, crash_at: Optional[int] = None, crash_on: str = "") -> None:
        self.crash_at = crash_at
        self.crash_on = crash_on
        self.names: list[str] = []
        self.dead = False

    def step(self, name: str) -> None:
        """One step named ``name`` is about to happen."""
        if self.dead:
            raise AgentCrash(f"the agent is dead ({name} not done)")
        self.names.append(name)
        if len(self.names) == self.crash_at or (self.crash_on and name.endswith(self.crash_on)):
            self.dead = True
            raise AgentCrash(f"agent killed before step {self.crash_at}: {name}")


@contextlib.contextmanager
def counting(steps: Steps) -> Iterator[Steps]:
    """Route every microservice call and Handle request of this process through ``steps``."""
    original_msi = engine._call_msi
    original_send = requests.adapters.HTTPAdapter.send
    original_fire = peps.fire
    original_http = HandleHttp.send

    def call_msi(ctx: Any, name: str, args: list) -> dict:
        steps.step(f"{ctx.zone}:{name}")
        return original_msi(ctx, name, args)

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        path = request.path_url.split("?")[0]
        steps.step(f"HTTP {request.method} {path[:40]}")
        return original_send(self, request, *args, **kwargs)

    def http_send(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
        steps.step(f"HTTP {method} {path[:40]}")
        return original_http(self, method, url, *args, **kwargs)

    def fire(base: Any, zone: str, name: str, *args: Any, **kwargs: Any) -> Any:
        core = base.sandbox.zone(zone).env.modules.get("core")
        if core is not None and hasattr(core, name):
            steps.step(f"{zone}:PEP {name}")
        return original_fire(base, zone, name, *args, **kwargs)

    engine._call_msi = call_msi
    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
    peps.fire = fire
    HandleHttp.send = http_send  # type: ignore[method-assign]
    try:
        yield steps
    finally:
        HandleHttp.send = original_http  # type: ignore[method-assign]
        engine._call_msi = original_msi
        requests.adapters.HTTPAdapter.send = original_send  # type: ignore[method-assign]
        peps.fire = original_fire


@dataclass
class Outcome:
    """One crash point: the step killed, and the invariant problems found after recovery."""

    point: int
    step: str
    problems: list[str] = field(default_factory=list)


def sweep(prepare: Callable[[int], None], run: Callable[[int], None],
          recover: Callable[[int], None], check: Callable[[int], list[str]],
          limit: int = 400) -> list[Outcome]:
    """``prepare(trial)``, then crash ``run(trial)`` before step 1, then 2, ... until a run
    completes; after each, ``recover(trial)`` and ``check(trial)`` (invariant problems, []
    when all hold). ``trial`` numbers the attempts so each can use its own objects."""
    outcomes: list[Outcome] = []
    for point in range(1, limit + 1):
        prepare(point)
        steps = Steps(crash_at=point)
        with counting(steps):
            try:
                run(point)
            except AgentCrash:
                pass
        if not steps.dead:
            return outcomes  # the run finished before that step: every step was covered
        recover(point)
        outcomes.append(Outcome(point, steps.names[-1], check(point)))
    raise AssertionError(f"the workflow still had steps after {limit} crash points")


def table(results: dict[str, list[Outcome]]) -> str:
    """Workflow x crash point -> invariants held, as text."""
    lines = [f"{'workflow':<34} {'point':>5}  {'step killed':<46} invariants"]
    for workflow, outcomes in results.items():
        for outcome in outcomes:
            verdict = "held" if not outcome.problems else "; ".join(outcome.problems)[:120]
            lines.append(f"{workflow:<34} {outcome.point:>5}  {outcome.step:<46} {verdict}")
    return "\n".join(lines)


def assert_all_held(results: dict[str, list[Outcome]], capsys: Any) -> None:
    """Print the table (shown with ``pytest -s``) and fail on any crash point whose recovery
    left an invariant broken, or a workflow without a single step."""
    text = table(results)
    with capsys.disabled():
        print("\n" + text)
    failed = [line for line in text.splitlines()[1:] if not line.endswith(" held")]
    assert all(results.values()), "a workflow ran without a single step"
    assert failed == []
