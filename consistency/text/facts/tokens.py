"""Tokens of free text for fact reading: the word lists, the one tokenizing regex, the reader.

Part of :mod:`consistency.text.facts`. The text (already normalized) is cut into
:class:`Item` tokens by one verbose regex: numbers, the unit and marker words we
know, currency and percent signs; clock times, dates, phone numbers and ids are cut
out whole so their digits never count. :class:`Reader` holds the items of one text
and the facts found so far, for the readers in ``units``, ``amounts`` and ``roles``.

Speed (docs/text.md): one ``findall`` yields each token with the gap before it, so
no match object is made and offsets come from lengths; only known words become
tokens, and the regex skips other words a letter run at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from consistency.text import numbers_en, numbers_he
from consistency.text.money import (
    AGORA_WORDS,
    CURRENCY_WORDS,
    NUMBER,
    SYMBOLS,
    cased_right,
    needs_case,
    to_decimal,
    trie_pattern,
)
from consistency.text.normalize import Normalized

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
HALF_VALUE = Decimal("0.5")

# Text between two tokens that keeps them together: spaces and a hyphen.
_GLUE = re.compile(r"[\s\-–]*")

PERCENT_WORDS = frozenset({"אחוז", "אחוזים", "percent", "pct", "%"})
POINT_WORDS = frozenset({"נקודה", "פסיק", "point"})
RANGE_WORDS = frozenset({"עד", "ל", "to", "and", "until", "ו"})
# Prefixes the second number of a range may carry ("79-99", "79 ל-99", "79 ו-99"); a
# number after "ב-" ("סיב 500 ב-79.92 ₪": 500 is the product, 79.92 its price) is no range.
RANGE_PREFIXES = frozenset({"", "ל", "ו", "ול"})
_DURATIONS = {
    "day": "יום ימים יממה יממות ימי day days",
    "week": "שבוע שבועות week weeks wk wks",
    "month": "חודש חודשים month months mo mos mth",
    "year": "שנה שנים year years yr yrs",
    "hour": "שעה שעות hour hours hrs",
    "minute": "דקה דקות minute minutes mins",
}
DURATION_WORDS = {w: unit for unit, words in _DURATIONS.items() for w in words.split()}
DUAL_WORDS = {"יומיים": "day", "שבועיים": "week", "חודשיים": "month", "שנתיים": "year"}
DUAL_WORDS["שעתיים"] = "hour"
# Words that are a billing period by themselves: "₪99 monthly", "49 € mtl.".
PERIOD_WORDS = {
    **dict.fromkeys(("monthly", "mtl", "חודשי", "חודשית", "mensuel", "mensual"), "month"),
    **dict.fromkeys(("yearly", "annually", "annual", "שנתי", "שנתית", "jährlich"), "year"),
    **dict.fromkeys(("weekly", "שבועי"), "week"),
    **dict.fromkeys(("daily", "יומי"), "day"),
}
# Words between an amount and its period: "per month", "a year", "each week", "pro Monat".
PER_WORDS = frozenset({"per", "a", "an", "each", "pro", "par", "al", "na", "в"})
BUSINESS_WORDS = frozenset({"עסקים", "עבודה", "business", "working"})
# Nouns a number counts where a count is worth checking; the value is the unit reported.
COUNT_WORDS = {
    **dict.fromkeys(("נתב", "נתבים", "ראוטר", "ראוטרים", "router", "routers"), "router"),
    **dict.fromkeys(("מכשיר", "מכשירים", "device", "devices"), "device"),
    **dict.fromkeys(("קו", "קווים", "line", "lines"), "line"),
    **dict.fromkeys(("ממיר", "ממירים", "decoder", "decoders"), "decoder"),
    **dict.fromkeys(("משתמש", "משתמשים", "user", "users"), "user"),
    **dict.fromkeys(("תשלום", "תשלומים", "installment", "installments"), "installment"),
}
# Duration words that mean one unit when they stand alone: "תוך חודש", "שנה אחריות".
IMPLICIT_ONE = frozenset({"שבוע", "חודש", "שנה", "שעה"})
ENGLISH_LEAD = frozenset({"within", "for", "in", "after", "of"})
# Currency words that mean one unit by themselves: "שקל תשעים" is 1.90.
SINGULAR_CURRENCY = frozenset({"שקל", "shekel", "דולר", "dollar", "euro", "יורו"})


@dataclass(slots=True)
class Item:
    """A token that matters: a number, a unit word, or anything else (which separates)."""

    kind: str  # num, word (number word), cur, agora, pct, dur, dual, count, point, other
    start: int
    end: int
    stem: str = ""
    prefix: str = ""
    value: Decimal = ZERO
    unit: str | None = None
    spoken: bool = False  # a number spelled in words
    role: str = ""
    used: bool = False
    lead: int = -1  # where an attached prefix ("ל-99") starts, when there is one
    glue: bool = False  # only spaces or a hyphen between this item and the next


# The signs the tokenizer reads one character at a time; other spellings are words.
# Currency signs of one character that are no letter (₪, $, ₹, ¥, ₽ ...) and the percent
# sign: the tokenizer reads them one character at a time; other spellings are words.
SIGNS = "%" + "".join(sorted({w for w in CURRENCY_WORDS if len(w) == 1 and not w.isalnum()}))
_LEXICON: dict[str, tuple[str, str | None]] = {
    **{w: ("cur", code) for w, code in CURRENCY_WORDS.items() if w[0] not in SIGNS},
    **{w: ("agora", "ILS") for w in AGORA_WORDS},
    **{w: ("pct", None) for w in PERCENT_WORDS},
    **{w: ("point", None) for w in POINT_WORDS},
    **{w: ("dur", unit) for w, unit in DURATION_WORDS.items()},
    **{w: ("dual", unit) for w, unit in DUAL_WORDS.items()},
    **{w: ("count", unit) for w, unit in COUNT_WORDS.items()},
    **{w: ("period", unit) for w, unit in PERIOD_WORDS.items()},
}


# Words that may mark an old price or a lower bound ("במקום", "was", "החל מ-", "from");
# a text without one has none, so the text before each amount is read only when one is.
MARKER_WORDS = frozenset(
    [
        "במקום",
        "מחיר קודם",
        "מחיר רגיל",
        "מחיר מחירון",
        "מבצע",
        "sale",
        "our",
        "special",
        "מחיר מקורי",
        "מחיר התחלתי",
        "היה",
        "החל",
        "מתחיל",
        "was",
        "were",
        "instead",
        "regular",
        "regularly",
        "reg",
        "orig",
        "originally",
        "previously",
        "old",
        "compare",
        "rrp",
        "msrp",
        "statt",
        "uvp",
        "bisher",
        "lieu",
        "antes",
        "zamiast",
        "вместо",
        "start",
        "starting",
        "starts",
        "from",
        "low",
        "ab",
        "dès",
        "partir",
        "partire",
        "vanaf",
        "od",
        "от",
        "desde",
    ]
)
# Flags of a tokenized text: a marker word; two numbers one space apart. CASED marks a
# word that counts only cased as written (needs_case).
MARKED, SPACED, CASED = 1, 2, 4
# Words that matter besides units: range words, articles, lead-ins, business days.
OTHER_WORDS = frozenset(
    {"עד", "כל", "עסקים", "עבודה", "to", "and", "until", "a", "an", "one", "per", "בין", "between"}
    | BUSINESS_WORDS
    | ENGLISH_LEAD
    | (MARKER_WORDS - CURRENCY_WORDS.keys())
    | PER_WORDS
)
_VOCABULARY = {*numbers_he.WORDS, *numbers_en.WORDS, *_LEXICON, *OTHER_WORDS} - set(SIGNS)


def _word_kind(word: str) -> tuple[str, Decimal, str, str | None, int]:
    """``(kind, value, role, unit, special)`` of a known word; a number word wins over a unit.

    A currency name (not a code or sign) has the role ``name``: it follows an amount
    ("5 zlotys") but does not lead one.
    """
    number = numbers_he.WORDS.get(word) or numbers_en.WORDS.get(word)
    if number is not None:
        return "word", Decimal(number[0]), number[1], None, 0
    kind, unit = _LEXICON.get(word, ("other", None))
    role = "name" if kind == "cur" and word not in SYMBOLS else ""
    special = 0
    if kind == "other" and word in MARKER_WORDS:
        role, special = "mark", MARKED
    elif kind == "cur" and needs_case(word):
        special = CASED
    return kind, ZERO, role, unit, special


# Looked up once per word token instead of three dictionaries and a Decimal each time.
_WORD_KINDS = {word: _word_kind(word) for word in _VOCABULARY}
_OTHER = ("other", ZERO, "", None, 0)
_SIGNS = {sign: CURRENCY_WORDS.get(sign) for sign in SIGNS}
# Latin spellings that count only cased as written: "ALL 5", "Ft 5" (needs_case).
_CASED = frozenset(w for w in _VOCABULARY if _LEXICON.get(w, ("",))[0] == "cur" and needs_case(w))
# Digit strings repeat (prices, percents), and Decimal parsing is not free.
cached_decimal = lru_cache(maxsize=4096)(to_decimal)


_alternation = trie_pattern

# Currency spellings in other scripts and signs: руб., zł's kin, ₹, 円, 원, ر.س.
_OTHER_SPELLINGS = {
    w
    for w in _VOCABULARY
    if w[0].isalpha() and not ("a" <= w[0] <= "z" or "\u05d0" <= w[0] <= "\u05ea")
}
# Their first characters that are no letters (₹, ¥, ₽): a letter of another script is
# matched as "a letter that is neither Latin nor Hebrew", a far cheaper test.
_SIGN_CLASS = re.escape(SIGNS)
# Characters after which a currency word may touch a letter: Kana, CJK and Hangul
# ("1,980円で"); elsewhere a word must end at a word boundary.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# Currency spellings that may touch the digits: "USD1.23", "RM50", "R1290" before them,
# "2963yen", "469.00zł", "100р." after them. Elsewhere letters and digits in one word
# are an id or a unit ("a123", "5g") and no fact.
_CURRENCY_SPELLINGS = {w for w in _VOCABULARY if _LEXICON.get(w, ("",))[0] == "cur"}
_GLUED_BEFORE = {w for w in _CURRENCY_SPELLINGS if w.isascii() and w.isalpha() and len(w) <= 3}
_GLUED_AFTER = {
    w
    for w in _CURRENCY_SPELLINGS
    if (w.isascii() and w.isalpha() and 2 <= len(w) <= 3) or w in _OTHER_SPELLINGS or w == "zł"
}
_NOT_GLUED_BEFORE = "".join(
    rf"(?<!\b(?:{'|'.join(sorted(w for w in _GLUED_BEFORE if len(w) == n))}))" for n in (2, 3)
) + (  # one letter ("R1290", "R8,499") only before thousands: "Q3" is a quarter
    rf"(?!(?<=\b[{''.join(sorted(w for w in _GLUED_BEFORE if len(w) == 1))}])(?:\d{{3}}|\d{{1,3}}[,.]\d{{3}}))"
)


@cache
def _words() -> dict[str, str]:
    """The alternations of the known words and currency spellings (tries), built on first
    use: a twentieth of a second that a run which reads no text never needs."""
    return {
        "_HEBREW_WORDS": _alternation({w for w in _VOCABULARY if "\u05d0" <= w[0] <= "\u05ea"}),
        "_ENGLISH_WORDS": _alternation({w for w in _VOCABULARY if "a" <= w[0] <= "z"}),
        "_OTHER_WORDS": _alternation(_OTHER_SPELLINGS),
        "_GLUED_AFTER_WORDS": _alternation(_GLUED_AFTER),
    }


def __getattr__(name: str):
    """The alternations and the token pattern, as module attributes built on first use."""
    if name in ("_HEBREW_WORDS", "_ENGLISH_WORDS", "_OTHER_WORDS", "_GLUED_AFTER_WORDS"):
        return _words()[name]
    if name == "_TOKEN_PATTERN":
        return _token_pattern()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Only the words above become tokens; any other word stays in the gap between two
# tokens and so keeps them apart. The regex engine skips it without a Python call.
# Each branch opens with a cheap look-ahead at its first character, so the regex
# engine leaves a position at once when no branch can start there.
@cache
def _token_pattern() -> str:
    """One token's pattern (compiled by _token and _tokens), built on first use."""
    words = _words()
    return rf"""
    (?=[\d+*\#a-z])                                  # junk starts so
    (?P<junk>
        \d{{1,2}}:\d{{2}}(?::\d{{2}})?                 # clock time 14:30
      | \d{{4}}-\d{{1,2}}-\d{{1,2}}                    # ISO date 2026-11-21
      | \d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}            # 21/11/2026, 21.11.26
      | \d{{1,2}}/\d{{1,2}}                            # 21/11
      | \+?972[-\ ]?\d{{1,2}}[-\ ]?\d{{3}}[-\ ]?\d{{4}}  # +972-3-123-4567
      | 0\d{{1,2}}-?\d{{3}}-?\d{{4}}                   # 03-1234567, 050-123-4567
      | 1-?[5-9]00-?\d{{2,3}}-?\d{{3,4}}               # 1-800-800-800
      | \*\d{{3,5}}                                    # *2000
      | \#\d+                                          # #12345
      | \d{{7,}}+(?!\ ?(?:[{_SIGN_CLASS}]                # ids and order numbers, but not
        | {words["_GLUED_AFTER_WORDS"]}(?![^\W\d_])))             # 1500000 ₫, 1128240 рублей
      | \d++(?=[a-z])                                  # 5g, 100mbps, 3x,
        (?!{words["_GLUED_AFTER_WORDS"]}(?![^\W\d_]))\w*          # but not 2963yen
      | [a-z]++(?=\d){_NOT_GLUED_BEFORE}                # a123, inv2026, not USD1.23
        \d\w*
    )(?!\d)
  | (?=[\d.,ובלמשהכ])                                  # a number or its prefix starts so
    (?P<pfx>(?<![\w"'])[ובלמשהכ]{{1,2}}-?|)            # ב-99, מ-99, ל99, or none
    (?=[\d.,])(?P<num>{NUMBER})                       # 99.90
    (?:(?![\d\w])|(?=[{_CJK}])                          # alone, or before 円
     | (?={words["_GLUED_AFTER_WORDS"]}(?![^\W\d_])))            # or a currency: 2963yen
  | (?=[\u05d0-\u05ea-])(?<![\w"'])                    # a Hebrew word starts here
    (?P<wp>[ובלמשהכ]{{0,2}}-?)                         # up to two prefix letters
    (?P<he>{words["_HEBREW_WORDS"]})(?!\w)                      # a Hebrew word we know
  | (?P<en>(?=[a-z])(?<![^\W\d]|')                    # an English word starts here
        {words["_ENGLISH_WORDS"]}(?:(?!\w)|(?<!\w)|(?=\d))       # a word we know (R$, USD1.23)
      | (?=[^\W\d_a-z\u05d0-\u05ea])(?<![^\W\d_])     # or a word in another script
        {words["_OTHER_WORDS"]}                                 # руб., zł, ₹, 円, ر.س
        (?:(?![^\W\d_])|(?<![^\W\d_])|(?<=[{_CJK}])))   # ends at a word's end (or CJK)
  | (?P<sym>[{_SIGN_CLASS}])                             # currency or percent sign
    """


