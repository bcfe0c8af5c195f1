"""What each amount in free text is: the quote, an old price (``was``), a lower bound
(``from``); and its billing period ("לחודש", "per month").

Part of :mod:`consistency.text.facts`. Markers are read in the text before an amount
("במקום", "was", "החל מ-", "starting at"); periods in the words after it.
"""

from __future__ import annotations

import re

from consistency.text.facts.tokens import PER_WORDS, Reader

_PERIOD_KINDS = frozenset({"dur", "period", "other"})


def read_period(reader: Reader, first: int, k: int) -> None:
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


def money_roles(text: str, found: list) -> dict[int, str]:
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
    mark_sale_pairs(text, money, roles)
    _keep_was_beside_a_quote(money, roles)
    return roles


def _role(text: str, money: list, index: int, window_start: int) -> str:
    start, end = money[index][2], money[index][3]
    before = text[window_start:start]
    was = _WAS_BEFORE.search(before)
    if was and (
        not was.group("weak") or _NOW.search(text, end) or _sale_before(text, money, index)
    ):
        return "was"  # a past tense marks an old price only beside a new one: "now", "sale"
    if _FROM_BEFORE.search(before):
        following = money[index + 1] if index + 1 < len(money) else None
        if following is not None and _TO_BETWEEN.match(text[end : following[2]]):
            return "was" if following[1] < money[index][1] else "quote"  # from 120 to 99
        return "from"
    return "quote"


# A sale label before an amount: "מחיר מבצע: 349", "Sale $349", "our price: $349".
_SALE_BEFORE = re.compile(
    r"""
    (?:(?:מחיר\s)?מבצע | מחיר\sמיוחד | sale(?:\sprice)? | our\sprice | special(?:\sprice)?)
    \s*[:\-–]?\s*(?:[ובלמשהכ]{1,2}-?)?\Z
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PAIR_GAP = 60  # characters between a regular price and the sale price beside it


def _sale_before(text: str, money: list, index: int) -> bool:
    """A sale-labelled amount before this one: "sale $349 (was $399)"."""
    return any(_labelled_sale(text, money, k) for k in range(index))


def mark_sale_pairs(text: str, money: list, roles: dict[int, str]) -> None:
    """ "Price $399 Sale $349", "מחיר מחירון 399 ₪ מחיר מבצע 349 ₪": the amount just before a
    sale-labelled one, with no label of its own, is its regular price (``was``)."""
    for index in range(1, len(money)):
        start = money[index][2]
        if roles.get(start) is not None or not _labelled_sale(text, money, index):
            continue
        previous = money[index - 1]
        near = start - previous[3] <= _PAIR_GAP
        if near and roles.get(previous[2]) is None and not _labelled_sale(text, money, index - 1):
            roles[previous[2]] = "was"


def _labelled_sale(text: str, money: list, index: int) -> bool:
    start = money[index][2]
    window_start = money[index - 1][3] if index else max(0, start - _WINDOW)
    return bool(_SALE_BEFORE.search(text[max(window_start, start - _WINDOW) : start]))


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
