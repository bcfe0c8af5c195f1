"""JUnit XML: valid against the Ant JUnit schema, one test case per rule and channel."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import xmlschema

from consistency.report import render
from consistency.report.sample import sample_findings, sample_result

SCHEMA = Path(__file__).parent / "data" / "JUnit.xsd"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(SCHEMA)


def junit(result, **options) -> str:
    out = io.StringIO()
    render(result, "junit", out, options=options or None)
    return out.getvalue()


def cases(xml: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(xml)
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


def test_valid_against_the_schema(schema):
    schema.validate(junit(sample_result()))


def test_a_failing_case_per_rule_and_channel():
    found = cases(junit(sample_result()))
    assert set(found) == {
        ("chat", "answer-contradicts-approved"),
        ("chat", "forbidden-phrase"),
        ("phone", "cross-channel-gap"),
        ("phone", "price-mismatch"),
        ("web", "channel-unreachable"),
        ("web", "price-mismatch"),
        ("consistency", "audit"),
    }
    failure = found[("phone", "price-mismatch")].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message").startswith("1 finding: phone quoted ₪89.91 for סיב 500 מגה")
    assert "expected ₪99.90 · observed ₪89.91" in failure.text
    assert '<script>document.title="pwned"' in failure.text  # text, escaped by the XML writer
    assert found[("consistency", "audit")].find("failure") is None


def test_findings_of_one_rule_share_one_failure(schema):
    result = sample_result()
    twin = replace(result.findings[0], fingerprint="fp-twin", message="phone quoted ₪88.00")
    result.findings.append(twin)
    xml = junit(result)
    schema.validate(xml)
    failure = cases(xml)[("phone", "price-mismatch")].find("failure")
    assert failure.get("message").startswith("2 findings: ")
    assert "phone quoted ₪88.00" in failure.text


def test_rules_known_to_have_run_pass(schema):
    xml = junit(sample_result(), rules=["price-mismatch", "no-reply"], channels=["store"])
    schema.validate(xml)
    found = cases(xml)
    assert found[("store", "price-mismatch")].find("failure") is None
    assert found[("chat", "no-reply")].find("failure") is None
    assert found[("phone", "price-mismatch")].find("failure") is not None
    suites = {s.get("name"): s for s in ET.fromstring(xml).iter("testsuite")}
    assert suites["consistency.store"].get("tests") == "2"
    assert suites["consistency.store"].get("failures") == "0"


def test_no_findings_still_has_a_passing_audit(schema):
    result = sample_result()
    result.findings.clear()
    xml = junit(result)
    schema.validate(xml)
    assert list(cases(xml)) == [("consistency", "audit")]


def test_tool_errors_are_junit_errors(schema):
    result = sample_result()
    result.errors.append("prices.yaml:4:3: products[0].prices: windows overlap")
    xml = junit(result)
    schema.validate(xml)
    error = cases(xml)[("consistency", "audit")].find("error")
    assert error.get("message") == "prices.yaml:4:3: products[0].prices: windows overlap"


def test_control_characters_do_not_break_the_xml(schema):
    result = sample_result()
    result.findings[:] = [replace(sample_findings()[0], message="bell \x07 and nul \x00 ₪")]
    xml = junit(result)
    schema.validate(xml)
    failure = cases(xml)[("phone", "price-mismatch")].find("failure")
    assert failure.get("message") == "1 finding: bell \\x07 and nul \\x00 ₪"  # shown, not lost
