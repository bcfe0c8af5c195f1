"""normalize and normalize_map: the fast paths give exactly what the plain table gives.

The reference is the definition in the module docstring: ``text.translate(TABLE)``,
and a source offset for every character each original character turns into.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.text import normalize as module
from consistency.text.normalize import TABLE, normalize, normalize_map

# Characters where the fast paths and the table could part ways: ASCII with the
# backtick, Hebrew letters, niqqud, geresh look-alikes, bidi marks, odd spaces,
# Latin letters whose casefold is not lower() (ß, ſ, İ), Greek sigma, Cyrillic.
ALPHABET = (
    "aZ09 -`'\"₪€£$%.,–\n\t"
    "אבגדהוזחטיכךלמםנןסעפףצץקרשת"
    "\u05b0\u05b4\u05b8\u05bc\u05c1\u05be\u05f3\u05f4"
    "\u200e\u200f\u202a\u202c\u2066\u2069\u200d\u00ad\ufeff"
    "\u00a0\u202f\u2009\u3000"
    "ßſİÀÉµΣσΑЖж’”″"
)
TEXTS = st.text(alphabet=ALPHABET, max_size=60)


def reference_map(text: str) -> tuple[str, tuple[int, ...] | None]:
    """The normalized text and its sources, one character at a time."""
    out = text.translate(TABLE)
    sources = tuple(i for i, c in enumerate(text) for _ in TABLE.get(ord(c), c))
    shifted = any(len(TABLE.get(ord(c), c)) != 1 for c in text)
    return out, sources if shifted else None


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_normalize_is_the_table(text: str) -> None:
    assert normalize(text) == text.translate(TABLE)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_normalize_map_is_the_reference(text: str) -> None:
    mapped = normalize_map(text)
    assert (mapped.text, mapped.sources) == reference_map(text)
    assert mapped.original == text


def test_plain_characters_lower_like_the_table() -> None:
    plain = module._OTHER_RUN.split("".join(map(chr, range(0x3000))))[::2]
    chars = "".join(plain)
    assert len(chars) > 128 + 27
    assert [c for c in chars if c.lower() != TABLE.get(ord(c), c)] == []


@dataclass(frozen=True)
class MapRow:
    id: str
    text: str
    normalized: str
    span: tuple[int, int]  # a span in the normalized text
    original: tuple[int, int]  # the same span in the original


MAP_ROWS = [
    MapRow("ascii", "NIS 99", "nis 99", (4, 6), (4, 6)),
    MapRow("backtick-geresh", "90 אג`", "90 אג'", (3, 6), (3, 6)),
    MapRow("bidi-dropped", "\u200f₪\u200e99", "₪99", (1, 3), (3, 5)),
    MapRow("gershayim", "99 ש״ח", '99 ש"ח', (3, 6), (3, 6)),
    MapRow("niqqud", "שְׁקָלִים 5", "שקלים 5", (6, 7), (10, 11)),
    MapRow("eszett-grows", "Maß 5", "mass 5", (5, 6), (4, 5)),
]


@pytest.mark.parametrize("row", MAP_ROWS, ids=lambda r: r.id)
def test_spans_map_back(row: MapRow) -> None:
    mapped = normalize_map(row.text)
    assert mapped.text == row.normalized
    assert mapped.span(*row.span) == row.original
