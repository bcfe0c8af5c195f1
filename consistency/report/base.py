"""The reporter lifecycle every format shares, and the value formatting they have in common.

A reporter is built with an output stream, then sees a run in flake8's order:
``start(result)``, ``handle(finding)`` for each finding worst first
(``Result.sorted_findings()``), ``finish(result)``. Formats without a header or
footer simply leave ``start`` or ``finish`` empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar, TextIO

from ..model import Finding
from ..result import Result
from ..text.display import money_text, percent_text, plural
from ..values import (
    Difference,
    FactValue,
    MoneyValue,
    PromotionValue,
    QuoteRow,
    Value,
    as_difference,
    as_value,
)

LEVEL_WORDS = {"error": ("error", "errors"), "warning": ("warning", "warnings")}
HEBREW = re.compile(r"[\u0590-\u05FF]")
LATIN = re.compile(r"[A-Za-z]")


class UnknownOption(ValueError):
    """A report option the format does not take."""


class Reporter:
    """One output format. Subclasses set ``NAME``, ``OPTIONS`` (name -> default) and override
    the three lifecycle steps they need."""

    NAME: ClassVar[str] = ""
    SUFFIX: ClassVar[str] = ".txt"  # the file name ending when written under --output
    OPTIONS: ClassVar[dict] = {}

    def __init__(self, stream: TextIO, *, color: bool = False, options: Mapping | None = None):
        unknown = sorted(set(options or {}) - set(self.OPTIONS))
        if unknown:
            known = ", ".join(sorted(self.OPTIONS)) or "none"
            raise UnknownOption(
                f"format {self.NAME!r} has no option {', '.join(unknown)}; its options: {known}"
            )
        self.stream = stream
        self.color = color
        self.options = {**self.OPTIONS, **(options or {})}

    def start(self, result: Result) -> None:
        """Called once before any finding."""

    def handle(self, finding: Finding) -> None:
        """Called once per finding, worst first."""

    def finish(self, result: Result) -> None:
        """Called once after the last finding."""

    def run(self, result: Result) -> None:
        """Render ``result``, its observation text neutralized first (see :mod:`.safe`)."""
        from .safe import safe_result

        result = safe_result(result)
        self.start(result)
        for finding in result.sorted_findings():
            self.handle(finding)
        self.finish(result)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a formatted value; ``number`` marks money, percents and counts (bidi-isolated
    in HTML so ``₪99.90`` never flips in right-to-left text)."""

    text: str
    number: bool = False


def active_counts(result: Result) -> tuple[dict[str, int], int]:
    """Findings per severity that count against the run, and how many are baselined apart."""
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    baselined = 0
    for finding in result.findings:
        if finding.status == "baselined":
            baselined += 1
        else:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts, baselined


def resolved_of(result: Result) -> list:
    """Findings of the previous run this run no longer has (empty without a history)."""
    return list(getattr(result, "resolved", None) or ())


def summary_line(result: Result) -> str:
    """The one-line summary every human-facing format ends or starts with. Baselined
    findings are counted apart (they never fail a run), and so are resolved ones; when a
    discrepancy was seen more than once (one fingerprint, several findings), the number of
    distinct ones is said too.

    >>> from datetime import datetime, timezone
    >>> r = Result(started=datetime(2026, 11, 21, tzinfo=timezone.utc), observations=1234, rules=12)
    >>> summary_line(r)
    '0 errors, 0 warnings, 0 info in 1,234 observations (12 rules)'
    >>> r.findings = [Finding("a", "r", "error", "m", status="baselined"), Finding("b", "r", "error", "m")]
    >>> summary_line(r)
    '1 error, 0 warnings, 0 info, and 1 baselined in 1,234 observations (12 rules)'
    >>> r.findings.append(Finding("b", "r", "error", "m"))
    >>> summary_line(r)
    '2 errors, 0 warnings, 0 info, and 1 baselined (2 distinct) in 1,234 observations (12 rules)'
    """
    counts, baselined = active_counts(result)
    levels = ", ".join(plural(counts[level], level) for level in ("error", "warning", "info"))
    if baselined:
        levels += f", and {baselined:,} baselined"
    distinct = len({f.fingerprint for f in result.findings})
    if distinct < len(result.findings):  # one discrepancy seen again (a repeated probe)
        levels += f" ({distinct:,} distinct)"
    rules = plural(result.rules, "rule")
    line = f"{levels} in {plural(result.observations, 'observation')} ({rules})"
    resolved = resolved_of(result)
    return line + (f"; {len(resolved):,} resolved since the last run" if resolved else "")


