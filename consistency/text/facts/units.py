"""Numbers and their units in free text: number words, percents, durations, counts, ranges.

Part of :mod:`consistency.text.facts`. Runs of number words fold into one number
("תשעים ותשע" is 99); each number takes the unit right after it (a percent, a
duration, a count noun, or a currency, handed to ``amounts``); a free number in a
range takes its partner's unit ("20-30%"); some duration words carry their own
count ("תוך חודש", "שנתיים").
"""

from __future__ import annotations

from decimal import Decimal

from consistency.text import numbers_he
from consistency.text.facts.amounts import is_idiom_tail, read_money
from consistency.text.facts.tokens import (
    BUSINESS_WORDS,
    DURATION_WORDS,
    ENGLISH_LEAD,
    HALF_VALUE,
    IMPLICIT_ONE,
    ONE,
    RANGE_PREFIXES,
    RANGE_WORDS,
    TWO,
    Item,
    Reader,
)
from consistency.text.money import AGORA
from consistency.text.numbers import ADD, HALF, TEN, NumberBuilder


def fold_numbers(reader: Reader) -> list[Item]:
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


def _fold_one(reader: Reader, i: int, out: list[Item]) -> int:
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


def _read_number(reader: Reader, i: int) -> int:
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
        return read_money(reader, i, j + 1, value, nxt.unit or "ILS")
    if nxt.kind == "agora":
        reader.add("money", value * AGORA, i, j + 1, "ILS")
    elif nxt.kind == "pct":
        reader.add("percent", value, i, j + 1, None)
    elif nxt.kind == "dur" and not nxt.prefix:
        unit, last = _duration_unit(reader, j + 1)
        reader.add("duration", value, i, last, unit)
    elif nxt.kind == "count":
        reader.add("count", value, i, j + 1, nxt.unit)
    elif is_idiom_tail(reader, i, j + 1):
        return read_money(reader, i, j + 1, value + nxt.value * AGORA, "ILS", idiom=True)
    else:
        return i + 1
    return j + 2


def _digits(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value).split(".")[1]


def _duration_unit(reader: Reader, k: int) -> tuple[str, int]:
    """The unit of the duration word at ``k``: business_day for 'ימי עסקים', 'business days'."""
    items = reader.items
    word = items[k]
    construct = word.unit == "day" and word.stem == "ימי" and reader.glued(k)
    if construct and reader.at(k + 1, "other") and items[k + 1].stem in BUSINESS_WORDS:
        return "business_day", k + 1
    return word.unit or "day", k


def read_business(reader: Reader, i: int) -> int:
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


def ranges(reader: Reader) -> None:
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


def _range_partner(reader: Reader, i: int, step: int) -> int | None:
    """The index of the number (or currency before it) across a range word from ``i``.

    "and"/"ו" make a range after "between"/"בין" ("between 79 and 99"), or between two
    amounts of one magnitude ("מחיר 79 ו-99 ₪"), not "3 and 99 ₪" or "2 ו-59.90 ₪"; two
    numbers with nothing but space between them are no range ("8 9 ₪"); a dash,
    "to"/"עד" or "ל-" is one (tryout 11, P8).
    """
    items = reader.items
    j = i + step
    low, high = (i, j) if step > 0 else (j, i)
    if not (0 <= j < len(items)) or not reader.glued(low):
        return None
    if items[j].kind == "other" and items[j].stem in RANGE_WORDS:
        word = items[j].stem
        j += step
        low, high = (j - step, j) if step > 0 else (j, j - step)
        if not (0 <= j < len(items)) or not reader.glued(low):
            return None
        if word in _AND and not _paired(reader, i, j):
            return None
    else:
        prefix = items[max(i, j)].prefix
        if prefix not in RANGE_PREFIXES:
            return None
        if prefix in _AND and not _paired(reader, i, j):
            return None
        if not prefix and "-" not in _gap(reader, min(i, j)) and "–" not in _gap(reader, min(i, j)):
            return None
    if step < 0 and items[j].kind == "cur":
        return j
    return j if items[j].kind == "num" and items[j].used else None


_AND = frozenset({"and", "ו", "ול"})
_BETWEEN = frozenset({"between", "בין"})


def _gap(reader: Reader, low: int) -> str:
    """The text between item ``low`` and the next one."""
    return reader.text[reader.items[low].end : reader.items[low + 1].start]


def _paired(reader: Reader, i: int, j: int) -> bool:
    """Two numbers joined by "and" form a range after "between", or when of one magnitude."""
    items = reader.items
    if _after_between(reader, min(i, j)):
        return True
    values = sorted(abs(items[k].value) for k in (i, j) if items[k].kind == "num")
    return len(values) == 2 and values[0] * 5 >= values[1]


def _after_between(reader: Reader, first: int) -> bool:
    """A "between"/"בין" just before the range's first number (or its currency)."""
    items = reader.items
    for k in (first - 1, first - 2):
        if k >= 0 and items[k].kind == "other" and items[k].stem in _BETWEEN:
            return True
        if k >= 0 and items[k].kind != "cur":
            return False
    return False


def implicit_durations(reader: Reader) -> None:
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


def _stands_alone(reader: Reader, i: int) -> bool:
    items = reader.items
    item = items[i]
    before = items[i - 1].stem if i > 0 else ""
    if item.stem in IMPLICIT_ONE:
        return item.prefix in ("", "ו") and before != "כל"
    if item.stem in ("week", "month", "year", "hour") and before in ("a", "one"):
        return i > 1 and items[i - 2].stem in ENGLISH_LEAD
    return False
