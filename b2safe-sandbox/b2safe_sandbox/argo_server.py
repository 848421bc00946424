"""A sandbox ARGO Messaging Service endpoint over real HTTP on loopback, for b2safe's messaging.

The ARGO Messaging Service implements the Google Pub/Sub protocol over HTTP
(github.com/argoeu/argo-messaging, README). The part B2SAFE 4.2's ``cmd/argo.py`` used, and
that is served here:

* ``PUT /v1/projects/{project}/topics/{topic}``: creates the topic; answers
  ``{"name": "/projects/{project}/topics/{topic}"}``; 409 when it exists (argo.py treats 409 as
  "exists"). Guess: the exact error body of a 409 is ARGO's ``{"error": {...}}``; only the
  status is read.
* ``PUT /v1/projects/{project}/subscriptions/{sub}`` with ``{"topic": "projects/{p}/topics/{t}",
  ...}``: creates the subscription (404 for an unknown topic, 409 when it exists).
* ``POST /v1/projects/{project}/topics/{topic}:publish`` with ``{"messages": [{"attributes": {},
  "data": base64}]}``: answers ``{"messageIds": [...]}``, one id per message, in order (the
  Pub/Sub ``topics.publish`` response); 404 for an unknown topic (Pub/Sub: NOT_FOUND).
* Every request carries the token as the ``key`` query parameter (argo.py ``params=payload``);
  a wrong or missing key answers 401.

Published messages are kept per topic, decoded, for tests to read (:meth:`ArgoServer.messages`).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, unquote, urlsplit

MAX_BODY = 4 << 20


class ArgoServer:
    """An ARGO-compatible endpoint for one project, in a background thread.

    Args:
        project: the project name (``/v1/projects/{project}``).
        key: the token every request must carry as ``?key=``.
    """

    def __init__(self, project: str = "EUDAT2020", key: str = "sandbox-token") -> None:
        self.project = project
        self.key = key
        self._lock = threading.Lock()
        self._topics: dict[str, list[str]] = {}
        self._subscriptions: dict[str, str] = {}
        self._next_id = 0
        self.requests: list[tuple[str, str, int]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        name="sandbox-argo")
        self._thread.start()

    @property
    def endpoint(self) -> str:
        """The project endpoint b2safe's messaging credentials name."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1/projects/{self.project}"

    def add_topic(self, name: str) -> None:
        """Create topic ``name`` (as an administrator would)."""
        with self._lock:
            self._topics.setdefault(name, [])

    def messages(self, topic: str) -> list[str]:
        """The messages published to ``topic`` so far, decoded."""
        with self._lock:
            return list(self._topics.get(topic, []))

    def topics(self) -> list[str]:
        """Names of the topics."""
        with self._lock:
            return sorted(self._topics)

    def subscriptions(self) -> dict[str, str]:
        """``{subscription: topic}``."""
        with self._lock:
            return dict(self._subscriptions)

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- the API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        """One request: (HTTP status, JSON answer)."""
        if parse_qs(query).get("key", [""])[0] != self.key:
            return 401, _error(401, "Unauthorized", "UNAUTHORIZED")
        prefix = f"/v1/projects/{self.project}/"
        if not path.startswith(prefix):
            return 404, _error(404, "project not found", "NOT_FOUND")
        kind, _, name = unquote(path[len(prefix):]).partition("/")
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, ValueError):
            return 400, _error(400, "Invalid request body", "INVALID_ARGUMENT")
        with self._lock:
            if kind == "topics" and method == "PUT":
                return self._create_topic(name)
            if kind == "topics" and method == "POST" and name.endswith(":publish"):
                return self._publish(name[:-len(":publish")], data)
            if kind == "subscriptions" and method == "PUT":
                return self._create_subscription(name, data)
        return 405, _error(405, "Method not allowed", "METHOD_NOT_ALLOWED")

    def _create_topic(self, name: str) -> tuple[int, Any]:
        if name in self._topics:
            return 409, _error(409, "Topic already exists", "ALREADY_EXISTS")
        self._topics[name] = []
        return 200, {"name": f"/projects/{self.project}/topics/{name}"}

    def _create_subscription(self, name: str, data: Any) -> tuple[int, Any]:
        topic = str(data.get("topic", "")) if isinstance(data, dict) else ""
        topic_name = topic.rsplit("/", 1)[-1]
        if topic != f"projects/{self.project}/topics/{topic_name}" or \
                topic_name not in self._topics:
            return 404, _error(404, "Topic doesn't exist", "NOT_FOUND")
        if name in self._subscriptions:
            return 409, _error(409, "Subscription already exists", "ALREADY_EXISTS")
        self._subscriptions[name] = topic_name
        return 200, {"name": f"/projects/{self.project}/subscriptions/{name}",
                     "topic": f"/projects/{self.project}/topics/{topic_name}"}

    def _publish(self, topic: str, data: Any) -> tuple[int, Any]:
        if topic not in self._topics:
            return 404, _error(404, "Topic doesn't exist", "NOT_FOUND")
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list) or not messages:
            return 400, _error(400, "Invalid request body", "INVALID_ARGUMENT")
        decoded = []
        for message in messages:
            try:
                decoded.append(base64.b64decode(str(message.get("data", "")),
                                                validate=True).decode("utf-8"))
            except (AttributeError, binascii.Error, UnicodeDecodeError):
                return 400, _error(400, "Message data is not base64", "INVALID_ARGUMENT")
        ids = []
        for text in decoded:
            self._next_id += 1
            ids.append(str(self._next_id))
            self._topics[topic].append(text)
        return 200, {"messageIds": ids}


def _error(code: int, message: str, status: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


def _handler_for(server: ArgoServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, MAX_BODY)) if length else b""
            parts = urlsplit(self.path)
            status, answer = server.handle(self.command, parts.path, parts.query, body)
            server.requests.append((self.command, parts.path, status))
            payload = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_PUT = do_POST = do_GET = do_DELETE = _serve

        def log_message(self, format: str, *args: Optional[Any]) -> None:
            return  # no request log on stderr (the key is in the query string)

    return Handler
