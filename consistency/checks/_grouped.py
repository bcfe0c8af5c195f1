"""Keyed state for the grouped checks: exact, whatever order the records arrive in.

Real exports come one file per channel, each in its own order, so a grouped
check can never close a window early: it keeps its state until the stream ends.
The state is kept per key, never per record:

- :class:`WindowExtremes` holds, per window and key (for cross-channel-gap: a
  local day and a product), the lowest and highest quote of each channel. Its
  size is windows x products x channels, whatever the number of records.
- :class:`QuoteSpill` is for checks that compare quotes with each other in a
  rolling window of time (customer-quote-conflict). It appends each quote's few
  fields to the run's DuckDB store (``consistency.store``) and, at the end, reads
  back only the groups whose amounts differ, sorted, one group at a time. Memory
  is that of one group; DuckDB sorts on disk past its memory limit.

Both merge (two halves of the data give what the whole gives), and ties between
equal quotes go to the earlier one (then the smaller id), so no result depends
on the order of the records.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ._quotes import bucket

DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Up to this many keys quoted more than one amount, QuoteSpill.groups gives all their groups
# with no window query first: Python's test of each is cheaper than another pass over
# every quote (a million quotes: 0.12 s a pass; 10,000 groups of a few quotes: less).
FEW_KEYS = 10_000


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
        self.merge_groups(other.groups)

    def merge_groups(self, groups: dict) -> None:
        """Fold in ``{(window index, key): {sub: Extreme}}`` gathered elsewhere."""
        for group, subs in groups.items():
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

    __slots__ = ("key", "t", "amount", "channel", "id", "ref")

    def __init__(self, row: tuple):
        customer, product, self.t, amount, self.channel, self.id, self.ref = row
        self.key = (customer, product)
        self.amount = Decimal(amount)

    def order(self) -> tuple:
        return (self.t, self.id)

    def at(self, tz) -> datetime:
        """The quote's time in ``tz``, exact to the microsecond."""
        return (_EPOCH + timedelta(microseconds=self.t)).astimezone(tz)


def _by_key(result) -> Iterator[tuple[tuple, list[SpilledQuote]]]:
    """``(key, quotes)`` from a result sorted by key, read in batches."""
    group, key = [], None
    while rows := result.fetchmany(10_000):
        for row in rows:
            quote = SpilledQuote(row)
            if quote.key != key and group:
                yield key, group
                group = []
            key = quote.key
            group.append(quote)
    if group:
        yield key, group


