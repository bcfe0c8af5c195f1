"""GitHub Actions workflow-command annotations, worst first, and the job summary.

Each finding becomes ``::error file=…,line=…,title=…::message`` (``warning``,
``notice`` for info) pointing at the line that holds the expected value. GitHub
shows a limited number of annotations, so after ``max_annotations`` a final notice
counts the rest. When ``GITHUB_STEP_SUMMARY`` names a file, the full Markdown
report is appended to it.
"""

from __future__ import annotations

import io
import os

from ..model import Finding
from ..result import Result
from .base import Reporter, currency_of, quote_text, quotes_of, resolved_of, text, value_parts
from .markdown import MarkdownReporter
from .sarif import location_of

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message.

    >>> escape_data("100% off\\r\\nnow")
    '100%25 off%0D%0Anow'
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: as a message, plus the separators ``:`` and ``,``.

    >>> escape_property("price-mismatch: web, phone")
    'price-mismatch%3A web%2C phone'
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = {}
    where = location_of(finding)
    if where is not None:
        props["file"] = where.file
        if where.line is not None:
            props["line"] = str(where.line)
        if where.col is not None:
            props["col"] = str(where.col)
    title = finding.rule + (f" ({finding.channel})" if finding.channel else "")
    props["title"] = title
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{COMMANDS[finding.severity]} {head}::{escape_data(message(finding))}"


def message(finding: Finding) -> str:
    currency = currency_of(finding)
    lines = [finding.message]
    expected = text(value_parts(finding.expected, currency))
    observed = text(value_parts(finding.observed, currency))
    if expected or observed:
        lines.append(f"expected {expected or '-'}, observed {observed or '-'}")
    quotes = quotes_of(finding)
    if quotes:
        lines.append("quotes " + " · ".join(quote_text(q, currency) for q in quotes))
    if finding.evidence and finding.evidence.source:
        lines.append(f"evidence {finding.evidence.source}")
    return "\n".join(lines)


class GithubReporter(Reporter):
    NAME = "github"
    SUFFIX = ".github.txt"  # not text's .txt: both are written side by side under --output
    OPTIONS = {"max_annotations": 50, "env": None}  # env: the environment (default os.environ)

    def start(self, result: Result) -> None:
        self.shown = 0
        self.hidden = 0

    def handle(self, finding: Finding) -> None:
        if self.shown >= self.options["max_annotations"]:
            self.hidden += 1
            return
        self.shown += 1
        self.stream.write(annotation(finding) + "\n")

    def finish(self, result: Result) -> None:
        for error in result.errors:
            self.stream.write(f"::error title=consistency::{escape_data(error)}\n")
        resolved = resolved_of(result)
        if resolved:
            note = f"{len(resolved):,} finding(s) of the previous run are resolved"
            self.stream.write(f"::notice title=consistency resolved::{escape_data(note)}\n")
        if self.hidden:
            shown = f"{self.shown} annotations shown"
            note = f"{self.hidden:,} more not shown ({shown}; see the job summary or the report)"
            self.stream.write(f"::notice title=consistency::{escape_data(note)}\n")
        env = self.options["env"] if self.options["env"] is not None else os.environ
        summary_file = env.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            append_summary(result, summary_file)


def append_summary(result: Result, path: str) -> None:
    """Append the full Markdown report to the job summary file."""
    buffer = io.StringIO()
    MarkdownReporter(buffer).run(result)
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(buffer.getvalue() + "\n")
