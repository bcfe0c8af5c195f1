"""When a fact in a reply says the same as an approved one: what the answer checks share.

Similarity never decides agreement: facts do. Money agrees within the channel's
tolerance or as a price the channel may give; durations agree in one unit family.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ..answers import DURATION_SCALE, ExpectedFact
from ..model import Fact

AGORA = Decimal("0.01")


def comparable(observed: Fact, expected: ExpectedFact) -> bool:
    """Facts of one kind; counts only of the same thing (routers with routers); a money
    fact with a billing period only with one of the same period.

    >>> comparable(Fact("count", Decimal(2), 0, 1, "2", "router"), ExpectedFact("count", Decimal(1), "line"))
    False
    """
    if observed.kind != expected.kind:
        return False
    if observed.kind == "money" and observed.period and observed.period != expected.period:
        return False  # "59.90 ₪/month" is no answer to a one-time fee (tryout 11, P7)
    if observed.kind == "count":
        return observed.unit is None or expected.unit is None or observed.unit == expected.unit
    return True


def agrees(observed: Fact, expected: ExpectedFact, book, channel: str, at: datetime) -> bool:
    """True when a reply's fact says the same as an expected fact.

    Money agrees within the channel's tolerance, or when it is a price the channel
    may give for the expected product (a promotion, an agent's allowed discount).
    Durations agree in one unit family only: 3 business days are not 3 days.
    """
    if not comparable(observed, expected):
        return False
    if observed.kind == "money":
        return _money_agrees(observed, expected, book, channel, at)
    if observed.kind == "duration":
        return duration_days(observed.value, observed.unit) == duration_days(
            expected.value, expected.unit
        )
    return observed.value == expected.value


def _money_agrees(observed: Fact, expected: ExpectedFact, book, channel, at) -> bool:
    if (observed.unit or book.currency) != (expected.unit or book.currency):
        return False
    gap = observed.value - expected.value
    if abs(gap) <= AGORA or book.tolerance(channel).within(gap, expected.value):
        return True
    return expected.product is not None and book.accepts(
        observed.value, expected.product, channel, at
    )


def duration_days(value: Decimal, unit: str | None) -> tuple[str, Decimal]:
    """A duration in its family's base unit.

    >>> duration_days(Decimal(2), "week") == duration_days(Decimal(14), "day")
    True
    >>> duration_days(Decimal(3), "business_day") == duration_days(Decimal(3), "day")
    False
    """
    family, size = DURATION_SCALE.get(unit or "", (unit, 1))
    return family, value * size
