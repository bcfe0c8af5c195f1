"""One self-contained HTML page: summary cards, a quote matrix, a findings chart, the findings.

Everything is inline (CSS, SVG, a small filter script allowed by a hash in the
page's Content-Security-Policy), so the page needs no network and can be mailed.
Autoescaping is on; evidence excerpts are escaped around a ``<mark>``ed span.
Hebrew reads right to left: the page takes ``dir="rtl"`` when its text is mostly
Hebrew, free-text cells take ``dir="auto"``, and every number sits in ``<bdi>`` so
``₪99.90`` never flips. Findings are grouped by rule and channel into folded
sections paged by ``page_size`` rows.

Large reports stay fast: the first ``inline_rows`` findings (in report order, whole
pages) are HTML rows; every later page is compact JSON in a
``<script type="application/json">`` block (``<`` written as ``\\u003c``, so no text can
close it) that the script draws with DOM calls only when the reader opens the page
or links to it (``report.html#page=7``). Without scripts (an email client) the page
says where the other findings are.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..model import SEVERITY_RANK, Finding
from ..result import QuoteStats, Result
from ..text.display import plural
from .base import (
    Reporter,
    active_counts,
    currency_of,
    mostly_hebrew,
    quotes_of,
    resolved_of,
    subject,
    value_parts,
)
from .i18n import Formatter, choose
from .text import resolved_text
from .wording import cause_title, product_name, rule_title, sentence

TEMPLATES = Path(__file__).with_name("templates")
# Sixteen colours that tell apart (one per rule in the chart).
PALETTE = (
    "#c0392b", "#d68910", "#2874a6", "#7d3c98", "#138d75", "#5d6d7e", "#a04000", "#1e8449",
    "#e84393", "#00838f", "#9e9d24", "#6d4c41", "#3949ab", "#f4511e", "#546e7a", "#8e24aa",
)  # fmt: skip
EXCERPT_WIDTH = 300
BAR_WIDTH = 560
SEVERITIES = ("error", "warning", "info")
LINKABLE = re.compile(
    r"""
    ^ https?://      # an http or https URL, nothing else (javascript:, data: ... stay text)
    [^/?\#\s]        # with a host
    """,
    re.VERBOSE | re.IGNORECASE,
)


def environment(fmt: Formatter | None = None) -> Environment:
    """The report's jinja2 environment: autoescaped, with gettext from ``fmt``'s catalog."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_translations((fmt or Formatter()).translations, newstyle=True)
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


def excerpt_pieces(excerpt: str, span: tuple[int, int] | None) -> tuple[str, str, str]:
    """The text before the span, the span, the text after: cut to a window around the span.

    >>> excerpt_pieces("say <b>99.90</b> now", (7, 12))
    ('say <b>', '99.90', '</b> now')
    >>> before, marked, after = excerpt_pieces("x" * 400 + "₪5", (400, 402))
    >>> before[:2], len(before), marked, after
    ('…x', 299, '₪5', '')
    """
    start, end = span if span and 0 <= span[0] <= span[1] <= len(excerpt) else (0, 0)
    left = max(0, min(start - EXCERPT_WIDTH // 3, len(excerpt) - EXCERPT_WIDTH))
    right = max(left + EXCERPT_WIDTH, end)
    start, end = max(start, left), min(max(end, left), right)
    before = ("…" if left else "") + excerpt[left:start]
    after = excerpt[end:right] + ("…" if right < len(excerpt) else "")
    return before, excerpt[start:end] if end > start else "", after


def excerpt_html(excerpt: str, span: tuple[int, int] | None) -> Markup:
    """The excerpt escaped, its span in ``<mark>``, cut to a window around the span.

    >>> excerpt_html('say <script>"&', (4, 12))
    Markup('say <mark>&lt;script&gt;</mark>&quot;&amp;')
    """
    before, marked, after = excerpt_pieces(excerpt, span)
    middle = f"<mark>{esc(marked)}</mark>" if marked else ""
    return Markup(esc(before) + middle + esc(after))


def link(value: str | None) -> Markup:
    """A link only for http(s) URLs; anything else (``javascript:`` included) is text.

    >>> link("https://shop.example.co.il/a?b=1&c=2")
    Markup('<a href="https://shop.example.co.il/a?b=1&amp;c=2" rel="noopener noreferrer">https://shop.example.co.il/a?b=1&amp;c=2</a>')
    >>> link("javascript:alert(1)")
    Markup('javascript:alert(1)')
    """
    if not value:
        return Markup("")
    if linkable(value):
        return Markup(f'<a href="{esc(value)}" rel="noopener noreferrer">{esc(value)}</a>')
    return Markup(esc(value))


def linkable(value: str) -> bool:
    """Whether a ref or source becomes a link: the same test the script makes for lazy rows.

    >>> linkable("HTTPS://shop.example.co.il/a"), linkable("javascript:alert(1)")
    (True, False)
    >>> linkable("http://"), linkable(" https://x"), linkable("exports/a.csv:3")
    (False, False, False)
    """
    return bool(LINKABLE.match(value)) and bool(urlsplit(value).netloc)


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass
class Page:
    """One page of a group's findings: HTML rows, or JSON the script draws when it is opened."""

    number: int  # in report order from 1: the id ``page-N`` and the link ``#page=N``
    first: int  # the row number of its first finding within its group, from 1
    findings: list[Finding]
    inline: bool
    view: View | None = None

    @property
    def last(self) -> int:
        return self.first + len(self.findings) - 1

    def rows(self) -> list[dict]:
        view = self.view or View()
        return [row(finding, view) for finding in self.findings]

    def data(self) -> Markup:
        """The rows as JSON that is safe inside a ``<script>`` element."""
        view = self.view or View()
        return Markup(script_json([row_data(finding, view) for finding in self.findings]))


@dataclass
class Group:
    """The findings of one rule on one channel, worst first."""

    rule: str
    channel: str
    index: int
    rows: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    open: bool = False
    paged: list[Page] = field(default_factory=list)
    severity_label: str = ""
    rule_label: str = ""

    @property
    def severity(self) -> str:
        return max(self.counts, key=SEVERITY_RANK.__getitem__)

    def pages(self, size: int) -> list[tuple[int, list]]:
        """``(page number, rows)`` from 1.

        >>> Group("r", "c", 0, rows=[{}] * 5).pages(2)
        [(1, [{}, {}]), (2, [{}, {}]), (3, [{}])]
        """
        starts = range(0, len(self.rows), size)
        return [(n, self.rows[start : start + size]) for n, start in enumerate(starts, 1)]


@dataclass
class View:
    """How findings are said on this page: the locale and the product names."""

    fmt: Formatter = field(default_factory=Formatter)
    names: dict = field(default_factory=dict)

    def when(self, at) -> str:
        return self.fmt.datetime(at)

    def values(self, value, currency, *, signed: bool = False) -> list:
        return value_parts(value, currency, signed=signed, fmt=self.fmt)

    def sentence(self, finding: Finding) -> Markup:
        """The finding in the locale, every filled-in value isolated in ``<bdi>``."""
        wrap = lambda value: f"<bdi>{esc(value)}</bdi>"  # noqa: E731
        return Markup(sentence(finding, self.fmt, self.names, wrap=wrap, escape=esc))

    def plain(self, finding: Finding) -> str:
        return sentence(finding, self.fmt, self.names)

    def severity(self, level: str) -> str:
        say = self.fmt
        words = {
            "error": lambda: say.ngettext("error", "errors", 1),
            "warning": lambda: say.ngettext("warning", "warnings", 1),
            "info": lambda: say.gettext("info"),
        }
        return words[level]() if level in words else level

    def status(self, status: str | None) -> str:
        say = self.fmt
        words = {
            "new": lambda: say.gettext("new"),
            "recurring": lambda: say.gettext("recurring"),
            "baselined": lambda: say.gettext("baselined"),
        }
        return words[status]() if status in words else (status or "")


def paginate(groups: list[Group], size: int, inline_rows: int, view: View | None = None) -> int:
    """Cut every group into pages numbered in report order; return how many findings are
    inline. The first pages are inline while they fit in ``inline_rows``; all later ones not.

    >>> groups = [Group("a", "web", 0, rows=[None] * 5), Group("b", "web", 1, rows=[None] * 3)]
    >>> paginate(groups, 2, 4)
    4
    >>> [(p.number, p.first, p.last, p.inline) for g in groups for p in g.paged]
    [(1, 1, 2, True), (2, 3, 4, True), (3, 5, 5, False), (4, 1, 2, False), (5, 3, 3, False)]
    >>> paginate(groups, 2, 8), all(p.inline for g in groups for p in g.paged)
    (8, True)
    """
    budget, number, inline_count = inline_rows, 0, 0
    for group in groups:
        group.paged = []
        for page, findings in group.pages(size):
            number += 1
            inline = len(findings) <= budget
            budget = budget - len(findings) if inline else -1  # once a page is lazy, all are
            inline_count += len(findings) if inline else 0
            group.paged.append(Page(number, (page - 1) * size + 1, findings, inline, view))
    return inline_count


class HtmlReporter(Reporter):
    NAME = "html"
    SUFFIX = ".html"
    OPTIONS = {
        "page_size": 500,
        "title": "consistency report",
        "currency": "ILS",
        "open_rows": 50,
        "inline_rows": 2000,  # findings drawn as HTML rows; later pages are JSON drawn on demand
        "embed_rest": True,  # False (email): leave the later pages out, only say where they are
        "top": 200,  # contradiction cards and grouped findings shown at the top, each
        "locale": None,  # he, en, …; default: Hebrew when the product names are mostly Hebrew
        "names": None,  # product id -> name, from the price list (the CLI passes them)
    }

    def start(self, result: Result) -> None:
        self.groups: dict[tuple[str, str], Group] = {}
        self.samples: list[str] = []

    def handle(self, finding: Finding) -> None:
        key = (finding.rule, finding.channel or "")
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(finding.rule, finding.channel or "", len(self.groups))
        group.rows.append(finding)
        group.counts[finding.severity] += 1
        if len(self.samples) < 400:
            self.samples += [finding.message, subject(finding)]

    def view(self) -> View:
        names = dict(self.options["names"] or {})
        hebrew = mostly_hebrew(names.values()) if names else mostly_hebrew(self.samples)
        return View(Formatter(choose(self.options["locale"], hebrew)), names)

    def finish(self, result: Result) -> None:
        view = self.view()
        fmt = view.fmt
        env = environment(fmt)
        css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
        script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
        groups = sorted(self.groups.values(), key=lambda g: (-SEVERITY_RANK[g.severity], g.index))
        budget = self.options["open_rows"]
        for group in groups:  # unfold groups, worst first, while the rows stay few
            budget -= len(group.rows)
            group.open = budget >= 0
        total = sum(len(group.rows) for group in groups)
        inline = paginate(groups, self.options["page_size"], self.options["inline_rows"], view)
        for group in groups:
            group.severity_label = view.severity(group.severity)
            group.rule_label = rule_title(group.rule, fmt)
        counts, baselined = active_counts(result)
        contradictions = [f for f in result.findings if f.rule in CONTRADICTIONS]
        top = self.options["top"]
        households, all_households = contradiction_cards(
            contradictions, "customer-quote-conflict", view, result, top
        )
        gaps, all_gaps = contradiction_cards(contradictions, "cross-channel-gap", view, result, top)
        repeated, all_repeated = grouped(result.findings, view, top)
        title = self.options["title"]
        if title == self.OPTIONS["title"]:
            title = fmt.gettext(title)
        context = {
            "title": title,
            "result": result,
            "counts": counts,
            "baselined": baselined,
            "new": sum(1 for f in result.findings if f.status == "new"),
            "rtl": fmt.rtl,
            "lang": fmt.lang,
            "fmt": fmt,
            "households": households,
            "more_households": all_households - len(households),
            "gaps": gaps,
            "more_gaps": all_gaps - len(gaps),
            "repeated": repeated,
            "more_repeated": all_repeated - len(repeated),
            "columns": script_json([fmt.gettext(c) for c in COLUMNS]),
            "matches_text": fmt.gettext("%(matched)s of %(total)s findings match"),
            "groups": groups,
            "channels": sorted({group.channel for group in groups if group.channel}),
            "rules": sorted({group.rule for group in groups}),
            "severities": SEVERITIES,
            "total": total,
            "inline": inline,
            "embed": bool(self.options["embed_rest"]),
            "matrix": matrix(result, self.options["currency"], view),
            "chart": chart(result.findings, lambda rule: rule_title(rule, fmt)),
            "started": fmt.datetime(result.started),
            "finished": fmt.datetime(result.finished),
            "css": Markup(css),
            "script": Markup(script),
            "csp": f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(script)}",
            "plural": plural,
            "resolved": [resolved_text(gone) for gone in resolved_of(result)],
        }
        for chunk in env.get_template("report.html.j2").generate(context):
            self.stream.write(chunk)


COLUMNS = (
    "severity", "subject", "at", "expected", "observed", "difference", "cause", "message",
    "evidence",
)  # fmt: skip
CONTRADICTIONS = ("customer-quote-conflict", "cross-channel-gap")


def row(finding: Finding, view: View | None = None) -> dict:
    view = view or View()
    currency = currency_of(finding)
    ev = finding.evidence
    return {
        "severity": finding.severity,
        "severity_label": view.severity(finding.severity),
        "status": finding.status,
        "status_label": view.status(finding.status),
        "subject": subject(finding),
        "rule": finding.rule,
        "rule_label": rule_title(finding.rule, view.fmt),
        "channel": finding.channel or "",
        "product": product_name(finding, view.names) or "",
        "sentence": view.sentence(finding),
        "at": view.when(finding.at),
        "expected": values_html(view.values(finding.expected, currency)),
        "observed": values_html(view.values(finding.observed, currency)),
        "difference": values_html(view.values(finding.difference, currency, signed=True)),
        "cause": cause_title(finding.cause, view.fmt),
        "message": view.plain(finding),
        "excerpt": excerpt_html(ev.excerpt, ev.span) if ev and ev.excerpt else "",
        "source": link(ev.source) if ev else "",
        "ref": link(ev.ref) if ev else "",
        "where": str(ev.where) if ev and ev.where else "",
        "fingerprint": finding.fingerprint,
    }


def row_data(finding: Finding, view: View | None = None) -> list:
    """A finding as the script's row: the cells of :func:`row` as plain text, in a list.

    ``[severity, status, subject, at, expected, observed, difference, cause, message,
    excerpt, source, ref, where, severity label, status label]``; values are
    :func:`alternating` parts, the excerpt is ``[before, marked, after]`` or ``0``.
    """
    view = view or View()
    currency = currency_of(finding)
    ev = finding.evidence
    excerpt = list(excerpt_pieces(ev.excerpt, ev.span)) if ev and ev.excerpt else 0
    return [
        finding.severity,
        finding.status or "",
        subject(finding),
        view.when(finding.at),
        alternating(view.values(finding.expected, currency)),
        alternating(view.values(finding.observed, currency)),
        alternating(view.values(finding.difference, currency, signed=True)),
        cause_title(finding.cause, view.fmt),
        view.plain(finding),
        excerpt,
        (ev.source or "") if ev else "",
        (ev.ref or "") if ev else "",
        str(ev.where) if ev and ev.where else "",
        view.severity(finding.severity),
        view.status(finding.status),
    ]


def alternating(parts) -> list[str]:
    """Value parts as texts at even places and numbers (drawn in ``<bdi>``) at odd ones;
    ``""`` fills a place whose kind is skipped.

    >>> from .base import Part
    >>> alternating([Part("-₪9.99", True), Part(" ("), Part("-10.0%", True), Part(")")])
    ['', '-₪9.99', ' (', '-10.0%', ')']
    >>> alternating([Part("a: "), Part("b: ")])
    ['a: ', '', 'b: ']
    """
    out: list[str] = []
    for part in parts:
        if len(out) % 2 != part.number:
            out.append("")
        out.append(part.text)
    return out


def script_json(value) -> str:
    """Compact JSON that no text in it can end early: ``<`` is written ``\\u003c``.

    >>> script_json(["</script><!-- ש\\"ח"])
    '["\\\\u003c/script>\\\\u003c!-- ש\\\\"ח"]'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


@dataclass(frozen=True)
class Cell:
    text: str
    range: str
    gap: str
    tone: str
    note: str = ""


PRICING = ("price-mismatch", "price-in-reply-mismatch", "vat-excluded-price", "promotion-misuse")


def matrix(result: Result, currency: str, view: View) -> dict:
    """Products down, channels across; each cell the quoted range against the list price,
    toned by what the checks found there (a gap they accept, a promotion, is no error)."""
    quotes = result.quotes
    worst: dict[tuple[str, str], int] = {}
    for finding in result.findings:
        if finding.rule in PRICING and finding.channel and finding.product:
            key = (finding.channel, finding.product)
            worst[key] = max(worst.get(key, -1), SEVERITY_RANK[finding.severity])
    channels = sorted({channel for channel, _ in quotes})
    products = sorted({product for _, product in quotes})
    cells = {
        key: quote_cell(stats, currency, worst.get(key), view) for key, stats in quotes.items()
    }
    names = {product: view.names.get(product, product) for product in products}
    return {"channels": channels, "products": products, "cells": cells, "names": names}


def quote_cell(stats: QuoteStats, currency: str, worst: int | None, view: View) -> Cell:
    """One product on one channel: the quoted range, the list price, the signed gap of the
    end furthest from it, toned ``bad``/``warn`` by the worst pricing finding there, else
    ``ok`` (and marked allowed when the checks accepted a price off the list)."""
    fmt = view.fmt
    listed = fmt.money(stats.list_price, currency) if stats.list_price is not None else "?"
    low, high = stats.low, stats.high
    if low is None or high is None:
        return Cell(listed, "", "", "none")
    shown = fmt.money(low, currency)
    if low != high:
        shown += "–" + fmt.money(high, currency)
    if not stats.list_price:
        return Cell(listed, shown, "", "none")
    far = low if abs(low - stats.list_price) >= abs(high - stats.list_price) else high
    gap = (far - stats.list_price) * 100 / stats.list_price
    tone = {2: "bad", 1: "warn"}.get(worst, "ok")
    note = fmt.gettext("allowed (promotion or discount)") if tone == "ok" and gap else ""
    return Cell(listed, shown, fmt.percent(gap, signed=True) if gap else "", tone, note)


def contradiction_cards(
    findings: list[Finding], rule: str, view: View, result: Result, top: int
) -> tuple[list, int]:
    """The first ``top`` findings of one contradiction rule as cards (the quotes side by
    side and the list price; worst first, then the biggest gap), and how many there are."""
    chosen = [f for f in findings if f.rule == rule]
    chosen.sort(key=lambda f: (-SEVERITY_RANK[f.severity], -abs(_gap(f)), f.fingerprint))
    return [card(f, view, result) for f in chosen[:top]], len(chosen)


def card(finding: Finding, view: View, result: Result) -> dict:
    fmt = view.fmt
    currency = currency_of(finding)
    quotes = quotes_of(finding) or [
        side for side in (finding.expected, finding.observed) if side and side.get("channel")
    ]
    listed = list_price(finding, result)
    return {
        "finding": finding,
        "severity": view.severity(finding.severity),
        "status": view.status(finding.status),
        "product": product_name(finding, view.names) or "",
        "customer": (finding.observed or {}).get("customer") or "",
        "day": fmt.date(finding.at),
        "sentence": view.sentence(finding),
        "gap": values_html(view.values(finding.difference, currency, signed=True)),
        "list": fmt.money(listed, currency) if listed is not None else "",
        "quotes": [quote_view(q, currency, listed, view) for q in quotes],
    }


def quote_view(quote, currency: str | None, listed, view: View) -> dict:
    """One quote (or one channel's quotes in the window) for a card."""
    fmt = view.fmt
    cur = quote.get("currency") or currency
    amounts = [quote.get(k) for k in ("amount", "low", "high") if quote.get(k) is not None]
    shown = "–".join(dict.fromkeys(fmt.money(a, cur) for a in amounts))
    times = [quote.get(k) for k in ("at", "low_at", "high_at") if quote.get(k)]
    refs = [quote.get(k) for k in ("ref", "low_ref", "high_ref") if quote.get(k)]
    count = quote.get("count")
    promotion = quote.get("promotion")
    on_list = listed is not None and all(Decimal(str(a)) == listed for a in amounts)
    return {
        "channel": quote.get("channel") or "",
        "amount": shown,
        "times": list(dict.fromkeys(fmt.datetime(_time(t)) for t in times if _time(t))),
        "refs": [link(str(r)) for r in dict.fromkeys(refs)],
        "count": fmt.ngettext("%(num)d quote", "%(num)d quotes", int(count)) % {"num": int(count)}
        if count and int(count) > 1
        else "",
        "promotion": promotion if isinstance(promotion, str) else "",
        "tone": "promotion" if promotion else ("list" if on_list else "off"),
    }


def list_price(finding: Finding, result: Result) -> Decimal | None:
    """The list price a contradiction is measured against: named in the finding, else the
    cross-channel-gap's expected, else the run's quote statistics for the product."""
    for side in (finding.expected, finding.observed):
        if side and side.get("list_price") is not None:
            return Decimal(str(side["list_price"]))
    expected = finding.expected or {}
    gap_against_list = finding.rule == "cross-channel-gap" and not expected.get("channel")
    if gap_against_list and expected.get("amount") is not None:
        return Decimal(str(expected["amount"]))
    for (_channel, product), stats in sorted(result.quotes.items()):
        if product == finding.product and stats.list_price is not None:
            return stats.list_price
    return None


def grouped(findings: list[Finding], view: View, top: int) -> tuple[list[dict], int]:
    """Every other finding once per fingerprint, with how often and over which days: the
    first ``top`` (worst first, then the most repeated), and how many fingerprints there are."""
    by_print: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule not in CONTRADICTIONS:
            by_print.setdefault(finding.fingerprint, []).append(finding)
    order = sorted(by_print.values(), key=_group_order)
    out = []
    for same in order[:top]:
        same.sort(key=lambda f: (f.at is None, f.at or datetime.min.replace(tzinfo=UTC)))
        out.append({"row": row(same[0], view), "count": len(same), "when": times(same, view)})
    return out, len(order)


def _group_order(same: list[Finding]) -> tuple:
    worst = max(SEVERITY_RANK[f.severity] for f in same)
    return (-worst, -len(same), min(f.fingerprint for f in same))


def times(same: list[Finding], view: View) -> str:
    """``10 times, 16–21 Nov``; a single finding: its time."""
    fmt = view.fmt
    dated = [f.at for f in same if f.at is not None]
    if len(same) == 1:
        return fmt.datetime(dated[0]) if dated else ""
    count = fmt.ngettext("%(num)d time", "%(num)d times", len(same)) % {"num": len(same)}
    return f"{count}, {fmt.span(min(dated), max(dated))}" if dated else count


def _gap(finding: Finding) -> Decimal:
    value = (finding.difference or {}).get("percent")
    return Decimal(str(value)) if value is not None else Decimal(0)


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def chart(findings: list[Finding], title=str) -> dict:
    """A stacked bar per channel, laid out for inline SVG.

    One colour per rule (the legend, each rule by ``title(rule)``), one segment per rule
    and cause, each titled ``channel · rule · cause: count``, so the colours stay few and
    tell apart.
    """
    by_channel: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_channel[finding.channel or "-"][(finding.rule, finding.cause or "")] += 1
    keys = sorted({key for counts in by_channel.values() for key in counts})
    rules = sorted({rule for rule, _cause in keys})
    colors = {rule: PALETTE[i % len(PALETTE)] for i, rule in enumerate(rules)}
    top = max((sum(c.values()) for c in by_channel.values()), default=0)
    bars = [
        _bar(y, channel, counts, keys, colors, top)
        for y, (channel, counts) in enumerate(sorted(by_channel.items()))
    ]
    legend = [
        {"cause": title(rule), "color": colors[rule], "y": len(bars) * 30 + 10 + i * 20}
        for i, rule in enumerate(rules)
    ]
    height = len(bars) * 30 + 20 + len(rules) * 20
    return {"bars": bars, "legend": legend, "height": height, "width": BAR_WIDTH + 200}


def _bar(y: int, channel: str, counts: Counter, keys: list, colors: dict, top: int) -> dict:
    x, segments = 0.0, []
    for rule, cause in keys:
        count = counts[(rule, cause)]
        if not count:
            continue
        width = count * BAR_WIDTH / top
        label = f"{rule} · {cause}" if cause else rule
        segments.append(
            {"x": x, "width": width, "color": colors[rule], "cause": label, "count": count}
        )
        x += width
    return {
        "y": y * 30,
        "channel": channel,
        "segments": segments,
        "total": sum(counts.values()),
        "end": x,
    }
