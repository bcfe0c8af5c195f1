"""Observation files: JSON Lines, a JSON array, CSV or a spreadsheet (SPEC 3.3), record by record.

Every record keeps its ``file:line`` (a spreadsheet's row). A record that cannot
be read becomes an InvalidRecord; a file that cannot be opened, or whose bytes do
not decode, is one SourceFailure for the whole file (the run fails, exit 2) after
every record that could be read. Memory does not grow with the file: lines are
read with a bound (``limits.record_size``), and a JSON array is decoded one element
at a time.

The encoding is the source's ``encoding``, else a byte-order mark, else UTF-8
when the text is UTF-8, else charset-normalizer's guess, Hebrew first (see
:func:`detect_encoding`). The CSV delimiter is the source's ``delimiter``, else
tab for ``.tsv``, else what ``csv.Sniffer`` and the header line agree on.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import json
import os
import re
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..model import InvalidRecord, Location, SourceFailure
from . import formats
from .records import Limits, RecordContext, to_observation

CHUNK = 1 << 16
SAMPLE = 1 << 16  # bytes of text the encoding is guessed from
SCAN = 16 << 20  # bytes scanned for the first non-ASCII byte before assuming UTF-8
SPREADSHEETS = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = ",;\t|"
# When several encodings read a sample equally well: the Windows code pages Excel writes
# for our users, Hebrew first (charset-normalizer cannot tell them apart on short samples).
PREFERRED_ENCODINGS = ("cp1255", "cp1256", "cp1252", "cp1250", "cp1251", "cp1253")
_MAGIC = re.compile(r"[*?[]")
UNDECODED = re.compile("[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"


# --- which files ------------------------------------------------------------------------


def read_pattern(pattern: str, fmt: str, ctx: RecordContext, seen: set | None = None) -> Iterator:
    """Every file matching ``pattern`` (sorted), read with format ``fmt``.

    A file already in ``seen`` (real paths) is not read again, so a pattern that
    meets one file by two names, or two patterns of one source, read it once.
    """
    channel = ctx.default_channel or "?"
    try:
        reader = formats.get(fmt)
    except formats.UnknownFormat as err:
        yield SourceFailure(channel, pattern, str(err))
        return
    if problems := ctx.file.problems(fmt):
        yield SourceFailure(channel, pattern, "; ".join(f"{k}: {m}" for k, m in problems))
        return
    paths = matching_paths(pattern)
    if not paths:
        yield SourceFailure(channel, pattern, "no file matches")
        return
    seen = set() if seen is None else seen
    for path in paths:
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        refusal = refuse_file(path, literal=not _MAGIC.search(pattern))
        if refusal == "skip":
            continue
        if refusal:
            yield SourceFailure(channel, path, refusal)
            continue
        if fmt == "records" and ctx.claim is not None and ctx.claim(Path(path), ctx):
            continue  # read by the columnar path
        yield from reader(Path(path), ctx)


def matching_paths(pattern: str) -> list[str]:
    """The paths ``pattern`` names, sorted. ``**`` never descends into a linked folder, so a
    folder that links to its parent cannot make one file be read many times."""
    if not _MAGIC.search(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if _MAGIC.search(part))
    root = Path(*parts[:first]) if first else Path()
    rest = str(Path(*parts[first:]))
    return sorted(str(p) for p in root.glob(rest) if not _hidden(p.relative_to(root)))


def total_bytes(patterns) -> int:
    """Bytes of the regular files ``patterns`` name, each counted once; what cannot be
    examined (a link loop, a vanished file) counts 0 and is reported when it is read."""
    seen, total = set(), 0
    for pattern in patterns:
        for path in matching_paths(str(pattern)):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)  # as glob.glob leaves them


def refuse_file(path: str, *, literal: bool) -> str | None:
    """Why ``path`` cannot be read as an export (None: it can). A folder met by a wildcard is
    ``"skip"``; one named outright is an error, as are links that lead nowhere or in a loop,
    and pipes or devices (which could block or never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno == getattr(os, "ELOOP", None) or "symbolic links" in str(err.strerror):
            return "a loop of symbolic links"
        if os.path.islink(path):
            return "a symbolic link to nothing"
        return err.strerror or str(err)
    if stat.S_ISDIR(mode):
        return _DIRECTORY if literal else "skip"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device)"
    return None


