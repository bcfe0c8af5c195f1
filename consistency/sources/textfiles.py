"""Reading an export's text: its encoding, the lines it cannot decode, lines of bounded length.

The encoding is the source's ``encoding``, else a byte-order mark, else UTF-8
when the first line that is not ASCII is UTF-8, else Windows-1255 (then the other
Windows code pages) when it reads as plausible text, else charset-normalizer's guess
(see :func:`detect_encoding`). Bytes the encoding cannot decode are kept as
surrogates (``errors="surrogateescape"``, :data:`UNDECODED`) and the lines
holding them counted in an :class:`Undecoded` tally. :func:`bounded_lines` reads
with a bound (``limits.record_size``), so memory does not grow with a long line.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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

    In order:

    1. a byte-order mark decides;
    2. a file that is ASCII as far as :data:`SCAN` bytes, or whose first line that is not
       ASCII is UTF-8, is UTF-8 (later lines that are not UTF-8 are then the reader's
       one undecoded-lines failure: two exports concatenated are not guessed whole as
       some single-byte code page);
    3. Windows-1255 when the sample reads as plausible Hebrew (:func:`plausible`): a short
       Hebrew export is Hebrew, never cp932 or big5 (charset-normalizer cannot tell on a
       line or two);
    4. else charset-normalizer's best reading, preferring :data:`PREFERRED_ENCODINGS`
       among equals (a plausible one first). None when nothing reads it.
    """
    head = raw.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    raw.seek(0)
    sample = _non_ascii_sample(raw)
    if sample is None or _first_non_ascii_line_is_utf8(sample):
        return "utf-8"
    if plausible(sample, PREFERRED_ENCODINGS[0]):
        return PREFERRED_ENCODINGS[0]
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    equals = {m.encoding for m in matches if m.chaos <= least + 0.01}
    ranked = sorted(
        (name for name in PREFERRED_ENCODINGS if name in equals),
        key=lambda name: not plausible(sample, name),
    )  # stable: a plausible reading first, then the preference order
    return ranked[0] if ranked else matches[0].encoding


def _first_non_ascii_line_is_utf8(sample: bytes) -> bool:
    line, newline, _rest = sample.partition(b"\n")  # the sample starts at that line
    try:  # a line the sample cut off may end in part of a character; a whole line may not
        codecs.getincrementaldecoder("utf-8")().decode(line, final=bool(newline))
    except UnicodeDecodeError:
        return False
    return True


# A word: letters, and the geresh or gershayim of a Hebrew abbreviation (ש"ח, מע"מ).
_WORDS = re.compile(r"""[^\W\d_]+(?:["'\u05f3\u05f4]+[^\W\d_]+)*""")
_ALLOWED_MARKS = frozenset({"\t", "\r", "\n", "\u200e", "\u200f"})  # LRM, RLM in Hebrew text


def plausible(sample: bytes, encoding: str) -> bool:
    """True when ``sample`` decodes in ``encoding`` as text a person wrote: no control
    characters, every letter outside ASCII of one script, and, for a script other than
    Latin, words of at least two such letters that are not glued to ASCII letters (and
    Hebrew's final letters only at a word's end).

    >>> heb = "טלוויזיה בסיסית 54.90 ₪".encode("cp1255")
    >>> plausible(heb, "cp1255"), plausible("Prix à 20 €".encode("cp1252"), "cp1255")
    (True, False)
    >>> plausible("café crème".encode("cp1252"), "cp1255")
    False
    >>> plausible("Здравствуйте".encode("cp1251"), "cp1252")  # 'Çäðàâñòâóéòå'
    False
    >>> plausible("цена мир".encode("cp1251"), "cp1255")  # 'צוםא לטנ'
    False
    """
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return False
    scripts, previous = set(), ""
    for ch in text:
        if ch.isascii() or ch in _ALLOWED_MARKS:
            if ch < " " and ch not in _ALLOWED_MARKS:
                return False
            previous = ch
            continue
        kind = unicodedata.category(ch)
        if kind.startswith("L"):
            scripts.add(unicodedata.name(ch, "?").split()[0])
        elif kind == "Mn" and not unicodedata.category(previous or " ").startswith("L"):
            return False  # a point with no letter under it
        elif kind[0] not in "PSZNM":
            return False  # control, private-use or unassigned
        previous = ch
    if len(scripts) != 1:
        return not scripts  # no letters at all: punctuation and signs only
    words = [w for w in _WORDS.findall(text) if not w.isascii()]
    if scripts == {"LATIN"}:  # accents among ASCII letters, not words made of accents only
        return not any(len(w) > 2 and not any(c.isascii() for c in w) for w in words)
    if _FINAL_INSIDE_A_WORD.search(text):
        return False  # Hebrew writes ך ם ן ף ץ only at a word's end
    return all(not any(c.isascii() and c.isalpha() for c in w) for w in words) and any(
        len(w) > 1 for w in words
    )


_FINAL_INSIDE_A_WORD = re.compile("[\u05da\u05dd\u05df\u05e3\u05e5][\u05d0-\u05ea]")


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
