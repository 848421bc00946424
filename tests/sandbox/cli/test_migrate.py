"""``b2safe migrate`` on 4.x inputs as B2SAFE-core 4.2 wrote them: install.conf (the variables
packaging/install.sh sources), an authorization map (authZmanager.py's fnmatch) and a fail
queue (logmanager.py's queuelib FifoDiskQueue of source::destination::status::cause records)."""

from __future__ import annotations

import json
import stat

from queuelib import FifoDiskQueue

from b2safe.domain import authz

INSTALL_CONF = """\
# 4.x install.conf
B2SAFE_PACKAGE_DIR=/opt/eudat/b2safe
DEFAULT_RESOURCE=eudat
CRED_STORE_TYPE=os
CRED_FILE_PATH=$B2SAFE_PACKAGE_DIR/conf/credentials
SERVER_ID="irods://icat.example.org:1247"
SERVERAPIREG='https://icat.example.org/api/registered'
SERVERAPIPUB='https://icat.example.org/api/public'
HANDLE_SERVER_URL=https://epic.example.org:8001
PREFIX=21.T12345
LOG_LEVEL=DEBUG
LOG_DIR=/var/log/irods/b2safe
AUTHZ_ENABLED=true
MSG_QUEUE_ENABLED=false
"""

MAP_4X = {"pid users": {"subject": ["alic?#zoneA", "[bc]arol#zoneA"], "action": ["read"],
                        "target": ["/opt/eudat/b2safe/conf/*"]},
          "reader": {"subject": ["*"], "action": ["read"], "target": ["/other/*"]}}


def inputs(tmp_path):
    conf = tmp_path / "install.conf"
    conf.write_text(INSTALL_CONF)
    amap = tmp_path / "authz.map.json"
    amap.write_text(json.dumps(MAP_4X))
    return str(conf), str(amap)


def test_dry_run_reports_and_changes_nothing(cli, tmp_path):
    conf, amap = inputs(tmp_path)
    target = cli.config_path()
    before = target.read_bytes()
    out = cli("migrate", "--install-conf", conf, "--authz-map", amap, "--target", str(target))
    assert out.code == 0, out.err
    assert "zone.server_id: 'irods://zonea.sandbox:1247' -> 'irods://icat.example.org:1247'" \
        in out.out
    assert "logging.level: 2 -> 2" not in out.out
    assert "dry run: nothing was changed" in out.out
    assert target.read_bytes() == before
    assert not (target.parent / "b2safe.d" / "authz.map.json").exists()


def test_apply_writes_settings_and_a_map_that_keeps_4x_meaning(cli, tmp_path):
    conf, amap = inputs(tmp_path)
    target = cli.config_path()
    out = cli("migrate", "--install-conf", conf, "--authz-map", amap, "--target", str(target),
              "--apply", "--json")
    assert out.code == 0, out.err
    data = json.loads(target.read_text())
    assert data["zone"]["server_id"] == "irods://icat.example.org:1247"
    assert data["zone"]["default_resource"] == "eudat"
    assert data["http_api"] == {"enabled": True,
                                "registered_base": "https://icat.example.org/api/registered",
                                "public_base": "https://icat.example.org/api/public"}
    assert data["logging"]["level"] == 2
    assert data["authorization"]["enabled"] is True
    assert data["pid"]["reverse_lookup_fallback"] is True
    assert data["pid"]["credentials_file"] == "/opt/eudat/b2safe/conf/credentials"
    map_path = data["authorization"]["map_file"]
    assert stat.S_IMODE((target.parent / "b2safe.d" / "authz.map.json").stat().st_mode) == 0o600
    converted = authz.parse_map(json.loads(open(map_path).read()))
    # 4.x gated PIDs by "may read the credentials": fnmatch ? and [] keep their meaning
    assert converted.allows("alice#zoneA", "pid", "/zoneA/home/alice/x")
    assert converted.allows("carol#zoneA", "pid", "/zoneA/home/carol/x")
    assert not converted.allows("dave#zoneA", "pid", "/zoneA/home/dave/x")
    assert not converted.allows("alicia#zoneA", "pid", "/zoneA/home/x")
    # what 4.x did not gate stays open; the 4.x assertions still answer EUDATAuthZ
    assert converted.allows("dave#zoneA", "replicate", "/zoneA/home/dave/x")
    assert converted.allows("dave#zoneA", "read", "/other/file")
    notes = out.json()["notes"]
    assert any(n.startswith("LOG_DIR not carried over") for n in notes)