# The text between two tokens, skipped a chunk at a time: no token starts inside a run
# of Latin letters or of other letters (its lookbehinds or its first character rule it
# out), nor inside a run of characters that start no token. Atomic chunks never backtrack.
_SKIP = rf"""
    (?>[a-z]+                 # a run of Latin letters
     | [^\W\d_a-z]+           # a run of other letters (Hebrew)
     | [^\w+*\#.,\-{_SIGN_CLASS}]+    # a run of characters that start no token
     | (?s:.)                 # a digit or a sign: a token may start at the next one
    )"""


# One findall gives (gap, junk, pfx, num, wp, he, en, sym) strings per token, so no
# match object is made; the gap gives the offsets. At the end, \Z takes the tail.
@cache
def _tokens() -> re.Pattern:
    """The tokenizer's pattern, compiled on first use: the alternations of every known word
    and currency spelling take most of a second to compile, and a run that reads no text
    never needs them."""
    return re.compile(
        rf"""
        (?P<gap>{_SKIP}*?)        # the text before the token, as short as possible
        (?:(?=[\w+*\#\-.,{_SIGN_CLASS}])  # a character a token starts with
           (?:{_token_pattern()})   # the token
         | \Z)                    # or the end of the text
        """,
        re.VERBOSE,
    )


