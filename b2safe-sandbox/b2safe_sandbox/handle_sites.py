"""A Handle site per sandbox zone: its prefix, its PID credentials and its Handle server.

Each zone of a sandbox can be a separate "site" with its own Handle prefix (``21.T9000<n>``) and
its own credentials, as EUDAT sites are (:func:`add_site`). All prefixes live in one SQLite state
under ``DIR/handle/``; :func:`attach` starts one in-process Handle REST server per prefix (on a
free loopback port) and points that zone's credentials file at it, so every process that opens
the sandbox (a test, the demo, each ``b2safe sandbox`` command) talks HTTP to the same records.
Each zone's server keeps a fixed loopback port, so concurrent processes share it.

File per zone (``zones/<zone>/etc/irods``, the stand-in for /etc/irods):
``pid-credentials.json``, pyhandle's credentials format, mode 0600.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import urllib.request
from pathlib import Path
from typing import Any

HANDLE_DIR = "handle"
SITES_FILE = "sites.json"
CREDENTIALS_NAME = "pid-credentials.json"


def prefix_for(index: int) -> str:
    """The Handle prefix of the zone at ``index`` (0-based) in the sandbox."""
    return f"21.T9{index + 1:04d}"


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (created 0600, never world-readable on the way)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _sites_path(sandbox: Any) -> Path:
    return Path(sandbox.directory) / HANDLE_DIR / SITES_FILE


def load_sites(sandbox: Any) -> dict[str, dict[str, str]]:
    """Per-zone Handle site data: prefix, user, secrets (``{}`` before configuration)."""
    path = _sites_path(sandbox)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def add_site(sandbox: Any, zone: Any) -> Path:
    """Give ``zone`` a Handle prefix and PID credentials; returns the credentials file.

    The credentials point nowhere (``http://127.0.0.1:1``) until :func:`attach` serves the prefix.
    """
    sites_path = _sites_path(sandbox)
    sites_path.parent.mkdir(parents=True, exist_ok=True)
    sites = load_sites(sandbox)
    if zone.name not in sites:
        prefix = prefix_for(sandbox.zone_names.index(zone.name))
        sites[zone.name] = {
            "prefix": prefix,
            "user": f"300:{prefix}/B2SAFE",
            "password": secrets.token_urlsafe(18),
            "search_user": "b2safe-search",
            "search_password": secrets.token_urlsafe(18),
        }
        _write_private(sites_path, sites)
    site = sites[zone.name]
    config_dir = Path(zone.config_dir)
    credentials = config_dir / CREDENTIALS_NAME
    _write_private(credentials, credentials_content(site, "http://127.0.0.1:1"))
    return credentials


def credentials_content(site: dict[str, str], url: str) -> dict[str, Any]:
    """pyhandle credentials for a site served at ``url``."""
    return {
        "client": "rest",
        "handle_server_url": url,
        "username": site["user"],
        "password": site["password"],
        "prefix": site["prefix"],
        "handleowner": f"200:0.NA/{site['prefix']}",
        "reverselookup_username": site["search_user"],
        "reverselookup_password": site["search_password"],
        "HTTPS_verify": "False",
        "allowed_search_keys": ["URL", "CHECKSUM", "EUDAT/CHECKSUM"],
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serves_prefix(port: int, prefix: str) -> bool:
    """Whether a Handle server for ``prefix`` already answers on ``port`` (another process)."""
    url = f"http://127.0.0.1:{port}/api/handles/0.NA/{prefix}"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            body = json.loads(answer.read().decode("utf-8"))
    except (OSError, ValueError):
        return False
    return body.get("responseCode") == 1 and str(body.get("handle", "")).upper() == \
        f"0.NA/{prefix}".upper()


def attach(sandbox: Any) -> dict[str, Any]:
    """Make sure every configured zone's Handle server is running; return those started here.

    A zone's server has a fixed loopback port (recorded in ``handle/sites.json``), like a real
    site's Handle server has a fixed address. The first process that finds the port free serves
    it; other processes opening the same sandbox use that server. If the port was taken by
    something else, a new port is chosen and the zone's credentials are rewritten.
    """
    from b2safe_sandbox.handle_server.server import HandleServer

    sites = load_sites(sandbox)
    started: dict[str, Any] = {}
    state = Path(sandbox.directory) / HANDLE_DIR
    changed = False
    for name, site in sites.items():
        if name not in sandbox.zone_names:
            continue
        port = int(site.get("port") or 0)
        server = None
        if port:
            server = HandleServer(state, port=port, prefix=site["prefix"],
                                  users={site["user"]: site["password"]},
                                  search_users={site["search_user"]: site["search_password"]})
            try:
                server.start()
            except OSError:
                server.store.close()
                server = None
                if _alive(site.get("server_pid")) or _serves_prefix(port, site["prefix"]):
                    continue  # served by another process of this sandbox
                port = 0
        if server is None:
            server = HandleServer(state, port=_free_port() if not port else port,
                                  prefix=site["prefix"], users={site["user"]: site["password"]},
                                  search_users={site["search_user"]: site["search_password"]})
            server.start()
        started[name] = server
        if site.get("server_pid") != os.getpid():
            site["server_pid"] = os.getpid()
            changed = True
        if int(site.get("port") or 0) != server.port or not _credentials_match(sandbox, name,
                                                                                server.base_url):
            site["port"] = server.port
            changed = True
            credentials = Path(sandbox.zone(name).config_dir) / CREDENTIALS_NAME
            _write_private(credentials, credentials_content(site, server.base_url))
    if changed:
        _write_private(_sites_path(sandbox), sites)
    return started


def _alive(pid: Any) -> bool:
    """Whether process ``pid`` (the recorded owner of a zone's Handle server) still runs.

    Checked before probing over HTTP: a probe could meet an injected fault and look dead.
    """
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True  # another Sandbox object of this process serves it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _credentials_match(sandbox: Any, zone: str, url: str) -> bool:
    path = Path(sandbox.zone(zone).config_dir) / CREDENTIALS_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("handle_server_url") == url
    except (OSError, ValueError):
        return False


def detach(servers: dict[str, Any]) -> None:
    """Stop the servers started by :func:`attach` (and forget them)."""
    for server in servers.values():
        server.stop()
    servers.clear()
