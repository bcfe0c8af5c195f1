"""Observation files (SPEC 3.3): which files a source names, and each read record by record.

A source's ``files:`` patterns are matched (``**`` never follows a linked folder),
each file read once, and read with the reader of its ``format:`` (``formats.py``).
The plain ``records`` layout is JSON Lines, a JSON array, CSV, a spreadsheet or
Parquet, told by the extension or the first character: :mod:`.jsonfile`,
:mod:`.csvfile`, :mod:`.spreadsheets`, :mod:`.parquetfile`, over the text
:mod:`.textfiles` decodes.

Every record keeps its ``file:line`` (a spreadsheet's row). A record that cannot
be read becomes an InvalidRecord; a file that cannot be opened, or whose bytes do
not decode, is one SourceFailure for the whole file (the run fails, exit 2) after
every record that could be read. Memory does not grow with the file: lines are
read with a bound (``limits.record_size``), and a JSON array is decoded one element
at a time.
"""

from __future__ import annotations

import glob
import io
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from ..model import SourceFailure
from . import formats
from .csvfile import read_csv
from .jsonfile import read_json_array, read_json_lines
from .records import RecordContext
from .textfiles import UNKNOWN_ENCODING, Undecoded, detect_encoding, first_char

SPREADSHEETS = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_MAGIC = re.compile(r"[*?[]")


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
    if suffix == ".parquet":
        from .parquetfile import read_parquet

        yield from read_parquet(path, ctx)
        return
    channel = ctx.default_channel or "?"
    try:
        with path.open("rb") as raw:
            encoding = ctx.file.encoding or detect_encoding(raw)
            raw.seek(0)
            if encoding is None:
                yield SourceFailure(channel, str(path), UNKNOWN_ENCODING)
                return
            text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
            first = first_char(text)
            text.seek(0)
            tally = Undecoded(str(path), encoding)
            tabular = suffix in (".csv", ".tsv") or ctx.file.delimiter is not None
            if tabular or (suffix == ".txt" and first not in ("{", "[")):
                yield from read_csv(text, path, ctx, tally)
            elif first == "[":
                yield from read_json_array(text, path, ctx, tally)
            else:
                yield from read_json_lines(text, path, ctx, tally)
            if tally.count:
                yield SourceFailure(channel, str(path), tally.reason(ctx.file.encoding))
    except UnicodeDecodeError as err:  # a multi-byte encoding cut short (an odd UTF-16 byte)
        reason = f"cannot read it as {err.encoding}: {err.reason} at byte {err.start:,}"
        yield SourceFailure(channel, str(path), reason)
    except OSError as err:
        yield SourceFailure(channel, str(path), err.strerror or str(err))
