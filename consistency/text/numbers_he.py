"""Hebrew number words: masculine, feminine and construct forms, with attached prefixes.

No library parses Hebrew number words, so this is a lexicon (word -> value, role) for
the accumulator in :mod:`consistency.text.numbers`, and a parser over word lists.
Words are in normalized form (no niqqud; finals kept).

>>> parse_number("תשעים ותשעה")
Decimal('99')
>>> parse_number("שלושת אלפים ומאתיים")
Decimal('3200')
>>> parse_number("בתשעים")
Decimal('90')
>>> parse_number("מאה עשרים ושלושה אלף ארבע מאות חמישים ושש")
Decimal('123456')
"""

from __future__ import annotations

from decimal import Decimal

from consistency.text.numbers import ADD, HALF, HUNDREDS, PAIR, SCALE, TEN, fold, parse_one

PREFIXES = "ובלמשהכ"

_UNITS = {
    1: "אחד אחת",
    2: "שניים שנים שתיים שתים שני שתי",
    3: "שלושה שלוש שלושת שלשה שלש",
    4: "ארבעה ארבע ארבעת",
    5: "חמישה חמש חמשת חמשה",
    6: "שישה שש ששת ששה",
    7: "שבעה שבע שבעת",
    8: "שמונה שמונת",
    9: "תשעה תשע תשעת",
}
_TENS = {
    20: "עשרים",
    30: "שלושים שלשים",
    40: "ארבעים",
    50: "חמישים חמשים",
    60: "שישים ששים",
    70: "שבעים",
    80: "שמונים",
    90: "תשעים",
}

WORDS: dict[str, tuple[int, str]] = {"אפס": (0, ADD)}
for _value, _forms in (_UNITS | _TENS).items():
    WORDS.update(dict.fromkeys(_forms.split(), (_value, ADD)))
WORDS.update(
    {
        "עשר": (10, TEN),
        "עשרה": (10, TEN),
        "עשרת": (10, ADD),
        "מאה": (100, ADD),
        "מאת": (100, ADD),
        "מאתיים": (200, ADD),
        "מאות": (100, HUNDREDS),
        "אלף": (1000, SCALE),
        "אלפים": (1000, SCALE),
        "אלפי": (1000, SCALE),
        "אלפיים": (1000, PAIR),
        "מיליון": (1_000_000, SCALE),
        "מיליונים": (1_000_000, SCALE),
        "מליון": (1_000_000, SCALE),
        "חצי": (0, HALF),
    }
)
# "שנים" is both "two" (before עשר) and "years"; the caller decides (see facts).
AMBIGUOUS_TWO = "שנים"


def split_prefix(word: str, lexicon: dict) -> tuple[str, str] | None:
    """``(prefix, stem)`` when ``word`` is a lexicon word with up to two prefix letters.

    >>> split_prefix("ובתשעים", WORDS)
    ('וב', 'תשעים')
    >>> split_prefix("שלום", WORDS) is None
    True
    """
    word = word.lstrip("-")
    if word in lexicon:
        return "", word
    for cut in (1, 2):
        prefix, stem = word[:cut], word[cut:].lstrip("-")
        if len(prefix) == cut and all(c in PREFIXES for c in prefix) and stem in lexicon:
            return prefix, stem
    return None


def lookup(word: str) -> tuple[str, int, str] | None:
    """``(prefix, value, role)`` of a Hebrew number word, or None.

    >>> lookup("ושלוש")
    ('ו', 3, 'add')
    """
    split = split_prefix(word, WORDS)
    if split is None:
        return None
    prefix, stem = split
    return (prefix, *WORDS[stem])


def parse_numbers(words: list[str]) -> list[Decimal]:
    """Every number in a list of number words, in order (speech omits the ו).

    >>> parse_numbers("תשעים ותשע תשעים".split())
    [Decimal('99'), Decimal('90')]
    """
    return fold(_values(words))


def _values(words: list[str]):
    """``(value, role)`` of each number word, prefixes stripped."""
    for word in words:
        found = lookup(word)
        if found is None:
            raise ValueError(f"not a Hebrew number word: {word!r}")
        _prefix, value, role = found
        yield value, role


def parse_number(text: str) -> Decimal | None:
    """The single number that ``text`` spells, or None when it is not exactly one."""
    return parse_one(parse_numbers, text)
