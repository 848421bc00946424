"""Per-zone Python environment: the zone's own ``core``/``genquery``/``session_vars`` modules.

PREP appends the config dir (``/etc/irods``) to ``sys.path`` and does ``import core`` on every
call (prep-runtime.md §1.1). One sandbox process hosts several zones, so around every dispatch into
a zone :meth:`ZoneEnv.active` swaps the ``sys.modules`` entries ``core``, ``genquery`` and
``session_vars`` for the zone's, puts the zone's config dir first on ``sys.path``, registers the
built-ins ``irods_types``/``irods_errors`` and sets ``B2SAFE_CONFIG``; everything is restored on
exit, so nested cross-zone calls stack.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

SWAPPED = ("core", "genquery", "session_vars")
_MISSING = object()
_LOCK = threading.RLock()
#: The zones active now, innermost last (changed only by the thread that holds _LOCK).
_ACTIVE: list[ZoneEnv] = []


def builtin_modules(irods_version: str = "5.0") -> dict[str, types.ModuleType]:
    """The PREP built-in modules (the emulated irods_types, and irods_errors with the error
    table of ``irods_version``)."""
    from b2safe_sandbox.runtime import irods_errors, irods_types

    return {"irods_types": irods_types,
            "irods_errors": irods_errors._for_version(irods_version)}


class CoreImportError(Exception):
    """The zone's core.py failed to import; ``text`` is the formatted traceback."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ZoneEnv:
    """The Python side of one zone: config dir, cached modules, core import state."""

    def __init__(self, config_dir: Path, irods_version: str = "5.0") -> None:
        self.config_dir = Path(config_dir)
        self.irods_version = irods_version
        self.modules: dict[str, types.ModuleType] = {}
        # The texts put on sys.path and into B2SAFE_CONFIG on every entry into the zone.
        self._config_text = str(self.config_dir)
        self._b2safe_config_text = str(self.config_dir / "b2safe.json")

    @property
    def b2safe_config(self) -> Path:
        """Path of the zone's b2safe.json (the ``B2SAFE_CONFIG`` value)."""
        return Path(self._b2safe_config_text)

    def invalidate(self) -> None:
        """Forget the cached modules (after core.py changed): the next call re-imports."""
        self.modules.clear()

    @contextmanager
    def active(self) -> Iterator[None]:
        """Make this zone's modules/environment current for the duration of the block.

        Re-entering the zone that is already current (every callback of a running rule does)
        changes nothing and costs only the lock.
        """
        with _LOCK:
            if _ACTIVE and _ACTIVE[-1] is self:
                yield
                return
            _ACTIVE.append(self)
            try:
                yield from self._swapped()
            finally:
                _ACTIVE.pop()

    def _swapped(self) -> Iterator[None]:
        """The body of :meth:`active` for a zone not yet current (call with _LOCK held)."""
        saved = {name: sys.modules.get(name, _MISSING) for name in SWAPPED}
        saved_builtins = {name: sys.modules.get(name, _MISSING) for name in
                          ("irods_types", "irods_errors")}
        saved_env = os.environ.get("B2SAFE_CONFIG")
        config_str = self._config_text
        for name in SWAPPED:
            if name in self.modules:
                sys.modules[name] = self.modules[name]
            else:
                sys.modules.pop(name, None)
        sys.modules.update(builtin_modules(self.irods_version))
        sys.path.insert(0, config_str)
        os.environ["B2SAFE_CONFIG"] = self._b2safe_config_text
        try:
            yield
        finally:
            for name in SWAPPED:
                module = sys.modules.get(name)
                if module is not None and _belongs_to(module, self.config_dir, name):
                    self.modules[name] = module
            for name, module in list(saved.items()) + list(saved_builtins.items()):
                if module is _MISSING:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module  # type: ignore[assignment]
            try:
                sys.path.remove(config_str)
            except ValueError:  # pragma: no cover - a rule removed it
                pass
            if saved_env is None:
                os.environ.pop("B2SAFE_CONFIG", None)
            else:
                os.environ["B2SAFE_CONFIG"] = saved_env

    def imported_core(self) -> Optional[types.ModuleType]:
        """The zone's ``core`` module when it is imported already and is the one :meth:`core`
        would return inside :meth:`active`; None when that needs the import (or the zone's
        current ``core`` was replaced). Asking whether a rule exists this way swaps no modules:
        the resource PEPs ask it of every resource operation."""
        with _LOCK:
            module = self.modules.get("core")
            if module is None:
                return None
            if _ACTIVE and _ACTIVE[-1] is self and sys.modules.get("core") is not module:
                return None
            return module

    def core(self) -> types.ModuleType:
        """The zone's ``core`` module, importing it if needed (call inside :meth:`active`).

        Raises:
            CoreImportError: core.py is missing or raised while importing; like PREP, the import
                is retried on the next call (a failed import is not cached).
        """
        module = sys.modules.get("core")
        if module is not None and self.modules.get("core") is module:
            return module
        path = self.config_dir / "core.py"
        module = types.ModuleType("core")
        module.__file__ = str(path)
        sys.modules["core"] = module
        try:
            source = path.read_text(encoding="utf-8")
            code = compile(source, str(path), "exec")
            exec(code, module.__dict__)  # noqa: S102 - loading the zone's rule base, as PREP does
        except BaseException as exc:  # any import failure breaks the zone
            sys.modules.pop("core", None)
            self.modules.pop("core", None)
            import traceback

            raise CoreImportError("".join(traceback.format_exception(
                type(exc), exc, exc.__traceback__))) from None
        self.modules["core"] = module
        return module


def _belongs_to(module: types.ModuleType, config_dir: Path, name: str) -> bool:
    """True if ``module`` was loaded from ``config_dir`` (or is the zone's core)."""
    if name == "core":
        return True
    file: Optional[Any] = getattr(module, "__file__", None)
    if not file:
        return False
    try:
        return _resolved(str(Path(file).parent)) == _resolved(str(config_dir))
    except OSError:  # pragma: no cover
        return False


@functools.lru_cache(maxsize=512)
def _resolved(directory: str) -> str:
    """``directory`` with symlinks resolved, cached: this runs on every callback, and a zone's
    config dir does not move while the sandbox runs (Guess: no test re-links one; an uncached
    ``Path.resolve`` cost 63 us a call, issue 19)."""
    return str(Path(directory).resolve())
