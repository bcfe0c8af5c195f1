"""The report as an email body: what mail clients render, small, in the reader's language.

Not the web page: no script, no form controls, no SVG, no ``<details>``. Tables for
layout, CSS inlined into ``style`` attributes by css-inline (mail clients drop
``<style>`` blocks), every value escaped and isolated in ``<bdi>``. It holds the top
contradictions (households, then cross-channel gaps, quotes side by side with the
list price), the findings per channel, what is new and what was resolved since the
last run, and the most repeated other findings; the rest is in the attached CSV.

>>> from consistency.report.sample import sample_result
>>> body = email_html(sample_result(), locale="en")
>>> "<script" in body, "<form" in body, "<svg" in body, 'style="' in body
(False, False, False, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import css_inline
from jinja2 import Environment, FileSystemLoader

from ..model import SEVERITY_RANK
from ..result import Result
from .base import active_counts, resolved_of, subject
from .html import TEMPLATES
from .html_overview import accepted_cards, contradiction_cards, grouped, split_accepted
from .html_rows import View
from .i18n import Formatter, reader_locale
from .safe import safe_result
from .text import resolved_text

TOP_CONTRADICTIONS = 10
TOP_ACCEPTED = 3  # accepted contradictions shown apart, after, at least
TOP_FINDINGS = 15
TOP_NEW = 20


def counts_by_channel(result: Result) -> list[dict]:
    """Per channel: active findings per severity, baselined and new; busiest first."""
    table: dict[str, Counter] = {}
    for finding in result.findings:
        counts = table.setdefault(finding.channel or "-", Counter())
        counts["baselined" if finding.status == "baselined" else finding.severity] += 1
        counts["new"] += finding.status == "new"
    rows = [{"channel": channel, **counts} for channel, counts in table.items()]
    return sorted(rows, key=lambda r: (-r.get("error", 0), -r.get("warning", 0), r["channel"]))


def email_html(
    result: Result, *, locale: str | None = None, names: Mapping[str, str] | None = None
) -> str:
    """The email's HTML body, CSS inlined."""
    result = safe_result(result)
    names = dict(names or {})
    fmt = Formatter(reader_locale(locale, names, result.findings))
    view = View(fmt, names)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_translations(fmt.translations, newstyle=True)
    contradictions, accepted = split_accepted(result.findings)
    households, all_households = contradiction_cards(
        contradictions, "customer-quote-conflict", view, result, TOP_CONTRADICTIONS
    )
    gaps, all_gaps = contradiction_cards(
        contradictions, "cross-channel-gap", view, result, TOP_CONTRADICTIONS
    )
    cards = (households + gaps)[:TOP_CONTRADICTIONS]
    room = max(TOP_ACCEPTED, TOP_CONTRADICTIONS - len(cards))
    accepted_shown, all_accepted = accepted_cards(accepted, view, result, room)
    counts, baselined = active_counts(result)
    new = sorted(
        (f for f in result.findings if f.status == "new"),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.fingerprint),
    )
    others, all_others = grouped(result.findings, view, TOP_FINDINGS)
    page = env.get_template("email.html.j2").render(
        title=fmt.gettext("consistency report"),
        result=result,
        fmt=fmt,
        rtl=fmt.rtl,
        lang=fmt.lang,
        counts=counts,
        baselined=baselined,
        channels=counts_by_channel(result),
        contradictions=cards,
        more_contradictions=all_households + all_gaps - len(cards),
        accepted=accepted_shown,
        all_accepted=all_accepted,
        more_accepted=all_accepted - len(accepted_shown),
        unrouted=result.unrouted,
        others=others,
        more_others=all_others - len(others),
        new=[(view.sentence(f), subject(f), f.channel or "") for f in new[:TOP_NEW]],
        new_total=len(new),
        resolved=[resolved_text(gone) for gone in resolved_of(result)],
        started=fmt.datetime(result.started),
        css=(TEMPLATES / "email.css").read_text(encoding="utf-8"),
    )
    return css_inline.inline(page)
