"""Every rule name of B2SAFE 4.2's rulebase, called by its 4.x name and form from the rule
language (``irule`` with the native engine, as an ordinary user) and from Python (a Python rule
calling ``callback.<name>(...)``, which reaches b2safe's Python rule or, for names only
``b2safe.re`` defines, the rule-language engine), checked against the result the 4.x rule's
comments and code give for that input (rulebase/*.re of B2SAFE-core 4.2).

Python callers cannot see a 4.x return value (PREP has none): for the 4.x functions that
returned their result, b2safe writes it over the last argument (docs/migration.md); for the
others the Python check is the OUT arguments and the effect. One sandbox serves every case; each
case works on its own objects.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from b2safe_sandbox import site
from b2safe_sandbox.pytest_plugin import ZONES, World

from b2safe import __version__
from b2safe.ops.parity import RULES_4X

MIRROR = Path(os.environ.get("B2SAFE_4X_REPO", "/work/.mirror/EUDAT-B2SAFE+B2SAFE-core/repo"))
HOME = "/zoneA/home/alice"
SERVER = "irods://zonea.sandbox:1247"
SHA_HELLO = "sha2:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
PID = re.compile(r"^21\.T90001/[0-9A-F-]{36}$")
ANY_PID = re.compile(r"^21\.T9000[1-3]/[0-9A-F-]{36}$")

#: A Python rule that calls ``callback.<rule_args[0]>(rule_args[1:])`` and writes back what the
#: callee left in its arguments: the route of a site's own Python rule.
PY_CALL = '''
from b2safe.ruleset import *


def py_call(rule_args, callback, rei):
    result = getattr(callback, rule_args[0])(*rule_args[1:])
    for index, value in enumerate(result["arguments"]):
        rule_args[1 + index] = value
'''


@dataclass
class Case:
    """One 4.x rule: how to prepare its objects, the native call (a rule body whose last
    ``writeLine`` lines are compared) and the Python call (arguments; the arguments after)."""

    native: str
    native_out: Any
    py_args: tuple = ()
    py_out: Any = None
    prepare: Callable[[Any, str], dict] = field(default=lambda w, tag: {})


def obj(w, tag: str, data: bytes = b"hello", **avus: str) -> dict:
    """A fresh data object of alice's for one case and route."""
    path = f"{HOME}/c/{tag}.txt"
    client = w.client()
    client.iput(path, data)
    for name, value in avus.items():
        client.imeta("set", "-d", path, name, value)
    return {"path": path, "coll": f"{HOME}/c", "name": f"{tag}.txt"}


def with_pid(w, tag: str, ror: str = "None") -> dict:
    ctx = obj(w, tag)
    ctx["pid"] = w.call("EUDATCreatePID", "None", ctx["path"], ror, "None", "false", "")[5]
    return ctx


def coll(w, tag: str) -> dict:
    base = f"{HOME}/c/{tag}"
    client = w.client()
    client.imkdir(base, parents=True)
    client.iput(f"{base}/a.txt", b"a")
    client.iput(f"{base}/b.txt", b"b")
    return {"coll": base}


def copy_coll(w, tag: str) -> dict:
    ctx = coll(w, tag)
    w.client().imkdir(ctx["coll"] + "-copy")
    for name, data in (("a.txt", b"a"), ("b.txt", b"b")):
        w.client().iput(f"{ctx['coll']}-copy/{name}", data)
    return ctx


def pair(w, tag: str) -> dict:
    ctx = obj(w, tag)
    ctx["other"] = obj(w, tag + "-twin")["path"]
    return ctx


def log_has(w, text: str) -> bool:
    return text in w.sb.zone("zoneA").server_log_path.read_text(errors="replace")


#: local.re 67-78 of 4.2: parseCredentials's placeholders (an EPIC API v2 template).
EPIC_4X = ("https://epic3.storage.surfsara.nl/v2_test/handles/", "<username>", "<prefix>",
           "<password>")
#: An OAuth2 PAM user map, and what 4.x's pam_user_reader.py printed for it (json.dumps with
#: indent=4 and ensure_ascii: a one-key map has no line-ending commas, where Python 2's json
#: wrote "," + " ").
USER_MAP = {"alice@example.org": "alice"}
USER_MAP_4X = '{\n    "alice@example.org": "alice"\n}'


