"""JUnit XML for CI dashboards: a test suite per channel, a test case per rule on that channel.

A rule with findings on a channel is a failing test case: one ``<failure>`` (the
schema allows one) whose ``message`` counts the findings and whose body lists them.
Rules known to have run without findings (option ``rules``, with ``channels``) are
passing test cases; the ``audit`` case always exists, so a suite is never empty, and
fails with an ``<error>`` when the tool could not do its job. Valid against the
Apache Ant JUnit schema (windyroad ``JUnit.xsd``).
"""

from __future__ import annotations

import io
import re
import socket
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC

from ..model import Finding
from ..result import Result
from ..text.display import plural
from .base import Reporter, resolved_of, summary_line
from .text import TextReporter, resolved_text

XML_CHARS = (
    "\x09\x0a\x0d",  # tab, line feed, carriage return
    "\x20-\ud7ff",  # the basic multilingual plane up to the surrogates
    "\ue000-\ufffd",  # the rest of it, without the non-characters
    "\U00010000-\U0010ffff",  # the astral planes
)
NOT_XML = re.compile("[^" + "".join(XML_CHARS) + "]")  # one character XML 1.0 cannot carry
NO_CHANNEL = "consistency"


def clean(value: str) -> str:
    """Drop characters XML 1.0 cannot carry.

    >>> clean("a\\x00b\\x1bc ₪")
    'abc ₪'
    """
    return NOT_XML.sub("", value)


class JunitReporter(Reporter):
    NAME = "junit"
    SUFFIX = ".xml"
    OPTIONS = {"rules": (), "channels": ()}

    def start(self, result: Result) -> None:
        self.groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        self.lines = TextReporter(io.StringIO())

    def handle(self, finding: Finding) -> None:
        self.groups[finding.channel or NO_CHANNEL][finding.rule].append(finding)

    def finish(self, result: Result) -> None:
        channels = sorted(set(self.groups) | set(self.options["channels"]) | {NO_CHANNEL})
        root = ET.Element("testsuites")
        for index, channel in enumerate(channels):
            root.append(self.suite(result, index, channel))
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(root, encoding="unicode"))
        self.stream.write("\n")

    def suite(self, result: Result, index: int, channel: str) -> ET.Element:
        rules = self.groups.get(channel, {})
        cases = [self.failing(channel, rule, found) for rule, found in sorted(rules.items())]
        if channel != NO_CHANNEL:
            ran = sorted(set(self.options["rules"]) - set(rules))
            cases += [case(channel, rule) for rule in ran]
        else:
            cases.insert(0, self.audit(result))
        suite = ET.Element("testsuite", self.suite_attributes(result, index, channel, cases))
        suite.append(properties(result))
        suite.extend(cases)
        resolved = [f"resolved: {resolved_text(gone)}" for gone in resolved_of(result)]
        out = "\n".join([summary_line(result), *resolved]) if channel == NO_CHANNEL else ""
        ET.SubElement(suite, "system-out").text = clean(out or summary_line(result))
        ET.SubElement(suite, "system-err").text = clean("\n".join(result.errors))
        return suite

    def suite_attributes(self, result, index: int, channel: str, cases) -> dict[str, str]:
        failures = sum(1 for c in cases if c.find("failure") is not None)
        errors = sum(1 for c in cases if c.find("error") is not None)
        started = result.started.astimezone(UTC)
        elapsed = (result.finished - result.started).total_seconds() if result.finished else 0
        return {
            "name": "consistency" if channel == NO_CHANNEL else f"consistency.{channel}",
            "package": "consistency",
            "id": str(index),
            "timestamp": started.strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": socket.gethostname() or "localhost",
            "tests": str(len(cases)),
            "failures": str(failures),
            "errors": str(errors),
            "time": f"{max(elapsed, 0):.3f}",
        }

    def failing(self, channel: str, rule: str, findings: list[Finding]) -> ET.Element:
        element = case(channel, rule)
        worst = findings[0]
        failure = ET.SubElement(element, "failure", type=worst.severity)
        failure.set("message", clean(f"{plural(len(findings), 'finding')}: {worst.message}"))
        blocks = ["\n".join(self.lines.block(f)) for f in findings]
        failure.text = clean("\n\n".join(blocks))
        return element

    def audit(self, result: Result) -> ET.Element:
        element = case(NO_CHANNEL, "audit")
        if result.errors:
            error = ET.SubElement(element, "error", type="tool-error")
            error.set("message", clean(result.errors[0]))
            error.text = clean("\n".join(result.errors))
        return element


def case(channel: str, rule: str) -> ET.Element:
    return ET.Element("testcase", classname=clean(channel), name=clean(rule), time="0")


def properties(result: Result) -> ET.Element:
    element = ET.Element("properties")
    values = {
        "price_list_version": result.price_list_version,
        "config": result.config,
        "tool_version": result.tool_version,
        "observations": str(result.observations),
        "rules": str(result.rules),
    }
    for name, value in values.items():
        if value is not None:
            ET.SubElement(element, "property", name=name, value=clean(value))
    return element
