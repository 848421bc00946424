"""The sandbox: emulated iRODS zones, the PREP runtime and a Handle server, for tests and demos.

* :mod:`b2safe_sandbox.sandbox` - the facade (``Sandbox.create`` / ``Sandbox.open``);
* :mod:`b2safe_sandbox.catalog`, :mod:`b2safe_sandbox.gq` - a zone's catalog and GenQuery1;
* :mod:`b2safe_sandbox.runtime` - callback dispatch, microservices, PEPs, delay queue, irule;
* :mod:`b2safe_sandbox.handle_server` - Handle REST + reverse lookup over HTTP;
* :mod:`b2safe_sandbox.handle_sites` - a zone's Handle prefix, credentials and server;
* :mod:`b2safe_sandbox.site` - b2safe on a sandbox: core.py, b2safe.json (``site.create``);
* :mod:`b2safe_sandbox.cli` - ``b2safe sandbox ...``.

Every behaviour it copies is documented in shared/reference/prep-runtime.md or pid-service.md;
where it had to guess, the code says so in a ``# Guess:`` comment.
"""

__version__ = "5.0.0.dev0"
