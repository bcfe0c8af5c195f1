"""Small, mergeable keyed state for the grouped checks, closed window by window.

State is kept per time window (``rule.window``, default one local day). When the
stream has moved two windows past a window, that window is closed and its
findings are yielded, so memory holds about two windows of keys, not every
record. Records arriving more than one window late open the window again and are
compared among themselves (sort exports by time for exact results).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from ._quotes import bucket

DAY = timedelta(days=1)


class Extreme:
    """Lowest and highest quote seen for one key, with where each came from."""

    __slots__ = ("low", "low_ref", "high", "high_ref")

    def __init__(self, amount: Decimal, ref: tuple):
        self.low = self.high = amount
        self.low_ref = self.high_ref = ref

    def add(self, amount: Decimal, ref: tuple) -> None:
        """Keep the extremes; equal amounts go to the earlier quote, so order does not matter."""
        if amount < self.low or (amount == self.low and _earlier(ref, self.low_ref)):
            self.low, self.low_ref = amount, ref
        if amount > self.high or (amount == self.high and _earlier(ref, self.high_ref)):
            self.high, self.high_ref = amount, ref

    def merge(self, other: Extreme) -> None:
        self.add(other.low, other.low_ref)
        self.add(other.high, other.high_ref)


def _earlier(ref: tuple, than: tuple) -> bool:
    """Tie-break of equal quotes: the earlier one (``ref`` is ``(id, at, ...)``), then by id."""
    if ref[1] != than[1]:
        return ref[1] < than[1]
    return str(ref[0]) < str(than[0])


class Windowed:
    """Keyed extremes per window: ``{window index: {key: {sub: Extreme}}}``."""

    def __init__(self, ctx, rule):
        self.ctx = ctx
        self.rule = rule
        self.window = rule.window or DAY
        self.windows: dict[int, dict] = {}
        self.newest: int | None = None
        self._current: tuple[int, dict] | None = None  # the last window put to, and its groups

    def put(self, at: datetime, key, sub, amount: Decimal, ref: tuple) -> list:
        """Fold one quote in; return the findings of windows this quote closes (usually none)."""
        index = bucket(at, self.window, self.ctx.timezone)
        current = self._current
        if current is not None and current[0] == index and index in self.windows:
            groups = current[1]
        else:
            groups = self.windows.setdefault(index, {})
            self._current = (index, groups)
        subs = groups.setdefault(key, {})
        extreme = subs.get(sub)
        if extreme is None:
            subs[sub] = Extreme(amount, ref)
        else:
            extreme.add(amount, ref)
        if self.newest is None or index > self.newest:
            self.newest = index
            return list(self._close(lambda i: i < index - 1))
        return []

    def merge(self, other: Windowed) -> None:
        for index, groups in other.windows.items():
            mine = self.windows.setdefault(index, {})
            for key, subs in groups.items():
                target = mine.setdefault(key, {})
                for sub, extreme in subs.items():
                    if sub in target:
                        target[sub].merge(extreme)
                    else:
                        target[sub] = extreme
        if other.newest is not None and (self.newest is None or other.newest > self.newest):
            self.newest = other.newest

    def finish(self) -> Iterator:
        yield from self._close(lambda i: True)

    def _close(self, closing) -> Iterator:
        for index in sorted(i for i in self.windows if closing(i)):
            groups = self.windows.pop(index)
            for key, subs in groups.items():
                yield from self.judge(index, key, subs)

    def judge(self, index: int, key, subs: dict) -> Iterator:
        raise NotImplementedError