CASES: dict[str, Case] = {
    # --- catchError.re ---------------------------------------------------------------------------
    "EUDATCatchErrorChecksum": Case(
        'writeLine("stdout", str(EUDATCatchErrorChecksum("{path}", "null", "{other}", "null", *r))'
        ' ++ "|" ++ str(EUDATCatchErrorChecksum("{path}", "{other}", *r2)));',
        ["true|true"], ("{path}", "{other}", ""),
        lambda out, c, w: out[-1] == f"checksum({c['path']}):{SHA_HELLO} = "
                                     f"checksum({c['other']}):{SHA_HELLO}", pair),
    "EUDATCatchErrorSize": Case(
        'writeLine("stdout", str(EUDATCatchErrorSize("{path}", "{other}", *r)) ++ "|" ++ *r);',
        lambda out, c, w: out == [f"true|size({c['path']}:demoResc:):5 = "
                                  f"size({c['other']}:demoResc:):5"],
        ("{path}", "null", "{other}", "null", ""),
        lambda out, c, w: out[-1].endswith(":5 = size(" + c["other"] + ":demoResc:):5"), pair),
    "EUDATCatchErrorDataOwner": Case(
        'EUDATCatchErrorDataOwner("{coll}", *msg); writeLine("stdout", *msg);',
        ["ownership check passed"], ("{coll}", ""),
        lambda out, c, w: out[-1] == "ownership check passed", coll),
    "EUDATCheckOwnershipObj": Case(
        'writeLine("stdout", str(EUDATCheckOwnershipObj("{path}")) ++ "|" ++ '
        'str(EUDATCheckOwnershipObj("/zoneA/home/rods/none")));',
        ["1|0"], ("{path}",), lambda out, c, w: out[-1] == c["path"], obj),
    "EUDATCheckOwnershipColl": Case(
        'writeLine("stdout", str(EUDATCheckOwnershipColl("{coll}")));', ["1"], ("{coll}",),
        lambda out, c, w: out[-1] == c["coll"], coll),
    # --- eudat.re: logging ------------------------------------------------------------------------
    "logVerbose": Case('logVerbose("parity-verbose-n"); writeLine("stdout", "ok");', ["ok"],
                       ("parity-verbose-p",),
                       lambda out, c, w: not log_has(w, "parity-verbose")),  # level 1 < 3
    "logDebug": Case('logDebug("parity-debug-n"); writeLine("stdout", "ok");', ["ok"],
                     ("parity-debug-p",), lambda out, c, w: not log_has(w, "parity-debug")),
    # Each call checks its own line: the native and the Python test may run in different
    # worker processes (pytest -n), each with its own sandbox.
    "logInfo": Case('logInfo("parity-info-n"); writeLine("stdout", "ok");',
                    lambda out, c, w: out == ["ok"] and log_has(w, "INFO: parity-info-n"),
                    ("parity-info-p",),
                    lambda out, c, w: log_has(w, "INFO: parity-info-p")),
    "logError": Case('logError("parity-error-n"); writeLine("stdout", "ok");', ["ok"],
                     ("parity-error-p",),
                     lambda out, c, w: log_has(w, "ERROR: parity-error-p")),
    "logWithLevel": Case('logWithLevel("debug", "parity-level-n"); writeLine("stdout", "ok");',
                         lambda out, c, w: out == ["ok"]
                         and log_has(w, "DEBUG: parity-level-n"),
                         ("info", "parity-level-p"),
                         lambda out, c, w: log_has(w, "INFO: parity-level-p")),
    # --- eudat.re: utility ------------------------------------------------------------------------
    "EUDATAuthZ": Case(
        'EUDATAuthZ("alice#zoneA", "read", "{path}", *r); writeLine("stdout", *r);', ["True"],
        ("alice#zoneA", "read", "{path}", ""), lambda out, c, w: out[-1] == "True", obj),
    "EUDATObjExist": Case(
        'writeLine("stdout", str(EUDATObjExist("{path}", *r)) ++ "|" ++ *r);',
        lambda out, c, w: out == [f"true|{c['path']} exists and it is an object"],
        ("{path}", ""), lambda out, c, w: out[-1] == f"{c['path']} exists and it is an object",
        obj),
    "EUDATPushMetadata": Case('EUDATPushMetadata("{coll}", "t"); writeLine("stdout", "ok");',
                              ["ok"], ("{coll}", "t"), lambda out, c, w: out[-1] == "t", coll),
    "EUDATPushCollMetadata": Case('EUDATPushCollMetadata("{coll}", "t"); writeLine("stdout", '
                                  '"ok");', ["ok"], ("{coll}", "t"),
                                  lambda out, c, w: out[-1] == "t", coll),
    "EUDATPushObjMetadata": Case('EUDATPushObjMetadata("{path}", "t"); writeLine("stdout", '
                                 '"ok");', ["ok"], ("{path}", "t"),
                                 lambda out, c, w: out[-1] == "t", obj),
    "EUDATMessage": Case('writeLine("stdout", EUDATMessage("t", "hello"));', ["None"],
                         ("t", "hello"), ["t", "None"]),
    "EUDATLog": Case('EUDATLog("parity-eudatlog-n", "INFO"); writeLine("stdout", "ok");', ["ok"],
                     ("parity-eudatlog-p", "ERROR"),
                     lambda out, c, w: log_has(w, "EUDAT ERROR: parity-eudatlog-p")),
    "EUDATQueue": Case(
        'EUDATQueue("queuesize", *n, 0); EUDATQueue("pop", *m, 1); EUDATQueue("queuesize", *k, '
        '0); writeLine("stdout", *n ++ "|" ++ *m ++ "|" ++ *k);',
        lambda out, c, w: out == [f"1|{c['record']}|0"], ("pop", "", "0"),
        lambda out, c, w: out == ["pop", c["record"], "0"], lambda w, t: _queued(w, t)),
    "EUDATtoBoolean": Case(
        'writeLine("stdout", str(EUDATtoBoolean("no")) ++ "|" ++ str(EUDATtoBoolean("FALSE")) '
        '++ "|" ++ str(EUDATtoBoolean("")));', ["true|false|false"], ("0",), ["true"]),
    "EUDATReplaceHash": Case('EUDATReplaceHash("/a#b%c&d", *o); writeLine("stdout", *o);',
                             ["/a*b*c*d"], ("/a#b%c&d", ""), ["/a#b%c&d", "/a*b*c*d"]),
    "EUDATGetZoneNameFromPath": Case(
        'EUDATGetZoneNameFromPath("/zoneB/home/x", *z); writeLine("stdout", *z);', ["zoneB"],
        ("/zoneA/home/x", ""), ["/zoneA/home/x", "zoneA"]),
    "EUDATGetZoneHostFromZoneName": Case(
        'EUDATGetZoneHostFromZoneName("zoneB", *h); EUDATGetZoneHostFromZoneName("nowhere", *u);'
        ' writeLine("stdout", *h ++ "|" ++ *u);', ["zoneb.sandbox:1247|"],
        ("nowhere", ""), ["nowhere", ""]),
    "EUDATiCHECKSUMdate": Case(
        'EUDATiCHECKSUMdate("{coll}", "{name}", "demoResc", "01700000001"); '
        'EUDATgetLastAVU("{path}", "eudat_dpm_checksum_date:demoResc", *v); '
        'writeLine("stdout", *v);', ["01700000001"], ("{coll}", "{name}", "r2", "01700000002"),
        lambda out, c, w: w.avus(c["path"])["eudat_dpm_checksum_date:r2"] == ["01700000002"],
        obj),
    "EUDATiCHECKSUMretrieve": Case(
        'writeLine("stdout", str(EUDATiCHECKSUMretrieve("{path}", *c, *m, "")) ++ "|" ++ *c);',
        ["false|"], ("{path}", "", "", "", ""),
        lambda out, c, w: out[1] == "" and out[4] == "false" and out[2].isdigit(), obj),
    "EUDATiCHECKSUMget": Case(
        'EUDATiCHECKSUMget("{path}", *c, *m, ""); writeLine("stdout", *c);', [SHA_HELLO],
        ("{path}", "", "", ""), lambda out, c, w: out[1] == SHA_HELLO, obj),
    "EUDATgetObjectTimeDiff": Case(
        'EUDATgetObjectTimeDiff("{path}", "1", *a); EUDATgetObjectTimeDiff("/zoneA/none", "1", '
        '*b); writeLine("stdout", str(*a) ++ "|" ++ str(*b));', ["0|-1"],
        ("{path}", "3", ""), lambda out, c, w: out[-1] == "-1", obj),
    "EUDATgetObjectAge": Case(
        'EUDATgetObjectAge("/zoneA/none", *a); writeLine("stdout", str(*a));', ["-1"],
        ("{path}", ""), lambda out, c, w: int(out[-1]) >= 0, obj),
    "EUDATfileInPath": Case(
        'writeLine("stdout", str(EUDATfileInPath("{path}", "{coll}")) ++ "|" ++ '
        'str(EUDATfileInPath("{path}", "/zoneA/home/rods")));', ["true|false"],
        ("{path}", "/zoneA/home/%"), lambda out, c, w: out[-1] == "true", obj),
    "EUDATCreateAVU": Case(
        'EUDATCreateAVU("k", "v1", "{path}"); EUDATgetLastAVU("{path}", "k", *v); '
        'writeLine("stdout", *v);', ["v1"], ("k", "v2", "{path}"),
        lambda out, c, w: w.avus(c["path"])["k"] == ["v2"], obj),
    "EUDATgetLastAVU": Case(
        'EUDATgetLastAVU("{path}", "colour", *v); EUDATgetLastAVU("{path}", "none", *n); '
        'writeLine("stdout", *v ++ "|" ++ *n);', ["blue|None"], ("{path}", "colour", ""),
        lambda out, c, w: out[-1] == "blue", lambda w, t: obj(w, t, colour="blue")),
    "EUDATgetCollAVU": Case(
        'EUDATgetCollAVU("{coll}", *r); writeLine("stdout", *r);', ["owner:alice"],
        ("{coll}", ""), lambda out, c, w: out[-1] == "owner:alice", coll),
    "EUDATgetBulkMetadata": Case(
        'EUDATgetBulkMetadata("{coll}", *r); writeLine("stdout", *r);',
        lambda out, c, w: "a.txt=:=owner=:=alice" in out[0] and "b.txt=:=checksum=:=" in out[0],
        ("{coll}", ""), lambda out, c, w: "a.txt=:=resource=:=demoResc" in out[-1],
        lambda w, t: _tagged_coll(w, t)),
    "EUDATgetObjMetadata": Case(
        'EUDATgetObjMetadata("{path}", *r); writeLine("stdout", *r);',
        lambda out, c, w: out == [f"{c['name']}=:=resource=:=demoResc,{c['name']}=:=owner=:="
                                  f"alice,{c['name']}=:=checksum=:=,{c['name']}=:=colour=:=blue"],
        ("{path}", ""), lambda out, c, w: f"{c['name']}=:=colour=:=blue" in out[-1],
        lambda w, t: obj(w, t, colour="blue")),
    "EUDATcountMetaKeys": Case(
        'EUDATcountMetaKeys("{path}", "colour", *n); writeLine("stdout", *n);', ["1"],
        ("{path}", "colour", ""), lambda out, c, w: out[-1] == "1",
        lambda w, t: obj(w, t, colour="blue")),
    "EUDATGetPAMusers": Case('EUDATGetPAMusers(*m); writeLine("stdout", *m);',
                             USER_MAP_4X.splitlines(), ("",), [USER_MAP_4X]),
    "EUDATrp_checkMeta": Case(
        'EUDATrp_checkMeta("{path}", "n:ADMIN_Status", "v:Other"); '
        'EUDATgetLastAVU("{path}", "ADMIN_Status", *s); writeLine("stdout", *s);', ["None"],
        ("{path}", "n:ADMIN_Status", "v:ReadyToArchive"),
        lambda out, c, w: w.avus(c["path"])["ADMIN_Status"] == ["Archive_ok"],
        lambda w, t: obj(w, t, OTHER_original_checksum=SHA_HELLO)),
    "EUDATrp_ingestObject": Case(
        'EUDATrp_ingestObject("{path}"); EUDATgetLastAVU("{path}", "ADMIN_Status", *s); '
        'writeLine("stdout", *s);', ["Archive_ok"], ("{path}",),
        lambda out, c, w: w.avus(c["path"])["ADMIN_Status"] == ["Archive_ok"]
        and PID.match(w.avus(c["path"])["PID"][0]),
        lambda w, t: obj(w, t, OTHER_original_checksum=SHA_HELLO)),
    "EUDATrp_transferInitiated": Case(
        'EUDATrp_transferInitiated("{path}"); EUDATgetLastAVU("{path}", "ADMIN_Status", *s); '
        'writeLine("stdout", *s);', ["TransferStarted"], ("{path}",),
        lambda out, c, w: w.avus(c["path"])["ADMIN_Status"] == ["TransferStarted"], obj),
    "EUDATrp_transferFinished": Case(
        'EUDATrp_transferFinished("{path}"); EUDATgetLastAVU("{path}", "ADMIN_Status", *s); '
        'writeLine("stdout", *s);', ["TransferFinished"], ("{path}",),
        lambda out, c, w: w.avus(c["path"])["ADMIN_Status"] == ["TransferFinished"], obj),
    # --- local.re ---------------------------------------------------------------------------------
    "getEUDATLoggerLevel": Case('getEUDATLoggerLevel(*l); writeLine("stdout", str(*l));', ["1"],
                                ("",), ["1"]),
    "getEpicApiParameters": Case(
        'getEpicApiParameters(*t, *p, *e, *s, *d); writeLine("stdout", *t ++ "|" ++ *s);',
        [f"os|{SERVER}"], ("", "", "", "", ""), lambda out, c, w: out[0] == "os"
        and out[3] == SERVER),
    "getHttpApiParameters": Case(
        'getHttpApiParameters(*r, *p); writeLine("stdout", *r ++ "|" ++ *p);',
        [f"{SERVER}|{SERVER}"], ("", ""), [SERVER, SERVER]),
    "parseCredentials": Case('parseCredentials(*a, *b, *c, *d); '
                             'writeLine("stdout", *a ++ "|" ++ *b ++ "|" ++ *c ++ "|" ++ *d);',
                             ["|".join(EPIC_4X)], ("", "", "", ""), list(EPIC_4X)),
    "getAuthZParameters": Case('getAuthZParameters(*m); writeLine("stdout", *m);',
                               lambda out, c, w: out[0].endswith("authz.map.json"), ("",),
                               lambda out, c, w: out[-1].endswith("authz.map.json")),
    "getLogParameters": Case('getLogParameters(*m); writeLine("stdout", "[" ++ *m ++ "]");',
                             ["[]"], ("x",), [""]),
    "getMessageParameters": Case(
        'getMessageParameters(*p, *q, *e); writeLine("stdout", *q ++ "|" ++ str(*e));',
        ["B2SAFE|false"], ("", "", ""), lambda out, c, w: out[1] == "B2SAFE"),
    "getConfParameters": Case('getConfParameters(*a); writeLine("stdout", str(*a));', ["false"],
                              ("",), ["false"]),
    "getB2SAFEVersion": Case('getB2SAFEVersion(*v); writeLine("stdout", *v);', [__version__],
                             ("",), [__version__]),
    "rp_getRpIngestParameters": Case(
        'rp_getRpIngestParameters(*p, *o); writeLine("stdout", str(*p) ++ "|" ++ *o);',
        ["false|"], ("", ""), lambda out, c, w: out[1] == ""),
    # --- pid-service.re ---------------------------------------------------------------------------
    "EUDATCreatePID": Case(
        'EUDATCreatePID("None", "{path}", "None", "None", bool("true"), *p); '
        'EUDATCreatePID("None", "{path}", "None", "None", "true", *q); '
        'writeLine("stdout", str(*p == *q) ++ "|" ++ *p);',
        lambda out, c, w: out[0].startswith("true|21.T90001/"),
        ("None", "{path}", "pid", "None", "false", ""),
        lambda out, c, w: PID.match(out[5]) and w.record(out[5]).ror == out[5], obj),
    "EUDATSearchPID": Case(
        'writeLine("stdout", str(EUDATSearchPID("{path}", *p)) ++ "|" ++ *p);',
        lambda out, c, w: out == [f"true|{c['pid']}"], ("{path}", ""),
        lambda out, c, w: out[1] == c["pid"], with_pid),
    "EUDATSearchPIDchecksum": Case(
        'EUDATSearchPIDchecksum("{path}", *p, *u); writeLine("stdout", *u);',
        lambda out, c, w: out == [SERVER + c["path"]], ("{path}", "", ""),
        lambda out, c, w: out[2] == SERVER + c["path"],
        lambda w, t: with_pid_unique(w, t)),
    "EUDATUpdatePIDWithNewChild": Case(
        'writeLine("stdout", EUDATUpdatePIDWithNewChild("{pid}", "21.T90001/CHILD-N"));',
        ["21.T90001/CHILD-N"], ("{pid}", "21.T90001/CHILD-P"),
        lambda out, c, w: w.record(c["pid"]).replicas[-1] == "21.T90001/CHILD-P", with_pid),
    "EUDATGeteValPid": Case(
        'writeLine("stdout", EUDATGeteValPid("{pid}", "EUDAT/FIXED_CONTENT") ++ "|" ++ '
        'EUDATGeteValPid("{pid}", "EUDAT/ROR") ++ "|" ++ EUDATGeteValPid("21.T90001/NONE", '
        '"URL"));', ["False|None|None"], ("{pid}", "URL"),
        lambda out, c, w: out[-1] == SERVER + c["path"], with_pid),
    "EUDATiPIDcreate": Case(
        'writeLine("stdout", str(EUDATiPIDcreate("{path}", "21.T90001/OTHER")) ++ "|" ++ '
        'str(EUDATiPIDcreate("{path}", "{pid}")));', ["false|true"], ("{path}", "21.T90001/X"),
        lambda out, c, w: out[-1] == "false" and w.avus(c["path"])["PID"] == [c["pid"]],
        with_pid),
    "EUDATePIDcreate": Case(
        'EUDATePIDcreate("{path}", "EUDAT/FIXED_CONTENT=True;EUDAT/ROR=pid", *p); '
        'writeLine("stdout", EUDATGeteValPid(*p, "EUDAT/FIXED_CONTENT") ++ "|" ++ '
        'str(EUDATGeteValPid(*p, "EUDAT/ROR") == *p));', ["True|true"],
        ("{path}", "empty", ""),
        lambda out, c, w: w.record(out[2]).url == SERVER + c["path"]
        and "PID" not in w.avus(c["path"]), obj),
    "EUDATePIDsearch": Case(
        'writeLine("stdout", str(EUDATePIDsearch("URL", "{url}", *p)) ++ "|" ++ *p ++ "|" ++ '
        'str(EUDATePIDsearch("URL", "irods://nowhere/x", *q)) ++ "|" ++ *q);',
        lambda out, c, w: out == [f"true|{c['pid']}|false|empty"], ("URL", "{url}", ""),
        lambda out, c, w: out[2] == c["pid"], lambda w, t: _with_url(w, t)),
    "EUDATeCHECKSUMupdate": Case(
        'EUDATeCHECKSUMupdate("{pid}", "{path}"); writeLine("stdout", '
        'EUDATGeteValPid("{pid}", "EUDAT/CHECKSUM"));', [SHA_HELLO], ("{pid}", "{path}"),
        lambda out, c, w: w.record(c["pid"]).checksum == SHA_HELLO, with_pid),
    "EUDATeURLupdate": Case(
        'EUDATeURLupdate("{pid}", "{url}?n"); writeLine("stdout", EUDATGeteValPid("{pid}", '
        '"URL"));', lambda out, c, w: out == [c["url"] + "?n"], ("{pid}", "{url}?p"),
        lambda out, c, w: w.record(c["pid"]).url == c["url"] + "?p",
        lambda w, t: _with_url(w, t)),
    "EUDATeURLupdateColl": Case(
        'EUDATeURLupdateColl("{pid}", "{new_url}"); writeLine("stdout", '
        'EUDATGeteValPid("{pid}", "URL"));', lambda out, c, w: out == [c["new_url"]],
        ("{pid}", "{new_url}"), lambda out, c, w: w.record(c["pid"]).url == c["new_url"],
        lambda w, t: _moved_coll(w, t)),
    "EUDATePIDremove": Case(
        'EUDATePIDremove("{path}", "false"); writeLine("stdout", str(EUDATSearchPID("{path}", '
        '*p)));', ["false"], ("{path}", "false"),
        lambda out, c, w: c["pid"] not in w.handles(), with_pid),
    "EUDATiRORupdate": Case(
        'EUDATiRORupdate("{path}", "{pid}"); EUDATgetLastAVU("{path}", "EUDAT/ROR", *r); '
        'writeLine("stdout", *r);', ["21.T90001/ROR"], ("{path}", "{pid}"),
        lambda out, c, w: w.avus(c["path"])["EUDAT/ROR"] == ["21.T90001/ROR"],
        lambda w, t: _ror_source(w, t)),
    "EUDATeRORupdate": Case(
        'EUDATeRORupdate("{pid}", "21.T90001/R-N"); writeLine("stdout", '
        'EUDATGeteValPid("{pid}", "EUDAT/ROR"));', ["21.T90001/R-N"], ("{pid}", "21.T90001/R-P"),
        lambda out, c, w: w.record(c["pid"]).ror == "21.T90001/R-P", with_pid),
    "EUDATeFIOupdate": Case(
        'EUDATeFIOupdate("{pid}", "21.T90001/F-N"); writeLine("stdout", '
        'EUDATGeteValPid("{pid}", "EUDAT/FIO"));', ["21.T90001/F-N"], ("{pid}", "21.T90001/F-P"),
        lambda out, c, w: w.record(c["pid"]).fio == "21.T90001/F-P", with_pid),
    "EUDATPidsForColl": Case(
        'EUDATPidsForColl("{coll}", "false"); EUDATgetLastAVU("{coll}/a.txt", "PID", *p); '
        'writeLine("stdout", str(*p != "None"));', ["true"], ("{coll}", "false"),
        lambda out, c, w: "PID" in w.avus(c["coll"] + "/b.txt"), coll),
    # --- replication.re ---------------------------------------------------------------------------
    "EUDATUpdateLogging": Case(
        'EUDATUpdateLogging(bool("true"), "{path}", "/zoneB/replicas/x", "ok"); '
        'writeLine("stdout", "ok");', ["ok"], ("true", "{path}", "/zoneB/replicas/x", "ok"),
        lambda out, c, w: not any(a.startswith("eudat_fail_log") for a in w.avus(c["path"])),
        obj),
    "EUDATCheckIntegrity": Case(
        'writeLine("stdout", str(EUDATCheckIntegrity("{path}", "{other}", bool("false"), "None",'
        ' *r)) ++ "|" ++ str(EUDATCheckIntegrity("{path}", "null", "{other}", "null", "false", '
        '"None", *r2)));', ["true|true"], ("{path}", "{other}", "false", "None", ""),
        lambda out, c, w: "!=" not in out[4], pair),
    "EUDATReplication": Case(
        'writeLine("stdout", str(EUDATReplication("{path}", "/zoneB/replicas/{name}", '
        'bool("false"), bool("false"), *r)) ++ "|" ++ *r);',
        lambda out, c, w: out == [f"true|{c['path']}::/zoneB/replicas/{c['name']}::"
                                  "null::registered=false::recursive=false"],
        ("{path}", "/zoneB/replicas/{name}", "", "true", "false", ""),
        lambda out, c, w: "PID" in w.avus(f"/zoneB/replicas/{c['name']}"), obj),
    "EUDATTransferUsingFailLog": Case(
        'EUDATTransferUsingFailLog(1, *s); writeLine("stdout", *s);',
        ["# of successes:0, # of failures:0"], ("1", ""),
        ["1", "# of successes:0, # of failures:0"]),
    "EUDATRegDataRepl": Case(
        'writeLine("stdout", str(EUDATRegDataRepl("{path}", "/zoneB/replicas/{name}", '
        'bool("false"), *r)));', ["true"], ("{path}", "/zoneB/replicas/{name}", "false", ""),
        lambda out, c, w: ANY_PID.match(w.avus(f"/zoneB/replicas/{c['name']}")["PID"][0]), obj),
    "EUDATPIDRegistration": Case(
        'EUDATPIDRegistration("{path}", "{replica}", "", *r); writeLine("stdout", *r);',
        ["None"], ("{path}", "{replica}", "", ""),
        lambda out, c, w: out[-1] == "None" and "PID" in w.avus(c["replica"]),
        lambda w, t: _replicated(w, t)),
    "EUDATSearchAndCreatePID": Case(
        'EUDATSearchAndCreatePID("{path}", *p); EUDATSearchAndCreatePID("{path}", *q); '
        'writeLine("stdout", str(*p == *q) ++ "|" ++ *p);',
        lambda out, c, w: out[0].startswith("true|21.T90001/"), ("{path}", ""),
        lambda out, c, w: PID.match(out[1]) and w.avus(c["path"])["PID"] == [out[1]], obj),
    "EUDATSearchAndDefineField": Case(
        'writeLine("stdout", EUDATSearchAndDefineField("{path}", "{pid}", "EUDAT/PROFILE_VERSION"'
        '));', ["1"], ("{path}", "{pid}", "EUDAT/PROFILE_VERSION"),
        lambda out, c, w: w.avus(c["path"])["EUDAT/PROFILE_VERSION"] == ["1"], with_pid),
    "EUDATCheckIntegrityColl": Case(
        'writeLine("stdout", str(EUDATCheckIntegrityColl("{coll}", "{coll}-copy", bool("false"),'
        ' *r)));', ["true"], ("{coll}", "null", "{coll}-copy", "null", "false", ""),
        lambda out, c, w: "!=" not in out[5], copy_coll),
    "EUDATCheckIntegrityDO": Case(
        'writeLine("stdout", str(EUDATCheckIntegrityDO("{path}", "{other}", bool("false"), *r))'
        ' ++ "|" ++ str(EUDATCheckIntegrityDO("{path}", "null", "/zoneA/none", "null", "false",'
        ' *r2)));', ["true|false"], ("{path}", "{other}", "false", ""),
        lambda out, c, w: "!=" not in out[3], pair),
}


