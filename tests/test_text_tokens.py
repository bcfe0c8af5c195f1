"""The fast token regex of facts cuts every text exactly as the plain one did.

The look-aheads, possessive runs and the empty prefix branch in ``facts._TOKEN``
exist only for speed. The plain pattern below is the tokenizer as first written;
on texts built from the pieces that matter (number words, unit words, prefixes,
digits in every shape, signs and glue) both must give the same tokens.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.text import facts
from consistency.text.money import NUMBER

PLAIN_TOKEN = re.compile(
    rf"""
    (?P<junk>
        \d{{1,2}}:\d{{2}}(?::\d{{2}})?
      | \d{{4}}-\d{{1,2}}-\d{{1,2}}
      | \d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}
      | \d{{1,2}}/\d{{1,2}}
      | \+?972[-\ ]?\d{{1,2}}[-\ ]?\d{{3}}[-\ ]?\d{{4}}
      | 0\d{{1,2}}-?\d{{3}}-?\d{{4}}
      | 1-?[5-9]00-?\d{{2,3}}-?\d{{3,4}}
      | \*\d{{3,5}}
      | \#\d+
      | \d{{7,}}
      | \d+[a-z]\w*
      | [a-z]+\d\w*
    )(?!\d)
  | (?P<pfx>(?<![\w"'])[ובלמשהכ]{{1,2}}-?)?
    (?P<num>{NUMBER})(?![\d\w])
  | (?<![\w"'])(?P<wp>[ובלמשהכ]{{0,2}}-?)
    (?P<he>{facts._HEBREW_WORDS})(?!\w)
  | (?<![\w'])(?P<en>{facts._ENGLISH_WORDS})(?!\w)
  | (?P<sym>[₪$€£%])
    """,
    re.VERBOSE,
)

WORDS = sorted(facts._VOCABULARY)
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["ב", "ו", "מ", "ל", "וב", "ה", "-", "–", "x", "abc", "שלום", "inv"]),
    st.from_regex(r"[0-9]{1,9}([.,:/-][0-9]{1,4}){0,3}", fullmatch=True),
    st.sampled_from(["+972", "*", "#", "₪", "$", "€", "£", "%", '"', "'", "٣", "g", "mbps"]),
)
GLUE = st.sampled_from(["", "", " ", "  ", "-", " - ", ", ", ". ", "\n", "\u00a0"])
TEXTS = st.lists(st.tuples(PIECES, GLUE), max_size=14).map(
    lambda parts: "".join(piece + glue for piece, glue in parts)
)


def tokens(pattern: re.Pattern[str], text: str) -> list[tuple]:
    """Each token's span, kind and groups (an absent prefix is the empty string)."""
    return [
        (m.span(), m.lastgroup, tuple(g or "" for g in m.groups())) for m in pattern.finditer(text)
    ]


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_fast_tokens_are_the_plain_tokens(text: str) -> None:
    assert tokens(facts._TOKEN, text) == tokens(PLAIN_TOKEN, text)


def test_the_comparison_sees_tokens() -> None:
    text = 'ב-99 ש"ח, תשעים ותשע, call 03-1234567 at 14:30, 5g for $9 (10%)'
    found = tokens(facts._TOKEN, text)
    assert [kind for _span, kind, _groups in found] == [
        "num", "he", "he", "he", "junk", "junk", "junk", "en", "sym", "num", "num", "sym",
    ]  # fmt: skip
    assert found == tokens(PLAIN_TOKEN, text)
