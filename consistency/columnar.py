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

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from .checks._grouped import Extreme
from .claims import (
    AMOUNT,
    ID,
    KEPT,
    PLAIN_COLUMNS,
    RAWS,
    SAFE,
    SAFE_LENGTH,
    STORED,
    STORED_SQL,
    TIME,
    brace_lines,
    csv_rows,
    jsonarray_rows,
    jsonl_rows,
    layout_of,
    numbered_rows,
    parquet_rows,
    plain_header,
    plain_types,
    scan_lines,
)
from .inputs.files import FileOptions
from .model import Location, SourceFailure
from .outputs import interruptible, released, stopped
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
    layout: str = "csv"  # "csv", "jsonl", "jsonarray" or "parquet"
    offset: int = 0  # a row's line (a Parquet row's number) is its rowid in cq plus this
    types: dict | None = None  # a Parquet file's columns and their types
    signature: tuple | None = None  # its size and time when it was read (_signature)


class Columnar:
    """Claims plain quote files, judges them in SQL, and hands the rest to the engine.

    ``claim(path, ctx)`` is called by the file reader for each export file;
    ``finish(engine, filters)`` feeds the quotes outside the allowed ranges to the
    engine as Observations and merges the aggregates of the others into it.
    """

    def __init__(self, context, store, rules):
        self.ctx = context
        self.book = context.book
        self.store = store
        self.con = store.con
        self.rules = rules
        self.files: list[ClaimedFile] = []
        self._odd_days: list[date] = []
        self._functions_made = False
        self.declined: list[str] = []  # the export files left to Python's reader
        self._local = threading.local()  # a loading thread's own connection (cursor)
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        self._ahead: dict = {}  # (real path, channel) -> (number, future): being loaded
        self._pool = None

    # --- claiming files -------------------------------------------------------------

    def claim(self, path: Path, ctx: RecordContext) -> bool:
        """Read ``path`` here if it is a plain quote export; False leaves it to Python (and
        names it in ``declined``, which ``--verbose`` prints)."""
        claimed = self._claim(path, ctx)
        if not claimed:
            self.declined.append(str(path))
        return claimed

    def prefetch(self, exports: list[tuple[str, str | None]]) -> None:
        """Start loading the export files the run will offer, ``(path, channel)`` each,
        several at once, one per store thread (a file's scan in Python and the serial parts
        of its statement then overlap another file's). ``claim`` then takes the one it is
        asked for; a file loaded but never asked for (the reader refused it) is dropped at
        ``finish``."""
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.store.threads))
        for path, channel in exports:
            key = (os.path.realpath(path), channel)
            if key not in self._ahead:
                number = next(self._numbers)
                future = self._pool.submit(self._load_on_cursor, Path(path), channel, number)
                self._ahead[key] = (number, future)

    def _claim(self, path: Path, ctx: RecordContext) -> bool:
        if ctx.file != FileOptions():
            return False
        ahead = self._ahead.pop((os.path.realpath(path), ctx.default_channel), None)
        if ahead is not None:
            number, loaded = ahead[0], ahead[1].result()
            if loaded is _PYTHON:  # it needs Python's functions: loaded here, alone
                for _number, other in self._ahead.values():
                    other.result()
                loaded = self._load_file(path, ctx.default_channel, number)
        else:
            number = next(self._numbers)
            loaded = self._load_file(path, ctx.default_channel, number)
        if loaded is None:
            return False
        self.files.append(replace(loaded, path=str(path)))
        return True

    def _load_on_cursor(self, path: Path, channel: str | None, number: int):
        """``_load_file`` on a connection of this thread's own (a cursor of the store's)."""
        cursor = interruptible(self.con.cursor())
        self._local.con = cursor
        try:
            return self._load_file(path, channel, number, functions=False)
        finally:
            del self._local.con
            cursor.close()
            released(cursor)

    @property
    def _db(self):
        """The connection loading runs on: this thread's cursor, else the store's."""
        return getattr(self._local, "con", self.con)

    def _load_file(self, path: Path, channel: str | None, number: int, functions: bool = True):
        """Load ``path`` into table ``cq_<number>`` if it is a plain quote export: its
        ``ClaimedFile``, or None. Without ``functions`` (on a loading thread: DuckDB calling
        Python functions from several connections at once crashed), a file that needs
        Python's amount reader or id hash gives ``_PYTHON``, to be loaded with them."""
        layout = layout_of(path)
        if layout is None:
            return None
        header = self._header(layout, path)
        if header is None:
            return None
        signature = _signature(str(path))
        # Python's amount reader and id hash (DuckDB functions) are called only for files
        # that need them: one whose header has no id (every record's id is a hash), or
        # one that is not plain read without them (it is read again with them).
        hashed = layout in ("csv", "parquet") and "id" not in header
        if hashed and not functions:
            return _PYTHON
        python = functions and (hashed or self._functions_made)
        offset = self._try_load(layout, path, header, channel, number, python)
        if offset is None and not python:
            if not functions:
                return _PYTHON
            offset = self._try_load(layout, path, header, channel, number, True)
        if offset is None:
            return None
        types = header if layout == "parquet" else None
        return ClaimedFile(
            number, str(path), list(header), channel, layout, offset, types, signature
        )

    def _header(self, layout: str, path: Path):
        """The columns a plain file of ``layout`` has (a Parquet file's with their types);
        None when they are not plain. JSON records are checked one by one instead."""
        if layout == "csv":
            return plain_header(path)
        if layout in ("jsonl", "jsonarray"):
            return {}
        try:
            described = self._db.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)])
            types = {row[0]: row[1] for row in described.fetchall()}
            if not plain_types(types):
                return None
            # a plain value is short: a long one (a repeated dictionary value decodes to
            # gigabytes) is never loaded into the store; Python's reader says what it is
            texts = [f'max(length("{c}"))' for c, kind in types.items() if kind == "VARCHAR"]
            query = f"SELECT greatest(0, {', '.join(texts)}) FROM read_parquet(?)"
            longest = self._db.execute(query, [str(path)]).fetchone()[0] if texts else 0
        except Exception:  # noqa: BLE001 - not Parquet DuckDB can read: Python's reader says why
            return None
        return types if (longest or 0) <= 200 else None

    def _try_load(self, layout, path, header, channel, number: int, python: bool) -> int | None:
        """``_load`` into a new table ``cq_<number>``, dropped again when the file is not
        plain (None)."""
        if python and not self._functions_made:
            with self._lock:
                if not self._functions_made:
                    self._make_functions()
        line = ", line BIGINT" if layout == "jsonarray" else ""  # else its rowid gives it
        self._db.execute(f"CREATE OR REPLACE TABLE cq_{number} ({_CQ_COLUMNS}{line})")
        try:
            offset = self._load(layout, path, header, channel, number, python)
        except Exception:  # noqa: BLE001 - any DuckDB refusal means: let Python read it
            if stopped() is not None:  # the run is stopping: its query was interrupted
                raise
            offset = None
        if offset is None:
            self._db.execute(f"DROP TABLE IF EXISTS cq_{number}")
        return offset

    def _load(self, layout, path: Path, header, channel, number: int, python: bool) -> int | None:
        """Load the file into ``cq_<number>``; the offset of its lines from its rowids, or
        None when it is not plain. With ``python``, Python's amount reader and id hash are
        called for the rows that need them."""
        params = [channel, str(path)]
        if layout == "parquet":
            self._insert(number, parquet_rows(header), params, python)
            rows = self._db.execute("SELECT count(*) FROM read_parquet(?)", [str(path)])
            return self._plain(number, rows.fetchone()[0], 1)
        if layout == "jsonarray":
            return self._load_array(number, path, params, python)
        scan = scan_lines(path)
        if scan is None:
            return None
        if layout == "csv":
            if scan.commas != scan.lines * (len(header) - 1):
                return None  # a field holds a comma, or a row has a field too many
            self._insert(number, csv_rows(header), params, python, safe=scan.safe)
            return self._plain(number, scan.lines - 1, 2)
        self._insert(number, jsonl_rows(), params, python)
        return self._plain(number, scan.lines, 1)

    def _load_array(self, number: int, path: Path, params: list, python: bool) -> int | None:
        """Load a JSON array: each element's line is the line of its ``{`` (in a plain array
        each ``{`` opens an element, so there must be as many of them as elements)."""
        lines = brace_lines(path)
        if not lines:
            return None
        table = f"lines_{number}"
        self._db.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS"
            " SELECT generate_subscripts(l, 1) AS k, unnest(l) AS line FROM (SELECT ? AS l)",
            [lines],
        )
        try:
            self._insert(number, jsonarray_rows(table), params, python, array=True)
        finally:
            self._db.execute(f"DROP TABLE {table}")
        return self._plain(number, len(lines), 1)

    def _insert(
        self,
        number: int,
        rows_sql: str,
        params: list,
        python: bool,
        array: bool = False,
        safe: bool = False,
    ) -> None:
        """Read, check and judge one file's rows (``rows_sql`` gives raw_*, raw_json and
        shaped, in file order; ``params``: the file's channel, if any, and its path) into
        ``cq_<number>``: each plain row with what the grouped
        checks and the statistics read (:data:`KEPT`) and ``plan.verdict``'s columns. The
        statement is a projection and filter of the file's rows, so DuckDB appends them
        in file order (its default ``preserve_insertion_order``): a row's line is its
        rowid plus the file's offset.
        What else a row says (its other fields, and its amount as written in ``written``)
        is kept only for the rows that fit no offer: those go to Python (``_outside``).

        An amount written otherwise than as a plain number (``89.90 ש"ח``, ``NIS 89.9``)
        is read by Python's own amount reader, called by DuckDB for those rows only; its
        plain text becomes ``raw_amount``.
        A record without an ``id`` gets the one Python gives it (a hash of what it says),
        computed by the same function, called by DuckDB for those rows only."""
        rows = f"""
            SELECT {KEPT}, {_ASIDE}, {self._plain_rule(safe)} AS ok FROM (
                SELECT {STORED if python else STORED_SQL},
                       coalesce(raw_channel, ?) AS channel,
                       TRY_CAST(raw_at AS TIMESTAMP) AS local_ts,
                       TRY_CAST(plain AS DECIMAL(18, 4)) AS amount, shaped, raw_json,
                       raw_amount AS written, line
                FROM (SELECT *, {_PLAIN_OR_PYTHON if python else "raw_amount"} AS plain
                      FROM ({rows_sql}))
            )
        """
        verdict = plan.verdict(self.ctx.timezone.key, rows, self._span_list)
        # An element of a JSON array keeps its text: its line is not its rowid (no reading again).
        texts = [f"CAST({c} AS VARCHAR)" for c in _ASIDE.split(", ")]  # raw_json is JSON
        kept = ", ".join(t if array and "raw_json" in t else "NULL" for t in texts)
        self._db.execute(  # a row not plain is left out: then the file is not plain
            f"INSERT INTO cq_{number} BY NAME"
            f" SELECT * EXCLUDE (ok, {'' if array else 'line, '}fits, promoted, {_ASIDE}),"
            " CAST(fits AS UTINYINT) + 2 * CAST(promoted AS UTINYINT) AS verdict,"
            f" CASE WHEN fits THEN {'[' + kept + ']' if array else 'NULL'}"
            f" ELSE [{', '.join(texts)}] END AS aside FROM ({verdict}) WHERE ok",
            params,
        )

    def _plain_rule(self, safe: bool = False) -> str:
        """Whether a row is plain (see the module's docstring), as a DuckDB expression: one
        regular expression over its ids, amount and time joined by commas (none of which
        may hold a comma), as the separate rules :data:`SAFE`, :data:`AMOUNT`, :data:`TIME`.
        In a ``safe`` file (every byte one of SAFE's characters, a comma or a line end, as
        ``scan_lines`` finds) an id's characters need no check, only its length."""
        if safe:
            lengths = " AND ".join(
                f"coalesce(strlen(raw_{c}) <= {SAFE_LENGTH}, true)"
                for c in ("customer", "ref", "agent")
            )
            texts = f"""raw_id IS NOT NULL AND strlen(raw_id) <= {SAFE_LENGTH} AND {lengths}
                AND regexp_full_match(raw_amount, '{_bare(AMOUNT)}')
                AND regexp_full_match(raw_at, '{_bare(TIME)}')"""
        else:
            joined = "raw_id, ',', " + ", ',', ".join(
                f"coalesce(raw_{c}, '-')" for c in ("customer", "ref", "agent")
            )
            pattern = ",".join([_bare(SAFE)] * 4 + [_bare(AMOUNT), _bare(TIME)])
            texts = (
                f"regexp_full_match(concat({joined}, ',', raw_amount, ',', raw_at), '{pattern}')"
            )
        return f"""coalesce(
            shaped
            AND {texts}
            AND list_contains({plan.lit(list(self.ctx.channels))}, channel)
            AND list_contains({plan.lit(list(self.book.list.products))}, raw_product)
            AND amount IS NOT NULL AND local_ts IS NOT NULL
            AND year(local_ts) BETWEEN 1900 AND 2200
            AND (raw_currency IS NULL OR raw_currency = {plan.lit(self.book.currency)}),
            false)"""

    def _plain(self, number: int, rows_expected: int, first: int) -> int | None:
        """The offset of the lines of the file just loaded from its rowids (its first row
        is line ``first``), or None unless every row is plain, its lines are its rows and
        its rowids follow each other."""
        rows, low, high = self._db.execute(
            f"SELECT count(*), min(rowid), max(rowid) FROM cq_{number}"
        ).fetchone()
        if rows != rows_expected:  # a row was not plain (so left out), or lines are not rows
            return None
        if rows and high - low + 1 != rows:
            return None
        return first - (low or 0)

    # --- judging ----------------------------------------------------------------------
    # The queries are consistency.plan's, one text for DuckDB and (transpiled) Spark.

    def finish(self, engine, filters) -> None:
        """Feed the quotes outside the allowed ranges to ``engine``; merge the rest into it."""
        self._settle()
        if not self.files:
            return
        self._view()
        self._judge(self._transition_days(), filters)
        self._errors = engine.result.errors  # a file rewritten during the run is one
        engine.feed(self._outside(), filters)
        counted = None  # the quote statistics, from cross-channel-gap's rows when it has all
        for rule, state in engine.grouped:
            try:  # a bug in one check's merge is its internal-error finding, as in the engine
                if rule.check == "cross-channel-gap":
                    rows = self._gap_rows(rule)
                    if counted is None and rule.channels is None:
                        counted = self._stats(rows)
                    self._merge_gaps(rows, rule, state)
                elif rule.check == "customer-quote-conflict":
                    self._merge_customers(rule, state)
            except Exception as err:
                engine.internal_error(rule, err)
        self._merge_counts(engine.result, counted)

    def _outside(self):
        """The quotes the SQL did not accept, as the Python reader would have built them."""
        ctx = self._reading()
        files = {f.number: f for f in self.files}
        for rows in self._outside_rows():
            if isinstance(rows, SourceFailure):
                yield rows
                continue
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

    def _outside_rows(self):
        """Batches of ``(file, line, raw_json, raw_<column> ...)`` of the quotes not accepted,
        in file order. cq keeps what else a row says only for the rows that fit no offer;
        on a day the clocks change, quotes that fit go to Python too, so then each file
        that has such quotes is read again (its rows numbered) for theirs. A file changed
        since it was read (size or time) is not: it is a ``SourceFailure``, and its
        quotes that go to Python are not judged (the run says to run it again)."""
        if not self._odd_days:
            yield from self._batches(plan.outside("written"))
            return
        if not self._functions_made:  # the id hash, named in the query
            self._make_functions()
        for claimed in self.files:
            if claimed.layout == "jsonarray":  # its elements' texts are kept in cq
                yield from self._batches(
                    f"SELECT file, line, raw_json, {RAWS} FROM judged"
                    f" WHERE file = {claimed.number} AND NOT accepted ORDER BY line"
                )
                continue
            lines = f"SELECT line FROM judged WHERE file = {claimed.number} AND NOT accepted"
            if not self.con.execute(f"SELECT EXISTS ({lines})").fetchone()[0]:
                continue
            if _signature(claimed.path) != claimed.signature:  # rewritten since it was read
                self._errors.append(f"cannot read {claimed.path}: {_CHANGED}")
                yield SourceFailure(claimed.channel or "?", claimed.path, _CHANGED)
                continue
            again = numbered_rows(claimed.layout, claimed.types or claimed.header)
            select = f"""
                SELECT {claimed.number}, line, raw_json, {_RAW_ID}
                FROM ({again}) AS r SEMI JOIN ({lines}) AS j USING (line) ORDER BY line
            """
            yield from self._batches(select, [claimed.path])

    def _merge_counts(self, result, counted: list | None = None) -> None:
        """Merge the accepted quotes' statistics into ``result``: ``counted`` (``_stats``),
        or the rows of ``plan.counts``."""
        if counted is None:
            counted = [
                (channel, product, n, Decimal(low), Decimal(high), latest)
                for channel, product, n, low, high, latest in self._rows(plan.counts())
            ]
        for channel, product, n, low, high, latest in counted:
            result.observations += n
            result.channels.add(channel)
            list_price = self.book.price_at(product, _at(latest))  # as its span's
            stats = QuoteStats(n, low, high, list_price, _at(latest))
            result.quotes.setdefault((channel, product), QuoteStats()).merge(stats)

    @staticmethod
    def _stats(gap_rows: list) -> list:
        """The quote statistics (as ``_merge_counts`` takes them) from the rows of
        ``plan.gaps`` over every channel: each group's count, extremes and latest quote
        (QuoteStats merge exactly), so the accepted quotes are grouped once, not twice."""
        return [
            (channel, product, n, Decimal(low["a"]), Decimal(high["a"]), latest)
            for _idx, product, channel, _promoted, n, low, high, latest in gap_rows
        ]

    def _gap_rows(self, rule) -> list:
        window = (rule.window or timedelta(days=1)) // timedelta(microseconds=1)
        skip = rule.options.get("ignore_promotions", True)
        return self._rows(plan.gaps(window, skip, rule.channels))

    def _merge_gaps(self, rows: list, rule, state) -> None:
        skip = rule.options.get("ignore_promotions", True)
        groups: dict = {False: {}, True: {}}  # by promoted
        for idx, product, channel, promoted, n, low, high, _latest in rows:
            extreme = Extreme(Decimal(low["a"]), self._ref(low))
            extreme.add(Decimal(high["a"]), self._ref(high))
            extreme.count = n
            groups[promoted].setdefault((idx, product), {})[channel] = extreme
        state.merge_groups(groups[False])
        if skip:  # the promotions left out, for the finding to show them marked
            state.merge_promoted(groups[True])

    def _ref(self, row) -> tuple:
        return (row["id"], _at(row["t"]).astimezone(self.ctx.timezone), row["ref"])

    def _merge_customers(self, rule, state) -> None:
        skip = rule.options.get("ignore_promotions", True)
        self._spill(state.spill, plan.customers(rule.channels, skip))

    # --- the engine's side: DuckDB here; consistency.spark_engine overrides these ---

    def close(self) -> None:
        """Stop loading ahead (a run that ends early): files not started are not, and
        the statements running end before the store is closed."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _settle(self) -> None:
        """Wait for the files still loading; drop those the reader never asked for."""
        for number, future in self._ahead.values():
            future.result()
            self.con.execute(f"DROP TABLE IF EXISTS cq_{number}")
        self._ahead.clear()
        self.close()

    def _view(self) -> None:
        """Make ``cq``: every claimed file's table, each row with its line (its rowid plus
        its file's offset; a JSON array's elements have theirs)."""
        tables = [
            f"SELECT {f.number} AS file,"
            f" {'line' if f.layout == 'jsonarray' else f'rowid + {f.offset} AS line'},"
            f" * EXCLUDE ({'line, ' if f.layout == 'jsonarray' else ''}verdict, aside),"
            f" verdict % 2 = 1 AS fits, verdict >= 2 AS promoted, {_UNPACKED} FROM cq_{f.number}"
            for f in self.files
        ]
        self.con.execute(f"CREATE OR REPLACE VIEW cq AS {' UNION ALL '.join(tables)}")

    def _judge(self, odd_days: list[date], filters) -> None:
        """Make ``judged`` (``plan.judge``): a view, since cq holds each row's verdict."""
        self._odd_days = odd_days
        self.con.execute(f"CREATE OR REPLACE VIEW judged AS {plan.judge(odd_days, filters)}")

    def _rows(self, select: str) -> list:
        """Every row of ``select`` (a small result: aggregates)."""
        return self.con.execute(select).fetchall()

    def _batches(self, select: str, params: list | None = None):
        """The rows of ``select`` in lists of up to 10,000, never all in memory."""
        result = self.con.execute(select, params or [])
        while rows := result.fetchmany(10_000):
            yield rows

    def _spill(self, spill, select: str) -> None:
        """Add the rows of ``select`` to a customer-quote-conflict spill (same store): read
        where they are, when the spill is read, not copied."""
        spill.attach(select)

    def _date_range(self) -> tuple[date | None, date | None]:
        """The first and last local date of the claimed quotes (None, None for none)."""
        return tuple(self._rows(plan.days())[0])

    # --- the price book as tables -----------------------------------------------------

    @cached_property
    def _span_list(self) -> list[tuple]:
        """``_span_rows``, computed once for the run's files."""
        return self._span_rows()

    def _reading(self) -> RecordContext:
        """How Python's reader reads a record of this run (zone, currency, channels)."""
        return RecordContext(self.ctx.timezone, self.book.currency, frozenset(self.ctx.channels))

    def _make_functions(self) -> None:
        """Python's amount reader and id hash as DuckDB functions (DuckDB imports numpy for
        them: a tenth of a second, so only when a file needs them)."""
        # DuckDB refuses to add a function while a result is unfinished (a fetchone)
        self._db.execute("SELECT 1").fetchall()
        reading = self._reading()
        self._db.create_function(
            "consistency_amount",
            lambda text, currency: amount_text(text, currency, reading),
            ["VARCHAR", "VARCHAR"],
            "VARCHAR",
            null_handling="special",
            side_effects=False,
        )
        self._db.create_function(
            "consistency_record_id",
            lambda values: record_id(dict(zip(PLAIN_COLUMNS, values, strict=True))),
            ["VARCHAR[]"],
            "VARCHAR",
            side_effects=False,
        )
        self._functions_made = True

    def _span_rows(self) -> list[tuple]:
        """The price book as spans: ``(product, channel, t0, t1, offers)``, each offer
        ``(lo, hi, amount, promotion)``, as computed by the PriceBook itself."""
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
        spans.append((product, channel, t0, t1, rows))

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


