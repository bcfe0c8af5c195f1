"""The relational plan of the columnar engines: each query written once, run by DuckDB or Spark.

The queries are SQL text in DuckDB's dialect with their values written in as
literals (``lit``), so the same text runs on DuckDB as is and, transpiled by
SQLGlot (``to_spark``), on Apache Spark. Each query reads the tables the engine
made beforehand:

- ``cq``: the claimed quotes, one row per record: ``file`` (int), ``line``
  (int), ``raw_<column>`` (text, NULL when empty) for every column of
  ``PLAIN_COLUMNS``, ``raw_json`` (a JSON Lines record's text, else NULL), ``channel``, ``local_ts`` (the local time, no zone) and
  ``amount`` (DECIMAL(18, 4));
- ``judged``: ``judge``'s rows of ``verdict``'s (the duckdb engine judges each file's
  rows as it reads them: its ``cq`` holds ``verdict``'s columns, and ``judged`` is a view).

What SQLGlot does not map (DuckDB's ``epoch_us`` and ``timezone``) ``to_spark``
rewrites; the rest is SQLGlot's. The Spark session must run in UTC.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .columnar import _BUCKET_EPOCH_US, PLAIN_COLUMNS, _us

_RAW = ", ".join(f"raw_{c}" for c in PLAIN_COLUMNS)


def lit(value) -> str:
    """``value`` as a DuckDB SQL literal: text, whole numbers, decimals, dates, lists, None.

    >>> lit(["web", "it's"])
    "['web', 'it''s']"
    >>> lit(date(2026, 10, 25))
    "DATE '2026-10-25'"
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def verdict(timezone: str, quotes: str, spans: list[tuple]) -> str:
    """Each row of the relation ``quotes`` (``cq``'s columns but the verdict's), with its UTC
    instant ``t`` (µs), ``fits`` (an allowed offer's range holds its amount) and
    ``promoted`` (it is an allowed promotion's price).

    ``spans`` are ``Columnar._span_rows``: per product, channel and stretch of time
    ``[t0, t1)`` in which nothing that sets a price changes, the allowed offers
    ``(lo, hi, amount, promotion)``. They are few (products × channels × changes), so each
    quote finds its span by a CASE on product, channel and ``t`` written into the query,
    not by a join: the query stays a projection of the file's rows, which DuckDB runs in
    parallel and in file order. A quote with no span fits nothing.
    """
    tree: dict = {}
    for product, channel, t0, t1, offers in spans:
        tree.setdefault(product, {}).setdefault(channel, []).append((t0, t1, offers))

    def ranges(offers) -> str:
        return " OR ".join(f"amount BETWEEN {_dec(lo)} AND {_dec(hi)}" for lo, hi, _, _ in offers)

    def promotions(offers) -> str:
        return " OR ".join(f"amount = {_dec(a)}" for _, _, a, promo in offers if promo) or "false"

    fits = _by_span(tree, ranges, "false")
    promoted = _by_span(tree, promotions, "false")
    return f"""
        SELECT *, coalesce({fits}, false) AS fits, coalesce({promoted}, false) AS promoted
        FROM (SELECT *, epoch_us(timezone({lit(timezone)}, local_ts)) AS t FROM ({quotes})) AS q
    """


def _by_span(tree: dict, leaf, otherwise: str) -> str:
    """A CASE giving ``leaf(offers)`` for the span that holds a row (by ``raw_product``,
    ``channel`` and ``t``), else ``otherwise``. Spans that follow each other with the same
    leaf are one arm, and arms that give ``otherwise`` are left to the ELSE: the CASE is
    evaluated for every quote, so fewer arms are less work a row."""
    products = []
    for product, channels in tree.items():
        arms = []
        for channel, spans in channels.items():
            times = " ".join(
                f"WHEN t >= {t0} AND t < {t1} THEN ({text})"
                for t0, t1, text in _joined(spans, leaf)
                if text != otherwise
            )
            if times:
                arms.append(f"WHEN {lit(channel)} THEN CASE {times} ELSE {otherwise} END")
        if arms:
            products.append(
                f"WHEN {lit(product)} THEN CASE channel {' '.join(arms)} ELSE {otherwise} END"
            )
    if not products:
        return otherwise
    return f"CASE raw_product {' '.join(products)} ELSE {otherwise} END"


def _joined(spans: list[tuple], leaf) -> list[tuple]:
    """``(t0, t1, leaf text)`` of ``spans`` (``(t0, t1, offers)``), spans that meet and
    give the same text joined into one."""
    joined: list[list] = []
    for t0, t1, offers in sorted(spans, key=lambda span: span[0]):
        text = leaf(offers)
        if joined and joined[-1][1] == t0 and joined[-1][2] == text:
            joined[-1][1] = t1
        else:
            joined.append([t0, t1, text])
    return [tuple(span) for span in joined]


def _dec(value) -> str:
    """A decimal as an exact DECIMAL(38, 12) literal (None: NULL)."""
    return "NULL" if value is None else f"CAST('{value:f}' AS DECIMAL(38, 12))"


