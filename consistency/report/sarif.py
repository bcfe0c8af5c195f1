"""SARIF 2.1.0 for code scanning: each finding points at the line that holds the expected value.

A result's location is ``Finding.evidence.where`` (the price list or answers line);
without one, the observation's ``file:line`` when the evidence source is a path.
``partialFingerprints["consistency/v1"]`` is the finding's stable fingerprint, so
code scanning tracks one discrepancy across runs.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from urllib.parse import quote

from .. import checks
from ..model import Finding, Location
from ..result import Result
from .base import (
    Reporter,
    currency_of,
    quote_text,
    quotes_of,
    resolved_of,
    text,
    value_parts,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# SARIF 2.1.0 §3.27.24 baselineState: how a result compares with the previous run's.
BASELINE_STATES = {"new": "new", "recurring": "unchanged", "baselined": "unchanged"}
FILE_LINE = re.compile(
    r"""^(?P<file>[^:]+?)   # a path with no colon (so no URL scheme, no drive letter)
    (?::(?P<line>\d+))?     # an optional :line
    (?::(?P<col>\d+))?$     # and an optional :col
    """,
    re.VERBOSE,
)


def location_of(finding: Finding) -> Location | None:
    """Where to point: the expected value's line, else the observation's file line.

    >>> from consistency.model import Evidence
    >>> f = Finding("fp", "r", "error", "m", evidence=Evidence(source="exports/a b.csv:14"))
    >>> location_of(f)
    Location(file='exports/a b.csv', line=14, col=None)
    >>> location_of(Finding("fp", "r", "error", "m", evidence=Evidence(source="https://x/y")))
    """
    ev = finding.evidence
    if ev is None:
        return None
    if ev.where is not None:
        return ev.where
    match = FILE_LINE.match(ev.source or "")
    if not match:
        return None
    line, col = match["line"], match["col"]
    return Location(match["file"], int(line) if line else None, int(col) if col else None)


def uri_of(path: str) -> str:
    """A relative path becomes a percent-encoded URI reference; an absolute one a file URI.

    >>> uri_of("exports/phone/יום 1.csv")
    'exports/phone/%D7%99%D7%95%D7%9D%201.csv'
    >>> uri_of("/srv/prices.yaml")
    'file:///srv/prices.yaml'
    """
    posix = PurePosixPath(path.replace("\\", "/")).as_posix()
    encoded = quote(posix, safe="/")
    return "file://" + encoded if posix.startswith("/") else encoded


def describe(rule: str) -> str:
    """The first line of the rule's check docstring, when that check exists."""
    try:
        module = checks.get(rule)
    except (checks.UnknownCheck, ImportError):
        return f"consistency rule {rule}"
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else f"consistency rule {rule}"


class SarifReporter(Reporter):
    NAME = "sarif"
    SUFFIX = ".sarif"
    OPTIONS = {"help_uri": None}  # a URL template with {rule}, e.g. the docs page of each check

    def start(self, result: Result) -> None:
        self.results: list[dict] = []
        self.rules: dict[str, int] = {}

    def handle(self, finding: Finding) -> None:
        index = self.rules.setdefault(finding.rule, len(self.rules))
        self.results.append(sarif_result(finding, index))

    def finish(self, result: Result) -> None:
        for gone in resolved_of(result):  # resolved since the last run: baselineState absent
            rule = str(gone.get("rule") or "consistency")
            index = self.rules.setdefault(rule, len(self.rules))
            self.results.append(absent_result(gone, rule, index))
        log = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": self.driver(result)},
                    "invocations": [invocation(result)],
                    "results": self.results,
                    "columnKind": "unicodeCodePoints",
                }
            ],
        }
        json.dump(log, self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")

    def driver(self, result: Result) -> dict:
        rules = []
        for rule in self.rules:
            entry = {"id": rule, "shortDescription": {"text": describe(rule)}}
            if self.options["help_uri"]:
                entry["helpUri"] = self.options["help_uri"].format(rule=rule)
            rules.append(entry)
        return {
            "name": "consistency",
            "version": result.tool_version,
            "rules": rules,
        }


def sarif_result(finding: Finding, rule_index: int) -> dict:
    entry = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message_text(finding)},
        "partialFingerprints": {"consistency/v1": finding.fingerprint},
        "properties": properties(finding),
    }
    where = location_of(finding)
    if where is not None:
        entry["locations"] = [physical(where)]
    if finding.status in BASELINE_STATES:
        entry["baselineState"] = BASELINE_STATES[finding.status]
    if finding.status == "baselined":
        entry["suppressions"] = [{"kind": "external", "justification": "in the baseline file"}]
    return entry


def absent_result(gone, rule: str, rule_index: int) -> dict:
    """A finding of the previous run that this run no longer has."""
    return {
        "ruleId": rule,
        "ruleIndex": rule_index,
        "level": "none",
        "kind": "pass",
        "message": {"text": str(gone.get("message") or rule)},
        "partialFingerprints": {"consistency/v1": str(gone.get("fingerprint") or "")},
        "baselineState": "absent",
        "properties": {
            k: str(gone[k]) for k in ("channel", "product", "answer") if gone.get(k) is not None
        },
    }


def message_text(finding: Finding) -> str:
    currency = currency_of(finding)
    expected = text(value_parts(finding.expected, currency))
    observed = text(value_parts(finding.observed, currency))
    said = finding.message
    if expected and observed:
        said = f"{said} (expected {expected}, observed {observed})"
    quotes = quotes_of(finding)
    if quotes:
        said += "; quotes " + " · ".join(quote_text(q, currency) for q in quotes)
    return said


def physical(where: Location) -> dict:
    location: dict = {"artifactLocation": {"uri": uri_of(where.file)}}
    if where.line is not None:
        region = {"startLine": max(where.line, 1)}
        if where.col is not None:
            region["startColumn"] = max(where.col, 1)
        location["region"] = region
    return {"physicalLocation": location}


def properties(finding: Finding) -> dict:
    values = {
        "channel": finding.channel,
        "product": finding.product,
        "answer": finding.answer,
        "cause": finding.cause,
        "at": finding.at.isoformat() if finding.at else None,
        "status": finding.status,
        "ref": finding.evidence.ref if finding.evidence else None,
        "source": finding.evidence.source if finding.evidence else None,
    }
    return {key: value for key, value in values.items() if value is not None}


def invocation(result: Result) -> dict:
    entry: dict = {"executionSuccessful": not result.errors}
    if result.errors:
        entry["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in result.errors
        ]
    return entry
