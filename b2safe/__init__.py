"""b2safe: EUDAT B2SAFE as a Python ruleset for the iRODS Python Rule Engine Plugin (PREP).

Layers (arrows point down): ``core.py`` -> :mod:`b2safe.ruleset` (registered rules) ->
:mod:`b2safe.prep` (the PREP boundary) -> workflows -> ports -> adapters
(:mod:`b2safe.adapters.prep`, :mod:`b2safe.adapters.handle`). :mod:`b2safe_sandbox` emulates
iRODS zones, the PREP runtime and a Handle server for tests, the demo and benchmarks.
"""

__version__ = "5.0.0.dev0"
__all__ = ["__version__"]