def judge(odd_days: list[date], filters, quotes: str = "cq") -> str:
    """The rows of ``quotes`` (``verdict``'s rows) the run judges, each with ``odd`` and
    ``accepted``: it fits, but never on ``odd_days`` (the local dates the clocks change,
    left to Python). Rows outside ``filters`` (``channels``, ``since``, ``until``) are
    dropped, except odd ones: Python applies the filters to those itself.
    """
    odd = (
        f"list_contains(CAST({lit(odd_days)} AS DATE[]), CAST(local_ts AS DATE))"
        if odd_days
        else "false"
    )
    return f"""
        SELECT *, NOT odd AND fits AS accepted
        FROM (SELECT *, {odd} AS odd FROM {quotes}) AS q
        WHERE odd OR ({_filters(filters)})
    """


def outside(amount: str = "raw_amount") -> str:
    """The quotes not accepted, as read: ``file, line, raw_json, raw_<column> ...`` in file
    order (``raw_json``: a JSON Lines record's text, else NULL); ``amount`` is the SQL
    expression that gives ``raw_amount``'s place its text."""
    raw = _RAW.replace("raw_amount", f"{amount} AS raw_amount")
    return f"""
        SELECT file, line, raw_json, {raw} FROM judged WHERE NOT accepted ORDER BY file, line
    """


def counts() -> str:
    """Per channel and product of the accepted quotes: count, the raw amounts of the lowest
    and highest, and the latest's instant (µs)."""
    return """
        SELECT channel, raw_product, count(*), min_by(raw_amount, amount),
               max_by(raw_amount, amount), max(t)
        FROM judged WHERE accepted GROUP BY channel, raw_product
    """


def gaps(window_us: int, ignore_promotions: bool, channels) -> str:
    """cross-channel-gap's state: per window (``idx``, local time), product, channel and
    ``promoted``, the count, the lowest and highest quote as ``{a, t, id, ref}`` (ties
    to the earlier quote, then the smaller id) and the latest quote's instant (µs). With
    ``ignore_promotions``, the quotes at an allowed promotion's price (``promoted``) are
    grouped apart: the gaps leave them out, and the finding shows them marked; without,
    ``promoted`` is false."""
    promoted = "promoted" if ignore_promotions else "false"
    w = window_us
    return f"""
        WITH g AS (
            SELECT *, epoch_us(local_ts) - {_BUCKET_EPOCH_US} AS since FROM judged
            WHERE accepted {_scope(channels)}
        )
        SELECT (since - ((since % {w}) + {w}) % {w}) // {w} AS idx,
               raw_product, channel, {promoted} AS promoted, count(*),
               min_by(struct_pack(a := raw_amount, t := t, id := raw_id, ref := raw_ref),
                      struct_pack(a := amount, t := t, id := raw_id)),
               min_by(struct_pack(a := raw_amount, t := t, id := raw_id, ref := raw_ref),
                      struct_pack(a := -amount, t := t, id := raw_id)),
               max(t)
        FROM g GROUP BY ALL
    """


def customers(channels, ignore_promotions: bool = True) -> str:
    """customer-quote-conflict's rows (``QuoteSpill.COLUMNS``) of the accepted quotes, but
    for those at an allowed promotion's price when ``ignore_promotions``."""
    skip = "AND NOT promoted" if ignore_promotions else ""
    return f"""
        SELECT raw_customer, raw_product, t, raw_amount, CAST(amount AS DOUBLE), channel,
               raw_id, raw_ref
        FROM judged WHERE accepted AND raw_customer IS NOT NULL {skip} {_scope(channels)}
    """


def days() -> str:
    """The first and last local date of the claimed quotes."""
    return "SELECT min(CAST(local_ts AS DATE)), max(CAST(local_ts AS DATE)) FROM cq"


def _filters(filters) -> str:
    clauses = ["true"]
    if filters is not None and filters.channels:
        clauses.append(f"list_contains({lit(sorted(filters.channels))}, q.channel)")
    if filters is not None and filters.since is not None:
        clauses.append(f"q.t >= {_us(filters.since)}")
    if filters is not None and filters.until is not None:
        clauses.append(f"q.t < {_us(filters.until)}")
    return " AND ".join(clauses)


def _scope(channels) -> str:
    return "" if channels is None else f"AND list_contains({lit(list(channels))}, channel)"


_SPARK_NAMES = {"EPOCH_US": "UNIX_MICROS"}


def to_spark(sql: str) -> str:
    """``sql`` (DuckDB's dialect) in Spark SQL's, by SQLGlot.

    DuckDB's ``epoch_us(ts)`` becomes ``unix_micros(ts)`` and ``timezone(zone, ts)``
    (a local time read in ``zone``) becomes ``to_utc_timestamp(ts, zone)``; both
    need the Spark session in UTC.
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    for node in list(tree.find_all(exp.Anonymous)):
        name = str(node.this).upper()
        if name in _SPARK_NAMES:
            node.set("this", _SPARK_NAMES[name])
        elif name == "TIMEZONE":
            zone, ts = node.expressions
            node.set("this", "TO_UTC_TIMESTAMP")
            node.set("expressions", [ts, zone])
    return tree.sql(dialect="spark")
