"""Text normalization before matching (SPEC 7), with a map back to the original offsets.

Drops Unicode format characters (bidi marks), maps every space separator to a plain
space, removes niqqud and cantillation (the maqaf becomes ``-``), unifies geresh and
gershayim with their ASCII stand-ins, maps the Arabic decimal and thousands separators
the Arabic and reversed commas to ``.`` and ``,``, and casefolds Latin letters. Every fact span must
refer to the original text, so :func:`normalize_map` also returns where each normalized
character came from.

>>> normalize("\\u200f₪\\u200e99.90")
'₪99.90'
>>> normalize("ש״ח\\u00a0NIS")
'ש"ח nis'
>>> normalize("שָׁלוֹם־עוֹלָם")
'שלום-עולם'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

GERESH = "'"
GERSHAYIM = '"'
_GERESH_LIKE = "\u05f3`\u00b4\u2018\u2019\u201b\u2032"
_GERSHAYIM_LIKE = "\u05f4\u201c\u201d\u201e\u201f\u2033"
_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
# Cf characters live in these planes; the table scans them once, on first use.
_CF_RANGES = ((0, 0x10000), (0x11000, 0x11100), (0x13430, 0x13440), (0x1BCA0, 0x1BCA4),
              (0x1D173, 0x1D17B), (0xE0000, 0xE0080))  # fmt: skip
_LATIN_RANGES = ((0x41, 0x250), (0x1E00, 0x1F00))


@functools.cache
def _table() -> dict[int, str]:
    """The normalization table, built on first use (scanning Unicode takes a tenth of a
    second, and ASCII text, the common case, never needs it)."""
    table: dict[int, str] = {}
    for low, high in _CF_RANGES:
        for code in range(low, high):
            category = unicodedata.category(chr(code))
            if category == "Cf":
                table[code] = ""
            elif category == "Zs" and code != 0x20:
                table[code] = " "
    for low, high in _LATIN_RANGES:
        for code in range(low, high):
            folded = chr(code).casefold()
            if folded != chr(code):
                table[code] = folded
    for code in range(0x0591, 0x05C8):
        if unicodedata.category(chr(code)) == "Mn":
            table[code] = ""
    table[0x05BE] = "-"  # maqaf
    table[0x066B] = "."  # Arabic decimal separator, also printed with Latin digits
    table[0x066C] = ","  # Arabic thousands separator
    table[0x060C] = ","  # Arabic comma (some locales group thousands with it)
    table[0x2E41] = ","  # reversed comma (Adlam Fulah groups thousands with it)
    table.update({ord(c): GERESH for c in _GERESH_LIKE})
    table.update({ord(c): GERSHAYIM for c in _GERSHAYIM_LIKE})
    return table


@functools.cache
def _shifting() -> frozenset[str]:
    """Characters whose replacement is not exactly one character; they shift offsets."""
    return frozenset(chr(c) for c, r in _table().items() if len(r) != 1)


def __getattr__(name: str):
    if name == "TABLE":  # the table, as a module attribute, built when first asked for
        return _table()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Characters that TABLE maps exactly as str.lower() does, one for one: ASCII but the
# backtick (a geresh look-alike), Hebrew letters, and the common currency signs and
# dash. A run of them is normalized by lower(), which is far faster than translate().
_PLAIN = "\x00-\x5f\x61-\x7f\u05d0-\u05ea\u20aa\u20ac\u00a3\u2013"
_OTHER_RUN = re.compile(
    rf"""
    ([^{_PLAIN}]+)    # a run of characters that need the table (kept by split)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalized text and where each of its characters came from in ``original``.

    ``sources`` is None when the offsets are the same in both texts.
    """

    text: str
    original: str
    sources: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalized span ``[start, end)``.

        >>> n = normalize_map("a\\u200fb")
        >>> n.text, n.span(1, 2)
        ('ab', (2, 3))
        """
        if self.sources is None:
            return start, end
        if start >= len(self.sources):
            return len(self.original), len(self.original)
        first = self.sources[start]
        last = self.sources[end - 1] + 1 if end > start else first
        return first, last


def normalize(text: str) -> str:
    """The normalized form of ``text`` (see the module docstring).

    The same as ``text.translate(TABLE)``, but plain runs go through ``str.lower``.

    >>> normalize("Fiber 500 ב-₪99")
    'fiber 500 ב-₪99'
    """
    if text.isascii() and "`" not in text:
        return text.lower()
    pieces = _OTHER_RUN.split(text)
    if len(pieces) == 1:
        return text.lower()
    return "".join(_normalize_pieces(pieces))


def _normalize_pieces(pieces: list[str]) -> list[str]:
    """Plain runs (even indexes) lowered, the runs between them (odd) translated."""
    table = _table()
    return [p.translate(table) if i % 2 else p.lower() for i, p in enumerate(pieces)]


def normalize_map(text: str) -> Normalized:
    """Normalize ``text`` and keep the offsets back to it.

    >>> normalize_map("\u200f₪99").sources
    (1, 2, 3)
    """
    if text.isascii() and "`" not in text:
        return Normalized(text.lower(), text)
    pieces = _OTHER_RUN.split(text)
    if len(pieces) == 1:
        return Normalized(text.lower(), text)
    out = "".join(_normalize_pieces(pieces))
    if _shifting().isdisjoint("".join(pieces[1::2])):
        return Normalized(out, text)
    return Normalized(out, text, _sources(pieces))


def _sources(pieces: list[str]) -> tuple[int, ...]:
    """Where each normalized character came from: plain runs map one for one."""
    sources: list[int] = []
    position = 0
    table = _table()
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            sources.extend(range(position, position + len(piece)))
        else:
            for offset, char in enumerate(piece, position):
                sources.extend([offset] * len(table.get(ord(char), char)))
        position += len(piece)
    return tuple(sources)


def fold_finals(text: str) -> str:
    """Fold Hebrew final letters to their plain forms, for matching only.

    >>> fold_finals("סיבים")
    'סיבימ'
    """
    return text.translate(_FINALS)
