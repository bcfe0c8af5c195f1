"""The terminal report: findings grouped by severity, then channel, and a one-line summary.

Colors are ANSI escapes, only when asked (the CLI passes ``color=stream.isatty()``).
Hebrew is written as is; the terminal does the bidi.
"""

from __future__ import annotations

from ..model import Finding
from ..result import Result
from ..text.display import plural
from .base import (
    Reporter,
    currency_of,
    quote_text,
    quotes_of,
    resolved_of,
    subject,
    summary_line,
    text,
    value_parts,
    when,
)

STYLES = {"error": "1;31", "warning": "1;33", "info": "1;36", "dim": "2", "bold": "1", "mark": "7"}
EXCERPT_WIDTH = 160
FLATTEN = str.maketrans("\n\r\t", "   ")  # one line, same length, so the span still fits


class TextReporter(Reporter):
    NAME = "text"
    SUFFIX = ".txt"

    def start(self, result: Result) -> None:
        self.severity: str | None = None
        self.channel: str | None = None
        if result.price_list_version:
            self.write(self.paint("dim", f"price list {result.price_list_version}"))

    def handle(self, finding: Finding) -> None:
        if finding.severity != self.severity:
            self.severity, self.channel = finding.severity, None
            self.write("")
            self.write(self.paint(finding.severity, finding.severity.upper()))
        channel = finding.channel or "(no channel)"
        if channel != self.channel:
            self.channel = channel
            self.write(f"  {self.paint('bold', channel)}")
        for line in self.block(finding):
            self.write("    " + line)

    def finish(self, result: Result) -> None:
        self.write("")
        if not result.findings:
            self.write("no findings")
        for error in result.errors:
            self.write(self.paint("error", "tool error: ") + error)
        resolved = resolved_of(result)
        if resolved:
            self.write(self.paint("bold", "RESOLVED since the last run"))
            for gone in resolved:
                self.write("  " + resolved_text(gone))
        if result.unrouted:
            self.write(
                plural(result.unrouted, "reply", "replies")
                + " could not be routed to an approved answer"
            )
        self.write(summary_line(result))

    def block(self, finding: Finding) -> list[str]:
        """The lines of one finding, headed by its rule."""
        head = [self.paint(finding.severity, finding.rule), subject(finding)]
        head += [finding.cause] if finding.cause else []
        head += [f"[{finding.status}]"] if finding.status else []
        lines = [" · ".join(head), "  " + finding.message]
        values = self.values(finding)
        lines += ["  " + values] if values else []
        quotes = quotes_line(finding, " · ")
        lines += ["  quotes " + quotes] if quotes else []
        lines += ["  " + self.paint("dim", "at " + when(finding.at))] if finding.at else []
        lines += ["  " + line for line in self.evidence(finding)]
        return lines

    def values(self, finding: Finding) -> str:
        pairs = [
            (side, side_text(finding, side)) for side in ("expected", "observed", "difference")
        ]
        return " · ".join(f"{side} {shown}" for side, shown in pairs if shown)

    def evidence(self, finding: Finding) -> list[str]:
        ev = finding.evidence
        if ev is None:
            return []
        where = [f"evidence {ev.source}"] if ev.source else []
        where += [f"ref {ev.ref}"] if ev.ref else []
        where += [f"defined at {ev.where}"] if ev.where else []
        lines = [self.paint("dim", " · ".join(where))] if where else []
        if ev.excerpt:
            lines.append("> " + self.excerpt(ev.excerpt, ev.span))
        return lines

    def excerpt(self, excerpt: str, span: tuple[int, int] | None) -> str:
        """One line of the excerpt around its span, the span highlighted when colored."""
        flat = excerpt.translate(FLATTEN)
        start, end = span if span and 0 <= span[0] <= span[1] <= len(flat) else (0, 0)
        left = max(0, min(start - EXCERPT_WIDTH // 3, len(flat) - EXCERPT_WIDTH))
        right = left + EXCERPT_WIDTH
        before, inside, after = flat[left:start], flat[start:end], flat[end:right]
        if start < left or end > right:
            before, inside, after = flat[left:right], "", ""
        shown = before + (self.paint("mark", inside) if inside else "") + after
        return ("…" if left else "") + shown + ("…" if right < len(flat) else "")

    def paint(self, style: str, words: str) -> str:
        if not self.color or not words:
            return words
        return f"\x1b[{STYLES[style]}m{words}\x1b[0m"

    def write(self, line: str) -> None:
        self.stream.write(line + "\n")


def side_text(finding: Finding, side: str) -> str:
    """A finding's ``expected``, ``observed`` or ``difference`` (signed) in words, amounts
    in the finding's currency (:func:`.base.currency_of`); empty when it has none."""
    value = getattr(finding, side)
    return text(value_parts(value, currency_of(finding), signed=side == "difference"))


def quotes_line(finding: Finding, separator: str) -> str:
    """Each channel's quotes of a grouped finding (:func:`.base.quote_text`), joined by
    ``separator``; empty when it lists none."""
    currency = currency_of(finding)
    return separator.join(quote_text(quote, currency) for quote in quotes_of(finding))


def resolved_text(gone) -> str:
    """One resolved finding (a history row): rule, channel, subject, message, first seen.

    >>> from datetime import datetime, timezone
    >>> resolved_text({"rule": "price-mismatch", "channel": "phone", "product": "fiber-500",
    ...                "message": "phone quoted ₪89.91", "first_seen": datetime(2026, 11, 2, 8,
    ...                tzinfo=timezone.utc)})
    'price-mismatch · phone · fiber-500 · phone quoted ₪89.91 (seen since 2026-11-02)'
    """
    get = gone.get if hasattr(gone, "get") else lambda key: getattr(gone, key, None)
    head = [get("rule"), get("channel"), get("product") or get("answer"), get("message")]
    line = " · ".join(str(part) for part in head if part)
    first = get("first_seen")
    if first is not None:
        line += f" (seen since {str(first)[:10]})"
    return line
