"""B2SAFE 4.x's messaging and fail-queue rules (eudat.re ``EUDATMessage``, ``EUDATQueue``).

``EUDATMessage`` publishes to an ARGO-compatible messaging endpoint when ``messaging.enabled``
(:mod:`b2safe.adapters.messaging.argo`), and returns "None" without sending when it is off, as
4.x did. ``EUDATPush*Metadata`` (in ``b2safe.re``) gather metadata and call it.
``EUDATQueue`` keeps 4.x's calling form over b2safe's fail log in the catalog.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Optional

from b2safe.adapters.messaging.argo import ArgoPublisher, load_settings
from b2safe.errors import InvalidInput
from b2safe.prep import RuleContext, rule
from b2safe.ruleset.replication import log_transfer

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
            cached = ArgoPublisher(load_settings(path))
            _CACHE.clear()
            _CACHE[key] = cached
        return cached


@rule("EUDATMessage", forms=[("queue", "message"), ("queue", "message", "OUT result")],
      errors=("InvalidInput", "ConfigError", "MessagingError"), returns_into="message")
def eudat_message(ctx: RuleContext, queue: str, message: str) -> str:
    """Publish ``message`` to topic ``queue`` when messaging is on; "None" (nothing sent) when
    it is off (4.x).

    ``queue`` "None" creates a topic named by the MD5 of the message, and its subscription
    ``<topic>_NOTIFY``, publishes the message to the control topic (``control_topic`` of the
    credentials file, "B2SAFE") and returns the new topic's name, as 4.x's ``EUDATMessage``.
    The 2-argument 4.x form writes the result over ``message``.
    """
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


@rule("EUDATQueue", params=("action", "message", "number"),
      errors=("InvalidInput", "InvalidPath", "NotFound", "AccessDenied"), returns_into="message")
def eudat_queue(ctx: RuleContext, action: str, message: str, number: str) -> str:
    """4.x's fail queue: ``push`` a ``"source::destination::status::cause"`` record into
    b2safe's fail log (the catalog); ``pop`` and ``queuesize`` set ``message`` to "" and "0"
    (as 4.x, which wrote their answer over ``message``), since b2safe's retry rules take failed
    transfers from the catalog themselves (``b2safe status`` lists them). The record is split at
    ``::`` only, so paths may contain ``:``.
    """
    if action == "push":
        parts = message.split("::", 3)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InvalidInput("EUDATQueue push takes \"source::destination::status::cause\", "
                               f"not {message[:120]!r}")
        status = parts[2] if len(parts) > 2 else "false"
        cause = parts[3] if len(parts) > 3 else ""
        log_transfer(ctx, status or "false", parts[0], parts[1], cause)
        return message
    if action == "queuesize":
        return "0"
    if action == "pop":
        return ""
    raise InvalidInput(f"action must be push, pop or queuesize, not {action[:20]!r}")