def number(value) -> str:
    """Decimals without float noise, integers with thousands separators.

    >>> number(Decimal("14")), number(Decimal("2.50")), number(12000), number("x")
    ('14', '2.5', '12,000', 'x')
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    try:
        dec = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    if dec == dec.to_integral_value():
        return f"{int(dec):,}"
    return f"{dec:f}"


UNITS = {  # each as a literal ngettext call, so the catalogs' extraction finds it
    "day": lambda say, n: say.ngettext("day", "days", n),
    "business_day": lambda say, n: say.ngettext("business day", "business days", n),
    "week": lambda say, n: say.ngettext("week", "weeks", n),
    "month": lambda say, n: say.ngettext("month", "months", n),
    "year": lambda say, n: say.ngettext("year", "years", n),
    "hour": lambda say, n: say.ngettext("hour", "hours", n),
    "minute": lambda say, n: say.ngettext("minute", "minutes", n),
}
SOURCES = {"visible": "shown on the page", "structured": "in the structured data"}
SOURCE_WORDS = (  # for the catalogs' extraction: the SOURCES values are said through gettext
    lambda say: say.gettext("shown on the page"),
    lambda say: say.gettext("in the structured data"),
)
SHOWN_ELSEWHERE = {"quotes", "fact", "currency"}  # quotes get their own line


def value_parts(
    value: Value | Mapping | None, currency: str | None = None, *, signed: bool = False, fmt=None
):
    """Format an expected / observed / difference for people, whatever its shape.

    ``currency`` is the fallback for an amount without one (a difference carries none).
    Known keys read as words (``without VAT``, ``(web, call-5512)``); any other key as
    ``key: value`` with its value formatted, never a Python repr; ``None`` is left out.
    ``fmt`` (an :class:`.i18n.Formatter`) says it in another locale; default English.

    >>> text(value_parts({"amount": Decimal("99.9"), "currency": "ILS"}))
    '₪99.90'
    >>> diff = {"amount": Decimal("-9.99"), "percent": Decimal("-10.0")}
    >>> text(value_parts(diff, "ILS", signed=True))
    '-₪9.99 (-10.0%)'
    >>> text(value_parts({"fact": "duration", "value": 14, "unit": "day"}))
    '14 days'
    >>> text(value_parts({"phrase": "אין מה לעשות", "count": 2}))
    '“אין מה לעשות”, count: 2'
    >>> text(value_parts({"amount": Decimal("110.08"), "currency": "ILS", "vat_included": False}))
    '₪110.08 without VAT'
    >>> seen = {"amount": 129.9, "currency": "ILS", "channel": "chat", "ref": "c-1", "list_price": 99.9}
    >>> text(value_parts(seen))
    '₪129.90 (chat, c-1), list price ₪99.90'
    """
    if not value:
        return []
    say = fmt or English()
    value = as_difference(value)
    if isinstance(value, MoneyValue | PromotionValue | Difference) or (
        isinstance(value, FactValue) and value.value is not None
    ):  # typed: read by attribute; a text-only value or a hand-built dict: key by key below
        return [p for p in _typed_parts(value, currency, signed, say) if p.text]
    if isinstance(value, Value):
        value = value.as_dict()
    fast = _money_only(value, currency, signed, say)
    if fast is not None:
        return fast
    rest = {k: v for k, v in value.items() if v is not None}
    cur = rest.get("currency") or currency
    parts: list[Part] = []
    if _is_number(rest.get("amount")):
        parts.append(Part(say.money(Decimal(str(rest.pop("amount"))), cur, signed=signed), True))
    if _is_number(rest.get("percent")):
        pct = Part(say.percent(Decimal(str(rest.pop("percent"))), signed=signed), True)
        parts += [Part(" ("), pct, Part(")")] if parts else [pct]
    if "value" in rest:
        parts += [Part(" ")] if parts else []
        parts += _fact_parts(rest.get("fact"), rest.pop("value"), rest.pop("unit", None), cur, say)
    if rest.pop("vat_included", True) is False:
        parts.append(Part(" " + say.gettext("without VAT")))
    said = [str(rest.pop(key)) for key in ("channel", "ref") if key in rest]
    if said:
        parts.append(Part(f" ({', '.join(said)})" if parts else ", ".join(said)))
    for key, val in rest.items():
        if key not in SHOWN_ELSEWHERE:
            parts += _keyed_parts(key, val, cur, bool(parts), say)
    return [p for p in parts if p.text]


def _typed_parts(value, currency, signed: bool, say) -> list[Part]:
    """Money, a promotion, a difference or an answer's fact in words, read from the value's
    attributes."""
    if isinstance(value, FactValue):
        return _fact_parts(value.kind, value.value, value.unit, currency, say)
    if isinstance(value, Difference):
        return _difference_parts(value, currency, signed, say)
    cur = value.currency or currency
    amount = value.amount
    parts = [Part(say.money(amount, cur, signed=signed), True)] if amount is not None else []
    if isinstance(value, PromotionValue):
        return parts + _keyed_parts("promotion", value.promotion, cur, bool(parts), say)
    if value.vat_included is False:
        parts.append(Part(" " + say.gettext("without VAT")))
    said = [str(s) for s in (value.channel, value.ref) if s is not None]
    if said:
        parts.append(Part(f" ({', '.join(said)})"))
    about = ("customer", "list_price", "promotion", "source", "name")
    for key in about:
        if getattr(value, key) is not None:
            parts += _keyed_parts(key, getattr(value, key), cur, True, say)
    return parts


def _difference_parts(diff: Difference, currency, signed: bool, say) -> list[Part]:
    """``-₪9.99 (-10.0%)``; the percent alone when there is no amount."""
    parts = []
    if diff.amount is not None:
        parts.append(Part(say.money(diff.amount, currency, signed=signed), True))
    if diff.percent is not None:
        pct = Part(say.percent(diff.percent, signed=signed), True)
        parts += [Part(" ("), pct, Part(")")] if parts else [pct]
    return parts


def _money_only(value: Mapping, currency, signed: bool, say) -> list[Part] | None:
    """The common shape at once: ``{amount, currency}`` (a difference is typed by now)."""
    amount = value.get("amount")
    if not _is_number(amount) or len(value) != 2 or "currency" not in value:
        return None
    amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return [Part(say.money(amount, value["currency"] or currency, signed=signed), True)]


class English:
    """The default wording: English words, the formats of this module (no Babel needed)."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, many: str, n) -> str:
        return singular if n == 1 else many

    def money(self, amount, currency, *, signed: bool = False) -> str:
        return money_text(amount, currency, signed=signed)

    def percent(self, value, *, signed: bool = False) -> str:
        return percent_text(value, signed=signed)

    def number(self, value) -> str:
        return number(value)


