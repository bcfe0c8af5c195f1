"""What a page offers: one price found on it, read from structured data or from shown text.

:class:`Offer` is one price with what identifies its product and where it was
found. Amounts and currencies go through the text readers (``text.money``), so
``₪1,299.00``, ``99,90`` and ``NIS`` read the same as in every other channel.
Struck-out amounts (``del``, ``line-through``, a regular/was/old/compare class) and
screen-reader-only text are the old price or not shown, so they are left out of
the text a shopper sees.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ...text.money import currency_code, parse_amount
from ...text.prices import read_price

GTIN_KEYS = ("gtin", "gtin13", "gtin14", "gtin12", "gtin8")
STRUCK_TAGS = frozenset({"del", "s", "strike"})
STRUCK_WORDS = frozenset(
    {"regular", "was", "old", "compare", "original", "strikethrough", "rrp", "msrp"}
)
HIDDEN_CLASSES = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "visuallyhidden"})
CLASS_WORD = re.compile(
    r"""
    [A-Z]?[a-z]+     # a word, or a camelCase part (oldPrice -> old, Price)
    | [A-Z]+(?![a-z])  # an acronym
    """,
    re.VERBOSE,
)
NUMBER = re.compile(
    r"""
    (?P<pre> [^\d\s]{1,4} \s? )?              # an optional currency word or sign before
    (?P<num> \d (?: [\d,.\u00a0\u202f' ]* \d )? )  # digits with separators
    (?P<post> \s? [^\d\s]{1,4} )?             # an optional currency word or sign after
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Offer:
    """One price found on a page, with what identifies its product and where it was."""

    amount: Decimal
    currency: str | None
    path: str
    sku: str | None = None
    gtin: str | None = None
    name: str | None = None
    visible: Decimal | None = None  # the element's text, when it differs from its content

    def listing(self) -> dict:
        """The offer as ``meta["ambiguous"]`` lists it (JSON-safe)."""
        found = {"amount": str(self.amount), "currency": self.currency, "path": self.path}
        ids = {"sku": self.sku, "gtin": self.gtin, "name": self.name}
        return found | {key: value for key, value in ids.items() if value is not None}


# -- struck-out prices ----------------------------------------------------------------


def without_struck(doc):
    """A copy of the page without struck-out and screen-reader-only elements (tails kept)."""
    clean = copy.deepcopy(doc)
    for el in [el for el in clean.iter() if _is_struck(el) or _is_hidden(el)]:
        if el.getparent() is not None:
            el.drop_tree()
    return clean


def shown_text(el) -> str:
    """An element's text without its struck-out and screen-reader-only parts, whitespace
    collapsed; all of its text when nothing else is left.

    >>> import lxml.html
    >>> shown_text(lxml.html.fragment_fromstring("<span><del>₪120</del> ₪99.90</span>"))
    '₪99.90'
    """
    whole = " ".join(el.text_content().split())
    struck = [d for d in el.iterdescendants() if _is_struck(d) or _is_hidden(d)]
    if not struck:
        return whole
    copy_of = copy.deepcopy(el)
    for child in [d for d in copy_of.iterdescendants() if _is_struck(d) or _is_hidden(d)]:
        if child.getparent() is not None:
            child.drop_tree()
    return " ".join(copy_of.text_content().split()) or whole


def _is_struck(el) -> bool:
    """``del``/``s``/``strike``, a line-through style, or a regular/was/old/compare class.

    >>> import lxml.html
    >>> el = lxml.html.fragment_fromstring('<span class="price--compare-at">1</span>')
    >>> _is_struck(el), _is_struck(lxml.html.fragment_fromstring('<b class="bold">1</b>'))
    (True, False)
    """
    if not isinstance(el.tag, str):
        return False
    if el.tag.lower() in STRUCK_TAGS:
        return True
    if "line-through" in (el.get("style") or "").replace(" ", "").lower():
        return True
    labels = f"{el.get('class') or ''} {el.get('data-price-type') or ''}"
    return any(word.lower() in STRUCK_WORDS for word in CLASS_WORD.findall(labels))


def _is_hidden(el) -> bool:
    classes = (el.get("class") or "").lower().split() if isinstance(el.tag, str) else ()
    return any(name in HIDDEN_CLASSES for name in classes)


def to_amount(value) -> tuple[Decimal, str | None] | None:
    """A price as written in structured data: a number, or a string such as "99,90".

    >>> to_amount("99,90"), to_amount(129)
    ((Decimal('99.90'), None), (Decimal('129'), None))
    >>> to_amount("₪1,299.00")
    (Decimal('1299.00'), 'ILS')
    >>> to_amount(True) is None, to_amount("call us") is None
    (True, True)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)), None
    if isinstance(value, Mapping):
        return to_amount(value.get("@value"))
    money = parse_amount(str(value), "")
    if money is None:
        return None
    return money.amount, money.currency or None


def currency_of(value) -> str | None:
    """A structured-data currency (``priceCurrency``, ``product:price:currency``) as an ISO
    4217 code, through the one currency table the text readers use: ``NIS`` and ``₪``
    are ILS. An unknown three-letter code is kept, upper-cased; anything else is None.

    >>> currency_of("NIS"), currency_of(" ils "), currency_of("₪"), currency_of("XTS")
    ('ILS', 'ILS', 'ILS', 'XTS')
    >>> currency_of(""), currency_of(None), currency_of("shekels please")
    (None, None, None)
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return currency_code(text) or (text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None)


def amount_in(text: str) -> tuple[Decimal, str | None] | None:
    """The amount a piece of visible text quotes: the text reader's quote
    (:func:`~consistency.text.prices.read_price`, which skips an old price written as
    text, ``במקום 399 ₪ רק 349 ₪``), else the first number that reads as an amount.

    >>> amount_in("מחיר: ₪99.90 לחודש")
    (Decimal('99.90'), 'ILS')
    >>> amount_in("Was ₪399, now ₪349"), amount_in("59.90 ₪/חודש")
    ((Decimal('349'), 'ILS'), (Decimal('59.90'), 'ILS'))
    >>> amount_in("no price here") is None
    True
    """
    quoted = read_price(text)
    if quoted is not None:
        return quoted.amount, quoted.currency or None
    whole = to_amount(text.strip())
    if whole is not None:
        return whole
    for match in NUMBER.finditer(text):
        pre, num, post = (match.group(g) or "" for g in ("pre", "num", "post"))
        for candidate in (pre + num + post, pre + num, num + post, num):
            found = to_amount(candidate.strip())
            if found is not None:
                return found
    return None
