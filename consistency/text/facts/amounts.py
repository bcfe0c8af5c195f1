"""Money in free text: amounts with their currency, agorot, free-of-charge phrases.

Part of :mod:`consistency.text.facts`. An amount takes the currency next to it
("99.90 ש\"ח", "₪99", "SGD$4.90"), an agorot tail ("שקל תשעים" is 1.90), or a
spoken idiom ("תשעים ותשע תשעים" is 99.90); thousands grouped by one space next to
a currency are joined first ("1 299 ₪"). A free-of-charge phrase is money 0 in ILS.
"""

from __future__ import annotations

import re
from decimal import Decimal

from consistency.text.facts.roles import read_period
from consistency.text.facts.tokens import (
    HALF_VALUE,
    ONE,
    SINGULAR_CURRENCY,
    ZERO,
    Item,
    Reader,
    cached_decimal,
)
from consistency.text.money import AGORA, to_amount
from consistency.text.numbers import HALF

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


def is_idiom_tail(reader: Reader, i: int, k: int) -> bool:
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


def _unit_follows(reader: Reader, k: int, money: bool = True) -> bool:
    """The number at ``k`` has its own unit right after it (a prefixed 'לחודש' is not one).

    With ``money`` False a currency after it does not count (the idiom takes it).
    """
    kinds = ("pct", "dur", "count", "agora", "cur") if money else ("pct", "dur", "count", "agora")
    if not reader.glued(k) or not reader.at(k + 1, *kinds):
        return False
    following = reader.items[k + 1]
    return following.kind != "dur" or not following.prefix


def read_money(
    reader: Reader, i: int, k: int, value: Decimal, code: str, idiom: bool = False
) -> int:
    """Money from ``i`` through the currency (or idiom tail) at ``k``, plus an agorot tail."""
    items = reader.items
    if _after_underscore(reader, items[i]):
        return k + 1  # "1_000 ש"ח": a number written with "_" is no amount
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
    read_period(reader, i, k)
    return k + 1


def _after_underscore(reader: Reader, item: Item) -> bool:
    """The number's digits follow an underscore ("1_000"): the tail of a token such as a
    Python-style number or an identifier, not an amount of its own (CWE-1286).

    >>> from consistency.text.facts import extract_facts
    >>> [fact.value for fact in extract_facts('המחיר 1_000 ש"ח')]
    []
    """
    return not item.prefix and item.start > 0 and reader.text[item.start - 1] == "_"


def _agorot_tail(reader: Reader, k: int) -> tuple[Decimal, int] | None:
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


def singular_currency(reader: Reader) -> None:
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


def left_currency(reader: Reader) -> None:
    """₪99, NIS 89.9, ש"ח 89.90: a free currency just before a free number."""
    items = reader.items
    for i, item in enumerate(items):
        if item.kind != "num" or item.used or i == 0 or _after_underscore(reader, item):
            continue
        cur = items[i - 1]
        if cur.kind == "cur" and cur.role != "name" and not cur.used and reader.glued(i - 1):
            first = i - 1
            if i > 1 and _code_before_sign(reader, i - 2):
                first = i - 2  # "SGD$4.90", "NZD $100.70": the code says which dollar
            code = items[first].unit or "ILS"
            reader.add("money", _amount(reader, item, code), first, i, code)
            read_period(reader, first, i)


def _code_before_sign(reader: Reader, k: int) -> bool:
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


def _amount(reader: Reader, item: Item, code: str) -> Decimal:
    """The value of a number item as an amount of ``code``: "1.299" is 1299 shekels."""
    size = item.end - item.start
    if item.spoken or not 5 <= size <= 7 or reader.text[item.end - 4] not in ".,":
        return item.value  # only d.ddd, dd,ddd ... can be read two ways (to_amount)
    return to_amount(reader.text[item.start : item.end], code)


def free_of_charge(text: str) -> list[tuple[str, Decimal, int, int, str | None]]:
    """Free-of-charge phrases; the scan starts near the first word any of them needs."""
    first = _FREE_WORD.search(text)
    if first is None:
        return []
    start = max(0, first.start() - _FREE_LEAD)
    return [("money", ZERO, *m.span("m"), "ILS") for m in _FREE.finditer(text, start)]


# --- thousands grouped by spaces: 1 299 ₪, 12 000 руб -------------------------------------

_LEAD_GROUP = re.compile(r"\d{1,3}")
_GROUP = re.compile(r"\d{3}")
_LAST_GROUP = re.compile(r"\d{3}(?:[.,]\d{1,3}|[.,][-–])?")


def join_groups(reader: Reader) -> list[Item]:
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
            value = cached_decimal(digits)
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
