"""The signing key: its own 0600 secret, rotatable with a grace period; signatures that cannot
be shaken by odd input; the codec's units round-trip any text without letting a value add a key.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2safe.config import parse_config
from b2safe.errors import ConfigError, InvalidInput
from b2safe.state import codec, keys
from b2safe.state.signing import Signer, signer_for

WORK = codec.Work("replication", "alice#zoneA", "/zoneA/home/alice/f", "replicate",
                  "/zoneB/replicas/f", {"resource": "", "registered": "True"})


def _config(tmp_path, key_file, grace="7d"):
    return parse_config({"version": 1, "zone": {"name": "zoneA", "server_id": "irods://h:1247"},
                         "signing": {"key_file": str(key_file), "grace_period": grace}},
                        str(tmp_path / "b2safe.json"))


def test_install_style_creation_is_0600_and_signs(tmp_path):
    path = tmp_path / "b2safe" / "signing.key"
    assert keys.create(str(path))
    assert (os.stat(path).st_mode & 0o777) == 0o600
    assert not keys.create(str(path))  # never overwritten
    signer = signer_for(_config(tmp_path, path))
    assert signer is not None
    assert signer.verify(codec.seal(signer, WORK), WORK.message())


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "signing.key"
    keys.create(str(path))
    os.chmod(path, 0o640)
    assert signer_for(_config(tmp_path, path)) is None
    with pytest.raises(ConfigError, match="0600"):
        keys.load(str(path))


def test_without_a_key_nothing_is_signed_or_accepted(tmp_path):
    assert signer_for(_config(tmp_path, tmp_path / "missing.key")) is None
    assert codec.seal(None, WORK) == ""
    assert codec.check(None, WORK, "k1.0123456789abcdef0123456789abcdef") == codec.UNVERIFIABLE


def test_rotation_keeps_the_old_key_valid_for_the_grace_period(tmp_path):
    path = str(tmp_path / "signing.key")
    keys.create(path, now=1000)
    old = Signer(keys.load(path, grace=100), clock=lambda: 1000)
    signature = codec.seal(old, WORK)
    ring = keys.rotate(path, grace=100, now=2000)
    assert ring.current.key_id != old.ring.current.key_id
    within = Signer(keys.load(path, grace=100), clock=lambda: 2100)
    after = Signer(keys.load(path, grace=100), clock=lambda: 2101)
    assert within.verify(signature, WORK.message())
    assert not after.verify(signature, WORK.message())
    assert codec.seal(within, WORK) != signature  # new work is signed with the new key
    keys.rotate(path, grace=100, now=3000)  # the expired key is dropped
    assert len(keys.load(path, grace=100).keys) == 2


@pytest.mark.parametrize("signature", [
    "", "no-dot", "k1.\u00e9\u00e9", "\u00e9.0123456789abcdef0123456789abcdef",
    "k1.0123456789ABCDEF0123456789ABCDEF", "unknown.0123456789abcdef0123456789abcdef",
    "k1.0123456789abcdef0123456789abcdef\n", None])
def test_malformed_signatures_are_invalid_and_never_raise(tmp_path, signature):
    path = str(tmp_path / "signing.key")
    keys.create(path)
    signer = Signer(keys.load(path))
    assert not signer.verify(signature, WORK.message())  # type: ignore[arg-type]


def test_the_signature_binds_requester_object_operation_destination_and_parameters(tmp_path):
    path = str(tmp_path / "signing.key")
    keys.create(path)
    signer = Signer(keys.load(path))
    signature = codec.seal(signer, WORK)
    assert codec.check(signer, WORK, signature, WORK.obj) == codec.VALID
    for changed in (replace(WORK, requester="bob#zoneA"), replace(WORK, obj="/zoneA/x"),
                    replace(WORK, operation="repair"), replace(WORK, destination="/zoneB/y"),
                    replace(WORK, params={"resource": "other", "registered": "True"}),
                    replace(WORK, kind="integrity")):
        assert codec.check(signer, changed, signature) == codec.FORGED
    assert codec.check(signer, WORK, signature, holder="/zoneA/elsewhere") == codec.FORGED


# iRODS hands AVUs over as UTF-8: lone surrogates cannot occur.
@given(st.dictionaries(st.sampled_from(["user", "sig", "resc", "cause"]),
                       st.text(st.characters(blacklist_categories=("Cs",)))))
def test_units_round_trip_any_text(fields):
    """Whole while they fit the catalog's 250 characters; else the cause is cut at a whole
    character (marked by an ellipsis), or the record is refused when it fits not even without
    its cause."""
    try:
        units = codec.encode_units(fields)
    except InvalidInput:
        with pytest.raises(InvalidInput):
            codec.encode_units({**fields, "cause": ""} if "cause" in fields else fields)
        return
    decoded = codec.decode_units(units)
    assert decoded is not None and len(units) <= codec.MAX_UNITS
    if decoded != fields:
        cut = decoded.pop("cause")
        assert decoded == {k: v for k, v in fields.items() if k != "cause"}
        assert cut == "" or (cut.endswith("\u2026") and fields["cause"].startswith(cut[:-1]))


def test_a_value_cannot_add_a_key():
    units = codec.encode_units({"user": "alice#zoneA;user=rods#zoneA", "sig": "x=y"})
    assert codec.decode_units(units) == {"user": "alice#zoneA;user=rods#zoneA", "sig": "x=y"}
    assert codec.decode_units("v2;user=a;user=b") is None
    assert codec.decode_units("v1;user=a") is None


@pytest.mark.parametrize("wait,carried_out", [(86400, True), (8 * 86400, False)])
def test_a_record_signed_before_a_rotation_is_quarantined_after_the_grace(fed, capsys, wait,
                                                                          carried_out):
    """Through the rules, on the sandbox clock (no sleeping): work queued before
    ``b2safe keys rotate`` is still carried out by the admin's retry within
    ``signing.grace_period`` (7 days by default), moved aside after it; work queued after the
    rotation is signed with the new key and carried out."""
    from attack_helpers import avu_rows, exists, user_file

    from b2safe.cli import main
    from b2safe.state import faillog, quarantine

    old = user_file(fed, "/zoneA/home/alice/old.dat")
    fed.call("EUDATUpdateLogging", "false", old, "/zoneB/replicas/old.dat", "down",
             user="alice#zoneA")
    key_file = fed.sb.zone("zoneA").config_dir / "signing.key"
    before = keys.load(str(key_file)).current.key_id
    assert main(["keys", "rotate", "--sandbox", str(fed.sb.directory), "--zone", "zoneA",
                 "--json"]) == 0
    rotated = json.loads(capsys.readouterr().out)
    assert rotated["retired"] == before and rotated["current"] != before
    assert (os.stat(key_file).st_mode & 0o777) == 0o600
    new = user_file(fed, "/zoneA/home/alice/new.dat")
    fed.call("EUDATUpdateLogging", "false", new, "/zoneB/replicas/new.dat", "down",
             user="alice#zoneA")
    fed.sb.clock.advance(wait)
    stats = fed.call("EUDATTransferUsingFailLog", "10", "", user="rods#zoneA")[1]
    assert stats == f"# of successes:{2 if carried_out else 1}, # of failures:0"
    assert exists(fed, "/zoneB/replicas/new.dat")
    assert exists(fed, "/zoneB/replicas/old.dat") == carried_out
    names = [name for name, _, _ in avu_rows(fed, old)]
    assert any(n.startswith(quarantine.PREFIX) for n in names) == (not carried_out)
    assert not any(n.startswith(faillog.AVU_PREFIX) for n in names)


def test_keys_rotate_on_a_server_config(tmp_path, capsys):
    """``b2safe keys rotate --config FILE`` as run on a server: creates the key file when
    missing (0600 in a 0700 directory), then rotates keeping the old key; a missing
    configuration is a usage error (exit 2) and writes nothing."""
    from b2safe.cli import main

    key_file = tmp_path / "b2safe.d" / "signing.key"
    config = tmp_path / "b2safe.json"
    config.write_text(json.dumps({"version": 1, "zone": {"name": "zoneA",
                                                         "server_id": "irods://h:1247"},
                                  "signing": {"key_file": str(key_file)}}))
    assert main(["keys", "rotate", "--config", str(config)]) == 0
    first = keys.load(str(key_file)).current.key_id
    assert main(["keys", "rotate", "--config", str(config)]) == 0
    assert "still verifies work queued before now" in capsys.readouterr().out
    ring = keys.load(str(key_file))
    assert [k.key_id for k in ring.keys][1] == first and ring.current.key_id != first
    assert (os.stat(key_file).st_mode & 0o777) == 0o600
    assert (os.stat(key_file.parent).st_mode & 0o777) == 0o700
    assert main(["keys", "rotate", "--config", str(tmp_path / "missing.json")]) == 2
    assert main(["keys"]) == 2
