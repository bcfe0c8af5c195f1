"""What the pricing checks share: a quote in consumer terms, money text, differences, evidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..model import HUNDRED, Evidence, Location, Observation

SYMBOLS = {"ILS": "₪", "USD": "$", "EUR": "€", "GBP": "£"}
PERCENT_STEP = Decimal("0.1")
_EPOCH = datetime(2000, 1, 1)


def consumer_quote(obs: Observation, book) -> Decimal | None:
    """The quote as a consumer pays it (VAT-inclusive), or None if it is not comparable."""
    if obs.amount is None or (obs.currency or book.currency) != book.currency:
        return None
    return obs.amount if obs.vat_included else book.with_vat(obs.amount, obs.at)


def money_text(amount: Decimal, currency: str) -> str:
    """``₪99.90``; a code where there is no symbol.

    >>> money_text(Decimal("99.9"), "ILS")
    '₪99.90'
    >>> money_text(Decimal("5"), "CHF")
    'CHF 5.00'
    """
    text = f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


def money(amount: Decimal, currency: str) -> dict:
    return {"amount": amount, "currency": currency}


def difference(observed: Decimal, expected: Decimal) -> dict:
    """Observed minus expected, in money and in percent of the expected (to 0.1, half up).

    >>> difference(Decimal("89.91"), Decimal("99.90"))
    {'amount': Decimal('-9.99'), 'percent': Decimal('-10.0')}
    >>> difference(Decimal("9.90"), Decimal("19.90"))["percent"]
    Decimal('-50.3')
    """
    gap = observed - expected
    percent = (gap * HUNDRED / expected).quantize(PERCENT_STEP, ROUND_HALF_UP) if expected else None
    return {"amount": gap, "percent": percent}


def percent_text(diff: dict) -> str:
    percent = diff.get("percent")
    return "" if percent is None else f" ({percent:+.1f}%)"


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
