"""The terminal report: grouped by severity then channel, a summary line, colors only on request."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from consistency.report import render
from consistency.report.sample import sample_result
from consistency.result import Result


def rendered(result: Result, color: bool = False) -> str:
    out = io.StringIO()
    render(result, "text", out, color=color)
    return out.getvalue()


def test_groups_by_severity_then_channel():
    out = rendered(sample_result())
    headings = re.findall(r"^(ERROR|WARNING|INFO)$", out, re.MULTILINE)
    assert headings == ["ERROR", "WARNING", "INFO"]
    error_block = out[out.index("ERROR") : out.index("WARNING")]
    channels = re.findall(r"^  (\S+)$", error_block, re.MULTILINE)
    assert channels == ["chat", "phone"]


def test_a_finding_block_says_what_where_and_why():
    out = rendered(sample_result())
    block = out[out.index("price-mismatch · fiber-500") :].split("\n\n")[0]
    assert "over-authority-discount · [new]" in block
    assert "phone quoted ₪89.91 for סיב 500 מגה; the list price is ₪99.90 (-10.0%)" in block
    assert "expected ₪99.90 · observed ₪89.91 · difference -₪9.99 (-10.0%)" in block
    assert "evidence exports/phone/2026-11-21.csv:14 · ref call-123" in block
    assert "defined at prices.yaml:12:9" in block
    assert "at 2026-11-21 10:15 +02:00" in block


def test_summary_is_the_last_line():
    last = rendered(sample_result()).rstrip("\n").splitlines()[-1]
    assert last == "3 errors, 2 warnings, 1 info in 1,234 observations (12 rules)"


def test_no_escape_codes_unless_colored():
    plain, colored = rendered(sample_result()), rendered(sample_result(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31mERROR\x1b[0m" in colored
    assert "\x1b[7m₪89.91\x1b[0m" in colored  # the evidence span, highlighted


def test_hebrew_passes_through_unchanged():
    out = rendered(sample_result())
    assert "ביטול ללא עלות בתוך 7 ימים מההצטרפות" in out
    assert "\u200f" not in out and "\u202b" not in out  # no bidi controls added


def test_empty_run_and_tool_errors_are_said():
    result = Result(started=datetime(2026, 11, 21, tzinfo=UTC), observations=0)
    result.errors.append("prices.yaml:3:5: products[0].id: missing")
    out = rendered(result)
    assert "no findings" in out
    assert "tool error: prices.yaml:3:5: products[0].id: missing" in out
    assert out.endswith("0 errors, 0 warnings, 0 info in 0 observations (0 rules)\n")