_DIRECTORY = "a folder, not a file: name the files in it (for example folder/*.csv)"


# --- plain records ------------------------------------------------------------------------


def read_records(path: Path, ctx: RecordContext) -> Iterator:
    """A plain records file; the layout is told by the extension, or by the first character."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        from .spreadsheets import read_spreadsheet

        yield from read_spreadsheet(path, ctx)
        return
    channel = ctx.default_channel or "?"
    try:
        with path.open("rb") as raw:
            encoding = ctx.file.encoding or detect_encoding(raw)
            raw.seek(0)
            if encoding is None:
                yield SourceFailure(channel, str(path), _UNKNOWN_ENCODING)
                return
            text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
            first = _first_char(text)
            text.seek(0)
            tally = Undecoded(str(path), encoding)
            tabular = suffix in (".csv", ".tsv") or ctx.file.delimiter is not None
            if tabular or (suffix == ".txt" and first not in ("{", "[")):
                yield from _csv(text, path, ctx, tally)
            elif first == "[":
                yield from _json_array(text, path, ctx, tally)
            else:
                yield from _json_lines(text, path, ctx, tally)
            if tally.count:
                yield SourceFailure(channel, str(path), tally.reason(ctx.file.encoding))
    except OSError as err:
        yield SourceFailure(channel, str(path), err.strerror or str(err))


_UNKNOWN_ENCODING = "cannot tell the text encoding; set `encoding:` on the source"


@dataclass
class Undecoded:
    """The lines of one file whose bytes the chosen encoding cannot decode."""

    file: str
    encoding: str
    count: int = 0
    first: int | None = None

    def add(self, line: int) -> None:
        self.count += 1
        self.first = line if self.first is None else self.first

    def reason(self, declared: str | None) -> str:
        how = "the source's `encoding`" if declared else "detected"
        lines = "1 line is" if self.count == 1 else f"{self.count:,} lines are"
        return (
            f"{lines} not {self.encoding} text ({how}), first at line {self.first}; "
            "they were skipped. Set `encoding:` on the source to the export's encoding"
        )


def detect_encoding(raw) -> str | None:
    """The text encoding of a binary file, from its start (the file is left anywhere).

    A byte-order mark decides; a file that is ASCII as far as :data:`SCAN` bytes, or
    whose first non-ASCII stretch is UTF-8, is UTF-8; else charset-normalizer's best
    reading of that stretch, preferring :data:`PREFERRED_ENCODINGS` among equals.
    None when nothing reads it.
    """
    head = raw.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    raw.seek(0)
    sample = _non_ascii_sample(raw)
    if sample is None:
        return "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample)  # a cut-off last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    equals = {m.encoding for m in matches if m.chaos <= least + 0.01}
    preferred = next((name for name in PREFERRED_ENCODINGS if name in equals), None)
    return preferred or matches[0].encoding


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _non_ascii_sample(raw) -> bytes | None:
    """:data:`SAMPLE` bytes from the start of the line holding the first non-ASCII byte."""
    offset = 0
    while offset < SCAN and (chunk := raw.read(CHUNK)):
        if not chunk.isascii():
            at = next(i for i, b in enumerate(chunk) if b > 127)
            start = max(chunk.rfind(b"\n", 0, at) + 1, 0)
            raw.seek(offset + start)
            return raw.read(SAMPLE)
        offset += len(chunk)
    return None


def _first_char(text) -> str:
    """The first character that is not white space, within the first :data:`SAMPLE`."""
    for _ in range(SAMPLE // CHUNK + 1):
        chunk = text.read(CHUNK)
        if not chunk:
            break
        if stripped := chunk.lstrip("\ufeff \t\r\n"):
            return stripped[0]
    return ""


# --- bounded lines ------------------------------------------------------------------------


class _Over:
    """A line longer than the record limit (its text was not kept)."""


OVER = _Over()


def bounded_lines(text, limit: int) -> Iterator[tuple[int, str | _Over]]:
    """(line number, line) of a text file, a line over ``limit`` characters as ``OVER``:
    the rest of such a line is read in chunks and dropped, so memory stays bounded."""
    number = 0
    while line := text.readline(limit + 2):
        number += 1
        if len(line.rstrip("\r\n")) <= limit:
            yield number, line
            continue
        while line and not line.endswith(("\n", "\r")):
            line = text.readline(CHUNK)
        yield number, OVER


def _over(where: Location, what: str, limit: int, ctx: RecordContext) -> InvalidRecord:
    return InvalidRecord(
        where,
        f"{what} is over the limit of {limit:,} characters (limits.record_size)",
        None,
        ctx.default_channel,
    )


# --- JSON ---------------------------------------------------------------------------------


class OverLimit(ValueError):
    """A record over one of the :class:`Limits` (raised from inside the JSON decoder)."""


def json_decoder(limits: Limits) -> json.JSONDecoder:
    """A decoder that reads numbers as exact values and refuses absurd ones (a 4,301-digit
    integer, ``1E+999999999``) with :class:`OverLimit`, instead of stalling or failing later.
    ``-0`` stays a signed Decimal so that it can be refused as an amount."""
    digits = limits.number_digits

    def integer(token: str):
        if len(token) - token.startswith("-") > digits:
            raise OverLimit(f"a number of {len(token):,} digits (limits.number_digits: {digits})")
        return Decimal(token) if token == "-0" else int(token)

    def real(token: str) -> Decimal:
        if len(token) <= 20 and "e" not in token and "E" not in token:
            return Decimal(token)  # the common case: a plain decimal, within every limit
        mantissa, _, exponent = token.lower().partition("e")
        size = sum(c.isdigit() for c in mantissa)
        if size > digits or len(exponent) > 12:
            raise OverLimit(f"a number of {size:,} digits (limits.number_digits: {digits})")
        try:
            value = Decimal(token)
        except InvalidOperation:
            raise OverLimit(f"{token[:40]!r} is not a number") from None
        if value and abs(value.adjusted()) > digits:
            raise OverLimit(f"{token[:40]} is out of range (exponent over {digits})")
        return value

    return json.JSONDecoder(parse_int=integer, parse_float=real)


def decode_json(decoder: json.JSONDecoder, text: str, limits: Limits):
    """(value, None) or (None, reason) for one JSON text, depth and numbers checked."""
    try:
        value = decoder.decode(text)
    except OverLimit as err:
        return None, str(err)
    except json.JSONDecodeError as err:
        return None, f"not JSON: {err.msg}"
    except RecursionError:
        return None, too_deep_reason(limits)
    if text.count("[") + text.count("{") <= limits.depth:
        return value, None  # fewer brackets than the limit: it cannot nest deeper
    return checked_depth(value, limits)


def checked_depth(value, limits: Limits):
    return (None, too_deep_reason(limits)) if too_deep(value, limits.depth) else (value, None)


def too_deep_reason(limits: Limits) -> str:
    return f"nested deeper than the limit of {limits.depth} (limits.depth)"


def too_deep(value, limit: int) -> bool:
    """Whether ``value`` nests objects and arrays more than ``limit`` deep (no recursion).

    >>> too_deep({"a": [{"b": 1}]}, 3), too_deep({"a": [{"b": []}]}, 3)
    (False, True)
    """
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _json_lines(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    name, limits = str(path), ctx.file.limits
    decoder = json_decoder(limits)
    for number, line in bounded_lines(text, limits.record_size):
        where = Location(name, number)
        if line is OVER:
            yield _over(where, f"line {number}", limits.record_size, ctx)
            continue
        if UNDECODED.search(line):
            tally.add(number)
            continue
        if not line.strip() or (number == 1 and not line.lstrip("\ufeff").strip()):
            continue
        record, problem = decode_json(decoder, line.lstrip("\ufeff"), limits)
        if problem:
            yield InvalidRecord(where, problem, None, ctx.default_channel, line[:200])
        elif (item := _from_object(record, where, ctx)) is not None:
            yield item


def _from_object(record, where: Location, ctx: RecordContext):
    """The record's Observation or InvalidRecord; None for another worker's row."""
    if not isinstance(record, dict):
        return InvalidRecord(where, "a record must be a JSON object", None, ctx.default_channel)
    if ctx.file.columns:
        record = {ctx.file.columns.get(k, k): v for k, v in record.items()}
    if ctx.skips(record.get("product")):
        return None
    return to_observation(record, where, ctx)


def _json_array(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    """Decode ``[{...}, {...}]`` one element at a time, counting lines as it goes."""
    name = str(path)
    for where, value in json_array_values(text, name, ctx, tally):
        if isinstance(value, InvalidRecord | SourceFailure):
            yield value
        elif (item := _from_object(value, where, ctx)) is not None:
            yield item


@dataclass
class _Cursor:
    """Where the array decoder stands: its text buffer, position and line."""

    chunks: Iterator[str]
    buffer: str = ""
    pos: int = 0
    line: int = 1
    started: bool = False
    ended: bool = False

    def more(self) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        chunk = next(self.chunks, "")
        if not chunk:
            self.ended = True
            return False
        self.buffer, self.pos = self.buffer[self.pos :] + chunk, 0
        return True

    def advance(self, end: int) -> None:
        self.line += self.buffer.count("\n", self.pos, end)
        self.pos = end


def json_array_values(text, name: str, ctx: RecordContext, tally: Undecoded) -> Iterator:
    """(Location, element) for each element of a top-level JSON array, streamed; an element
    that cannot be read is (Location, InvalidRecord). An element over ``record_size``,
    too deep or with an absurd number is skipped without holding it in memory."""
    limits = ctx.file.limits
    decoder = json_decoder(limits)
    cur = _Cursor(iter(lambda: text.read(CHUNK), ""))
    while True:
        _skip_between(cur)
        if cur.pos >= len(cur.buffer) and not cur.more():
            return
        if cur.buffer[cur.pos] == "]":
            return
        where = Location(name, cur.line)
        value, end, problem = _decode_element(decoder, cur, limits)
        if end is None:  # not JSON, or cut off: the structure is unknown from here on
            reason = problem or "not JSON: the file ends inside an element"
            yield where, InvalidRecord(where, reason, None, ctx.default_channel)
            return
        undecoded = UNDECODED.search(cur.buffer, cur.pos, end) if end > cur.pos else None
        cur.advance(end)
        if undecoded:
            tally.add(where.line)
        elif problem:
            yield where, InvalidRecord(where, problem, None, ctx.default_channel)
        else:
            value, problem = checked_depth(value, limits)
            yield (
                where,
                value
                if problem is None
                else InvalidRecord(where, problem, None, ctx.default_channel),
            )


def _skip_between(cur: _Cursor) -> None:
    """Step over white space, the opening bracket and the commas between elements."""
    while True:
        match = _BETWEEN.match(cur.buffer, cur.pos)
        cur.advance(match.end())
        if cur.pos < len(cur.buffer) and cur.buffer[cur.pos] == "[" and not cur.started:
            cur.started = True
            cur.pos += 1
            continue
        if cur.pos < len(cur.buffer) or not cur.more():
            return


_BETWEEN = re.compile(r"[\s,]*")


def _decode_element(decoder, cur: _Cursor, limits: Limits):
    """(value, end, problem): the element at the cursor, reading more text while it is cut off.
    ``end`` None means the text is not JSON (problem says why) or ends inside the element
    (problem None)."""
    while True:
        try:
            value, end = decoder.raw_decode(cur.buffer, cur.pos)
        except (OverLimit, RecursionError) as err:
            reason = str(err) if isinstance(err, OverLimit) else None
            end = _skip_value(cur)
            return None, end, reason or too_deep_reason(limits)
        except json.JSONDecodeError as err:
            if len(cur.buffer) - cur.pos > limits.record_size:
                end = _skip_value(cur)
                return None, end, _element_over(limits)
            if cur.more():
                continue
            return None, None, f"not JSON: {err.msg}" if err.pos < len(cur.buffer) else None
        if end < len(cur.buffer) or cur.ended or not cur.more():  # a number may go on
            if end - cur.pos > limits.record_size:
                return None, end, _element_over(limits)
            return value, end, None


def _element_over(limits: Limits) -> str:
    return f"an element over the limit of {limits.record_size:,} characters (limits.record_size)"


_OUTSIDE = re.compile(r'["\[\]{},]')


def _next_special(buffer: str, pos: int, in_string: bool) -> tuple[str, int] | None:
    """The next character that matters to :func:`_skip_value`, and its index (``str.find`` in
    strings: a long string is skipped at memory speed)."""
    if not in_string:
        match = _OUTSIDE.search(buffer, pos)
        return (match.group(), match.start()) if match else None
    quote = buffer.find('"', pos)
    escape = buffer.find("\\", pos, len(buffer) if quote == -1 else quote)
    if escape != -1:
        return "\\", escape
    return ('"', quote) if quote != -1 else None


def _cannot_close(buffer: str, pos: int, depth: int) -> bool:
    """Whether the rest of ``buffer`` holds no string and too few closing brackets to get back
    to depth 0 (so it can be stepped over with counts instead of one step per bracket)."""
    if buffer.find('"', pos) != -1:
        return False
    return buffer.count("]", pos) + buffer.count("}", pos) < depth


def _depth_change(buffer: str, pos: int) -> int:
    opened = buffer.count("[", pos) + buffer.count("{", pos)
    return opened - buffer.count("]", pos) - buffer.count("}", pos)


def _skip_value(cur: _Cursor) -> int | None:
    """The end of the JSON value at the cursor, found without decoding it (strings, brackets and
    escapes tracked), reading and dropping text as it goes; None at the end of the file."""
    depth, in_string, pos = 0, False, cur.pos
    while True:
        if depth and not in_string and _cannot_close(cur.buffer, pos, depth):
            depth += _depth_change(cur.buffer, pos)  # a run of brackets: skip it whole
            cur.advance(len(cur.buffer))
            if not cur.more():
                return None
            pos = cur.pos
            continue
        found = _next_special(cur.buffer, pos, in_string)
        if found is None or (found[0] == "\\" and found[1] + 1 >= len(cur.buffer)):
            cur.advance(found[1] if found else len(cur.buffer))
            if not cur.more():
                return None
            pos = cur.pos
            continue
        char, at = found
        pos = at + 1
        if char == "\\":
            pos += 1
        elif char == '"':
            in_string = not in_string
            if not in_string and depth == 0:
                return pos
        elif char in "[{":
            depth += 1
        elif depth == 0:  # "," or a closing bracket ends a scalar at this level
            return at
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return pos


# --- CSV ----------------------------------------------------------------------------------


class _RecordTooBig(Exception):
    pass


@dataclass
class _Feed:
    """The lines handed to ``csv.reader``: it keeps the current record's lines (at most the
    record limit), so that after a bad record reading starts again at its second line."""

    lines: Iterator
    limit: int
    tally: Undecoded
    replay: deque = field(default_factory=deque)
    record: list = field(default_factory=list)
    size: int = 0
    tainted: bool = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        number, line = self.replay.popleft() if self.replay else next(self.lines)
        self.record.append((number, line))
        if line is OVER:
            raise _RecordTooBig
        self.size += len(line)
        if self.size > self.limit:
            raise _RecordTooBig
        if UNDECODED.search(line):
            self.tainted = True
        return line

    def start(self) -> None:
        self.record, self.size, self.tainted = [], 0, False

    @property
    def first(self) -> int | None:
        return self.record[0][0] if self.record else None

    def restart_after_first(self) -> None:
        """Give back the record's lines after its first (an over-long line is dropped)."""
        self.replay.extendleft(reversed([(n, x) for n, x in self.record[1:] if x is not OVER]))
        self.start()