@cache
def _token() -> re.Pattern:
    """One token's pattern alone (the tests hold it to a plain version of itself)."""
    return re.compile(_token_pattern(), re.VERBOSE)


@lru_cache(maxsize=1024)
def _is_glue(gap: str) -> bool:
    return _GLUE.fullmatch(gap) is not None


def _tokenize(text: str, mapped: Normalized | None = None) -> list[Item]:
    """The items of ``text``, each marked ``glue`` when only glue separates it from the next.

    ``mapped`` (the normalization of an original text) lets a cased spelling ("ALL",
    "Ft") count only when written so; without it such spellings never count.

    >>> [(i.kind, i.start, i.end, i.glue) for i in _tokenize('ב-99 ש"ח')]
    [('num', 2, 4, True), ('cur', 5, 8, False)]
    """
    return tokenize_flagged(text, mapped)[0]


def tokenize_flagged(text: str, mapped: Normalized | None) -> tuple[list[Item], int]:
    """:func:`_tokenize`, and flags: ``MARKED`` when a marker word is among the items,
    ``SPACED`` when a number follows another after one space (thousands, perhaps)."""
    flags = 0
    items: list[Item] = []
    previous = Item("other", 0, 0)  # a stand-in before the first item
    end = 0
    for gap, junk, pfx, num, wp, he, en, sym in _tokens().findall(text):
        lead = end + len(gap)
        if num:
            start = lead + len(pfx)
            end = start + len(num)
            value = cached_decimal(num)
            item = Item("num", start, end, "", pfx.rstrip("-"), value, None, False, "", False, lead)
            if gap == " " and previous.kind == "num":
                flags |= SPACED
        elif he or en:
            stem = he or en
            end = lead + len(wp) + len(stem)
            kind, value, role, unit, special = _WORD_KINDS.get(stem, _OTHER)
            if special:  # a marker word, or a spelling that counts only cased as written
                if special == MARKED:
                    flags |= MARKED
                elif not _cased_in(mapped, stem, lead, end):
                    kind, unit = "other", None
            item = Item(kind, lead, end, stem, wp.rstrip("-"), value, unit, False, role)
        elif sym:
            end = lead + 1
            item = Item("pct" if sym == "%" else "cur", lead, end, sym, "", ZERO, _SIGNS[sym])
        elif junk:
            end = lead + len(junk)
            item = Item("other", lead, end)
            if previous.kind == "cur" and gap in ("", " ") and junk.isdigit():
                item = Item("num", lead, end, value=cached_decimal(junk), lead=lead)  # ₫ 1500000
        else:
            break  # the end of the text
        previous.glue = not gap or gap == " " or _is_glue(gap)
        items.append(item)
        previous = item
    return items, flags


