"""English number words for the accumulator in :mod:`consistency.text.numbers`.

>>> parse_number("a hundred and forty-nine")
Decimal('149')
>>> parse_number("one thousand, two hundred and ninety-nine")
Decimal('1299')
>>> parse_numbers("ninety-nine ninety".split())
[Decimal('99'), Decimal('90')]
"""

from __future__ import annotations

import re
from decimal import Decimal

from consistency.text.numbers import ADD, HALF, HUNDREDS, SCALE, fold, parse_one

_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

WORDS: dict[str, tuple[int, str]] = {word: (value, ADD) for value, word in enumerate(_SMALL)}
WORDS.update({word: (20 + 10 * index, ADD) for index, word in enumerate(_TENS)})
WORDS.update(
    {
        "hundred": (100, HUNDREDS),
        "thousand": (1000, SCALE),
        "million": (1_000_000, SCALE),
        "half": (0, HALF),
    }
)
# Words that join parts of one number: "a hundred and five", "one thousand, two hundred".
JOINERS = frozenset({"and", ","})
# "a" counts as one only before a scale word: "a hundred", "a thousand".
ARTICLE = "a"
_TOKEN = re.compile(
    r"""
    [a-z]+       # a word
    | ,          # a comma may join parts of one number
    """,
    re.VERBOSE,
)


def parse_numbers(words: list[str]) -> list[Decimal]:
    """Every number in a list of English words (hyphens split), in order."""
    parts = [part for word in words for part in _TOKEN.findall(word.lower())]
    return fold(_values(parts))


def _values(parts: list[str]):
    """``(value, role)`` of each number word; joiners and a leading "a" are skipped."""
    for index, part in enumerate(parts):
        if part in JOINERS:
            continue
        if part == ARTICLE:
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if WORDS.get(following, (0, ADD))[1] not in (HUNDREDS, SCALE):
                raise ValueError(f"not an English number word: {part!r}")
            continue
        if part not in WORDS:
            raise ValueError(f"not an English number word: {part!r}")
        yield WORDS[part]


def parse_number(text: str) -> Decimal | None:
    """The single number that ``text`` spells, or None when it is not exactly one."""
    return parse_one(parse_numbers, text)
