"""Export encodings a new user's tryout of issue 11 misread (/tmp/notes/tryout11.md, P3, P4):
a short Windows-1255 file guessed as an East Asian code page, and a file that is UTF-8 at
its start and Windows-1255 later read whole as mac_cyrillic with no error."""

from __future__ import annotations

import io

import pytest

from consistency.model import Observation, SourceFailure
from consistency.sources.textfiles import detect_encoding, plausible
from tests.test_files_encodings import read

HEADER = "channel,at,answer,text\n"

# (id, where it came from, text of the one data line)
SHORT_HEBREW = [
    ("tv-price-line", "tryout 11 P3, exports/short/tv.csv (was cp932)", "טלוויזיה בסיסית 54.90 ₪"),
    ("price-word", "tryout 11 P3, detect_encoding row (was cp932)", "מחיר 54.90 ₪"),
    ("yes", "tryout 11 P3, detect_encoding row (was big5)", "כן"),
    ("thanks", "tryout 11 P3, detect_encoding row (was big5hkscs)", "תודה"),
    ("hello", "tryout 11 P3, detect_encoding row (was cp949)", "שלום"),
    ("gershayim", "tryout 11 P3, an abbreviation alone", 'ש"ח'),
    ("forbidden", "tryout 11 P4, answers.yaml's forbidden phrase", "לא מעניין אותנו"),
    ("long", "tryout 11 P3, the same kind at length", "אמרתי ללקוח 99.90 ש\"ח לחודש " * 400),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "text"), SHORT_HEBREW, ids=[r[0] for r in SHORT_HEBREW])
def test_windows_1255_hebrew_is_detected_short_or_long(name, where, text):
    raw = (HEADER + f"chat,2026-11-15T10:00,tv-price,{text}\n").encode("cp1255")
    assert detect_encoding(io.BytesIO(raw)) == "cp1255", where
    assert detect_encoding(io.BytesIO(text.encode("cp1255"))) == "cp1255", where


# (id, where, text, the encoding that wrote it): not Hebrew, must not be taken for it
NOT_HEBREW = [
    ("french-cp1252", "tryout 11 P3: Hebrew first must not swallow Western exports",
     "Prix à 20 € café crème", "cp1252"),
    ("german-cp1252", "tryout 11 P3: umlauts beside ASCII letters", "Größe Müller", "cp1252"),
    ("russian-cp1251", "tryout 11 P3: Cyrillic read as Hebrew puts final letters mid-word",
     "цена мир", "cp1251"),
    ("japanese-cp932", "tryout 11 P3: real cp932 is not Hebrew", "日本語のテキスト", "cp932"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "text", "encoding"), NOT_HEBREW,
                         ids=[r[0] for r in NOT_HEBREW])  # fmt: skip
def test_other_scripts_are_not_plausible_hebrew(name, where, text, encoding):
    assert not plausible(text.encode(encoding), "cp1255"), where
    assert detect_encoding(io.BytesIO(text.encode(encoding))) != "cp1255", where


def test_a_short_windows_1255_export_is_read_and_checked(tmp_path):
    """tryout 11 P3: exports/short/tv.csv read as mojibake hid a wrong price (exit 0)."""
    path = tmp_path / "tv.csv"
    path.write_bytes((HEADER + "chat,2026-11-15T10:00,tv-price,טלוויזיה בסיסית 54.90 ₪\n")
                     .encode("cp1255"))  # fmt: skip
    [obs] = read(path)
    assert isinstance(obs, Observation), obs
    assert obs.text == "טלוויזיה בסיסית 54.90 ₪"


# (id, where, first lines in UTF-8, later lines in cp1255)
MIXED = [
    ("utf8-then-cp1255", "tryout 11 P4, exports/mixed/m.csv: two exports concatenated",
     ["לא מעניין אותנו"], [f"תתקשר מחר {n}" for n in range(5)]),
    ("one-each", "tryout 11 P4, the smallest form", ["שלום"], ["תודה"]),
    ("long-utf8-head", "tryout 11 P4, many UTF-8 lines before the cp1255 ones",
     ["המחיר 59.90 ₪"] * 300, ["תתקשר מחר"] * 3),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "utf8", "cp1255"), MIXED, ids=[r[0] for r in MIXED])
def test_utf8_then_windows_1255_is_utf8_with_one_failure(name, where, utf8, cp1255, tmp_path):
    path = tmp_path / "m.csv"
    lines = [f"phone,2026-11-15T10:00,cancel,{t}\n" for t in utf8]
    later = [f"phone,2026-11-15T10:00,cancel,{t}\n" for t in cp1255]
    path.write_bytes(HEADER.encode() + "".join(lines).encode() + "".join(later).encode("cp1255"))
    with path.open("rb") as raw:
        assert detect_encoding(raw) == "utf-8", where
    items = read(path)
    assert [o.text for o in items if isinstance(o, Observation)] == utf8
    [failure] = [i for i in items if isinstance(i, SourceFailure)]
    count = f"{len(cp1255)} lines are" if len(cp1255) > 1 else "1 line is"
    assert f"{count} not utf-8 text" in failure.reason
    assert f"first at line {len(utf8) + 2}" in failure.reason
