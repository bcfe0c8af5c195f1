"""Output that cannot be turned against its reader (issue 12, item 5).

Each attack row names its class. Observation text carrying it goes through every
human-facing format; none may pass the character through, and each must show it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass, replace

import pytest
from markdown_it import MarkdownIt

from consistency.mail import findings_csv, neutralize
from consistency.model import Evidence
from consistency.report import render
from consistency.report.markdown import cell
from consistency.report.sample import sample_findings, sample_result

HUMAN_FORMATS = ("text", "html", "markdown", "github", "junit", "sarif")


@dataclass(frozen=True)
class Attack:
    id: str
    kind: str  # CWE or OWASP class
    payload: str
    forbidden: str  # what must not reach the output as is
    shown: str  # what the reader sees instead


ATTACKS = [
    Attack("clear screen", "CWE-150", "x\x1b[2J\x1b[Hy", "\x1b", "\\x1b[2J"),
    Attack("window title", "CWE-150", "\x1b]0;pwned\x07", "\x1b", "\\x1b]0;pwned\\x07"),
    Attack("C1 CSI", "CWE-150", "a\x9b31mb", "\x9b", "\\x9b31m"),
    Attack("carriage return overwrite", "CWE-150", "ok\rFAKE", "\r", "ok\\x0dFAKE"),
    Attack("right-to-left override", "CVE-2021-42574", "invoice\u202egpj.exe", "\u202e", "\\u202e"),
    Attack("left-to-right isolate", "CVE-2021-42574", "a\u2066b\u2069c", "\u2066", "\\u2066"),
    Attack("line separator", "CWE-150", "one\u2028two", "\u2028", "\\u2028"),
    Attack("nul", "CWE-158", "a\x00b", "\x00", "\\x00"),
]


def hostile_result(payload: str):
    result = sample_result()
    first = sample_findings()[0]
    evidence = replace(first.evidence, excerpt=f"said {payload} ₪89.91", ref=payload, span=(0, 4))
    result.findings[:] = [
        replace(first, message=f"phone said {payload}", product=payload, evidence=evidence)
    ]
    result.errors.append(f"cannot read exports/{payload}.csv")
    return result


def rendered(result, fmt: str) -> str:
    out = io.StringIO()
    render(result, fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a.kind} {a.id}")
def test_observation_text_cannot_act_on_the_reader(attack, fmt):
    out = rendered(hostile_result(attack.payload), fmt)
    assert attack.forbidden not in out
    shown = attack.shown
    if fmt == "markdown":  # the visible escape is itself escaped as Markdown
        shown = cell(shown)
    if fmt == "sarif":  # JSON doubles the backslash of the visible escape
        shown = json.dumps(shown)[1:-1]
    assert shown in out


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a.kind} {a.id}")
def test_the_json_report_keeps_the_data(attack):
    data = json.loads(rendered(hostile_result(attack.payload), "json"))
    assert attack.payload.replace("\r", "") in data["findings"][0]["message"].replace("\r", "")


def test_the_evidence_span_still_marks_the_same_text():
    result = sample_result()
    first = sample_findings()[0]
    excerpt = "\x1b[2J\u202e הנציג אמר ₪89.91"
    start = excerpt.index("₪")
    result.findings[:] = [
        replace(first, evidence=Evidence(excerpt=excerpt, span=(start, start + 6)))
    ]
    assert "<mark>₪89.91</mark>" in rendered(result, "html")


def test_terminal_gets_no_escape_from_a_saved_result(tmp_path):
    """CWE-150 through the command line: ``consistency report`` prints to a terminal."""
    saved = tmp_path / "result.json"
    saved.write_text(rendered(hostile_result("\x1b]0;owned\x07\x1b[2J"), "json"), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "consistency", "report", str(saved), "--format", "text"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr  # the result holds a tool error
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    assert b"\\x1b]0;owned" in done.stdout


@dataclass(frozen=True)
class MarkdownAttack:
    id: str
    kind: str
    payload: str


MARKDOWN_ATTACKS = [
    MarkdownAttack("javascript link", "CWE-79", "[click](javascript:alert(1))"),
    MarkdownAttack("javascript autolink", "CWE-79", "<javascript:alert(1)>"),
    MarkdownAttack("html anchor", "CWE-79", '<a href="javascript:alert(1)">x</a>'),
    MarkdownAttack("image beacon", "CWE-359", "![x](https://evil.example/pixel.png)"),
    MarkdownAttack("reference link", "CWE-79", "[x][1]\n\n[1]: javascript:alert(1)"),
    MarkdownAttack("data link", "CWE-79", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
    MarkdownAttack("entity scheme", "CWE-79", "[x](&#106;avascript:alert(1))"),
    MarkdownAttack("mailto autolink", "OWASP A03", "write to boss@example.com"),
    MarkdownAttack("everyone mention", "OWASP A04", "@everyone please look"),
    MarkdownAttack("team mention", "OWASP A04", "cc @acme/pricing-team"),
]


def markdown_html(payload: str) -> str:
    result = hostile_result(payload)
    text = rendered(result, "markdown")
    return MarkdownIt("gfm-like", {"linkify": True, "html": True}).render(text)


@pytest.mark.parametrize("attack", MARKDOWN_ATTACKS, ids=lambda a: f"{a.kind} {a.id}")
def test_markdown_links_only_http_and_mentions_nobody(attack):
    html = markdown_html(attack.payload)
    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    assert all(href.startswith(("http://", "https://")) for href in hrefs), hrefs
    assert "<img" not in html and "<a " not in html.replace('<a href="http', "")
    assert "@everyone" not in html and "@acme" not in html and "@example" not in html


def test_markdown_keeps_a_plain_https_url_linkable():
    html = markdown_html("see https://shop.example.co.il/fiber")
    assert 'href="https://shop.example.co.il/fiber"' in html


@dataclass(frozen=True)
class CsvCase:
    id: str
    kind: str
    raw: str
    neutralized: bool


CSV_CASES = [
    CsvCase("equals", "CWE-1236", '=HYPERLINK("http://evil")', True),
    CsvCase("full-width equals", "CWE-1236", "\uff1dcmd|' /C calc'!A0", True),
    CsvCase("full-width plus", "CWE-1236", "\uff0b1\uff0b1", True),
    CsvCase("full-width minus", "CWE-1236", "\uff0d2\uff0b3", True),
    CsvCase("full-width at", "CWE-1236", "\uff20SUM(A1)", True),
    CsvCase("zero-width space before equals", "CWE-1236", "\u200b=1+1", True),
    CsvCase("byte-order mark before at", "CWE-1236", "\ufeff@SUM(A1)", True),
    CsvCase("word joiner before plus", "CWE-1236", "\u2060+1+1", True),
    CsvCase("spaces before equals", "CWE-1236", "   =1+1", True),
    CsvCase("right-to-left mark before minus", "CWE-1236", "\u200f-1+1", True),
    CsvCase("line feed", "CWE-1236", "\n=1+1", True),
    CsvCase("negative amount stays a number", "regression", "-9.99", False),
    CsvCase("signed percent stays a number", "regression", "+10%", False),
    CsvCase("hebrew text", "regression", "ביטול ללא עלות", False),
]


@pytest.mark.parametrize("case", CSV_CASES, ids=lambda c: f"{c.kind} {c.id}")
def test_csv_cells_cannot_start_a_formula(case):
    assert neutralize(case.raw) == ("'" + case.raw if case.neutralized else case.raw)


def test_csv_attachment_neutralizes_observation_text():
    first = sample_findings()[0]
    csv_text = findings_csv([replace(first, message="\uff1dHYPERLINK(1)", product="\u200b=2")])
    assert ",'\uff1dHYPERLINK(1)," in csv_text and ",'\u200b=2," in csv_text