def _fact_parts(fact, value, unit, currency, say) -> list[Part]:
    if fact == "money" and _is_number(value):
        return [Part(say.money(Decimal(str(value)), unit or currency), True)]
    if fact == "percent" and _is_number(value):
        return [Part(say.percent(Decimal(str(value))), True)]
    shown = say.number(value) if _is_number(value) else str(value)
    parts = [Part(shown, _is_number(value))]
    if unit:
        whole = _is_number(value) and value == int(value)
        count = int(value) if whole else 3  # a fraction takes the general plural form
        words = UNITS[unit](say, count) if unit in UNITS else str(unit)
        parts.append(Part(" " + words))
    return parts


def _keyed_parts(key: str, val, currency, after: bool, say) -> list[Part]:
    """One further key as words: the ones findings use, else ``key: value``."""
    lead = [Part(", ")] if after else []
    _ = say.gettext
    if key == "list_price" and _is_number(val):
        listed = say.money(Decimal(str(val)), currency)
        return lead + [Part(_("list price") + " "), Part(listed, True)]
    if key in ("phrase", "forbidden"):
        return lead + [Part(f"“{val}”")]
    if key == "scope":
        return lead + [Part(_("forbidden by the policy") if val == "policy" else _("forbidden"))]
    if key == "source" and val in SOURCES:
        return [Part(" " + _(SOURCES[val]))] if after else [Part(_(SOURCES[val]))]
    if key == "reply":
        return lead + [Part(_("an empty reply") if val == "" else _("a reply"))]
    if key == "question":
        return lead + [Part(_("to") + f" “{val}”")]
    if key == "promotion":
        return lead + [Part(_("promotion") + f" {val}")]
    if key == "customer":
        return lead + [Part(_("customer") + f" {val}")]
    return lead + [Part(key.replace("_", " ") + ": "), Part(_plain(val), _is_number(val))]