def _queued(w, tag):
    """One record in alice's fail queue (the 4.x push of a failed transfer)."""
    ctx = obj(w, tag)
    ctx["record"] = f"{ctx['path']}::/zoneB/replicas/{tag}.txt::false::test"
    w.call("EUDATQueue", "push", ctx["record"], "0")
    return ctx


def _tagged_coll(w, tag):
    """4.x's query joins the AVUs: objects without any are not listed (GenQuery)."""
    ctx = coll(w, tag)
    w.client().ichksum(ctx["coll"] + "/b.txt")
    for name in ("a.txt", "b.txt"):
        w.client().imeta("set", "-d", f"{ctx['coll']}/{name}", "k", "v")
    return ctx


def with_pid_unique(w, tag):
    ctx = obj(w, tag, data=f"unique {tag}".encode())
    w.call("EUDATCreatePID", "None", ctx["path"], "None", "None", "false", "")
    return ctx


def _with_url(w, tag):
    ctx = with_pid(w, tag)
    ctx["url"] = SERVER + ctx["path"]
    return ctx


def _moved_coll(w, tag):
    ctx = coll(w, tag)
    ctx["pid"] = w.call("EUDATCreatePID", "None", ctx["coll"], "None", "None", "false", "")[5]
    w.client().imv(ctx["coll"], ctx["coll"] + "-moved")
    ctx["new_url"] = SERVER + ctx["coll"] + "-moved"
    return ctx


