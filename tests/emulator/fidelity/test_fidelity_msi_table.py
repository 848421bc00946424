"""The sandbox's microservice table against the server's, per version profile.

The server's table is ``irods::ms_table`` in server/re/include/irods/reAction.hpp: 122 entries
at 4.3.5, 116 at 5.0.2 (5.0.0 removed msiAclPolicy, msiDigestMonStat, msiFlushMonStat,
msiSendMail, msiServerMonPerf, msiSetResource). ``data/msi_tables.json`` holds both tables
(name -> argument count) as read from the irods/irods mirror; where the mirror is present
(``$B2SAFE_IRODS_REPO``, default /work/.mirror/irods+irods/repo) the snapshot is checked against
it. The sandbox must register exactly the table's names with its argument counts for each
profile ("core" microservices), so a missing or extra one shows here. Microservices of other
origins (plugins, the rule language's own, PREP's) must exist in that origin's source.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import b2safe_sandbox.runtime.msis  # noqa: F401  (registers the microservices)
import pytest
from b2safe_sandbox.runtime import registry

SNAPSHOT = Path(__file__).resolve().parent / "data" / "msi_tables.json"
TABLES: dict = json.loads(SNAPSHOT.read_text())["tables"]
PROFILES = {"4.3.5": (4, 3), "5.0.2": (5, 0)}
MIRROR = Path(os.environ.get("B2SAFE_IRODS_REPO", "/work/.mirror/irods+irods/repo"))
PREP_MIRROR = Path(os.environ.get("B2SAFE_PREP_REPO",
                                  "/work/.mirror/irods+irods_rule_engine_plugin_python/repo"))
_ENTRY = re.compile(r'table_\[\s*"([^"]+)"\s*\]\s*=\s*new\s+irods::ms_table_entry\(\s*"[^"]+"'
                    r'\s*,\s*(\d+)')
#: Where a non-core microservice is defined (the tag's path holding its name).
ORIGIN_PATHS = {"plugin": "plugins/microservices/src",
                "nrep": "plugins/rule_engines/irods_rule_language/src"}


def _git_show(repo: Path, spec: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", spec], capture_output=True,
                          text=True, check=True).stdout


def _have(repo: Path) -> bool:
    return (repo / "HEAD").is_file() or (repo / ".git").exists()


@pytest.mark.parametrize("tag", sorted(PROFILES))
def test_sandbox_registers_exactly_the_servers_table(tag: str) -> None:
    """Every microservice of the tag's table, with its argument count, and no other "core"
    one."""
    # server/re/include/irods/reAction.hpp@5.0.2 L135-251 (reAction.hpp@4.3.5 L138-266).
    version = PROFILES[tag]
    table = TABLES[tag]
    registered = {name: registry.lookup(name, True, version) for name in
                  registry.names(version, "core")}
    missing = sorted(set(table) - set(registered))
    extra = sorted(set(registered) - set(table))
    assert missing == [], f"not registered for {tag}: {missing}"
    assert extra == [], f"registered for {tag} but not in its table: {extra}"
    wrong = {name: (spec.nargs, table[name]) for name, spec in registered.items()
             if spec is not None and spec.nargs != table[name]}
    assert wrong == {}, f"argument counts (sandbox, server) differ: {wrong}"


def test_the_43_only_microservices_are_unknown_on_50() -> None:
    """5.0's table drops six names; a 5.0 zone does not find them (NO_MICROSERVICE_FOUND_ERR
    for PREP, engine.lookup_msi), a 4.3 zone does."""
    # reAction.hpp@4.3.5 vs reAction.hpp@5.0.2 L135-251 (the six entries 5.0.0 removed).
    gone = sorted(set(TABLES["4.3.5"]) - set(TABLES["5.0.2"]))
    assert gone == ["msiAclPolicy", "msiDigestMonStat", "msiFlushMonStat", "msiSendMail",
                    "msiServerMonPerf", "msiSetResource"]
    for name in gone:
        assert registry.lookup(name, True, (5, 0)) is None, name
        assert registry.lookup(name, True, (4, 3)) is not None, name


@pytest.mark.skipif(not _have(MIRROR), reason=f"no irods/irods mirror at {MIRROR} "
                                                "(set B2SAFE_IRODS_REPO)")
@pytest.mark.parametrize("tag", sorted(PROFILES))
def test_snapshot_is_the_mirrors_table(tag: str) -> None:
    """data/msi_tables.json is reAction.hpp at the tag."""
    # server/re/include/irods/reAction.hpp@5.0.2 L135-251, read from the mirror.
    text = _git_show(MIRROR, f"{tag}:server/re/include/irods/reAction.hpp")
    assert {m.group(1): int(m.group(2)) for m in _ENTRY.finditer(text)} == TABLES[tag]


@pytest.mark.skipif(not _have(MIRROR), reason=f"no irods/irods mirror at {MIRROR} "
                                                "(set B2SAFE_IRODS_REPO)")
@pytest.mark.parametrize("origin", sorted(ORIGIN_PATHS))
def test_other_origins_exist_in_their_source(origin: str) -> None:
    """A plugin or rule-language microservice of the sandbox is named in that source at
    5.0.2 (plugins/microservices/src, plugins/rule_engines/irods_rule_language/src)."""
    # plugins/microservices/src at 5.0.2 (e.g. get_agent_pid.cpp@5.0.2 L36 make_msi) and
    # plugins/rule_engines/irods_rule_language/src (functions.cpp@5.0.2 L1989 writeLine).
    for name in registry.names(None, origin):
        found = subprocess.run(
            ["git", "-C", str(MIRROR), "grep", "-l", f'"{name}"', "5.0.2", "--",
             ORIGIN_PATHS[origin]], capture_output=True, text=True, check=False).stdout
        assert found.strip(), f"{name} ({origin}) is not in {ORIGIN_PATHS[origin]} at 5.0.2"


@pytest.mark.skipif(not _have(PREP_MIRROR), reason=f"no PREP mirror at {PREP_MIRROR} "
                                                     "(set B2SAFE_PREP_REPO)")
def test_preps_microservices_exist_in_prep() -> None:
    """PREP's own microservices (py_remote) are in its src/main.cpp at 5.0.1."""
    # PREP src/main.cpp@5.0.1 L446 (ms_table["py_remote"], the msis PREP registers).
    text = _git_show(PREP_MIRROR, "5.0.1:src/main.cpp")
    for name in registry.names(None, "prep"):
        assert f'"{name}"' in text, name
