"""Rows from the issue 12 tryout (a fresh tester's hostile inputs), each naming its CWE."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consistency.cli import main
from consistency.mail import neutralize


@pytest.mark.parametrize(
    "path, says",
    [
        ("/dev/zero", "not a regular file"),  # CWE-400: read forever
        ("big", "over 256 MiB"),  # CWE-770: a 3 GB result ran out of memory
    ],
)
def test_a_saved_result_that_is_not_one_is_refused_unread(tmp_path, path, says):
    if path == "big":
        big = tmp_path / "big.json"
        with big.open("wb") as out:
            out.truncate(300 * 1024 * 1024)  # sparse: no disk used
        path = str(big)
    done = CliRunner().invoke(main, ["report", path, "--format", "text"])  # email reads the same
    assert done.exit_code == 2, done.output
    assert says in done.output and "internal error" not in done.output


@pytest.mark.parametrize(
    "cell",
    [
        "\u00ad=1+1",  # soft hyphen (CWE-1236)
        "\u180e=1+1",  # Mongolian vowel separator
        "\u034f=1+1",  # combining grapheme joiner
        "\u2800=1+1",  # braille blank
        "\u3164=1+1",  # Hangul filler
        "\ufe66cmd",  # small equals sign
    ],
)
def test_a_formula_behind_an_unseen_character_is_neutralized(cell):
    assert neutralize(cell).startswith("'")


@pytest.mark.parametrize("cell", ["\x1b]0;title\x07", "a\u202eb", "\x00=1", "x\x9by"])
def test_control_and_bidi_characters_are_escaped_in_the_csv(cell):
    """CWE-150 / CWE-451: the email's CSV attachment carried raw ESC, BEL and U+202E."""
    shown = neutralize(cell)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e" for ch in shown)