def _ror_source(w, tag):
    ctx = obj(w, tag)
    other = obj(w, tag + "-r")["path"]
    ctx["pid"] = w.call("EUDATCreatePID", "None", other, "21.T90001/ROR", "None", "false",
                        "")[5]
    return ctx


def _replicated(w, tag):
    ctx = obj(w, tag)
    ctx["replica"] = f"/zoneB/replicas/{tag}.txt"
    w.call("EUDATReplication", ctx["path"], ctx["replica"], "false", "false", "")
    return ctx


@pytest.fixture(scope="module")
def parity_world(tmp_path_factory):
    world = World(site.create(tmp_path_factory.mktemp("parity") / "sandbox", zones=ZONES))
    b = world.client("rods#zoneB")
    b.imkdir("/zoneB/replicas", parents=True)
    b.ichmod("own", "alice#zoneA", "/zoneB/replicas")
    b.inherit("/zoneB/replicas", True)
    world.client().imkdir(f"{HOME}/c")
    users = tmp_path_factory.mktemp("pam")
    (users / "user_map.json").write_text(json.dumps(USER_MAP))
    (users / "authz.map.json").write_text(json.dumps({"pam": {
        "subject": ["alice#zoneA"], "action": ["read"], "target": ["users"]}}))
    world.configure("zoneA", logging={"level": 1}, authorization={
        "enabled": False, "map_file": str(users / "authz.map.json"),
        "pam_user_map": str(users / "user_map.json")})
    world.install_rules(PY_CALL, zones=("zoneA",))
    yield world
    world.close()


