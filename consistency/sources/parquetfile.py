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
from .records import RecordContext, to_observation

BATCH = 10_000


def read_parquet(path: Path, ctx: RecordContext) -> Iterator:
    """Every row as an Observation or an InvalidRecord naming ``file:row``."""
    import duckdb

    channel, name = ctx.default_channel or "?", str(path)
    con = duckdb.connect()
    try:
        cursor = con.execute("SELECT * FROM read_parquet(?)", [name])
        columns = [ctx.file.columns.get(c, c) for c, *_ in cursor.description]
        number = 0
        while rows := cursor.fetchmany(BATCH):
            for values in rows:
                number += 1
                item = parquet_record(dict(zip(columns, values, strict=True)))
                yield _observation(item, Location(name, number), ctx)
    except duckdb.Error as err:
        yield SourceFailure(channel, name, f"cannot read it as Parquet: {_first_line(err)}")
    finally:
        con.close()


def parquet_record(row: dict) -> dict:
    """A row's typed values as a record's: times as ISO 8601 text, empty values left out.

    >>> from datetime import datetime
    >>> parquet_record({"at": datetime(2026, 11, 1, 10), "amount": 89.9, "ref": None})
    {'at': '2026-11-01T10:00:00', 'amount': 89.9}
    """
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items() if v is not None}


def _observation(record: dict, where: Location, ctx: RecordContext):
    size = sum(len(str(v)) for v in record.values())
    if size > ctx.file.limits.record_size:
        limit = ctx.file.limits.record_size
        reason = f"row {where.line} is over the limit of {limit:,} characters (limits.record_size)"
        return InvalidRecord(where, reason, None, ctx.default_channel)
    return to_observation(record, where, ctx)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:300]
