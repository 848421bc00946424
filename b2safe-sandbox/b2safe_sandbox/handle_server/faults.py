"""Fault injection for the sandbox Handle server: failing statuses, dropped connections, stalls,
latency.

Latency is waited out by each request on its own thread, side by side: a Handle server answers
requests on a pool of threads (handle.net server manual, section 6 "config.dct":
``num_threads``, "How many threads should be reserved for answering requests", per
interface), so K clients waiting on it are answered K at a time, not one after the other.

Rules are consumed in the order they were added; a rule applies to the next ``count`` requests
whose method is in ``methods`` (any method when empty).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Optional

FAIL = "fail"
DROP_BEFORE = "drop_before"
DROP_AFTER = "drop_after"
STALL = "stall"


@dataclass
class Fault:
    """One injected fault: its kind, the HTTP status for ``fail``, and how many remain."""

    kind: str
    remaining: int
    status: int = 500
    methods: frozenset = frozenset()

    def applies_to(self, method: str) -> bool:
        """Whether this fault is for ``method``."""
        return not self.methods or method.upper() in self.methods


class Faults:
    """The server's fault plan; thread-safe. ``latency_ms`` delays every request."""

    def __init__(self, latency_ms: int = 0) -> None:
        self._lock = threading.Lock()
        self._delaying = threading.Condition(self._lock)
        self._waiting = 0
        self._rules: list[Fault] = []
        self._released = threading.Event()
        self.latency_ms = int(latency_ms)

    def fail_next(self, count: int = 1, status: int = 500,
                  methods: Iterable[str] = ()) -> None:
        """Answer the next ``count`` requests with HTTP ``status`` (responseCode 2 for 5xx)."""
        self._add(Fault(FAIL, int(count), int(status), _methods(methods)))

    def drop_next(self, count: int = 1, *, after: bool = False,
                  methods: Iterable[str] = ()) -> None:
        """Close the connection without a response on the next ``count`` requests.

        With ``after=True`` the request is carried out first and only the response is lost
        (a timed-out create that did happen); otherwise nothing is done.
        """
        self._add(Fault(DROP_AFTER if after else DROP_BEFORE, int(count),
                        methods=_methods(methods)))

    def stall_next(self, count: int = 1, methods: Iterable[str] = ()) -> None:
        """Accept the next ``count`` requests and never answer them (no status line, no
        headers) until :meth:`clear` or the server stops; then the connection is dropped. A
        client's only way out is its own deadline."""
        self._add(Fault(STALL, int(count), methods=_methods(methods)))

    def delay(self) -> None:
        """Wait out ``latency_ms`` for one request (ends early on :meth:`release`); many
        requests wait at once (see the module doc)."""
        if self.latency_ms <= 0:
            return
        with self._lock:
            released = self._released
            self._waiting += 1
            self._delaying.notify_all()
        try:
            released.wait(self.latency_ms / 1000.0)
        finally:
            with self._lock:
                self._waiting -= 1

    def wait_delaying(self, count: int, timeout: float) -> bool:
        """Whether ``count`` requests are waiting out their latency at once within ``timeout``
        seconds (tests use it to see requests overlap)."""
        with self._delaying:
            return self._delaying.wait_for(lambda: self._waiting >= count, timeout)

    def wait_released(self) -> None:
        """Block a stalled request until :meth:`clear` (or :meth:`release`)."""
        self._released.wait()

    def release(self) -> None:
        """Let every stalled request end (dropped) and every latency wait end; later stalls and
        latencies wait again."""
        with self._lock:
            released, self._released = self._released, threading.Event()
        released.set()

    def clear(self) -> None:
        """Forget every pending fault and the latency; release stalled requests."""
        with self._lock:
            self._rules.clear()
            self.latency_ms = 0
        self.release()

    def pending(self) -> int:
        """How many injected faults have not fired yet."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def take(self, method: str) -> Optional[Fault]:
        """The fault for this request (consuming one), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.remaining > 0 and rule.applies_to(method):
                    rule.remaining -= 1
                    fired = Fault(rule.kind, 0, rule.status, rule.methods)
                    self._rules = [r for r in self._rules if r.remaining > 0]
                    return fired
        return None

    def _add(self, fault: Fault) -> None:
        if fault.remaining > 0:
            with self._lock:
                self._rules.append(fault)


def _methods(methods: Iterable[str]) -> frozenset:
    if isinstance(methods, str):
        methods = [methods]
    return frozenset(method.upper() for method in methods)
