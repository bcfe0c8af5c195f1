"""What the pricing checks share: a quote in consumer terms, differences, evidence.

Money is written by :func:`consistency.text.display.money_text`, the one money formatter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..model import HUNDRED, Evidence, Location, Observation
from ..text.display import percent_text
from ..values import Difference, MoneyValue, as_difference

PERCENT_STEP = Decimal("0.1")
_EPOCH = datetime(2000, 1, 1)


def consumer_quote(obs: Observation, book) -> Decimal | None:
    """The quote as a consumer pays it: VAT-inclusive, in the list's currency.

    A quote in another currency is converted by the price list's ``exchange_rates``
    in effect at its time; None when there is no amount or no such rate (it is then
    not comparable, and price-mismatch reports it with cause ``other-currency``).
    """
    if obs.amount is None:
        return None
    amount = obs.amount
    currency = obs.currency or book.currency
    if currency != book.currency:
        amount = book.convert(amount, currency, obs.at)
        if amount is None:
            return None
    return amount if obs.vat_included else book.with_vat(amount, obs.at)


def promotion_of(quote: Decimal, obs: Observation, book) -> str | None:
    """The id of a promotion allowed on ``obs``'s channel at its time whose price ``quote``
    (a consumer quote) is exactly; None when it is no such price. Grouped checks leave
    these quotes out of their gaps: that difference is intended."""
    return promotion_at(book, obs.product, obs.channel, obs.at, quote)


def promotion_at(book, product: str, channel: str, at: datetime, quote: Decimal) -> str | None:
    """:func:`promotion_of` for a quote known by its product, channel and time."""
    for offer in book.offers(product, channel, at):
        if offer.promotion and offer.amount == quote:
            return offer.promotion
    return None


def money(amount: Decimal, currency: str | None, **about) -> MoneyValue:
    """An amount as a finding's expected or observed value; ``about``: channel, ref, ...
    (see :class:`~consistency.values.MoneyValue`)."""
    return MoneyValue(amount, currency, **about)


def difference(observed: Decimal, expected: Decimal) -> Difference:
    """Observed minus expected, in money and in percent of the expected, exact.

    Thresholds grade on these exact values; the engine rounds the percent to 0.1
    (half up) for display only, when it makes the Finding (see :func:`display`).

    >>> difference(Decimal("89.91"), Decimal("99.90")).amount
    Decimal('-9.99')
    >>> display(difference(Decimal("9.90"), Decimal("19.90"))).percent
    Decimal('-50.3')
    """
    gap = observed - expected
    percent = gap * HUNDRED / expected if expected else None
    return Difference(gap, percent)


def display(diff: Difference | None) -> Difference | None:
    """A difference as reports show it: the percent rounded to 0.1, half up.

    A mapping of ``amount`` and ``percent`` (a problem built by hand) is read as a
    :class:`~consistency.values.Difference` first.

    >>> display(Difference(Decimal("2.04"), Decimal("2.0408163")))
    Difference(amount=Decimal('2.04'), percent=Decimal('2.0'))
    """
    diff = as_difference(diff)
    if not isinstance(diff, Difference) or diff.percent is None:
        return diff
    return replace(diff, percent=diff.percent.quantize(PERCENT_STEP, ROUND_HALF_UP))


def percent_note(diff: Difference) -> str:
    """`` (-10.0%)``: the difference's percent as finding messages add it, else nothing."""
    if diff.percent is None:
        return ""
    return f" ({percent_text(diff.percent, signed=True)})"


def evidence(obs: Observation, where: Location | None = None) -> Evidence:
    excerpt = obs.text[:500] if obs.text else None
    return Evidence(ref=obs.ref, source=str(obs.source), excerpt=excerpt, where=where)


def product_name(book, product_id: str | None) -> str:
    product = book.product(product_id) if product_id else None
    return product.name if product else (product_id or "?")


@lru_cache(maxsize=4096)
def bucket(at: datetime, window: timedelta, tz: ZoneInfo) -> int:
    """The index of the window ``at`` falls in, counted in local wall time (P1D = a local day).

    Cached: every grouped check asks it of the same observation.
    """
    local = at.astimezone(tz).replace(tzinfo=None)
    return int((local - _EPOCH) // window)


def bucket_label(index: int, window: timedelta) -> str:
    start = _EPOCH + index * window
    if window % timedelta(days=1) == timedelta(0):
        return start.date().isoformat()
    return start.isoformat(timespec="minutes")
