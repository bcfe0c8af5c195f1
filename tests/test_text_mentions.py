"""ProductMatcher: names and aliases with Hebrew prefixes, finals, boundaries, longest match."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consistency.model import Product
from consistency.text.mentions import ProductMatcher

PRODUCTS = [
    Product("fiber-500", "סיב 500 מגה", (), ("fiber 500", "סיבים 500", "אינטרנט 500")),
    Product("fiber-1000", "סיב 1000 מגה", (), ("fiber 1000", "סיבים 1000", "גיגה")),
    Product("fiber", "סיבים", (), ("fiber",)),
    Product("router-install", "התקנת נתב", (), ("router installation",)),
    Product("tv-basic", "חבילת טלוויזיה", (), ("tv",)),
]


@dataclass(frozen=True)
class MentionRow:
    id: str
    text: str
    found: tuple[tuple[str, str], ...]  # (product id, raw)


ROWS = [
    MentionRow("name", "סיב 500 מגה ב-99 ₪", (("fiber-500", "סיב 500 מגה"),)),
    MentionRow("alias-hebrew", "סיבים 500 עולה 99", (("fiber-500", "סיבים 500"),)),
    MentionRow("two-prefixes", "ובסיבים 500 יש", (("fiber-500", "סיבים 500"),)),
    MentionRow("prefix-hyphen", "ה-fiber 500 שלנו", (("fiber-500", "fiber 500"),)),
    MentionRow("english-case", "The FIBER 500 plan", (("fiber-500", "FIBER 500"),)),
    MentionRow("longest-wins", "fiber 1000 is fast", (("fiber-1000", "fiber 1000"),)),
    MentionRow("shorter-alone", "fiber is fast", (("fiber", "fiber"),)),
    MentionRow("final-letter-folded", "סיבימ 500", (("fiber-500", "סיבימ 500"),)),
    MentionRow("niqqud", "סִיבִים 500", (("fiber-500", "סִיבִים 500"),)),
    MentionRow("bidi-and-nbsp", "\u200fסיבים\u00a0500", (("fiber-500", "סיבים\u00a0500"),)),
    MentionRow("extra-spaces", "סיבים   500", (("fiber-500", "סיבים   500"),)),
    MentionRow(
        "two-products",
        "התקנת נתב וחבילת טלוויזיה",
        (("router-install", "התקנת נתב"), ("tv-basic", "חבילת טלוויזיה")),
    ),
    MentionRow("word-boundary-latin", "fiberglass and tvs", ()),
    MentionRow("word-boundary-number", "סיבים 5000", (("fiber", "סיבים"),)),
    MentionRow("not-a-prefix-letter", "אסיבים 500", ()),
    MentionRow("nothing", "שלום, במה אפשר לעזור?", ()),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_find(row: MentionRow) -> None:
    mentions = ProductMatcher(PRODUCTS).find(row.text)
    assert [(m.id, m.raw) for m in mentions] == list(row.found)
    for mention in mentions:
        assert row.text[mention.start : mention.end] == mention.raw


def test_empty_matcher_finds_nothing() -> None:
    assert ProductMatcher([]).find("סיבים 500") == []


def test_thousands_of_aliases() -> None:
    products = [
        Product(f"p{i}", f"מוצר {i}", (), (f"alias {i}", f"כינוי {i}")) for i in range(3000)
    ]
    matcher = ProductMatcher(products)
    found = matcher.find("רציתי את מוצר 2999 ואת alias 17, לא מוצר 30000")
    assert [(m.id, m.raw) for m in found] == [("p2999", "מוצר 2999"), ("p17", "alias 17")]
