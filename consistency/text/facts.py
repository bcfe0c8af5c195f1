"""Facts in free text (SPEC 7): money, percent, duration and count, with original spans.

The text is normalized (offsets kept), cut into tokens by one verbose regex (clock
times, dates, phone numbers and ids are cut out whole so their digits never count),
number words are folded into numbers, and each number takes the unit next to it.
A bare number with no unit is no fact at all.

Speed (docs/text.md): one ``findall`` yields each token with the gap before it, so
no match object is made and offsets come from lengths; only known words become
tokens, and the regex skips other words a letter run at a time.

>>> [(f.kind, str(f.value), f.unit, f.raw) for f in extract_facts("רק ב-99.90 ש\\"ח, 20% הנחה")]
[('money', '99.90', 'ILS', '99.90 ש"ח'), ('percent', '20', None, '20%')]
>>> [(f.kind, str(f.value), f.unit) for f in extract_facts("ביטול ללא עלות תוך 14 יום")]
[('money', '0', 'ILS'), ('duration', '14', 'day')]
>>> extract_facts("התקשרו 03-1234567 בשעה 14:30")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import lru_cache

from consistency.model import Fact
from consistency.text import numbers_en, numbers_he
from consistency.text.money import (
    AGORA,
    AGORA_WORDS,
    CURRENCY_WORDS,
    NUMBER,
    SYMBOLS,
    cased_right,
    needs_case,
    to_amount,
    to_decimal,
    trie_pattern,
)
from consistency.text.normalize import Normalized, normalize_map
from consistency.text.numbers import ADD, HALF, TEN, NumberBuilder

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
HALF_VALUE = Decimal("0.5")

# Text between two tokens that keeps them together: spaces and a hyphen.
_GLUE = re.compile(r"[\s\-–]*")

_FREE = re.compile(
    r"""
    (?=[ובלמשהכחאfan])                               # every spelling starts so
    (?<![\w])(?P<m>
        [ובלמשהכ]{0,2}ללא\s(?:כל\s)?                  # ללא, ללא כל
          (?:עלות|תשלום|חיוב|תוספת\sתשלום|דמי\s\S+)   # עלות, תשלום, דמי ביטול
      | [ובלמשהכ]{0,2}חינם                             # חינם, בחינם
      | אין\s(?:עלות|תשלום|חיוב)                       # אין עלות
      | free\sof\scharge                               # free of charge
      | at\sno\s(?:extra\s|additional\s)?(?:cost|charge)  # at no cost
      | no\s(?:extra\s|additional\s)?(?:charge|cost|fee)  # no charge
      | (?:(?<=for\s)|(?<=\bis\s)|(?<=are\s)|(?<=it's\s))free(?!\sto\b)  # it's free
      | (?:(?<=completely\s)|(?<=totally\s))free(?!\sto\b)  # completely free
      | free(?=\s(?:installation|cancellation|delivery|shipping|setup|upgrade|router))
    )(?![\w])
    """,
    re.VERBOSE,
)

# Every spelling of _FREE holds one of these within its first _FREE_LEAD characters
# ("at no cost" has "no" three in). A text without them holds no free phrase. The
# branches all open with a letter, so the regex engine scans for those letters in C.
_FREE_WORD = re.compile(
    r"""
    ללא | חינם | אין     # Hebrew: without, free, there is no
    | free | no\s        # English
    """,
    re.VERBOSE,
)
_FREE_LEAD = 3

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
_ENGLISH_LEAD = frozenset({"within", "for", "in", "after", "of"})
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
    {"עד", "כל", "עסקים", "עבודה", "to", "and", "until", "a", "an", "one", "per"}
    | BUSINESS_WORDS
    | _ENGLISH_LEAD
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
_to_decimal = lru_cache(maxsize=4096)(to_decimal)


_alternation = trie_pattern


_HEBREW_WORDS = _alternation({w for w in _VOCABULARY if "\u05d0" <= w[0] <= "\u05ea"})
_ENGLISH_WORDS = _alternation({w for w in _VOCABULARY if "a" <= w[0] <= "z"})
# Currency spellings in other scripts and signs: руб., zł's kin, ₹, 円, 원, ر.س.
_OTHER_SPELLINGS = {
    w
    for w in _VOCABULARY
    if w[0].isalpha() and not ("a" <= w[0] <= "z" or "\u05d0" <= w[0] <= "\u05ea")
}
_OTHER_WORDS = _alternation(_OTHER_SPELLINGS)
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
_GLUED_AFTER_WORDS = _alternation(_GLUED_AFTER)
# Only the words above become tokens; any other word stays in the gap between two
# tokens and so keeps them apart. The regex engine skips it without a Python call.
# Each branch opens with a cheap look-ahead at its first character, so the regex
# engine leaves a position at once when no branch can start there.
_TOKEN = re.compile(
    rf"""
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
        | {_GLUED_AFTER_WORDS}(?![^\W\d_])))             # 1500000 ₫, 1128240 рублей
      | \d++(?=[a-z])                                  # 5g, 100mbps, 3x,
        (?!{_GLUED_AFTER_WORDS}(?![^\W\d_]))\w*          # but not 2963yen
      | [a-z]++(?=\d){_NOT_GLUED_BEFORE}                # a123, inv2026, not USD1.23
        \d\w*
    )(?!\d)
  | (?=[\d.,ובלמשהכ])                                  # a number or its prefix starts so
    (?P<pfx>(?<![\w"'])[ובלמשהכ]{{1,2}}-?|)            # ב-99, מ-99, ל99, or none
    (?=[\d.,])(?P<num>{NUMBER})                       # 99.90
    (?:(?![\d\w])|(?=[{_CJK}])                          # alone, or before 円
     | (?={_GLUED_AFTER_WORDS}(?![^\W\d_])))            # or a currency: 2963yen
  | (?=[\u05d0-\u05ea-])(?<![\w"'])                    # a Hebrew word starts here
    (?P<wp>[ובלמשהכ]{{0,2}}-?)                         # up to two prefix letters
    (?P<he>{_HEBREW_WORDS})(?!\w)                      # a Hebrew word we know
  | (?P<en>(?=[a-z])(?<![^\W\d]|')                    # an English word starts here
        {_ENGLISH_WORDS}(?:(?!\w)|(?<!\w)|(?=\d))       # a word we know (R$, USD1.23)
      | (?=[^\W\d_a-z\u05d0-\u05ea])(?<![^\W\d_])     # or a word in another script
        {_OTHER_WORDS}                                 # руб., zł, ₹, 円, ر.س
        (?:(?![^\W\d_])|(?<![^\W\d_])|(?<=[{_CJK}])))   # ends at a word's end (or CJK)
  | (?P<sym>[{_SIGN_CLASS}])                             # currency or percent sign
    """,
    re.VERBOSE,
)


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
_TOKENS = re.compile(
    rf"""
    (?P<gap>{_SKIP}*?)        # the text before the token, as short as possible
    (?:(?=[\w+*\#\-.,{_SIGN_CLASS}])  # a character a token starts with
       (?:{_TOKEN.pattern})   # the token
     | \Z)                    # or the end of the text
    """,
    re.VERBOSE,
)


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
    return _tokenize_flagged(text, mapped)[0]


def _tokenize_flagged(text: str, mapped: Normalized | None) -> tuple[list[Item], int]:
    """:func:`_tokenize`, and flags: ``MARKED`` when a marker word is among the items,
    ``SPACED`` when a number follows another after one space (thousands, perhaps)."""
    flags = 0
    items: list[Item] = []
    previous = Item("other", 0, 0)  # a stand-in before the first item
    end = 0
    for gap, junk, pfx, num, wp, he, en, sym in _TOKENS.findall(text):
        lead = end + len(gap)
        if num:
            start = lead + len(pfx)
            end = start + len(num)
            value = _to_decimal(num)
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
                item = Item("num", lead, end, value=_to_decimal(junk), lead=lead)  # ₫ 1500000
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


class _Reader:
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


def _fold_numbers(reader: _Reader) -> list[Item]:
    """Replace runs of number words by one ``num`` item per number."""
    items = reader.items
    words = [i for i, item in enumerate(items) if item.kind == "word"]
    if not words:
        return items  # nothing to fold: "a" or "an" folds only before a number word
    out: list[Item] = []
    i = 0  # the first item not yet copied or folded
    for word in words:
        if word > i and _is_article(items[word - 1]) and _next_is_scale(items, word - 1):
            out.extend(items[i : word - 1])
            i = _fold_one(reader, word - 1, out)  # "a hundred", "an"
        if word >= i:
            out.extend(items[i:word])
            i = _fold_one(reader, word, out)
    out.extend(items[i:])
    return out


def _is_article(item: Item) -> bool:
    return item.kind == "other" and item.stem in ("a", "an")


def _next_is_scale(items: list[Item], i: int) -> bool:
    return i + 1 < len(items) and items[i + 1].role in ("hundreds", "scale")


def _fold_one(reader: _Reader, i: int, out: list[Item]) -> int:
    items = reader.items
    builder = NumberBuilder()
    first = last = i
    j = i
    while j < len(items):
        item = items[j]
        if item.kind == "other" and item.stem in ("a", "an", "and") and j > first:
            if reader.glued(j) and j + 1 < len(items) and items[j + 1].kind == "word":
                j += 1
                continue
            break
        if item.kind == "other" and j == first:
            j += 1
            continue
        if item.kind != "word" or (j > first and not reader.glued(j - 1)):
            break
        if item.stem == numbers_he.AMBIGUOUS_TWO and not _before_ten(items, j):
            break
        if not builder.push(int(item.value), _role_in_number(item)):
            break
        last = j
        j += 1
    if not builder.count:  # "שנים" as years, or a lone "a"
        unit = DURATION_WORDS.get(items[i].stem)
        out.append(Item("dur" if unit else "other", items[i].start, items[i].end, items[i].stem,
                        items[i].prefix, unit=unit, glue=items[i].glue))  # fmt: skip
        return i + 1
    value = builder.value
    halves_only = builder.half and builder.count == 1
    out.append(
        Item(
            "num",
            items[first].start,
            items[last].end,
            prefix=items[first].prefix,
            value=value,
            spoken=True,
            role=HALF if halves_only else "",
            glue=items[last].glue,
        )  # fmt: skip
    )
    return last + 1


def _role_in_number(item: Item) -> str:
    """A ו before עשר / עשרה joins a ten, not a teen: 'שקל אחד ועשר אגורות' is 1.10."""
    return ADD if item.role == TEN and "ו" in item.prefix else item.role


def _before_ten(items: list[Item], j: int) -> bool:
    return j + 1 < len(items) and items[j + 1].stem in ("עשר", "עשרה")


def _read_number(reader: _Reader, i: int) -> int:
    """Attach the unit after the number at ``i``; return the next index to read."""
    items = reader.items
    value = items[i].value
    j = i
    point = reader.glued(j) and reader.at(j + 1, "point") and reader.glued(j + 1)
    if point and reader.at(j + 2, "num"):
        value += Decimal("0." + _digits(items[j + 2].value))
        j += 2
    if not reader.glued(j) or j + 1 >= len(items):
        return i + 1
    nxt = items[j + 1]
    if nxt.kind == "cur":
        return _read_money(reader, i, j + 1, value, nxt.unit or "ILS")
    if nxt.kind == "agora":
        reader.add("money", value * AGORA, i, j + 1, "ILS")
    elif nxt.kind == "pct":
        reader.add("percent", value, i, j + 1, None)
    elif nxt.kind == "dur" and not nxt.prefix:
        unit, last = _duration_unit(reader, j + 1)
        reader.add("duration", value, i, last, unit)
    elif nxt.kind == "count":
        reader.add("count", value, i, j + 1, nxt.unit)
    elif _is_idiom_tail(reader, i, j + 1):
        return _read_money(reader, i, j + 1, value + nxt.value * AGORA, "ILS", idiom=True)
    else:
        return i + 1
    return j + 2


def _digits(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value).split(".")[1]


def _is_idiom_tail(reader: _Reader, i: int, k: int) -> bool:
    """'תשעים ותשע תשעים', 'ninety-nine ninety': two spoken numbers, the second agorot."""
    first, second = reader.items[i], reader.items[k]
    return (
        first.spoken
        and second.spoken
        and "ו" not in second.prefix
        and 10 <= second.value <= 99
        and second.value == second.value.to_integral_value()
        and not _unit_follows(reader, k, money=False)
    )


def _unit_follows(reader: _Reader, k: int, money: bool = True) -> bool:
    """The number at ``k`` has its own unit right after it (a prefixed 'לחודש' is not one).

    With ``money`` False a currency after it does not count (the idiom takes it).
    """
    kinds = ("pct", "dur", "count", "agora", "cur") if money else ("pct", "dur", "count", "agora")
    if not reader.glued(k) or not reader.at(k + 1, *kinds):
        return False
    following = reader.items[k + 1]
    return following.kind != "dur" or not following.prefix


def _read_money(
    reader: _Reader, i: int, k: int, value: Decimal, code: str, idiom: bool = False
) -> int:
    """Money from ``i`` through the currency (or idiom tail) at ``k``, plus an agorot tail."""
    items = reader.items
    if idiom and reader.glued(k) and reader.at(k + 1, "cur"):
        k += 1
        code = items[k].unit or code
    if value is items[i].value:
        value = _amount(reader, items[i], code)
    tail = _agorot_tail(reader, k) if code == "ILS" else None
    if tail is not None:
        agorot, k = tail
        value += agorot
    reader.add("money", value, i, k, code)
    _read_period(reader, i, k)
    return k + 1


_PERIOD_KINDS = frozenset({"dur", "period", "other"})


def _read_period(reader: _Reader, first: int, k: int) -> None:
    """A billing period after the money ending at item ``k``: "לחודש", "/חודש", "per month".

    The period word is used up, so "99.90 ₪/חודש" states no month-long duration.
    """
    items = reader.items
    j = k + 1
    if j >= len(items) or items[j].kind not in _PERIOD_KINDS:
        return
    word = items[j]
    after_per = word.kind == "other" and word.stem in PER_WORDS and reader.glued(k)
    if after_per:
        j += 1
        if j >= len(items) or not reader.glued(j - 1):
            return
        word = items[j]
    if word.kind == "period" and (after_per or reader.glued(k)):
        pass
    elif word.kind != "dur":
        return
    elif after_per or (reader.glued(k) and word.prefix in ("ל", "ב")):
        pass
    elif word.prefix or reader.text[items[k].end : word.start].strip() != "/":
        return
    word.used = True
    reader.periods[items[first].start] = word.unit or ""


def _agorot_tail(reader: _Reader, k: int) -> tuple[Decimal, int] | None:
    """'... שקלים ותשעים אגורות', 'שקל תשעים', 'שקל וחצי' after the currency at ``k``."""
    items = reader.items
    if reader.glued(k) and reader.at(k + 1, "agora") and items[k + 1].stem == "אגורה":
        one = reader.glued(k + 1) and reader.at(k + 2, "num") and items[k + 2].value == ONE
        return AGORA, k + 2 if one else k + 1  # "ואגורה אחת"
    if not (reader.glued(k) and reader.at(k + 1, "num")):
        return None
    tail = items[k + 1]
    if tail.role == HALF and "ו" in tail.prefix:
        return HALF_VALUE, k + 1
    if reader.glued(k + 1) and reader.at(k + 2, "agora") and tail.value < 100:
        return tail.value * AGORA, k + 2
    followed = _unit_follows(reader, k + 1)
    if tail.spoken and 10 <= tail.value <= 99 and not followed and items[k].stem != "₪":
        return tail.value * AGORA, k + 1
    return None


def _duration_unit(reader: _Reader, k: int) -> tuple[str, int]:
    """The unit of the duration word at ``k``: business_day for 'ימי עסקים', 'business days'."""
    items = reader.items
    word = items[k]
    construct = word.unit == "day" and word.stem == "ימי" and reader.glued(k)
    if construct and reader.at(k + 1, "other") and items[k + 1].stem in BUSINESS_WORDS:
        return "business_day", k + 1
    return word.unit or "day", k


def _read_business(reader: _Reader, i: int) -> int:
    """'3 business days': the number, the word business/working, then a day word."""
    items = reader.items
    if (
        reader.glued(i)
        and reader.at(i + 1, "other")
        and items[i + 1].stem in BUSINESS_WORDS
        and reader.glued(i + 1)
        and reader.at(i + 2, "dur")
        and items[i + 2].unit == "day"
    ):
        reader.add("duration", items[i].value, i, i + 2, "business_day")
        return i + 3
    return _read_number(reader, i)


def _singular_currency(reader: _Reader) -> None:
    """'שקל תשעים' (1.90), 'שקל וחצי' (1.50): a singular currency word is one unit."""
    items = reader.items
    for k, item in enumerate(items):
        if item.kind != "cur" or item.stem not in SINGULAR_CURRENCY:
            continue
        after_number = k > 0 and items[k - 1].kind == "num" and reader.glued(k - 1)
        if not after_number:
            last = k
            if reader.glued(k) and reader.at(k + 1, "num") and items[k + 1].value == ONE:
                last = k + 1  # "שקל אחד"
            tail = _agorot_tail(reader, last)
            if tail is not None or last > k:
                agorot, last = tail if tail is not None else (ZERO, last)
                reader.add("money", ONE + agorot, k, last, item.unit or "ILS")


def _left_currency(reader: _Reader) -> None:
    """₪99, NIS 89.9, ש"ח 89.90: a free currency just before a free number."""
    items = reader.items
    for i, item in enumerate(items):
        if item.kind != "num" or item.used or i == 0:
            continue
        cur = items[i - 1]
        if cur.kind == "cur" and cur.role != "name" and not cur.used and reader.glued(i - 1):
            first = i - 1
            if i > 1 and _code_before_sign(reader, i - 2):
                first = i - 2  # "SGD$4.90", "NZD $100.70": the code says which dollar
            code = items[first].unit or "ILS"
            reader.add("money", _amount(reader, item, code), first, i, code)
            _read_period(reader, first, i)


def _code_before_sign(reader: _Reader, k: int) -> bool:
    """Item ``k`` is a currency code right before a sign of one character ("NZD $")."""
    code, sign = reader.items[k], reader.items[k + 1]
    return (
        code.kind == "cur"
        and not code.used
        and len(code.stem) == 3
        and code.role != "name"
        and len(sign.stem) == 1
        and reader.glued(k)
    )


def _amount(reader: _Reader, item: Item, code: str) -> Decimal:
    """The value of a number item as an amount of ``code``: "1.299" is 1299 shekels."""
    size = item.end - item.start
    if item.spoken or not 5 <= size <= 7 or reader.text[item.end - 4] not in ".,":
        return item.value  # only d.ddd, dd,ddd ... can be read two ways (to_amount)
    return to_amount(reader.text[item.start : item.end], code)


def _ranges(reader: _Reader) -> None:
    """'בין 79 ל-99 ₪', '20-30%', '$79 to $99': a free number takes its partner's unit."""
    items = reader.items
    ends = {f[2]: f for f in reader.facts}
    starts = {f[3]: f for f in reader.facts}
    for i, item in enumerate(items):
        if item.kind != "num" or item.used:
            continue
        partner = _range_partner(reader, i, +1)
        fact = ends.get(items[partner].start) if partner is not None else None
        if fact is None:
            partner = _range_partner(reader, i, -1)
            fact = starts.get(items[partner].end) if partner is not None else None
        if fact is not None and fact[0] in ("money", "percent", "duration"):
            reader.add(fact[0], item.value, i, i, fact[4])


def _range_partner(reader: _Reader, i: int, step: int) -> int | None:
    """The index of the number (or currency before it) across a range word from ``i``."""
    items = reader.items
    j = i + step
    low, high = (i, j) if step > 0 else (j, i)
    if not (0 <= j < len(items)) or not reader.glued(low):
        return None
    if items[j].kind == "other" and items[j].stem in RANGE_WORDS:
        j += step
        low, high = (j - step, j) if step > 0 else (j, j - step)
        if not (0 <= j < len(items)) or not reader.glued(low):
            return None
    elif items[max(i, j)].prefix not in RANGE_PREFIXES:
        return None
    if step < 0 and items[j].kind == "cur":
        return j
    return j if items[j].kind == "num" and items[j].used else None


def _implicit_durations(reader: _Reader) -> None:
    """'תוך חודש', 'שנתיים', 'within a month', 'שנה וחצי': units that carry their own count."""
    items = reader.items
    for i, item in enumerate(items):
        if item.used:
            continue
        if item.kind == "dual" and "ה" not in item.prefix:
            reader.add("duration", TWO, i, i, item.unit)
        elif item.kind == "dur" and _stands_alone(reader, i):
            value, last = ONE, i
            if reader.glued(i) and reader.at(i + 1, "num") and items[i + 1].role == HALF:
                value, last = ONE + HALF_VALUE, i + 1
            reader.add("duration", value, i, last, item.unit)


def _stands_alone(reader: _Reader, i: int) -> bool:
    items = reader.items
    item = items[i]
    before = items[i - 1].stem if i > 0 else ""
    if item.stem in IMPLICIT_ONE:
        return item.prefix in ("", "ו") and before != "כל"
    if item.stem in ("week", "month", "year", "hour") and before in ("a", "one"):
        return i > 1 and items[i - 2].stem in _ENGLISH_LEAD
    return False


def _free(text: str) -> list[tuple[str, Decimal, int, int, str | None]]:
    """Free-of-charge phrases; the scan starts near the first word any of them needs."""
    first = _FREE_WORD.search(text)
    if first is None:
        return []
    start = max(0, first.start() - _FREE_LEAD)
    return [("money", ZERO, *m.span("m"), "ILS") for m in _FREE.finditer(text, start)]


@lru_cache(maxsize=2048)
def facts_in(text: str) -> tuple[Fact, ...]:
    """``extract_facts``, remembered for recent texts: every answer check reads the same reply,
    and scripted bots repeat their replies word for word. Facts are frozen, so sharing is safe.

    >>> facts_in("₪5") is facts_in("₪5")
    True
    """
    return tuple(extract_facts(text))


def extract_facts(text: str) -> list[Fact]:
    """Every money, percent, duration and count fact in ``text``, in text order.

    Spans and ``raw`` refer to ``text`` itself, not its normalized form.

    >>> [(f.kind, str(f.value), f.unit) for f in extract_facts("תשעים ותשע תשעים לחודש")]
    [('money', '99.90', 'ILS')]
    """
    mapped = normalize_map(text)
    items, flags = _tokenize_flagged(mapped.text, mapped)
    reader = _Reader(mapped.text, items)
    if flags & SPACED:
        reader.items = _join_groups(reader)
    reader.items = _fold_numbers(reader)
    _singular_currency(reader)
    i = 0
    while i < len(reader.items):
        item = reader.items[i]
        # A number with no glue to the next item has no unit after it: skip the calls.
        free = item.kind == "num" and not item.used and item.glue
        i = _read_business(reader, i) if free else i + 1
    _left_currency(reader)
    _ranges(reader)
    _implicit_durations(reader)
    found = sorted(reader.facts + _free(mapped.text), key=_by_span)
    roles = _money_roles(mapped.text, found) if flags & MARKED else {}
    periods = reader.periods
    if mapped.sources is None and not roles and not periods:  # the usual case
        return [_fact(k, v, s, e, text[s:e], u, _ROLES.get(k)) for k, v, s, e, u in found]
    facts = []
    for kind, value, start, end, unit in found:
        role = period = None
        if kind == "money":
            role = roles.get(start, "quote") if roles else "quote"
            period = periods.get(start) if periods else None
        first, last = (start, end) if mapped.sources is None else mapped.span(start, end)
        facts.append(_fact(kind, value, first, last, text[first:last], unit, role, period))
    return facts


_ROLES = {"money": "quote"}  # the role of a fact of each kind when no marker says otherwise


def _fact_builder():
    """A maker of :class:`Fact` twice as fast as its frozen dataclass ``__init__``.

    That ``__init__`` sets each of the eight fields through ``object.__setattr__``;
    this one sets the slots through their descriptors, the same values in the same
    slots (``tests/test_text_fastpaths.py`` compares the two). Should Fact change
    shape, the dataclass itself is used.
    """
    names = ("kind", "value", "start", "end", "raw", "unit", "role", "period")
    if tuple(f.name for f in fields(Fact)) != names or hasattr(Fact, "__post_init__"):
        return Fact
    s0, s1, s2, s3, s4, s5, s6, s7 = (vars(Fact)[name].__set__ for name in names)
    new = object.__new__

    def make(kind, value, start, end, raw, unit=None, role=None, period=None) -> Fact:
        fact = new(Fact)
        s0(fact, kind), s1(fact, value), s2(fact, start), s3(fact, end)
        s4(fact, raw), s5(fact, unit), s6(fact, role), s7(fact, period)
        return fact

    return make


_fact = _fact_builder()


def _by_span(fact: tuple[str, Decimal, int, int, str | None]) -> tuple[int, int]:
    return fact[2], fact[3]


# --- thousands grouped by spaces: 1 299 ₪, 12 000 руб -------------------------------------

_LEAD_GROUP = re.compile(r"\d{1,3}")
_GROUP = re.compile(r"\d{3}")
_LAST_GROUP = re.compile(r"\d{3}(?:[.,]\d{1,3}|[.,][-–])?")


def _join_groups(reader: _Reader) -> list[Item]:
    """Join numbers whose thousands are grouped by one space ("1 299 ₪" is 1299).

    Only next to a currency: "1 299 ₪", "₪ 1 299", "12 000 руб". A group is exactly
    three digits; only the last may carry decimals.
    """
    items, text = reader.items, reader.text
    out: list[Item] = []
    i = 0
    while i < len(items):
        last = _group_run(text, items, i)
        if last > i and _beside_currency(items, i, last):
            first = items[i]
            digits = text[first.start : items[last].end]
            value = _to_decimal(digits)
            out.append(Item("num", first.start, items[last].end, "", first.prefix, value,
                            glue=items[last].glue, lead=first.lead))  # fmt: skip
            i = last + 1
        else:
            out.append(items[i])
            i += 1
    return out


def _group_run(text: str, items: list[Item], i: int) -> int:
    """The last item of a run of space-grouped numbers starting at ``i`` (``i`` if none)."""
    first = items[i]
    if first.kind != "num" or not _LEAD_GROUP.fullmatch(text, first.start, first.end):
        return i
    last = i
    while last + 1 < len(items):
        nxt = items[last + 1]
        spaced = nxt.kind == "num" and not nxt.prefix and text[items[last].end : nxt.start] == " "
        if not spaced or not _LAST_GROUP.fullmatch(text, nxt.start, nxt.end):
            break
        last += 1
        if not _GROUP.fullmatch(text, nxt.start, nxt.end):
            break  # decimals end the number
    return last


def _beside_currency(items: list[Item], first: int, last: int) -> bool:
    after = last + 1 < len(items) and items[last].glue and items[last + 1].kind == "cur"
    before = first > 0 and items[first - 1].glue and items[first - 1].kind == "cur"
    return after or before


# --- what each amount is: the quote, an old price, a lower bound; its billing period -------

# The end of the text before an old price: "במקום 120", "was ₪120", "Statt 249,00".
_WAS_BEFORE = re.compile(
    r"""
    (?:במקום | מחיר\s(?:קודם|רגיל|מקורי|מחירון|לפני\sהנחה) | (?P<weak>היה | was | were)
     | instead\sof | regular(?:ly)?(?:\sprice)? | reg\.? | orig(?:inally|\.)?
     | previously | old\sprice | compare\sat | rrp | msrp | statt | uvp | bisher
     | au\slieu\sde | antes | zamiast | вместо)
    \s*[:\-–]?\s*(?:[ובלמשהכ]{1,2}-?)?\Z   # "was: ", "במקום ה-"
    """,
    re.VERBOSE,
)
# A new price after an old one said in the past tense: "was ₪120, now ₪99.90".
_NOW = re.compile(
    r"""
    (?<!\w)(?:[ובלמשהכ]{0,2}(?:עכשיו|כעת|רק|היום|מבצע)     # ועכשיו, ורק, במבצע
     | now|today|only|sale|nur|jetzt)(?!\w)
    """,
    re.VERBOSE,
)
# The end of the text before a lower bound: "החל מ-79", "starting at $79", "ab 9,99 €".
_FROM_BEFORE = re.compile(
    r"""
    (?:החל\s*מ | מתחיל\s(?:מ|ב) | מחיר\sהתחלתי(?:\sשל)?
     | starting\s(?:at|from) | starts\sat | from | as\slow\sas | ab | dès | od | от
     | à\spartir\sde | a\spartir\sde | a\spartire\sda | vanaf | desde)
    \s*[:\-–]?\s*\Z                       # "החל מ-", "from "
    """,
    re.VERBOSE,
)
# Between "from X" and a second amount that makes it a change or a range: "from ₪120 to".
_TO_BETWEEN = re.compile(
    r"""
    \s*(?:to|down\sto|up\sto|ל|עד|ל-|ועד)\s*-?\s*(?:[ובלמשהכ]{1,2}-?)?\Z
    """,
    re.VERBOSE,
)
_WINDOW = 40  # characters before an amount where its marker may stand


def _money_roles(text: str, found: list) -> dict[int, str]:
    """The role of each money fact that is no plain quote, by its start: ``was`` or ``from``.

    Called only when a marker word is in the text.
    """
    money = [f for f in found if f[0] == "money"]
    roles: dict[int, str] = {}
    previous_end = 0
    for index, (_kind, _value, start, end, _unit) in enumerate(money):
        role = _role(text, money, index, max(previous_end, start - _WINDOW))
        if role != "quote":
            roles[start] = role
        previous_end = end
    _keep_was_beside_a_quote(money, roles)
    return roles


def _role(text: str, money: list, index: int, window_start: int) -> str:
    start, end = money[index][2], money[index][3]
    before = text[window_start:start]
    was = _WAS_BEFORE.search(before)
    if was and (not was.group("weak") or _NOW.search(text, end)):
        return "was"  # a past tense marks an old price only when a new one follows: "now"
    if _FROM_BEFORE.search(before):
        following = money[index + 1] if index + 1 < len(money) else None
        if following is not None and _TO_BETWEEN.match(text[end : following[2]]):
            return "was" if following[1] < money[index][1] else "quote"  # from 120 to 99
        return "from"
    return "quote"


def _keep_was_beside_a_quote(money: list, roles: dict[int, str]) -> None:
    """An old price needs a new one beside it: "The price was ₪99.90" alone is the quote."""
    for _kind, _value, start, _end, unit in money:
        if roles.get(start) != "was":
            continue
        beside = any(
            other[2] != start and other[4] == unit and roles.get(other[2]) != "was"
            for other in money
        )
        if not beside:
            del roles[start]