def test_bad_input_changes_nothing(cli, tmp_path):
    conf, amap = inputs(tmp_path)
    target = cli.config_path()
    before = target.read_bytes()
    bad = tmp_path / "bad.conf"
    bad.write_text(INSTALL_CONF.replace("LOG_LEVEL=DEBUG", "LOG_LEVEL=LOUD"))
    out = cli("migrate", "--install-conf", str(bad), "--authz-map", amap, "--target",
              str(target), "--apply")
    assert out.code != 0 and "LOG_LEVEL 'LOUD'" in out.err
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"a": {"subject": [], "action": ["read"], "target": ["*"]}}))
    out = cli("migrate", "--install-conf", conf, "--authz-map", str(broken), "--target",
              str(target), "--apply")
    assert out.code != 0 and "'a' needs 'subject'" in out.err
    bad_server = tmp_path / "server.conf"
    bad_server.write_text("SERVER_ID=icat.example.org\n")
    out = cli("migrate", "--install-conf", str(bad_server), "--target", str(target), "--apply")
    assert out.code != 0 and "server_id" in out.err
    assert target.read_bytes() == before
    assert not (target.parent / "b2safe.d" / "authz.map.json").exists()


def test_fail_queue_records_go_into_the_fail_log_and_the_queue_is_kept(cli, tmp_path):
    source = cli.put("/zoneA/home/alice/q:1.dat")
    cli.put("/zoneA/home/alice/q:2.dat")
    admin_b = cli.sb.client("rods#zoneB")
    admin_b.imkdir("/zoneB/replicas", parents=True)
    admin_b.imkdir("/zoneB/private", parents=True)  # alice may not write there
    for user, coll in (("alice#zoneA", "replicas"), ("rods#zoneA", "replicas"),
                       ("rods#zoneA", "private")):
        admin_b.ichmod("own", user, f"/zoneB/{coll}")
    queue_dir = tmp_path / "b2safe.queue"
    queue = FifoDiskQueue(str(queue_dir))
    queue.push(f"{source}::/zoneB/replicas/q:1.dat::False::rsync failed".encode())
    queue.push(b"/zoneA/home/alice/q:2.dat::/zoneB/private/q:2.dat::False::x")
    queue.push(b"/zoneA/home/alice/gone.dat::/zoneB/replicas/gone.dat::False::x")
    queue.close()
    target = cli.config_path()
    out = cli("migrate", "--queue", str(queue_dir), "--target", str(target))
    assert out.code == 0 and "fail log: /zoneA/home/alice/q:1.dat -> " in out.out
    out = cli("migrate", "--queue", str(queue_dir), "--target", str(target), "--apply",
              "--user", "rods#zoneA")
    assert out.code == 1  # one record names an object that no longer exists: reported
    assert "not imported: /zoneA/home/alice/gone.dat" in out.out
    # signed for the source's owner (who may write the destination), not for rods
    assert f"imported: {source} -> /zoneB/replicas/q:1.dat for alice#zoneA" in out.out
    assert "not imported: /zoneA/home/alice/q:2.dat -> /zoneB/private/q:2.dat" in out.out
    rows = cli.sb.client("rods#zoneA").iquest(
        "SELECT COLL_NAME, DATA_NAME, META_DATA_ATTR_VALUE WHERE "
        "META_DATA_ATTR_NAME like 'eudat_fail_log:%'")
    assert [r[:2] for r in rows] == [["/zoneA/home/alice", "q:1.dat"]]
    assert len(FifoDiskQueue(str(queue_dir))) == 3  # the 4.x queue is left as it was
    not_a_queue = tmp_path / "empty"
    not_a_queue.mkdir()
    out = cli("migrate", "--queue", str(not_a_queue), "--target", str(target), "--apply")
    assert out.code != 0 and "not a 4.x fail queue" in out.err
