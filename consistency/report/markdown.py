"""Markdown for a pull-request comment or a job summary: a summary line, a table per severity.

Every cell is escaped: pipes cannot break the table, HTML and Markdown markup in
channel text shows as written, so no link but a plain ``http(s)`` URL that GitHub
links by itself can appear (no ``[text](javascript:…)``, no ``<a>``, no autolink
``<…>``). An ``@`` before a name is written as code (`` `@` ``), where neither
GitHub's mentions nor any autolinker look, so ``@everyone`` or ``@org/team`` in a
transcript notifies no one and an address is no ``mailto:`` link. Control and bidi-override characters are shown escaped (see
:mod:`.safe`). A severity with many rows folds into ``<details>``;
past ``max_rows`` the rest is counted, not shown (comments have a size limit).
"""

from __future__ import annotations

import re

from ..model import SEVERITIES, Finding
from ..result import Result
from ..text.display import plural
from .base import Reporter, resolved_of, subject, summary_line
from .safe import neutral
from .text import quotes_line, resolved_text, side_text

COLUMNS = ("rule", "channel", "product", "expected", "observed", "cause", "message")
MARKUP = re.compile(
    r"""( [\\`*_\[\]|~$]  # characters Markdown gives a meaning (table pipe, GitHub math)
        | ^[#>+-]         # a heading, quote or list marker at the start of a cell
    )""",
    re.VERBOSE,
)
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
MENTION = re.compile(r"@(?=[\w])")  # an @ a name follows: a mention, or an e-mail address
HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Info"}


def cell(value: str | None) -> str:
    """Escape one table cell: HTML entities, Markdown markup, pipes; newlines become <br>.

    >>> cell("router | mesh <b>*new*</b> & co")
    'router \\\\| mesh &lt;b&gt;\\\\*new\\\\*&lt;/b&gt; &amp; co'
    >>> cell("- 14 יום\\nמההצטרפות")
    '\\\\- 14 יום<br>מההצטרפות'
    >>> cell("@everyone, boss@example.com")
    '`@`everyone, boss`@`example.com'
    """
    if not value:
        return ""
    value = neutral(value)  # also for callers that did not run the reporter (diff)
    escaped = "".join(ENTITIES.get(ch, ch) for ch in value)
    escaped = MARKUP.sub(r"\\\1", escaped)
    escaped = MENTION.sub("`@`", escaped)
    return "<br>".join(line.strip() for line in escaped.replace("\r", "").split("\n"))


class MarkdownReporter(Reporter):
    NAME = "markdown"
    SUFFIX = ".md"
    OPTIONS = {"details_after": 10, "max_rows": 500, "title": "consistency report"}

    def start(self, result: Result) -> None:
        self.rows: dict[str, list[str]] = {severity: [] for severity in SEVERITIES}

    def handle(self, finding: Finding) -> None:
        self.rows[finding.severity].append(row(finding))

    def finish(self, result: Result) -> None:
        out = [f"## {cell(self.options['title'])}", "", f"**{summary_line(result)}**", ""]
        if result.price_list_version:
            out += [f"Price list {cell(result.price_list_version)}", ""]
        out += [f"> **Tool error:** {cell(error)}" for error in result.errors]
        budget = self.options["max_rows"]
        for severity in SEVERITIES:
            rows = self.rows[severity]
            shown = rows[: max(budget, 0)]
            budget -= len(shown)
            if rows:
                out += self.section(severity, shown, len(rows))
        if not result.findings:
            out.append("No findings.")
        resolved = resolved_of(result)
        if resolved:
            out += [f"### Resolved since the last run ({len(resolved):,})", ""]
            out += [f"- {cell(resolved_text(gone))}" for gone in resolved[: max(budget, 1)]]
            out += [""]
        if result.unrouted:  # as in text, HTML and the email (tryout 13b F10)
            replies = plural(result.unrouted, "reply", "replies")
            out += [f"{replies} could not be routed to an approved answer, so not checked.", ""]
        self.stream.write("\n".join(out).rstrip() + "\n")

    def section(self, severity: str, rows: list[str], total: int) -> list[str]:
        head = "| " + " | ".join(COLUMNS) + " |"
        rule = "|" + "---|" * len(COLUMNS)
        table = [head, rule, *rows] if rows else []
        if total > len(rows):
            table += ["", f"_{total - len(rows):,} more not shown._"]
        title = f"{HEADINGS[severity]} ({total:,})"
        if total <= self.options["details_after"]:
            return [f"### {title}", "", *table, ""]
        summary = plural(total, severity)
        return [
            f"### {title}",
            "",
            "<details>",
            f"<summary>{summary}</summary>",
            "",
            *table,
            "",
            "</details>",
            "",
        ]


def observed_text(finding: Finding) -> str:
    """The observed value, and for a grouped finding every channel's quotes, one a line."""
    return quotes_line(finding, "\n") or side_text(finding, "observed")


def row(finding: Finding) -> str:
    cells = (
        finding.rule,
        finding.channel,
        subject(finding),
        side_text(finding, "expected"),
        observed_text(finding),
        finding.cause,
        finding.message,
    )
    return "| " + " | ".join(cell(c) for c in cells) + " |"
