"""Retry policy for Handle requests: bounded attempts, exponential backoff with jitter.

Only transient failures are retried: connection errors, timeouts and HTTP 5xx. A 4xx answer is
the server's considered reply and is never retried.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

T = TypeVar("T")


class Transient(Exception):
    """A failure worth retrying; ``reason`` says what happened (no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RetryPolicy:
    """``retries`` extra attempts after the first; waits ``backoff * 2**n`` scaled by a jitter
    factor in [0.5, 1.5), capped at ``max_wait`` seconds."""

    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based)."""
        base = self.backoff * (2 ** attempt)
        return min(self.max_wait, base * (0.5 + self.rng.random()))

    def run(self, attempt_fn: Callable[[int], T], on_retry: Callable[[int, Transient], None]
            = lambda attempt, exc: None) -> T:
        """Call ``attempt_fn(n)`` until it returns; re-raise the last Transient when exhausted.

        Non-Transient exceptions propagate at once.
        """
        attempt = 0
        while True:
            try:
                return attempt_fn(attempt)
            except Transient as exc:
                if attempt >= self.retries:
                    raise
                on_retry(attempt, exc)
                wait = self.delay(attempt)
                if wait > 0:
                    self.sleep(wait)
                attempt += 1
