"""GitHub workflow commands: escaping that round-trips, worst first, a cap, the job summary."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace

import pytest

from consistency.model import Evidence, Location
from consistency.report import render
from consistency.report.github import escape_data, escape_property
from consistency.report.sample import sample_findings, sample_result

COMMAND = re.compile(
    r"""^::(?P<command>\w+)     # ::error, ::warning, ::notice
    (?:\ (?P<props>[^:]*))?     # properties up to the next colon (colons are escaped)
    ::(?P<data>.*)$             # the message
    """,
    re.VERBOSE,
)


def unescape(value: str) -> str:
    """What the Actions runner does to a message or property."""
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in (match["props"] or "").split(",") if p)
    return match["command"], {k: unescape(v) for k, v in props.items()}, unescape(match["data"])


def annotations(result, env=None, **options) -> list[str]:
    out = io.StringIO()
    render(result, "github", out, options={"env": env or {}, **options})
    return out.getvalue().splitlines()


@dataclass(frozen=True)
class EscapeCase:
    id: str
    raw: str
    data: str
    prop: str


ESCAPE_CASES = [
    EscapeCase("percent", "100% off", "100%25 off", "100%25 off"),
    EscapeCase("newlines", "a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    EscapeCase("colon and comma", "web: a, b", "web: a, b", "web%3A a%2C b"),
    EscapeCase("already escaped stays literal", "%0A", "%250A", "%250A"),
    EscapeCase("hebrew untouched", "ש״ח 99.90", "ש״ח 99.90", "ש״ח 99.90"),
]


@pytest.mark.parametrize("case", ESCAPE_CASES, ids=lambda c: c.id)
def test_escaping(case):
    assert escape_data(case.raw) == case.data
    assert escape_property(case.raw) == case.prop
    assert unescape(case.prop) == case.raw


def test_hostile_message_and_title_round_trip():
    hostile = replace(
        sample_findings()[0],
        rule="price,mismatch::x",
        channel="web: 1, 2",
        message="50% off, now:\nreally\r",
        expected=None,
        observed=None,
        evidence=Evidence(where=Location("a,b:c.yaml", 3)),
    )
    result = sample_result()
    result.findings[:] = [hostile]
    (line,) = annotations(result)
    command, props, data = parse(line)
    assert command == "error"
    assert props == {"file": "a,b:c.yaml", "line": "3", "title": "price,mismatch::x (web: 1, 2)"}
    assert data == "50% off, now:\nreally\\x0d"  # a lone carriage return is shown, not obeyed


def test_worst_first_with_file_and_line():
    parsed = [parse(line) for line in annotations(sample_result())]
    assert [command for command, _, _ in parsed] == [
        "error",
        "error",
        "error",
        "warning",
        "warning",
        "notice",
    ]
    first = next(p for c, p, d in parsed if d.startswith("phone quoted"))
    assert first == {
        "file": "prices.yaml",
        "line": "12",
        "col": "9",
        "title": "price-mismatch (phone)",
    }


def test_capped_with_a_count_of_the_rest():
    lines = annotations(sample_result(extra=10), max_annotations=4)
    assert len(lines) == 5
    assert [parse(line)[0] for line in lines[:4]] == ["error"] * 4
    command, _, data = parse(lines[-1])
    assert command == "notice"
    assert data.startswith("12 more not shown (4 annotations shown")


def test_step_summary_gets_the_markdown(tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    annotations(sample_result(), env={"GITHUB_STEP_SUMMARY": str(summary)})
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## consistency report")
    assert "| price-mismatch | phone | fiber-500 | ₪99.90 | ₪89.91 |" in written
    assert "3 errors, 2 warnings, 1 info in 1,234 observations (12 rules)" in written


def test_without_step_summary_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    render(sample_result(), "github", out)
    assert list(tmp_path.iterdir()) == []
    assert len(out.getvalue().splitlines()) == 6


def test_step_summary_from_the_real_environment(tmp_path, monkeypatch):
    summary = tmp_path / "step.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(sample_result(), "github", io.StringIO())
    assert "### Errors (3)" in summary.read_text(encoding="utf-8")
