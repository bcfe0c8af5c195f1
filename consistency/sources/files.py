"""Observation files: JSON Lines, a JSON array or CSV (SPEC 3.3), streamed record by record.

Every record keeps its ``file:line``. A record that cannot be read becomes an
InvalidRecord; a file that cannot be opened or decoded becomes a SourceFailure
after the records already read. Memory does not grow with the file: a JSON
array is decoded one element at a time.
"""

from __future__ import annotations

import codecs
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
    """A plain records file; the layout is told by the extension, or by the first character.

    Lines are decoded one by one, so a byte that is not UTF-8 costs only its own
    line (an InvalidRecord), never the records around it.
    """
    try:
        with path.open("rb") as fh:
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


register_format("records", read_records)


def _first_char(fh) -> str:
    while chunk := fh.read(256):
        stripped = chunk.removeprefix(codecs.BOM_UTF8).lstrip()
        if stripped:
            return chr(stripped[0])
    return ""


def _lines(fh, path: Path, ctx: RecordContext, bad: list) -> Iterator[str]:
    """Decoded lines; an undecodable line is replaced by a blank one and noted in ``bad``."""
    for number, raw in enumerate(fh, 1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as err:
            reason = f"not UTF-8 text ({err.reason} at byte {err.start + 1} of the line)"
            bad.append(
                InvalidRecord(Location(str(path), number), reason, None, ctx.default_channel)
            )
            yield "\n"


def _json_lines(fh, path: Path, ctx: RecordContext) -> Iterator:
    name, bad = str(path), []
    for number, line in enumerate(_lines(fh, path, ctx, bad), 1):
        if bad:
            yield from bad
            bad.clear()
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
        if (item := _from_object(record, where, ctx)) is not None:
            yield item


def _from_object(record, where: Location, ctx: RecordContext):
    """The record's Observation or InvalidRecord; None for another worker's row."""
    if not isinstance(record, dict):
        return InvalidRecord(where, "a record must be a JSON object", None, ctx.default_channel)
    if ctx.skips(record.get("product")):
        return None
    return to_observation(record, where, ctx)


def _csv(fh, path: Path, ctx: RecordContext) -> Iterator:
    name = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    bad: list[InvalidRecord] = []
    reader = csv.reader(_lines(fh, path, ctx, bad), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip() for h in header]
    width = len(header)
    product = header.index("product") if "product" in header and ctx.partition else None
    line = reader.line_num
    for row in reader:
        if bad:
            yield from bad
            bad.clear()
        where = Location(name, line + 1)
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) > width:
            yield InvalidRecord(
                where, f"{len(row)} columns, the header has {width}", None, ctx.default_channel
            )
            continue
        if product is not None and product < len(row) and ctx.skips(row[product]):
            continue
        yield to_observation(dict(zip(header, row, strict=False)), where, ctx)


def _json_array(fh, path: Path, ctx: RecordContext) -> Iterator:
    """Decode ``[{...}, {...}]`` one element at a time, counting lines as it goes."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    name, buffer, pos, line, started = str(path), "", 0, 1, False
    chunks = _text_chunks(fh)
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
            more = next(chunks, "")
            if isinstance(more, UnicodeDecodeError):
                where = Location(name, line + buffer.count("\n", pos))
                yield SourceFailure(
                    ctx.default_channel or "?", str(where), f"not UTF-8 text ({more.reason})"
                )
                return
            if more:
                buffer, pos = buffer[pos:] + more, 0
                continue
            if error is not None:
                where = Location(name, line + buffer.count("\n", pos, error.pos))
                yield InvalidRecord(where, f"not JSON: {error.msg}", None, ctx.default_channel)
                return
            if end == -1:
                return
        if (item := _from_object(record, Location(name, line), ctx)) is not None:
            yield item
        line += buffer.count("\n", pos, end)
        pos = end


def _text_chunks(fh) -> Iterator:
    """Decoded chunks of a binary file; at a byte that is not UTF-8, the text before it, then
    the error itself."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    while raw := fh.read(CHUNK):
        if first:
            raw, first = raw.removeprefix(codecs.BOM_UTF8), False
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError as err:
            yield raw[: err.start].decode("utf-8", errors="ignore")
            yield err
            return
    yield decoder.decode(b"", final=True)


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
