"""Markdown for pull requests: tables that pipes and HTML cannot break, folded when long."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace

import pytest

from consistency.report import render
from consistency.report.markdown import COLUMNS, cell
from consistency.report.sample import sample_findings, sample_result

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")  # a pipe that splits cells


def markdown(result, **options) -> str:
    out = io.StringIO()
    render(result, "markdown", out, options=options or None)
    return out.getvalue()


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


@dataclass(frozen=True)
class CellCase:
    id: str
    raw: str
    expected: str


CELL_CASES = [
    CellCase("pipe", "router | mesh", "router \\| mesh"),
    CellCase("html", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    CellCase("quote and ampersand", '"a" & b', '"a" &amp; b'),
    CellCase("emphasis", "*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
    CellCase("newline", "line one\nline two", "line one<br>line two"),
    CellCase("link syntax", "[x](https://evil)", "\\[x\\](https://evil)"),
    CellCase("hebrew", 'ביטול ללא עלות, 99.90 ש"ח', 'ביטול ללא עלות, 99.90 ש"ח'),
]


@pytest.mark.parametrize("case", CELL_CASES, ids=lambda c: c.id)
def test_cell_escaping(case):
    assert cell(case.raw) == case.expected


def test_every_row_has_exactly_the_columns():
    result = sample_result()
    result.findings.append(
        replace(sample_findings()[0], fingerprint="x", message="a | b || c\n<b>|</b>")
    )
    rows = table_rows(markdown(result))
    assert len(rows) == 3 + len(result.findings)  # a header per severity
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == len(COLUMNS) + 1, row


def test_summary_and_a_table_per_severity():
    text = markdown(sample_result())
    assert "**3 errors, 2 warnings, 1 info in 1,234 observations (12 rules)**" in text
    assert [h for h in text.splitlines() if h.startswith("### ")] == [
        "### Errors (3)",
        "### Warnings (2)",
        "### Info (1)",
    ]
    assert "<details>" not in text


def test_long_sections_fold_and_the_rest_is_counted():
    text = markdown(sample_result(extra=30), details_after=5, max_rows=20)
    assert text.count("<details>") == 3
    assert "<summary>13 errors</summary>" in text
    assert len(table_rows(text)) == 2 + 20  # the info table has no room left, not even a header
    assert "_5 more not shown._" in text
    assert "_11 more not shown._" in text


def test_no_findings():
    result = sample_result()
    result.findings.clear()
    assert markdown(result).rstrip().endswith("No findings.")
