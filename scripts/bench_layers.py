"""Who spent the CPU: b2safe (the ruleset) or the server it runs in (the emulator).

Two measurers, used by ``scripts/bench_common.py``:

* :class:`BoundaryClock` (the b2safe CPU column): the sandbox runs every piece of rule code
  through ``engine.call_rule_code`` and rule code reaches the server only through
  ``engine.dispatch`` (``callback.<name>(...)``: microservices, nested rules). The clock wraps
  both and charges the main thread's CPU between two crossings to the side that was running,
  with a stack for nesting (a rule calls a microservice that fires a PEP whose rule calls a
  microservice...). It is what an agent of a real server would spend in b2safe's Python, PREP's
  ``genquery`` module included (it runs in the rule's interpreter on a real server too), with
  everything the server does for a microservice or a PEP taken out. Its cost: two clock
  readings per crossing (0.3 us each here), a few crossings per object. CPU of the process's
  other threads is b2safe's: the Handle servers run in a process of their own, so the only
  other threads are b2safe's PID workers; :meth:`BoundaryClock.snapshot` names them and refuses
  when any other thread is alive.
* :class:`LayerProfiler` (the cross-check, ``*_profiled`` columns): a profile hook on every
  Python call, owners by file; see its docstring and :func:`attribute` for the correction its
  own dispatch cost needs. It also splits the server's side into emulator and Handle server.
"""

from __future__ import annotations

import sys
import threading
import time
from types import FrameType
from typing import Any, Callable, Optional

_B2SAFE = "/b2safe/"
_SANDBOX = "/b2safe_sandbox/"
_HANDLE = "/b2safe_sandbox/handle_server/"
LAYERS = ("b2safe", "emulator", "handle_server", "other")


def _owner_of(filename: str) -> Optional[str]:
    if _HANDLE in filename:
        return "handle_server"
    if _SANDBOX in filename:
        return "emulator"
    if _B2SAFE in filename:
        return "b2safe"
    return None


class LayerProfiler:
    """CPU seconds per layer (see the module docstring) while installed.

    The profile function's own work between its two clock readings is not charged, but what
    it costs to get there is: the interpreter's dispatch of every event (building the call,
    entering and leaving the Python function, about 0.8 us here) falls between two readings
    and is charged to the layer on top of the stack. A layer that makes many small Python (or
    builtin) calls per second of work is then charged far more than it spends: two layers
    burning known CPU, one in 200,000 one-line calls and one in 60 long C calls, split 24:76
    unprofiled and 88:12 as charged (tests/unit/test_layer_profiler.py). So each layer's
    charged time counts its intervals (``events``), and :func:`attribute` subtracts the same
    dispatch cost from every interval, the cost that makes the profiled run's charged CPU equal
    to the CPU the same work took unprofiled (the plain run's).
    """

    def __init__(self) -> None:
        self.cpu = dict.fromkeys(LAYERS, 0.0)
        self.events = dict.fromkeys(LAYERS, 0)
        self._owners: dict[Any, Optional[str]] = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def _event(self, frame: FrameType, event: str, arg: Any) -> None:
        now = time.thread_time()
        local = self._local
        stack = getattr(local, "stack", None)
        if stack is None:
            # The Handle server's request threads start in the stdlib (socketserver); their
            # HTTP parsing is the server's cost too.
            root = ("handle_server" if "process_request_thread" in threading.current_thread().name
                    else "other")
            stack = local.stack = [root]
            local.last = now
        with self._lock:
            self.cpu[stack[-1]] += now - local.last
            self.events[stack[-1]] += 1
        if event == "call":
            code = frame.f_code
            owner = self._owners.get(code, "")
            if owner == "":
                owner = self._owners[code] = _owner_of(code.co_filename)
            stack.append(owner or stack[-1])
        elif event == "return" and len(stack) > 1:
            stack.pop()
        local.last = time.thread_time()

    def snapshot(self) -> tuple[dict[str, float], dict[str, int]]:
        """Copies of (CPU seconds, intervals) per layer so far (without the lock: this runs
        profiled, and each copy is one call that another thread's event cannot split)."""
        return dict(self.cpu), dict(self.events)

    def install(self) -> None:
        """Profile this thread and every thread started from now on (until :meth:`uninstall`;
        installing twice changes nothing). Threads started before are not seen: a benchmark
        that starts the rule engine first (its PID worker pool) installs before that."""
        if not getattr(self, "_installed", False):
            self._installed = True
            threading.setprofile(self._event)
            sys.setprofile(self._event)

    def uninstall(self) -> None:
        """Stop profiling (threads still running keep their hook until they end)."""
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        self._installed = False

    def __enter__(self) -> LayerProfiler:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def attribute(charged: dict[str, float], events: dict[str, int], unprofiled: float
              ) -> tuple[dict[str, float], float]:
    """CPU seconds per layer of work that took ``unprofiled`` CPU seconds without a profiler,
    from what :class:`LayerProfiler` ``charged`` per layer and its intervals (``events``) for the
    same work: every interval is charged the profiler's dispatch besides its work, the same
    cost ``leak`` for each, so ``leak = (sum(charged) - unprofiled) / sum(events)`` and each
    layer's work is its charge less ``events * leak`` (not below 0). Returns (CPU per layer,
    leak in seconds per interval). Assumes one dispatch cost for every interval (measured:
    0.8-0.9 us here for a Python call, a return or a builtin call alike); what a profiler
    slows otherwise (caches) is spread in proportion to intervals too."""
    total = sum(events.values())
    leak = max(0.0, (sum(charged.values()) - unprofiled) / total) if total else 0.0
    return {layer: max(0.0, charged[layer] - events[layer] * leak) for layer in charged}, leak



