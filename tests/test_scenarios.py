"""Scenario folders, parametrized automatically: each tests/scenarios/<name>/ holds a price
list, a config, the channels' observations and expected.json, the (rule, cause, channel,
product) of every finding the audit must report, no more and no less.

Add a scenario by adding a folder; an empty ``findings`` list means the data is clean.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config

SCENARIOS = Path(__file__).parent / "scenarios"
FOLDERS = sorted(p for p in SCENARIOS.iterdir() if (p / "expected.json").is_file())


def test_there_are_scenarios_of_both_kinds():
    expected = [json.loads((f / "expected.json").read_text(encoding="utf-8")) for f in FOLDERS]
    assert len(FOLDERS) >= 6
    assert any(e["findings"] == [] for e in expected)
    assert all(e["about"] for e in expected)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_scenario(folder):
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    result = audit(load_config(folder / "consistency.yaml"), AuditOptions(fetch=False))
    assert result.errors == []
    found = Counter((f.rule, f.cause, f.channel, f.product) for f in result.findings)
    wanted = Counter(tuple(row) for row in expected["findings"])
    assert found == wanted, expected["about"]
    assert result.exit_code("error") == (1 if wanted else 0)
    lines = (folder / "observations.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.observations == len(lines)
