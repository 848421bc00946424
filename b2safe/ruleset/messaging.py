"""B2SAFE 4.x's messaging and fail-queue rules (eudat.re ``EUDATMessage``, ``EUDATQueue``).

``EUDATMessage`` publishes to an ARGO-compatible messaging endpoint when ``messaging.enabled``
(:mod:`b2safe.adapters.messaging.argo`), and returns "None" without sending when it is off, as
4.x did. ``EUDATPush*Metadata`` (in ``b2safe.re``) gather metadata and call it.
``EUDATQueue`` keeps 4.x's calling form and answers over b2safe's fail log in the catalog;
``EUDATLog`` writes 4.x's log line to the server log. All of them are authorized by the
authorization map's ``message`` action (:mod:`b2safe.domain.authz`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import TYPE_CHECKING, Optional

from b2safe.domain import authz
from b2safe.errors import B2SafeError, InvalidInput
from b2safe.prep import RuleContext, rule
from b2safe.ruleset.guard import authorize
from b2safe.ruleset.replication import log_transfer, replicator

if TYPE_CHECKING:
    from b2safe.adapters.messaging.argo import ArgoPublisher

logger = logging.getLogger("b2safe.ruleset.messaging")

_CACHE: dict[tuple[str, int, int], ArgoPublisher] = {}
_LOCK = threading.Lock()
MAX_MESSAGE = 1 << 20


def publisher(ctx: RuleContext) -> Optional[ArgoPublisher]:
    """The process-wide publisher for ``messaging.credentials_file`` (None when messaging is
    off); re-read when the file changes."""
    messaging = ctx.config.messaging
    if not messaging.enabled:
        return None
    path = messaging.credentials_file
    try:
        info = os.stat(path) if path else None
    except OSError:
        info = None
    key = (path, info.st_mtime_ns if info else 0, info.st_ino if info else 0)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            # Imported here: the publisher pulls in ``requests``, which no other rule of this
            # module needs (every agent imports every rule module; issue 19's start cost).
            from b2safe.adapters.messaging.argo import ArgoPublisher, load_settings

            cached = ArgoPublisher(load_settings(path))
            _CACHE.clear()
            _CACHE[key] = cached
        return cached


@rule("EUDATMessage", forms=[("queue", "message"), ("queue", "message", "OUT result")],
      errors=("InvalidInput", "AccessDenied", "ConfigError", "MessagingError"),
      returns_into="message")
def eudat_message(ctx: RuleContext, queue: str, message: str) -> str:
    """Publish ``message`` to topic ``queue`` when messaging is on; "None" (nothing sent) when
    it is off (4.x).

    ``queue`` "None" creates a topic named by the MD5 of the message, and its subscription
    ``<topic>_NOTIFY``, publishes the message to the control topic (``control_topic`` of the
    credentials file, "B2SAFE") and returns the new topic's name, as 4.x's ``EUDATMessage``.
    The 2-argument 4.x form writes the result over ``message``. The authorization map must
    allow the caller action ``message`` on target ``queue`` (also when messaging is off).
    """
    authorize(ctx, authz.MESSAGE, queue)
    sender = publisher(ctx)
    if sender is None:
        logger.debug("messaging is not enabled: not sent to topic %r", queue[:80])
        return "None"
    if not message or len(message) > MAX_MESSAGE:
        raise InvalidInput(f"message must be 1 to {MAX_MESSAGE} characters")
    result = "None"
    if queue == "None":
        result = sender.create_topic(hashlib.md5(message.encode("utf-8")).hexdigest())  # noqa: S324
        sender.create_subscription(f"{result}_NOTIFY", result)
        queue = sender.settings.control_topic
    message_id = sender.publish(queue, message)
    logger.info("message %s published to topic %s", message_id, queue)
    return result


#: 4.x's log levels (logmanager.py); anything else was "no log level defined".
LOG_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
              "ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}


@rule("EUDATLog", params=("message", "level"), errors=("InvalidInput", "AccessDenied"))
def eudat_log(ctx: RuleContext, message: str, level: str) -> None:
    """4.x's ``EUDATLog``: one line ``EUDAT <level>: <message>`` in the server log (4.x wrote
    ``LOG_DIR/b2safe.log`` through ``logmanager.py``). ``level``: DEBUG, INFO, WARNING, ERROR or
    CRITICAL. Needs the authorization map's ``message`` action on target ``log``.
    """
    authorize(ctx, authz.MESSAGE, "log")
    if level not in LOG_LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LOG_LEVELS)}, not {level[:20]!r}")
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(f"message must be at most {MAX_MESSAGE} characters")
    logger.log(max(LOG_LEVELS[level], logging.INFO), "EUDAT %s: %s", level,
               " ".join(message.split()))


@rule("EUDATQueue", params=("action", "message", "number"),
      errors=("InvalidInput", "InvalidPath", "NotFound", "AccessDenied"), returns_into="message")
def eudat_queue(ctx: RuleContext, action: str, message: str, number: str) -> str:
    """4.x's fail queue (``logmanager.py`` over ``LOG_DIR/b2safe.queue``), kept in b2safe's fail
    log (the catalog), with 4.x's answers written over ``message``:

    * ``push`` a ``"source::destination::status::cause"`` record (split at ``::`` only, so
      paths may contain ``:``): it becomes a fail-log record of the caller, authorized as
      ``EUDATUpdateLogging`` authorizes it;
    * ``queuesize``: the number of records in the queue, as a decimal string;
    * ``pop``: takes the oldest record off the queue and gives its message (``"None"`` when the
      queue is empty, as 4.x printed it); with ``number`` > 1 up to that many, as 4.x printed
      a Python list without its brackets: ``'m1', 'm2'`` ("" when empty).

    The queue of a rodsadmin is every record b2safe signed; of another user, the records of
    work that user asked for. Needs the authorization map's ``message`` action on target
    ``queue``. A popped record is the caller's to carry out (4.x's ``EUDATTransferUsingFailLog``
    replicated each and a failure pushed it again).
    """
    authorize(ctx, authz.MESSAGE, "queue")
    if action == "push":
        parts = message.split("::", 3)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InvalidInput("EUDATQueue push takes \"source::destination::status::cause\", "
                               f"not {message[:120]!r}")
        status = parts[2] if len(parts) > 2 else "false"
        cause = parts[3] if len(parts) > 3 else ""
        log_transfer(ctx, status or "false", parts[0], parts[1], cause)
        return message
    if action not in ("pop", "queuesize"):
        raise InvalidInput(f"action must be push, pop or queuesize, not {action[:20]!r}")
    caller = ctx.caller
    user = "" if caller is not None and caller.is_admin else str(caller or "unknown#unknown")
    faillog = replicator(ctx).faillog
    records = faillog.queued(user)
    if action == "queuesize":
        return str(len(records))
    wanted = _count(number)
    popped: list[str] = []
    for record in records:
        if len(popped) >= wanted:
            break
        try:
            faillog.clear(record.location or record.source, record.kind, record.destination)
        except B2SafeError as exc:  # not the caller's to remove: left in the queue
            logger.warning("EUDATQueue pop: %s -> %s stays queued: %s", record.source,
                           record.destination, exc)
            continue
        popped.append(record.message)
    if wanted > 1:
        return ", ".join(repr(text) for text in popped)
    return popped[0] if popped else "None"


def _count(number: str) -> int:
    """4.x's ``int(*number)`` of a pop (at least one record)."""
    text = number.strip()
    if not text.lstrip("-").isdigit() or len(text) > 9:
        raise InvalidInput(f"number must be an integer, not {number[:20]!r}")
    return max(int(text), 1)
