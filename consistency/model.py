"""Frozen value types that flow one way: files -> model -> checks -> findings -> reports.

Every module speaks in these types. Money is ``Decimal``; every ``datetime`` is
timezone-aware; a time window is half-open ``[start, end)`` with ``None`` for
"open on that side".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@lru_cache(maxsize=256)
def minor_unit(currency: str | None) -> Decimal:
    """The step of ``currency``'s minor unit, from CLDR (Babel): 0.01 for ILS, 1 for JPY,
    0.001 for KWD; 0.01 without a currency (the one rule text.display.round_money uses).

    >>> minor_unit("ILS"), minor_unit("JPY"), minor_unit("KWD"), minor_unit(None)
    (Decimal('0.01'), Decimal('1'), Decimal('0.001'), Decimal('0.01'))
    """
    if not currency:
        return CENT
    return Decimal(1).scaleb(-get_currency_precision(currency))


def to_cents(amount: Decimal, currency: str | None = None) -> Decimal:
    """Round money half up to ``currency``'s minor unit (the agora without one), as a
    till would.

    >>> to_cents(Decimal("79.925")), to_cents(Decimal("799.2"), "JPY")
    (Decimal('79.93'), Decimal('799'))
    >>> to_cents(Decimal("1.0005"), "KWD")
    Decimal('1.001')
    """
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a file, and a 1-based line and column when known."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Threshold:
    """An allowed gap: ``{amount: 0.01}``, ``{percent: 0.5}`` or both (either one suffices)."""

    amount: Decimal | None = None
    percent: Decimal | None = None

    def within(self, gap: Decimal, base: Decimal) -> bool:
        """True when ``|gap|`` is inside this threshold, relative to ``base`` for percent.

        >>> Threshold(amount=Decimal("0.01")).within(Decimal("-0.01"), Decimal(100))
        True
        >>> Threshold(percent=Decimal(5)).within(Decimal("6"), Decimal(100))
        False
        """
        gap = abs(gap)
        if self.amount is not None and gap <= self.amount:
            return True
        if self.percent is not None and base:
            return gap * HUNDRED / abs(base) <= self.percent
        return False


@dataclass(frozen=True, slots=True)
class Discount:
    """A promotion's effect: a percent off, an amount off, or a fixed price."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    price: Decimal | None = None

    def apply(self, base: Decimal, currency: str | None = None) -> Decimal:
        """The promoted price, rounded to ``currency``'s minor unit (:func:`to_cents`).

        >>> Discount(percent=Decimal(20)).apply(Decimal("99.90"))
        Decimal('79.92')
        >>> Discount(percent=Decimal(20)).apply(Decimal("999"), "JPY")
        Decimal('799')
        """
        if self.price is not None:
            return self.price
        if self.percent is not None:
            return to_cents(base * (HUNDRED - self.percent) / HUNDRED, currency)
        return to_cents(max(base - (self.amount or Decimal(0)), Decimal(0)), currency)


@dataclass(frozen=True, slots=True)
class PriceWindow:
    """One effective-dated list price, valid in ``[start, end)``."""

    amount: Decimal
    start: datetime | None = None
    end: datetime | None = None
    where: Location | None = None

    def covers(self, at: datetime) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    prices: tuple[PriceWindow, ...]
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    where: Location | None = None
    sku: str | None = None  # the shop's stock-keeping unit, matched against a page's offers
    gtin: str | None = None  # GTIN-8/12/13/14 (EAN, UPC), matched without leading zeros


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    discount: Discount
    products: tuple[str, ...] | None = None  # None means every product ("*")
    channels: tuple[str, ...] | None = None  # None means every channel
    start: datetime | None = None
    end: datetime | None = None
    where: Location | None = None

    def covers_product(self, product: str) -> bool:
        return self.products is None or product in self.products

    def covers_channel(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    def covers_time(self, at: datetime) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)


@dataclass(frozen=True, slots=True)
class VatRate:
    rate: Decimal
    start: datetime | None = None
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """One unit of ``currency`` is worth ``rate`` units of the list's currency from ``start``."""

    currency: str
    rate: Decimal
    start: datetime | None = None
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    """What one channel may do: its own discount authority and tolerance."""

    name: str
    max_discount: Threshold | None = None
    tolerance: Threshold | None = None
    consumer: bool = True  # consumer channels must quote VAT-inclusive prices


