"""EUDATGetPAMusers gives the OAuth2 PAM user map (which external identity is which iRODS user)
only to users the authorization map lets ``read`` target ``users``, as B2SAFE 4.x's rule asked
``EUDATAuthZ`` (eudat.re 759-765), and refuses when there is no map (fail closed)."""

from __future__ import annotations

import json

from b2safe import errors

USERS = {"alice@example.org": "alice", "bob@example.org": "bob"}


def _setup(world, tmp_path, assertions):
    (tmp_path / "user_map.json").write_text(json.dumps(USERS))
    (tmp_path / "authz.map.json").write_text(json.dumps(assertions))
    world.configure("zoneA", authorization={"enabled": False,
                                            "map_file": str(tmp_path / "authz.map.json"),
                                            "pam_user_map": str(tmp_path / "user_map.json")})


def test_only_users_the_map_names_read_the_pam_user_map(world, tmp_path):
    _setup(world, tmp_path, {"pam": {"subject": ["alice#zoneA"], "action": ["read"],
                                     "target": ["users"]}})
    assert json.loads(world.call("EUDATGetPAMusers", "")[0]) == USERS
    for user in ("bob#zoneA", "rods#zoneA", "alice#zoneB"):
        err = world.fails("EUDATGetPAMusers", "", user=user)
        assert err.code == errors.CAT_NO_ACCESS_PERMISSION, (user, err.text)
        assert "alice@example.org" not in err.text


def test_without_a_map_nobody_reads_it(world, tmp_path):
    _setup(world, tmp_path, {})
    (tmp_path / "authz.map.json").unlink()
    assert world.fails("EUDATGetPAMusers", "").code == errors.SYS_CONFIG_FILE_ERR
    assert world.fails("EUDATGetPAMusers", "", user="rods#zoneA").code == \
        errors.SYS_CONFIG_FILE_ERR
