"""Parquet exports (``.parquet``) as observation records, read in batches by DuckDB.

A data lake's quotes are often Parquet. Each row is one SPEC 3.3 record, its
columns named as the fields (renamed by ``columns``); a record's location is
``file:N``, N its 1-based row number (Parquet has no lines). Typed columns are
read as what they hold: a DECIMAL amount keeps its scale (``89.90``), a DOUBLE
reads as its shortest text (``89.9``), a TIMESTAMP without a zone is a local
time and one with a zone an instant, whole numbers as ids read without ``.0``.

DuckDB (already the columnar engine) reads the file: batches of rows, so memory
does not grow with the file. A file it cannot open as Parquet is one
SourceFailure; a row whose text is over ``limits.record_size`` is an
InvalidRecord naming its row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ..model import InvalidRecord, Location, SourceFailure
from ..outputs import interruptible, released
from .records import RecordContext, to_observation

CHUNK_BYTES = 64 * 1024 * 1024  # at most about this much text of rows decoded at once
MEMORY = "256MB"  # DuckDB's own memory while it decodes the file
VECTOR = 2048  # rows DuckDB decodes at a time
MAX_RATIO = 1000  # text per byte of file no real export reaches (a dictionary bomb does)


def read_parquet(path: Path, ctx: RecordContext) -> Iterator:
    """Every row as an Observation or an InvalidRecord naming ``file:row``.

    A first pass measures the rows in SQL (their values as text; DuckDB reads a long
    repeated value once, so this is cheap even for a bomb). A file whose text is over
    1,000 times its size is refused whole: one long dictionary value repeated makes a
    1.6 KB file decode to gigabytes. A row over ``limits.record_size`` is an
    ``invalid-record`` and never reaches Python. Rows are then read so that at most
    about 64 MB of their text is decoded at once."""
    import duckdb

    channel, name = ctx.default_channel or "?", str(path)
    limit = ctx.file.limits.record_size
    con = interruptible(duckdb.connect(config={"memory_limit": MEMORY, "threads": 1}))
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [name]).fetchall()
        names = [row[0] for row in described]
        schema = con.execute("SELECT name, num_children FROM parquet_schema(?)", [name]).fetchall()
        top, i = [], 1  # the root's children: DuckDB renames a second "amount" to "amount_1"
        while i < len(schema):
            top.append(ctx.file.columns.get(schema[i][0], schema[i][0]))
            pending = 1
            while pending:  # skip the column's subtree (a struct's or a list's children)
                pending, i = pending + (schema[i][1] or 0) - 1, i + 1
        if twice := next((n for k, n in enumerate(top) if n in top[:k]), None):  # CWE-436
            yield SourceFailure(channel, name, f"the Parquet file names the column {twice!r} twice")
            return
        rows, total, widest = con.execute(_measure(names), [name]).fetchone()
        if total and total > MAX_RATIO * max(path.stat().st_size, 1):
            reason = f"its {rows:,} rows hold {total:,} characters: over {MAX_RATIO:,} per byte"
            yield SourceFailure(channel, name, f"{reason} of the file (a decompression bomb)")
            return
        columns = [ctx.file.columns.get(c, c) for c in names]
        for size, values, number in _rows(con, name, names, limit, rows, widest or 0):
            where = Location(name, number)
            if size > limit:
                yield _too_big(where, limit, ctx)
            else:
                item = parquet_record(dict(zip(columns, values, strict=True)))
                yield to_observation(item, where, ctx)
    except (duckdb.Error, OSError) as err:
        yield SourceFailure(channel, name, f"cannot read it as Parquet: {_first_line(err)}")
    finally:
        released(con)
        con.close()


def _size(names: list[str]) -> str:
    return " + ".join(f"coalesce(length(CAST({_q(n)} AS VARCHAR)), 0)" for n in names) or "0"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _measure(names: list[str]) -> str:
    """count, total and largest row size in characters (parameter: the path)."""
    return f"SELECT count(*), sum(s), max(s) FROM (SELECT {_size(names)} AS s FROM read_parquet(?))"


def _rows(con, name: str, names: list[str], limit: int, rows: int, widest: int):
    """(size, values, row number) for each row, in order, decoding at most ~64 MB at once:
    all rows in one query when ``VECTOR`` rows of the widest fit, else windows of rows."""
    values = ", ".join(f"CASE WHEN s <= {int(limit)} THEN {_q(n)} END" for n in names)
    select = f"SELECT s, file_row_number{', ' + values if values else ''} FROM (SELECT *, "
    select += f"{_size(names)} AS s FROM read_parquet(?, file_row_number = true))"
    step = rows if VECTOR * widest <= CHUNK_BYTES else max(1, CHUNK_BYTES // max(widest, 1))
    for start in range(0, rows, max(step, 1)):
        window = f"{select} WHERE file_row_number >= {start} AND file_row_number < {start + step}"
        cursor = con.execute(window, [name])  # one thread: the file's order
        while batch := cursor.fetchmany(VECTOR):
            for size, number, *rest in batch:
                yield size, rest, number + 1


def _too_big(where: Location, limit: int, ctx: RecordContext) -> InvalidRecord:
    reason = f"row {where.line} is over the limit of {limit:,} characters (limits.record_size)"
    return InvalidRecord(where, reason, None, ctx.default_channel)


def parquet_record(row: dict) -> dict:
    """A row's typed values as a record's: times as ISO 8601 text, empty values left out.

    >>> from datetime import datetime
    >>> parquet_record({"at": datetime(2026, 11, 1, 10), "amount": 89.9, "ref": None})
    {'at': '2026-11-01T10:00:00', 'amount': 89.9}
    """
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items() if v is not None}


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:300]
