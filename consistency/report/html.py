"""One self-contained HTML page: summary cards, a quote matrix, a findings chart, the findings.

Everything is inline (CSS, SVG, a small filter script allowed by a hash in the
page's Content-Security-Policy), so the page needs no network and can be mailed.
Autoescaping is on; evidence excerpts are escaped around a ``<mark>``ed span.
Hebrew reads right to left: the page takes ``dir="rtl"`` when its text is mostly
Hebrew, free-text cells take ``dir="auto"``, and every number sits in ``<bdi>`` so
``₪99.90`` never flips. Findings are grouped by rule and channel into folded
sections paged by ``page_size`` rows, so 50,000 findings stay usable.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..model import SEVERITY_RANK, Finding
from ..result import QuoteStats, Result
from .base import Reporter, currency_of, money, mostly_hebrew, plural, subject, value_parts, when

TEMPLATES = Path(__file__).with_name("templates")
PALETTE = ("#c0392b", "#d68910", "#2874a6", "#7d3c98", "#138d75", "#5d6d7e", "#a04000", "#1e8449")
EXCERPT_WIDTH = 300
BAR_WIDTH = 560


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["bdi"] = bdi
    return env


def esc(value) -> str:
    """Escape text for HTML (quotes too); plain ``str`` so rows are built by fast joins."""
    return html.escape(str(value), quote=True)


def bdi(value) -> Markup:
    """A number or money isolated from the surrounding direction.

    >>> bdi("₪99.90")
    Markup('<bdi>₪99.90</bdi>')
    >>> bdi(1234)
    Markup('<bdi>1,234</bdi>')
    """
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    return Markup(f"<bdi>{esc(shown)}</bdi>")


def values_html(parts) -> Markup:
    """Formatted value parts, numbers in ``<bdi>``, the rest escaped."""
    return Markup("".join(f"<bdi>{esc(p.text)}</bdi>" if p.number else esc(p.text) for p in parts))


def excerpt_html(excerpt: str, span: tuple[int, int] | None) -> Markup:
    """The excerpt escaped, its span in ``<mark>``, cut to a window around the span.

    >>> excerpt_html('say <script>"&', (4, 12))
    Markup('say <mark>&lt;script&gt;</mark>&quot;&amp;')
    """
    start, end = span if span and 0 <= span[0] <= span[1] <= len(excerpt) else (0, 0)
    left = max(0, min(start - EXCERPT_WIDTH // 3, len(excerpt) - EXCERPT_WIDTH))
    right = max(left + EXCERPT_WIDTH, end)
    start, end = max(start, left), min(max(end, left), right)
    marked = f"<mark>{esc(excerpt[start:end])}</mark>" if end > start else ""
    pieces = (
        "…" if left else "",
        esc(excerpt[left:start]),
        marked,
        esc(excerpt[end:right]),
        "…" if right < len(excerpt) else "",
    )
    return Markup("".join(pieces))


def link(value: str | None) -> Markup:
    """A link only for http(s) URLs; anything else (``javascript:`` included) is text.

    >>> link("https://shop.example.co.il/a?b=1&c=2")
    Markup('<a href="https://shop.example.co.il/a?b=1&amp;c=2" rel="noopener noreferrer">https://shop.example.co.il/a?b=1&amp;c=2</a>')
    >>> link("javascript:alert(1)")
    Markup('javascript:alert(1)')
    """
    if not value:
        return Markup("")
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return Markup(f'<a href="{esc(value)}" rel="noopener noreferrer">{esc(value)}</a>')
    return Markup(esc(value))


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass
class Group:
    """The findings of one rule on one channel, worst first."""

    rule: str
    channel: str
    index: int
    rows: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    open: bool = False

    @property
    def severity(self) -> str:
        return max(self.counts, key=SEVERITY_RANK.__getitem__)

    def pages(self, size: int) -> list[tuple[int, list[dict]]]:
        """``(page number, rows)`` from 1.

        >>> Group("r", "c", 0, rows=[{}] * 5).pages(2)
        [(1, [{}, {}]), (2, [{}, {}]), (3, [{}])]
        """
        starts = range(0, len(self.rows), size)
        return [(n, self.rows[start : start + size]) for n, start in enumerate(starts, 1)]


class HtmlReporter(Reporter):
    NAME = "html"
    SUFFIX = ".html"
    OPTIONS = {"page_size": 500, "title": "consistency report", "currency": "ILS", "open_rows": 50}

    def start(self, result: Result) -> None:
        self.groups: dict[tuple[str, str], Group] = {}
        self.samples: list[str] = []

    def handle(self, finding: Finding) -> None:
        key = (finding.rule, finding.channel or "")
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(finding.rule, finding.channel or "", len(self.groups))
        group.rows.append(row(finding))
        group.counts[finding.severity] += 1
        if len(self.samples) < 400:
            self.samples += [finding.message, subject(finding)]

    def finish(self, result: Result) -> None:
        env = environment()
        css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
        script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
        groups = sorted(self.groups.values(), key=lambda g: (-SEVERITY_RANK[g.severity], g.index))
        budget = self.options["open_rows"]
        for group in groups:  # unfold groups, worst first, while the rows stay few
            budget -= len(group.rows)
            group.open = budget >= 0
        context = {
            "title": self.options["title"],
            "result": result,
            "counts": result.counts(),
            "rtl": mostly_hebrew(self.samples),
            "groups": groups,
            "page_size": self.options["page_size"],
            "matrix": matrix(result.quotes, self.options["currency"]),
            "chart": chart(result.findings),
            "started": when(result.started),
            "finished": when(result.finished),
            "css": Markup(css),
            "script": Markup(script),
            "csp": f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(script)}",
            "plural": plural,
        }
        for chunk in env.get_template("report.html.j2").generate(context):
            self.stream.write(chunk)


def row(finding: Finding) -> dict:
    currency = currency_of(finding)
    ev = finding.evidence
    return {
        "severity": finding.severity,
        "status": finding.status,
        "subject": subject(finding),
        "at": when(finding.at),
        "expected": values_html(value_parts(finding.expected, currency)),
        "observed": values_html(value_parts(finding.observed, currency)),
        "difference": values_html(value_parts(finding.difference, currency, signed=True)),
        "cause": finding.cause or "",
        "message": finding.message,
        "excerpt": excerpt_html(ev.excerpt, ev.span) if ev and ev.excerpt else "",
        "source": link(ev.source) if ev else "",
        "ref": link(ev.ref) if ev else "",
        "where": str(ev.where) if ev and ev.where else "",
        "fingerprint": finding.fingerprint,
    }


@dataclass(frozen=True)
class Cell:
    text: str
    range: str
    gap: str
    tone: str


def matrix(quotes: dict[tuple[str, str], QuoteStats], currency: str) -> dict:
    """Products down, channels across; each cell the quoted range against the list price."""
    channels = sorted({channel for channel, _ in quotes})
    products = sorted({product for _, product in quotes})
    cells = {key: quote_cell(stats, currency) for key, stats in quotes.items()}
    return {"channels": channels, "products": products, "cells": cells}


def quote_cell(stats: QuoteStats, currency: str) -> Cell:
    listed = money(stats.list_price, currency) if stats.list_price is not None else "?"
    low, high = stats.low, stats.high
    if low is None or high is None:
        return Cell(listed, "", "", "none")
    shown = (
        money(low, currency) if low == high else f"{money(low, currency)}–{money(high, currency)}"
    )
    if not stats.list_price:
        return Cell(listed, shown, "", "none")
    gap = max(abs(low - stats.list_price), abs(high - stats.list_price)) * 100 / stats.list_price
    tone = "ok" if gap <= Decimal("0.5") else "warn" if gap < 5 else "bad"
    return Cell(listed, shown, f"{gap:.1f}%", tone)


def chart(findings: list[Finding]) -> dict:
    """A stacked bar per channel, one segment per cause, laid out for inline SVG."""
    by_channel: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_channel[finding.channel or "-"][finding.cause or finding.rule] += 1
    causes = sorted({cause for counts in by_channel.values() for cause in counts})
    colors = {cause: PALETTE[i % len(PALETTE)] for i, cause in enumerate(causes)}
    top = max((sum(c.values()) for c in by_channel.values()), default=0)
    bars = []
    for y, (channel, counts) in enumerate(sorted(by_channel.items())):
        x, segments = 0.0, []
        for cause in causes:
            width = counts[cause] * BAR_WIDTH / top if counts[cause] else 0
            if width:
                segments.append(
                    {
                        "x": x,
                        "width": width,
                        "color": colors[cause],
                        "cause": cause,
                        "count": counts[cause],
                    }
                )
            x += width
        bars.append(
            {
                "y": y * 30,
                "channel": channel,
                "segments": segments,
                "total": sum(counts.values()),
                "end": x,
            }
        )
    legend = [
        {"cause": c, "color": colors[c], "y": len(bars) * 30 + 10 + i * 20}
        for i, c in enumerate(causes)
    ]
    height = len(bars) * 30 + 20 + len(causes) * 20
    return {"bars": bars, "legend": legend, "height": height, "width": BAR_WIDTH + 200}
