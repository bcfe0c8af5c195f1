"""Reading an export's text: its encoding, the lines it cannot decode, lines of bounded length.

The encoding is the source's ``encoding``, else a byte-order mark, else UTF-8
when the text is UTF-8, else charset-normalizer's guess, Hebrew first (see
:func:`detect_encoding`). Bytes the encoding cannot decode are kept as
surrogates (``errors="surrogateescape"``, :data:`UNDECODED`) and the lines
holding them counted in an :class:`Undecoded` tally. :func:`bounded_lines` reads
with a bound (``limits.record_size``), so memory does not grow with a long line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import InvalidRecord, Location
from .records import RecordContext

CHUNK = 1 << 16
SAMPLE = 1 << 16  # bytes of text the encoding is guessed from
SCAN = 16 << 20  # bytes scanned for the first non-ASCII byte before assuming UTF-8
# When several encodings read a sample equally well: the Windows code pages Excel writes
# for our users, Hebrew first (charset-normalizer cannot tell them apart on short samples).
PREFERRED_ENCODINGS = ("cp1255", "cp1256", "cp1252", "cp1250", "cp1251", "cp1253")
UNDECODED = re.compile("[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"
UNKNOWN_ENCODING = "cannot tell the text encoding; set `encoding:` on the source"


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


def first_char(text) -> str:
    """The first character that is not white space, within the first :data:`SAMPLE`."""
    for _ in range(SAMPLE // CHUNK + 1):
        chunk = text.read(CHUNK)
        if not chunk:
            break
        if stripped := chunk.lstrip("\ufeff \t\r\n"):
            return stripped[0]
    return ""


class Over:
    """A line longer than the record limit (its text was not kept)."""


OVER = Over()


def bounded_lines(text, limit: int) -> Iterator[tuple[int, str | Over]]:
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


def over_limit(where: Location, what: str, limit: int, ctx: RecordContext) -> InvalidRecord:
    return InvalidRecord(
        where,
        f"{what} is over the limit of {limit:,} characters (limits.record_size)",
        None,
        ctx.default_channel,
    )
