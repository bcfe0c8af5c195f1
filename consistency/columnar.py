"""The columnar path: plain quote exports read and judged by DuckDB, not row by row in Python.

Most of a pricing team's volume is plain structured quotes: an id, a channel, a
product, a number and a time. For those, reading each row into a Python object
and asking the price book about it costs ~50 µs a quote; DuckDB reads and
judges a million in about a second. So a CSV or JSON Lines export whose every
record is a plain quote is *claimed* by this path:

- DuckDB's own CSV or JSON reader reads it (each record keeps its ``file:line``).
- Each quote is matched in SQL against the price book's allowed ranges: per
  product, channel and stretch of time in which no price, promotion or VAT rate
  changes, the prices the channel may charge (list price, promotions, down to
  its ``max_discount``, within its tolerance). The ranges are computed from the
  :class:`~consistency.pricebook.PriceBook` itself, so the two paths cannot
  disagree about what is allowed.
- A quote outside every range (or on a day the clocks change, where Python's
  reading of local time is the reference) goes back to Python as an ordinary
  Observation, through every check like any other record.
- The quotes inside feed the grouped checks (per product-day-channel extremes,
  and the customer quotes in the run's store) and the quote statistics as
  aggregates, which merge with what the Python path gathered.

A file is claimed only when DuckDB reads it and every record is plain: known
columns (keys), ids and refs of plain characters, a known channel and product, a
plain number amount in the list's currency, a local ISO 8601 time, and no text,
promotion, answer or VAT flag. A JSON number keeps the text it was written with.
Anything else (a Hebrew amount, a JSON array, another encoding, a reading option)
is read by ``consistency.sources.files``:
this path only makes plain files fast, it never decides a case on its own.
Tests hold both paths to the same findings on random data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from .checks._grouped import Extreme
from .claims import (
    AMOUNT,
    PLAIN_COLUMNS,
    SAFE,
    STORED,
    TIME,
    WRITTEN,
    count_lines,
    csv_rows,
    jsonl_rows,
    layout_of,
    parquet_rows,
    plain_header,
    plain_types,
)
from .inputs.files import FileOptions
from .model import Location
from .result import QuoteStats
from .sources.jsonfile import from_json_line
from .sources.records import RecordContext, amount_text, record_id, to_observation

_FAR = 2**62  # microseconds: a span open at one end
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BUCKET_EPOCH_US = 946684800 * 10**6  # 2000-01-01, as consistency.checks._quotes.bucket
_SCALE = Decimal("1e-12")


@dataclass
class ClaimedFile:
    number: int
    path: str
    header: list[str]
    channel: str | None
    layout: str = "csv"  # "csv", "jsonl" or "parquet"


class Columnar:
    """Claims plain quote files, judges them in SQL, and hands the rest to the engine.

    ``claim(path, ctx)`` is called by the file reader for each export file;
    ``finish(engine, filters)`` feeds the quotes outside the allowed ranges to the
    engine as Observations and merges the aggregates of the others into it.
    """

    def __init__(self, context, store, rules):
        self.ctx = context
        self.book = context.book
        self.con = store.con
        self.rules = rules
        self.files: list[ClaimedFile] = []
        self._tables_made = False

    # --- claiming files -------------------------------------------------------------

    def claim(self, path: Path, ctx: RecordContext) -> bool:
        """Read ``path`` here if it is a plain quote export; False leaves it to Python."""
        if ctx.file != FileOptions():
            return False
        layout = layout_of(path)
        if layout is None:
            return False
        header = self._header(layout, path)
        if header is None:
            return False
        if not self._tables_made:
            self._make_tables()
        number = len(self.files)
        try:
            if not self._load(layout, path, header, ctx.default_channel, number):
                return False
        except Exception:  # noqa: BLE001 - any DuckDB refusal means: let Python read it
            self.con.execute("DELETE FROM cq WHERE file = ?", [number])
            return False
        self.files.append(ClaimedFile(number, str(path), list(header), ctx.default_channel, layout))
        return True

    def _header(self, layout: str, path: Path):
        """The columns a plain file of ``layout`` has (a Parquet file's with their types);
        None when they are not plain. JSON Lines records are checked one by one instead."""
        if layout == "csv":
            return plain_header(path)
        if layout == "jsonl":
            return {}
        try:
            described = self.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])
            types = {row[0]: row[1] for row in described.fetchall()}
            if not plain_types(types):
                return None
            # a plain value is short: a long one (a repeated dictionary value decodes to
            # gigabytes) is never loaded into the store; Python's reader says what it is
            texts = [f'max(length("{c}"))' for c, kind in types.items() if kind == "VARCHAR"]
            query = f"SELECT greatest(0, {', '.join(texts)}) FROM read_parquet(?)"
            longest = self.con.execute(query, [str(path)]).fetchone()[0] if texts else 0
        except Exception:  # noqa: BLE001 - not Parquet DuckDB can read: Python's reader says why
            return None
        return types if (longest or 0) <= 200 else None

    def _load(self, layout, path: Path, header, channel: str | None, number: int) -> bool:
        params = [number, channel, str(path)]
        if layout == "parquet":
            self._insert(parquet_rows(header), params)
            rows = self.con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)])
            return self._plain(number, rows.fetchone()[0])
        lines = count_lines(path)
        if lines is None:
            return False
        if layout == "csv":
            self._insert(csv_rows(header), params)
            return self._plain(number, lines - 1)
        self._insert(jsonl_rows(), params)
        return self._plain(number, lines)

    def _insert(self, rows_sql: str, params: list) -> None:
        """Insert one file's rows (``rows_sql`` gives line, raw_*, raw_json, shaped) into cq.

        An amount written otherwise than as a plain number (``89.90 ש"ח``, ``NIS 89.9``)
        is read by Python's own amount reader, called by DuckDB for those rows only; its
        plain text becomes ``raw_amount`` and what was written is kept in ``written``.
        A record without an ``id`` gets the one Python gives it (a hash of what it says),
        computed by the same function, called by DuckDB for those rows only."""
        self.con.execute(
            f"""
            INSERT INTO cq
            SELECT ? AS file, line, {STORED}, coalesce(raw_channel, ?) AS channel,
                   TRY_CAST(raw_at AS TIMESTAMP) AS local_ts,
                   TRY_CAST(plain AS DECIMAL(18, 4)) AS amount, raw_json, shaped,
                   CASE WHEN plain IS DISTINCT FROM raw_amount THEN raw_amount END AS written
            FROM (
                SELECT *, CASE WHEN regexp_full_match(raw_amount, '{AMOUNT}') THEN raw_amount
                               WHEN raw_amount IS NOT NULL AND length(raw_amount) <= 100
                               THEN consistency_amount(raw_amount, raw_currency) END AS plain
                FROM ({rows_sql})
            )
            """,
            params,
        )

    def _plain(self, number: int, rows_expected: int) -> bool:
        """Every row of the file just loaded is plain, and its lines are its rows."""
        known_channels = list(self.ctx.channels)
        products = list(self.book.list.products)
        rows, plain = self.con.execute(
            f"""
            SELECT count(*), coalesce(bool_and(
                shaped AND regexp_full_match(raw_id, '{SAFE}')
                AND (raw_customer IS NULL OR regexp_full_match(raw_customer, '{SAFE}'))
                AND (raw_ref IS NULL OR regexp_full_match(raw_ref, '{SAFE}'))
                AND (raw_agent IS NULL OR regexp_full_match(raw_agent, '{SAFE}'))
                AND list_contains(?, channel) AND list_contains(?, raw_product)
                AND regexp_full_match(raw_amount, '{AMOUNT}') AND amount IS NOT NULL
                AND regexp_full_match(raw_at, '{TIME}') AND local_ts IS NOT NULL
                AND year(local_ts) BETWEEN 1900 AND 2200
                AND (raw_currency IS NULL OR raw_currency = ?)
            ), true)
            FROM cq WHERE file = ?
            """,
            [known_channels, products, self.book.currency, number],
        ).fetchone()
        if not plain or rows != rows_expected:
            self.con.execute("DELETE FROM cq WHERE file = ?", [number])
            return False
        return True

    # --- judging ----------------------------------------------------------------------
    # The queries are consistency.plan's, one text for DuckDB and (transpiled) Spark.

    def finish(self, engine, filters) -> None:
        """Feed the quotes outside the allowed ranges to ``engine``; merge the rest into it."""
        if not self.files:
            return
        self._spans(self._span_rows())
        odd = self._transition_days()
        self._table("judged", plan.judge(self.ctx.timezone.key, odd, filters))
        engine.feed(self._outside(), filters)
        self._merge_counts(engine.result)
        for rule, state in engine.grouped:
            try:  # a bug in one check's merge is its internal-error finding, as in the engine
                if rule.check == "cross-channel-gap":
                    self._merge_gaps(rule, state)
                elif rule.check == "customer-quote-conflict":
                    self._merge_customers(rule, state)
            except Exception as err:
                engine.internal_error(rule, err)

    def _outside(self):
        """The quotes the SQL did not accept, as the Python reader would have built them."""
        ctx = RecordContext(self.ctx.timezone, self.book.currency, frozenset(self.ctx.channels))
        files = {f.number: f for f in self.files}
        for rows in self._batches(plan.outside(WRITTEN)):
            for file, line, text, *values in rows:
                claimed = files[file]
                item_ctx = ctx if claimed.channel is None else _with_channel(ctx, claimed.channel)
                where = Location(claimed.path, line)
                if text is not None:  # JSON Lines: decoded as Python's reader decodes it
                    yield from_json_line(text, where, item_ctx)
                    continue
                raw = dict(zip(PLAIN_COLUMNS, values, strict=True))
                record = {c: raw[c] if raw[c] is not None else "" for c in claimed.header}
                yield to_observation(record, where, item_ctx)

    def _merge_counts(self, result) -> None:
        for channel, product, n, low, high, list_price, latest in self._rows(plan.counts()):
            result.observations += n
            result.channels.add(channel)
            stats = QuoteStats(n, Decimal(low), Decimal(high), _dec(list_price), _at(latest))
            result.quotes.setdefault((channel, product), QuoteStats()).merge(stats)

    def _merge_gaps(self, rule, state) -> None:
        window = (rule.window or timedelta(days=1)) // timedelta(microseconds=1)
        skip = rule.options.get("ignore_promotions", True)
        state.merge_groups(self._extremes(plan.gaps(window, skip, rule.channels)))
        if skip:  # the promotions left out, for the finding to show them marked
            state.merge_promoted(self._extremes(plan.gaps(window, skip, rule.channels, True)))

    def _extremes(self, select: str) -> dict:
        """``{(window index, product): {channel: Extreme}}`` from a ``plan.gaps`` query."""
        groups: dict = {}
        for idx, product, channel, n, low, high in self._rows(select):
            extreme = Extreme(Decimal(low["a"]), self._ref(low))
            extreme.add(Decimal(high["a"]), self._ref(high))
            extreme.count = n
            groups.setdefault((idx, product), {})[channel] = extreme
        return groups

    def _ref(self, row) -> tuple:
        return (row["id"], _at(row["t"]).astimezone(self.ctx.timezone), row["ref"])

    def _merge_customers(self, rule, state) -> None:
        skip = rule.options.get("ignore_promotions", True)
        self._spill(state.spill, plan.customers(rule.channels, skip))

    # --- the engine's side: DuckDB here; consistency.spark_engine overrides these ---

    def _table(self, name: str, select: str) -> None:
        """Make table ``name`` from the rows of ``select``."""
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select}")

    def _rows(self, select: str) -> list:
        """Every row of ``select`` (a small result: aggregates)."""
        return self.con.execute(select).fetchall()

    def _batches(self, select: str):
        """The rows of ``select`` in lists of up to 10,000, never all in memory."""
        result = self.con.execute(select)
        while rows := result.fetchmany(10_000):
            yield rows

    def _spill(self, spill, select: str) -> None:
        """Add the rows of ``select`` to a customer-quote-conflict spill (same store)."""
        spill.insert_sql(select, [])

    def _date_range(self) -> tuple[date | None, date | None]:
        """The first and last local date of the claimed quotes (None, None for none)."""
        return tuple(self._rows(plan.days())[0])

    def _spans(self, rows: list[tuple]) -> None:
        """Make the ``spans`` table of ``_span_rows`` (see consistency.plan)."""
        self.con.execute(
            "CREATE OR REPLACE TABLE spans (span BIGINT, product VARCHAR, channel VARCHAR,"
            " t0 BIGINT, t1 BIGINT, list_price DECIMAL(38, 12))"
        )
        self.con.execute(
            "CREATE OR REPLACE TABLE ranges (span BIGINT, lo DECIMAL(38, 12),"
            " hi DECIMAL(38, 12), amount DECIMAL(38, 12), promotion BOOLEAN)"
        )
        if rows:
            spans = [(i, *row[:5]) for i, row in enumerate(rows)]
            ranges = [(i, *offer) for i, row in enumerate(rows) for offer in row[5]]
            self.con.executemany("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?)", spans)
            self.con.executemany("INSERT INTO ranges VALUES (?, ?, ?, ?, ?)", ranges)
        self.con.execute(
            """
            CREATE OR REPLACE TABLE spans AS
            SELECT sp.*, list(struct_pack(lo := r.lo, hi := r.hi, amount := r.amount,
                                          promotion := r.promotion)) AS offers
            FROM spans sp JOIN ranges r USING (span) GROUP BY ALL
            """
        )

    # --- the price book as tables -----------------------------------------------------

    def _make_tables(self) -> None:
        cols = ", ".join(f"raw_{c} VARCHAR" for c in PLAIN_COLUMNS)
        self.con.execute(
            f"CREATE OR REPLACE TABLE cq (file INTEGER, line BIGINT, {cols},"
            " channel VARCHAR, local_ts TIMESTAMP, amount DECIMAL(18, 4),"
            " raw_json VARCHAR, shaped BOOLEAN, written VARCHAR)"
        )
        reading = RecordContext(self.ctx.timezone, self.book.currency, frozenset(self.ctx.channels))
        self.con.create_function(
            "consistency_amount",
            lambda text, currency: amount_text(text, currency, reading),
            ["VARCHAR", "VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
        self.con.create_function(
            "consistency_record_id",
            lambda values: record_id(dict(zip(PLAIN_COLUMNS, values, strict=True))),
            ["VARCHAR[]"],
            "VARCHAR",
            side_effects=False,
        )
        self._tables_made = True

    def _span_rows(self) -> list[tuple]:
        """The price book as spans: ``(product, channel, t0, t1, list_price, offers)``, each
        offer ``(lo, hi, amount, promotion)``, as computed by the PriceBook itself."""
        spans: list[tuple] = []
        for product in self.book.list.products:
            edges = self._edges(product)
            for t0, t1 in zip([-_FAR, *edges], [*edges, _FAR], strict=True):
                probe = _at(max(t0, edges[0] - 1) if edges else 0)
                for channel in self.ctx.channels:
                    self._span(product, channel, t0, t1, probe, spans)
        return spans

    def _edges(self, product: str) -> list[int]:
        """Every instant (µs since 1970 UTC) at which what the product may cost can change."""
        book = self.book
        moments = [m for w in book.list.products[product].prices for m in (w.start, w.end)]
        moments += [m for p in book.promotions(product) for m in (p.start, p.end)]
        moments += [v.start for v in book.list.vat_rates]
        return sorted({_us(m) for m in moments if m is not None})

    def _span(self, product, channel, t0, t1, probe, spans) -> None:
        book = self.book
        offers = book.offers(product, channel, probe)
        if not offers:
            return
        tolerance = book.tolerance(channel)
        rows = []
        for offer in offers:
            slack = _slack(tolerance, offer.amount)
            lo, hi = book.floor(offer.amount, channel) - slack, offer.amount + slack
            if any(v != v.quantize(_SCALE) for v in (lo, hi, offer.amount)):
                return  # not exact in SQL's decimals: leave this stretch to Python
            rows.append((lo, hi, offer.amount, offer.promotion is not None))
        spans.append((product, channel, t0, t1, book.price_at(product, probe), rows))

    def _transition_days(self) -> list[date]:
        """Local dates on which the zone's offset changes: Python reads those times."""
        low, high = self._date_range()
        if low is None:
            return []
        tz = self.ctx.timezone
        days, day = [], low
        while day <= high:
            start = datetime(day.year, day.month, day.day, tzinfo=tz)
            if (
                start.utcoffset() != (start + timedelta(days=1)).utcoffset()
                or (start + timedelta(hours=12)).utcoffset() != start.utcoffset()
            ):
                days.append(day)
            day += timedelta(days=1)
        return days


def _slack(tolerance, base: Decimal) -> Decimal:
    """How far past an offer's range a quote may be (``Threshold.within`` solved for the gap)."""
    slack = Decimal(0)
    if tolerance.amount is not None:
        slack = max(slack, tolerance.amount)
    if tolerance.percent is not None and base:
        slack = max(slack, tolerance.percent * abs(base) / 100)
    return slack


def _with_channel(ctx: RecordContext, channel: str) -> RecordContext:
    from dataclasses import replace

    return replace(ctx, default_channel=channel)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _at(us: int | None) -> datetime | None:
    return None if us is None else _EPOCH + timedelta(microseconds=us)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# Last: consistency.plan reads this module's PLAIN_COLUMNS and _us when it is imported.
from . import plan  # noqa: E402