def quotes_of(finding: Finding) -> list[QuoteRow]:
    """The quotes a grouped finding lists: each channel's low and high in the window."""
    for side in (finding.observed, finding.expected):
        value = as_value(side)
        if isinstance(value, MoneyValue) and value.quotes:
            return list(value.quotes)
    return []


def quoted_sides(finding: Finding) -> list[QuoteRow | MoneyValue]:
    """What a contradiction sets side by side: its quote rows, else the sides that name the
    channel that quoted them (``customer-quote-conflict``)."""
    sides = [as_value(side) for side in (finding.expected, finding.observed)]
    return quotes_of(finding) or [v for v in sides if isinstance(v, MoneyValue) and v.channel]


def quote_text(quote: QuoteRow | MoneyValue, currency: str | None, say=None) -> str:
    """One channel's quotes in a window, or one quote; ``say`` (an :class:`.i18n.Formatter`)
    says it in the reader's locale (CLDR money, the catalog's words), else plain English.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 21, 18, 40, tzinfo=timezone.utc)
    >>> quote_text(QuoteRow("web", 2, Decimal("99.9"), at, None, Decimal("129.9"), at, "w-1"), "ILS")
    'web ₪99.90–₪129.90 (2 quotes, w-1)'
    >>> quote_text(MoneyValue(Decimal("116.91"), "ILS", channel="phone", ref="call-5512"), None)
    'phone ₪116.91 (call-5512)'
    """
    if isinstance(quote, MoneyValue):
        cur, amounts, count, refs = quote.currency or currency, [quote.amount], 1, [quote.ref]
    else:
        cur, amounts, count = currency, [quote.low, quote.high], quote.count or 0
        refs = [quote.low_ref, quote.high_ref]
    said = (lambda a: say.money(a, cur)) if say else (lambda a: money_text(a, cur))
    shown = "–".join(dict.fromkeys(said(a) for a in amounts if a is not None))
    notes = [_quotes_count(int(count), say)] if count > 1 else []
    if promotion := getattr(quote, "promotion", None):  # an allowed promotion: no gap
        notes.append((say.gettext("promotion") if say else "promotion") + f" {promotion}")
    notes += list(dict.fromkeys(str(r) for r in refs if r))
    head = f"{quote.channel or '?'} {shown}".strip()
    return head + (f" ({', '.join(notes)})" if notes else "")


def _quotes_count(count: int, say) -> str:
    if say is None:
        return f"{count:,} quotes"
    return say.ngettext("%(num)d quote", "%(num)d quotes", count) % {"num": count}


def text(parts) -> str:
    return "".join(p.text for p in parts)


def currency_of(finding: Finding) -> str | None:
    """The currency a finding's difference is in: the expected's, else the observed's."""
    for side in (finding.expected, finding.observed):
        value = as_value(side)
        if isinstance(value, MoneyValue | PromotionValue) and value.currency:
            return value.currency
    return None


def subject(finding: Finding) -> str:
    """What the finding is about: the product, the answer, or both."""
    return " / ".join(s for s in (finding.product, finding.answer) if s) or "-"


def when(at: datetime | None) -> str:
    """A time as people read it, with its offset.

    >>> from datetime import timezone, timedelta
    >>> when(datetime(2026, 11, 21, 10, 15, tzinfo=timezone(timedelta(hours=2))))
    '2026-11-21 10:15 +02:00'
    """
    if at is None:
        return ""
    offset = at.strftime("%z")
    return at.strftime("%Y-%m-%d %H:%M") + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def mostly_hebrew(samples) -> bool:
    """True when the texts hold more Hebrew letters than Latin ones.

    >>> mostly_hebrew(["סיב 500 מגה", "fiber"]), mostly_hebrew(["price list", "מחיר"])
    (True, False)
    """
    hebrew = latin = 0
    for sample in samples:
        if sample:
            hebrew += len(HEBREW.findall(sample))
            latin += len(LATIN.findall(sample))
    return hebrew > latin


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _plain(value) -> str:
    """A value in words: no ``None``, ``True`` or quotes of Python's own.

    >>> _plain([1, None, True]), _plain({"a_b": False, "c": None}), _plain(Decimal("2.50"))
    ('1, yes', 'a b: no', '2.5')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value if v is not None)
    if isinstance(value, Mapping):
        return ", ".join(
            f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items() if v is not None
        )
    if isinstance(value, datetime):
        return when(value)
    return number(value)
