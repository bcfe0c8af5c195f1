"""SARIF 2.1.0: valid against the OASIS schema, pointing at the line of the expected value."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from consistency.model import Evidence, Location
from consistency.report import render
from consistency.report.sample import sample_findings, sample_result

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    return Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def sarif(result) -> dict:
    out = io.StringIO()
    render(result, "sarif", out)
    return json.loads(out.getvalue())


def test_valid_against_the_schema(validator):
    errors = [e.message for e in validator.iter_errors(sarif(sample_result()))]
    assert errors == []


def test_one_run_with_the_rules_that_fired():
    run = sarif(sample_result())["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "consistency"
    ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(ids) == sorted({f.rule for f in sample_findings()})
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])


def by_fingerprint(log: dict) -> dict[str, dict]:
    return {r["partialFingerprints"]["consistency/v1"]: r for r in log["runs"][0]["results"]}


def test_levels_messages_and_fingerprints():
    results = by_fingerprint(sarif(sample_result()))
    assert set(results) == {f.fingerprint for f in sample_findings()}
    assert results["fp-phone-price"]["level"] == "error"
    assert results["fp-web-usd"]["level"] == "warning"
    assert results["fp-forbidden"]["level"] == "note"
    assert results["fp-web-usd"]["message"]["text"] == (
        "web quoted $27.50 for router | mesh; the list price is $29.90"
        " (expected $29.90, observed $27.50)"
    )


@dataclass(frozen=True)
class LocationCase:
    id: str
    evidence: Evidence | None
    expected: dict | None


LOCATION_CASES = [
    LocationCase(
        "the expected value's line wins",
        Evidence(source="exports/a.csv:3", where=Location("prices.yaml", 12, 9)),
        {"artifactLocation": {"uri": "prices.yaml"}, "region": {"startLine": 12, "startColumn": 9}},
    ),
    LocationCase(
        "observation file line",
        Evidence(source="exports/phone/יום א.csv:14"),
        {
            "artifactLocation": {"uri": "exports/phone/%D7%99%D7%95%D7%9D%20%D7%90.csv"},
            "region": {"startLine": 14},
        },
    ),
    LocationCase(
        "a file without a line",
        Evidence(source="exports/chat.jsonl"),
        {"artifactLocation": {"uri": "exports/chat.jsonl"}},
    ),
    LocationCase(
        "absolute path becomes a file URI",
        Evidence(where=Location("/srv/data/answers.yaml", 7)),
        {"artifactLocation": {"uri": "file:///srv/data/answers.yaml"}, "region": {"startLine": 7}},
    ),
    LocationCase("a fetched URL is not a file", Evidence(source="https://shop.example/x"), None),
    LocationCase("no evidence", None, None),
]


@pytest.mark.parametrize("case", LOCATION_CASES, ids=lambda c: c.id)
def test_locations(case, validator):
    result = sample_result()
    result.findings[:] = [replace(sample_findings()[0], evidence=case.evidence)]
    log = sarif(result)
    assert [e.message for e in validator.iter_errors(log)] == []
    entry = log["runs"][0]["results"][0]
    if case.expected is None:
        assert "locations" not in entry
    else:
        assert entry["locations"] == [{"physicalLocation": case.expected}]


def test_tool_errors_mark_the_invocation_failed(validator):
    result = sample_result()
    result.errors.append("exports/phone.csv: cannot read")
    log = sarif(result)
    assert [e.message for e in validator.iter_errors(log)] == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == (
        "exports/phone.csv: cannot read"
    )