def _cased_in(mapped: Normalized | None, stem: str, start: int, end: int) -> bool:
    """Whether the original of ``[start, end)`` is cased as ``stem`` needs ("ALL", "Ft")."""
    if mapped is None:
        return False
    first, last = mapped.span(start, end)
    return cased_right(stem, mapped.original[first:last])


class Reader:
    """Walks the items of one text and collects facts in normalized offsets."""

    def __init__(self, text: str, items: list[Item]) -> None:
        self.text = text
        self.items = items
        self.facts: list[tuple[str, Decimal, int, int, str | None]] = []
        self.periods: dict[int, str] = {}  # a money fact's start -> its billing period

    def glued(self, i: int) -> bool:
        """Items ``i`` and ``i + 1`` are neighbours with only spaces or a hyphen between.

        The last item is never glued (nothing follows it), so no length check is needed
        but past the end; ``-1`` is the last item, never glued either.
        """
        try:
            return self.items[i].glue
        except IndexError:
            return False

    def at(self, i: int, *kinds: str) -> bool:
        if i < 0:
            return False
        try:
            return self.items[i].kind in kinds
        except IndexError:
            return False

    def add(self, kind: str, value: Decimal, first: int, last: int, unit: str | None) -> None:
        for item in self.items[first : last + 1]:
            item.used = True
        start, end = self.items[first].start, self.items[last].end
        self.facts.append((kind, value, start, end, unit))
