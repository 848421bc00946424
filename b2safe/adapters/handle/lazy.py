"""A PidService that is built on its first use (credentials read, client cached).

Rules that may never touch a PID (an upload policy without PIDs, an integrity check without the
PID witness) get one of these, so a missing or disabled PID configuration only fails the calls
that need it.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Sequence,
    TypeVar,
    Union,
)

from b2safe.errors import ConfigError
from b2safe.ports import PidService

if TYPE_CHECKING:
    from b2safe.domain.profile import PidRecord

T = TypeVar("T")
R = TypeVar("R")


class LazyPidService:
    """:class:`b2safe.ports.PidService` delegating to ``factory()``, called once, on first use.

    ``factory`` returns None when the PID service is disabled: every call then raises
    ConfigError naming the setting.
    """

    def __init__(self, factory: Callable[[], Optional[PidService]]) -> None:
        self._factory = factory
        self._service: Optional[PidService] = None

    def _get(self) -> PidService:
        if self._service is None:
            service = self._factory()
            if service is None:
                raise ConfigError("the PID service is disabled in the configuration "
                                  "(/pid/enabled)")
            self._service = service
        return self._service

    @property
    def prefix(self) -> str:
        """The Handle prefix of the service."""
        return self._get().prefix

    def mint(self, mint_key: str) -> str:
        """See :meth:`b2safe.ports.PidService.mint`."""
        return self._get().mint(mint_key)

    def create(self, record: PidRecord, mint_key: str) -> str:
        """See :meth:`b2safe.ports.PidService.create`."""
        return self._get().create(record, mint_key)

    def get(self, pid: str) -> PidRecord:
        """See :meth:`b2safe.ports.PidService.get`."""
        return self._get().get(pid)

    def get_value(self, pid: str, key: str) -> Optional[str]:
        """See :meth:`b2safe.ports.PidService.get_value`."""
        return self._get().get_value(pid, key)

    def update(self, pid: str, changes: Mapping[str, Optional[str]], *,
               expect_url: Sequence[str] = ()) -> Mapping[str, Optional[str]]:
        """See :meth:`b2safe.ports.PidService.update`."""
        return self._get().update(pid, changes, expect_url=expect_url)

    def add_replica(self, parent_pid: str, child_pid: str, *,
                    expect_url: Sequence[str] = ()) -> str:
        """See :meth:`b2safe.ports.PidService.add_replica`."""
        return self._get().add_replica(parent_pid, child_pid, expect_url=expect_url)

    def add_first_replica(self, parent_pid: str, child_pid: str, *,
                          expect_url: Sequence[str] = ()) -> str:
        """See :meth:`b2safe.ports.PidService.add_first_replica`."""
        return self._get().add_first_replica(parent_pid, child_pid, expect_url=expect_url)

    def delete(self, pid: str) -> None:
        """See :meth:`b2safe.ports.PidService.delete`."""
        self._get().delete(pid)

    def search(self, criteria: Optional[Mapping[str, str]] = None, *,
               prefix: Optional[str] = None, limit: Optional[int] = None,
               **key_values: str) -> list[str]:
        """See :meth:`b2safe.ports.PidService.search`."""
        return self._get().search(criteria, prefix=prefix, limit=limit, **key_values)

    def bulk(self, fn: Callable[[T], R], items: Iterable[T]
             ) -> Iterator[tuple[T, Union[R, BaseException]]]:
        """See :meth:`b2safe.ports.PidService.bulk` (the service is built here, on the calling
        thread, before any worker runs)."""
        return self._get().bulk(fn, items)
