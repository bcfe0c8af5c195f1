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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import ClassVar, TextIO

from ..model import Finding, to_cents
from ..result import Result

SYMBOLS = {"ILS": "₪", "USD": "$", "EUR": "€", "GBP": "£"}
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


def plural(count: int, word: str) -> str:
    """``3 errors``, ``1 warning``, ``0 info``.

    >>> plural(3, "error"), plural(1, "warning"), plural(0, "info"), plural(1234, "observation")
    ('3 errors', '1 warning', '0 info', '1,234 observations')
    """
    many = word if word == "info" else word + "s"
    return f"{count:,} {word if count == 1 else many}"


def summary_line(result: Result) -> str:
    """The one-line summary every human-facing format ends or starts with.

    >>> from datetime import datetime, timezone
    >>> r = Result(started=datetime(2026, 11, 21, tzinfo=timezone.utc), observations=1234, rules=12)
    >>> summary_line(r)
    '0 errors, 0 warnings, 0 info in 1,234 observations (12 rules)'
    """
    counts = result.counts()
    levels = ", ".join(plural(counts[level], level) for level in ("error", "warning", "info"))
    rules = plural(result.rules, "rule")
    return f"{levels} in {plural(result.observations, 'observation')} ({rules})"


def money(amount: Decimal, currency: str | None, *, signed: bool = False) -> str:
    """Money as people read it: symbol for the common currencies, else the ISO code.

    >>> money(Decimal("99.9"), "ILS"), money(Decimal("-9.99"), "ILS"), money(Decimal(1234), "CHF")
    ('₪99.90', '-₪9.99', 'CHF 1,234.00')
    >>> money(Decimal("19.99"), "USD", signed=True), money(Decimal(5), None)
    ('+$19.99', '5.00')
    """
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    digits = f"{to_cents(abs(amount)):,.2f}"
    if currency is None:
        return sign + digits
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


def percent(value: Decimal, *, signed: bool = False) -> str:
    """A percent, signed for differences.

    >>> percent(Decimal("-10"), signed=True), percent(Decimal("2.5"), signed=True)
    ('-10.0%', '+2.5%')
    >>> percent(Decimal(20)), percent(Decimal("0.5"))
    ('20%', '0.5%')
    """
    tenth = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{tenth:.1f}" if signed or value != value.to_integral_value() else f"{value:.0f}"
    return ("+" if signed and value > 0 else "") + text + "%"


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


def value_parts(value: Mapping | None, currency: str | None = None, *, signed: bool = False):
    """Format an expected / observed / difference mapping, whatever its keys.

    ``currency`` is the fallback for an amount without one (a difference carries none).

    >>> text(value_parts({"amount": Decimal("99.9"), "currency": "ILS"}))
    '₪99.90'
    >>> diff = {"amount": Decimal("-9.99"), "percent": Decimal("-10.0")}
    >>> text(value_parts(diff, "ILS", signed=True))
    '-₪9.99 (-10.0%)'
    >>> text(value_parts({"fact": "duration", "value": 14, "unit": "day"}))
    'duration 14 day'
    >>> text(value_parts({"phrase": "אין מה לעשות", "count": 2}))
    'phrase: אין מה לעשות, count: 2'
    """
    if not value:
        return []
    rest = dict(value)
    parts: list[Part] = []
    if "amount" in rest and _is_number(rest["amount"]):
        cur = rest.pop("currency", None) or currency
        parts.append(Part(money(Decimal(str(rest.pop("amount"))), cur, signed=signed), True))
    if "percent" in rest and _is_number(rest["percent"]):
        pct = Part(percent(Decimal(str(rest.pop("percent"))), signed=signed), True)
        parts += [Part(" ("), pct, Part(")")] if parts else [pct]
    if "value" in rest:
        fact, unit = rest.pop("fact", None), rest.pop("unit", None)
        val = rest.pop("value")
        parts += [Part(" ")] if parts else []
        parts += [Part(f"{fact} ")] if fact else []
        parts.append(Part(number(val), _is_number(val)))
        parts += [Part(f" {unit}")] if unit else []
    for key, val in rest.items():
        parts.append(Part(", " if parts else ""))
        parts += [Part(f"{key}: "), Part(_plain(val), _is_number(val))]
    return [p for p in parts if p.text]


def text(parts) -> str:
    return "".join(p.text for p in parts)


def currency_of(finding: Finding) -> str | None:
    """The currency a finding's difference is in: the expected's, else the observed's."""
    for side in (finding.expected, finding.observed):
        if side and side.get("currency"):
            return side["currency"]
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
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return number(value)