def _csv(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    name, opts = str(path), ctx.file
    limit = opts.limits.record_size
    sample = text.read(SAMPLE)
    hint = _SEP_HINT.match(sample.lstrip("\ufeff"))
    delimiter = opts.delimiter or (hint and hint[1]) or sniff_delimiter(sample, path.suffix.lower())
    text.seek(0)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)  # a long transcript in one field is a record, not an error
    feed = _Feed(bounded_lines(text, limit), limit, tally)
    if hint:
        next(feed, None)  # Excel's "sep=;" line names the delimiter; it is not the header
    header = _csv_header(feed, delimiter, opts.columns)
    if header is None:
        return
    width = len(header)
    product = header.index("product") if "product" in header and ctx.partition else None
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    while True:
        feed.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_RecordTooBig, csv.Error) as err:
            where = Location(name, feed.first)
            if isinstance(err, csv.Error):
                yield InvalidRecord(where, f"not CSV: {err}", None, ctx.default_channel)
            else:
                yield _over(where, f"the record at line {feed.first}", limit, ctx)
            feed.restart_after_first()
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            continue
        if feed.tainted:
            tally.add(feed.first)
            continue
        if item := _csv_row(row, header, width, product, Location(name, feed.first), ctx):
            yield item


# Excel reads (and some exports write) a first line "sep=;" naming the delimiter.
_SEP_HINT = re.compile(r"sep=([^\r\n])\r?\n", re.IGNORECASE)
# Excel's way to keep leading zeros in a CSV cell: ="0501234567".
_TEXT_FORMULA = re.compile(r'="(.*)"', re.DOTALL)


