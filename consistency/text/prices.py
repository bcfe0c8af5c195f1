"""The price a short text quotes: a shop's price element, a cell, a line of a reply.

:func:`read_price` takes the first money fact of :func:`~consistency.text.facts.extract_facts`
that is no old price (``role`` ``was``), so ``"Was: $124.95 Now: $99.95"`` is $99.95 and
``"החל מ-79 ₪"`` is ₪79 (a lower bound is what the text quotes). A spelling that means
several currencies (``$``, ``kr``, ``¥``) means ``default_currency`` when it may.

>>> read_price("Běžná cena 9 800 Kč")
Money(amount=Decimal('9800'), currency='CZK')
>>> read_price("במקום 120 ₪ רק 99.90 ₪")
Money(amount=Decimal('99.90'), currency='ILS')
>>> read_price("Pris från 172 kr", "NOK"), read_price("ninety-nine")
(Money(amount=Decimal('172'), currency='NOK'), None)
"""

from __future__ import annotations

import re

from consistency.model import Money
from consistency.text.facts import facts_in
from consistency.text.money import NUMBER, currency_code, parse_amount

_DIGITS = re.compile(NUMBER, re.VERBOSE)


def read_price(text: str, default_currency: str | None = None) -> Money | None:
    """The amount and currency ``text`` quotes, or None when it states no money.

    A bare number is read only with ``default_currency`` (``parse_amount``).
    """
    for fact in facts_in(text):
        if fact.kind == "money" and fact.role != "was":
            return Money(fact.value, _currency(fact, default_currency))
    if default_currency:
        return parse_amount(text, default_currency)
    return None


def _currency(fact, default: str | None) -> str:
    """The fact's currency, or ``default`` when the spelling written may also mean it."""
    if not default or fact.unit == default:
        return fact.unit or default or ""
    spelling = _DIGITS.sub(" ", fact.raw).strip()
    code = currency_code(spelling, default)
    if code != default:
        return fact.unit or ""
    return code
