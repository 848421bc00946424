"""The native iRODS rule language ("NREP") of the sandbox zones.

iRODS ships two rule engines that matter here: the Python rule engine plugin (PREP, emulated by
:mod:`b2safe_sandbox.runtime`) and the native rule language engine,
``irods_rule_engine_plugin-irods_rule_language`` (irods/irods
``plugins/rule_engines/irods_rule_language``). Ordinary users reach rules only through the native
engine (PREP refuses their rule text), and B2SAFE 4.x was written in it. This package runs that
language in a sandbox zone:

* :mod:`.grammar` - the grammar (``nrep.lark``, parsed by lark) and the parse entry point;
* :mod:`.values` - the language's values, conversions and the errors a rule raises;
* :mod:`.functions` - the built-in functions (``str``, ``strlen``, ``split``, ``errorcode`` ...);
* :mod:`.interp` - evaluation: rule selection over several bodies, calls into microservices and
  across engines (string-only marshalling, as ``execAction3`` does), ``remote`` and ``delay``;
* :mod:`.rulebase` - the zone's rule base (``re_rulebase_set`` in ``server_config.json``);
* :mod:`.entry` - what the server calls: ``exec_rule`` (a rule by name from another engine),
  ``exec_rule_text`` (irule) and ``exec_rule_expression`` (the delay server, remote execution).
"""
