"""Rule text through the rule engine manager: ``rsExecMyRule`` as irule and py_remote reach it.

``rsExecMyRule`` (irods server/api/src/rsExecMyRule.cpp@5.0.2 L20-110) hands the text to
``rule_engine_context_manager::exec_rule_text`` (server/re/include/irods/irods_re_plugin.hpp
L644-668):

* with an instance name (``irule -r NAME``, py_remote's ``<INST_NAME>``): only that engine runs
  it and its error is returned; an unknown name gives SYS_INVALID_INPUT_PARAM
  ("instance not found");
* without one: *every* configured engine runs the text, in the order of ``rule_engines`` in
  server_config.json; each error is only logged (``log_error_code``) and the call succeeds;
  rsExecMyRule then clears the error stack (L84-88).

The Python engine's ``exec_rule_text`` (PREP src/main.cpp@5.0.1 L695-745) refuses a client or
proxy user below REMOTE_PRIV_USER_AUTH with SYS_NO_API_PRIV; text that is not Python fails with
RULE_ENGINE_ERROR. The rule language's (plugins/rule_engines/irods_rule_language/src/
irods_rule_language.cpp L326-400) parses ``{text}`` as rule language, so Python text fails there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from b2safe_sandbox import rulefile
from b2safe_sandbox.errors import RULE_ENGINE_ERROR, SYS_INVALID_INPUT_PARAM, SYS_NO_API_PRIV
from b2safe_sandbox.runtime import engine, engines, tbridge
from b2safe_sandbox.runtime.context import NREP_INSTANCE, PYTHON_INSTANCE, ExecContext
from b2safe_sandbox.runtime.types import RuleOutcome

#: REMOTE_PRIV_USER_AUTH (lib/core/include/irods/rodsUser.h): the lowest privileged auth flag.
REMOTE_PRIV_USER_AUTH = 4


def engine_order(sandbox: Any, zone: str) -> list[str]:
    """The instance names of the zone's rule engines, in server_config.json's order.

    Guess (no server_config.json): the Python engine above the rule language, where the PREP
    README (5.0.1 L37) tells admins to put it; the rule language only when the sandbox loads it.
    """
    path = Path(sandbox.zone(zone).config_dir) / "server_config.json"
    if path.exists():
        stanzas = json.loads(path.read_text(encoding="utf-8")).get(
            "plugin_configuration", {}).get("rule_engines", [])
        names = [str(s.get("instance_name", "")) for s in stanzas]
        return [n for n in names if n in (PYTHON_INSTANCE, NREP_INSTANCE)
                and (n != NREP_INSTANCE or sandbox.nrep_loaded)]
    return [PYTHON_INSTANCE] + ([NREP_INSTANCE] if sandbox.nrep_loaded else [])


def python_may_run_text(ctx: ExecContext) -> bool:
    """PREP exec_rule_text's check: client and proxy auth flags at least REMOTE_PRIV_USER_AUTH
    (a rodsadmin of this zone or of another)."""
    return all(int(tbridge.user_info(ctx, user).authInfo.authFlag) >= REMOTE_PRIV_USER_AUTH
               for user in (ctx.client_user, ctx.proxy_user))


#: irule's two forms: ``-F FILE`` sends "@external\n" + the file's rule text, a rule given on
#: the command line "@external rule { TEXT }" (irule.cpp@5.0.2 L312-395, L422).
FILE_FORM, RULE_FORM = "file", "rule"


def run_one(ctx: ExecContext, instance: str, text: str, inputs: Optional[dict] = None,
            outputs: tuple = (), form: str = FILE_FORM) -> RuleOutcome:
    """One engine's ``exec_rule_text`` of ``text`` (the rule file body, or the command-line
    rule text, without irule's "@external" wrapping; ``form`` says which).

    Returns the outcome; ``traceback`` carries the error text. The rule language gets the
    INPUT values with one pair of quotes removed (see :mod:`b2safe_sandbox.native.irule`) and
    runs a command-line text as the body of a rule, as "rule { TEXT }" parses.
    """
    if instance == PYTHON_INSTANCE:
        if not python_may_run_text(ctx):
            return RuleOutcome(SYS_NO_API_PRIV, "Insufficient privileges to run irule in "
                                                "Python rule engine plugin")
        if form == RULE_FORM:
            return python_rule_form(ctx, text, dict(inputs or {}))
        return engine.exec_rule_text(ctx, text, dict(inputs or {}))
    if instance == NREP_INSTANCE and ctx.sandbox.nrep_loaded:
        values = {k: rulefile.unquoted(str(v)) for k, v in (inputs or {}).items()}
        outcome = engines.native().exec_rule_text(ctx, text, values, outputs)
        return RuleOutcome(outcome.code, outcome.message or None)
    return RuleOutcome(SYS_INVALID_INPUT_PARAM, f"instance not found [{instance}]")


def python_rule_form(ctx: ExecContext, text: str, rule_vars: dict) -> RuleOutcome:
    """PREP's "@external rule { TEXT }" branch (src/main.cpp@5.0.1 L812-838): the rule name is
    TEXT up to its first space; ``core.<name>([], callback, rei)`` runs with ``irods_rule_vars``
    and ``core.global_vars``. A name core lacks (``'R(*a)'`` included) or an exception is
    RULE_ENGINE_ERROR (the bp::error_already_set handler, L839-852); an int result its code."""
    name = text.strip().split(" ", 1)[0]
    outcome = engine.exec_rule(ctx, name, [], rule_vars)
    if not outcome.ran:
        return RuleOutcome(RULE_ENGINE_ERROR, f"AttributeError: module 'core' has no attribute "
                                              f"'{name}'")
    if outcome.traceback is not None:
        return RuleOutcome(RULE_ENGINE_ERROR, outcome.traceback)
    return outcome


def run(ctx: ExecContext, text: str, instance: str = "", inputs: Optional[dict] = None,
        outputs: tuple = (), form: str = FILE_FORM) -> RuleOutcome:
    """rsExecMyRule's engine step: the named engine, or every engine with errors logged."""
    if instance:
        return run_one(ctx, instance, text, inputs, outputs, form)
    for name in engine_order(ctx.sandbox, ctx.zone):
        outcome = run_one(ctx, name, text, inputs, outputs, form)
        if outcome.code < 0:
            ctx.sandbox.log(ctx.zone, f"exec_rule_text: rule engine plugin {name} returned "
                                      f"[{outcome.code}]")
    return RuleOutcome(0)
