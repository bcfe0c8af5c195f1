"""The top of the HTML report and of the email: the quote matrix, the contradiction cards,
the repeated findings once each, and the findings chart."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ..model import SEVERITY_RANK, Finding
from ..result import QuoteStats, Result
from ..values import MoneyValue, QuoteRow, as_difference, as_value
from .base import currency_of, quoted_sides
from .html_markup import link, values_html
from .html_rows import View, row
from .wording import product_name

# Sixteen colours that tell apart (one per rule in the chart).
PALETTE = (
    "#c0392b", "#d68910", "#2874a6", "#7d3c98", "#138d75", "#5d6d7e", "#a04000", "#1e8449",
    "#e84393", "#00838f", "#9e9d24", "#6d4c41", "#3949ab", "#f4511e", "#546e7a", "#8e24aa",
)  # fmt: skip
BAR_WIDTH = 560
CONTRADICTIONS = ("customer-quote-conflict", "cross-channel-gap")
PRICING = ("price-mismatch", "price-in-reply-mismatch", "vat-excluded-price", "promotion-misuse")


@dataclass(frozen=True)
class Cell:
    text: str
    range: str
    gap: str
    tone: str
    note: str = ""


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


def standing(finding: Finding) -> int:
    """Where a finding stands in what to fix first: 0 new, 1 still there (recurring, or no
    history), 2 accepted in the baseline (never fails a run: shown apart, after).

    >>> [standing(Finding("f", "r", "error", "m", status=s)) for s in ("new", None, "baselined")]
    [0, 1, 2]
    """
    return {"new": 0, "baselined": 2}.get(finding.status or "", 1)


def contradiction_order(finding: Finding) -> tuple:
    """Active before accepted, new first; then households before gaps, worst first, the
    widest exact gap first (two gaps that round alike keep their true order), the bigger
    amount, then the fingerprint (any input order gives one order)."""
    rule = CONTRADICTIONS.index(finding.rule) if finding.rule in CONTRADICTIONS else 9
    return (
        standing(finding) == 2,
        rule,
        standing(finding),
        -SEVERITY_RANK[finding.severity],
        -exact_gap(finding),
        -abs(_amount(finding)),
        finding.fingerprint,
    )


def contradiction_cards(
    findings: list[Finding], rule: str, view: View, result: Result, top: int
) -> tuple[list, int]:
    """The first ``top`` findings of one contradiction rule as cards (the quotes side by
    side and the list price; new first, worst first, then the widest gap), and how many
    there are. Pass active and accepted findings apart (:func:`split_accepted`)."""
    chosen = sorted((f for f in findings if f.rule == rule), key=contradiction_order)
    return [card(f, view, result) for f in chosen[:top]], len(chosen)


def split_accepted(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(active, accepted): the contradictions still to fix, and those the baseline accepts."""
    active = [f for f in findings if f.rule in CONTRADICTIONS and standing(f) < 2]
    accepted = [f for f in findings if f.rule in CONTRADICTIONS and standing(f) == 2]
    return active, accepted


def accepted_cards(accepted: list[Finding], view: View, result: Result, top: int):
    """The baselined contradictions as cards, households then gaps: ``(cards, how many)``."""
    chosen = sorted(accepted, key=contradiction_order)
    return [card(f, view, result) for f in chosen[:top]], len(chosen)


def card(finding: Finding, view: View, result: Result) -> dict:
    fmt = view.fmt
    currency = currency_of(finding)
    listed = list_price(finding, result)
    observed = as_value(finding.observed)
    sides = quoted_sides(finding)
    return {
        "finding": finding,
        "severity": view.severity(finding.severity),
        "status": view.status(finding.status),
        "product": product_name(finding, view.names) or "",
        "customer": getattr(observed, "customer", None) or "",
        "day": fmt.date(finding.at),
        "sentence": view.sentence(finding),
        "gap": values_html(view.values(finding.difference, currency, signed=True)),
        "list": fmt.money(listed, currency) if listed is not None else "",
        "quotes": [
            quote_view(q, currency, listed, view, at)
            for q, at in zip(sides, quote_times(finding, sides), strict=True)
        ],
    }


