"""Every public rule against a corpus of hostile or malformed inputs.

Each case puts one bad value into one input of one calling form (the other inputs valid). A case
either succeeds, or fails with a clear error - a specific iRODS code (not -1, not
SYS_INTERNAL_ERR) and a message naming the rule - and then leaves the catalogs of every zone and
every Handle store exactly as they were (compared by GenQuery and store listing, case by case).
"""

from __future__ import annotations

import itertools

from policy_support import diff, snapshot

import b2safe.ruleset  # noqa: F401  (registers every rule)
from b2safe.errors import SYS_INTERNAL_ERR
from b2safe.prep.registry import REGISTRY

HOME = "/zoneA/home/alice"
OBJ = f"{HOME}/c/f.dat"
COLL = f"{HOME}/c"

BAD = [
    f"{HOME}/it's here",
    f"{OBJ}'",
    "x' || DATA_NAME like '%",
    "/zoneA/home/%",
    f"{HOME}/_",
    f"{HOME}/a&b#c",
    f"{HOME}/ünï©ødé ✓",
    f"{HOME}/new\nline",
    f"{HOME}/tab\there",
    f"{HOME}/" + "x" * 300,
    "/zoneA/" + "/".join(["d" * 200] * 6),
    f"{HOME}/../alice/c",
    f"{HOME}/./c",
    f"{COLL}/",
    f"{HOME}//c",
    "/zoneB/home/alice/x.dat",
    "/zoneZ/nowhere",
    "relative/path",
    "",
    "None",
    "\x00",
    "'; DROP TABLE r_data_main; --",
    "21.T90001/'or'1'='1",
    "21.T90001/%",
    "%",
    "&",
    "#",
    "a" * 5000,
    "true\n",
    "-1",
    "99999999999999999999",
    "<PLUSET>1s</PLUSET>",
    "callback.msiDataObjUnlink('/zoneA/home/alice/c/f.dat', 0)",
    '{"__class__": 1}',
    "[[\"/zoneA/x\", \"p\", \"r\", \"f\", \"true\"]]",
]

PATH_PARAMS = {"path", "source", "destination", "coll_path", "collection", "s_coll", "d_coll",
               "sub_coll", "target"}
PID_PARAMS = {"pid", "parent_pid", "child_pid", "ror", "fio"}


def valid_value(name: str, pid: str) -> str:
    """A valid value for parameter ``name`` (so the bad value is the only problem)."""
    if name in ("coll_path", "collection", "s_coll", "d_coll", "sub_coll", "coll"):
        return COLL
    if name in ("path", "source", "target"):
        return OBJ
    if name == "destination":
        return f"{HOME}/copy.dat"
    if name in PID_PARAMS:
        return pid
    return {
        "fixed": "false", "recursive": "false", "registered": "false", "log_enabled": "false",
        "force": "false", "key": "k", "value": "v", "name": "f.dat", "resc": "demoResc",
        "mode": "1", "limit": "10", "buffer_length": "10", "batch_size": "10", "kind": "-d",
        "first_id": "1", "last_id": "2", "user": "alice#zoneA", "action": "read",
        "request": "[]", "notification": "false", "status": "true", "cause": "c",
        "dest_res": "null", "source_res": "null", "resource": "demoResc",
        "mod_time": "1700000000", "zone_name": "zoneA", "new_url": "irods://x/y",
        "buffer": "10",
    }.get(name, "x")


def cases(pid):
    """(rule, user, args, bad value, parameter) for every rule, form and input."""
    values = itertools.cycle(BAD)
    for name, spec in sorted(REGISTRY.items()):
        if spec.kind == "pep":
            continue
        user = "rods#zoneA" if spec.admin_only else "alice#zoneA"
        for form in spec.forms:
            inputs = [slot for slot in form.slots if not slot[1]]
            for target in inputs:
                for _ in range(3):
                    bad = next(values)
                    args = []
                    for slot_name, is_out, _boolean in form.slots:
                        if is_out:
                            args.append("")
                        elif slot_name == target[0]:
                            args.append(bad)
                        else:
                            args.append(valid_value(slot_name, pid))
                    yield name, user, args, bad, target[0]


def test_every_rule_survives_the_bad_input_corpus(world):
    client = world.client("alice#zoneA")
    client.imkdir(COLL, parents=True)
    client.iput(OBJ, b"content")
    pid = world.call("EUDATCreatePID", "None", OBJ, "None", "None", "false", "")[-1]
    problems = []
    count = 0
    before = snapshot(world)
    for rule, user, args, bad, param in cases(pid):
        count += 1
        result = world.sb.exec_rule("zoneA", rule, list(args), user)
        after = snapshot(world)
        label = f"{rule}({param}={bad[:40]!r})"
        if result.code == 0:
            if not all(isinstance(a, str) for a in result.rule_args):
                problems.append(f"{label}: non-string output {result.rule_args!r}")
        else:
            text = result.traceback or ""
            if result.code in (-1, SYS_INTERNAL_ERR):
                problems.append(f"{label}: unclear code {result.code}: {text[-300:]}")
            elif f"{rule}:" not in text and f"{rule} " not in text:
                problems.append(f"{label}: message does not name the rule: {text[-300:]}")
            changed = diff(before, after)
            if changed:
                problems.append(f"{label}: failed ({result.code}) but changed {changed}")
        before = after
    assert count >= 200
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"
