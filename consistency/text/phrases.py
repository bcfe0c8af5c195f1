"""Forbidden phrases and prices named for products in free text: pure functions on str.

``phrase_pattern`` compiles a phrase for normalized, final-folded text (Hebrew prefix
letters allowed); ``find_phrase`` finds it in an original text; ``priced_mentions``
pairs each money fact with the product it prices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Fact
from .mentions import Mention, ProductMatcher, name_key
from .normalize import fold_finals, normalize_map

PRICE_BEFORE_GAP = 60  # a product named up to this many characters before its price
PRICE_AFTER_GAP = 25  # or a price right before the product's name

_BOUNDARY = re.compile(
    r"""
    [.!?;:](?=\s|$)   # a full stop, question or exclamation mark that ends a sentence
  | \n                # a new line (several chat messages are joined by one)
    """,
    re.VERBOSE,
)


def priced_mentions(text: str, matcher: ProductMatcher) -> Iterator[tuple[Mention, Fact]]:
    """(product mention, money fact) pairs: a price stated for a product in free text.

    A money fact belongs to the nearest product named before it in the same sentence
    (within 60 characters), else to one named right after it (within 25 characters,
    no comma between). Money inside a product's name ("סיב 500") is never a price, nor
    is an old price beside the quote (``role`` ``was``); a lower bound (``from``) is.

    >>> from consistency.model import Product
    >>> m = ProductMatcher([Product("fiber-500", "סיב 500", ())])
    >>> [(p.id, str(f.value)) for p, f in priced_mentions("סיב 500 עולה ₪99.90 לחודש", m)]
    [('fiber-500', '99.90')]
    """
    mentions = matcher.find(text)
    if not mentions:
        return
    from .facts import facts_in  # its patterns load only where a reply names a product

    for fact in facts_in(text):
        if fact.kind != "money" or fact.role == "was":
            continue  # an old price beside the quote ("במקום 120 ₪") is not what was quoted
        if any(_overlaps(fact, m) for m in mentions):
            continue
        mention = _owner(text, fact, mentions)
        if mention is not None:
            yield mention, fact


def _overlaps(fact: Fact, mention: Mention) -> bool:
    return fact.start < mention.end and mention.start < fact.end


def _owner(text: str, fact: Fact, mentions: list[Mention]) -> Mention | None:
    before = [m for m in mentions if m.end <= fact.start]
    if before:
        last = before[-1]
        gap = text[last.end : fact.start]
        if len(gap) <= PRICE_BEFORE_GAP and not _BOUNDARY.search(gap):
            return last
    after = [m for m in mentions if m.start >= fact.end]
    if after:
        first = after[0]
        gap = text[fact.end : first.start]
        if len(gap) <= PRICE_AFTER_GAP and not _BOUNDARY.search(gap) and "," not in gap:
            return first
    return None


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A forbidden phrase as a pattern on normalized, final-folded text.

    >>> bool(phrase_pattern("אין מה לעשות").search(fold_finals("ממש ואין  מה לעשות.")))
    True
    >>> bool(phrase_pattern("לא באחריותנו").search(fold_finals("לא באחריותנוית")))
    False
    """
    words = re.escape(name_key(phrase)).replace(r"\ ", r"\s+")
    return re.compile(
        rf"""
        (?<![\w])                 # a word starts here
        (?:[ובלמשהכ]{{1,2}}-?)?   # up to two Hebrew prefix letters, maybe a hyphen
        {words}                   # the phrase, any run of spaces between its words
        (?![\w])                  # and a word ends with it
        """,
        re.VERBOSE,
    )


def find_phrase(text: str, phrase) -> tuple[int, int] | None:
    """The span of ``phrase`` (anything with a compiled ``pattern``) in ``text``, or None."""
    mapped = normalize_map(text)
    match = phrase.pattern.search(fold_finals(mapped.text))
    return mapped.span(*match.span()) if match else None
