"""Keyed state for the grouped checks: exact, whatever order the records arrive in.

Real exports come one file per channel, each in its own order, so a grouped
check can never close a window early: it keeps its state until the stream ends.
The state is kept per key, never per record:

- :class:`WindowExtremes` holds, per window and key (for cross-channel-gap: a
  local day and a product), the lowest and highest quote of each channel. Its
  size is windows x products x channels, whatever the number of records.
- :class:`QuoteSpill` is for checks that compare quotes with each other in a
  rolling window of time (customer-quote-conflict). It appends each quote's few
  fields to an SQLite file in a temporary folder and, at the end, reads back
  only the groups whose amounts differ, sorted, one group at a time. Memory is
  that of one group; SQLite sorts on disk when the data outgrows its cache.

Both merge (two halves of the data give what the whole gives), and ties between
equal quotes go to the earlier one (then the smaller id), so no result depends
on the order of the records.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from ._quotes import bucket

DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Extreme:
    """Lowest and highest quote seen for one key, with where each came from, and a count."""

    __slots__ = ("low", "low_ref", "high", "high_ref", "count")

    def __init__(self, amount: Decimal, ref: tuple):
        self.low = self.high = amount
        self.low_ref = self.high_ref = ref
        self.count = 1

    def add(self, amount: Decimal, ref: tuple) -> None:
        """Keep the extremes; equal amounts go to the earlier quote, so order does not matter."""
        self.count += 1
        self._fold(amount, ref)

    def _fold(self, amount: Decimal, ref: tuple) -> None:
        if amount < self.low or (amount == self.low and earlier(ref, self.low_ref)):
            self.low, self.low_ref = amount, ref
        if amount > self.high or (amount == self.high and earlier(ref, self.high_ref)):
            self.high, self.high_ref = amount, ref

    def merge(self, other: Extreme) -> None:
        self._fold(other.low, other.low_ref)
        self._fold(other.high, other.high_ref)
        self.count += other.count


def earlier(ref: tuple, than: tuple) -> bool:
    """Tie-break of equal quotes: the earlier one (``ref`` is ``(id, at, ...)``), then by id."""
    if ref[1] != than[1]:
        return ref[1] < than[1]
    return str(ref[0]) < str(than[0])


class WindowExtremes:
    """Per window and key, each sub-key's (channel's) :class:`Extreme`; judged at the end.

    ``{(window index, key): {sub: Extreme}}``. Windows are counted in local wall
    time (``P1D`` is a local calendar day); see :func:`consistency.checks._quotes.bucket`.
    """

    def __init__(self, ctx, rule):
        self.ctx = ctx
        self.rule = rule
        self.window = rule.window or DAY
        self.groups: dict[tuple, dict] = {}

    def put(self, at: datetime, key, sub, amount: Decimal, ref: tuple) -> None:
        index = bucket(at, self.window, self.ctx.timezone)
        subs = self.groups.get((index, key))
        if subs is None:
            subs = self.groups[(index, key)] = {}
        extreme = subs.get(sub)
        if extreme is None:
            subs[sub] = Extreme(amount, ref)
        else:
            extreme.add(amount, ref)

    def merge(self, other: WindowExtremes) -> None:
        for group, subs in other.groups.items():
            target = self.groups.setdefault(group, {})
            for sub, extreme in subs.items():
                if sub in target:
                    target[sub].merge(extreme)
                else:
                    target[sub] = extreme

    def finish(self) -> Iterator:
        for index, key in sorted(self.groups, key=lambda g: (g[0], str(g[1]))):
            yield from self.judge(index, key, self.groups[(index, key)])
        self.groups = {}

    def judge(self, index: int, key, subs: dict) -> Iterator:
        raise NotImplementedError


class SpilledQuote:
    """One quote read back from a :class:`QuoteSpill`: ``t`` is microseconds since 1970 UTC."""

    __slots__ = ("key", "t", "amount", "channel", "id", "ref", "at")

    def __init__(self, row: tuple):
        customer, product, self.t, amount, self.channel, self.id, self.ref, at = row
        self.key = (customer, product)
        self.amount = Decimal(amount)
        self.at = datetime.fromisoformat(at)

    def order(self) -> tuple:
        return (self.t, self.id)


class QuoteSpill:
    """Quotes of one check appended to an SQLite file, read back grouped and time-sorted.

    ``add`` buffers ``FLUSH`` rows, then writes them in one transaction. ``groups``
    yields ``((customer, product), [SpilledQuote ...])`` in key order, each group
    sorted by time then id, for the groups whose amounts are not all equal.
    """

    FLUSH = 20_000

    def __init__(self):
        self._folder: Path | None = None
        self._db: sqlite3.Connection | None = None
        self._buffer: list[tuple] = []
        self.count = 0

    def add(self, customer: str, product: str, at: datetime, amount: Decimal, channel: str,
            obs_id: str, ref: str | None) -> None:  # fmt: skip
        t = (at - _EPOCH) // timedelta(microseconds=1)
        row = (customer, product, t, str(amount), float(amount), channel, obs_id, ref)
        self._buffer.append((*row, at.isoformat()))
        self.count += 1
        if len(self._buffer) >= self.FLUSH:
            self._flush()

    def merge(self, other: QuoteSpill) -> None:
        for row in other._rows():
            self._buffer.append(row)
            if len(self._buffer) >= self.FLUSH:
                self._flush()
        self.count += other.count
        other.close()

    def groups(self) -> Iterator[tuple[tuple, list[SpilledQuote]]]:
        self._flush()
        if self._db is None:
            return
        rows = self._db.execute(
            "SELECT q.customer, q.product, q.t, q.amount, q.channel, q.id, q.ref, q.at"
            " FROM quotes q JOIN ("
            "   SELECT customer, product FROM quotes GROUP BY customer, product"
            "   HAVING min(amount_f) < max(amount_f)"
            " ) d ON d.customer = q.customer AND d.product = q.product"
            " ORDER BY q.customer, q.product, q.t, q.id"
        )
        quotes = (SpilledQuote(row) for row in rows)
        for key, group in groupby(quotes, key=lambda q: q.key):
            yield key, list(group)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._buffer = []

    def _rows(self) -> Iterator[tuple]:
        self._flush()
        if self._db is not None:
            yield from self._db.execute(
                "SELECT customer, product, t, amount, amount_f, channel, id, ref, at FROM quotes"
            )

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._db is None:
            self._open()
        with self._db:
            self._db.executemany(
                "INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._buffer
            )
        self._buffer = []

    def _open(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="consistency-spill-"))
        db = sqlite3.connect(self._folder / "quotes.sqlite3")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA temp_store = FILE")
        db.execute("PRAGMA cache_size = -16000")  # 16 MB; sorts beyond it go to disk
        db.execute(
            "CREATE TABLE quotes (customer TEXT, product TEXT, t INTEGER, amount TEXT,"
            " amount_f REAL, channel TEXT, id TEXT, ref TEXT, at TEXT)"
        )
        self._db = db

    def __del__(self):
        self.close()
