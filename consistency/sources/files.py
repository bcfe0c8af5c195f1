"""Observation files: JSON Lines, a JSON array or CSV (SPEC 3.3), streamed record by record.

Every record keeps its ``file:line``. A record that cannot be read becomes an
InvalidRecord; a file that cannot be opened or decoded becomes a SourceFailure
after the records already read. Memory does not grow with the file: a JSON
array is decoded one element at a time.
"""

from __future__ import annotations

import csv
import glob
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from ..model import InvalidRecord, Location, SourceFailure
from .records import RecordContext, to_observation

CHUNK = 1 << 16
Reader = Callable[[Path, RecordContext], Iterator]
# format name -> reader; platform export adapters add theirs with register_format().
FORMATS: dict[str, Reader] = {}


def register_format(name: str, reader: Reader) -> None:
    FORMATS[name] = reader


def read_pattern(pattern: str, fmt: str, ctx: RecordContext) -> Iterator:
    """Every file matching ``pattern`` (sorted), read with format ``fmt``."""
    paths = sorted(glob.glob(pattern, recursive=True))
    if not paths:
        yield SourceFailure(ctx.default_channel or "?", pattern, "no file matches")
        return
    reader = FORMATS.get(fmt)
    if reader is None:
        known = ", ".join(sorted(FORMATS))
        yield SourceFailure(
            ctx.default_channel or "?", pattern, f"unknown format {fmt!r} ({known})"
        )
        return
    for path in paths:
        yield from reader(Path(path), ctx)


def read_records(path: Path, ctx: RecordContext) -> Iterator:
    """A plain records file; the layout is told by the extension, or by the first character."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = _first_char(fh)
            fh.seek(0)
            if path.suffix.lower() in (".csv", ".tsv"):
                yield from _csv(fh, path, ctx)
            elif first == "[":
                yield from _json_array(fh, path, ctx)
            else:
                yield from _json_lines(fh, path, ctx)
    except OSError as err:
        yield SourceFailure(ctx.default_channel or "?", str(path), err.strerror or str(err))
    except UnicodeDecodeError as err:
        yield SourceFailure(ctx.default_channel or "?", str(path), f"not UTF-8 text ({err.reason})")


register_format("records", read_records)


def _first_char(fh) -> str:
    while chunk := fh.read(256):
        stripped = chunk.lstrip()
        if stripped:
            return stripped[0]
    return ""


def _json_lines(fh, path: Path, ctx: RecordContext) -> Iterator:
    name = str(path)
    for number, line in enumerate(fh, 1):
        if not line.strip():
            continue
        where = Location(name, number)
        try:
            record = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as err:
            yield InvalidRecord(
                where, f"not JSON: {err.msg}", None, ctx.default_channel, line[:200]
            )
            continue
        yield _from_object(record, where, ctx)


def _from_object(record, where: Location, ctx: RecordContext):
    if not isinstance(record, dict):
        return InvalidRecord(where, "a record must be a JSON object", None, ctx.default_channel)
    return to_observation(record, where, ctx)


def _csv(fh, path: Path, ctx: RecordContext) -> Iterator:
    name = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(fh, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    width = len(header)
    line = reader.line_num
    for row in reader:
        where = Location(name, line + 1)
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) > width:
            yield InvalidRecord(
                where, f"{len(row)} columns, the header has {width}", None, ctx.default_channel
            )
            continue
        yield to_observation(dict(zip(header, row, strict=False)), where, ctx)


def _json_array(fh, path: Path, ctx: RecordContext) -> Iterator:
    """Decode ``[{...}, {...}]`` one element at a time, counting lines as it goes."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    name, buffer, pos, line, started = str(path), "", 0, 1, False
    while True:
        pos, line, started = _skip(buffer, pos, line, started)
        if pos < len(buffer) and buffer[pos] == "]":
            return
        try:
            record, end = decoder.raw_decode(buffer, pos) if pos < len(buffer) else (None, -1)
        except json.JSONDecodeError as err:
            record, end, error = None, -1, err
        else:
            error = None
        if end == -1 or end == len(buffer):  # need more text, or a number may go on
            more = fh.read(CHUNK)
            if more:
                buffer, pos = buffer[pos:] + more, 0
                continue
            if error is not None:
                where = Location(name, line + buffer.count("\n", pos, error.pos))
                yield InvalidRecord(where, f"not JSON: {error.msg}", None, ctx.default_channel)
                return
            if end == -1:
                return
        yield _from_object(record, Location(name, line), ctx)
        line += buffer.count("\n", pos, end)
        pos = end


def _skip(buffer: str, pos: int, line: int, started: bool) -> tuple[int, int, bool]:
    """Step over white space, the opening bracket and commas between elements."""
    while pos < len(buffer):
        char = buffer[pos]
        if char == "\n":
            line += 1
        elif char == "[" and not started:
            started = True
        elif not (char.isspace() or (char == "," and started)):
            break
        pos += 1
    return pos, line, started
