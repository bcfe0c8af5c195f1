"""Money in text: currency signs and words, digit amounts, and a quoted amount field.

:func:`parse_amount` reads one quoted amount (an observation's ``amount`` column); it
runs once per record, so every pattern here is compiled once at import.

>>> parse_amount('89.90 ש"ח')
Money(amount=Decimal('89.90'), currency='ILS')
>>> parse_amount("1.299,00 €")
Money(amount=Decimal('1299.00'), currency='EUR')
>>> parse_amount("90 אג'")
Money(amount=Decimal('0.90'), currency='ILS')
>>> parse_amount("89.90 או 99.90") is None
True
"""

from __future__ import annotations

import re
from decimal import Decimal

from consistency.model import Money
from consistency.text.normalize import normalize

AGORA = Decimal("0.01")

# Currency spellings after normalize() (Latin casefolded, gershayim as ").
# Longer spellings first, so the alternation prefers them.
CURRENCY_WORDS: dict[str, str] = {
    'ש"ח': "ILS",
    "ש'ח": "ILS",
    "שח": "ILS",
    "שקלים חדשים": "ILS",
    "שקל חדש": "ILS",
    "שקלים": "ILS",
    "שקל": "ILS",
    "₪": "ILS",
    "nis": "ILS",
    "ils": "ILS",
    "shekels": "ILS",
    "shekel": "ILS",
    "$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "דולרים": "USD",
    "דולר": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "יורו": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    'ליש"ט': "GBP",
}
# Spellings of the agora (1/100 shekel).
AGORA_WORDS = ("אגורות", "אגורה", "אג'", "אג", "agorot", "agora")

_ALTERNATION = "|".join(re.escape(w) for w in sorted(CURRENCY_WORDS, key=len, reverse=True))
_AGORA_ALTERNATION = "|".join(re.escape(w) for w in AGORA_WORDS)

NUMBER = r"""
    (?:\d{1,3}(?:,\d{3})+(?:\.\d+)?     # 1,299 or 1,299.00
     | \d{1,3}(?:\.\d{3})+,\d+           # 1.299,00 (European)
     | \d{1,3}(?:\.\d{3}){2,}            # 1.299.000
     | \d+(?:[.,]\d+)?                   # 89.90, 19,99, 89
     | [.,]\d+                           # .90
    )"""

_FIELD = re.compile(
    rf"""
    \s*
    (?:(?P<pre>{_ALTERNATION})\s*)?          # currency before: ₪89.90, NIS 89.9
    (?P<num>{NUMBER})                        # the amount
    \s*
    (?:(?P<post>{_ALTERNATION})              # currency after: 89.90 ש"ח
     |(?P<agorot>{_AGORA_ALTERNATION}))?     # or agorot: 90 אג'
    \.?\s*                                   # a full stop after ש"ח. is harmless
    """,
    re.VERBOSE,
)


def to_decimal(digits: str) -> Decimal:
    """A digit string with thousands and decimal separators, as a Decimal.

    The last separator is the decimal point unless a comma is followed by exactly
    three digits ("1,299"); dots alone are decimal points unless there are several.

    >>> [to_decimal(s) for s in ("1,299", "19,99", "1.299,00", "1,299.50", "1.299.000")]
    [Decimal('1299'), Decimal('19.99'), Decimal('1299.00'), Decimal('1299.50'), Decimal('1299000')]
    """
    dot, comma = digits.rfind("."), digits.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_mark = "." if dot > comma else ","
    elif comma >= 0:
        decimal_mark = "," if digits.count(",") == 1 and len(digits) - comma - 1 != 3 else ""
    elif dot >= 0:
        decimal_mark = "." if digits.count(".") == 1 else ""
    else:
        return Decimal(digits)
    thousands = "," if decimal_mark == "." else "."
    cleaned = digits.replace(thousands, "")
    if decimal_mark == ",":
        cleaned = cleaned.replace(",", ".")
    elif decimal_mark == "":
        cleaned = cleaned.replace(",", "").replace(".", "")
    return Decimal(cleaned)


def currency_of(word: str) -> str | None:
    """The ISO code of a normalized currency spelling, or None.

    >>> currency_of("₪"), currency_of("nis"), currency_of("מטבע")
    ('ILS', 'ILS', None)
    """
    return CURRENCY_WORDS.get(word)


def parse_amount(s: str, default_currency: str = "ILS") -> Money | None:
    """One quoted amount such as ``₪89.90``, ``NIS 89.9`` or ``€19,99``; None otherwise.

    A bare number takes ``default_currency``. Two currencies ("$ 5 ₪") or anything
    beyond one amount gives None.

    >>> parse_amount("\\u200f₪\\u200e99.90")
    Money(amount=Decimal('99.90'), currency='ILS')
    >>> parse_amount("89.9", "USD")
    Money(amount=Decimal('89.9'), currency='USD')
    """
    match = _FIELD.fullmatch(normalize(s))
    if match is None:
        return None
    pre, post, agorot = match.group("pre", "post", "agorot")
    amount = to_decimal(match.group("num"))
    if agorot is not None:
        if pre is not None and CURRENCY_WORDS[pre] != "ILS":
            return None
        return Money(amount * AGORA, "ILS")
    if pre is not None and post is not None and CURRENCY_WORDS[pre] != CURRENCY_WORDS[post]:
        return None
    word = pre or post
    return Money(amount, CURRENCY_WORDS[word] if word else default_currency)
