"""Which export files the columnar engine reads itself, and the SQL that reads each layout.

A file is *claimed* (read by DuckDB, not by Python) when its layout is CSV, JSON
Lines, a JSON array or Parquet and every record in it is a plain quote (docs/engine.md, "What
the duckdb engine claims"). Each layout's reader gives the same rows, in file order (a
row's line, or a Parquet row's number, is its place in that order): ``raw_<column>`` for
every one of :data:`PLAIN_COLUMNS` as the file wrote it (NULL when absent), ``raw_json`` (a
JSON Lines record's text, else NULL) and ``shaped`` (whether the record has a
plain shape). :class:`consistency.columnar.Columnar` loads them into a table per file
and checks that every row is plain with :data:`SAFE`, :data:`AMOUNT` and
:data:`TIME`; any doubt leaves the file to Python's reader.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import NamedTuple

from .sources.files import SPREADSHEETS

# The columns a plain quote file may have; any other column makes the file Python's.
PLAIN_COLUMNS = ("id", "channel", "at", "customer", "product", "amount", "currency", "ref", "agent")
SAFE_LENGTH = 200
SAFE = rf"^[A-Za-z0-9_.:/#@+-]{{1,{SAFE_LENGTH}}}$"  # ids, refs, customers, agents: no quoting
AMOUNT = r"^[0-9]{1,12}([.][0-9]{1,4})?$"
# hours 00-23 only: DuckDB reads 24:00 as the next midnight, Python refuses it
TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def layout_of(path: Path) -> str | None:
    """``"csv"`` for a ``.csv`` export, ``"parquet"`` for a ``.parquet`` one, ``"jsonl"`` for
    JSON Lines and ``"jsonarray"`` for a JSON array (told, as Python's reader tells them, by
    a first ``{`` or ``[``), else None: the file is Python's."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        return suffix[1:]
    if suffix in (".tsv", ".txt") or suffix in SPREADSHEETS:
        return None
    try:
        with path.open("rb") as fh:
            first = fh.read(1)
    except OSError:
        return None
    return {b"{": "jsonl", b"[": "jsonarray"}.get(first)


RAWS = ", ".join(f"raw_{c}" for c in PLAIN_COLUMNS)
ID = f"coalesce(nullif(raw_id, ''), consistency_record_id([{RAWS}]))"  # as records.record_id
# A record as judged: its plain amount, and its id or the one Python would give it.
_PLAIN_AMOUNT = RAWS.replace("raw_amount", "plain AS raw_amount")
STORED = _PLAIN_AMOUNT.replace("raw_id", f"{ID} AS raw_id")
# The same without calling Python: a record without an id has none (it is then not plain).
STORED_SQL = _PLAIN_AMOUNT.replace("raw_id", "nullif(raw_id, '') AS raw_id")
# What cq keeps of a record: what the grouped checks and the quote statistics read (its
# file's number is the cq view's; its line too, but in a JSON array).
KEPT = "line, raw_id, raw_customer, raw_product, raw_amount, raw_ref, channel, local_ts, amount"
# A JSON number's text as written: DuckDB's JSON reader keeps only its double.
_NUMBER = r"""regexp_extract(json, '"amount"\s*:\s*([0-9][0-9.eE+-]*)', 1)"""


def numbered_rows(layout: str, header) -> str:
    """The rows of a claimed file of ``layout`` (parameter: its path) as its reader gives
    them, each with its ``line`` (a Parquet row's number from 1)."""
    if layout == "parquet":
        return parquet_rows(header, numbered=True)
    rows = csv_rows(header) if layout == "csv" else jsonl_rows()
    first = 1 if layout == "csv" else 0  # a CSV's first row is its second line
    return f"SELECT row_number() OVER () + {first} AS line, * EXCLUDE (line) FROM ({rows})"


def csv_rows(header: list[str]) -> str:
    """The rows of a plain CSV (parameter: its path), every field as written."""
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    raw = ", ".join(
        f'"{c}" AS raw_{c}' if c in header else f"NULL AS raw_{c}" for c in PLAIN_COLUMNS
    )
    return f"""
        SELECT {raw}, NULL AS raw_json, true AS shaped, CAST(NULL AS BIGINT) AS line
        FROM read_csv(?, header = true, columns = {columns}, auto_detect = false,
                      delim = ',', quote = '"', escape = '"', strict_mode = true,
                      null_padding = false)
    """


# Parquet column types read the same by DuckDB's cast to text as by Python's reader.
_WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_PARQUET_TYPES = {"text": ("VARCHAR", *_WHOLE), "amount": ("VARCHAR", "DOUBLE", *_WHOLE)}


def plain_types(types: dict[str, str]) -> bool:
    """Whether a Parquet file's columns (name -> DuckDB type) are plain quote columns."""
    if not set(types) <= set(PLAIN_COLUMNS) or not {"at", "product", "amount"} <= set(types):
        return False
    for column, kind in types.items():
        if column == "amount":
            ok = kind in _PARQUET_TYPES["amount"] or kind.startswith("DECIMAL(")
        elif column == "at":
            ok = kind in ("VARCHAR", "TIMESTAMP")
        else:
            ok = kind in _PARQUET_TYPES["text"]
        if not ok:
            return False
    return True


def parquet_rows(types: dict[str, str], numbered: bool = False) -> str:
    """The rows of a plain Parquet file (parameter: its path), numbered from 1, each value
    as the text Python's reader would see: a local TIMESTAMP in ISO 8601 (whole seconds
    only, or the row is not plain), numbers as DuckDB writes them (DECIMAL with its scale)."""

    def text(column: str) -> str:
        if column not in types:
            return f"NULL AS raw_{column}"
        if types[column] == "TIMESTAMP":
            return f"""strftime("{column}", '%Y-%m-%dT%H:%M:%S') AS raw_{column}"""
        return f"nullif(CAST(\"{column}\" AS VARCHAR), '') AS raw_{column}"

    whole = '"at" = date_trunc(\'second\', "at")' if types.get("at") == "TIMESTAMP" else "true"
    return f"""
        SELECT {"file_row_number + 1" if numbered else "CAST(NULL AS BIGINT)"} AS line,
               {", ".join(map(text, PLAIN_COLUMNS))},
               NULL AS raw_json, coalesce({whole}, true) AS shaped
        FROM read_parquet(?, file_row_number = {str(numbered).lower()})
    """


def jsonarray_rows(lines: str) -> str:
    """The elements of a JSON array file (parameter: its path) as ``jsonl_rows`` gives
    records, each with its ``line`` from table ``lines`` (``k``: the element's number
    from 1; ``line``: the line its ``{`` is on, see :func:`brace_lines`)."""
    rows = jsonl_rows("array", numbered=True)
    return f"SELECT r.* REPLACE (b.line AS line) FROM ({rows}) AS r JOIN {lines} AS b USING (k)"


def brace_lines(path: Path) -> list[int]:
    """The line of each ``{`` in the file, in order. In a JSON array of plain quotes (flat
    objects of plain values) each ``{`` opens one element, on the line Python's array
    reader gives it (it counts ``\n`` only, as this does)."""
    import numpy as np

    found, base = [], 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            data = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(data == ord("\n"))
            found.append(np.searchsorted(newlines, np.flatnonzero(data == ord("{"))) + base)
            base += len(newlines)
    return np.concatenate(found).tolist() if found else []


def jsonl_rows(form: str = "newline_delimited", numbered: bool = False) -> str:
    """The records of a JSON Lines file (parameter: its path), each with its line and text.

    A record is *shaped* when it is a flat object of known, distinct keys whose values
    are strings, but for an amount that may be a number, with no comma before its
    closing brace (DuckDB's reader takes ``{"amount": "1",}``; Python's refuses it). With
    ``numbered``, each record's number from 1 is ``k``. A number's text is taken from
    the line as written, and it must be the number DuckDB read, or the record is not plain.
    """
    texts = [c for c in PLAIN_COLUMNS if c != "amount"]
    fields = ", ".join(  # an empty value is no value, as Python's reader reads it
        f"nullif(json_extract_string(json, '$.{c}'), '') AS raw_{c}" for c in texts
    )
    strings = " AND ".join(f"coalesce(json_type(json, '$.{c}') = 'VARCHAR', true)" for c in texts)
    known = "[" + ", ".join(f"'{c}'" for c in PLAIN_COLUMNS) + "]"
    k = " k," if numbered else ""  # with numbered, each record's number from 1
    numbering = "WITH ORDINALITY AS e(json, k)" if numbered else ""
    return f"""
        SELECT {RAWS}, json AS raw_json, CAST(NULL AS BIGINT) AS line,{k}
               json_type(json) = 'OBJECT'
               AND NOT regexp_matches(json, ',\\s*}}')
               AND len(json_keys(json)) = len(list_distinct(json_keys(json)))
               AND list_has_all({known}, json_keys(json))
               AND {strings}
               AND (kind = 'VARCHAR' OR (kind IN ('DOUBLE', 'BIGINT', 'UBIGINT')
                    AND len(regexp_extract_all(json, '"amount"')) = 1
                    AND TRY_CAST(raw_amount AS DECIMAL(18, 4))
                        = TRY_CAST(json_extract_string(json, '$.amount') AS DECIMAL(18, 4))))
               AS shaped
        FROM (
            SELECT{k} json, {fields},
                   json_type(json, '$.amount') AS kind,
                   CASE json_type(json, '$.amount')
                        WHEN 'VARCHAR' THEN json_extract_string(json, '$.amount')
                        ELSE {_NUMBER} END AS raw_amount
            FROM read_json_objects(?, format = '{form}') {numbering}
        )
    """


def plain_header(path: Path) -> list[str] | None:
    """The header's column names when it is plain: ASCII, no quotes, known and unique names."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(4096)
    except OSError:
        return None
    if first.startswith(codecs.BOM_UTF8) or not first.isascii():
        return None
    names = [_unquoted(n) for n in first.decode("ascii").rstrip("\r\n").split(",")]
    if len(set(names)) != len(names) or not set(names) <= set(PLAIN_COLUMNS):
        return None
    if not {"at", "product", "amount"} <= set(names):
        return None
    return names


def _unquoted(name: str) -> str:
    """A header name without the quotes some exporters put around every name (``"id"``)."""
    if len(name) > 2 and name[0] == name[-1] == '"' and '"' not in name[1:-1]:
        return name[1:-1]
    return name


def count_lines(path: Path) -> int | None:
    """The file's lines (a last line without a newline counts), or None for stray CRs."""
    counted = scan_lines(path)
    return None if counted is None else counted.lines


class Scan(NamedTuple):
    """What :func:`scan_lines` finds in a file."""

    lines: int  # a last line without a newline counts
    commas: int
    safe: bool  # every byte is one of SAFE's characters, a comma or a line end


_SAFE_BYTES = bytes(c for c in range(128) if re.match(SAFE, chr(c)))


def scan_lines(path: Path, chunk_size: int = 1 << 22) -> Scan | None:
    """The file's lines and commas, and whether it is written in SAFE's characters only
    (besides commas and line ends), in one pass; None for stray CRs (a CR not before a
    newline, unless every line ends so). In a plain CSV no field holds a comma, so every
    line has one fewer than the header has names: a row with a trailing empty field
    (``…,89.90,``), which DuckDB's reader accepts and Python's refuses, shows as one comma
    too many. In a safe file no field needs SAFE's pattern checked, only its length."""
    newlines = returns = pairs = commas = others = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            if last == b"\r" and chunk.startswith(b"\n"):  # a CRLF across chunks
                pairs += 1
            rest = chunk.translate(None, _SAFE_BYTES)  # what is left is a few bytes a line
            newlines += rest.count(b"\n")
            commas += rest.count(b",")
            if b"\r" in rest:
                returns += rest.count(b"\r")
                pairs += chunk.count(b"\r\n")
            others += len(rest)
            last = chunk[-1:]
    if returns not in (0, newlines):
        return None
    safe = returns == pairs and others == newlines + returns + commas
    return Scan(newlines + (1 if last and last != b"\n" else 0), commas, safe)