# An amount as the SQL reads it: as written when plain, else as Python's reader reads it.
# Without Python's reader, the amount as written: the plain rule then tells if it is plain.
_PLAIN_OR_PYTHON = f"""CASE WHEN regexp_full_match(raw_amount, '{AMOUNT}') THEN raw_amount
    WHEN raw_amount IS NOT NULL AND length(raw_amount) <= 100
    THEN consistency_amount(raw_amount, raw_currency) END"""
# What cq keeps of a row only when it fits no offer (it goes to Python, as read).
_ASIDE = "raw_channel, raw_at, raw_currency, raw_agent, raw_json, written"
_RAW_ID = RAWS.replace("raw_id", f"{ID} AS raw_id")  # a record as read, with its id


_PYTHON = object()  # a file a loading thread leaves to the main one: it needs Python's functions
# A claimed file's table (cq_<number>): what KEPT gives (but the line, except in a JSON
# array: a row's rowid gives it), the verdict as one number (fits: 1,
# at a promotion's price: +2), and _ASIDE's values as one list. Few columns keep the insert
# parallel: DuckDB sets aside 4 MB a column for each thread of an insert in file order,
# within what its memory limit leaves (other files load at the same time).
_CQ_COLUMNS = (
    "raw_id VARCHAR, raw_customer VARCHAR, raw_product VARCHAR, raw_amount VARCHAR,"
    " raw_ref VARCHAR, channel VARCHAR, local_ts TIMESTAMP, amount DECIMAL(18, 4), t BIGINT,"
    " verdict UTINYINT, aside VARCHAR[]"
)
# cq's columns from _ASIDE's list in a claimed file's table.
_UNPACKED = ", ".join(f"aside[{k}] AS {c}" for k, c in enumerate(_ASIDE.split(", "), 1))
_CHANGED = "it changed while it was audited (its size or time): run the audit again"


def _signature(path: str) -> tuple | None:
    """A file's size and modification time (ns), to tell it was not rewritten."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _bare(pattern: str) -> str:
    """A ``^…$`` pattern without its anchors."""
    return pattern.removeprefix("^").removesuffix("$")


def _slack(tolerance, base: Decimal) -> Decimal:
    """How far past an offer's range a quote may be (``Threshold.within`` solved for the gap)."""
    slack = Decimal(0)
    if tolerance.amount is not None:
        slack = max(slack, tolerance.amount)
    if tolerance.percent is not None and base:
        slack = max(slack, tolerance.percent * abs(base) / 100)
    return slack


def _with_channel(ctx: RecordContext, channel: str) -> RecordContext:
    return replace(ctx, default_channel=channel)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _at(us: int | None) -> datetime | None:
    return None if us is None else _EPOCH + timedelta(microseconds=us)


# Last: consistency.plan reads this module's PLAIN_COLUMNS and _us when it is imported.
from . import plan  # noqa: E402
