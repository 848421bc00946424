"""b2safe on a sandbox: each zone a b2safe site with its core.py, b2safe.json and Handle site.

The emulator itself is generic (:class:`~b2safe_sandbox.sandbox.Sandbox` runs any PREP ruleset);
this module is what makes a sandbox a b2safe installation:

* :func:`create` - a sandbox whose zones run b2safe's ``core.py`` and are provisioned;
* :func:`open` - an existing one, with the teardown of b2safe's PID clients registered;
* :func:`provision` - per zone a Handle prefix and credentials (:mod:`.handle_sites`), a
  record-signing key (mode 0600, as ``b2safe install`` makes it), a ``b2safe.json`` pointing at
  them, and the service account's ACLs (docs/installation.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Union

from b2safe.state import keys
from b2safe_sandbox import handle_sites
from b2safe_sandbox.sandbox import Sandbox

CONFIG_NAME = "b2safe.json"
SIGNING_KEY_NAME = "signing.key"
#: b2safe's core.py as a zone installs it (``from b2safe.ruleset import *``).
CORE_PY = Path(__file__).resolve().parent / "assets" / "core.py"


def zone_config(sandbox: Any, zone: Any, credentials_file: Path) -> dict[str, Any]:
    """The b2safe.json content for a sandbox zone."""
    return {
        "version": 1,
        "zone": {"name": zone.name, "server_id": f"irods://{zone.host}:{zone.port}",
                 "default_resource": "demoResc",
                 "hash_scheme": "MD5" if sandbox.hash_scheme.upper() == "MD5" else "SHA256"},
        "logging": {"level": 2},
        "pid": {"enabled": True, "credentials_file": str(Path(credentials_file).resolve()),
                "suffix": "deterministic", "timeout_seconds": 5, "retries": 2,
                "backoff_seconds": 0.05, "workers": 4,
                # a fresh site, as b2safe install writes it without B2SAFE 4.x
                "reverse_lookup_fallback": False},
        "signing": {"key_file": str((Path(zone.config_dir) / SIGNING_KEY_NAME).resolve())},
        "integrity": {"report_collection": f"/{zone.name}/b2safe/reports"},
    }


def server_config(rulebase_set: list[str]) -> dict[str, Any]:
    """The rule engine part of a zone's server_config.json: the Python engine first, then the
    rule language with ``rulebase_set`` (as ``b2safe install`` leaves a server)."""
    return {"plugin_configuration": {"rule_engines": [
        {"instance_name": "irods_rule_engine_plugin-python-instance",
         "plugin_name": "irods_rule_engine_plugin-python", "plugin_specific_configuration": {}},
        {"instance_name": "irods_rule_engine_plugin-irods_rule_language-instance",
         "plugin_name": "irods_rule_engine_plugin-irods_rule_language",
         "plugin_specific_configuration": {"re_rulebase_set": rulebase_set}},
    ]}}


def provision(sandbox: Sandbox) -> None:
    """Give every zone of ``sandbox`` a Handle site, a b2safe.json, the service ACLs, and
    b2safe's rule-language file in its rule base (``b2safe.re`` before ``core``)."""
    from b2safe import rulebase

    for name in sandbox.zone_names:
        zone = sandbox.zone(name)
        credentials = handle_sites.add_site(sandbox, zone)
        config_dir = Path(zone.config_dir)
        keys.create(str(config_dir / SIGNING_KEY_NAME))  # as b2safe install does
        (config_dir / CONFIG_NAME).write_text(
            json.dumps(zone_config(sandbox, zone, credentials), indent=2), encoding="utf-8")
        grant_service_account_acls(zone.catalog, zone.name)
        (config_dir / f"{rulebase.RULEBASE_NAME}.re").write_text(rulebase.text(),
                                                                  encoding="utf-8")
        (config_dir / "server_config.json").write_text(
            json.dumps(server_config([rulebase.RULEBASE_NAME, "core"]), indent=2),
            encoding="utf-8")


#: The service account (the zone's rodsadmin that runs b2safe's admin rules).
SERVICE_ACCOUNT = "rods"


def grant_service_account_acls(catalog: Any, zone: str) -> None:
    """The installation step of docs/installation.md, "ACLs of the service account":
    ``ichmod -M -r write rods /<zone>/home`` and ``ichmod -M -r inherit /<zone>/home``.

    A rodsadmin is not above ACLs, and msiDataObjRsync, msiCollRsync and msiDataObjCopy have no
    admin keyword, so b2safe's admin-run replication, retries and repairs need these ACLs on
    the users' data (``b2safe doctor`` checks them). Done in admin mode (actor None).
    """
    home = f"/{zone}/home"
    catalog.acl_set(home, f"{SERVICE_ACCOUNT}#{zone}", "write", None, recursive=True)
    catalog.acl_inherit(home, True, None, recursive=True)


def close_pid_clients(sandbox: Sandbox) -> None:
    """Close this process's b2safe PID clients that talk to ``sandbox``'s Handle servers.

    Registered with :meth:`Sandbox.on_close`: the ruleset caches its clients per credentials, and
    their keep-alive connections must not outlive the servers.
    """
    from b2safe.adapters.handle import rest

    urls = {server.base_url for server in sandbox.handle_servers.values()}
    for service in rest.cached_services():
        if service.credentials.handle_server_url in urls:
            service.close()


def create(directory: Union[str, Path], **options: Any) -> Sandbox:
    """A new sandbox (``Sandbox.create`` options) whose zones run b2safe, provisioned.

    ``core_py`` defaults to b2safe's core.py.
    """
    if options.get("core_py") is None:
        options["core_py"] = CORE_PY.read_text(encoding="utf-8")
    sandbox = Sandbox.create(directory, **options)
    provision(sandbox)
    sandbox.on_close(close_pid_clients)
    return sandbox


def open(directory: Union[str, Path]) -> Sandbox:
    """An existing b2safe sandbox (its PID clients closed with it)."""
    sandbox = Sandbox.open(directory)
    sandbox.on_close(close_pid_clients)
    return sandbox
