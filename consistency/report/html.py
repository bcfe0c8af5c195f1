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

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from ..model import SEVERITY_RANK, Finding
from ..result import Result
from ..text.display import plural
from .base import Reporter, active_counts, resolved_of
from .html_markup import bdi, csp_hash, script_json
from .html_overview import (
    accepted_cards,
    chart,
    contradiction_cards,
    grouped,
    matrix,
    split_accepted,
)
from .html_rows import COLUMNS, Group, View, paginate
from .i18n import Formatter, reader_locale
from .text import resolved_text
from .wording import cause_title, rule_title

TEMPLATES = Path(__file__).with_name("templates")
SEVERITIES = ("error", "warning", "info")


def environment(fmt: Formatter | None = None) -> Environment:
    """The report's jinja2 environment: autoescaped, with gettext from ``fmt``'s catalog."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_translations((fmt or Formatter()).translations, newstyle=True)
    env.filters["bdi"] = bdi
    return env


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

    def handle(self, finding: Finding) -> None:
        key = (finding.rule, finding.channel or "")
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(finding.rule, finding.channel or "", len(self.groups))
        group.rows.append(finding)
        group.counts[finding.severity] += 1

    def view(self, result: Result) -> View:
        names = dict(self.options["names"] or {})
        return View(Formatter(reader_locale(self.options["locale"], names, result.findings)), names)

    def finish(self, result: Result) -> None:
        view = self.view(result)
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
        contradictions, accepted = split_accepted(result.findings)
        top = self.options["top"]
        households, all_households = contradiction_cards(
            contradictions, "customer-quote-conflict", view, result, top
        )
        gaps, all_gaps = contradiction_cards(contradictions, "cross-channel-gap", view, result, top)
        accepted_shown, all_accepted = accepted_cards(accepted, view, result, top)
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
            "accepted": accepted_shown,
            "more_accepted": all_accepted - len(accepted_shown),
            "repeated": repeated,
            "more_repeated": all_repeated - len(repeated),
            "columns": script_json([fmt.gettext(c) for c in COLUMNS]),
            "matches_text": fmt.gettext("%(matched)s of %(total)s findings match"),
            "groups": groups,
            "channels": sorted({group.channel for group in groups if group.channel}),
            "rules": sorted({(group.rule, group.rule_label) for group in groups}),
            "severities": SEVERITIES,
            "total": total,
            "inline": inline,
            "embed": bool(self.options["embed_rest"]),
            "matrix": matrix(result, self.options["currency"], view),
            "chart": chart(
                result.findings, lambda rule: rule_title(rule, fmt), lambda c: cause_title(c, fmt)
            ),
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
