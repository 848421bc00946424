"""The ``--sandbox DIR`` backend of the ``b2safe`` command (entry point ``b2safe.backends``)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from b2safe.cli.backends import (
    CHECK_VERIFICATION_RESULTS,
    Condition,
    ObjectState,
    RuleFailed,
    StoredCheck,
    condition_text,
    message_from_traceback,
    split_irods_url,
)
from b2safe.cli.common import EXIT_USAGE, CliError
from b2safe.errors import error_for_code
from b2safe_sandbox.errors import SandboxError


@contextmanager
def _as_b2safe_errors() -> Iterator[None]:
    """Report an emulated server failure as the b2safe error class for its iRODS code."""
    try:
        yield
    except SandboxError as exc:
        raise error_for_code(exc.code)(exc.message, code=exc.code) from None


def open_backend(args: Any) -> SandboxBackend:
    """The backend for parsed ``b2safe`` arguments with ``--sandbox DIR``."""
    return SandboxBackend(args.sandbox, getattr(args, "user", None), getattr(args, "zone", None))


class SandboxBackend:
    """Rules and catalog reads on a sandbox directory, acting as ``user`` in ``zone``."""

    def __init__(self, directory: str, user: Optional[str] = None,
                 zone: Optional[str] = None) -> None:
        from b2safe_sandbox import site

        path = Path(directory)
        if not (path / "sandbox.json").is_file():
            raise CliError(f"no sandbox at {path} (create one with "
                           f"'b2safe sandbox init --dir {path}')", EXIT_USAGE)
        self.sb = site.open(path)
        first = self.sb.zone_names[0]
        if not user:
            user = f"rods#{first}"
        elif "#" not in user:
            user = f"{user}#{first}"
        self.user = user
        self.zone = zone or user.split("#", 1)[1]
        if self.zone not in self.sb.zone_names:
            raise CliError(f"the sandbox has no zone {self.zone} "
                           f"(zones: {', '.join(self.sb.zone_names)})", EXIT_USAGE)
        self.label = f"sandbox {path} zone {self.zone} as {self.user}"

    def run(self, name: str, rule_args: list[str]) -> list[str]:
        """PREP exec_rule of ``name`` in the backend's zone (raises RuleFailed)."""
        args = list(rule_args)
        result = self.sb.exec_rule(self.zone, name, args, self.user)
        if result.code != 0:
            raise RuleFailed(name, result.code, message_from_traceback(result.traceback or ""))
        return list(result.rule_args)

    def query(self, columns: list[str], conditions: list[Condition]) -> list[list[str]]:
        """GenQuery1 through the sandbox's iquest (as the backend's user)."""
        text = "SELECT " + ", ".join(columns)
        where = condition_text(conditions)
        if where:
            text += " WHERE " + where
        with _as_b2safe_errors():
            return self.sb.client(self.user).iquest(text)

    def wait_for_queue(self, seconds: float) -> None:
        """The sandbox's delay server works for ``seconds``: its clock advances by that much
        and the rules then due run (every zone's, as each zone's delay server would)."""
        with _as_b2safe_errors():
            self.sb.run_delayed(advance=seconds)

    def verify_stored(self, path: str) -> StoredCheck:
        """``ichksum -K`` of ``path`` as the backend's user (CHECK_VERIFICATION_RESULTS on
        a mismatch, as rsDataObjChksum)."""
        try:
            value = self.sb.client(self.user).ichksum(path, verify=True)
        except Exception as exc:  # IrodsCallError and friends, by code
            code = getattr(exc, "code", None)
            ok = False if code == CHECK_VERIFICATION_RESULTS else None
            return StoredCheck(path, ok, str(exc))
        return StoredCheck(path, True, f"stored bytes match {value}")

    def object_state(self, url: str) -> ObjectState:
        """Catalog facts of the object a PID URL names, read from the zone serving the URL."""
        host, path = split_irods_url(url)
        zone = self.sb.zone_by_connection(host)
        if zone is None:
            return ObjectState(path, False, reachable=False, note=f"no sandbox zone at {host}")
        if self.sb.faults.is_unreachable(zone.name):
            return ObjectState(path, False, reachable=False, note=f"zone {zone.name} unreachable")
        cat = zone.catalog
        if cat.coll_get(path) is not None:
            return ObjectState(path, True, is_collection=True)
        replicas = cat.data_get(path)
        if not replicas:
            return ObjectState(path, False)
        return ObjectState(path, True, checksums=[r.checksum for r in replicas])

    def pid_services(self) -> dict[str, Any]:
        """A PID reader per sandbox zone prefix (the zone's own credentials)."""
        from b2safe.adapters.handle.credentials import HandleCredentials
        from b2safe.adapters.handle.rest import PidService
        from b2safe_sandbox.handle_sites import CREDENTIALS_NAME, load_sites

        self.sb.start_services()
        services: dict[str, Any] = {}
        for name, site in load_sites(self.sb).items():
            if name not in self.sb.zone_names:
                continue
            path = self.sb.zone(name).config_dir / CREDENTIALS_NAME
            services[site["prefix"].upper()] = PidService(HandleCredentials.load(path),
                                                          retries=0, timeout=5)
        return services

    def zones(self) -> dict[str, str]:
        """Zone name -> ZONE_CONNECTION of the backend zone's federation table."""
        return {row.name: row.connection for row in self.sb.zone(self.zone).catalog.list_zones()}

    def delayed_rules(self) -> list[str]:
        """Rule texts queued in the backend zone's delay queue."""
        return [str(row.name) for row in self.sb.zone(self.zone).catalog.delay_list()]

    def config_path(self) -> Optional[str]:
        """The zone's b2safe.json (its PID credentials name the zone's Handle server: started)."""
        self.sb.start_services()
        return str(self.sb.zone(self.zone).config_dir / "b2safe.json")

    def now(self) -> int:
        """The sandbox clock (what the zone's rules read as the server's time)."""
        return self.sb.clock.now()

    def close(self) -> None:
        """Close the sandbox (stops Handle servers started by this process)."""
        self.sb.close()