#: Names of the threads b2safe starts (rest.py's PID pool and pyhandle's connect, transport's
#: deadline watcher); CPU of threads other than the rule's is charged to b2safe only when all
#: alive are among these.
B2SAFE_THREADS = ("b2safe-pid", "pyhandle-connect")
SIDES = ("b2safe", "server")


class BoundaryClock:
    """CPU seconds of each side, b2safe and the server, while installed (module docstring).

    The main thread starts on the server's side (the benchmark driving the sandbox is the
    client and server of a real site); install before the first rule call and read
    :meth:`snapshot` around what is measured.
    """

    def __init__(self) -> None:
        self.cpu = dict.fromkeys(SIDES, 0.0)
        self.crossings = 0
        self._stack = ["server"]
        self._last = 0.0
        self._main: Optional[int] = None
        self._saved: Optional[tuple[Any, Any]] = None

    def _cross(self, side: Optional[str]) -> None:
        """Charge the main thread's CPU since the last crossing; enter ``side`` (None: leave)."""
        now = time.thread_time()
        self.cpu[self._stack[-1]] += now - self._last
        if side is None:
            self._stack.pop()
        else:
            self._stack.append(side)
        self.crossings += 1
        self._last = time.thread_time()

    def _wrapped(self, fn: Callable[..., Any], side: str) -> Callable[..., Any]:
        clock = self

        def crossing(*args: Any) -> Any:
            if threading.get_ident() != clock._main:  # PREP allows none; pass through
                return fn(*args)
            clock._cross(side)
            try:
                return fn(*args)
            finally:
                clock._cross(None)

        return crossing

    def install(self) -> None:
        """Wrap the two crossings (installing twice changes nothing)."""
        from b2safe_sandbox.runtime import engine

        if self._saved is not None:
            return
        self._main = threading.get_ident()
        self._saved = (engine.call_rule_code, engine.dispatch)
        engine.call_rule_code = self._wrapped(engine.call_rule_code, "b2safe")  # type: ignore[assignment]
        engine.dispatch = self._wrapped(engine.dispatch, "server")  # type: ignore[assignment]
        self._last = time.thread_time()

    @property
    def installed(self) -> bool:
        """Whether the crossings are wrapped."""
        return self._saved is not None

    def uninstall(self) -> None:
        """Put the engine's functions back."""
        from b2safe_sandbox.runtime import engine

        if self._saved is not None:
            engine.call_rule_code, engine.dispatch = self._saved  # type: ignore[assignment]
            self._saved = None

    def snapshot(self) -> dict[str, float]:
        """CPU seconds per side so far, the process's other threads on b2safe's (read from the
        main thread, outside rule code).

        Raises:
            RuntimeError: a thread b2safe did not start is alive (its CPU would be charged to
                b2safe), e.g. Handle servers in this process.
        """
        now = time.thread_time()
        foreign = [t.name for t in threading.enumerate()
                   if t.ident != self._main and not t.name.startswith(B2SAFE_THREADS)]
        if foreign:
            raise RuntimeError(f"threads other than b2safe's are alive ({', '.join(foreign)}): "
                               "their CPU cannot be told from b2safe's")
        cpu = dict(self.cpu)
        cpu[self._stack[-1]] += now - self._last
        cpu["b2safe"] += time.process_time() - now
        return cpu

    def __enter__(self) -> BoundaryClock:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()