def quote_view(
    quote: QuoteRow | MoneyValue, currency: str | None, listed, view: View, at=None
) -> dict:
    """One quote (or one channel's quotes in the window) for a card; ``at``: a single
    quote's time when its value does not carry one (:func:`quote_times`)."""
    fmt = view.fmt
    promotion = getattr(quote, "promotion", None)  # a quote row may mark an allowed promotion
    if isinstance(quote, MoneyValue):
        cur, amounts, count = quote.currency or currency, [quote.amount], 1
        times, refs = [getattr(quote, "at", None) or at], [quote.ref]
    else:
        cur, amounts, count = currency, [quote.low, quote.high], quote.count
        times, refs = [quote.low_at, quote.high_at], [quote.low_ref, quote.high_ref]
    amounts = [a for a in amounts if a is not None]
    on_list = listed is not None and all(a == listed for a in amounts)
    return {
        "channel": quote.channel or "",
        "amount": "–".join(dict.fromkeys(fmt.money(a, cur) for a in amounts)),
        "times": list(dict.fromkeys(fmt.datetime(_time(t)) for t in times if t and _time(t))),
        "refs": [link(str(r)) for r in dict.fromkeys(r for r in refs if r)],
        "count": fmt.ngettext("%(num)d quote", "%(num)d quotes", int(count)) % {"num": int(count)}
        if count and int(count) > 1
        else "",
        "promotion": promotion or "",
        "tone": "promotion" if promotion else ("list" if on_list else "off"),
    }


# customer-quote-conflict's message names each quote's channel and local time, higher first:
# "… quoted ₪129.90 (web, 2026-11-21 09:12) and ₪116.91 (phone, 2026-11-21 18:40) …"
QUOTED_AT = re.compile(r"\(([^(),]+), (\d{4}-\d{2}-\d{2} \d{2}:\d{2})\)")


def quote_times(finding: Finding, sides: list) -> list[datetime | None]:
    """Each single quote's local time, in the order of ``sides`` (expected, then observed).

    A household's quotes are two values without times of their own; the check writes each
    one's channel and local time in its message, higher quote first, and the finding's
    ``at`` (the later quote's) gives their offset. Quote rows carry their own times: None.

    >>> from datetime import timedelta, timezone
    >>> f = Finding("fp", "customer-quote-conflict", "error",
    ...     "customer hh-1 was quoted ₪129.90 (web, 2026-11-21 09:12) and ₪116.91 (phone, "
    ...     "2026-11-21 18:40) for x", at=datetime(2026, 11, 21, 18, 40,
    ...     tzinfo=timezone(timedelta(hours=2))))
    >>> sides = [MoneyValue(Decimal("129.9"), "ILS", "web"), MoneyValue(Decimal("116.91"), "ILS", "phone")]
    >>> [t.strftime("%H:%M %z") for t in quote_times(f, sides)]
    ['09:12 +0200', '18:40 +0200']
    """
    found = QUOTED_AT.findall(finding.message or "")
    singles = [side for side in sides if isinstance(side, MoneyValue)]
    if finding.at is None or len(found) != len(singles) or len(singles) != len(sides):
        return [None] * len(sides)
    times = []
    for side, (channel, local) in zip(sides, found, strict=True):
        if side.channel != channel:  # not the message this check writes: no times
            return [None] * len(sides)
        times.append(datetime.fromisoformat(local).replace(tzinfo=finding.at.tzinfo))
    return times


def list_price(finding: Finding, result: Result) -> Decimal | None:
    """The list price a contradiction is measured against: named in the finding, else the
    cross-channel-gap's expected, else the run's quote statistics for the product."""
    sides = [as_value(side) for side in (finding.expected, finding.observed)]
    for side in sides:
        if isinstance(side, MoneyValue) and side.list_price is not None:
            return side.list_price
    expected = sides[0]
    gap_against_list = finding.rule == "cross-channel-gap" and isinstance(expected, MoneyValue)
    if gap_against_list and not expected.channel:
        return expected.amount
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
    """Active groups before accepted ones, new first; then the worst, the most repeated."""
    worst = max(SEVERITY_RANK[f.severity] for f in same)
    first = min(standing(f) for f in same)
    return (first == 2, first, -worst, -len(same), min(f.fingerprint for f in same))


