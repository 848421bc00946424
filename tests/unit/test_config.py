"""Configuration: schema validation with JSON pointers, defaults, caching, no secrets."""

import json
import shutil
from pathlib import Path

import pytest

from b2safe import config as cfg
from b2safe.errors import SYS_CONFIG_FILE_ERR, ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "conf" / "b2safe.example.json"
MINIMAL = {"version": 1, "zone": {"name": "tempZone", "server_id": "irods://localhost:1247"}}


def write(tmp_path, data, name="b2safe.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_example_config_validates():
    config = cfg.read_config_file(str(EXAMPLE))
    assert config.zone.name == "tempZone"
    assert config.policies[0].replicate[0].destination == "/otherZone/replicas"
    assert config.integrity.sweeps[0].verify_storage is True


def test_schema_copy_in_conf_is_current():
    shipped = json.loads((ROOT / "b2safe" / "schema" / "b2safe.schema.json").read_text())
    assert json.loads((ROOT / "conf" / "b2safe.schema.json").read_text()) == shipped


def test_minimal_config_takes_defaults(tmp_path):
    config = cfg.read_config_file(write(tmp_path, MINIMAL))
    assert config.pid == cfg.PidConfig()
    assert config.logging.level == 1
    assert config.replication.verify == "on_change"
    assert config.policies == ()
    assert isinstance(config.pid.timeout_seconds, float)


def test_every_schema_property_has_a_dataclass_field():
    """Defaults live in one place: the dataclasses must know every key the schema allows."""
    schema = cfg.schema()
    for section, spec in schema["properties"].items():
        if section in ("$schema", "version"):
            continue
        hints = cfg.get_type_hints(cfg.Config)
        assert section in hints, section
        target = hints[section]
        if "properties" in spec:
            fields = cfg.get_type_hints(target)
            assert set(spec["properties"]) <= set(fields), section


MALFORMED = [
    ({"zone": MINIMAL["zone"]}, "/", "version"),
    ({"version": 2, "zone": MINIMAL["zone"]}, "/version", ""),
    ({"version": 1}, "/", "zone"),
    ({"version": 1, "zone": {"name": "tempZone"}}, "/zone", "server_id"),
    ({**MINIMAL, "zone": {"name": "bad zone", "server_id": "irods://h:1247"}}, "/zone/name", ""),
    ({**MINIMAL, "zone": {"name": "z", "server_id": "http://h:1247"}}, "/zone/server_id", ""),
    ({**MINIMAL, "logging": {"level": 7}}, "/logging/level", ""),
    ({**MINIMAL, "logging": {"level": "1"}}, "/logging/level", ""),
    ({**MINIMAL, "pid": {"retries": -1}}, "/pid/retries", ""),
    ({**MINIMAL, "pid": {"suffix": "sequential"}}, "/pid/suffix", ""),
    ({**MINIMAL, "pid": {"credentials_file": "relative/creds.json"}}, "/pid/credentials_file", ""),
    ({**MINIMAL, "pid": {"timeout_seconds": 0}}, "/pid/timeout_seconds", ""),
    ({**MINIMAL, "pid": {"password": "hunter2"}}, "/pid", "password"),
    ({**MINIMAL, "colour": "blue"}, "/", "colour"),
    ({**MINIMAL, "replication": {"retry_period": "1 hour"}}, "/replication/retry_period", ""),
    ({**MINIMAL, "integrity": {"sweeps": [{"collection": "/z/a"}]}}, "/integrity/sweeps/0",
     "period"),
    ({**MINIMAL, "policies": [{"name": "p", "collection": "z/rel"}]}, "/policies/0/collection",
     ""),
    ({**MINIMAL, "policies": [{"name": "p", "collection": "/z/a", "replicate": [{}]}]},
     "/policies/0/replicate/0", "destination"),
    ({**MINIMAL, "http_api": {"registered_base": "ftp://x"}}, "/http_api/registered_base", ""),
    ({**MINIMAL, "deletion": {"mode": "delete_everything"}}, "/deletion/mode", ""),
]


@pytest.mark.parametrize("data,pointer,word", MALFORMED)
def test_malformed_config_names_file_and_pointer(tmp_path, data, pointer, word):
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        cfg.read_config_file(path)
    message = str(info.value)
    assert info.value.code == SYS_CONFIG_FILE_ERR
    assert path in message
    assert f" at {pointer}:" in message
    assert word in message


def test_not_json_gives_line_and_column(tmp_path):
    path = write(tmp_path, '{"version": 1,\n  "zone": }')
    with pytest.raises(ConfigError, match=r"not valid JSON: .* line 2 column"):
        cfg.read_config_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        cfg.load_config(str(tmp_path / "absent.json"))


def test_unreadable_file(tmp_path):
    path = tmp_path / "b2safe.json"
    path.mkdir()  # reading a directory fails even for root, unlike a chmod 000 file
    with pytest.raises(ConfigError, match="cannot be read"):
        cfg.read_config_file(str(path))


def test_env_var_selects_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, MINIMAL)
    monkeypatch.setenv(cfg.CONFIG_ENV, path)
    assert cfg.config_path() == path
    assert cfg.load_config().source == path
    monkeypatch.delenv(cfg.CONFIG_ENV)
    assert cfg.config_path() == "/etc/irods/b2safe.json"


def test_cached_until_the_file_changes(tmp_path):
    path = write(tmp_path, MINIMAL)
    first = cfg.load_config(path)
    assert cfg.load_config(path) is first
    changed = {**MINIMAL, "logging": {"level": 3}}
    tmp = write(tmp_path, changed, "new.json")
    shutil.move(tmp, path)  # a new inode, as editors and installers do
    second = cfg.load_config(path)
    assert second is not first and second.logging.level == 3


def test_config_objects_are_frozen(tmp_path):
    config = cfg.read_config_file(write(tmp_path, MINIMAL))
    with pytest.raises(AttributeError):
        config.zone.name = "other"  # type: ignore[misc]


def test_repr_never_contains_credential_file_contents(tmp_path):
    creds = tmp_path / "creds.json"
    creds.write_text('{"password": "s3cret-value"}')
    data = {**MINIMAL, "pid": {"credentials_file": str(creds)}}
    config = cfg.read_config_file(write(tmp_path, data))
    assert "s3cret-value" not in repr(config)