@dataclass(frozen=True, slots=True)
class PriceList:
    version: str
    currency: str
    vat_included: bool
    vat_rates: tuple[VatRate, ...]
    tolerance: Threshold
    products: Mapping[str, Product]
    promotions: tuple[Promotion, ...] = ()
    channels: Mapping[str, ChannelPolicy] = field(default_factory=dict)
    path: str = ""
    exchange_rates: Mapping[str, tuple[ExchangeRate, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Observation:
    """One thing a channel said: a structured quote and/or a free-text reply."""

    id: str
    channel: str
    at: datetime
    source: Location
    product: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    vat_included: bool = True
    promotion: str | None = None
    text: str | None = None
    answer: str | None = None
    customer: str | None = None
    agent: str | None = None
    ref: str | None = None
    name: str | None = None
    meta: Mapping | None = None  # source-specific detail: extraction method, evidence file ...


@dataclass(frozen=True, slots=True)
class Fact:
    """A typed value found in text, with its span ``[start, end)`` in the original text.

    ``kind`` is money, percent, duration or count; ``unit`` is the currency code for
    money, the unit (day, business_day, week, month, year, hour, minute) for a duration.
    For money, ``role`` says what the amount is: ``quote`` (the price stated), ``was``
    (an old price beside the quote: "במקום 120 ₪ רק 99.90 ₪") or ``from`` (a lower
    bound: "החל מ-79 ₪"); ``period`` is its billing period (month, year, week, day) when
    one follows ("99.90 ₪/חודש"). Both are None for other kinds.
    """

    kind: str
    value: Decimal
    start: int
    end: int
    raw: str
    unit: str | None = None
    role: str | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    ref: str | None = None
    source: str | None = None  # "file:line" of the observation, or the fetched URL
    excerpt: str | None = None
    span: tuple[int, int] | None = None  # span of the excerpt that matters
    where: Location | None = None  # the line of the price list / answers holding the expected value


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check yields. The engine stamps rule, severity and fingerprint to make a Finding.

    ``key`` names the kind of discrepancy for the fingerprint (for example the cause
    and the quoted amount); it must not contain file lines or run-dependent values.
    """

    message: str
    channel: str | None = None
    product: str | None = None
    answer: str | None = None
    at: datetime | None = None
    expected: object | None = None  # a consistency.values value (MoneyValue, FactValue, ...)
    observed: object | None = None
    difference: object | None = None  # a consistency.values.Difference, exact
    cause: str | None = None
    evidence: Evidence | None = None
    related: tuple[str, ...] = ()
    key: tuple = ()
    gap: object | None = None  # a Difference thresholds grade, when not the one shown
    # False for a finding about several channels (a gap between two of them): the channel
    # it names may change from run to run, and must not make it another finding.
    per_channel: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    fingerprint: str
    rule: str
    severity: str
    message: str
    channel: str | None = None
    product: str | None = None
    answer: str | None = None
    at: datetime | None = None
    # A consistency.values value (MoneyValue, FactValue, ...); typed as object because the
    # model sits below values (tests/test_layers.py). A result file's value of no known
    # shape is read back as a Mapping (values.value_from_json): reporters keep a by-key branch.
    expected: object | None = None
    observed: object | None = None
    difference: object | None = None  # a consistency.values.Difference, percent to 0.1
    cause: str | None = None
    evidence: Evidence | None = None
    related: tuple[str, ...] = ()
    status: str | None = None  # new | recurring | baselined, with a history or baseline


@dataclass(frozen=True, slots=True)
class Rule:
    """One configured rule from a rule set."""

    id: str
    check: str
    severity: str = "error"
    warn: Threshold | None = None
    error: Threshold | None = None
    window: timedelta | None = None
    channels: tuple[str, ...] | None = None
    options: Mapping = field(default_factory=dict)
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    """An observation that could not be read; becomes an ``invalid-record`` finding."""

    source: Location
    reason: str
    field: str | None = None
    channel: str | None = None
    excerpt: str | None = None
    product: str | None = None  # as written, when the record names one


@dataclass(frozen=True, slots=True)
class SourceFailure:
    """A source that could not be read or fetched; becomes a ``channel-unreachable`` finding."""

    channel: str
    source: str  # URL, host or file pattern
    reason: str
