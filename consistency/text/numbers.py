"""The value accumulator shared by the Hebrew and English number-word parsers.

A number is read word by word. Each word has a value and a role:

- ``add``: a value added to the current group (units, teens, tens, מאה, מאתיים);
  it must be smaller than the place of the previous one ("ninety nine" fits,
  "ninety ninety" starts a new number);
- ``ten``: עשר / עשרה, which turns a preceding unit into a teen (שלוש עשרה = 13);
- ``hundreds``: מאות / hundred, which multiplies the unit before it;
- ``scale``: אלף, thousand, מיליון, million, which closes the group (1 when empty);
- ``pair``: אלפיים (two thousand), at the start of a group;
- ``half``: חצי, added after a whole number (שלושה וחצי = 3.5) or alone (0.5).

>>> b = NumberBuilder()
>>> [b.push(v, r) for v, r in ((3, "add"), (100, "hundreds"), (20, "add"), (1, "add"))]
[True, True, True, True]
>>> b.value
Decimal('321')
>>> b.push(90, "add")
False
"""

from __future__ import annotations

from decimal import Decimal

ADD, TEN, HUNDREDS, SCALE, PAIR, HALF = "add", "ten", "hundreds", "scale", "pair", "half"
HALF_VALUE = Decimal("0.5")
_INFINITE = 10**12


def place(value: int) -> int:
    """The smallest value that may not follow ``value`` in one group.

    >>> place(90), place(9), place(15), place(200)
    (10, 1, 1, 100)
    """
    if value >= 100:
        return 100
    if value >= 20:
        return 10
    return 1


class NumberBuilder:
    """Accumulates number words; ``push`` returns False when a word starts a new number."""

    __slots__ = ("total", "group", "floor", "scale_floor", "last", "count", "half")

    def __init__(self) -> None:
        self.total = 0
        self.group = 0
        self.floor = _INFINITE
        self.scale_floor = _INFINITE
        self.last = -1
        self.count = 0
        self.half = False

    @property
    def value(self) -> Decimal:
        whole = Decimal(self.total + self.group)
        return whole + HALF_VALUE if self.half else whole

    def push(self, value: int, role: str) -> bool:
        """Add one word; False (and no change) when it cannot continue this number."""
        if self.half:
            return False
        accepted = _STEPS[role](self, value)
        if accepted:
            self.count += 1
        return accepted

    def _add(self, value: int) -> bool:
        if value >= self.floor or (value == 0 and self.count):
            return False
        self.group += value
        self.floor = 0 if value == 0 else place(value)
        self.last = value
        return True

    def _ten(self, value: int) -> bool:
        if 1 <= self.last <= 9 and self.floor == 1 and self.group % 10 == self.last:
            self.group += 10
            self.last = 10
            return True
        return self._add(value)

    def _hundreds(self, value: int) -> bool:
        if self.count and not (1 <= self.last <= 9 and self.group == self.last):
            return False
        if self.floor <= 100 and not self.count:
            return False
        self.group = (self.group or 1) * 100
        self.floor = 100
        self.last = 100
        return True

    def _scale(self, value: int) -> bool:
        if value >= self.scale_floor:
            return False
        self.total += (self.group or 1) * value
        self.group = 0
        self.floor = self.scale_floor = value
        self.last = value
        return True

    def _pair(self, value: int) -> bool:
        """אלפיים, מאתיים אלף: twice a scale, only at the start of a group."""
        if self.group or value >= self.scale_floor:
            return False
        self.total += 2 * value
        self.floor = self.scale_floor = value
        self.last = value
        return True

    def _half(self, value: int) -> bool:
        self.half = True
        return True


# The step for each role, looked up once per word (no string building, no getattr).
_STEPS = {
    ADD: NumberBuilder._add,
    TEN: NumberBuilder._ten,
    HUNDREDS: NumberBuilder._hundreds,
    SCALE: NumberBuilder._scale,
    PAIR: NumberBuilder._pair,
    HALF: NumberBuilder._half,
}


def fold(pairs) -> list[Decimal]:
    """The numbers that a run of ``(value, role)`` words spells, in order.

    A word that cannot join the number being built starts the next one.

    >>> fold([(90, ADD), (9, ADD), (90, ADD)])
    [Decimal('99'), Decimal('90')]
    """
    numbers: list[Decimal] = []
    builder = NumberBuilder()
    for value, role in pairs:
        if not builder.push(value, role):
            numbers.append(builder.value)
            builder = NumberBuilder()
            builder.push(value, role)
    if builder.count:
        numbers.append(builder.value)
    return numbers


def parse_one(parse_numbers, text: str) -> Decimal | None:
    """The single number that ``text`` spells, or None when it is not exactly one."""
    try:
        numbers = parse_numbers(text.split())
    except ValueError:
        return None
    return numbers[0] if len(numbers) == 1 else None
