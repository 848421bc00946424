"""An icommand-like client session on a sandbox (what ``iput``, ``irule`` ... do on a server).

Every operation routes the path to its zone (federation: that zone's catalog and permissions for
``user#homeZone``) and fires API PEPs around it (``pep_api_<op>_pre/_post/_except/_finally``)
plus the static and resource PEPs of the server-side operation, in the order of
prep-runtime.md §5.2. Errors are raised as :class:`b2safe_sandbox.errors.SandboxError` (or a
subclass) carrying the iRODS code.

Guess: API PEPs fire in the zone that owns the path (the server that executes the operation).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional, Union

from b2safe_sandbox import gq
from b2safe_sandbox.errors import (
    CAT_NAME_EXISTS_AS_COLLECTION,
    INPUT_ARG_NOT_WELL_FORMED_ERR,
    SYS_INVALID_ZONE_NAME,
    SYS_NO_API_PRIV,
    USER_FILE_DOES_NOT_EXIST,
    IrodsCallError,
)
from b2safe_sandbox.gq import parser50
from b2safe_sandbox.runtime import dataops, engine, peps, structs, tbridge
from b2safe_sandbox.runtime import irods_types as T
from b2safe_sandbox.runtime.context import PYTHON_INSTANCE, ExecContext, MsiCall
from b2safe_sandbox.runtime.errtext import error_name
from b2safe_sandbox.runtime.msis import genquery2 as msi_genquery2
from b2safe_sandbox.runtime.msis import meta as msi_meta
from b2safe_sandbox.runtime.msis import query as msi_query
from b2safe_sandbox.runtime.types import RuleOutcome

#: maximum_size_for_single_buffer_in_megabytes (32 MB default): above it puts go parallel.
SINGLE_BUFFER_LIMIT = 32 * 1024 * 1024
PUT_OPR = 1
_NO_PRIV = "Insufficient privileges to run irule in Python rule engine plugin"


@dataclass
class IruleResult:
    """Outcome of an irule: what the rule wrote to ``stdout``, its code, an error text."""

    stdout: str
    code: int
    error: str = ""
    stderr: str = ""


class ClientSession:
    """A client connected to its home zone as ``user`` ('name#zone')."""

    def __init__(self, sandbox: Any, user: str) -> None:
        if "#" not in user:
            user = f"{user}#{sandbox.zone_names[0]}"
        self.sandbox = sandbox
        self.user = user
        self.name, self.home_zone = user.split("#", 1)
        self._agent_started = False

    # ------------------------------------------------------------------ plumbing
    def _ctx(self, zone: str, kind: str = "api_pep") -> ExecContext:
        return ExecContext(sandbox=self.sandbox, zone=zone, client_user=self.user, kind=kind)

    def _zone(self, path: str) -> str:
        self.sandbox.reachable_zone(self.home_zone)
        return self.sandbox.zone_for_path(path).name

    def _agent_start(self) -> None:
        """The connection's agent starts on the home zone's server before its first request
        (pep_network_agent_start, :func:`b2safe_sandbox.runtime.peps.network_agent`)."""
        if not self._agent_started:
            self._agent_started = True
            with self.sandbox.toplevel():
                peps.network_agent(self._ctx(self.home_zone), self.home_zone, "start")

    def close(self) -> None:
        """Disconnect: the agent stops (pep_network_agent_stop) if it had started."""
        if self._agent_started:
            self._agent_started = False
            with self.sandbox.toplevel():
                peps.network_agent(self._ctx(self.home_zone), self.home_zone, "stop")

    def _api(self, zone: str, op: str, args: list, body: Callable[[ExecContext], Any]) -> Any:
        """Run ``body`` between the API PEPs of ``op`` (pre, post, except, finally)."""
        self._agent_start()
        ctx = self._ctx(zone)
        with self.sandbox.toplevel():
            return peps.api_call(ctx, zone, op, args, body)

    # ------------------------------------------------------------------ data objects
    def iput(self, path: str, data: Union[bytes, Path], resc: Optional[str] = None,
             force: bool = False, parallel: Optional[bool] = None) -> Any:
        """Upload ``data`` to ``path``; returns the new ReplicaRow (None if a PEP skipped it).

        Files above 32 MB (or ``parallel=True``) take the parallel (portal) route, whose put
        post-PEP fires after the data arrived (:mod:`b2safe_sandbox.routes`).
        """
        from b2safe_sandbox import routes

        content = Path(data).read_bytes() if isinstance(data, Path) else bytes(data)
        if parallel is None:
            parallel = len(content) > SINGLE_BUFFER_LIMIT
        if parallel:
            return routes.iput_parallel(self, path, content, force=force, resc=resc)
        return routes.iput(self, path, content, force=force, resc=resc)

    def iget(self, path: str) -> bytes:
        """Download ``path``."""
        zone = self._zone(path)
        inp = structs.data_obj_inp(path)
        return self._api(zone, "data_obj_get", [inp, None, T.BytesBuf()],
                         lambda ctx: dataops.get(ctx, path))

    def ils(self, path: str) -> list:
        """List a collection as [(kind 'C'|'d', name)], or a data object as [('d', name)]."""
        zone = self._zone(path)
        cat = self.sandbox.zone(zone).catalog
        with self.sandbox.toplevel():
            if cat.data_exists(path):
                if not cat.check_access(path, self.user, "read_object"):
                    raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
                return [("d", path.rsplit("/", 1)[1])]
            if cat.coll_get(path) is None:
                raise IrodsCallError(f"{path} does not exist", code=USER_FILE_DOES_NOT_EXIST)
            return list(cat.coll_list(path, self.user))

    def imkdir(self, path: str, parents: bool = False) -> None:
        """Create a collection (``parents``: -p)."""
        zone = self._zone(path)
        inp = structs.coll_inp(path, flags=1 if parents else 0)
        self._api(zone, "coll_create", [inp],
                  lambda ctx: dataops.coll_create(ctx, path, parents=parents))

    def irm(self, path: str, recursive: bool = False, force: bool = False,
            admin: bool = False) -> None:
        """Remove a data object (``-f``: no trash) or, with ``recursive``, a collection.

        ``admin`` is ``irm -M``: ADMIN_KW, which lets a local rodsadmin remove what it does not
        own (irods lib/core/src/rmUtil.cpp@5.0.2 L150-151; rsRmColl.cpp L317-322,
        rsDataObjUnlink.cpp L164-168); others get CAT_INSUFFICIENT_PRIVILEGE_LEVEL.
        """
        zone = self._zone(path)
        cat = self.sandbox.zone(zone).catalog
        cond = {"forceFlag": ""} if force else {}
        if admin:
            cond["irodsAdmin"] = ""
        if cat.coll_get(path) is not None and not cat.data_exists(path):
            if not recursive:
                raise IrodsCallError(f"{path} is a collection; use recursive",
                                     code=CAT_NAME_EXISTS_AS_COLLECTION)
            self._api(zone, "rm_coll", [structs.coll_inp(path, cond=cond), None],
                      lambda ctx: dataops.coll_remove(ctx, path, recursive=True, admin=admin))
            return
        self._api(zone, "data_obj_unlink", [structs.data_obj_inp(path, cond)],
                  lambda ctx: dataops.unlink(ctx, path, force=force, admin=admin))

    def _into(self, path: str, dst: str) -> str:
        zone = self._zone(dst)
        cat = self.sandbox.zone(zone).catalog
        if cat.coll_get(dst) is not None:
            return f"{dst}/{path.rsplit('/', 1)[1]}"
        return dst

    def imv(self, src: str, dst: str) -> None:
        """Rename/move ``src`` to ``dst`` (into ``dst`` if it is a collection)."""
        zone = self._zone(src)
        dst = self._into(src, dst)
        inp = structs.data_obj_copy_inp(src, dst)
        self._api(zone, "data_obj_rename", [inp], lambda ctx: dataops.rename(ctx, src, dst))

    def icp(self, src: str, dst: str, force: bool = False, resc: Optional[str] = None) -> Any:
        """Copy ``src`` to ``dst`` (may be in another zone); returns the new ReplicaRow."""
        zone = self._zone(src)
        dst = self._into(src, dst)
        self._zone(dst)
        cond = {"forceFlag": ""} if force else {}
        inp = structs.data_obj_copy_inp(src, dst, cond)
        return self._api(zone, "data_obj_copy", [inp, None],
                         lambda ctx: dataops.copy(ctx, src, dst, resc=resc, force=force))

    def irepl(self, path: str, resc: str) -> Any:
        """Replicate ``path`` to resource ``resc``; returns the ReplicaRow."""
        zone = self._zone(path)
        # rcDataObjRepl sets oprType REPLICATE_OPR (6) (lib/api/src/rcDataObjRepl.cpp@5.0.2 L68).
        inp = structs.data_obj_inp(path, {"destRescName": resc}, oprType=6)
        return self._api(zone, "data_obj_repl", [inp, None],
                         lambda ctx: dataops.replicate(ctx, path, resc, replicate_opr=True))

    def ichksum(self, path: str, force: bool = False, verify: bool = False) -> str:
        """Checksum ``path`` (``force`` recomputes, ``verify`` checks); returns the checksum."""
        zone = self._zone(path)
        cond = {}
        if force:
            cond["forceChksum"] = ""
        if verify:
            cond["verifyChksum"] = ""
        inp = structs.data_obj_inp(path, cond)
        return self._api(zone, "data_obj_chksum", [inp],
                         lambda ctx: dataops.checksum(ctx, path, force=force, verify=verify))

    # ------------------------------------------------------------------ ACLs and metadata
    def ichmod(self, level: str, user: str, path: str, recursive: bool = False,
               admin: bool = False) -> None:
        """Set ``user``'s access ('own'|'write'|'read'|'null'|'inherit'|'noinherit').

        ``admin`` is ``ichmod -M``: accessLevel 'admin:<level>' (MOD_ADMIN_MODE_PREFIX), which a
        local rodsadmin may use on what it does not own; others get
        CAT_INSUFFICIENT_PRIVILEGE_LEVEL.
        """
        zone = self._zone(path)
        cat = self.sandbox.zone(zone).catalog
        if "#" not in user:
            user = f"{user}#{zone}"
        args = {"recursiveFlag": "1" if recursive else "0",
                "accessLevel": f"admin:{level}" if admin else level,
                "userName": user.split("#")[0], "zone": user.split("#")[1], "path": path}

        def body(ctx: ExecContext) -> None:
            actor = dataops.acting_user(ctx, cat, admin)
            if level in ("inherit", "noinherit"):
                cat.acl_inherit(path, level == "inherit", actor, recursive=recursive)
            else:
                cat.acl_set(path, user, level, actor, recursive=recursive)

        # Guess: the access-control API PEP receives its input serialized as a dict.
        self._api(zone, "mod_access_control", [args], body)

    def inherit(self, path: str, on: bool) -> None:
        """Set or clear the inheritance flag of a collection."""
        self.ichmod("inherit" if on else "noinherit", self.user, path)

    def imeta(self, op: str, kind: str, target: str, a: str, v: str = "", u: str = "") -> None:
        """imeta add|set|rm -d|-C|-R|-u target a v [u]. The API PEP gets what PREP gives a
        server's PEP: the ModAVUMetadataInp serialized to a dict of strings
        (irods/irods server/re/src/irods_re_serialization.cpp serialize_modAVUMetaInp_ptr),
        arg0..arg9 all set as imeta sets them (clients/icommands/src/imeta.cpp)."""
        zone = self._zone(target) if kind in ("-d", "-C") else self.home_zone
        args = {"arg0": op, "arg1": kind, "arg2": target, "arg3": a, "arg4": v, "arg5": u,
                **{f"arg{i}": "" for i in range(6, 10)}}

        def body(ctx: ExecContext) -> None:
            msi_meta.modify_avu(MsiCall("imeta", [], ctx), msi_meta.object_kind(kind), target, op,
                                a, v, u)

        self._api(zone, "mod_avu_metadata", [args], body)

    def imeta_ls(self, kind: str, target: str) -> list:
        """The AVUs of ``target`` as a list of AvuRow."""
        zone = self._zone(target) if kind in ("-d", "-C") else self.home_zone
        if kind == "-u" and "#" not in target:
            target = f"{target}#{zone}"
        with self.sandbox.toplevel():
            catalog = self.sandbox.zone(zone).catalog
            return list(catalog.avu_list(msi_meta.object_kind(kind), target))

    # ------------------------------------------------------------------ queries
    def iquest(self, query_text: str) -> list[list[str]]:
        """Run ``SELECT ... [WHERE ...]`` (GenQuery1) and return every row (all pages).

        The text is parsed as the zone's version of iquest does: 5.0 hands the whole string to
        ``parse_genquery1_string`` (irods_client_icommands src/iquest.cpp@5.0.2 L161: the
        flex/bison parser of :mod:`b2safe_sandbox.gq.parser50`), 4.3 to
        ``fillGenQueryInpFromStrCond`` (iquest.cpp@4.3.4 L162; the 4.3 parser,
        :func:`b2safe_sandbox.gq.parse`).
        """
        match = re.match(r"^\s*select\s+(.*?)(?:\s+where\s+(.*))?\s*$", query_text,
                         re.I | re.S)
        if not match:
            raise IrodsCallError("query must start with SELECT",
                                 code=INPUT_ARG_NOT_WELL_FORMED_ERR)
        self.sandbox.reachable_zone(self.home_zone)
        conditions = match.group(2) or ""
        columns: Union[list, gq.Query] = msi_query.select_columns(match.group(1))
        if self.sandbox.irods_version >= (5, 0):
            columns = parser50.parse_query(query_text)
        zone = msi_query.zone_hint(self.sandbox, conditions, self.home_zone)
        cat = self.sandbox.reachable_zone(zone).catalog
        rows: list[list[str]] = []
        offset = 0
        with self.sandbox.toplevel():
            while True:
                self.sandbox.counters.count_genquery(zone)
                page = cat.genquery(columns, conditions, self.user,
                                    max_rows=msi_query.MAX_SQL_ROWS, offset=offset)
                rows.extend(list(r) for r in page.rows)
                if not page.has_more:
                    return rows
                offset += len(page.rows)

    def iquery(self, query_text: str, zone: Optional[str] = None) -> list[list[str]]:
        """Run a GenQuery2 query (the ``iquery`` icommand, rc_genquery2) in ``zone`` (default:
        the home zone) and return its rows. A zone the sandbox does not have is
        SYS_INVALID_ZONE_NAME (rs_genquery2.cpp@5.0.2 L64-73); errors as msi_genquery2_execute
        (:mod:`b2safe_sandbox.gq.genquery2_sql`)."""
        target = self.home_zone if zone is None else zone
        if target not in self.sandbox.zone_names:
            raise IrodsCallError(f"Could not find zone [{target}].", code=SYS_INVALID_ZONE_NAME)
        self.sandbox.reachable_zone(target)
        with self.sandbox.toplevel():
            self.sandbox.counters.count_genquery(target)
            return msi_genquery2.run_query(self.sandbox, target, self.user, query_text)

    # ------------------------------------------------------------------ irule
    def _privileged(self) -> bool:
        ctx = self._ctx(self.home_zone, "irule")
        return tbridge.user_type(ctx, self.user) == "rodsadmin"

    def irule_file(self, text_or_path: Union[str, Path], overrides: tuple = ()) -> IruleResult:
        """``irule -r irods_rule_engine_plugin-python-instance -F file.r [overrides]``."""
        if not self._privileged():
            return IruleResult("", SYS_NO_API_PRIV, _NO_PRIV)
        return self._rule_file(text_or_path, overrides, lambda ctx, parsed: engine.exec_rule_text(
            ctx, parsed.python_text, dict(parsed.inputs)))

    def irule_any(self, text_or_path: Union[str, Path], overrides: tuple = ()) -> IruleResult:
        """``irule -F file.r [overrides]`` without ``-r``: rsExecMyRule with no instance name
        offers the text to every configured engine in order, logs their errors and succeeds
        (:mod:`b2safe_sandbox.runtime.ruletext`), so irule exits 0 and prints what the engines
        wrote to ruleExecOut.

        Gap: the ``*var = value`` lines irule prints for other OUTPUT variables of a
        rule-language rule are not printed on this route.
        """
        from b2safe_sandbox.runtime import ruletext

        return self._rule_file(text_or_path, overrides, lambda ctx, parsed: ruletext.run(
            ctx, parsed.python_text, "", dict(parsed.inputs), tuple(parsed.outputs)))

    def _rule_file(self, text_or_path: Union[str, Path], overrides: tuple,
                   run: Callable[[ExecContext, Any], RuleOutcome]) -> IruleResult:
        """What irule does with a rule file (parse, overrides, its notices) around ``run``."""
        from b2safe_sandbox import rulefile

        text = _rule_text(text_or_path)
        with self.sandbox.toplevel():
            self.sandbox.reachable_zone(self.home_zone)
            parsed = rulefile.parse_rule_file(text)
            if overrides:
                parsed = rulefile.apply_overrides(parsed, list(overrides))
            # irule prints this before it sends the rule (irule.cpp@5.0.2 L640).
            notices = [f'Ignoring Argument "{item}"\n' for item in parsed.ignored]
            out: list[str] = []
            ctx = self._ctx(self.home_zone, "irule")
            ctx.stdout, ctx.stderr = out, []
            result = _irule_result(out, run(ctx, parsed), ctx.stderr)
            return replace(result, stdout="".join(notices) + result.stdout)

    def irule_native(self, text_or_path: Union[str, Path], overrides: tuple = (),
                     inputs: Optional[dict] = None) -> IruleResult:
        """``irule -r irods_rule_engine_plugin-irods_rule_language-instance -F file.r``: the
        rule-language route, open to every user (see :mod:`b2safe_sandbox.native.irule`);
        ``inputs`` replace the file's INPUT line (irule's command-line form)."""
        from b2safe_sandbox.native import irule

        with self.sandbox.toplevel():
            self.sandbox.reachable_zone(self.home_zone)
            stdout, code, error = irule.run(self._ctx(self.home_zone, "irule"),
                                            _rule_text(text_or_path), tuple(overrides),
                                            inputs)
            return IruleResult(stdout, code, error)

    def irule_rule(self, rule_name: str, inputs: str = "null",
                   instance: Optional[str] = PYTHON_INSTANCE) -> IruleResult:
        """``irule [-r INSTANCE] RULE INPUTS ruleExecOut``: irule sends
        "@external rule { RULE }" (irule.cpp@5.0.2 L417-432). With ``instance`` (default the
        Python engine) only that engine runs it; with None every engine of the zone's
        server_config.json in order, errors only logged (:mod:`b2safe_sandbox.runtime.
        ruletext`): PREP runs ``core.RULE`` and the rule language the text as a rule's body,
        which calls RULE again through the framework when its rule base lacks it (irods#7407).

        ``inputs`` ('null' or ``*a="x"%*b="y"``, irule's '%'-separated list) become
        ``irods_rule_vars`` (raw values, quotes kept) and ``global_vars`` in ``core``.
        """
        from b2safe_sandbox import rulefile
        from b2safe_sandbox.runtime import ruletext

        rule_vars = rulefile.parse_multi_inputs(inputs)
        with self.sandbox.toplevel():
            self.sandbox.reachable_zone(self.home_zone)
            out: list[str] = []
            ctx = self._ctx(self.home_zone, "irule")
            ctx.stdout, ctx.stderr = out, []
            outcome = ruletext.run(ctx, rule_name, instance or "", rule_vars, ("ruleExecOut",),
                                   ruletext.RULE_FORM)
            if outcome.code == SYS_NO_API_PRIV:
                return IruleResult("", SYS_NO_API_PRIV, _NO_PRIV)
            return _irule_result(out, outcome, ctx.stderr)


def _rule_text(text_or_path: Union[str, Path]) -> str:
    if isinstance(text_or_path, Path):
        return text_or_path.read_text(encoding="utf-8")
    if "\n" not in text_or_path and text_or_path.endswith(".r") and os.path.exists(
            text_or_path):
        return Path(text_or_path).read_text(encoding="utf-8")
    return text_or_path


def _irule_result(out: list, outcome: RuleOutcome, err: list) -> IruleResult:
    """What irule gets back: on failure the error only, no ruleExecOut (rcExecMyRule returns
    no output parameters then; irule.cpp@5.0.2 L465-493 prints only the error stack)."""
    if outcome.code < 0:
        error = f"{error_name(outcome.code) or 'error'} ({outcome.code})"
        if outcome.traceback:
            error += "\n" + outcome.traceback
        return IruleResult("", outcome.code, error)
    return IruleResult("".join(out), outcome.code, "", "".join(err))