class QuoteSpill:
    """Quotes of one check kept in the run's DuckDB store, read back grouped and time-sorted.

    ``add`` appends a row to a CSV file in the store's folder (about a microsecond,
    and no memory); the file is loaded into the table before it is read. ``groups``
    yields ``((customer, product), [SpilledQuote ...])`` in key order (past the memory
    limit, in key order within each part of the keys), each group sorted by time then
    id, for the groups whose amounts are not all equal.
    The columnar path inserts its quotes into ``table`` directly.
    """

    COLUMNS = (
        "customer VARCHAR, product VARCHAR, t BIGINT, amount VARCHAR, amount_f DOUBLE,"
        " channel VARCHAR, id VARCHAR, ref VARCHAR"
    )
    _TYPES = (
        "{'customer': 'VARCHAR', 'product': 'VARCHAR', 't': 'BIGINT', 'amount': 'VARCHAR',"
        " 'amount_f': 'DOUBLE', 'channel': 'VARCHAR', 'id': 'VARCHAR', 'ref': 'VARCHAR'}"
    )

    def __init__(self, store=None):
        from ..store import Store

        self._own = store is None
        self.store = Store(memory_limit="256MB", threads=1) if store is None else store
        self.table = self.store.name("spill")
        self.store.con.execute(f"CREATE TABLE {self.table} ({self.COLUMNS})")
        self._file = self.store.path(f"{self.table}.csv")
        self._fh = None
        self._writer = None
        self._attached: list[str] = []
        self._parts = 1  # groups' statements run on parts of the keys past the memory limit

    def add(self, customer: str, product: str, at: datetime, amount: Decimal, channel: str,
            obs_id: str, ref: str | None) -> None:  # fmt: skip
        t = (at - _EPOCH) // timedelta(microseconds=1)
        row = (customer, product, t, amount, float(amount), channel, obs_id, ref)
        self._open_writer().writerow(row)

    def merge(self, other: QuoteSpill) -> None:
        other._load()
        rows = other.store.con.execute(f"SELECT * FROM {other._rows()}").fetchall()
        self._open_writer().writerows(rows)
        other.close()

    def insert_sql(self, select: str, params: list) -> None:
        """Add the rows of ``select`` (same columns, run in this spill's store)."""
        self.store.con.execute(f"INSERT INTO {self.table} {select}", params)

    def attach(self, select: str) -> None:
        """Read the rows of ``select`` (same columns, in this spill's store) with the spill's
        own when it is read, without copying them: the columnar path's quotes."""
        self._attached.append(select)

    def groups(
        self, tolerance=None, span: int | None = None
    ) -> Iterator[tuple[tuple, list[SpilledQuote]]]:
        """The groups, each sorted by time then id, of the keys quoted more than one amount
        (and, rarely, of keys that share a 64-bit hash with one). With ``tolerance`` (a
        Threshold) and ``span`` (µs), when such keys are more than :data:`FEW_KEYS`, only
        the groups in which two quotes at most ``span`` apart differ by more than the
        tolerance: a window query finds them, so Python reads no group that cannot
        conflict. The test is looser than ``Threshold.within`` by a rounding margin, never
        stricter: the frame's extremes differ at least as much as any pair in it. The
        caller judges every group it is given."""
        self._load()
        con = self.store.con
        # No query here needs the rows in insertion order (the last sorts them). A step
        # that runs out of memory runs again on one thread, then on parts of the keys (see
        # _step; the parts stay for the next steps). The settings are the store's again after.
        threads = self.store.threads
        made: list[str] = []  # the temporary tables, dropped after
        self._parts = 1
        try:
            con.execute("SET preserve_insertion_order = false")
            several = self._several(made)
            (count,) = con.execute(f"SELECT count(*) FROM {several}").fetchone()
            if tolerance is None or span is None or count <= FEW_KEYS:
                rows = f"{self._rows()} s WHERE hash(s.customer, s.product) IN"
                rows += f" (SELECT h FROM {several})"
            else:
                keys = self._differing(several, tolerance, span, made)
                rows = f"{self._rows()} s SEMI JOIN {keys} d"
                rows += " ON s.customer = d.customer AND s.product = d.product WHERE true"
            yield from self._read(rows)
        finally:
            if self.store is not None and self.store.con is not None:
                for table in made:
                    con.execute(f"DROP TABLE IF EXISTS {table}")
                con.execute("SET preserve_insertion_order = true")
                con.execute(f"SET threads = {threads}")

    def _rows(self) -> str:
        """The spill's rows and the attached ones, as a relation."""
        if not self._attached:
            return self.table
        selects = [f"SELECT * FROM {self.table}", *self._attached]
        return "(" + " UNION ALL ".join(f"({s})" for s in selects) + ")"

    def _several(self, made: list[str]) -> str:
        """A temporary table (its name added to ``made``) of the hashes ``h`` of the keys
        quoted more than one amount (only they can conflict): a hash aggregate."""
        several = self.store.name("keys")
        made.append(several)
        # grouped by a hash of the key, not the key's texts: a tenth of the memory, so it
        # fits the store's limit at tens of millions of quotes. Keys that share a hash
        # share a group, which can only add keys (each is judged by its own after).
        self._step(
            several,
            f"SELECT hash(customer, product) AS h FROM {self._rows()} AS a WHERE {{part}}"
            " GROUP BY h HAVING min(amount_f) < max(amount_f)",
        )
        return several

    def _differing(self, several: str, tolerance, span: int, made: list[str]) -> str:
        """A temporary table (its name added to ``made``) of the keys among ``several``'s
        with two quotes in one window that differ by more than ``tolerance``: a window
        query, a sort of their quotes only."""
        amount = float(tolerance.amount or 0)
        percent = float(tolerance.percent or 0)
        differing = self.store.name("keys")
        made.append(differing)
        self._step(
            differing,
            f"""
            SELECT DISTINCT customer, product FROM (
                SELECT customer, product, max(amount_f) OVER w AS hi,
                       min(amount_f) OVER w AS lo
                FROM {self._rows()} AS r
                WHERE hash(customer, product) IN (SELECT h FROM {several}) AND {{part}}
                WINDOW w AS (PARTITION BY customer, product ORDER BY t
                             RANGE BETWEEN {int(span)} PRECEDING AND CURRENT ROW)
            )
            WHERE hi > lo AND hi - lo > greatest({amount!r}, {percent!r} * hi / 100)
                                       - 1e-6 - hi * 1e-12
            """,
        )
        return differing

    def _read(self, rows: str) -> Iterator[tuple[tuple, list[SpilledQuote]]]:
        """The groups of ``rows`` (a FROM clause over ``s`` ending in a WHERE), each key's
        quotes sorted by time then id, part of the keys after part (keys in order within
        a part). A part whose sort runs out of memory before any of its groups is given
        runs again as a step does (one thread, then more parts), while no part was given."""
        import duckdb

        con = self.store.con
        i = 0
        while i < self._parts:
            part = self._part("s.", i)
            try:
                result = con.execute(
                    "SELECT s.customer, s.product, s.t, s.amount, s.channel, s.id, s.ref"
                    f" FROM {rows} AND {part} ORDER BY s.customer, s.product, s.t, s.id"
                )
            except duckdb.OutOfMemoryException:
                if i or not self._smaller():
                    raise
                continue
            yield from _by_key(result)
            i += 1

    def _part(self, alias: str, i: int) -> str:
        """The condition that a key is in part ``i`` of ``self._parts``."""
        if self._parts == 1:
            return "true"
        return f"hash({alias}customer, {alias}product) % {self._parts} = {i}"

    def _smaller(self) -> bool:
        """Make the next try smaller after running out of memory: one thread, else four
        times the parts (up to 64). False when it cannot be smaller."""
        if self.store.threads > 1:
            self.store.con.execute("SET threads = 1")
        elif self._parts < 64:
            self._parts *= 4
        else:
            return False
        return True

    def _step(self, table: str, select: str) -> None:
        """Make the temporary table ``table`` of the rows of ``select``, one step of
        ``groups``: a query whose ``{part}`` is a condition on the (customer, product) key,
        so that it can run on part of the keys at a time (its result for all keys is the
        union of its results for the parts: each key is in one part).

        It runs on the store's threads and in ``self._parts`` parts. If it runs out of the
        store's memory, it runs again on one thread (each thread holds its own hash table
        and sort buffers), then on 4, 16 and 64 parts of the keys, a statement each (each
        holding a part's groups): so tens of millions of quotes fit the limit, only
        slower. The caller restores the store's threads."""
        import duckdb

        con = self.store.con
        while True:
            try:
                for i in range(self._parts):
                    into = f"INSERT INTO {table}" if i else f"CREATE TEMP TABLE {table} AS"
                    con.execute(f"{into} {select.replace('{part}', self._part('', i))}")
                return
            except duckdb.OutOfMemoryException:
                con.execute(f"DROP TABLE IF EXISTS {table}")
                if not self._smaller():
                    raise

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = self._writer = None
        if self.store is None:
            return
        if self._own:
            self.store.close()
        elif self.store.con is not None:
            self.store.con.execute(f"DROP TABLE IF EXISTS {self.table}")
            self._file.unlink(missing_ok=True)
        self.store = None

    def _open_writer(self):
        """The CSV writer rows are appended with, opened on first use."""
        if self._writer is None:
            self._fh = self._file.open("a", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
        return self._writer

    def _load(self) -> None:
        """Move the rows written to the CSV file into the table."""
        if self._fh is None:
            return
        self._fh.close()
        self._fh = self._writer = None
        self.store.con.execute(
            f"INSERT INTO {self.table} SELECT * FROM read_csv(?, header = false,"
            f" columns = {self._TYPES}, auto_detect = false, quote = '\"', escape = '\"',"
            " delim = ',')",
            [str(self._file)],
        )
        self._file.unlink()
