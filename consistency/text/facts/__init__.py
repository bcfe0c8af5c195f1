"""Facts in free text (SPEC 7): money, percent, duration and count, with original spans.

The text is normalized (offsets kept), cut into tokens by one verbose regex (clock
times, dates, phone numbers and ids are cut out whole so their digits never count),
number words are folded into numbers, and each number takes the unit next to it.
A bare number with no unit is no fact at all.

>>> [(f.kind, str(f.value), f.unit, f.raw) for f in extract_facts("רק ב-99.90 ש\\"ח, 20% הנחה")]
[('money', '99.90', 'ILS', '99.90 ש"ח'), ('percent', '20', None, '20%')]
>>> [(f.kind, str(f.value), f.unit) for f in extract_facts("ביטול ללא עלות תוך 14 יום")]
[('money', '0', 'ILS'), ('duration', '14', 'day')]
>>> extract_facts("התקשרו 03-1234567 בשעה 14:30")
[]

The work is split along its seams: ``tokens`` (word lists, the tokenizer, the reader),
``units`` (number words, percents, durations, counts, ranges), ``amounts`` (money),
``roles`` (old price, lower bound, billing period); this module joins them.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from functools import lru_cache

from consistency.model import Fact
from consistency.text.facts.amounts import (
    free_of_charge,
    join_groups,
    left_currency,
    singular_currency,
)
from consistency.text.facts.roles import money_roles
from consistency.text.facts.tokens import (
    BUSINESS_WORDS,
    CASED,
    COUNT_WORDS,
    DUAL_WORDS,
    DURATION_WORDS,
    HALF_VALUE,
    IMPLICIT_ONE,
    MARKED,
    MARKER_WORDS,
    ONE,
    OTHER_WORDS,
    PER_WORDS,
    PERCENT_WORDS,
    PERIOD_WORDS,
    POINT_WORDS,
    RANGE_PREFIXES,
    RANGE_WORDS,
    SIGNS,
    SINGULAR_CURRENCY,
    SPACED,
    TWO,
    ZERO,
    Item,
    Reader,
    tokenize_flagged,
)
from consistency.text.facts.units import fold_numbers, implicit_durations, ranges, read_business
from consistency.text.normalize import normalize_map

__all__ = [
    "BUSINESS_WORDS",
    "CASED",
    "COUNT_WORDS",
    "DUAL_WORDS",
    "DURATION_WORDS",
    "HALF_VALUE",
    "IMPLICIT_ONE",
    "MARKED",
    "MARKER_WORDS",
    "ONE",
    "OTHER_WORDS",
    "PER_WORDS",
    "PERCENT_WORDS",
    "PERIOD_WORDS",
    "POINT_WORDS",
    "RANGE_PREFIXES",
    "RANGE_WORDS",
    "SIGNS",
    "SINGULAR_CURRENCY",
    "SPACED",
    "TWO",
    "ZERO",
    "Item",
    "extract_facts",
    "facts_in",
]


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
    items, flags = tokenize_flagged(mapped.text, mapped)
    reader = Reader(mapped.text, items)
    if flags & SPACED:
        reader.items = join_groups(reader)
    reader.items = fold_numbers(reader)
    singular_currency(reader)
    i = 0
    while i < len(reader.items):
        item = reader.items[i]
        # A number with no glue to the next item has no unit after it: skip the calls.
        free = item.kind == "num" and not item.used and item.glue
        i = read_business(reader, i) if free else i + 1
    left_currency(reader)
    ranges(reader)
    implicit_durations(reader)
    found = sorted(reader.facts + free_of_charge(mapped.text), key=_by_span)
    roles = money_roles(mapped.text, found) if flags & MARKED else {}
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
