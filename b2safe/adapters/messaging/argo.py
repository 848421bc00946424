"""A publisher to an ARGO Messaging Service compatible endpoint, as B2SAFE 4.2's ``cmd/argo.py``.

What 4.2 sent (``cmd/argo.py`` ``pubMessage``/``createTopic``/``createSub``):

* publish: ``POST {endpoint}/topics/{topic}:publish?key={token}`` with JSON
  ``{"messages": [{"attributes": {}, "data": base64(message)}]}``; the answer lists
  ``messageIds``;
* new topic: ``PUT {endpoint}/topics/{name}?key={token}``; 409 means it exists; the answer's
  ``name`` is ``projects/{project}/topics/{name}``;
* subscription: ``PUT {endpoint}/subscriptions/{name}?key={token}`` with
  ``{"topic": "projects/{project}/topics/{topic}", "ackDeadlineSeconds": 20}`` (4.2 sent
  ``"ack": "20"``, a field the ARGO API does not define).

``endpoint`` is ``https://host/v1/projects/{project}`` (4.2's ``argo.conf`` ``[Connector]
endpoint``). The token travels as 4.2 sent it (the ``key`` query parameter) and is never put in
an error message or log line. Requests go through ``requests`` with a timeout; an error names
the endpoint host and what to check.
"""

from __future__ import annotations

import base64
import configparser
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, urlsplit

import requests

from b2safe.adapters.handle.credentials import check_private_file
from b2safe.errors import SYS_SOCK_CONNECT_ERR, B2SafeError, ConfigError, InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_PROJECT = re.compile(r"/projects/([A-Za-z0-9_.-]+)/?$")
#: Largest answer read from the endpoint (it is small JSON).
MAX_ANSWER = 1 << 20


class MessagingError(B2SafeError):
    """The messaging endpoint could not be reached or refused the request."""

    code = SYS_SOCK_CONNECT_ERR


@dataclass(frozen=True)
class ArgoSettings:
    """Where to publish: the project endpoint, the token, the control topic, TLS and timeout."""

    endpoint: str
    key: str
    control_topic: str = "B2SAFE"
    verify: bool = True
    timeout: float = 10.0

    def __repr__(self) -> str:  # the key is a secret
        return f"ArgoSettings(endpoint={self.endpoint!r}, control_topic={self.control_topic!r})"

    @property
    def project(self) -> str:
        """The project name of the endpoint (``.../projects/{project}``)."""
        match = _PROJECT.search(urlsplit(self.endpoint).path)
        if match is None:
            raise ConfigError(f"messaging endpoint {self.endpoint} does not end in "
                              "/v1/projects/<project>")
        return match.group(1)


def load_settings(path: str) -> ArgoSettings:
    """Read the messaging credentials file (mode 0600): JSON ``{"endpoint", "key",
    "control_topic"?, "verify"?, "timeout"?}``, or B2SAFE 4.2's ``argo.conf`` (INI,
    ``[Connector] endpoint``/``key``).

    Raises:
        ConfigError: the file is missing, readable by others, or lacks endpoint/key.
    """
    if not path:
        raise ConfigError("messaging.enabled is true but /messaging/credentials_file is not set")
    check_private_file(path, "messaging credentials file")
    text = Path(path).read_text(encoding="utf-8")
    data: dict[str, Any]
    try:
        loaded = json.loads(text)
        data = loaded if isinstance(loaded, dict) else {}
    except ValueError:
        parser = configparser.RawConfigParser()
        try:
            parser.read_string(text)
        except configparser.Error:
            raise ConfigError(f"messaging credentials file {path}: neither JSON nor 4.x "
                              "argo.conf (INI with a [Connector] section)") from None
        data = dict(parser["Connector"]) if parser.has_section("Connector") else {}
    endpoint = str(data.get("endpoint") or "").rstrip("/")
    key = str(data.get("key") or "")
    if not endpoint.startswith(("http://", "https://")) or not key:
        raise ConfigError(f"messaging credentials file {path}: needs \"endpoint\" "
                          "(https://host/v1/projects/<project>) and \"key\" (the token)")
    settings = ArgoSettings(endpoint=endpoint, key=key,
                            control_topic=str(data.get("control_topic") or "B2SAFE"),
                            verify=data.get("verify", True) not in (False, "false", "False"),
                            timeout=float(data.get("timeout") or 10.0))
    _ = settings.project  # fail on a bad endpoint now, not at the first message
    return settings


