"""rules/check_integrity.r and rules/schedule_sweep.r run as irule -F runs them."""

from __future__ import annotations

from pathlib import Path

from .conftest import DST, SRC, add_sweep, sweep_rules

RULES = Path(__file__).resolve().parents[3] / "rules"


def test_check_integrity_rule_file(tree):
    result = tree.client("rods#zoneA").irule_file(
        RULES / "check_integrity.r", overrides=[f'*source="{SRC}"', f'*destination="{DST}"'])
    assert result.code == 0, result.error
    assert result.stdout.startswith("true: ")


def test_schedule_sweep_rule_file_installs_once(tree):
    add_sweep(tree)
    client = tree.client("rods#zoneA")
    for _ in range(2):
        result = client.irule_file(RULES / "schedule_sweep.r",
                                   overrides=[f'*collection="{SRC}"', f'*destination="{DST}"'])
        assert result.code == 0, result.error
    assert "already installed" in result.stdout
    assert len(sweep_rules(tree)) == 1
    listed = client.irule_file(RULES / "schedule_sweep.r", overrides=['*action="list"'])
    assert f'"collection": "{SRC}"' in listed.stdout
