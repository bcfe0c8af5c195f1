"""The price a short text quotes: a shop's price element, a cell, a line of a reply.

:func:`read_price` takes the first money fact of :func:`~consistency.text.facts.extract_facts`
that is no old price (``role`` ``was``), so ``"Was: $124.95 Now: $99.95"`` is $99.95 and
``"החל מ-79 ₪"`` is ₪79 (a lower bound is what the text quotes). A sale label
decides first: beside an amount after ``מחיר מבצע``, ``מבצע``, ``sale price``, ``our
price`` or ``now``, any other amount is the regular price, whatever its label
(``מחיר מחירון``, ``List price``, ``Price``); an amount after ``save`` or ``חסכו`` is a
saving, never the quote. A spelling that means
several currencies (``$``, ``kr``, ``¥``) means ``default_currency`` when it may.

>>> read_price("Běžná cena 9 800 Kč")
Money(amount=Decimal('9800'), currency='CZK')
>>> read_price("במקום 120 ₪ רק 99.90 ₪")
Money(amount=Decimal('99.90'), currency='ILS')
>>> read_price("מחיר מחירון: 399 ₪ מחיר מבצע: 349 ₪"), read_price("Save ₪50, now ₪349")
(Money(amount=Decimal('349'), currency='ILS'), Money(amount=Decimal('349'), currency='ILS'))
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
    money = [fact for fact in facts_in(text) if fact.kind == "money"]
    labeled = _labeled_quote(text, money)
    if labeled is not None:
        return Money(labeled.value, _currency(labeled, default_currency))
    for fact in money:
        if fact.role != "was":
            return Money(fact.value, _currency(fact, default_currency))
    if default_currency:
        return parse_amount(text, default_currency)
    return None


# The end of the words before a sale price, and before a saving (not a price at all).
_SALE_LABEL = re.compile(
    r"""
    (?: מחיר\s(?:מבצע|נוכחי|סופי|מיוחד|אחרי\sהנחה|לחברי\sמועדון) | אחרי\sהנחה | מבצע | עכשיו
      | (?:sale|special|offer|now)(?:\s(?:price|only))? | (?:our|your|current)\sprice
      | price\snow
      | (?:ab\s)?jetzt | nur | prix\s(?:promo|soldé) | promo
    ) \s*[:\-–]?\s*(?:[ובלמשהכ]{1,2}-?)?\Z
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SAVING_LABEL = re.compile(
    r"(?:חסכו|חסוך|חיסכון\sשל|חיסכון|הנחה\sשל|you\ssave|save|saving|spare)\s*[:\-–]?\s*\Z",
    re.IGNORECASE,
)


def _labeled_quote(text: str, money: list):
    """The amount a sale label introduces (``מחיר מבצע: 349 ₪``, ``Sale price ₪349``,
    ``now ₪349``) when the text also shows another amount: beside a sale price, the
    other amount is the regular one, whatever label it has (``מחיר מחירון``, ``List
    price``, ``Price``). A saving (``save ₪50``, ``חסכו 50 ₪``) is never the quote.
    None when no label decides.

    >>> text = "List price ₪399 Our price ₪349"
    >>> _labeled_quote(text, facts_in(text)).value
    Decimal('349')
    """
    if len(money) < 2:
        return None
    saving, sale, end = set(), [], 0
    for i, fact in enumerate(money):
        before = text[end : fact.start]
        end = fact.end
        if _SAVING_LABEL.search(before):
            saving.add(i)
        elif _SALE_LABEL.search(before):
            sale.append(fact)
    if sale:
        return sale[0]
    if saving:
        rest = [f for i, f in enumerate(money) if i not in saving and f.role != "was"]
        return rest[0] if rest else None
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