def _fill(template: Any, ctx: dict) -> Any:
    return template.format(**ctx) if isinstance(template, str) else template


def _check(expected: Any, out: Any, ctx: dict, world: World) -> None:
    if callable(expected):
        assert expected(out, ctx, world), out
    else:
        assert out == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_native(parity_world, name):
    case = CASES[name]
    ctx = case.prepare(parity_world, f"{name}-n")
    body = case.native.format(**ctx) if ctx else case.native.replace("{{", "{")
    result = parity_world.client().irule_native(
        "t {\n" + body + "\n}\nINPUT null\nOUTPUT ruleExecOut\n")
    assert result.code == 0, result.error
    _check(case.native_out, result.stdout.splitlines(), ctx, parity_world)


@pytest.mark.parametrize("name", sorted(CASES))
def test_python(parity_world, name):
    case = CASES[name]
    ctx = case.prepare(parity_world, f"{name}-p")
    args = [_fill(a, ctx) for a in case.py_args]
    result = parity_world.sb.exec_rule("zoneA", "py_call", [name, *args], "alice#zoneA")
    assert result.code == 0, result.traceback
    _check(case.py_out, result.rule_args[1:], ctx, parity_world)


def _names_4x() -> set[str]:
    names: set[str] = set()
    for file in ("catchError", "eudat", "local", "pid-service", "replication"):
        text = subprocess.run(["git", "-C", str(MIRROR), "show", f"HEAD:rulebase/{file}.re"],
                              capture_output=True, text=True, check=True).stdout
        names |= set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(", text, re.M))
    return names


def test_every_4x_rule_has_a_case():
    """The 75 names of 4.2's rulebase (read from B2SAFE-core when mirrored), each with a case."""
    listed = {rule.name for rule in RULES_4X}
    assert len(listed) == 75
    if MIRROR.exists():
        assert _names_4x() == listed
    assert set(CASES) == listed


#: The other 4.x arity of each overloaded rule (CASES call one from Python): arguments, and a
#: check of the arguments after the call.
OTHER_FORMS: dict[str, tuple[Callable[[dict], list], Callable[[list, dict], bool]]] = {
    "EUDATCatchErrorChecksum": (lambda c: [c["path"], "null", c["other"], "null", ""],
                                lambda out, c: " = checksum(" in out[-1]),
    "EUDATCatchErrorSize": (lambda c: [c["path"], c["other"], ""],
                            lambda out, c: out[-1].endswith(":5")),
    "EUDATCheckIntegrity": (lambda c: [c["path"], "null", c["other"], "null", "false", "None",
                                       ""], lambda out, c: "!=" not in out[-1]),
    "EUDATCheckIntegrityDO": (lambda c: [c["path"], "null", c["other"], "null", "false", ""],
                              lambda out, c: "!=" not in out[-1]),
    "EUDATReplication": (lambda c: [c["path"], f"/zoneB/replicas/f5-{c['name']}", "false",
                                    "false", ""],
                         lambda out, c: out[-1].endswith("registered=false::recursive=false")),
    "EUDATRegDataRepl": (lambda c: [c["path"], f"/zoneB/replicas/r5-{c['name']}", "null",
                                    "false", ""],
                         lambda out, c: out[-1] == ""),  # 4.x: "" when nothing failed
}


@pytest.mark.parametrize("name", sorted(OTHER_FORMS))
def test_python_other_form(parity_world, name):
    build, check = OTHER_FORMS[name]
    ctx = pair(parity_world, f"{name}-f")
    args = build(ctx)
    result = parity_world.sb.exec_rule("zoneA", "py_call", [name, *args], "alice#zoneA")
    assert result.code == 0, result.traceback
    assert check(result.rule_args[1:], ctx), result.rule_args


def test_collection_check_in_its_other_form(parity_world):
    ctx = copy_coll(parity_world, "coll-form")
    for args in ([ctx["coll"], ctx["coll"] + "-copy", "false", ""],
                 [ctx["coll"], "null", ctx["coll"] + "-copy", "null", "false", ""]):
        result = parity_world.sb.exec_rule("zoneA", "py_call", ["EUDATCheckIntegrityColl", *args],
                                           "alice#zoneA")
        assert result.code == 0, result.traceback
        assert "!=" not in result.rule_args[-1]


def test_native_other_forms(parity_world):
    """The arities CASES call only from Python, called from the rule language."""
    ctx = pair(parity_world, "native-forms")
    coll_ctx = copy_coll(parity_world, "native-forms-coll")
    body = (f'writeLine("stdout", str(EUDATRegDataRepl("{ctx["path"]}", '
            f'"/zoneB/replicas/n5-{ctx["name"]}", "null", bool("false"), *r1)));\n'
            f'writeLine("stdout", str(EUDATReplication("{ctx["path"]}", '
            f'"/zoneB/replicas/n6-{ctx["name"]}", "null", bool("false"), bool("false"), *r2)));\n'
            f'writeLine("stdout", str(EUDATCatchErrorSize("{ctx["path"]}", "null", '
            f'"{ctx["other"]}", "null", *r3)));\n'
            f'writeLine("stdout", str(EUDATCheckIntegrityColl("{coll_ctx["coll"]}", "null", '
            f'"{coll_ctx["coll"]}-copy", "null", bool("false"), *r4)));')
    result = parity_world.client().irule_native(
        "t {\n" + body + "\n}\nINPUT null\nOUTPUT ruleExecOut\n")
    assert result.code == 0, result.error
    assert result.stdout.splitlines() == ["true", "true", "true", "true"]
