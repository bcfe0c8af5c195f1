"""Money in text: currency spellings (every ISO 4217 currency), digit amounts, amount fields.

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
>>> parse_amount("₹1,23,456.00"), parse_amount("CHF 1'299.–")
(Money(amount=Decimal('123456.00'), currency='INR'), Money(amount=Decimal('1299'), currency='CHF'))
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from consistency.model import Money
from consistency.text.currencies import load_table
from consistency.text.normalize import normalize

AGORA = Decimal("0.01")

_TABLE = load_table()
# Every spelling of every ISO 4217 currency (normalized) -> its codes, the likeliest first.
SPELLINGS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _TABLE["spellings"].items()}
# Spellings that may stand before an amount: codes and signs ("CHF 12"), not names.
SYMBOLS: frozenset[str] = frozenset(_TABLE["symbols"])
# Digits after the decimal mark (CLDR): 2 for most, 0 for JPY, 3 for KWD, BHD, OMR ...
MINOR_DIGITS: dict[str, int] = _TABLE["digits"]
# Codes that count in any case in free text; other codes count only in capitals
# ("ALL 5" is 5 Albanian lek, "all 5" is not), as do spellings of one or two Latin
# letters but those below ("Ft 5" is forints, "5 ft" is feet).
CASELESS_CODES = frozenset({"nis", "ils", "usd", "eur", "gbp"})
CASELESS_SHORT = frozenset({"kr", "zl"})
# The preferred code of each spelling; the core spellings of SPEC 7 are among them.
CURRENCY_WORDS: dict[str, str] = {k: codes[0] for k, codes in SPELLINGS.items()}
# Spellings of the agora (1/100 shekel).
AGORA_WORDS = ("אגורות", "אגורה", "אג'", "אג", "agorot", "agora")


def trie_pattern(words) -> str:
    """A regex for any of ``words`` shaped as a trie, so shared beginnings are tried once.

    >>> trie_pattern({"שקל", "שקלים", "שח"})
    'ש(?:ח|קל(?:ים)?)'
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: dict) -> str:
    branches = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def needs_case(spelling: str) -> str:
    """How an original spelling must be cased to count in free text: '' (any), 'upper', 'title'.

    >>> needs_case("all"), needs_case("ft"), needs_case("kr"), needs_case("nis"), needs_case("zł")
    ('upper', 'title', '', '', '')
    """
    if not (spelling.isascii() and spelling.isalpha()):
        return ""
    if spelling.upper() in MINOR_DIGITS and spelling not in CASELESS_CODES:
        return "upper"
    if len(spelling) <= 2 and spelling not in CASELESS_SHORT:
        return "title"
    return ""


def cased_right(spelling: str, original: str) -> bool:
    """Whether ``original`` (as written) is cased as :func:`needs_case` asks.

    >>> cased_right("all", "ALL"), cased_right("all", "All"), cased_right("ft", "Ft")
    (True, False, True)
    """
    need = needs_case(spelling)
    if need == "upper":
        return original.isupper()
    if need == "title":
        return original[:1].isupper()
    return True


def currency_code(text: str, default: str | None = None) -> str | None:
    """The ISO 4217 code a currency spelling names, or None when it names none.

    Codes, signs, symbols and names from CLDR in any locale, plus aliases such as NIS.
    When a spelling means several currencies (``$``, ``kr``, ``¥``), ``default`` wins if
    it is one of them; otherwise the likeliest one does (see ``currencies.py``).

    >>> [currency_code(s) for s in ("NIS", "₪", "zł", "Kč", "руб.", "₹", "円", "원", "R$")]
    ['ILS', 'ILS', 'PLN', 'CZK', 'RUB', 'INR', 'JPY', 'KRW', 'BRL']
    >>> currency_code("kr"), currency_code("kr", "NOK"), currency_code("$", "CAD")
    ('SEK', 'NOK', 'CAD')
    >>> currency_code("chf"), currency_code("lei"), currency_code("price") is None
    ('CHF', 'RON', True)
    """
    codes = SPELLINGS.get(" ".join(normalize(text).split()).rstrip(":"))
    if not codes:
        return None
    return default if default in codes else codes[0]


def minor_digits(code: str | None) -> int:
    """Digits after the decimal mark for ``code`` (CLDR), 2 when unknown.

    >>> minor_digits("ILS"), minor_digits("JPY"), minor_digits("KWD"), minor_digits(None)
    (2, 0, 3, 2)
    """
    return MINOR_DIGITS.get(code or "", 2)


NUMBER = r"""
    (?:\d{1,3}+                          # a group of up to three digits, then
       (?:(?:,\d{3})+(?:\.\d+)?          #   ,299 or ,299.00      (1,299.00)
        | (?:'\d{3})+(?:[.,]\d+)?        #   '299.00              (Swiss 1'299.00)
        | (?:\.\d{3})+,\d+              #   .299,00              (European 1.299,00)
        | (?:\.\d{3}){2,})               #   .299.000             (1.299.000)
     | \d{1,2}+(?:,\d{2})+,\d{3}(?:\.\d+)?  # 1,23,456.00 (Indian lakh grouping)
     | \d+(?:[.,]\d+)?                   # 89.90, 19,99, 89
     | [.,]\d+                           # .90
    )(?:[.,][-–])?                       # 1.299,- and 105.– : no minor units
    """
# In a quoted amount, thousands may also be grouped by spaces: 1 299,00.
FIELD_NUMBER = rf"""
    (?:\d{{1,3}}(?:\ \d{{3}})+(?:[.,]\d+)?(?:[.,][-–])?   # 1 299 or 1 299,00
     | {NUMBER})"""


