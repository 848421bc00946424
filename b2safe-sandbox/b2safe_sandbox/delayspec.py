"""delayExec conditions and the EF (execution frequency) grammar, as pure functions.

A delayExec condition is a sequence of tags, e.g.
``<INST_NAME>irods_rule_engine_plugin-python-instance</INST_NAME><PLUSET>30s</PLUSET><EF>1h</EF>``
(prep-runtime.md §6; irods ``irods_re_structs.cpp:fillSubmitConditions``). Malformed tags give
``INPUT_ARG_NOT_WELL_FORMED_ERR`` (-1084000).

The EF value (irods ``rcMisc.cpp:getNextRepeatTime``) must start with ``<n><unit>``:

========================================  ==================================================
``1h`` / ``1h REPEAT FOR EVER``           every hour, for ever
``10m REPEAT UNTIL SUCCESS``              until one run succeeds
``1h REPEAT 5 TIMES``                     five runs in all
``1h REPEAT UNTIL <time>``                while the next run would be at or before <time>
``1h REPEAT UNTIL SUCCESS OR 5 TIMES``    until success, at most five runs
``1h DOUBLE ...``                         the same, the interval doubling after every run
========================================  ==================================================

All times are epoch seconds (ints); the sandbox clock supplies "now".
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

from b2safe_sandbox.errors import INPUT_ARG_NOT_WELL_FORMED_ERR, IrodsCallError

#: Tags fillSubmitConditions understands.
KNOWN_TAGS = ("ET", "PLUSET", "EF", "PRIORITY", "INST_NAME", "EA")

#: Seconds per unit letter of the iRODS duration syntax (``y`` = 365 days).
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}

# Guess: iRODS stores priority "5" when no <PRIORITY> is given (the middle of 1..9).
DEFAULT_PRIORITY = 5

_TAG_RE = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>(.*?)</([A-Za-z_][A-Za-z0-9_]*)>", re.DOTALL)
_DURATION_RE = re.compile(r"^(\d+)([smhdy]?)$")
_CLOCK_RE = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[.T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$")


def _malformed(message: str) -> IrodsCallError:
    return IrodsCallError(message, code=INPUT_ARG_NOT_WELL_FORMED_ERR, operation="delayExec")


# ---------------------------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """Seconds of an iRODS relative time: ``30``, ``30s``, ``5m``, ``1h``, ``2d``, ``1y``,
    ``hh:mm`` or ``hh:mm:ss``.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for anything else.
    """
    value = text.strip()
    match = _DURATION_RE.match(value)
    if match:
        return int(match.group(1)) * UNIT_SECONDS[match.group(2) or "s"]
    match = _CLOCK_RE.match(value)
    if match:
        hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "0"
        if int(minutes) > 59 or int(seconds) > 59:
            raise _malformed(f"bad time {text!r}")
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    raise _malformed(f"bad relative time {text!r}")


def parse_time(text: str) -> int:
    """Epoch seconds of an iRODS absolute time: epoch digits, ``YYYY-MM-DD``,
    ``YYYY-MM-DD.hh:mm`` or ``YYYY-MM-DD.hh:mm:ss``.

    Guess: the server interprets dates in its local time zone; the sandbox uses UTC so that runs
    are reproducible.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for anything else.
    """
    value = text.strip()
    if value.isdigit():
        return int(value)
    match = _DATE_RE.match(value)
    if not match:
        raise _malformed(f"bad absolute time {text!r}")
    parts = [int(p) if p else 0 for p in match.groups()]
    year, month, day, hour, minute, second = parts
    try:
        stamp = (year, month, day, hour, minute, second, 0, 0, 0)
        time.strptime(f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}",
                      "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise _malformed(f"bad absolute time {text!r}") from None
    return calendar.timegm(stamp)


def format_time(epoch: int) -> str:
    """``YYYY-MM-DD.hh:mm:ss`` (UTC) of an epoch time, as ``msiGetSystemTime(.., 'human')``."""
    return time.strftime("%Y-%m-%d.%H:%M:%S", time.gmtime(int(epoch)))


# ---------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelayCondition:
    """A parsed delayExec condition.

    ``plus_set_seconds`` and ``exe_time`` are None when their tag is absent; ``frequency`` is the
    raw EF text ('' for a one-shot rule); ``exe_address`` is the ``<EA>`` host ('' if absent).
    """

    inst_name: str = ""
    plus_set_seconds: Optional[int] = None
    exe_time: Optional[int] = None
    frequency: str = ""
    priority: int = DEFAULT_PRIORITY
    exe_address: str = ""

    def due_time(self, now: int) -> int:
        """When the rule first becomes due, given the scheduling time ``now``."""
        if self.exe_time is not None:
            return self.exe_time
        return int(now) + (self.plus_set_seconds or 0)


def split_tags(text: str) -> List[Tuple[str, str]]:
    """The ``(tag, value)`` pairs of a condition string, in order.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR when a tag is unclosed, closed by another
        name, or text other than whitespace stands between tags.
    """
    pairs: List[Tuple[str, str]] = []
    pos = 0
    for match in _TAG_RE.finditer(text):
        between = text[pos:match.start()]
        if between.strip():
            raise _malformed(f"unexpected text {between.strip()!r} in delay condition")
        opening, value, closing = match.group(1), match.group(2), match.group(3)
        if opening != closing:
            raise _malformed(f"tag <{opening}> closed by </{closing}>")
        if "<" in value or ">" in value:
            raise _malformed(f"nested or broken tag inside <{opening}>")
        pairs.append((opening, value))
        pos = match.end()
    rest = text[pos:]
    if rest.strip():
        raise _malformed(f"unexpected text {rest.strip()!r} in delay condition")
    return pairs


def parse_condition(text: str) -> DelayCondition:
    """Parse a delayExec condition string (may be empty: run as soon as possible).

    Guess: unknown tags are ignored (iRODS keeps them in the rule's condInput) but a known tag may
    appear only once.

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR for malformed tags or values.
    """
    values = {}
    for tag, value in split_tags(text or ""):
        if tag in values and tag in KNOWN_TAGS:
            raise _malformed(f"tag <{tag}> given twice")
        values[tag] = value.strip()
    plus_set = parse_duration(values["PLUSET"]) if "PLUSET" in values else None
    exe_time = parse_time(values["ET"]) if "ET" in values else None
    frequency = values.get("EF", "")
    if frequency:
        parse_frequency(frequency)  # validate now (Guess: the sandbox rejects bad EF early)
    priority = DEFAULT_PRIORITY
    if "PRIORITY" in values:
        if not values["PRIORITY"].isdigit():
            raise _malformed(f"bad priority {values['PRIORITY']!r}")
        priority = int(values["PRIORITY"])
    return DelayCondition(inst_name=values.get("INST_NAME", ""), plus_set_seconds=plus_set,
                          exe_time=exe_time, frequency=frequency, priority=priority,
                          exe_address=values.get("EA", ""))


# ---------------------------------------------------------------------------------------------
# Frequencies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    """A parsed EF value.

    ``interval`` is the first interval in seconds; ``double`` doubles it after every run;
    ``until_success`` stops after a successful run; ``times`` caps the number of runs;
    ``until_time`` stops once the next run would be later than that epoch time.
    """

    interval: int
    double: bool = False
    until_success: bool = False
    times: Optional[int] = None
    until_time: Optional[int] = None
    text: str = ""

    @property
    def forever(self) -> bool:
        """True when nothing but removal stops the rule."""
        return not self.until_success and self.times is None and self.until_time is None

    def interval_after(self, runs_so_far: int) -> int:
        """The interval before the next run, after ``runs_so_far`` (>= 1) runs."""
        if not self.double:
            return self.interval
        return self.interval * (2 ** max(runs_so_far - 1, 0))


_EF_HEAD_RE = re.compile(r"^\s*(\d+[smhdy]?)(?:\s+(.*?))?\s*$", re.DOTALL)
_TIMES_RE = re.compile(r"^(\d+)\s+TIMES$")
_UNTIL_SUCCESS_OR_RE = re.compile(r"^UNTIL\s+SUCCESS\s+OR\s+(\d+)\s+TIMES$")


def parse_frequency(ef: str) -> Frequency:
    """Parse an EF value (see the module docstring for the grammar).

    Raises:
        IrodsCallError: INPUT_ARG_NOT_WELL_FORMED_ERR when the value does not start with
        ``<n><unit>`` or the directive is not one of the grammar's.
    """
    match = _EF_HEAD_RE.match(ef or "")
    if not match:
        raise _malformed(f"EF must start with <n><unit>: {ef!r}")
    interval = parse_duration(match.group(1))
    directive = " ".join((match.group(2) or "").split())
    if not directive:
        return Frequency(interval=interval, text=ef)
    word, _, rest = directive.partition(" ")
    if word not in ("REPEAT", "DOUBLE"):
        raise _malformed(f"EF directive must be REPEAT or DOUBLE: {ef!r}")
    double = word == "DOUBLE"
    if rest == "FOR EVER":
        return Frequency(interval=interval, double=double, text=ef)
    if rest == "UNTIL SUCCESS":
        return Frequency(interval=interval, double=double, until_success=True, text=ef)
    times = _TIMES_RE.match(rest)
    if times:
        return Frequency(interval=interval, double=double, times=int(times.group(1)), text=ef)
    both = _UNTIL_SUCCESS_OR_RE.match(rest)
    if both:
        return Frequency(interval=interval, double=double, until_success=True,
                         times=int(both.group(1)), text=ef)
    if rest.startswith("UNTIL "):
        return Frequency(interval=interval, double=double,
                         until_time=parse_time(rest[len("UNTIL "):]), text=ef)
    raise _malformed(f"unknown EF directive {rest!r} in {ef!r}")


def next_run(frequency: Union[Frequency, str, None], last_time: int, succeeded: bool,
             runs_so_far: int) -> Optional[int]:
    """When a delayed rule runs next, or None when it must be removed from the queue.

    Args:
        frequency: a :class:`Frequency`, EF text, or None/'' for a one-shot rule.
        last_time: epoch time of the run that just finished.
        succeeded: whether that run succeeded (no exception, no negative int).
        runs_so_far: number of runs including the one that just finished (>= 1).
    """
    if frequency is None or frequency == "":
        return None
    freq = parse_frequency(frequency) if isinstance(frequency, str) else frequency
    if freq.until_success and succeeded:
        return None
    if freq.times is not None and runs_so_far >= freq.times:
        return None
    when = int(last_time) + freq.interval_after(runs_so_far)
    if freq.until_time is not None and when > freq.until_time:
        return None
    return when
