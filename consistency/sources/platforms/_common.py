"""What every platform adapter shares: reading a JSON export within limits, naming bad JSON paths.

An export is read by :func:`documents`: a JSON array is streamed element by
element and JSON Lines line by line (each element or line one document, its
JSON path ``$[i]`` or its line), any other JSON file is read whole, up to
``limits.file_size`` bytes. Nesting and number sizes are checked as for plain
records (``jsonfile.json_decoder``); JSON is UTF-8 (RFC 8259) unless the source
says otherwise (``encoding``), so other bytes fail the file. HTML in a platform's message bodies becomes plain text with
:func:`plain_text` (``text.html``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ...model import InvalidRecord, Location, Observation, SourceFailure
from ...text.html import html_to_text
from .. import jsonfile, textfiles
from ..records import RecordContext, surrogate_in, surrogate_reason, to_observation


class Malformed(ValueError):
    """A field of an export that is missing or of the wrong type, at a JSON path."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path


def documents(path: Path, ctx: RecordContext) -> Iterator:
    """(JSON path, Location, document) for each document of an export file, or an
    InvalidRecord / SourceFailure saying why a part or the whole cannot be read."""
    channel = ctx.default_channel or "?"
    try:
        with path.open("rb") as raw:
            first = raw.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
            raw.seek(0)
            encoding = ctx.file.encoding or "utf-8-sig"
            text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape")
            if first == b"[":
                yield from _array(text, path, ctx)
            elif path.suffix.lower() in (".jsonl", ".ndjson"):
                yield from _lines(text, path, ctx)
            else:
                yield from _whole(raw, path, ctx, encoding)
    except OSError as err:
        yield SourceFailure(channel, str(path), err.strerror or str(err))


def _array(text, path: Path, ctx: RecordContext) -> Iterator:
    tally = textfiles.Undecoded(str(path), ctx.file.encoding or "UTF-8")
    for i, (where, value) in enumerate(jsonfile.json_array_values(text, str(path), ctx, tally)):
        yield value if isinstance(value, InvalidRecord) else (f"$[{i}]", where, value)
    if tally.count:
        yield _not_utf8(path, ctx, f"at line {tally.first}")


def _lines(text, path: Path, ctx: RecordContext) -> Iterator:
    limits = ctx.file.limits
    decoder = jsonfile.json_decoder(limits)
    for number, line in textfiles.bounded_lines(text, limits.record_size):
        where = Location(str(path), number)
        if line is textfiles.OVER:
            reason = f"line {number} is over the limit of {limits.record_size:,} characters"
            yield InvalidRecord(where, reason + " (limits.record_size)", None, ctx.default_channel)
        elif textfiles.UNDECODED.search(line):
            yield _not_utf8(path, ctx, f"at line {number}")
            return
        elif line.strip():
            value, problem = jsonfile.decode_json(decoder, line, limits)
            if problem:
                yield InvalidRecord(where, problem, "$", ctx.default_channel)
            else:
                yield "$", where, value


def _whole(raw, path: Path, ctx: RecordContext, encoding: str) -> Iterator:
    limits = ctx.file.limits
    size = os.fstat(raw.fileno()).st_size
    if size > limits.file_size:
        reason = f"{size:,} bytes, over the limit of {limits.file_size:,} (limits.file_size)"
        yield InvalidRecord(Location(str(path)), reason, "$", ctx.default_channel)
        return
    try:
        text = raw.read().decode(encoding)
    except UnicodeDecodeError as err:
        yield _not_utf8(path, ctx, f"({err.reason} at byte {err.start + 1})")
        return
    where = Location(str(path))
    try:
        value = jsonfile.json_decoder(limits).decode(text)
    except json.JSONDecodeError as err:
        where = Location(str(path), err.lineno, err.colno)
        yield InvalidRecord(where, f"not JSON: {err.msg}", "$", ctx.default_channel)
        return
    except jsonfile.OverLimit as err:
        yield InvalidRecord(where, str(err), "$", ctx.default_channel)
        return
    except RecursionError:
        yield InvalidRecord(where, jsonfile.too_deep_reason(limits), "$", ctx.default_channel)
        return
    value, problem = jsonfile.checked_depth(value, limits)
    if problem:
        yield InvalidRecord(where, problem, "$", ctx.default_channel)
    else:
        yield "$", where, value


def _not_utf8(path: Path, ctx: RecordContext, where: str) -> SourceFailure:
    if ctx.file.encoding:
        reason = f"not {ctx.file.encoding} text {where} (the source's `encoding`)"
    else:
        reason = f"not UTF-8 {where}: a JSON export is UTF-8 (RFC 8259); else set `encoding:`"
    return SourceFailure(ctx.default_channel or "?", str(path), reason)


def plain_text(body: str) -> str:
    """A message body as the customer saw it: HTML as plain text, a line per block.

    >>> plain_text("<p>סיב 500 ב-<b>₪99.90</b></p><p>לחודש</p>")
    'סיב 500 ב-₪99.90\\n\\nלחודש'
    >>> plain_text(" no markup ")
    'no markup'
    """
    return html_to_text(body).strip()


def invalid(where: Location, bad: Malformed, ctx: RecordContext) -> InvalidRecord:
    """An InvalidRecord naming the file (and line) and the JSON path of the bad field."""
    return InvalidRecord(where, f"{bad.path}: {bad}", bad.path, ctx.default_channel)


def need(node, key: str, kind, path: str):
    """``node[key]`` when it is of type ``kind``; else ``Malformed`` naming ``path.key``.

    >>> need({"a": 1}, "a", int, "$")
    1
    >>> need({"a": "x"}, "a", int, "$")
    Traceback (most recent call last):
    ...
    consistency.sources.platforms._common.Malformed: expected int, found str
    """
    if not isinstance(node, dict):
        raise Malformed(path, f"expected an object, found {type(node).__name__}")
    if key not in node or node[key] is None:
        raise Malformed(f"{path}.{key}", f"missing field {key!r}")
    value = node[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise Malformed(f"{path}.{key}", f"expected {names}, found {type(value).__name__}")
    return value


def observation(record: dict, meta: dict, where: Location, ctx: RecordContext) -> Iterator:
    """``to_observation`` on a SPEC 3.3 record, then the platform's detail put in ``meta``."""
    made = to_observation(record, where, ctx)
    yield replace(made, meta=meta) if isinstance(made, Observation) else made


def read_units(path: Path, ctx: RecordContext, to_record, units=None) -> Iterator:
    """Observations from one export file: each document (``documents``) split by
    ``units(data, at)`` into argument tuples (default: the document and its JSON path),
    each made a SPEC 3.3 record and meta by ``to_record(*unit)``. A unit ``to_record``
    finds ``Malformed`` is an ``invalid-record``; the next unit is read all the same. So is
    a unit (its first argument, at the JSON path that is its last) holding a string with a
    lone surrogate (``"\\ud800"``, which no report could hold: ``records.surrogate_in``)."""
    for item in documents(path, ctx):
        if isinstance(item, InvalidRecord | SourceFailure):
            yield item
            continue
        at, where, data = item
        for unit in units(data, at) if units else ((data, at),):
            if found := surrogate_in(unit[0], unit[-1]):
                yield invalid(where, Malformed(found[0], surrogate_reason(found[1])), ctx)
                continue
            try:
                record, meta = to_record(*unit)
            except Malformed as bad:
                yield invalid(where, bad, ctx)
                continue
            yield from observation(record, meta, where, ctx)