@cache
def _field() -> re.Pattern:
    """An amount field's pattern, compiled on first use: the alternation of every currency
    spelling (CLDR) takes a good part of a second to build and compile."""
    alternation = trie_pattern(SPELLINGS)
    agora_alternation = "|".join(re.escape(w) for w in AGORA_WORDS)
    return re.compile(
        rf"""
        \s*
        (?:(?P<pre>{alternation})\s*)?          # currency before: ₪89.90, NIS 89.9
        (?P<num>{FIELD_NUMBER})                  # the amount
        \s*
        (?:(?P<post>{alternation})              # currency after: 89.90 ש"ח
         |(?P<agorot>{agora_alternation}))?     # or agorot: 90 אג'
        \.?\s*                                   # a full stop after ש"ח. is harmless
        """,
        re.VERBOSE,
    )


_ONE_MARK_THREE_DIGITS = re.compile(
    r"""
    \d{1,3}[.,]\d{3}     # 1.299, 1,299, 0,001: one mark, three digits after it
    """,
    re.VERBOSE,
)


def to_decimal(digits: str) -> Decimal:
    """A digit string with thousands and decimal separators, as a Decimal.

    Spaces and apostrophes only group thousands; a trailing ``,-`` or ``.–`` means no
    minor units. The last of ``.`` and ``,`` is the decimal mark unless a comma is
    followed by exactly three digits ("1,299"); dots alone are decimal points unless
    there are several. For money, :func:`to_amount` knows the currency's digits.

    >>> [to_decimal(s) for s in ("1,299", "19,99", "1.299,00", "1,299.50", "1.299.000")]
    [Decimal('1299'), Decimal('19.99'), Decimal('1299.00'), Decimal('1299.50'), Decimal('1299000')]
    >>> [to_decimal(s) for s in ("1 299", "1'299.00", "1.899,-", "1,23,456.00")]
    [Decimal('1299'), Decimal('1299.00'), Decimal('1899'), Decimal('123456.00')]
    """
    if digits[-1] in "-–":  # the mark before the dash is the decimal mark: others group
        grouping = "." if digits[-2] == "," else ","
        return Decimal(digits[:-2].replace(grouping, "").replace(" ", "").replace("'", ""))
    if " " in digits or "'" in digits:  # spaces or apostrophes group: a mark left is decimal
        digits = digits.replace(" ", "").replace("'", "")
        if digits.count(".") + digits.count(",") == 1:
            return Decimal(digits.replace(",", "."))
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


def to_amount(digits: str, code: str | None) -> Decimal:
    """An amount of money in ``code``, as a careful reader takes it: as :func:`to_decimal`,
    but one mark followed by exactly three digits groups thousands unless the number
    starts with 0 or the currency has three minor digits (``₪1.299`` is 1299, ``KD 1.250``
    and ``0,001 KWD`` are dinars with fils).

    >>> to_amount("1.299", "ILS"), to_amount("1.250", "KWD"), to_amount("0,500", "EUR")
    (Decimal('1299'), Decimal('1.250'), Decimal('0.500'))
    """
    if _ONE_MARK_THREE_DIGITS.fullmatch(digits):
        if digits[0] == "0" or minor_digits(code) == 3:
            return Decimal(digits.replace(",", "."))
        return Decimal(digits.replace(".", "").replace(",", ""))
    return to_decimal(digits)


def currency_of(word: str) -> str | None:
    """The likeliest ISO code of a normalized currency spelling, or None.

    >>> currency_of("₪"), currency_of("nis"), currency_of("מטבע")
    ('ILS', 'ILS', None)
    """
    return CURRENCY_WORDS.get(word)


# A bare number the field pattern reads as itself (dots alone are decimal points).
_PLAIN_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,4})?")


def parse_amount(s: str, default_currency: str = "ILS") -> Money | None:
    """One quoted amount such as ``₪89.90``, ``NIS 89.9``, ``1 299,00 zł`` or ``CHF 1'299``.

    None when ``s`` is not exactly one amount. A bare number takes ``default_currency``;
    an ambiguous sign (``$``, ``kr``) means ``default_currency`` when it may. Two
    currencies ("$ 5 ₪") give None.

    >>> parse_amount("\\u200f₪\\u200e99.90")
    Money(amount=Decimal('99.90'), currency='ILS')
    >>> parse_amount("89.9", "USD")
    Money(amount=Decimal('89.9'), currency='USD')
    >>> parse_amount("1\\u202f299,00\\u00a0kr", "NOK")
    Money(amount=Decimal('1299.00'), currency='NOK')
    """
    if _PLAIN_NUMBER.fullmatch(s):  # the common case, without building the field pattern
        return Money(Decimal(s), default_currency)
    match = _field().fullmatch(normalize(s))
    if match is None:
        return None
    pre, post, agorot = match.group("pre", "post", "agorot")
    if agorot is not None:
        if pre is not None and "ILS" not in SPELLINGS[pre]:
            return None
        return Money(to_decimal(match.group("num")) * AGORA, "ILS")
    codes = [SPELLINGS[w] for w in (pre, post) if w is not None]
    if len(codes) == 2:
        shared = [c for c in codes[0] if c in codes[1]]
        if not shared:
            return None
        codes = [tuple(shared)]
    if not codes:
        return Money(to_decimal(match.group("num")), default_currency)
    code = default_currency if default_currency in codes[0] else codes[0][0]
    return Money(to_amount(match.group("num"), code), code)
