"""Product mentions in free text: names and aliases from the price list.

Matching runs on normalized, final-folded text, so "סיבים" matches "סיבימ" and bidi
marks or niqqud do not matter. Up to two Hebrew prefix letters may stand before a
name ("ובסיבים 500"); word boundaries are respected; the longest name wins. All names
are one compiled alternation, so the cost per text does not grow with a loop over them.

>>> from consistency.model import Product
>>> m = ProductMatcher([Product("fiber-500", "סיב 500 מגה", (), ("סיבים 500", "fiber 500"))])
>>> m.find("ובסיבים 500 זה 99 ש״ח, Fiber 500 too")
[Mention(id='fiber-500', start=2, end=11, raw='סיבים 500'), Mention(id='fiber-500', start=23, end=32, raw='Fiber 500')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from consistency.model import Product
from consistency.text.normalize import fold_finals, normalize, normalize_map

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A product named in a text, with its span in the original text."""

    id: str
    start: int
    end: int
    raw: str


def name_key(name: str) -> str:
    """The matching form of a name: normalized, finals folded, spaces collapsed.

    >>> name_key("  Fiber\\u00a0500 ")
    'fiber 500'
    """
    return _SPACES.sub(" ", fold_finals(normalize(name))).strip()


class ProductMatcher:
    """Finds the products of a price list by name or alias in free text."""

    def __init__(self, products: Iterable[Product]) -> None:
        self.ids: dict[str, str] = {}
        for product in products:
            for name in (product.name, *product.aliases):
                key = name_key(name)
                if key:
                    self.ids.setdefault(key, product.id)
        self.pattern = _compile(self.ids) if self.ids else None

    def find(self, text: str) -> list[Mention]:
        """Every product mention in ``text``, left to right, longest name first."""
        if self.pattern is None:
            return []
        mapped = normalize_map(text)
        mentions = []
        for match in self.pattern.finditer(fold_finals(mapped.text)):
            start, end = mapped.span(*match.span("name"))
            key = _SPACES.sub(" ", match.group("name"))
            mentions.append(Mention(self.ids[key], start, end, text[start:end]))
        return mentions


def _compile(keys: Iterable[str]) -> re.Pattern[str]:
    names = sorted(keys, key=len, reverse=True)
    alternation = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(
        rf"""
        (?<![\w])                 # a word starts here
        (?:[ובלמשהכ]{{1,2}}-?)?   # up to two Hebrew prefix letters, maybe a hyphen
        (?P<name>{alternation})   # a product name or alias, longest first
        (?![\w])                  # and the word ends with it
        """,
        re.VERBOSE,
    )
