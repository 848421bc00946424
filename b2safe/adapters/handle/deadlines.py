"""Overall deadlines of Handle requests made over sockets that b2safe holds (the http.client
engine of :mod:`.transport`, and requests/urllib3 under pyhandle in :mod:`.rest`): one watchdog
thread for all requests shuts down the socket of a request past its deadline, which wakes a
connect, a header read or a body read blocked on a server that stalls or drips (a per-read
timeout alone never ends a server that sends one byte per timeout). libcurl counts its deadline
itself (``TIMEOUT_MS``) and needs none of this."""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from typing import Any, Callable, Optional


class _Watchdog:
    """One daemon thread that fires every registered deadline when it is due (a thread per
    request, as ``threading.Timer`` starts, costs more CPU than the request itself)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int]] = []
        self._pending: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def watch(self, seconds: float, fire: Callable[[], None]) -> int:
        """Call ``fire()`` in ``seconds`` unless :meth:`cancel` is called first; returns the
        token for :meth:`cancel`."""
        token = next(self._ids)
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            self._pending[token] = fire
            if self._thread is None:  # it never ends (see _run; a forked child gets its own)
                self._thread = threading.Thread(target=self._run, name="b2safe-pid-deadlines",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][1] == token:
                self._cond.notify()
        return token

    def cancel(self, token: int) -> None:
        """Forget deadline ``token`` (it has fired or will not). Cancelled entries leave the
        heap when they reach its top; when they outnumber the pending ones (every request of
        the last deadline's span), the heap is rebuilt from the pending ones, so it stays as
        large as the requests in flight, not as the requests made."""
        with self._cond:
            self._pending.pop(token, None)
            if len(self._heap) > 2 * len(self._pending) + 64:
                self._heap = [entry for entry in self._heap if entry[1] in self._pending]
                heapq.heapify(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._pending:
                    heapq.heappop(self._heap)  # cancelled
                if not self._heap:
                    self._cond.wait(60.0)
                    continue
                due, token = self._heap[0]
                if due > time.monotonic():
                    self._cond.wait(due - time.monotonic())
                    continue
                heapq.heappop(self._heap)
                fire = self._pending.pop(token)
            try:
                fire()
            except Exception:  # one deadline that failed to fire must not stop the others
                logging.getLogger(__name__).exception("a Handle request deadline failed")


_WATCHDOG = _Watchdog()


def _forget_after_fork() -> None:
    """In a forked child, a watchdog of its own: the parent's thread did not come along, its
    pending deadlines are the parent's requests, and its lock may have been held at the fork."""
    global _WATCHDOG
    _WATCHDOG = _Watchdog()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class Deadline:
    """One request's overall deadline, a context manager (:func:`watched`): when it fires it
    shuts down the socket of every connection the request took from the pool, which wakes a
    connect, a header read or a body read blocked on a server that stalls or drips (a per-read
    timeout alone never ends a server that sends one byte per timeout)."""

    __slots__ = ("_connections", "_failures", "_lock", "_timeout", "_token", "expired",
                 "seconds")

    def __init__(self, seconds: float, failures: tuple[type[BaseException], ...] = (),
                 timeout: type[BaseException] = TimeoutError) -> None:
        self.seconds = seconds
        self.expired = False
        self._failures = failures
        self._timeout = timeout
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._token: Optional[int] = None

    def start(self) -> None:
        """Start counting."""
        self._token = _WATCHDOG.watch(self.seconds, self._expire)

    def cancel(self) -> None:
        """The request ended in time (or otherwise): stop watching."""
        if self._token is not None:
            _WATCHDOG.cancel(self._token)

    def attach(self, connection: Any) -> None:
        """Watch ``connection``: a socket, a connection holding one in ``sock`` (http.client's,
        urllib3's) or an urllib3 response read from one."""
        with self._lock:
            self._connections.append(connection)
            late = self.expired
        if late:
            shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            shut(connection)

    def __enter__(self) -> Deadline:
        request_deadline.deadline = self
        self.start()
        return self

    def __exit__(self, kind: Optional[type[BaseException]], *_: Any) -> None:
        request_deadline.deadline = None
        self.cancel()
        if self.expired and (kind is None or issubclass(kind, self._failures)):
            raise self._timeout(f"no complete answer within {self.seconds:.1f}s") from None


def shut(connection: Any) -> None:
    """Shut down a socket, the socket of a connection, or that of an urllib3 response whose
    connection handed its socket over (http.client closes a connection that will close, keeping
    the socket in the response: urllib3 HTTPResponse -> http.client HTTPResponse -> SocketIO ->
    socket)."""
    sock = connection if isinstance(connection, socket.socket) else \
        getattr(connection, "sock", None)
    if sock is None:
        fp = getattr(getattr(connection, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


#: The deadline of the request this thread is sending (one request per thread at a time).
request_deadline = threading.local()


def watched(seconds: float, failures: tuple[type[BaseException], ...],
            timeout: type[BaseException]) -> Deadline:
    """A :class:`Deadline` of ``seconds`` to run one request under (``with``; the connections
    the thread takes from a watched pool are attached to it). A failure of a type in
    ``failures`` after the deadline fired, or a request that completed just as it fired (its
    last bytes raced the watchdog: not trusted), raises ``timeout`` instead."""
    return Deadline(seconds, failures, timeout)
