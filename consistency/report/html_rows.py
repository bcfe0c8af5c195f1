"""The findings table of the HTML report: how a finding is said on the page (:class:`View`),
its row as HTML or as the compact JSON the script draws, and the groups and pages the
rows are folded into."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from ..model import SEVERITY_RANK, Finding
from .base import currency_of, quote_text, quotes_of, value_parts
from .html_markup import (
    alternating,
    esc,
    excerpt_html,
    excerpt_pieces,
    link,
    script_json,
    values_html,
)
from .i18n import Formatter
from .wording import cause_title, product_name, rule_title, sentence

COLUMNS = (
    "severity", "subject", "at", "expected", "observed", "difference", "cause", "message",
    "evidence",
)  # fmt: skip


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

    def subject(self, finding: Finding) -> str:
        """What the finding is about, by the price list's names: product, answer or both."""
        product = self.names.get(finding.product, finding.product) if finding.product else None
        return " / ".join(s for s in (product, finding.answer) if s) or "-"

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


def row(finding: Finding, view: View | None = None) -> dict:
    view = view or View()
    currency = currency_of(finding)
    ev = finding.evidence
    return {
        "severity": finding.severity,
        "severity_label": view.severity(finding.severity),
        "status": finding.status,
        "status_label": view.status(finding.status),
        "subject": view.subject(finding),
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
        "excerpt": excerpt_html(*excerpt_of(finding, view)) if ev and ev.excerpt else "",
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
    excerpt = list(excerpt_pieces(*excerpt_of(finding, view))) if ev and ev.excerpt else 0
    return [
        finding.severity,
        finding.status or "",
        view.subject(finding),
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


def excerpt_of(finding: Finding, view: View) -> tuple[str, tuple[int, int] | None]:
    """The evidence excerpt and its span. A grouped finding whose excerpt is the check's
    own list of the quotes (``app ₪79.90 (app-3) · store ₪89.90 (s-4)``, not words anyone
    said) is said again in the reader's locale, money by its CLDR format."""
    ev = finding.evidence
    quotes = quotes_of(finding)
    if quotes:
        currency = currency_of(finding)
        if ev.excerpt == " · ".join(quote_text(q, currency) for q in quotes):
            return " · ".join(quote_text(q, currency, view.fmt) for q in quotes), None
    return ev.excerpt, ev.span