def times(same: list[Finding], view: View) -> str:
    """``10 times, 16–21 Nov``; a single finding ``once, 30 Nov`` (the column says how
    often; the time of day is in the finding's own row)."""
    fmt = view.fmt
    dated = [f.at for f in same if f.at is not None]
    if len(same) == 1:
        once = fmt.gettext("once")
        return f"{once}, {fmt.span(dated[0], dated[0])}" if dated else once
    count = fmt.ngettext("%(num)d time", "%(num)d times", len(same)) % {"num": len(same)}
    return f"{count}, {fmt.span(min(dated), max(dated))}" if dated else count


def _gap(finding: Finding) -> Decimal:
    value = getattr(as_difference(finding.difference), "percent", None)
    return Decimal(str(value)) if value is not None else Decimal(0)


def _amount(finding: Finding) -> Decimal:
    value = getattr(as_difference(finding.difference), "amount", None)
    return Decimal(str(value)) if value is not None else Decimal(0)


def exact_gap(finding: Finding) -> Decimal:
    """The gap as an unrounded fraction of the amount it is measured from (the difference's
    amount over the expected amount), else the finding's rounded percent over 100.

    >>> from consistency.values import Difference
    >>> f = Finding("a", "customer-quote-conflict", "error", "m",
    ...     expected=MoneyValue(Decimal("3990"), "ILS"), observed=MoneyValue(Decimal("3590"), "ILS"),
    ...     difference=Difference(Decimal("-400"), Decimal("-10.0")))
    >>> round(exact_gap(f), 5)
    Decimal('0.10025')
    """
    amount = _amount(finding)
    base = getattr(as_value(finding.expected), "amount", None)
    if amount and base:
        return abs(amount) / abs(Decimal(str(base)))
    return abs(_gap(finding)) / 100


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def chart(findings: list[Finding], title=str, cause_title=str) -> dict:
    """A stacked bar per channel, laid out for inline SVG.

    One colour per rule (the legend, each rule by ``title(rule)``), one segment per rule
    and cause, each titled ``channel · rule · cause: count`` in words (``title`` and
    ``cause_title``, the reader's language), so the colours stay few and tell apart.
    """
    by_channel: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_channel[finding.channel or "-"][(finding.rule, finding.cause or "")] += 1
    keys = sorted({key for counts in by_channel.values() for key in counts})
    rules = sorted({rule for rule, _cause in keys})
    colors = {rule: PALETTE[i % len(PALETTE)] for i, rule in enumerate(rules)}
    top = max((sum(c.values()) for c in by_channel.values()), default=0)
    label = {(r, c): " · ".join(t for t in (title(r), cause_title(c)) if t) for r, c in keys}
    bars = [
        _bar(y, channel, counts, keys, colors, top, label)
        for y, (channel, counts) in enumerate(sorted(by_channel.items()))
    ]
    legend = [
        {"cause": title(rule), "color": colors[rule], "y": len(bars) * 30 + 10 + i * 20}
        for i, rule in enumerate(rules)
    ]
    height = len(bars) * 30 + 20 + len(rules) * 20
    return {"bars": bars, "legend": legend, "height": height, "width": BAR_WIDTH + 200}


def _bar(
    y: int, channel: str, counts: Counter, keys: list, colors: dict, top: int, labels: dict
) -> dict:
    x, segments = 0.0, []
    for rule, cause in keys:
        count = counts[(rule, cause)]
        if not count:
            continue
        width = count * BAR_WIDTH / top
        segments.append(
            {
                "x": x,
                "width": width,
                "color": colors[rule],
                "cause": labels[(rule, cause)],
                "count": count,
            }
        )
        x += width
    return {
        "y": y * 30,
        "channel": channel,
        "segments": segments,
        "total": sum(counts.values()),
        "end": x,
    }