def valid_name(name: str, what: str = "topic") -> str:
    """A topic or subscription name ARGO accepts (letters, digits, ``_.-``)."""
    if not _NAME.match(name or ""):
        raise InvalidInput(f"{what} name {name[:80]!r} may only contain letters, digits, "
                           "'_', '.' and '-'")
    return name


class ArgoPublisher:
    """Publishes to one ARGO-compatible project endpoint (one ``requests`` session)."""

    def __init__(self, settings: ArgoSettings, session: Optional[requests.Session] = None):
        self.settings = settings
        self._session = session or requests.Session()

    def publish(self, topic: str, message: str) -> str:
        """Publish ``message`` (UTF-8, base64 in the request) to ``topic``; its message id."""
        data = base64.standard_b64encode(message.encode("utf-8")).decode("ascii")
        body = {"messages": [{"attributes": {}, "data": data}]}
        answer = self._request("POST", f"/topics/{quote(valid_name(topic))}:publish", body)
        ids = answer.get("messageIds") if isinstance(answer, dict) else None
        if not isinstance(ids, list) or not ids:
            raise MessagingError(f"messaging endpoint {self._host()} did not confirm the "
                                 "message (no messageIds in its answer)")
        return str(ids[0])

    def create_topic(self, name: str) -> str:
        """Create topic ``name`` (an existing one is fine); its name."""
        answer = self._request("PUT", f"/topics/{quote(valid_name(name))}", None, exists_ok=True)
        full = answer.get("name") if isinstance(answer, dict) else None
        return str(full).rsplit("/", 1)[-1] if full else name

    def create_subscription(self, name: str, topic: str) -> None:
        """Create subscription ``name`` on ``topic`` (an existing one is fine)."""
        body = {"topic": f"projects/{self.settings.project}/topics/{valid_name(topic)}",
                "ackDeadlineSeconds": 20}
        self._request("PUT", f"/subscriptions/{quote(valid_name(name, 'subscription'))}",
                      body, exists_ok=True)

    def _host(self) -> str:
        return urlsplit(self.settings.endpoint).netloc

    def _request(self, method: str, path: str, body: Optional[dict], *,
                 exists_ok: bool = False) -> Any:
        url = self.settings.endpoint + path
        try:
            response = self._session.request(
                method, url, params={"key": self.settings.key},
                data=None if body is None else json.dumps(body),
                headers={"Accept": "application/json", "Content-Type": "application/json"},
                timeout=self.settings.timeout, verify=self.settings.verify, stream=True)
        except requests.RequestException as exc:
            # The exception's text holds the URL with the token: name only the host and kind.
            raise MessagingError(f"messaging endpoint {self._host()} could not be reached "
                                 f"({type(exc).__name__}); check messaging.credentials_file "
                                 "and that the service is up") from None
        with response:
            raw = response.raw.read(MAX_ANSWER + 1, decode_content=True) or b""
            status = response.status_code
        if status == 409 and exists_ok:
            return {}
        if status >= 400:
            raise MessagingError(f"messaging endpoint {self._host()} refused {method} "
                                 f"{path.split(':')[0]} with HTTP {status}"
                                 + (" (check the key)" if status in (401, 403) else ""))
        if len(raw) > MAX_ANSWER:
            raise MessagingError(f"messaging endpoint {self._host()} answered with more than "
                                 f"{MAX_ANSWER} bytes")
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except ValueError:
            raise MessagingError(f"messaging endpoint {self._host()} answered with something "
                                 "other than JSON") from None