def _csv_header(feed: _Feed, delimiter: str, columns) -> list[str] | None:
    """The header's field names, renamed by ``columns``."""
    try:
        header = next(csv.reader(feed, delimiter=delimiter, strict=True), None)
    except (_RecordTooBig, csv.Error):
        raise OSError(0, "the CSV header line cannot be read") from None
    if header is None:
        return None
    if feed.tainted:
        feed.tally.add(feed.first)
    names = (h.strip().lstrip("\ufeff").strip() for h in header)
    return [columns.get(n, n) for n in names]


def _csv_row(row, header, width, product, where: Location, ctx: RecordContext):
    if not row or (len(row) == 1 and not row[0].strip()):
        return None
    if len(row) > width:
        return InvalidRecord(
            where, f"{len(row)} columns, the header has {width}", None, ctx.default_channel
        )
    if product is not None and product < len(row) and ctx.skips(row[product]):
        return None
    cells = (m[1] if (m := _TEXT_FORMULA.fullmatch(cell)) else cell for cell in row)
    return to_observation(dict(zip(header, cells, strict=False)), where, ctx)


def sniff_delimiter(sample: str, suffix: str = ".csv") -> str:
    """The CSV delimiter of ``sample``: tab for ``.tsv``, else ``csv.Sniffer``'s choice when the
    header line holds it, else the candidate (``, ; tab |``) the header holds most, else ``,``.

    >>> sniff_delimiter("channel;at;amount\\nphone;15/12/2026;99,90\\n")
    ';'
    >>> sniff_delimiter("channel,at,amount\\nweb,2026-11-21,99.90\\n")
    ','
    """
    if suffix == ".tsv":
        return "\t"
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut its last line
    header = next((line for line in lines if line.strip()), "")
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and counts.get(found):
        return found
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, char: str) -> int:
    return sum(part.count(char) for part in line.split('"')[::2])
